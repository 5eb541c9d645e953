-- The append-only history, partitioned by month (issue 15, point 5: retention). Five tables only grow: a purchase's
-- state changes and calls, a message's status changes and callbacks, and the audit log. Each becomes a table
-- partitioned by range on the time its rows were written, one partition per UTC month, so that a month past the
-- retention leaves as a whole: `transact archive` exports it and detaches it, without a DELETE (which would write
-- every row's removal to the WAL and leave the table to vacuum) and without touching the months still in use.
--
-- - *The partition key is the row's own time* (`changed_at`, `called_at`, `at`), which every writer already sets
--   by default: the functions that write the history are unchanged, and a row written today always lands in
--   today's month, also for a purchase opened long ago. A callback takes the time of the status change it
--   announces, so that it leaves with it. A reader that knows when the purchase or message began reads only the
--   months from then on (Migrations/repeatable/06_retention.sql: retention.written_since).
-- - *Keys.* PostgreSQL requires every unique key of a partitioned table to include the partition key, so the
--   history's keys gain the row's time: (raas_txn_ref, sequence, changed_at), and so on. They stay unique on
--   (owner, sequence) in fact: the only writers number an entry after the owner's last one while holding the
--   owner's row (purchases.record_state_change; notifications.enter_statuses counts on messages.status_sequence).
--   The keys that make requests idempotent (clientTxnRef, clientMessageId) are on the purchases and messages
--   themselves, which are not partitioned and never archived.
-- - *A default partition* takes rows beyond the months created ahead (retention.add_partitions, run by every
--   `serve` each hour and by this migration, three months ahead), so that a write never fails for want of one.
-- - *The audit log's id.* PostgreSQL 15 allows no identity column on a partitioned table: the id comes from a
--   sequence of its own, carried on from the last id.
--
-- The rows are copied into the new tables in one statement each, under this migration's locks (taken within
-- database.migrationLockTimeoutMs): a one-time conversion, cheap while the history is young. The triggers that keep
-- the tables append-only come back with the repeatable set, applied after this migration.

-- The reader of the calls gains the time its purchase was opened (Migrations/repeatable/03_purchases.sql), and the
-- view that calls it comes back with the repeatable set.
DROP VIEW IF EXISTS purchases.result_deliveries;
DROP FUNCTION IF EXISTS purchases.result_attempts(uuid, boolean);

ALTER TABLE purchases.state_changes RENAME TO state_changes_before_partitioning;
ALTER TABLE purchases.calls RENAME TO calls_before_partitioning;
ALTER TABLE notifications.status_changes RENAME TO status_changes_before_partitioning;
ALTER TABLE notifications.callbacks RENAME TO callbacks_before_partitioning;
ALTER TABLE support.audit_log RENAME TO audit_log_before_partitioning;
-- Index names are unique per schema: the old ones make way for the new tables'.
ALTER INDEX purchases.state_changes_pkey RENAME TO state_changes_before_partitioning_pkey;
ALTER INDEX purchases.calls_by_transaction RENAME TO calls_before_partitioning_by_transaction;
ALTER INDEX notifications.status_changes_pkey RENAME TO status_changes_before_partitioning_pkey;
ALTER INDEX notifications.callbacks_pkey RENAME TO callbacks_before_partitioning_pkey;
ALTER INDEX notifications.callbacks_due RENAME TO callbacks_before_partitioning_due;
ALTER INDEX support.audit_log_pkey RENAME TO audit_log_before_partitioning_pkey;
ALTER INDEX support.audit_log_by_time RENAME TO audit_log_before_partitioning_by_time;

CREATE TABLE purchases.state_changes (
    raas_txn_ref uuid NOT NULL,
    sequence integer NOT NULL,
    state text NOT NULL,
    cause text NOT NULL,
    response_code text,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (raas_txn_ref, sequence, changed_at)
) PARTITION BY RANGE (changed_at);

CREATE TABLE purchases.calls (
    raas_txn_ref uuid NOT NULL,
    called_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    party purchases.call_party NOT NULL,
    operation purchases.call_operation NOT NULL,
    reference text,
    outcome purchases.call_outcome NOT NULL,
    latency_ms integer
) PARTITION BY RANGE (called_at);
CREATE INDEX calls_by_transaction ON purchases.calls (raas_txn_ref, called_at);

CREATE TABLE notifications.status_changes (
    notification_id uuid NOT NULL,
    sequence integer NOT NULL,
    status_code integer NOT NULL,
    cause text NOT NULL CHECK (length(cause) <= 300),
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (notification_id, sequence, changed_at)
) PARTITION BY RANGE (changed_at);

