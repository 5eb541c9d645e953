-- Chat 2 Pay (API.md §12): payment requests, their page, the payment through the bank interfaces of §4, the ledger's
-- pending transfer, and the outbox of bank results and merchant callbacks. The tables are in
-- Migrations/0028_chat_2_pay.sql.
--
-- A request moves only along chat2pay.is_listed_move, each move recorded in chat2pay.status_changes and pushed to
-- the merchant (chat2pay.enter_status). The money: a submission of the page claims the payment (paying_since); the
-- bank's reserveFunds answer is recorded by chat2pay.record_authorisation — reserved: a pending transfer from the
-- funding source's receivable to the merchant's payable (AUTHORIZED), captured at once for a sale; declined: nothing
-- held; no answer: DECLINED and a failure transactResult so that the bank releases any hold. Capture posts the
-- transfer (in part: the rest released), reversal and expiry void it, each with the request's one transactResult.
--
-- A repeatable file (DESIGN.md §4): `transact migrate` re-applies the whole set, in file order, after the numbered
-- migrations, whenever any of it changed (or a migration was applied), in one transaction. Everything here is
-- CREATE OR REPLACE; a change of a function's arguments or result, or an object that goes, needs a numbered migration
-- that drops it first.

CREATE OR REPLACE TRIGGER status_changes_append_only BEFORE UPDATE OR DELETE ON chat2pay.status_changes
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite('CP001');

