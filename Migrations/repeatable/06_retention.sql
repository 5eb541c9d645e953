-- Retention of the append-only history (issue 15, point 5; Migrations/0023): the month partitions of the five
-- history tables, made ahead of time, and what `transact archive` may take away and why not.

-- The lower bound of the history written for something that began at p_began (a purchase opened, a message
-- accepted), for readers to add beside its key so that PostgreSQL reads only the months from then on. Every entry
-- is written after its owner began; the hour's margin allows for a clock set back (a fail-over to a standby whose
-- clock is behind).
CREATE OR REPLACE FUNCTION retention.written_since(p_began timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p_began - interval '1 hour'
$$;

-- The history tables, each with what its entries belong to.
CREATE OR REPLACE VIEW retention.history_tables AS
SELECT h.history, h.owner, n.nspname AS schema_name, c.relname AS table_name
FROM (VALUES ('purchases.state_changes'::regclass, 'purchase'), ('purchases.calls'::regclass, 'purchase'),
             ('notifications.status_changes'::regclass, 'message'), ('notifications.callbacks'::regclass, 'message'),
             ('support.audit_log'::regclass, 'audit')) AS h(history, owner)
JOIN pg_class c ON c.oid = h.history
JOIN pg_namespace n ON n.oid = c.relnamespace;

-- Every partition of the history, with its month: [from_time, until); both null for a table's default partition.
CREATE OR REPLACE VIEW retention.partitions AS
SELECT h.history, h.owner, i.inhrelid::regclass AS partition, b[1]::timestamptz AS from_time,
       b[2]::timestamptz AS until
FROM retention.history_tables h
JOIN pg_inherits i ON i.inhparent = h.history
JOIN pg_class p ON p.oid = i.inhrelid
LEFT JOIN LATERAL regexp_match(pg_get_expr(p.relpartbound, p.oid), $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) b ON true;

-- The start of the oldest month a history table still holds: what began before it may have lost part of its
-- history to `transact archive`.
CREATE OR REPLACE FUNCTION retention.kept_from(p_history regclass) RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT min(p.from_time) FROM retention.partitions p WHERE p.history = p_history
$$;

-- Creates the month partitions (UTC) from p_from's month through p_through's that do not exist yet, for every
-- history table, and answers how many it made. `serve` runs it every hour for the three months ahead, so that the
-- default partitions stay empty (a partition cannot be made for a month whose rows are in the default one). One
-- process at a time (the others answer 0 at once), and it waits at most a second for the lock a new partition takes
-- on its table: writes queue behind that wait, and a month made ahead has many more chances.
CREATE OR REPLACE FUNCTION retention.add_partitions(p_from timestamptz, p_through timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    h record;
    month timestamp;
    name text;
    added integer := 0;
BEGIN
    IF NOT pg_try_advisory_xact_lock(x'72657465'::integer, x'6E74696F'::integer) THEN  -- "retentio"
        RETURN 0;
    END IF;
    PERFORM set_config('lock_timeout', '1s', true);
    FOR h IN SELECT * FROM retention.history_tables LOOP
        FOR month IN SELECT generate_series(date_trunc('month', p_from AT TIME ZONE 'UTC'),
                                            date_trunc('month', p_through AT TIME ZONE 'UTC'), interval '1 month')
        LOOP
            name := h.table_name || to_char(month, '"_p"YYYY_MM');
            IF to_regclass(format('%I.%I', h.schema_name, name)) IS NULL THEN
                EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', h.schema_name, name,
                               h.history, month AT TIME ZONE 'UTC', (month + interval '1 month') AT TIME ZONE 'UTC');
                added := added + 1;
            END IF;
        END LOOP;
    END LOOP;
    RETURN added;
END $$;

-- The start of the oldest UTC day `transact archive` keeps whatever it is told: p_retention_days before today,
-- and never fewer than the 30 days in which a client may still look a purchase up (API.md §6: older is 404). The
-- exceptions window (API.md §8: 7 business days, or a shorter confirmation window) lies inside those 30 days; an
-- exception still open blocks its month however old it is (retention.blockers).
CREATE OR REPLACE FUNCTION retention.kept_since(p_retention_days integer) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT (date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => greatest(p_retention_days, 30)))
           AT TIME ZONE 'UTC'
$$;

