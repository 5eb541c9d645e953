-- Notifications (API.md §7): accepting a message, the send and callback outboxes, volume limits and messaging
-- credit. The tables are in Migrations/0005_notifications.sql.
--
-- A repeatable file (DESIGN.md §4): `transact migrate` re-applies the whole set, in file order, after the numbered
-- migrations, whenever any of it changed (or a migration was applied), in one transaction. Everything here is
-- CREATE OR REPLACE; a change of a function's arguments or result, or an object that goes, needs a numbered migration
-- that drops it first.

CREATE OR REPLACE TRIGGER status_changes_append_only BEFORE UPDATE OR DELETE ON notifications.status_changes
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite('PU002');

-- The first day of the UTC day or month a volume counter counts now.
CREATE OR REPLACE FUNCTION notifications.period_start(p_period text) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT CASE p_period WHEN 'day' THEN (now() AT TIME ZONE 'UTC')::date
                         ELSE date_trunc('month', now() AT TIME ZONE 'UTC')::date END
$$;

-- The statuses a supplier (a channel) may report; the others only the service decides.
CREATE OR REPLACE FUNCTION notifications.reported_by_supplier(p_code integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT p_code NOT IN (1, 2, 3, 20, 21, 22, 25, 26, 27, 28)
$$;

-- The ledger transfers of a message's charge and of its refund: ids derived from the message, so a repeat is
-- recognised. STABLE, as jsonb_build_object is (see purchases.resolution).
CREATE OR REPLACE FUNCTION notifications.charge_op(p_id uuid, p_account text, p_price bigint, p_refund boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'op', 'single',
        'id', md5(CASE WHEN p_refund THEN 'notification-refund:' ELSE 'notification-charge:' END || p_id)::uuid,
        'accounts', CASE WHEN p_refund
                         THEN jsonb_build_array('revenue:messaging:' || right(p_account, 3), p_account)
                         ELSE jsonb_build_array(p_account, 'revenue:messaging:' || right(p_account, 3)) END,
        'amounts', jsonb_build_array(p_price, -p_price),
        'description', CASE WHEN p_refund THEN 'refund of notification ' ELSE 'notification ' END || p_id)
$$;

-- Gives a message's charge back, once: marks it refunded and returns the ledger operations to book (none when it
-- was free or is refunded already). For a message that never reached the supplier.
CREATE OR REPLACE FUNCTION notifications.refund(p_id uuid) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    charged record;
BEGIN
    UPDATE notifications.messages x SET refunded = true
    WHERE x.notification_id = p_id AND x.price > 0 AND NOT x.refunded
    RETURNING x.charged_account, x.price INTO charged;
    IF NOT FOUND THEN
        RETURN '[]';
    END IF;
    RETURN jsonb_build_array(notifications.charge_op(p_id, charged.charged_account, charged.price, true));
END $$;