-- The moves a request may make. Link: received or sent → clicked, expired or cancelled; a sent link whose message
-- failed ends there (a new request is needed). Page: clicked → paid (authorised), declined, expired or cancelled.
-- Money: authorised → captured or reversed. A captured request may send its receipt, again when asked.
CREATE OR REPLACE FUNCTION chat2pay.is_listed_move(p_from integer, p_to integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (p_from, p_to) IN (
        (1, 4), (1, 5), (1, 19),
        (2, 3), (2, 4), (2, 5), (2, 19),
        (3, 19),
        (4, 6), (4, 7), (4, 9), (4, 19),
        (7, 8), (7, 10),
        (8, 20), (8, 21), (20, 20), (20, 21), (21, 20), (21, 21))
$$;

CREATE OR REPLACE FUNCTION chat2pay.status_name(p_status integer) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT s.name FROM chat2pay.statuses s WHERE s.status_id = p_status
$$;

-- An amount as the customer reads it: the currency and the minor units as a decimal with two places.
CREATE OR REPLACE FUNCTION chat2pay.money(p_currency text, p_amount bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT p_currency || ' ' || to_char(p_amount / 100.0, 'FM999999999999990.00')
$$;

-- What the merchant is told of a status change (API.md §12): built once, so every attempt sends these bytes.
CREATE OR REPLACE FUNCTION chat2pay.callback_body(r chat2pay.requests) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'orderNumber', r.order_number, 'paymentLinkRef', r.payment_link_ref,
        'transactionStatus', chat2pay.status_name(r.status_id), 'transactionStatusId', r.status_id,
        'timestamp', purchases.api_time(now()), 'currency', r.currency, 'totalAmount', r.total_amount,
        'channel', r.channel, 'to', r.recipient, 'additionalData', r.additional_data)::text
$$;

-- Records the request's current status as its latest change and queues the merchant's callback of it.
CREATE OR REPLACE FUNCTION chat2pay.record_status(r chat2pay.requests, p_cause text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO chat2pay.status_changes (payment_link_ref, sequence, status_id, cause)
    VALUES (r.payment_link_ref, r.status_sequence, r.status_id, left(p_cause, 300));
    IF EXISTS (SELECT 1 FROM chat2pay.merchants m WHERE m.client_id = r.client_id AND m.callback_url IS NOT NULL) THEN
        INSERT INTO chat2pay.deliveries (payment_link_ref, kind, sequence, body)
        VALUES (r.payment_link_ref, 'callback', r.status_sequence, chat2pay.callback_body(r));
        PERFORM pg_notify('chat2pay_work', 'callback');
    END IF;
END $$;

-- Moves a request (whose row the caller holds locked) to p_status, which must be a listed move from where it is.
CREATE OR REPLACE FUNCTION chat2pay.enter_status(p_ref uuid, p_status integer, p_cause text) RETURNS chat2pay.requests
LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests;
BEGIN
    UPDATE chat2pay.requests x SET status_id = p_status, status_sequence = x.status_sequence + 1, updated_at = now()
    WHERE x.payment_link_ref = p_ref AND chat2pay.is_listed_move(x.status_id, p_status)
    RETURNING x.* INTO r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'payment request % cannot move to %', p_ref, chat2pay.status_name(p_status) USING ERRCODE = 'CP002';
    END IF;
    PERFORM chat2pay.record_status(r, p_cause);
    RETURN r;
END $$;

-- What the creating call answers, and a repeat of it.
CREATE OR REPLACE FUNCTION chat2pay.answer(r chat2pay.requests) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'payment_link_ref', r.payment_link_ref, 'status_id', r.status_id, 'status', chat2pay.status_name(r.status_id),
        'created_at', purchases.api_time(r.created_at), 'return_payment_link', r.return_payment_link,
        'link_ttl_seconds', m.link_ttl_seconds, 'page_ttl_seconds', m.page_ttl_seconds)
    FROM chat2pay.merchants m WHERE m.client_id = r.client_id
$$;

-- Creates a payment request and queues its link's message, or answers the request already made under its order
-- number. p: the requests row's columns by name, and `link` (the URL the message carries, never stored here).
-- Answers {outcome: created | existing | conflict | not_enabled | funding_source_not_linked | currency_not_served |
-- product_not_found | channel_not_configured, ...chat2pay.answer}.
CREATE OR REPLACE FUNCTION chat2pay.create_request(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    m chat2pay.merchants;
    r chat2pay.requests;
    existing chat2pay.requests;
    -- Everything asked but the request's own time and what the service chose: a repeat carries the same.
    asked text := md5((p - 'requested_at' - 'payment_link_ref' - 'token_hash' - 'link' - 'trace_parent')::text);
    channel integer := CASE p->>'channel' WHEN 'sms' THEN 6 WHEN 'whatsapp' THEN 8 END;
    accepted notifications.accept_result;
BEGIN
    SELECT * INTO m FROM chat2pay.merchants WHERE client_id = (p->>'client_id')::bigint;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('outcome', 'not_enabled');
    END IF;
    SELECT * INTO existing FROM chat2pay.requests x WHERE x.client_id = m.client_id AND x.order_number = p->>'order_number';
    IF FOUND THEN
        RETURN jsonb_build_object('outcome', CASE WHEN existing.fingerprint = asked THEN 'existing' ELSE 'conflict' END)
            || chat2pay.answer(existing);
    END IF;
    -- A request that names no funding source is paid through the client's default one (API.md §3.2a).
    IF p->>'funding_source_id' IS NULL THEN
        p := p || jsonb_build_object('funding_source_id', (SELECT c.default_funding_source_id FROM catalogue.clients c
                                                           WHERE c.client_id = m.client_id));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM catalogue.client_funding_sources f
                   WHERE f.client_id = m.client_id AND f.funding_source_id = (p->>'funding_source_id')::bigint) THEN
        RETURN jsonb_build_object('outcome', 'funding_source_not_linked');
    END IF;
    -- A funding source serves the currency of the catalogue its clients buy from.
    IF NOT EXISTS (SELECT 1 FROM catalogue.client_products cp JOIN catalogue.products pr ON pr.product_id = cp.product_id
                   WHERE cp.client_id = m.client_id AND pr.currency_code = p->>'currency') THEN
        RETURN jsonb_build_object('outcome', 'currency_not_served');
    END IF;
    IF p->>'product_id' IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM catalogue.client_products cp JOIN catalogue.products pr ON pr.product_id = cp.product_id
        WHERE cp.client_id = m.client_id AND pr.product_id = (p->>'product_id')::bigint AND pr.currency_code = p->>'currency') THEN
        RETURN jsonb_build_object('outcome', 'product_not_found');
    END IF;
    IF channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM catalogue.clients c
                                           WHERE c.client_id = m.client_id AND channel = ANY (c.notification_channels)) THEN
        RETURN jsonb_build_object('outcome', 'channel_not_configured');
    END IF;
    -- A product is bought through the Transact flow, whose result goes to the client's transactResultUrl.
    IF p->>'product_id' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM catalogue.clients c
                                                    WHERE c.client_id = m.client_id AND c.transact_result_url IS NOT NULL) THEN
        RETURN jsonb_build_object('outcome', 'no_transact_result_url');
    END IF;

    r := jsonb_populate_record(NULL::chat2pay.requests, p);
    r.fingerprint := asked;
    r.additional_data := coalesce(r.additional_data, '{}');
    r.status_id := CASE WHEN channel IS NULL THEN 1 ELSE 2 END;
    r.status_sequence := 1;
    r.link_expires_at := now() + make_interval(secs => m.link_ttl_seconds);
    r.notification_id := CASE WHEN channel IS NOT NULL THEN gen_random_uuid() END;
    r.created_at := now();
    r.updated_at := now();
    INSERT INTO chat2pay.requests (
        payment_link_ref, client_id, order_number, fingerprint, channel, recipient, currency, sub_total_amount, tax_amount,
        total_amount, transaction_type, funding_source_id, return_payment_link, payment_review_auto_reversal, product_id,
        target_identifier, additional_data, requested_at, status_id, status_sequence, token_hash, link_expires_at,
        notification_id, trace_parent, created_at, updated_at)
    VALUES (
        r.payment_link_ref, r.client_id, r.order_number, r.fingerprint, r.channel, r.recipient, r.currency,
        r.sub_total_amount, r.tax_amount, r.total_amount, r.transaction_type, r.funding_source_id, r.return_payment_link,
        r.payment_review_auto_reversal, r.product_id, r.target_identifier, r.additional_data, r.requested_at, r.status_id,
        r.status_sequence, r.token_hash, r.link_expires_at, r.notification_id, r.trace_parent, r.created_at, r.updated_at)
    ON CONFLICT ON CONSTRAINT one_per_client_order DO NOTHING;
    IF NOT FOUND THEN
        -- A concurrent request under the same order number was first.
        SELECT * INTO existing FROM chat2pay.requests x WHERE x.client_id = m.client_id AND x.order_number = r.order_number;
        RETURN jsonb_build_object('outcome', CASE WHEN existing.fingerprint = asked THEN 'existing' ELSE 'conflict' END)
            || chat2pay.answer(existing);
    END IF;
    IF channel IS NOT NULL THEN
        -- Charged and limited like every message; valid until the link is, so a link sent late is never sent.
        accepted := notifications.accept(jsonb_build_object(
            'notification_id', r.notification_id, 'client_id', r.client_id,
            'client_notification_ref', 'chat-2-pay/' || r.payment_link_ref, 'origin', 'chat_2_pay',
            'channel_id', channel, 'destination_identifier', r.recipient,
            'message', left(m.merchant_name || ' asks you to pay ' || chat2pay.money(r.currency, r.total_amount)
                            || ' for order ' || r.order_number || ': ' || (p->>'link'), 1600),
            'transaction_ref', r.payment_link_ref::text, 'valid_until', r.link_expires_at, 'trace_parent', r.trace_parent));
    END IF;
    PERFORM chat2pay.record_status(r, CASE WHEN channel IS NULL THEN 'received; the link is returned to the merchant'
                                           ELSE 'received; the link is queued to be sent by ' || (p->>'channel') END);
    RETURN jsonb_build_object('outcome', 'created') || chat2pay.answer(r);
END $$;

-- The moves time makes, by the database clock, of a request whose row the caller holds locked: a link unopened past
-- its time expires, and a page past its window (unless a payment is under way).
CREATE OR REPLACE FUNCTION chat2pay.expire_if_due(r chat2pay.requests) RETURNS chat2pay.requests LANGUAGE plpgsql AS $$
BEGIN
    IF r.status_id IN (1, 2) AND r.link_expires_at <= now() THEN
        RETURN chat2pay.enter_status(r.payment_link_ref, 5, 'the link was not opened in time');
    ELSIF r.status_id = 4 AND r.paying_since IS NULL AND r.page_expires_at <= now() THEN
        RETURN chat2pay.enter_status(r.payment_link_ref, 6, 'the page was not submitted in time');
    END IF;
    RETURN r;
