-- A leaner write path for purchases (issue 14, point 5). A purchase row is written once with its indexes and then
-- only changed in place: PostgreSQL writes a changed row without touching any index (a HOT update) only when no
-- column an index uses, in its key or its predicate, changes. So nothing a step changes is indexed on
-- purchases.transactions any more; what the lookups and support find by such a column moves to a small table
-- written once, or to the purchase's job:
--   - the bank's reserveFundsTxnRef (known only once the bank answers) → purchases.bank_references;
--   - a successful purchase, and its token (known only at the end) → purchases.successes;
--   - "not final yet" (In-Flight Check, support's PENDING) → the purchase's open job (reservation_deadline or
--     vend), which exists exactly while the purchase is not final;
--   - the transactResult to deliver, its exact body and how delivery went → columns of the purchase itself, whose
--     pending (or given up) delivery is a deliver_result job;
--   - a reservation the bank never answered (2060, for support's exceptions) → purchases.unanswered_reservations.
-- A job's claim no longer moves its due time (an indexed column): the lease is its own column, so a claim changes
-- the row in place too.

-- The bank's reference for a reservation: Transaction Lookup and support find a purchase by it.
CREATE TABLE purchases.bank_references (
    client_id bigint NOT NULL,
    reserve_funds_txn_ref text NOT NULL,
    raas_txn_ref uuid NOT NULL,
    PRIMARY KEY (client_id, reserve_funds_txn_ref, raas_txn_ref)
);
INSERT INTO purchases.bank_references (client_id, reserve_funds_txn_ref, raas_txn_ref)
SELECT client_id, reserve_funds_txn_ref, raas_txn_ref FROM purchases.transactions WHERE reserve_funds_txn_ref IS NOT NULL;
DROP INDEX purchases.transactions_by_reserve_funds_ref;

-- Every successful purchase, once, when it succeeds: User Transaction Lookup and Token Lookup read a buyer's
-- successes through these indexes, then the purchases themselves. No primary key: nothing finds a row by its
-- reference, and purchases.finish writes it exactly once.
CREATE TABLE purchases.successes (
    client_id bigint NOT NULL,
    source_identifier text NOT NULL,
    product_id bigint NOT NULL,
    created_at timestamptz NOT NULL,
    raas_txn_ref uuid NOT NULL,
    with_token boolean NOT NULL
);
INSERT INTO purchases.successes (client_id, source_identifier, product_id, created_at, raas_txn_ref, with_token)
SELECT client_id, source_identifier, product_id, created_at, raas_txn_ref, token IS NOT NULL
FROM purchases.transactions WHERE transact_result_response_code = '0000';
-- The lookup skips from one product to the next along this index (see 0004).
CREATE INDEX successes_by_buyer_product ON purchases.successes (client_id, source_identifier, product_id, created_at DESC)
    INCLUDE (raas_txn_ref);
CREATE INDEX successes_tokens_by_buyer ON purchases.successes (client_id, source_identifier, created_at DESC)
    INCLUDE (raas_txn_ref) WHERE with_token;
DROP INDEX purchases.transactions_successful_by_buyer_product;
DROP INDEX purchases.transactions_tokens_by_buyer;

-- The transactResult (API.md §4.2) on the purchase: built once when it becomes final (its exact bytes), where it
-- goes, and how delivery went. NULL for a purchase that has nothing to deliver.
ALTER TABLE purchases.transactions
    ADD COLUMN result_recipient text CHECK (result_recipient IN ('funding_source', 'client')),
    ADD COLUMN result_body text,
    ADD COLUMN result_status text CHECK (result_status IN ('pending', 'acknowledged', 'gave_up')),
    ADD COLUMN result_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN result_first_attempt_at timestamptz,
    ADD COLUMN result_last_attempt_at timestamptz,
    ADD COLUMN result_last_outcome text,
    ADD COLUMN result_acknowledged_at timestamptz,
    ADD CONSTRAINT result_is_whole CHECK (
        (result_recipient IS NULL) = (result_body IS NULL) AND (result_body IS NULL) = (result_status IS NULL));
UPDATE purchases.transactions t
SET result_recipient = d.recipient, result_body = d.body, result_status = d.status, result_attempts = d.attempts,
    result_first_attempt_at = d.first_attempt_at, result_last_attempt_at = d.last_attempt_at,
    result_last_outcome = d.last_outcome, result_acknowledged_at = d.acknowledged_at
FROM purchases.result_deliveries d WHERE d.raas_txn_ref = t.raas_txn_ref;

-- Jobs: a lease of its own (a claim changes no index), the purchase's buyer and creation time on its open job
-- (reservation_deadline or vend: the purchase is not final), and a result given up waits, never due, for support.
ALTER TABLE purchases.jobs
    ADD COLUMN leased_until timestamptz,
    ADD COLUMN client_id bigint,
    ADD COLUMN source_identifier text,
    ADD COLUMN purchase_created_at timestamptz,
    ALTER COLUMN due_at DROP NOT NULL;
-- A claimed job kept its lease in due_at; it moves to leased_until, and the job is due when its lease ends.
UPDATE purchases.jobs SET leased_until = due_at WHERE lease_token IS NOT NULL;
UPDATE purchases.jobs j SET client_id = t.client_id, source_identifier = t.source_identifier, purchase_created_at = t.created_at
FROM purchases.transactions t WHERE t.raas_txn_ref = j.raas_txn_ref;
ALTER TABLE purchases.jobs ADD CONSTRAINT open_job_names_its_buyer CHECK (
    kind NOT IN ('reservation_deadline', 'vend')
    OR (client_id IS NOT NULL AND source_identifier IS NOT NULL AND purchase_created_at IS NOT NULL));
INSERT INTO purchases.jobs (raas_txn_ref, kind, due_at)
SELECT d.raas_txn_ref, 'deliver_result', NULL FROM purchases.result_deliveries d WHERE d.status = 'gave_up'
ON CONFLICT (raas_txn_ref, kind) DO UPDATE SET due_at = NULL, lease_token = NULL, leased_until = NULL;
DROP TABLE purchases.result_deliveries;
CREATE INDEX jobs_open_by_buyer ON purchases.jobs (client_id, source_identifier)
    WHERE kind IN ('reservation_deadline', 'vend');
CREATE INDEX jobs_open_by_time ON purchases.jobs (purchase_created_at, raas_txn_ref)
    WHERE kind IN ('reservation_deadline', 'vend');
DROP INDEX purchases.transactions_in_flight_by_buyer;
DROP INDEX purchases.transactions_pending_by_time;

-- Reservations the bank never answered (the purchase failed 2060), for support's exceptions: rare rows.
CREATE TABLE purchases.unanswered_reservations (
    raas_txn_ref uuid PRIMARY KEY,
    created_at timestamptz NOT NULL
);
INSERT INTO purchases.unanswered_reservations (raas_txn_ref, created_at)
SELECT raas_txn_ref, created_at FROM purchases.transactions WHERE reserve_funds_response_code = '2060';
DROP INDEX purchases.transactions_unanswered_reservations;

-- More room on each page for a purchase's versions: a HOT update needs the new version on the same page.
ALTER TABLE purchases.transactions SET (fillfactor = 70);