CREATE TABLE notifications.callbacks (
    notification_id uuid NOT NULL,
    sequence integer NOT NULL,
    -- The time of the status change it announces (notifications.status_changes.changed_at): its partition's.
    changed_at timestamptz NOT NULL,
    client_id bigint NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged', 'gave_up')),
    due_at timestamptz NOT NULL DEFAULT now(),
    lease_token uuid,
    attempts integer NOT NULL DEFAULT 0,
    last_outcome text CHECK (length(last_outcome) <= 300),
    last_attempt_at timestamptz,
    acknowledged_at timestamptz,
    PRIMARY KEY (notification_id, sequence, changed_at)
) PARTITION BY RANGE (changed_at);
CREATE INDEX callbacks_due ON notifications.callbacks (due_at) WHERE status = 'pending';

CREATE SEQUENCE support.audit_log_ids AS bigint;
CREATE TABLE support.audit_log (
    id bigint NOT NULL DEFAULT nextval('support.audit_log_ids'),
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_client_id bigint NOT NULL,
    channel text NOT NULL CHECK (channel IN ('api', 'console')),
    action text NOT NULL CHECK (length(action) <= 100),
    target text CHECK (length(target) <= 200),
    detail text CHECK (length(detail) <= 1000),
    remote_address text CHECK (length(remote_address) <= 100),
    request_id text CHECK (length(request_id) <= 100),
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
ALTER SEQUENCE support.audit_log_ids OWNED BY support.audit_log.id;
CREATE INDEX audit_log_by_time ON support.audit_log (at);

-- The months the copied rows need, and this one and the three after it, UTC (as retention.add_partitions names
-- them: <table>_pYYYY_MM), and each table's default partition.
DO $$
DECLARE
    history record;
    month timestamp;
BEGIN
    FOR history IN
        SELECT * FROM (VALUES
            ('purchases', 'state_changes', (SELECT min(changed_at) FROM purchases.state_changes_before_partitioning)),
            ('purchases', 'calls', (SELECT min(called_at) FROM purchases.calls_before_partitioning)),
            ('notifications', 'status_changes',
             (SELECT min(changed_at) FROM notifications.status_changes_before_partitioning)),
            ('notifications', 'callbacks', (SELECT min(s.changed_at) FROM notifications.callbacks_before_partitioning c
                                            JOIN notifications.status_changes_before_partitioning s
                                              USING (notification_id, sequence))),
            ('support', 'audit_log', (SELECT min(at) FROM support.audit_log_before_partitioning))
        ) AS h(schema_name, table_name, oldest)
    LOOP
        FOR month IN
            SELECT generate_series(date_trunc('month', least(history.oldest, now()) AT TIME ZONE 'UTC'),
                                   date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months', interval '1 month')
        LOOP
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)',
                           history.schema_name, history.table_name || to_char(month, '"_p"YYYY_MM'),
                           history.schema_name, history.table_name,
                           month AT TIME ZONE 'UTC', (month + interval '1 month') AT TIME ZONE 'UTC');
        END LOOP;
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I DEFAULT',
                       history.schema_name, history.table_name || '_default', history.schema_name, history.table_name);
    END LOOP;
END
$$;

INSERT INTO purchases.state_changes (raas_txn_ref, sequence, state, cause, response_code, changed_at)
SELECT raas_txn_ref, sequence, state, cause, response_code, changed_at FROM purchases.state_changes_before_partitioning;
INSERT INTO purchases.calls (raas_txn_ref, called_at, party, operation, reference, outcome, latency_ms)
SELECT raas_txn_ref, called_at, party, operation, reference, outcome, latency_ms FROM purchases.calls_before_partitioning;
INSERT INTO notifications.status_changes (notification_id, sequence, status_code, cause, changed_at)
SELECT notification_id, sequence, status_code, cause, changed_at FROM notifications.status_changes_before_partitioning;
INSERT INTO notifications.callbacks (notification_id, sequence, changed_at, client_id, status, due_at, lease_token,
                                     attempts, last_outcome, last_attempt_at, acknowledged_at)
SELECT c.notification_id, c.sequence, s.changed_at, c.client_id, c.status, c.due_at, c.lease_token, c.attempts,
       c.last_outcome, c.last_attempt_at, c.acknowledged_at
FROM notifications.callbacks_before_partitioning c
JOIN notifications.status_changes_before_partitioning s USING (notification_id, sequence);
INSERT INTO support.audit_log (id, at, actor_client_id, channel, action, target, detail, remote_address, request_id)
SELECT id, at, actor_client_id, channel, action, target, detail, remote_address, request_id
FROM support.audit_log_before_partitioning;
SELECT setval('support.audit_log_ids', coalesce((SELECT max(id) FROM support.audit_log_before_partitioning), 0) + 1,
              false);

DROP TABLE purchases.state_changes_before_partitioning;
DROP TABLE purchases.calls_before_partitioning;
DROP TABLE notifications.callbacks_before_partitioning;
DROP TABLE notifications.status_changes_before_partitioning;
DROP TABLE support.audit_log_before_partitioning;

-- The partitions' upkeep and `transact archive`'s rules (Migrations/repeatable/06_retention.sql), and where what
-- it detaches without a file to keep it in stays, out of the history.
CREATE SCHEMA retention;
CREATE SCHEMA archive;