-- Books ledger operations at once; a refusal fails the statement.
CREATE OR REPLACE FUNCTION notifications.book(p_ops jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    refused record;
BEGIN
    IF jsonb_array_length(p_ops) = 0 THEN
        RETURN;
    END IF;
    SELECT * INTO refused FROM ledger.create_transfers(p_ops) r WHERE r.error_code IS NOT NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger refused a notification charge: %', refused.error_message USING ERRCODE = refused.error_code;
    END IF;
END $$;

-- Enters statuses, in order, for several messages at once: the message takes the last, each is recorded in its
-- history, and each is queued for the client's callback URL when it has one. Items: {notification_id, codes (may be
-- empty: then only the reference and the end of sending are recorded), cause, supplier_reference (optional),
-- done_sending (nothing more to send)}. The callers hold the rows' locks.
CREATE OR REPLACE FUNCTION notifications.enter_statuses(p_changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    queued integer;
BEGIN
    WITH change AS (
        SELECT c.notification_id, c.codes, c.cause, c.supplier_reference, coalesce(c.done_sending, false) AS done_sending
        FROM jsonb_to_recordset(p_changes)
            AS c(notification_id uuid, codes integer[], cause text, supplier_reference text, done_sending boolean)
    ), moved AS (
        UPDATE notifications.messages m
        SET status_code = coalesce(c.codes[cardinality(c.codes)], m.status_code),
            status_sequence = m.status_sequence + cardinality(c.codes),
            supplier_reference = coalesce(c.supplier_reference, m.supplier_reference),
            send_due_at = CASE WHEN c.done_sending THEN NULL ELSE m.send_due_at END,
            send_lease_token = CASE WHEN c.done_sending THEN NULL ELSE m.send_lease_token END,
            updated_at = now()
        FROM change c
        WHERE m.notification_id = c.notification_id
        RETURNING m.notification_id, m.client_id, m.status_sequence - cardinality(c.codes) AS previous, c.codes, c.cause
    ), history AS (
        INSERT INTO notifications.status_changes (notification_id, sequence, status_code, cause)
        SELECT moved.notification_id, moved.previous + s.n, s.code, left(moved.cause, 300)
        FROM moved CROSS JOIN LATERAL unnest(moved.codes) WITH ORDINALITY AS s(code, n)
        RETURNING notification_id, sequence, changed_at
    ), pushed AS (
        INSERT INTO notifications.callbacks (notification_id, sequence, changed_at, client_id)
        SELECT h.notification_id, h.sequence, h.changed_at, moved.client_id
        FROM history h JOIN moved ON moved.notification_id = h.notification_id
        WHERE EXISTS (SELECT 1 FROM catalogue.clients c
                      WHERE c.client_id = moved.client_id AND c.notification_callback_url IS NOT NULL)
        RETURNING 1
    )
    SELECT count(*) INTO queued FROM pushed;
    IF queued > 0 THEN
        PERFORM pg_notify('notification_work', 'callback');
    END IF;
END $$;

-- One item of notifications.enter_statuses: a message ends with p_code, nothing more to send.
CREATE OR REPLACE FUNCTION notifications.ending(p_id uuid, p_code integer, p_cause text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('notification_id', p_id, 'codes', jsonb_build_array(p_code), 'cause', left(p_cause, 300),
                              'done_sending', true)
$$;

CREATE OR REPLACE FUNCTION notifications.accept(p jsonb) RETURNS notifications.accept_result LANGUAGE plpgsql AS $$
DECLARE
    m notifications.messages;
    result notifications.accept_result;
BEGIN
    m := jsonb_populate_record(NULL::notifications.messages, p);
    IF NOT EXISTS (SELECT 1 FROM catalogue.clients c
                   WHERE c.client_id = m.client_id AND m.channel_id = ANY (c.notification_channels)) THEN
        RETURN ('channel_not_configured', NULL, NULL, NULL)::notifications.accept_result;
    END IF;
    m.origin := coalesce(m.origin, 'api');
    m.status_code := CASE WHEN m.scheduled_at > now() THEN 3 ELSE 2 END;
    m.status_sequence := 1;
    m.price := NULL;
    m.charged_account := NULL;
    m.refunded := false;
    m.send_due_at := greatest(coalesce(m.scheduled_at, now()), now());
    m.send_lease_token := NULL;
    m.send_attempts := 0;
    m.created_at := now();
    m.updated_at := now();
    INSERT INTO notifications.messages SELECT m.*
    ON CONFLICT ON CONSTRAINT one_per_client_notification_reference DO NOTHING;
    IF NOT FOUND THEN
        SELECT 'existing', x.notification_id, x.client_notification_ref, x.status_code INTO result
        FROM notifications.messages x
        WHERE x.client_id = m.client_id AND x.client_notification_ref = m.client_notification_ref;
        RETURN result;
    END IF;
    INSERT INTO notifications.status_changes (notification_id, sequence, status_code, cause)
    VALUES (m.notification_id, 1, m.status_code,
            CASE WHEN m.status_code = 3 THEN 'accepted, to be sent at ' || m.scheduled_at ELSE 'accepted' END);
    IF m.status_code = 2 THEN
        PERFORM pg_notify('notification_work', 'send');
    END IF;
    RETURN ('created', m.notification_id, m.client_notification_ref, m.status_code)::notifications.accept_result;
END $$;

CREATE OR REPLACE FUNCTION notifications.claim_sends(p_limit integer, p_lease_seconds integer)
RETURNS SETOF notifications.send_claim LANGUAGE plpgsql AS $$
DECLARE
    batch notifications.messages[];
    m record;
    claim notifications.send_claim;
    claims jsonb := '[]';
    ended jsonb := '[]';
    ops jsonb := '[]';
    counted jsonb := '{}';    -- "<client>:<channel>:day|month" -> messages counted so far (this batch included)
    available jsonb := '{}';  -- messaging account code -> credit left (this batch's charges taken)
    day_key text;
    month_key text;
    price bigint;
BEGIN
    IF p_limit > 100 THEN
        RAISE EXCEPTION 'a claim takes at most 100 messages' USING ERRCODE = '22023';
    END IF;
    -- The batch's messages, held in a variable: no table of the session, which a pooler in transaction mode would
    -- hand from one client to the next (issue 15). Their clients' limits and prices are read beside them.
    SELECT array_agg(due.x ORDER BY (due.x).send_due_at, (due.x).notification_id) INTO batch
    FROM (SELECT x FROM notifications.messages x WHERE x.send_due_at <= now() AND x.status_code IN (2, 3)
          ORDER BY x.send_due_at LIMIT p_limit FOR UPDATE SKIP LOCKED) due;
    IF batch IS NULL THEN
        RETURN;
    END IF;

    -- The counters and the credit of the batch's first-time messages, locked in one order (counters by key, then
    -- accounts by id, as the ledger locks them) so that concurrent claims never wait for each other in a circle.
    INSERT INTO notifications.volumes (client_id, channel_id, period, period_start)
    SELECT DISTINCT x.client_id, x.channel_id, p.period, notifications.period_start(p.period)
    FROM unnest(batch) x CROSS JOIN (VALUES ('day'), ('month')) p(period)
    WHERE x.price IS NULL
    ON CONFLICT DO NOTHING;
    SELECT coalesce(jsonb_object_agg(v.client_id || ':' || v.channel_id || ':' || v.period, v.sent), '{}') INTO counted
    FROM (SELECT * FROM notifications.volumes v
          WHERE (v.client_id, v.channel_id) IN (SELECT x.client_id, x.channel_id FROM unnest(batch) x
                                                WHERE x.price IS NULL)
            AND v.period_start = notifications.period_start(v.period)
          ORDER BY v.client_id, v.channel_id, v.period
          FOR UPDATE) v;
    PERFORM ledger.create_account('revenue:messaging:' || cur, cur, 'revenue')
    FROM (SELECT DISTINCT c.messaging_currency AS cur FROM unnest(batch) x
          JOIN catalogue.clients c ON c.client_id = x.client_id
          WHERE c.messaging_currency IS NOT NULL AND x.price IS NULL) currencies
    WHERE NOT EXISTS (SELECT 1 FROM ledger.accounts a WHERE a.code = 'revenue:messaging:' || cur);
    SELECT coalesce(jsonb_object_agg(a.code, a.posted_credits - a.posted_debits - a.pending_debits), '{}') INTO available
    FROM (SELECT * FROM ledger.accounts a
          WHERE a.code IN (SELECT unnest(ARRAY[c.messaging_account_code, 'revenue:messaging:' || c.messaging_currency])
                           FROM unnest(batch) x JOIN catalogue.clients c ON c.client_id = x.client_id
                           WHERE x.price IS NULL)
          ORDER BY a.id FOR NO KEY UPDATE) a;

    FOR m IN SELECT x.*, c.notification_daily_limit, c.notification_monthly_limit, c.message_prices,
                    c.messaging_account_code, c.messaging_currency
             FROM unnest(batch) WITH ORDINALITY x LEFT JOIN catalogue.clients c ON c.client_id = x.client_id
             ORDER BY x.ordinality LOOP
        IF m.valid_until IS NOT NULL AND m.valid_until <= now() THEN
            ended := ended || notifications.ending(m.notification_id, 20, 'not sent before validUntil');
            ops := ops || notifications.refund(m.notification_id);
            CONTINUE;
        END IF;
        price := m.price;
        IF price IS NULL THEN
            day_key := m.client_id || ':' || m.channel_id || ':day';
            month_key := m.client_id || ':' || m.channel_id || ':month';
            IF m.notification_daily_limit IS NOT NULL AND (counted->>day_key)::integer >= m.notification_daily_limit THEN
                ended := ended || notifications.ending(m.notification_id, 27, 'the daily volume limit of the channel is reached');
                CONTINUE;
            END IF;
            IF m.notification_monthly_limit IS NOT NULL AND (counted->>month_key)::integer >= m.notification_monthly_limit THEN
                ended := ended || notifications.ending(m.notification_id, 28, 'the monthly volume limit of the channel is reached');
                CONTINUE;
            END IF;
            price := coalesce((m.message_prices->>m.channel_id::text)::bigint, 0);
            IF price > 0 THEN
                IF m.messaging_account_code IS NULL OR coalesce((available->>m.messaging_account_code)::bigint, 0) < price THEN
                    ended := ended || notifications.ending(m.notification_id, 25, 'the messaging credit cannot pay for the message');
                    CONTINUE;
                END IF;
                available := available || jsonb_build_object(
                    m.messaging_account_code, (available->>m.messaging_account_code)::bigint - price);
                ops := ops || notifications.charge_op(m.notification_id, m.messaging_account_code, price, false);
            END IF;
            counted := counted || jsonb_build_object(day_key, (counted->>day_key)::integer + 1,
                                               month_key, (counted->>month_key)::integer + 1);
        END IF;
        claim := (m.notification_id, gen_random_uuid(), m.channel_id, m.destination_identifier, m.message,
                  m.send_attempts + 1, m.trace_parent);
        claims := claims || jsonb_build_object(
            'notification_id', claim.notification_id, 'lease_token', claim.lease_token, 'price', price,
            'account', CASE WHEN price > 0 THEN coalesce(m.charged_account, m.messaging_account_code) END);
        RETURN NEXT claim;
    END LOOP;

    UPDATE notifications.messages x
    SET send_lease_token = c.lease_token, send_due_at = now() + make_interval(secs => p_lease_seconds),
        send_attempts = x.send_attempts + 1, price = c.price, charged_account = c.account, updated_at = now()
    FROM jsonb_to_recordset(claims) AS c(notification_id uuid, lease_token uuid, price bigint, account text)
    WHERE x.notification_id = c.notification_id;
    UPDATE notifications.volumes v SET sent = (counted->>(v.client_id || ':' || v.channel_id || ':' || v.period))::integer
    WHERE counted ? (v.client_id || ':' || v.channel_id || ':' || v.period)
      AND v.period_start = notifications.period_start(v.period)
      AND v.sent IS DISTINCT FROM (counted->>(v.client_id || ':' || v.channel_id || ':' || v.period))::integer;
    PERFORM notifications.book(ops);
    PERFORM notifications.enter_statuses(ended);
END $$;

-- Records what the channels said about claimed messages, for a batch at once. Items: {notification_id,
-- lease_token, outcome (accepted | refused | retryable), supplier_reference, codes (the statuses reported, in
-- order), reason, retry_delay_ms, max_attempts}. A report whose lease was lost changes nothing. Returns how many
-- reports were recorded.
CREATE OR REPLACE FUNCTION notifications.record_sends(p_reports jsonb) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    r record;
    changes jsonb := '[]';
    ops jsonb := '[]';
    recorded integer := 0;
BEGIN
    FOR r IN
        SELECT rep.*, m.status_code, m.send_attempts, m.valid_until
        FROM jsonb_to_recordset(p_reports) AS rep(
            notification_id uuid, lease_token uuid, outcome text, supplier_reference text, codes integer[], reason text,
            retry_delay_ms integer, max_attempts integer)
        JOIN notifications.messages m ON m.notification_id = rep.notification_id AND m.send_lease_token = rep.lease_token
        ORDER BY rep.notification_id
        FOR UPDATE OF m
    LOOP
        recorded := recorded + 1;
        IF r.outcome = 'accepted' THEN
            -- A delivery receipt may have overtaken this report: the statuses it already moved past are not entered again.
            changes := changes || jsonb_build_object(
                'notification_id', r.notification_id,
                'codes', CASE WHEN r.status_code IN (2, 3) THEN to_jsonb(r.codes)
                              WHEN r.status_code = 4 THEN to_jsonb(array_remove(r.codes, 4))
                              ELSE '[]' END,
                'cause', 'sent to the supplier', 'supplier_reference', r.supplier_reference, 'done_sending', true);
        ELSIF r.outcome = 'refused' OR r.send_attempts >= r.max_attempts THEN
            changes := changes || notifications.ending(
                r.notification_id, CASE WHEN r.outcome = 'refused' THEN r.codes[1] ELSE 23 END,
                CASE WHEN r.outcome = 'refused' THEN 'the supplier refused it: '
                     ELSE 'no supplier could be reached after ' || r.send_attempts || ' attempts: ' END
                || coalesce(r.reason, ''));
            ops := ops || notifications.refund(r.notification_id);
        ELSE
            -- Retry later, but never later than the message's expiry, which then ends it at its time.
            UPDATE notifications.messages
            SET send_lease_token = NULL,
                send_due_at = least(now() + make_interval(secs => r.retry_delay_ms / 1000.0), coalesce(r.valid_until, 'infinity'))
            WHERE notification_id = r.notification_id;
        END IF;
    END LOOP;
    PERFORM notifications.book(ops);
    PERFORM notifications.enter_statuses(changes);
    RETURN recorded;
END $$;

-- A delivery receipt from a channel's gateway: applied when it moves the message on (a message on its way takes any
-- status a supplier reports; a delivered one may still be read), ignored when it does not (a repeat, a receipt
-- overtaken by a later one). Answers applied, ignored or not_found.
CREATE OR REPLACE FUNCTION notifications.record_receipt(p_id uuid, p_supplier_reference text, p_code integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m notifications.messages;
BEGIN
    SELECT * INTO m FROM notifications.messages WHERE notification_id = p_id FOR UPDATE;
    IF NOT FOUND OR (m.supplier_reference IS NOT NULL AND m.supplier_reference <> p_supplier_reference) THEN
        RETURN 'not_found';
    END IF;
    IF NOT notifications.reported_by_supplier(p_code) OR m.status_code = p_code
        OR NOT (m.status_code IN (2, 3, 4) OR (m.status_code = 5 AND p_code = 6)) THEN
        RETURN 'ignored';
    END IF;
    -- A message must have been handed over before a receipt can speak of it. A receipt that overtakes the record of
    -- the hand-off (the gateway answered, but the worker has not yet written it down) says that the supplier has
    -- the message: SENT_TO_SUPPLIER is entered first, and the hand-off's own record then adds nothing.
    IF m.status_code IN (2, 3) AND m.send_lease_token IS NULL THEN
        RETURN 'ignored';
    END IF;
    PERFORM notifications.enter_statuses(jsonb_build_array(jsonb_build_object(
        'notification_id', p_id,
        'codes', CASE WHEN m.status_code IN (2, 3) AND p_code <> 4 THEN jsonb_build_array(4, p_code)
                      ELSE jsonb_build_array(p_code) END,
        'cause', 'delivery receipt', 'supplier_reference', p_supplier_reference, 'done_sending', true)));
    RETURN 'applied';
END $$;

CREATE OR REPLACE FUNCTION notifications.stop(p_id uuid, p_client_id bigint, p_code integer) RETURNS notifications.stop_result
LANGUAGE plpgsql AS $$
DECLARE
    m notifications.messages;
BEGIN
    IF p_code NOT IN (21, 22) THEN
        RAISE EXCEPTION 'a message is stopped with 21 or 22, not %', p_code USING ERRCODE = '22023';
    END IF;
    SELECT * INTO m FROM notifications.messages
    WHERE notification_id = p_id AND (p_client_id IS NULL OR client_id = p_client_id) FOR UPDATE;
    IF NOT FOUND THEN
        RETURN (false, false, NULL)::notifications.stop_result;
    END IF;
    IF m.status_code NOT IN (2, 3) OR m.send_due_at IS NULL
        OR (m.send_lease_token IS NOT NULL AND m.send_due_at > now()) THEN
        RETURN (true, false, m.status_code)::notifications.stop_result;
    END IF;
    PERFORM notifications.book(notifications.refund(p_id));
    PERFORM notifications.enter_statuses(jsonb_build_array(notifications.ending(
        p_id, p_code, CASE p_code WHEN 21 THEN 'stopped by the client' ELSE 'stopped by support' END)));
    RETURN (true, true, p_code)::notifications.stop_result;
END $$;

-- Claims up to p_limit callbacks due for delivery, each the earliest still undelivered of its message (so a client
-- hears of a message's statuses in order), under a lease. The body is made by the caller from these columns.
CREATE OR REPLACE FUNCTION notifications.claim_callbacks(p_limit integer, p_lease_seconds integer)
RETURNS TABLE (
    notification_id uuid, sequence integer, lease_token uuid, client_id bigint, client_notification_ref text,
    channel_id integer, destination_identifier text, transaction_ref text, status_code integer, changed_at timestamptz,
    attempts integer, trace_parent text
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT c.notification_id, c.sequence, c.changed_at FROM notifications.callbacks c
        JOIN notifications.messages m ON m.notification_id = c.notification_id
        WHERE c.status = 'pending' AND c.due_at <= now()
          AND NOT EXISTS (SELECT 1 FROM notifications.callbacks e
                          WHERE e.notification_id = c.notification_id AND e.sequence < c.sequence
                            AND e.changed_at >= retention.written_since(m.created_at) AND e.status = 'pending')
        ORDER BY c.due_at
        LIMIT p_limit
        FOR UPDATE OF c SKIP LOCKED
    ), leased AS (
        UPDATE notifications.callbacks c
        SET lease_token = gen_random_uuid(), due_at = now() + make_interval(secs => p_lease_seconds),
            attempts = c.attempts + 1
        FROM due
        WHERE c.notification_id = due.notification_id AND c.sequence = due.sequence AND c.changed_at = due.changed_at
        RETURNING c.notification_id, c.sequence, c.changed_at, c.lease_token, c.client_id, c.attempts
    )
    SELECT l.notification_id, l.sequence, l.lease_token, l.client_id, m.client_notification_ref, m.channel_id,
           m.destination_identifier, m.transaction_ref, s.status_code, s.changed_at, l.attempts, m.trace_parent
    FROM leased l
    JOIN notifications.messages m ON m.notification_id = l.notification_id
    JOIN notifications.status_changes s
      ON s.notification_id = l.notification_id AND s.sequence = l.sequence AND s.changed_at = l.changed_at;
END $$;

-- Records callback deliveries for a batch: {notification_id, sequence, lease_token, acknowledged, outcome,
-- retry_delay_ms, max_attempts}. Unacknowledged ones come due again after their delay, until max_attempts.
CREATE OR REPLACE FUNCTION notifications.record_callbacks(p_reports jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    acknowledged_count integer;
BEGIN
    UPDATE notifications.callbacks c
    SET status = CASE WHEN r.acknowledged THEN 'acknowledged'
                      WHEN c.attempts >= r.max_attempts THEN 'gave_up' ELSE 'pending' END,
        acknowledged_at = CASE WHEN r.acknowledged THEN now() END,
        due_at = CASE WHEN r.acknowledged THEN c.due_at ELSE now() + make_interval(secs => r.retry_delay_ms / 1000.0) END,
        lease_token = NULL, last_outcome = left(r.outcome, 300), last_attempt_at = now()
    FROM jsonb_to_recordset(p_reports) AS r(
        notification_id uuid, sequence integer, lease_token uuid, acknowledged boolean, outcome text,
        retry_delay_ms integer, max_attempts integer)
    JOIN notifications.messages m ON m.notification_id = r.notification_id
    WHERE c.notification_id = r.notification_id AND c.sequence = r.sequence AND c.lease_token = r.lease_token
      AND c.changed_at >= retention.written_since(m.created_at);
    -- An acknowledged callback frees the next of its message at once.
    SELECT count(*) INTO acknowledged_count FROM jsonb_to_recordset(p_reports) AS r(acknowledged boolean) WHERE r.acknowledged;
    IF acknowledged_count > 0 THEN
        PERFORM pg_notify('notification_work', 'callback');
    END IF;
END $$;

-- A successful token purchase of a client with autoNotifyTokens sends the token by SMS, once, in the transaction
-- that makes the purchase successful: to the recipient when the product's target is an MSISDN, else to the buyer.
CREATE OR REPLACE FUNCTION notifications.send_purchase_token() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    product record;
    destination text;
BEGIN
    IF NEW.client_txn_ref LIKE 'chat-2-pay/%'  -- a product bought by chat: chat2pay.send_purchase_token sends it
       OR NOT EXISTS (SELECT 1 FROM catalogue.clients c
                      WHERE c.client_id = NEW.client_id AND c.auto_notify_tokens AND 6 = ANY (c.notification_channels)) THEN
        RETURN NULL;
    END IF;
    SELECT p.short_description, p.target_identifier_kind INTO product FROM catalogue.products p
    WHERE p.product_id = NEW.product_id;
    destination := CASE WHEN product.target_identifier_kind = 'msisdn' THEN NEW.target_identifier
                        ELSE NEW.source_identifier END;
    IF destination !~ '^[0-9]{8,15}$' THEN
        RETURN NULL;
    END IF;
    PERFORM notifications.accept(jsonb_build_object(
        'notification_id', gen_random_uuid(), 'client_id', NEW.client_id,
        'client_notification_ref', 'token/' || NEW.raas_txn_ref, 'origin', 'token_purchase', 'channel_id', 6,
        'destination_identifier', destination,
        'message', left(coalesce(product.short_description, 'Purchase') || ' token: ' || NEW.token
                        || CASE WHEN NEW.account_identifier IS NOT NULL OR product.target_identifier_kind = 'account'
                                THEN ' for ' || NEW.target_identifier ELSE '' END
                        || '. Ref ' || NEW.client_txn_ref, 1600),
        'source_identifier', NEW.source_identifier, 'transaction_ref', NEW.raas_txn_ref::text,
        'trace_parent', NEW.trace_parent));
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER transactions_send_token AFTER UPDATE OF state ON purchases.transactions
    FOR EACH ROW WHEN (NEW.state = 'success' AND OLD.state IS DISTINCT FROM NEW.state AND NEW.token IS NOT NULL)
    EXECUTE FUNCTION notifications.send_purchase_token();

-- The notification invariants checked by `transact verify`, one line per broken one.
CREATE OR REPLACE FUNCTION notifications.invariant_violations() RETURNS SETOF text LANGUAGE sql STABLE AS $$
    SELECT 'notification ' || m.notification_id || ' was charged but has no charge transfer'
    FROM notifications.messages m
    WHERE m.price > 0 AND NOT EXISTS (
        SELECT 1 FROM ledger.transfers t WHERE t.id = md5('notification-charge:' || m.notification_id)::uuid)
    UNION ALL
    SELECT 'notification ' || m.notification_id || ' is ' || CASE WHEN m.refunded THEN '' ELSE 'not ' END
           || 'refunded, but its refund transfer ' || CASE WHEN m.refunded THEN 'is missing' ELSE 'exists' END
    FROM notifications.messages m
    WHERE m.refunded <> EXISTS (
        SELECT 1 FROM ledger.transfers t WHERE t.id = md5('notification-refund:' || m.notification_id)::uuid)
    UNION ALL
    SELECT 'notification ' || m.notification_id || ' reached the supplier but was refunded'
    FROM notifications.messages m WHERE m.refunded AND m.supplier_reference IS NOT NULL
    UNION ALL
    SELECT 'notification ' || m.notification_id || ' is waiting (' || m.status_code || ') with nothing scheduled to send it'
    FROM notifications.messages m WHERE m.status_code IN (2, 3) AND m.send_due_at IS NULL
$$;

-- Adds prepaid messaging credit to a client (`transact clients topup`): the money received is booked as cash, and
-- what the service now owes the client in messages is the credit. A client without a messaging account gets one.
-- Returns the credit available afterwards. A repeat of p_transfer_id with the same content changes nothing.
CREATE OR REPLACE FUNCTION notifications.top_up(p_client_id bigint, p_currency text, p_amount bigint, p_transfer_id uuid)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    client catalogue.clients;
    account text;
BEGIN
    IF p_amount IS NULL OR p_amount <= 0 OR p_amount > 999999999999 THEN
        RAISE EXCEPTION 'a top-up is a positive amount of at most 12 digits' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO client FROM catalogue.clients WHERE client_id = p_client_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'client % does not exist', p_client_id USING ERRCODE = 'P0002';
    END IF;
    IF client.messaging_currency IS NOT NULL AND client.messaging_currency <> p_currency THEN
        RAISE EXCEPTION 'client %''s messaging credit is in %, not %', p_client_id, client.messaging_currency, p_currency
            USING ERRCODE = '22023';
    END IF;
    account := coalesce(client.messaging_account_code, 'client:' || p_client_id || ':messaging-credit:' || p_currency);
    PERFORM ledger.create_account(account, p_currency, 'liability', true, false);
    PERFORM ledger.create_account('cash:messaging-top-ups:' || p_currency, p_currency, 'asset');
    UPDATE catalogue.clients SET messaging_account_code = account, messaging_currency = p_currency, updated_at = now()
    WHERE client_id = p_client_id AND messaging_account_code IS NULL;
    PERFORM notifications.book(jsonb_build_array(jsonb_build_object(
        'op', 'single', 'id', p_transfer_id,
        'accounts', jsonb_build_array('cash:messaging-top-ups:' || p_currency, account),
        'amounts', jsonb_build_array(p_amount, -p_amount), 'description', 'messaging credit top-up')));
    RETURN (SELECT b.available FROM ledger.balances b WHERE b.code = account);
END $$;
