-- The rules of single columns of the purchase tables become domains (issue 14, point 5). PostgreSQL builds every
-- CHECK constraint of a table afresh, from its stored text, at each INSERT or UPDATE statement that writes a row of
-- it (ExecRelCheck parses and compiles them once per statement, whichever columns the statement sets): perf showed
-- a sixth of PostgreSQL's CPU per purchase there, and an UPDATE of a purchase row cost half as much again as one
-- without them. A domain's rule is kept parsed in the type cache and checked only where a value of that column is
-- written. The rules across columns of a purchase row move to its state trigger (purchases.guard_transition, in
-- the repeatable set), which runs where they can change: when a purchase is created and when its state changes;
-- `transact verify` checks them for every row (purchases.invariant_violations).
--
-- Changing a column to a domain with a rule rewrites the table and checks every row against the rule.

CREATE DOMAIN purchases.client_txn_ref AS text CHECK (length(VALUE) BETWEEN 1 AND 64);
CREATE DOMAIN purchases.flow AS text CHECK (VALUE IN ('reserve_and_transact', 'transact'));
-- SHA-256, in hex.
CREATE DOMAIN purchases.fingerprint AS text CHECK (VALUE ~ '^[0-9a-f]{64}$');
-- The states of purchases.transitions (migration 0008), the moves between them checked by the trigger.
CREATE DOMAIN purchases.state AS text CHECK (VALUE IN (
    'received', 'reserving', 'reserved', 'reserve_failed', 'reserve_unknown', 'vending', 'vend_pending', 'success',
    'failed'));
CREATE DOMAIN purchases.state_cause AS text CHECK (length(VALUE) <= 500);
CREATE DOMAIN purchases.token_kind AS text CHECK (VALUE IN ('numeric20', 'voucherPIN16'));
CREATE DOMAIN purchases.channel_id AS integer CHECK (VALUE BETWEEN 1 AND 99);
CREATE DOMAIN purchases.currency_code AS text CHECK (VALUE ~ '^[A-Z]{3}$');
CREATE DOMAIN purchases.positive_amount AS bigint CHECK (VALUE > 0);
CREATE DOMAIN purchases.non_negative_amount AS bigint CHECK (VALUE >= 0);
CREATE DOMAIN purchases.response_code AS text CHECK (VALUE ~ '^[0-9]{4}$');
CREATE DOMAIN purchases.vend_attempt_count AS integer CHECK (VALUE BETWEEN 0 AND 9999);
CREATE DOMAIN purchases.result_recipient AS text CHECK (VALUE IN ('funding_source', 'client'));
CREATE DOMAIN purchases.result_status AS text CHECK (VALUE IN ('pending', 'acknowledged', 'gave_up'));
CREATE DOMAIN purchases.call_party AS text CHECK (VALUE IN ('bank', 'vendor', 'client'));
CREATE DOMAIN purchases.call_operation AS text CHECK (VALUE IN (
    'reserveFunds', 'transactResult', 'statusLookup', 'vend', 'vendStatus', 'vendorResult'));
CREATE DOMAIN purchases.call_outcome AS text CHECK (length(VALUE) <= 300);
CREATE DOMAIN purchases.job_kind AS text CHECK (VALUE IN ('vend', 'deliver_result', 'reservation_deadline', 'reservation_lookup'));

ALTER TABLE purchases.transactions
    DROP CONSTRAINT transactions_client_txn_ref_check,
    DROP CONSTRAINT transactions_flow_check,
    DROP CONSTRAINT transactions_request_fingerprint_check,
    DROP CONSTRAINT transactions_state_check,
    DROP CONSTRAINT transactions_state_cause_check,
    DROP CONSTRAINT transactions_token_kind_check,
    DROP CONSTRAINT transactions_channel_id_check,
    DROP CONSTRAINT transactions_currency_code_check,
    DROP CONSTRAINT transactions_purchase_amount_check,
    DROP CONSTRAINT transactions_fee_amount_check,
    DROP CONSTRAINT transactions_response_code_check,
    DROP CONSTRAINT transactions_vend_attempts_check,
    DROP CONSTRAINT transactions_result_recipient_check,
    DROP CONSTRAINT transactions_result_status_check,
    DROP CONSTRAINT accepted_has_breakdown,
    DROP CONSTRAINT final_has_time,
    DROP CONSTRAINT result_is_whole,
    ALTER COLUMN client_txn_ref TYPE purchases.client_txn_ref,
    ALTER COLUMN flow TYPE purchases.flow,
    ALTER COLUMN request_fingerprint TYPE purchases.fingerprint,
    ALTER COLUMN state TYPE purchases.state,
    ALTER COLUMN state_cause TYPE purchases.state_cause,
    ALTER COLUMN token_kind TYPE purchases.token_kind,
    ALTER COLUMN channel_id TYPE purchases.channel_id,
    ALTER COLUMN currency_code TYPE purchases.currency_code,
    ALTER COLUMN purchase_amount TYPE purchases.positive_amount,
    ALTER COLUMN fee_amount TYPE purchases.non_negative_amount,
    ALTER COLUMN response_code TYPE purchases.response_code,
    ALTER COLUMN vend_attempts TYPE purchases.vend_attempt_count,
    ALTER COLUMN result_recipient TYPE purchases.result_recipient,
    ALTER COLUMN result_status TYPE purchases.result_status;

ALTER TABLE purchases.calls
    DROP CONSTRAINT calls_party_check,
    DROP CONSTRAINT calls_operation_check,
    DROP CONSTRAINT calls_outcome_check,
    ALTER COLUMN party TYPE purchases.call_party,
    ALTER COLUMN operation TYPE purchases.call_operation,
    ALTER COLUMN outcome TYPE purchases.call_outcome;

-- A job's open-job rule (open_job_names_its_buyer) spans columns and stays a constraint: a small one.
ALTER TABLE purchases.jobs
    DROP CONSTRAINT jobs_kind_check,
    ALTER COLUMN kind TYPE purchases.job_kind;