END $$;

-- What the page shows of a request: the merchant, the order and its amounts, and where the request stands.
CREATE OR REPLACE FUNCTION chat2pay.page_view(r chat2pay.requests) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'payment_link_ref', r.payment_link_ref, 'merchant_name', m.merchant_name, 'order_number', r.order_number,
        'sub_total', chat2pay.money(r.currency, r.sub_total_amount), 'tax', chat2pay.money(r.currency, r.tax_amount),
        'total', chat2pay.money(r.currency, r.total_amount),
        'captured', CASE WHEN r.captured_amount IS NOT NULL THEN chat2pay.money(r.currency, r.captured_amount) END,
        'status', chat2pay.status_name(r.status_id), 'paying', r.paying_since IS NOT NULL,
        'bank_response_code', r.bank_response_code, 'bank_response_message', r.bank_response_message,
        'page_expires_at', purchases.api_time(r.page_expires_at))
    FROM chat2pay.merchants m WHERE m.client_id = r.client_id
$$;

-- The request of a page's token, locked, with what time has settled of it moved (chat2pay.expire_if_due); NULL: no
-- such token.
CREATE OR REPLACE FUNCTION chat2pay.lock_page(p_token_hash text) RETURNS chat2pay.requests LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests;
BEGIN
    SELECT * INTO r FROM chat2pay.requests x WHERE x.token_hash = p_token_hash FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN chat2pay.expire_if_due(r);
END $$;

