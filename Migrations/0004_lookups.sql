-- Lookups (API.md §6, DESIGN.md §3 step 9): the transaction's public id, one index per lookup query, and a
-- notification whenever the catalogue changes so that every process's catalogue cache is dropped at once.
--
-- Index predicates name only columns that change in the update that makes a purchase final (final_at,
-- transact_result_response_code, token). An update that changes a column an index uses cannot be HOT; keeping
-- `state` out of every index leaves the intermediate steps of a purchase (reserving → reserved → vending) HOT, so
-- they write no index entries at all. `transact_result_response_code = '0000'` is set exactly when the purchase
-- becomes SUCCESS (purchases.finish) and never otherwise.

-- Room on each page for the HOT updates of a purchase's intermediate steps (applies to pages written from now on,
-- and to the whole table through the rewrite that the identity column below causes).
ALTER TABLE purchases.transactions SET (fillfactor = 85);

-- The `id` of Transaction Lookup: a number, in the order transactions were created (decided here; the raasTxnRef
-- remains the reference). No index: nothing looks a transaction up by it. purchases.open inserts a whole row
-- (`SELECT t.*`, id NULL), so the number is given by a trigger rather than by an identity column, which would
-- refuse the explicit NULL.
CREATE SEQUENCE purchases.transaction_ids AS bigint;
ALTER TABLE purchases.transactions ADD COLUMN id bigint NOT NULL DEFAULT nextval('purchases.transaction_ids');
ALTER SEQUENCE purchases.transaction_ids OWNED BY purchases.transactions.id;

-- Transaction Lookup by reserveFundsTxnRef (by raasTxnRef: the primary key; by clientTxnRef: one_per_client_reference).
CREATE INDEX transactions_by_reserve_funds_ref ON purchases.transactions (client_id, reserve_funds_txn_ref)
    WHERE reserve_funds_txn_ref IS NOT NULL;

-- In-Flight Check: a client's transactions that are not final yet, by buyer. Small: a row leaves it when its
-- transaction becomes final.
CREATE INDEX transactions_in_flight_by_buyer ON purchases.transactions (client_id, source_identifier)
    WHERE final_at IS NULL;

-- User Transaction Lookup: a buyer's successful purchases, latest first per product. The lookup skips from one
-- product to the next along this index, so its cost follows the number of products the buyer bought, not the
-- size of the table nor the length of the buyer's history.
CREATE INDEX transactions_successful_by_buyer_product
    ON purchases.transactions (client_id, source_identifier, product_id, created_at DESC)
    WHERE transact_result_response_code = '0000';

-- Token Lookup: the tokens of a buyer's successful purchases, newest first.
CREATE INDEX transactions_tokens_by_buyer ON purchases.transactions (client_id, source_identifier, created_at DESC)
    WHERE transact_result_response_code = '0000' AND token IS NOT NULL;