-- Why a history partition may not leave yet (at most p_limit reasons; none: it may). Its rows all belong to
-- purchases or messages that began before the partition's month ended, so:
-- - a purchase's history waits for every purchase opened before then to be settled: final, its transactResult
--   acknowledged (a result given up is an exception until support resends it), its reservation's fate known
--   (every such purchase has a job: Migrations/0009, 0018), and no reservation the bank never answered;
-- - a message's history waits for its month's callbacks still pending (a pending callback's body is read from its
--   status change);
-- - the audit log waits for nothing but the retention.
CREATE OR REPLACE FUNCTION retention.blockers(p_partition regclass, p_limit integer DEFAULT 5)
RETURNS SETOF text LANGUAGE plpgsql STABLE AS $$
DECLARE
    p retention.partitions;
BEGIN
    SELECT * INTO p FROM retention.partitions WHERE partition = p_partition;
    IF p.partition IS NULL OR p.until IS NULL THEN
        RETURN NEXT p_partition || ' is not a month of the history';
        RETURN;
    END IF;
    IF p.owner = 'purchase' THEN
        RETURN QUERY
        SELECT w.why FROM (
            SELECT t.created_at, 'purchase ' || t.raas_txn_ref || ' (opened ' || purchases.api_time(t.created_at) || ') '
                   || CASE j.stage
                          WHEN 'open' THEN 'is ' || t.state || ': its day is not settled'
                          WHEN 'lookup' THEN 'waits for the bank''s status lookup'
                          WHEN 'delivery' THEN CASE WHEN j.due_at IS NULL
                              THEN 'has its transactResult given up: an exception until support resends it'
                              ELSE 'has its transactResult not yet acknowledged' END
                      END AS why
            FROM purchases.jobs j JOIN purchases.transactions t ON t.raas_txn_ref = j.raas_txn_ref
            WHERE t.created_at < p.until
            UNION ALL
            SELECT t.created_at, 'purchase ' || t.raas_txn_ref || ' (opened ' || purchases.api_time(t.created_at)
                   || ') is an exception: the bank never answered reserveFunds nor a status lookup'
            FROM purchases.unanswered_reservations u
            JOIN purchases.transactions t ON t.raas_txn_ref = u.raas_txn_ref
            LEFT JOIN purchases.reservation_lookups l ON l.raas_txn_ref = u.raas_txn_ref
            WHERE u.created_at < p.until AND l.response_code IS NULL
        ) w ORDER BY w.created_at LIMIT p_limit;
    ELSIF p.owner = 'message' THEN
        RETURN QUERY
        SELECT 'message ' || c.notification_id || ' has its status callback ' || c.sequence || ' still pending'
        FROM notifications.callbacks c
        WHERE c.status = 'pending' AND c.changed_at >= p.from_time AND c.changed_at < p.until
        ORDER BY c.changed_at LIMIT p_limit;
    END IF;
END $$;

-- Takes one history partition out of its table, once its rows are exported (p_rows of them, checked under lock:
-- null when nothing was exported) and only if it may go (retention.blockers, its month wholly before p_before and
-- retention.kept_since): dropped, or with p_keep moved to the schema `archive` as <schema>_<partition>, a table of
-- its own for the operator to dump and drop. Waits at most a second for each lock (writes to the table queue behind
-- the wait for the table's; the caller tries again).
CREATE OR REPLACE FUNCTION retention.detach(
    p_partition regclass, p_before timestamptz, p_retention_days integer, p_rows bigint, p_keep boolean
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p retention.partitions;
    why text;
    counted bigint;
    schema_name text;
    table_name text;
BEGIN
    PERFORM set_config('lock_timeout', '1s', true);
    SELECT * INTO p FROM retention.partitions WHERE partition = p_partition;
    IF p.until IS NULL OR p.until > least(p_before, retention.kept_since(p_retention_days)) THEN
        RAISE EXCEPTION '% is not a month of the history wholly before % and the retention', p_partition, p_before
            USING ERRCODE = 'RT001';
    END IF;
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', p_partition);
    SELECT b INTO why FROM retention.blockers(p_partition, 1) b;
    IF why IS NOT NULL THEN
        RAISE EXCEPTION '% may not go yet: %', p_partition, why USING ERRCODE = 'RT002';
    END IF;
    IF p_rows IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM %s', p_partition) INTO counted;
        IF counted <> p_rows THEN
            RAISE EXCEPTION '% holds % rows, % were exported: export it again', p_partition, counted, p_rows
                USING ERRCODE = 'RT003';
        END IF;
    END IF;
    EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', p.history, p_partition);
    IF p_keep THEN
        SELECT n.nspname, c.relname INTO schema_name, table_name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = p_partition;
        EXECUTE format('ALTER TABLE %s SET SCHEMA archive', p_partition);
        EXECUTE format('ALTER TABLE archive.%I RENAME TO %I', table_name, schema_name || '_' || table_name);
    ELSE
        EXECUTE format('DROP TABLE %s', p_partition);
    END IF;
END $$;