-- The page of a token, opened: a link opened in time starts the page's window (PAYMENT_LINK_CLICKED). NULL: no such
-- token.
CREATE OR REPLACE FUNCTION chat2pay.open_page(p_token_hash text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests := chat2pay.lock_page(p_token_hash);
BEGIN
    IF r.payment_link_ref IS NULL THEN
        RETURN NULL;
    END IF;
    IF r.status_id IN (1, 2) THEN
        UPDATE chat2pay.requests x
        SET page_expires_at = now() + make_interval(secs => (SELECT m.page_ttl_seconds FROM chat2pay.merchants m
                                                            WHERE m.client_id = x.client_id))
        WHERE x.payment_link_ref = r.payment_link_ref;
        r := chat2pay.enter_status(r.payment_link_ref, 4, 'the customer opened the link');
    END IF;
    RETURN chat2pay.page_view(r);
END $$;

-- A submission of the page claims the payment, once: the request must be open on its page (clicked, in its window)
-- with no payment under way. Answers {claimed: true, request: what reserveFunds needs} or {claimed: false, page}.
-- NULL: no such token.
CREATE OR REPLACE FUNCTION chat2pay.begin_payment(p_token_hash text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests := chat2pay.lock_page(p_token_hash);
BEGIN
    IF r.payment_link_ref IS NULL THEN
        RETURN NULL;
    END IF;
    IF r.status_id <> 4 OR r.paying_since IS NOT NULL THEN
        RETURN jsonb_build_object('claimed', false, 'page', chat2pay.page_view(r));
    END IF;
    UPDATE chat2pay.requests x SET paying_since = now(), updated_at = now() WHERE x.payment_link_ref = r.payment_link_ref;
    RETURN jsonb_build_object('claimed', true, 'request', jsonb_build_object(
        'payment_link_ref', r.payment_link_ref, 'order_number', r.order_number, 'client_id', r.client_id,
        'funding_source_id', r.funding_source_id, 'currency', r.currency, 'total_amount', r.total_amount,
        'product_id', r.product_id, 'target_identifier', r.target_identifier, 'recipient', r.recipient,
        'channel', r.channel, 'trace_parent', r.trace_parent,
        'product_type', (SELECT t.product_type_name FROM catalogue.products p
                         JOIN catalogue.product_types t ON t.product_type_id = p.product_type_id
                         WHERE p.product_id = r.product_id)));
END $$;

-- The ledger's accounts of a request: the funding source's receivable (it owes what it captured) and the merchant's
-- payable (owed to the merchant), opened on first use.
CREATE OR REPLACE FUNCTION chat2pay.accounts(r chat2pay.requests, OUT receivable text, OUT payable text)
LANGUAGE plpgsql AS $$
BEGIN
    receivable := 'funding-source:' || r.funding_source_id || ':chat-2-pay-receivable:' || r.currency;
    payable := 'client:' || r.client_id || ':chat-2-pay-payable:' || r.currency;
    PERFORM ledger.create_account(receivable, r.currency, 'asset');
    PERFORM ledger.create_account(payable, r.currency, 'liability');
END $$;

-- The transactResult the bank is owed for a request (API.md §4.2), built once: every delivery sends these bytes.
CREATE OR REPLACE FUNCTION chat2pay.bank_result_body(r chat2pay.requests, p_answer text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'raasTxnRef', r.payment_link_ref, 'clientTxnRef', r.order_number, 'reserveFundsTxnRef', r.reserve_funds_txn_ref,
        'responseCode', catalogue.answer_code(p_answer), 'responseMessage', catalogue.answer_message(p_answer),
        'transactionStatus', CASE WHEN r.captured_amount IS NOT NULL THEN 'SUCCESS' ELSE 'FAILED' END,
        'purchaseAmount', r.total_amount, 'reserveAmount', coalesce(r.authorized_amount, r.total_amount),
        'vendAmount', 0, 'feeAmount', 0, 'clientShareAmount', 0, 'vendorShareAmount', 0,
        'settlementAmount', coalesce(r.captured_amount, 0),
        'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'token', '')::text
$$;

-- Queues the request's one transactResult (a second is refused by the outbox's key: the bank is told once).
CREATE OR REPLACE FUNCTION chat2pay.queue_bank_result(r chat2pay.requests, p_answer text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO chat2pay.deliveries (payment_link_ref, kind, sequence, body)
    VALUES (r.payment_link_ref, 'bank_result', 1, chat2pay.bank_result_body(r, p_answer));
    PERFORM pg_notify('chat2pay_work', 'bank_result');
END $$;

-- The purchase a captured request's product is bought with (API.md §3.2, the Transact flow: the funds are the
-- capture, reserveFundsTxnRef the bank's authorisation; the terms' fee is the merchant's): built once, so that every
-- attempt to open it is the same request, which the purchase core takes once.
CREATE OR REPLACE FUNCTION chat2pay.purchase_body(r chat2pay.requests) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'clientId', r.client_id, 'clientTxnRef', 'chat-2-pay/' || r.payment_link_ref,
        'channelId', CASE r.channel WHEN 'whatsapp' THEN 8 ELSE 6 END, 'channelName', 'Chat 2 Pay',
        'channelSessionId', replace(r.payment_link_ref::text, '-', ''), 'productId', r.product_id,
        'purchaseAmount', r.captured_amount, 'currencyCode', r.currency, 'fundingSourceId', r.funding_source_id,
        'sourceIdentifier', r.recipient, 'targetIdentifier', r.target_identifier,
        'reserveFundsTxnRef', r.reserve_funds_txn_ref, 'timestamp', purchases.api_time(now()))::text
$$;

-- Captures an authorised request (its row locked by the caller): p_amount of what was authorised (all of it when
-- NULL), the rest released; the bank is told what to debit, and a product the payment buys is queued to be bought.
CREATE OR REPLACE FUNCTION chat2pay.capture_locked(r chat2pay.requests, p_amount bigint, p_cause text)
RETURNS chat2pay.requests LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger.post_pending(purchases.resolution_id(r.payment_link_ref, 'post'), r.payment_link_ref,
                                CASE WHEN p_amount < r.authorized_amount THEN p_amount END,
                                'chat 2 pay ' || r.payment_link_ref || ' captured');
    UPDATE chat2pay.requests x SET captured_amount = coalesce(p_amount, x.authorized_amount)
    WHERE x.payment_link_ref = r.payment_link_ref;
    r := chat2pay.enter_status(r.payment_link_ref, 8, p_cause);
    PERFORM chat2pay.queue_bank_result(r, 'success');
    IF r.product_id IS NOT NULL THEN
        INSERT INTO chat2pay.deliveries (payment_link_ref, kind, sequence, body)
        VALUES (r.payment_link_ref, 'purchase', 1, chat2pay.purchase_body(r));
        PERFORM pg_notify('chat2pay_work', 'purchase');
    END IF;
    RETURN r;
END $$;

-- Reverses an authorised request (its row locked by the caller): the pending transfer is voided and the bank told to
-- release the funds, with p_answer saying why.
CREATE OR REPLACE FUNCTION chat2pay.reverse_locked(r chat2pay.requests, p_answer text, p_cause text)
RETURNS chat2pay.requests LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger.void_pending(purchases.resolution_id(r.payment_link_ref, 'void'), r.payment_link_ref,
                                'chat 2 pay ' || r.payment_link_ref || ' reversed');
    r := chat2pay.enter_status(r.payment_link_ref, 10, p_cause);
    PERFORM chat2pay.queue_bank_result(r, p_answer);
    RETURN r;
END $$;

-- Records the bank's answer to a payment's reserveFunds: p_outcome reserved | declined | no_answer. A sale is
-- captured at once. An answer for a payment already settled without it (the bank took too long) changes nothing.
-- Answers the page's view.
CREATE OR REPLACE FUNCTION chat2pay.record_authorisation(
    p_ref uuid, p_outcome text, p_code text, p_message text, p_reserve_funds_txn_ref text, p_cause text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests;
    a record;
BEGIN
    SELECT * INTO r FROM chat2pay.requests x WHERE x.payment_link_ref = p_ref FOR UPDATE;
    IF r.status_id <> 4 OR r.paying_since IS NULL THEN
        RETURN chat2pay.page_view(r);
    END IF;
    CASE p_outcome
        WHEN 'reserved' THEN
            a := chat2pay.accounts(r);
            PERFORM ledger.create_transfer(
                r.payment_link_ref, 'pending', ARRAY[a.receivable, a.payable], ARRAY[r.total_amount, -r.total_amount],
                'chat 2 pay ' || r.payment_link_ref || ' authorised');
            UPDATE chat2pay.requests x
            SET paying_since = NULL, reserve_funds_txn_ref = left(p_reserve_funds_txn_ref, 64),
                bank_response_code = catalogue.answer_code('success'), bank_response_message = catalogue.answer_message('success'),
                authorized_amount = x.total_amount,
                capture_deadline = now() + make_interval(secs => (SELECT f.confirmation_window_seconds
                                                                  FROM catalogue.funding_sources f
                                                                  WHERE f.funding_source_id = x.funding_source_id))
            WHERE x.payment_link_ref = p_ref;
            r := chat2pay.enter_status(p_ref, 7, 'the bank authorised the payment');
            IF r.transaction_type = 'sale' THEN
                r := chat2pay.capture_locked(r, NULL, 'a sale is captured at once');
            END IF;
        WHEN 'declined' THEN
            UPDATE chat2pay.requests x
            SET paying_since = NULL, bank_response_code = p_code, bank_response_message = left(p_message, 200)
            WHERE x.payment_link_ref = p_ref;
            r := chat2pay.enter_status(p_ref, 9, 'the bank declined: ' || p_code || ' ' || left(p_message, 200));
        WHEN 'no_answer' THEN
            r := chat2pay.decline_unanswered(r, p_cause);
        ELSE
            RAISE EXCEPTION 'unknown authorisation outcome %', p_outcome USING ERRCODE = '22023';
    END CASE;
    RETURN chat2pay.page_view(r);
END $$;

-- A payment whose reserveFunds answer never came (or could not be read): declined with 2060, and the bank is told
-- the payment failed, so that it releases any hold it made.
CREATE OR REPLACE FUNCTION chat2pay.decline_unanswered(r chat2pay.requests, p_cause text) RETURNS chat2pay.requests
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE chat2pay.requests x
    SET paying_since = NULL, bank_response_code = catalogue.answer_code('internalTimeout'),
        bank_response_message = catalogue.answer_message('internalTimeout')
    WHERE x.payment_link_ref = r.payment_link_ref;
    r := chat2pay.enter_status(r.payment_link_ref, 9, left('no answer from the bank: ' || p_cause, 300));
    PERFORM chat2pay.queue_bank_result(r, 'internalTimeout');
    RETURN r;
END $$;

-- The merchant's actions on a request of its own: cancel, capture (p_amount, all when NULL) or reverse. Answers
-- {outcome: done | not_found | already_cancelled | expired | paid | not_authorised | exceeds, request}.
CREATE OR REPLACE FUNCTION chat2pay.act(p_ref uuid, p_client_id bigint, p_action text, p_amount bigint)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests;
    refusal text;
BEGIN
    SELECT * INTO r FROM chat2pay.requests x WHERE x.payment_link_ref = p_ref AND x.client_id = p_client_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('outcome', 'not_found');
    END IF;
    r := chat2pay.expire_if_due(r);
    refusal := CASE p_action
        WHEN 'cancel' THEN CASE
            WHEN r.status_id = 19 THEN 'already_cancelled'
            WHEN r.status_id IN (5, 6) THEN 'expired'
            WHEN r.status_id NOT IN (1, 2, 3, 4) OR r.paying_since IS NOT NULL THEN 'paid' END
        ELSE CASE
            WHEN r.status_id <> 7 THEN 'not_authorised'
            WHEN p_action = 'capture' AND p_amount > r.authorized_amount THEN 'exceeds' END
        END;
    IF refusal IS NULL THEN
        r := CASE p_action
            WHEN 'cancel' THEN chat2pay.enter_status(p_ref, 19, 'cancelled by the merchant')
            WHEN 'capture' THEN chat2pay.capture_locked(r, p_amount, CASE WHEN p_amount < r.authorized_amount
                THEN 'captured in part by the merchant: ' || chat2pay.money(r.currency, p_amount)
                ELSE 'captured by the merchant' END)
            WHEN 'reverse' THEN chat2pay.reverse_locked(r, 'paymentReversed', 'reversed by the merchant')
        END;
    END IF;
    RETURN jsonb_build_object('outcome', coalesce(refusal, 'done'), 'request', chat2pay.view(r));
END $$;

-- A request as its merchant sees it (GET /api/v2/chat-2-pay/{paymentLinkRef}), with its whole history.
CREATE OR REPLACE FUNCTION chat2pay.view(r chat2pay.requests) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'paymentLinkRef', r.payment_link_ref, 'orderNumber', r.order_number, 'clientId', r.client_id,
        'transactionStatus', chat2pay.status_name(r.status_id), 'transactionStatusId', r.status_id,
        'transactionType', r.transaction_type, 'channel', r.channel, 'to', r.recipient, 'currency', r.currency,
        'subTotalAmount', r.sub_total_amount, 'taxAmount', r.tax_amount, 'totalAmount', r.total_amount,
        'authorizedAmount', r.authorized_amount, 'capturedAmount', r.captured_amount,
        'fundingSourceId', r.funding_source_id, 'productId', r.product_id, 'targetIdentifier', r.target_identifier,
        'paymentReviewAutoReversal', r.payment_review_auto_reversal, 'additionalData', r.additional_data,
        'bankResponseCode', r.bank_response_code, 'bankResponseMessage', r.bank_response_message,
        'linkExpiresAt', purchases.api_time(r.link_expires_at), 'pageExpiresAt', purchases.api_time(r.page_expires_at),
        'captureDeadline', purchases.api_time(r.capture_deadline), 'timestamp', purchases.api_time(r.updated_at),
        'purchase', CASE WHEN r.purchase_raas_txn_ref IS NOT NULL OR r.purchase_refusal IS NOT NULL THEN
            jsonb_build_object('raasTxnRef', r.purchase_raas_txn_ref, 'refusal', r.purchase_refusal,
                               'transactionStatus', (SELECT purchases.public_status(t.state) FROM purchases.transactions t
                                                     WHERE t.raas_txn_ref = r.purchase_raas_txn_ref)) END,
        'createdAt', purchases.api_time(r.created_at),
        'history', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'transactionStatus', chat2pay.status_name(s.status_id), 'transactionStatusId', s.status_id,
                        'timestamp', purchases.api_time(s.changed_at), 'cause', s.cause) ORDER BY s.sequence), '[]')
                    FROM chat2pay.status_changes s WHERE s.payment_link_ref = r.payment_link_ref))
