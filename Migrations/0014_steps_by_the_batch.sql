-- A batch's opens, vend outcomes and result deliveries are stored together (issue 14, point 5): a few statements
-- for the whole batch (purchases.open_all, record_vends, record_deliveries, finish_all) instead of a function and
-- its statements for each step, so that what every statement costs whatever it does is paid once per batch. These
-- are the rows those functions take; the one-step functions they replace go (the repeatable files define the new
-- ones).

-- A vend attempt's or status query's outcome, as the worker reports it (purchases.record_vends).
CREATE TYPE purchases.vend_outcome AS (
    item integer,
    raas_txn_ref uuid,
    lease_token uuid,
    mode text,
    attempt integer,
    outcome text,
    code text,
    message text,
    token text,
    latency_ms integer,
    retry_delay_ms integer,
    max_retry_delay_ms integer,
    max_polls integer,
    poll_delay_ms integer,
    lease_seconds integer
);

-- A result delivery attempt (purchases.record_deliveries).
CREATE TYPE purchases.delivery_attempt AS (
    item integer,
    raas_txn_ref uuid,
    lease_token uuid,
    acknowledged boolean,
    outcome text,
    latency_ms integer
);

-- How an accepted purchase ends (purchases.finish_all).
CREATE TYPE purchases.ending AS (
    raas_txn_ref uuid,
    success boolean,
    code text,
    message text,
    token text,
    cause text,
    vended_reference text,
    lease_seconds integer
);

DROP FUNCTION IF EXISTS purchases.record_vend(
    uuid, uuid, text, integer, text, text, text, text, integer, integer, integer, integer, integer, integer);
DROP FUNCTION IF EXISTS purchases.record_delivery(uuid, uuid, boolean, text, integer);
-- The result body is built from the row before its last update and how it ends (so within that update).
DROP FUNCTION IF EXISTS purchases.result_body(purchases.transactions);
-- Opens are stored a batch at a time too (purchases.open_all).
DROP FUNCTION IF EXISTS purchases.open(jsonb, jsonb, integer);
-- A job is turned into the next one by the update that needs it (finish_all, record_reservation).
DROP FUNCTION IF EXISTS purchases.next_job(uuid, text, timestamptz, integer);
DROP FUNCTION IF EXISTS purchases.move_job(uuid, text[], text, timestamptz, integer);
-- A ledger operation is booked through purchases.book_all, one or many.
DROP FUNCTION IF EXISTS purchases.book(uuid, jsonb, text, bigint);
