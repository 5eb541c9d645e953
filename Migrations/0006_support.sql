-- Support (API.md §8): search across clients, the whole story of a transaction, one more result delivery, the
-- exceptions to look at, the daily settlement file, an audit log of every support action, and the web console's
-- sessions.

CREATE SCHEMA support;

-- Search (GET /support/transactions): newest first, keyset-paginated on (created_at, raas_txn_ref). A search by an
-- exact identifier rides on its own index; every other filter (client, vendor, product, status) rides on the time
-- index within a bounded time range. The indexes hold only columns fixed at creation, so a purchase's later steps
-- stay HOT where they were.
CREATE INDEX transactions_by_time ON purchases.transactions (created_at, raas_txn_ref);
CREATE INDEX transactions_by_client_time ON purchases.transactions (client_id, created_at, raas_txn_ref);
CREATE INDEX transactions_by_buyer_time ON purchases.transactions (source_identifier, created_at, raas_txn_ref);
CREATE INDEX transactions_by_recipient_time ON purchases.transactions (target_identifier, created_at, raas_txn_ref);
CREATE INDEX transactions_by_client_txn_ref ON purchases.transactions (client_txn_ref);
-- The transactions still on their way (few at any time): a search for PENDING ones reads only them.
CREATE INDEX transactions_pending_by_time ON purchases.transactions (created_at, raas_txn_ref) WHERE final_at IS NULL;

-- Who did what, when and from where: every support call and console action. Append-only.
CREATE TABLE support.audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_client_id bigint NOT NULL,
    channel text NOT NULL CHECK (channel IN ('api', 'console')),
    action text NOT NULL CHECK (length(action) <= 100),
    target text CHECK (length(target) <= 200),
    detail text CHECK (length(detail) <= 1000),
    remote_address text CHECK (length(remote_address) <= 100),
    request_id text CHECK (length(request_id) <= 100)
);

CREATE INDEX audit_log_by_time ON support.audit_log (at);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON support.audit_log
    FOR EACH ROW EXECUTE FUNCTION notifications.refuse_rewrite();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON support.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION notifications.refuse_rewrite();

-- The console's sessions: the cookie holds a random token; only its SHA-256 is stored. Each session has its own
-- CSRF token for its forms, an idle expiry that every request pushes on, and an absolute one.
CREATE TABLE support.console_sessions (
    token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    client_id bigint NOT NULL,
    csrf_token text NOT NULL CHECK (length(csrf_token) BETWEEN 32 AND 128),
    created_at timestamptz NOT NULL DEFAULT now(),
    idle_expires_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    remote_address text CHECK (length(remote_address) <= 100)
);

CREATE INDEX console_sessions_expiry ON support.console_sessions (expires_at);

-- The moment n business days (weekends and p_holidays excluded) after p_from, at the same time of day (UTC).
CREATE FUNCTION support.add_business_days(p_from timestamptz, p_days integer, p_holidays date[])
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
CREATE FUNCTION support.resend_result(p_raas_txn_ref uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM purchases.transactions WHERE raas_txn_ref = p_raas_txn_ref) THEN
        RETURN 'not_found';
    END IF;
    UPDATE purchases.result_deliveries SET status = 'pending' WHERE raas_txn_ref = p_raas_txn_ref;
    IF NOT FOUND THEN
        RETURN 'no_result';
    END IF;
    PERFORM purchases.add_job(p_raas_txn_ref, 'deliver_result');
    RETURN 'queued';
END $$;

-- What support should look at, newest first (at most p_limit): results not acknowledged within the funding
-- source's confirmation window or 7 business days, whichever ends first (given up included); reservations whose
-- outcome at the bank is still unknown (no answer to reserveFunds, and no answer to any status lookup); vendor
-- confirmations that contradict a final transaction.
CREATE FUNCTION support.exceptions(p_holidays date[], p_limit integer)
RETURNS TABLE (kind text, raas_txn_ref uuid, client_id bigint, since timestamptz, detail text)
LANGUAGE sql STABLE AS $$
    (SELECT 'unacknowledged_result', d.raas_txn_ref, t.client_id, d.created_at,
            d.status || ' after ' || d.attempts || ' attempt(s)' || coalesce(': ' || d.last_outcome, '')
     FROM purchases.result_deliveries d
     JOIN purchases.transactions t ON t.raas_txn_ref = d.raas_txn_ref
     LEFT JOIN catalogue.funding_sources f ON f.funding_source_id = t.funding_source_id
     WHERE d.status <> 'acknowledged'
       AND now() >= least(d.created_at + make_interval(secs => coalesce(f.confirmation_window_seconds, 604800)),
                          support.add_business_days(d.created_at, 7, p_holidays)))
    UNION ALL
    (SELECT 'unknown_reservation', t.raas_txn_ref, t.client_id, t.created_at,
            'the bank never answered reserveFunds' || CASE WHEN l.raas_txn_ref IS NULL THEN ', nor a status lookup'
                                                           ELSE '' END
     FROM purchases.transactions t
     LEFT JOIN purchases.reservation_lookups l ON l.raas_txn_ref = t.raas_txn_ref
     WHERE t.reserve_funds_response_code = '2060' AND l.response_code IS NULL)
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
CREATE FUNCTION support.settlement(p_date date, p_client_id bigint, p_vendor_id bigint)
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

-- Finds resolutions by time for the settlement file.
CREATE INDEX transfers_resolutions_by_time ON ledger.transfers (created_at) WHERE kind IN ('post', 'void');

-- The notifications sent about a transaction (the token SMS), for its story.
CREATE INDEX messages_by_transaction ON notifications.messages (transaction_ref) WHERE transaction_ref IS NOT NULL;

-- Reservations the bank never answered, for the exceptions (rare rows: a small index).
CREATE INDEX transactions_unanswered_reservations ON purchases.transactions (created_at)
    WHERE reserve_funds_response_code = '2060';