$$;

CREATE OR REPLACE FUNCTION chat2pay.find(p_ref uuid, p_client_id bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT chat2pay.view(r) FROM chat2pay.requests r WHERE r.payment_link_ref = p_ref AND r.client_id = p_client_id
$$;

-- What time settles, up to p_limit requests (skipping any another caller holds): links and pages expire; a payment
-- whose bank answer has not come within its funding source's reservation timeout and p_grace_seconds of its claim
-- (the process that asked is gone) is declined (2060), the bank told; an authorisation not captured within the
-- funding source's confirmation window is reversed. Answers how many moved.
CREATE OR REPLACE FUNCTION chat2pay.settle_due(p_limit integer, p_grace_seconds integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests;
    moved integer := 0;
BEGIN
    FOR r IN
        SELECT * FROM chat2pay.requests x
        WHERE x.due_at <= now()
        ORDER BY x.due_at
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    LOOP
        IF r.status_id = 4 AND r.paying_since IS NOT NULL THEN
            IF r.paying_since <= now() - make_interval(secs => p_grace_seconds + (
                   SELECT f.reservation_timeout_ms / 1000.0 FROM catalogue.funding_sources f
                   WHERE f.funding_source_id = r.funding_source_id)) THEN
                PERFORM chat2pay.decline_unanswered(r, 'the reserveFunds answer was never recorded');
                moved := moved + 1;
            END IF;
        ELSIF r.status_id = 7 THEN
            IF r.capture_deadline <= now() THEN
                PERFORM chat2pay.reverse_locked(r, 'authorisationExpired', 'not captured within the confirmation window');
                moved := moved + 1;
            END IF;
        ELSIF (chat2pay.expire_if_due(r)).status_id <> r.status_id THEN
            moved := moved + 1;
        END IF;
    END LOOP;
    RETURN moved;
END $$;

-- Sends a captured request's receipt link to its customer, on the request's channel (a request with none cannot
-- be sent one: RECEIPT_LINK_SENT_FAILED), once: a repeat answers the receipt already sent. Answers {outcome: sent |
-- existing | not_found | not_captured, receipt}.
CREATE OR REPLACE FUNCTION chat2pay.send_receipt(p_ref uuid, p_client_id bigint, p_token_hash text, p_link text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests;
    outcome text := 'sent';
    channel integer;
BEGIN
    SELECT * INTO r FROM chat2pay.requests x WHERE x.payment_link_ref = p_ref AND x.client_id = p_client_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('outcome', 'not_found');
    ELSIF r.captured_amount IS NULL THEN
        RETURN jsonb_build_object('outcome', 'not_captured');
    ELSIF r.receipt_token_hash IS NOT NULL THEN
        outcome := 'existing';
    ELSE
        UPDATE chat2pay.requests x SET receipt_token_hash = p_token_hash WHERE x.payment_link_ref = p_ref;
        channel := CASE r.channel WHEN 'sms' THEN 6 WHEN 'whatsapp' THEN 8 END;
        IF channel IS NULL THEN
            r := chat2pay.enter_status(p_ref, 21, 'the request has no channel to send a receipt on');
        ELSE
            PERFORM notifications.accept(jsonb_build_object(
                'notification_id', gen_random_uuid(), 'client_id', r.client_id,
                'client_notification_ref', 'chat-2-pay-receipt/' || r.payment_link_ref, 'origin', 'chat_2_pay',
                'channel_id', channel, 'destination_identifier', r.recipient,
                'message', left((SELECT m.merchant_name FROM chat2pay.merchants m WHERE m.client_id = r.client_id)
                                || ': your receipt for order ' || r.order_number || ', paid '
                                || chat2pay.money(r.currency, r.captured_amount) || ': ' || p_link, 1600),
                'transaction_ref', r.payment_link_ref::text, 'trace_parent', r.trace_parent));
            r := chat2pay.enter_status(p_ref, 20, 'the receipt link is queued to be sent by ' || r.channel);
        END IF;
    END IF;
    RETURN jsonb_build_object('outcome', outcome, 'receipt', jsonb_build_object(
        'receiptLinkRef', purchases.resolution_id(r.payment_link_ref, 'receipt'), 'orderNumber', r.order_number,
        'timestamp', purchases.api_time((SELECT max(s.changed_at) FROM chat2pay.status_changes s
                                         WHERE s.payment_link_ref = r.payment_link_ref AND s.status_id IN (20, 21))),
        'transactionStatus', chat2pay.status_name(r.status_id), 'transactionStatusId', r.status_id));
END $$;

-- The receipt page of a token: the request's page view; NULL: no such receipt.
CREATE OR REPLACE FUNCTION chat2pay.receipt_page(p_token_hash text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT chat2pay.page_view(r) || jsonb_build_object(
        'paid_at', purchases.api_time((SELECT min(s.changed_at) FROM chat2pay.status_changes s
                                       WHERE s.payment_link_ref = r.payment_link_ref AND s.status_id = 8)))
    FROM chat2pay.requests r WHERE r.receipt_token_hash = p_token_hash
$$;

-- A link's (or a receipt's) message that will not arrive: the request says so, unless the customer has moved on.
CREATE OR REPLACE FUNCTION chat2pay.message_failed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests;
BEGIN
    SELECT * INTO r FROM chat2pay.requests x WHERE x.payment_link_ref = NEW.transaction_ref::uuid FOR UPDATE;
    IF r.status_id = 2 AND NEW.client_notification_ref = 'chat-2-pay/' || r.payment_link_ref THEN
        PERFORM chat2pay.enter_status(r.payment_link_ref, 3, 'the link message ended as status ' || NEW.status_code);
    ELSIF r.status_id = 20 AND NEW.client_notification_ref LIKE 'chat-2-pay-receipt/%' THEN
        PERFORM chat2pay.enter_status(r.payment_link_ref, 21, 'the receipt message ended as status ' || NEW.status_code);
    END IF;
    RETURN NULL;
END $$;

-- Every status of API.md §7 but queued, scheduled, sent, delivered, read and emulated means the message will not
-- arrive.
CREATE OR REPLACE TRIGGER chat2pay_message_failed AFTER UPDATE OF status_code ON notifications.messages
    FOR EACH ROW WHEN (NEW.origin = 'chat_2_pay' AND NEW.status_code NOT IN (2, 3, 4, 5, 6, 24)
                       AND OLD.status_code IS DISTINCT FROM NEW.status_code)
    EXECUTE FUNCTION chat2pay.message_failed();

-- Claims due deliveries under a lease: a bank's result, or a merchant's callbacks in order (a callback waits for the
-- one before it).
CREATE OR REPLACE FUNCTION chat2pay.claim_deliveries(p_limit integer, p_lease_seconds integer)
RETURNS TABLE (
    payment_link_ref uuid, kind text, sequence integer, lease_token uuid, client_id bigint, funding_source_id bigint,
    body text, attempts integer, trace_parent text
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT d.payment_link_ref, d.kind, d.sequence FROM chat2pay.deliveries d
        WHERE d.status = 'pending' AND d.due_at <= now()
          AND NOT EXISTS (SELECT 1 FROM chat2pay.deliveries e
                          WHERE e.payment_link_ref = d.payment_link_ref AND e.kind = d.kind AND e.sequence < d.sequence
                            AND e.status = 'pending')
        ORDER BY d.due_at
        LIMIT p_limit
        FOR UPDATE OF d SKIP LOCKED
    ), leased AS (
        UPDATE chat2pay.deliveries d
        SET lease_token = gen_random_uuid(), due_at = now() + make_interval(secs => p_lease_seconds),
            attempts = d.attempts + 1
        FROM due
        WHERE d.payment_link_ref = due.payment_link_ref AND d.kind = due.kind AND d.sequence = due.sequence
        RETURNING d.payment_link_ref, d.kind, d.sequence, d.lease_token, d.body, d.attempts
    )
    SELECT l.payment_link_ref, l.kind, l.sequence, l.lease_token, r.client_id, r.funding_source_id, l.body, l.attempts,
           r.trace_parent
    FROM leased l JOIN chat2pay.requests r ON r.payment_link_ref = l.payment_link_ref;
END $$;

-- Records what opening a captured request's purchase came to: the purchase (its raasTxnRef), or why none could be
-- opened (a refusal of the purchase core that stores nothing).
CREATE OR REPLACE FUNCTION chat2pay.record_purchase(p_ref uuid, p_raas_txn_ref uuid, p_refusal text) RETURNS void
LANGUAGE sql AS $$
    UPDATE chat2pay.requests x
    SET purchase_raas_txn_ref = coalesce(x.purchase_raas_txn_ref, p_raas_txn_ref),
        purchase_refusal = CASE WHEN p_raas_txn_ref IS NULL THEN left(p_refusal, 300) END, updated_at = now()
    WHERE x.payment_link_ref = p_ref
$$;

-- A product bought by chat sends its token (a voucher, PIN or electricity token) to the customer on the request's
-- channel, once, in the transaction that makes the purchase successful (rather than the client's autoNotifyTokens
-- SMS, which notifications.send_purchase_token leaves to this).
CREATE OR REPLACE FUNCTION chat2pay.send_purchase_token() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r chat2pay.requests;
BEGIN
    SELECT * INTO r FROM chat2pay.requests x WHERE x.payment_link_ref = substr(NEW.client_txn_ref, 12)::uuid;
    IF r.recipient IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM notifications.accept(jsonb_build_object(
        'notification_id', gen_random_uuid(), 'client_id', r.client_id,
        'client_notification_ref', 'token/' || NEW.raas_txn_ref, 'origin', 'chat_2_pay',
        'channel_id', CASE r.channel WHEN 'whatsapp' THEN 8 ELSE 6 END, 'destination_identifier', r.recipient,
        'message', left((SELECT m.merchant_name FROM chat2pay.merchants m WHERE m.client_id = r.client_id)
                        || ': your ' || coalesce((SELECT p.short_description FROM catalogue.products p
                                                  WHERE p.product_id = NEW.product_id), 'purchase')
                        || ' token for order ' || r.order_number || ' is ' || NEW.token, 1600),
        'source_identifier', r.recipient, 'transaction_ref', NEW.raas_txn_ref::text, 'trace_parent', r.trace_parent));
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER transactions_send_chat2pay_token AFTER UPDATE OF state ON purchases.transactions
    FOR EACH ROW WHEN (NEW.state = 'success' AND OLD.state IS DISTINCT FROM NEW.state AND NEW.token IS NOT NULL
                       AND NEW.client_txn_ref LIKE 'chat-2-pay/%')
    EXECUTE FUNCTION chat2pay.send_purchase_token();

-- Records a batch's deliveries: {payment_link_ref, kind, sequence, lease_token, acknowledged, outcome,
-- retry_delay_ms, max_attempts}. A bank's result is retried by its funding source's policy (API.md §4.2: from
-- initialRetryDelayMs, then every retryDelayMs, until maxRetries or the confirmation window), a callback by the
-- report's; unacknowledged ones come due again until they give up.
CREATE OR REPLACE FUNCTION chat2pay.record_deliveries(p_reports jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE chat2pay.deliveries d
    SET status = CASE WHEN x.acknowledged THEN 'acknowledged'
                      WHEN d.kind = 'bank_result' AND (d.attempts > f.max_retries
                           OR d.created_at + make_interval(secs => f.confirmation_window_seconds) <= now()) THEN 'gave_up'
                      WHEN d.kind = 'callback' AND d.attempts >= x.max_attempts THEN 'gave_up'
                      ELSE 'pending' END,
        acknowledged_at = CASE WHEN x.acknowledged THEN now() END,
        due_at = CASE WHEN x.acknowledged THEN d.due_at
                      WHEN d.kind = 'bank_result' THEN now() + make_interval(secs =>
                           (CASE WHEN d.attempts = 1 THEN f.initial_retry_delay_ms ELSE f.retry_delay_ms END) / 1000.0)
                      ELSE now() + make_interval(secs => x.retry_delay_ms / 1000.0) END,
        lease_token = NULL, last_outcome = left(x.outcome, 300), last_attempt_at = now()
    FROM jsonb_to_recordset(p_reports) AS x(
            payment_link_ref uuid, kind text, sequence integer, lease_token uuid, acknowledged boolean, outcome text,
            retry_delay_ms integer, max_attempts integer)
        JOIN chat2pay.requests r ON r.payment_link_ref = x.payment_link_ref
        JOIN catalogue.funding_sources f ON f.funding_source_id = r.funding_source_id
    WHERE d.payment_link_ref = x.payment_link_ref AND d.kind = x.kind AND d.sequence = x.sequence
      AND d.lease_token = x.lease_token;
    -- An acknowledged callback frees the next of its request at once.
    IF EXISTS (SELECT 1 FROM jsonb_to_recordset(p_reports) AS x(acknowledged boolean) WHERE x.acknowledged) THEN
        PERFORM pg_notify('chat2pay_work', 'callback');
    END IF;
END $$;

-- Support's search (API.md §8): by reference, by a client's order number, by the customer's number, or the newest
-- (of a client, or of all); newest first, at most p_limit.
CREATE OR REPLACE FUNCTION chat2pay.search(
    p_ref uuid, p_client_id bigint, p_order_number text, p_recipient text, p_limit integer
) RETURNS SETOF jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'paymentLinkRef', r.payment_link_ref, 'clientId', r.client_id, 'orderNumber', r.order_number,
        'transactionStatus', chat2pay.status_name(r.status_id), 'transactionStatusId', r.status_id,
        'transactionType', r.transaction_type, 'channel', r.channel, 'to', r.recipient, 'currencyCode', r.currency,
        'totalAmount', r.total_amount, 'capturedAmount', r.captured_amount, 'createdAt', purchases.api_time(r.created_at))
    FROM chat2pay.requests r
    WHERE (p_ref IS NULL OR r.payment_link_ref = p_ref)
      AND (p_client_id IS NULL OR r.client_id = p_client_id)
      AND (p_order_number IS NULL OR r.order_number = p_order_number)
      AND (p_recipient IS NULL OR r.recipient = p_recipient)
    ORDER BY r.created_at DESC, r.payment_link_ref
    LIMIT p_limit
$$;

-- A request's whole story for support: the merchant's view with its history, and what was owed and delivered
-- (the bank's result, the merchant's callbacks, the purchase), the messages sent for it and the money it moved.
CREATE OR REPLACE FUNCTION chat2pay.story(p_ref uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT chat2pay.view(r) || jsonb_build_object(
        'merchantName', (SELECT m.merchant_name FROM chat2pay.merchants m WHERE m.client_id = r.client_id),
        'deliveries', (
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'kind', d.kind, 'sequence', d.sequence, 'status', d.status, 'attempts', d.attempts,
                       'lastOutcome', d.last_outcome, 'lastAttemptAt', purchases.api_time(d.last_attempt_at),
                       'acknowledgedAt', purchases.api_time(d.acknowledged_at), 'createdAt', purchases.api_time(d.created_at),
                       'body', d.body::jsonb) ORDER BY d.created_at, d.kind, d.sequence), '[]')
            FROM chat2pay.deliveries d WHERE d.payment_link_ref = r.payment_link_ref),
        'messages', (
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'notificationId', n.notification_id, 'clientNotificationRef', n.client_notification_ref,
                       'channelId', n.channel_id, 'statusCode', n.status_code, 'createdAt', purchases.api_time(n.created_at))
                       ORDER BY n.created_at), '[]')
            FROM notifications.messages n WHERE n.transaction_ref = r.payment_link_ref::text),
        'ledger', (
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'transferId', t.id, 'kind', t.kind, 'createdAt', purchases.api_time(t.created_at),
                       'moved', (SELECT coalesce(sum(greatest(p.amount, 0)), 0) FROM ledger.moved_postings(t.id) p))
                       ORDER BY t.created_at, t.kind), '[]')
            FROM (SELECT * FROM ledger.transfers WHERE id = r.payment_link_ref
                  UNION ALL SELECT * FROM ledger.transfers WHERE pending_id = r.payment_link_ref) t))
    FROM chat2pay.requests r WHERE r.payment_link_ref = p_ref
