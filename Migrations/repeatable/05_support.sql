-- Support (API.md §8): business days, one more result delivery, the exceptions, the daily settlement file, and the
-- audit log kept as history. The tables are in Migrations/0006_support.sql.
--
-- A repeatable file (DESIGN.md §4): `transact migrate` re-applies the whole set, in file order, after the numbered
-- migrations, whenever any of it changed (or a migration was applied), in one transaction. Everything here is
-- CREATE OR REPLACE; a change of a function's arguments or result, or an object that goes, needs a numbered migration
-- that drops it first.

-- The moment n business days (weekends and p_holidays excluded) after p_from, at the same time of day (UTC).
CREATE OR REPLACE FUNCTION support.add_business_days(p_from timestamptz, p_days integer, p_holidays date[])
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
    SELECT p_from + make_interval(days => (
        SELECT d.n FROM (
            SELECT n, sum(CASE WHEN extract(isodow FROM (p_from AT TIME ZONE 'UTC')::date + n) < 6
                                    AND NOT ((p_from AT TIME ZONE 'UTC')::date + n = ANY (coalesce(p_holidays, '{}')))
                               THEN 1 ELSE 0 END) OVER (ORDER BY n) AS counted
            FROM generate_series(1, p_days * 3 + 30) AS n
        ) d WHERE d.counted = p_days ORDER BY d.n LIMIT 1))
$$;

-- Queues one more delivery of a transaction's transactResult. Answers queued, not_found, or no_result (the
-- transaction has no result to deliver: it reserved nothing, or is not final yet).
CREATE OR REPLACE FUNCTION support.resend_result(p_raas_txn_ref uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    -- The purchase's jobs are locked first, as every change of a purchase does (purchases.lock).
    IF (purchases.lock(p_raas_txn_ref)).raas_txn_ref IS NULL THEN
        RETURN 'not_found';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM purchases.transactions
                   WHERE raas_txn_ref = p_raas_txn_ref AND result_recipient IS NOT NULL) THEN
        RETURN 'no_result';
    END IF;
    PERFORM purchases.add_job(p_raas_txn_ref, 'deliver_result');
    RETURN 'queued';
END $$;

-- What support should look at, newest first (at most p_limit): results not acknowledged within the funding
-- source's confirmation window or 7 business days, whichever ends first (given up included); reservations whose
-- outcome at the bank is still unknown (no answer to reserveFunds, and no answer to any status lookup); vendor
-- confirmations that contradict a final transaction.
CREATE OR REPLACE FUNCTION support.exceptions(p_holidays date[], p_limit integer)
RETURNS TABLE (kind text, raas_txn_ref uuid, client_id bigint, since timestamptz, detail text)
LANGUAGE sql STABLE AS $$
    -- A result not acknowledged has its delivery job (due, or never due once given up): the jobs are few, the
    -- purchases many.
    (SELECT 'unacknowledged_result', t.raas_txn_ref, t.client_id, t.final_at,
            d.status || ' after ' || d.attempts || ' attempt(s)' || coalesce(': ' || d.last_outcome, '')
     FROM purchases.jobs j
     JOIN purchases.transactions t ON t.raas_txn_ref = j.raas_txn_ref
     JOIN purchases.result_deliveries d ON d.raas_txn_ref = j.raas_txn_ref
     LEFT JOIN catalogue.funding_sources f ON f.funding_source_id = t.funding_source_id
     WHERE j.stage = 'delivery'
       AND now() >= least(t.final_at + make_interval(secs => coalesce(f.confirmation_window_seconds, 604800)),
                          support.add_business_days(t.final_at, 7, p_holidays)))
    UNION ALL
    (SELECT 'unknown_reservation', t.raas_txn_ref, t.client_id, t.created_at,
            'the bank never answered reserveFunds' || CASE WHEN l.raas_txn_ref IS NULL THEN ', nor a status lookup'
                                                           ELSE '' END
     FROM purchases.unanswered_reservations u
     JOIN purchases.transactions t ON t.raas_txn_ref = u.raas_txn_ref
     LEFT JOIN purchases.reservation_lookups l ON l.raas_txn_ref = t.raas_txn_ref
     WHERE l.response_code IS NULL)
    UNION ALL
    (SELECT 'vendor_conflict', c.raas_txn_ref, t.client_id, c.received_at,
            'the vendor confirmed ' || c.vend_reference || ' with ' || c.response_code || ' but the transaction is '
            || t.state
     FROM purchases.vendor_conflicts c
     JOIN purchases.transactions t ON t.raas_txn_ref = c.raas_txn_ref)
    ORDER BY 4 DESC
    LIMIT p_limit
$$;

-- The daily settlement file (API.md §8): every purchase whose ledger transfer was posted on p_date (UTC), with its
-- breakdown and what it moved on each account. Filtered by client or vendor when given.
CREATE OR REPLACE FUNCTION support.settlement(p_date date, p_client_id bigint, p_vendor_id bigint)
RETURNS TABLE (
    raas_txn_ref uuid, client_txn_ref text, client_id bigint, vendor_id bigint, product_id bigint, currency_code text,
    purchase_amount bigint, fee_amount bigint, reserve_amount bigint, client_share_amount bigint,
    vendor_share_amount bigint, settlement_amount bigint, vendor_owed bigint, revenue bigint, posted_at timestamptz
) LANGUAGE sql STABLE AS $$
    SELECT t.raas_txn_ref, t.client_txn_ref, t.client_id, t.vendor_id, t.product_id, t.currency_code,
           t.purchase_amount, coalesce(t.fee_amount, 0), t.reserve_amount, t.client_share_amount, t.vendor_share_amount,
           t.settlement_amount, t.vend_amount - t.vendor_share_amount,
           t.settlement_amount - (t.vend_amount - t.vendor_share_amount), p.created_at
    FROM ledger.transfers p
    JOIN purchases.transactions t ON t.raas_txn_ref = p.pending_id
    WHERE p.kind = 'post' AND p.description LIKE 'purchase %'
      AND p.created_at >= p_date::timestamp AT TIME ZONE 'UTC'
      AND p.created_at < (p_date + 1)::timestamp AT TIME ZONE 'UTC'
      AND (p_client_id IS NULL OR t.client_id = p_client_id)
      AND (p_vendor_id IS NULL OR t.vendor_id = p_vendor_id)
    ORDER BY p.created_at, t.raas_txn_ref
$$;

CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON support.audit_log
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite('PU002');

CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON support.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_rewrite('PU002');
