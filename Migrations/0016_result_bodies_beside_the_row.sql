-- A final purchase's transactResult body (API.md §4.2: built once, delivered as these exact bytes) is stored in a
-- table of its own, written once, rather than in the purchase row (issue 14, point 5). Adding some 600 bytes to the
-- row in the update that ends the purchase left its page too little room for the new version about once per
-- purchase: a non-HOT update, with an entry in each of the row's seven indexes and a lock of the old version while
-- PostgreSQL found another page (Benchmarks/README.md). Where the result goes and how its delivery stands stay on
-- the row: they change with each attempt.

CREATE TABLE purchases.result_bodies (
    raas_txn_ref uuid PRIMARY KEY,
    body text NOT NULL
);

INSERT INTO purchases.result_bodies (raas_txn_ref, body)
SELECT raas_txn_ref, result_body FROM purchases.transactions WHERE result_body IS NOT NULL;

ALTER TABLE purchases.transactions DROP COLUMN result_body;