$$;

-- The Chat 2 Pay payments of the daily settlement file (API.md §8): every capture posted on the day (UTC), what the
-- funding source owes the merchant for it.
CREATE OR REPLACE FUNCTION chat2pay.settlement(p_date date, p_client_id bigint)
RETURNS TABLE (
    payment_link_ref uuid, order_number text, client_id bigint, funding_source_id bigint, product_id bigint,
    currency_code text, total_amount bigint, captured_amount bigint, posted_at timestamptz
) LANGUAGE sql STABLE AS $$
    SELECT r.payment_link_ref, r.order_number, r.client_id, r.funding_source_id, r.product_id, r.currency,
           r.total_amount, r.captured_amount, p.created_at
    FROM ledger.transfers p
    JOIN chat2pay.requests r ON r.payment_link_ref = p.pending_id
    WHERE p.kind = 'post' AND p.description LIKE 'chat 2 pay %'
      AND p.created_at >= p_date::timestamp AT TIME ZONE 'UTC'
      AND p.created_at < (p_date + 1)::timestamp AT TIME ZONE 'UTC'
      AND (p_client_id IS NULL OR r.client_id = p_client_id)
    ORDER BY p.created_at, r.payment_link_ref
$$;

-- The Chat 2 Pay invariants checked by `transact verify`, one line per broken one.
CREATE OR REPLACE FUNCTION chat2pay.invariant_violations() RETURNS SETOF text LANGUAGE sql STABLE AS $$
    -- The history holds every status the request has been in, the last its current one.
    SELECT 'payment request ' || r.payment_link_ref || ' has ' || count(s.sequence) || ' status changes for sequence '
           || r.status_sequence
    FROM chat2pay.requests r LEFT JOIN chat2pay.status_changes s ON s.payment_link_ref = r.payment_link_ref
    GROUP BY r.payment_link_ref, r.status_sequence
    HAVING count(s.sequence) <> r.status_sequence
           OR max(s.status_id) FILTER (WHERE s.sequence = r.status_sequence) IS DISTINCT FROM
              (SELECT x.status_id FROM chat2pay.requests x WHERE x.payment_link_ref = r.payment_link_ref)
    UNION ALL
    -- An authorised request holds its pending transfer, unresolved; a captured one has posted what it captured; a
    -- reversed one has voided it; no other request has a transfer.
    SELECT 'payment request ' || r.payment_link_ref || ' (' || chat2pay.status_name(r.status_id) || ') disagrees with the ledger'
    FROM chat2pay.requests r
    LEFT JOIN ledger.transfers p ON p.id = r.payment_link_ref AND p.kind = 'pending'
    LEFT JOIN ledger.transfers x ON x.pending_id = r.payment_link_ref
    WHERE CASE
        WHEN r.authorized_amount IS NULL THEN p.id IS NOT NULL
        WHEN r.status_id = 7 THEN p.id IS NULL OR x.id IS NOT NULL
        WHEN r.captured_amount IS NOT NULL THEN x.kind IS DISTINCT FROM 'post'
            OR (SELECT coalesce(sum(greatest(m.amount, 0)), 0) FROM ledger.moved_postings(x.id) m) <> r.captured_amount
        WHEN r.status_id = 10 THEN x.kind IS DISTINCT FROM 'void'
        ELSE true END
    UNION ALL
    -- The bank is told once of every payment it held funds for (or may have), and of no other.
    SELECT 'payment request ' || r.payment_link_ref || ' (' || chat2pay.status_name(r.status_id) || ') has '
           || count(d.sequence) || ' bank results'
    FROM chat2pay.requests r
    LEFT JOIN chat2pay.deliveries d ON d.payment_link_ref = r.payment_link_ref AND d.kind = 'bank_result'
    GROUP BY r.payment_link_ref, r.status_id, r.bank_response_code, r.captured_amount
    HAVING count(d.sequence) <> CASE WHEN r.captured_amount IS NOT NULL OR r.status_id = 10
                                       OR (r.status_id = 9 AND r.bank_response_code = catalogue.answer_code('internalTimeout'))
                                     THEN 1 ELSE 0 END
$$;
