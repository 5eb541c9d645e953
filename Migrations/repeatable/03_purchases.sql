-- Purchases (API.md §3–§5, DESIGN.md §3 and §7): each step of a purchase is one of these functions, which checks,
-- writes the purchase, its ledger effects and its next piece of durable work together, so that a crash between
-- steps always leaves a state from which the work resumes. The tables, and how a purchase moves money, are in
-- Migrations/0003_purchases.sql and 0004_lookups.sql.
--
-- A repeatable file (DESIGN.md §4): `transact migrate` re-applies the whole set, in file order, after the numbered
-- migrations, whenever any of it changed (or a migration was applied), in one transaction. Everything here is
-- CREATE OR REPLACE; a change of a function's arguments or result, or an object that goes, needs a numbered migration
-- that drops it first.

-- Whether a state is final: one that no move leaves (the moves: purchases.transitions, Migrations/0008). PL/pgSQL,
-- not SQL: a SQL function with a subquery is never inlined, and one that is not inlined is parsed and planned again
-- at every call (perf showed it), where PL/pgSQL keeps its plan for the session.
CREATE OR REPLACE FUNCTION purchases.is_final(p_state text) RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN NOT EXISTS (SELECT 1 FROM purchases.transitions m WHERE m.from_state = p_state);
END $$;

-- Whether purchases.transitions lists the move from p_from (NULL: a new purchase) to p_to. PL/pgSQL for the reason
-- is_final is.
CREATE OR REPLACE FUNCTION purchases.is_listed_move(p_from text, p_to text) RETURNS boolean LANGUAGE plpgsql STABLE
PARALLEL SAFE AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM purchases.transitions m WHERE m.from_state IS NOT DISTINCT FROM p_from AND m.to_state = p_to);
END $$;

-- The rules across the columns of a purchase row, by name; NULL when the row keeps them all. They are checked by the
-- state-change trigger, where they can change (a purchase is created, or changes state), rather than as CHECK
-- constraints, which PostgreSQL would build afresh at every statement that writes the row (Migrations/0010);
-- `transact verify` checks them for every row.
CREATE OR REPLACE FUNCTION purchases.broken_row_rule(t purchases.transactions) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        -- An accepted purchase carries its breakdown and its vendor.
        WHEN NOT (t.state IN ('received', 'failed', 'reserve_failed') OR (t.reserve_amount IS NOT NULL AND t.vendor_id IS NOT NULL))
            THEN 'accepted_has_breakdown'
        -- A transactResult is a final purchase's (its body, beside the row in purchases.result_bodies, and its
        -- delivery are checked by purchases.invariant_violations).
        WHEN t.result_recipient IS NOT NULL AND NOT purchases.is_final(t.state)
            THEN 'result_only_when_final'
        -- A purchase is dated final exactly when it is: the statement that ends it writes the time.
        WHEN (t.final_at IS NOT NULL) <> purchases.is_final(t.state)
            THEN 'final_has_time'
    END
$$;

-- Refuses a change of state: a move the table does not list (out of a final state: PU001; any other: PU003), or
-- a row that breaks a rule across its columns (23514, named as its constraint).
CREATE OR REPLACE FUNCTION purchases.refuse_change(c purchases.state_change) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT purchases.is_listed_move(c.previous, c.state) THEN
        IF c.previous IS NOT NULL AND purchases.is_final(c.previous) THEN
            RAISE EXCEPTION 'transaction % is final (%) and cannot become %', c.raas_txn_ref, c.previous, c.state
                USING ERRCODE = 'PU001';
        END IF;
        RAISE EXCEPTION 'transaction % cannot go from % to %', c.raas_txn_ref, coalesce(c.previous, 'nothing'), c.state
            USING ERRCODE = 'PU003';
    END IF;
    RAISE EXCEPTION 'transaction % (%) breaks the rule %', c.raas_txn_ref, c.state, c.broken_rule
        USING ERRCODE = 'check_violation', CONSTRAINT = c.broken_rule;
END $$;

-- Checks and records a purchase's change of state, after the row is written: it must be a move
-- purchases.transitions lists and leave the row keeping the rules across its columns, else the statement fails
-- (purchases.refuse_change); it is appended to state_changes, numbered after the purchase's last entry. An AFTER
-- trigger, not a BEFORE one: PostgreSQL locks every row version an UPDATE writes, before the update, when the table
-- has any BEFORE UPDATE row trigger, whether or not it then fires (Migrations/0015); an AFTER trigger whose WHEN
-- is false costs an update nothing. (Statement-level, over transition tables, measured dearer: Benchmarks/README.md.)
CREATE OR REPLACE FUNCTION purchases.record_state_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c purchases.state_change := ROW(
        NEW.raas_txn_ref, CASE WHEN TG_OP = 'UPDATE' THEN OLD.state END, NEW.state, NEW.state_cause,
        coalesce(NEW.transact_result_response_code, NEW.response_code), purchases.broken_row_rule(NEW));
BEGIN
    IF c.broken_rule IS NOT NULL OR NOT purchases.is_listed_move(c.previous, c.state) THEN
        PERFORM purchases.refuse_change(c);
    END IF;
    INSERT INTO purchases.state_changes (raas_txn_ref, sequence, state, cause, response_code)
    VALUES (c.raas_txn_ref,
            CASE WHEN c.previous IS NULL THEN 1
                 ELSE 1 + (SELECT max(s.sequence) FROM purchases.state_changes s
                           WHERE s.raas_txn_ref = c.raas_txn_ref AND s.changed_at >= retention.written_since(NEW.created_at)) END,
            c.state, c.cause, c.response_code);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER transactions_record_first_state AFTER INSERT ON purchases.transactions
    FOR EACH ROW EXECUTE FUNCTION purchases.record_state_change();
CREATE OR REPLACE TRIGGER transactions_record_state_change AFTER UPDATE OF state ON purchases.transactions
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION purchases.record_state_change();

CREATE OR REPLACE TRIGGER state_changes_append_only BEFORE UPDATE OR DELETE ON purchases.state_changes
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite('PU002');

CREATE OR REPLACE TRIGGER calls_append_only BEFORE UPDATE OR DELETE ON purchases.calls
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite('PU002');

CREATE OR REPLACE TRIGGER result_bodies_append_only BEFORE UPDATE OR DELETE ON purchases.result_bodies
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite('PU002');

-- A transactResult's delivery attempts so far, from the call log (one transactResult call per attempt), in one
-- pass over the purchase's calls, in the months since it was opened (p_opened_at: Migrations/0023). A set-returning
-- SQL function, so that PostgreSQL inlines it into its caller; p_wanted false reads no call (inlined, it gates the
-- scan: a caller asks only for the rows that need it).
CREATE OR REPLACE FUNCTION purchases.result_attempts(
    p_raas_txn_ref uuid, p_opened_at timestamptz, p_wanted boolean DEFAULT true
) RETURNS TABLE (attempts integer, first_at timestamptz, last_at timestamptz, last_outcome text)
LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer, min(c.called_at), max(c.called_at), (array_agg(c.outcome ORDER BY c.called_at DESC))[1]
    FROM purchases.calls c
    WHERE p_wanted AND c.raas_txn_ref = p_raas_txn_ref AND c.called_at >= retention.written_since(p_opened_at)
      AND c.operation = 'transactResult'
$$;

-- How each transactResult's delivery stands (Migrations/0018), read from what records it: the delivery job, which
-- exists until an attempt is acknowledged (due while pending, never due once given up), and its attempts. A reader
-- that asks only for the status reads the job alone (PostgreSQL leaves out the output columns a query does not use).
CREATE OR REPLACE VIEW purchases.result_deliveries AS
SELECT t.raas_txn_ref, t.result_recipient AS recipient,
       CASE WHEN j.raas_txn_ref IS NULL THEN 'acknowledged' WHEN j.due_at IS NULL THEN 'gave_up' ELSE 'pending' END AS status,
       a.attempts, a.first_at AS first_attempt_at, a.last_at AS last_attempt_at, a.last_outcome,
       CASE WHEN j.raas_txn_ref IS NULL THEN a.last_at END AS acknowledged_at
FROM purchases.transactions t
LEFT JOIN purchases.jobs j ON j.raas_txn_ref = t.raas_txn_ref AND j.stage = 'delivery'
CROSS JOIN LATERAL purchases.result_attempts(t.raas_txn_ref, t.created_at) a
WHERE t.result_recipient IS NOT NULL;

-- Wakes the workers for work due now.
CREATE OR REPLACE FUNCTION purchases.wake(p_kind text, p_due_at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_due_at <= now() THEN
        PERFORM pg_notify('purchase_work', p_kind);
    END IF;
END $$;

-- Schedules a follow-up job (deliver_result, reservation_lookup), or reschedules it, releasing its lease. A NULL
-- due time is never due: a result given up waits for support.
CREATE OR REPLACE FUNCTION purchases.add_job(p_raas_txn_ref uuid, p_kind text, p_due_at timestamptz DEFAULT now())
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO purchases.jobs (raas_txn_ref, kind, due_at) VALUES (p_raas_txn_ref, p_kind, p_due_at)
    ON CONFLICT (raas_txn_ref, stage) DO UPDATE SET due_at = excluded.due_at, lease_token = NULL, leased_until = NULL;
    PERFORM purchases.wake(p_kind, p_due_at);
END $$;

-- Reschedules a job that exists (a plain update: no insert is tried), releasing its lease.
CREATE OR REPLACE FUNCTION purchases.reschedule(p_raas_txn_ref uuid, p_kind text, p_due_at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE purchases.jobs j SET due_at = p_due_at, lease_token = NULL, leased_until = NULL
    WHERE j.raas_txn_ref = p_raas_txn_ref AND j.kind = p_kind;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transaction % has no % job to reschedule', p_raas_txn_ref, p_kind USING ERRCODE = 'PU004';
    END IF;
    PERFORM purchases.wake(p_kind, p_due_at);
END $$;

-- The ledger accounts a purchase moves money between (see the head of this file).
CREATE OR REPLACE FUNCTION purchases.ledger_legs(t purchases.transactions, OUT codes text[], OUT amounts bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    vendor_owed bigint := t.vend_amount - t.vendor_share_amount;
    revenue bigint := t.settlement_amount - (t.vend_amount - t.vendor_share_amount);
BEGIN
    codes := ARRAY['client:' || t.client_id || ':receivable:' || t.currency_code];
    amounts := ARRAY[t.settlement_amount];
    IF vendor_owed <> 0 THEN
        codes := codes || ('vendor:' || t.vendor_id || ':float:' || t.currency_code);
        amounts := amounts || (-vendor_owed);
    END IF;
    IF revenue <> 0 THEN
        codes := codes || ('revenue:' || t.currency_code);
        amounts := amounts || (-revenue);
    END IF;
    -- A zero settlement (a 100 % client share) leaves only the other legs.
    IF t.settlement_amount = 0 THEN
        codes := codes[2:];
        amounts := amounts[2:];
    END IF;
END $$;

-- The ids of the transfers that resolve a purchase's pending transfer: derived, so that a repeat is recognised.
CREATE OR REPLACE FUNCTION purchases.resolution_id(p_raas_txn_ref uuid, p_kind text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT md5(p_kind || ':' || p_raas_txn_ref::text)::uuid
$$;

-- Purchases' ledger operations (in the item format of ledger.create_transfers), each as {raas_txn_ref, op,
-- float_code, float_owed}. Inside purchases.apply_steps they are deferred to the end of the batch, which books all
-- of them in one set-based statement (the hot accounts' rows locked once, updated once per batch); anywhere else
-- they are applied at once. A pending transfer carries the float it draws on and the amount, so that the batch can
-- check the float for all its purchases together. Deferred operations wait in purchases.deferred_ledger_ops
-- (Migrations/0024), which apply_steps empties of its transaction's rows.
CREATE OR REPLACE FUNCTION purchases.book_all(p_ops jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    refused record;
    deferred_before bigint;
BEGIN
    IF current_setting('purchases.defer_ledger', true) = 'on' THEN
        -- Numbered in the order they were deferred by a count kept for the transaction (set_config's is_local),
        -- not by a sequence: an unlogged table's sequence does not survive a fail-over (Migrations/0025).
        deferred_before := coalesce(nullif(current_setting('purchases.deferred_ledger_ops', true), '')::bigint, 0);
        INSERT INTO purchases.deferred_ledger_ops (raas_txn_ref, op, float_code, float_owed, position)
        SELECT (o.value->>'raas_txn_ref')::uuid, o.value->'op', o.value->>'float_code', coalesce((o.value->>'float_owed')::bigint, 0),
               deferred_before + o.ordinality
        FROM jsonb_array_elements(p_ops) WITH ORDINALITY o;
        PERFORM set_config('purchases.deferred_ledger_ops', (deferred_before + jsonb_array_length(p_ops))::text, true);
        RETURN;
    END IF;
    SELECT r.*, p_ops->r.item_position->>'raas_txn_ref' AS raas_txn_ref INTO refused
    FROM ledger.create_transfers((SELECT jsonb_agg(o->'op') FROM jsonb_array_elements(p_ops) o)) r
    WHERE r.error_code IS NOT NULL
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger refused an operation of purchase %: %', refused.raas_txn_ref, refused.error_message
            USING ERRCODE = refused.error_code;
    END IF;
END $$;

-- The ledger operation of each resolution of a purchase's pending transfer. STABLE, as jsonb_build_object is: a
-- SQL function declared more constant than its body is never inlined, and is then planned again at every call.
CREATE OR REPLACE FUNCTION purchases.resolution(p_raas_txn_ref uuid, p_kind text, p_description text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('op', p_kind, 'id', purchases.resolution_id(p_raas_txn_ref, p_kind),
                              'pending_id', p_raas_txn_ref, 'description', p_description)
$$;

-- A purchase the vendor's float cannot cover: FAILED 2221, nothing held, no work left for it.
CREATE OR REPLACE FUNCTION purchases.refuse_for_float(p_raas_txn_ref uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE purchases.transactions
    SET state = 'failed', final_at = now(), state_cause = 'the vendor''s float cannot cover the purchase',
        response_code = catalogue.answer_code('insufficientVendorFloat'), response_message = catalogue.answer_message('insufficientVendorFloat'),
        transact_result_response_code = catalogue.answer_code('insufficientVendorFloat'),
        transact_result_response_message = catalogue.answer_message('insufficientVendorFloat')
    WHERE raas_txn_ref = p_raas_txn_ref;
    DELETE FROM purchases.jobs WHERE raas_txn_ref = p_raas_txn_ref;
END $$;

-- A new purchase's row as the caller decided it (p: its columns as JSON; p_rejection: the business checks'
-- refusal, or NULL): its first state follows from that decision, refused or accepted in the request's flow.
CREATE OR REPLACE FUNCTION purchases.as_opened(p jsonb, p_rejection jsonb) RETURNS purchases.transactions
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t purchases.transactions;
BEGIN
    t := jsonb_populate_record(NULL::purchases.transactions, p);
    t.created_at := now();
    t.vend_attempts := 0;
    t.vend_attempt_open := false;
    t.status_polls := 0;
    IF p_rejection IS NOT NULL THEN
        t.state := 'failed';
        t.final_at := now();
        t.state_cause := left('rejected: ' || (p_rejection->>'responseCode') || ' ' || (p_rejection->>'responseMessage'), 500);
        t.response_code := p_rejection->>'responseCode';
        t.response_message := p_rejection->>'responseMessage';
        t.transact_result_response_code := t.response_code;
        t.transact_result_response_message := t.response_message;
    ELSIF t.flow = 'transact' THEN
        t.state := 'reserved';
        t.state_cause := 'accepted; the client reserved the funds';
        t.reserve_funds_response_code := catalogue.answer_code('success');
        t.response_code := catalogue.answer_code('processingRequest');
        t.response_message := catalogue.answer_message('processingRequest');
    ELSE
        t.state := 'reserving';
        t.state_cause := 'accepted; asking the bank to reserve the funds';
    END IF;
    RETURN t;
END $$;

-- Stores new purchases as decided, a batch of them in a few statements, each claiming its client reference: an
-- open is {item, transaction, rejection, deadline_seconds}. An accepted purchase holds its funds (a pending
-- transfer, deferred to the end of the batch: opens run only inside purchases.apply_steps, which checks the
-- vendor's float for all the batch's purchases under the accounts' locks and refuses those it cannot cover, 2221)
-- and gets its open job. Answers each item with purchases.open_result (as JSON): claimed, or the reference's holder
-- (a concurrent insert has committed by then: ON CONFLICT waited for it; or an earlier open of the same batch).
CREATE OR REPLACE FUNCTION purchases.open_all(p_opens jsonb)
RETURNS TABLE (item integer, result jsonb) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    opened purchases.transactions[];
BEGIN
    WITH inserted AS (
        INSERT INTO purchases.transactions AS x
        SELECT t.* FROM jsonb_array_elements(p_opens) WITH ORDINALITY o
        CROSS JOIN LATERAL purchases.as_opened(o.value->'transaction', o.value->'rejection') t
        ORDER BY o.ordinality
        ON CONFLICT ON CONSTRAINT one_per_client_reference DO NOTHING
        RETURNING x
    )
    SELECT coalesce(array_agg(i.x), '{}') INTO opened FROM inserted i;

    -- A Transact request names the bank's reservation: the lookups find the purchase by it.
    INSERT INTO purchases.bank_references (client_id, reserve_funds_txn_ref, raas_txn_ref)
    SELECT t.client_id, t.reserve_funds_txn_ref, t.raas_txn_ref FROM unnest(opened) t WHERE t.reserve_funds_txn_ref IS NOT NULL;

    IF EXISTS (SELECT 1 FROM unnest(opened) t WHERE t.state IN ('reserving', 'reserved')) THEN
        -- The clients' receivables and the revenue accounts in these currencies, created by the first purchase in each.
        PERFORM ledger.create_account(a.code, a.currency_code, a.kind, false, false)
        FROM (SELECT DISTINCT c.code, t.currency_code, c.kind
              FROM unnest(opened) t
              CROSS JOIN LATERAL (VALUES ('client:' || t.client_id || ':receivable:' || t.currency_code, 'asset'),
                                         ('revenue:' || t.currency_code, 'revenue')) c (code, kind)
              WHERE t.state IN ('reserving', 'reserved')) a
        WHERE NOT EXISTS (SELECT 1 FROM ledger.accounts x WHERE x.code = a.code);
        PERFORM purchases.book_all(jsonb_agg(jsonb_build_object(
            'raas_txn_ref', t.raas_txn_ref,
            'op', jsonb_build_object('op', 'pending', 'id', t.raas_txn_ref, 'accounts', to_jsonb(legs.codes),
                                     'amounts', to_jsonb(legs.amounts), 'description', 'purchase ' || t.raas_txn_ref),
            'float_code', 'vendor:' || t.vendor_id || ':float:' || t.currency_code,
            'float_owed', t.vend_amount - t.vendor_share_amount)))
        FROM unnest(opened) t CROSS JOIN LATERAL purchases.ledger_legs(t) legs
        WHERE t.state IN ('reserving', 'reserved');
        -- The open job: it exists while the purchase is not final, and names the purchase's five fields and time
        -- for the In-Flight Check.
        INSERT INTO purchases.jobs (raas_txn_ref, kind, due_at, client_id, source_identifier, purchase_created_at,
                                    target_identifier, product_id, purchase_amount)
        SELECT t.raas_txn_ref, CASE WHEN t.state = 'reserving' THEN 'reservation_deadline' ELSE 'vend' END,
               CASE WHEN t.state = 'reserving'
                    THEN now() + make_interval(secs => (o.value->>'deadline_seconds')::integer) ELSE now() END,
               t.client_id, t.source_identifier, t.created_at, t.target_identifier, t.product_id, t.purchase_amount
        FROM unnest(opened) t
        JOIN jsonb_array_elements(p_opens) o ON (o.value->'transaction'->>'raas_txn_ref')::uuid = t.raas_txn_ref
        WHERE t.state IN ('reserving', 'reserved');
        IF EXISTS (SELECT 1 FROM unnest(opened) t WHERE t.state = 'reserved') THEN
            PERFORM purchases.wake('vend', now());
        END IF;
    END IF;

    RETURN QUERY
    SELECT (o.value->>'item')::integer, to_jsonb(CASE
        WHEN t.raas_txn_ref IS NOT NULL THEN
            ROW(true, t.raas_txn_ref, true, t.state, t.response_code, t.response_message)::purchases.open_result
        ELSE (SELECT ROW(false, x.raas_txn_ref, x.request_fingerprint = o.value->'transaction'->>'request_fingerprint',
                         x.state, x.response_code, x.response_message)::purchases.open_result
              FROM purchases.transactions x
              WHERE x.client_id = (o.value->'transaction'->>'client_id')::bigint
                AND x.client_txn_ref = o.value->'transaction'->>'client_txn_ref') END)
    FROM jsonb_array_elements(p_opens) o
    LEFT JOIN unnest(opened) t ON t.raas_txn_ref = (o.value->'transaction'->>'raas_txn_ref')::uuid;
END $$;

-- The transactResult body (API.md §4.2) of a purchase ending as e, built from its row as it stands before it ends
-- (so within the update that ends it) once, and delivered as these exact bytes.
CREATE OR REPLACE FUNCTION purchases.result_body(t purchases.transactions, e purchases.ending) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'raasTxnRef', t.raas_txn_ref, 'clientTxnRef', t.client_txn_ref, 'reserveFundsTxnRef', t.reserve_funds_txn_ref,
        'responseCode', e.code, 'responseMessage', left(e.message, 200),
        'transactionStatus', CASE WHEN e.success THEN 'SUCCESS' ELSE 'FAILED' END,
        'purchaseAmount', t.purchase_amount, 'reserveAmount', t.reserve_amount, 'vendAmount', t.vend_amount,
        'feeAmount', t.fee_amount, 'clientShareAmount', t.client_share_amount,
        'vendorShareAmount', t.vendor_share_amount, 'settlementAmount', t.settlement_amount,
        -- The time it becomes final (the final_at the same update writes: the transaction's time).
        'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'token', coalesce(e.token, ''))::text
$$;

-- Ends accepted purchases: a success posts its pending transfer, a failure voids it; either way its transactResult
-- is built (once: every delivery sends these bytes) and queued, as the purchase's open job turns into its delivery.
-- A success is also recorded for the buyer's lookups. The caller holds the purchases' jobs' locks (purchases.lock).
-- A few statements for all of them: a batch's endings are written together (purchases.record_vends). An ending with
-- lease_seconds has its delivery leased to the caller and answered as {lease_token, recipient, body}; else NULL.
CREATE OR REPLACE FUNCTION purchases.finish_all(p_endings purchases.ending[])
RETURNS TABLE (raas_txn_ref uuid, delivery jsonb) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    -- By purchase: where its result goes and its body.
    results jsonb;
    moved integer;
BEGIN
    WITH ended AS (
        UPDATE purchases.transactions x
        SET state = CASE WHEN e.success THEN 'success' ELSE 'failed' END, final_at = now(), state_cause = left(e.cause, 500),
            transact_result_response_code = e.code, transact_result_response_message = left(e.message, 200),
            token = e.token, vend_attempt_open = false, vended_reference = e.vended_reference,
            result_recipient = CASE WHEN x.flow = 'transact' THEN 'client' ELSE 'funding_source' END
        FROM unnest(p_endings) e
        WHERE x.raas_txn_ref = e.raas_txn_ref
        -- Built from the row as it ends (the update changes none of the columns it reads) and the ending.
        RETURNING x.*, purchases.result_body(x, e) AS body
    ), stored AS (
        INSERT INTO purchases.result_bodies (raas_txn_ref, body) SELECT t.raas_txn_ref, t.body FROM ended t
    ), succeeded AS (
        -- What User Transaction and Token Lookup answer, with it (they read nothing else).
        INSERT INTO purchases.successes (client_id, source_identifier, product_id, created_at, raas_txn_ref, channel_id,
                                         product_type_id, purchase_amount, target_identifier, token)
        SELECT t.client_id, t.source_identifier, t.product_id, t.created_at, t.raas_txn_ref, t.channel_id,
               t.product_type_id, t.purchase_amount, t.target_identifier, t.token
        FROM ended t WHERE t.state = 'success'
    )
    SELECT jsonb_object_agg(t.raas_txn_ref, jsonb_build_object('recipient', t.result_recipient, 'body', t.body))
    INTO results FROM ended t;
    PERFORM purchases.book_all(jsonb_agg(jsonb_build_object(
        'raas_txn_ref', e.raas_txn_ref,
        'op', CASE WHEN e.success THEN purchases.resolution(e.raas_txn_ref, 'post', 'purchase ' || e.raas_txn_ref || ' vended')
                   ELSE purchases.resolution(e.raas_txn_ref, 'void', 'purchase ' || e.raas_txn_ref || ' failed') END)))
    FROM unnest(p_endings) e;
    -- Each purchase's open job turns into its delivery: one update of the job rather than a delete and an insert.
    RETURN QUERY
    WITH delivering AS (
        UPDATE purchases.jobs j
        SET kind = 'deliver_result', due_at = now(),
            lease_token = CASE WHEN e.lease_seconds IS NOT NULL THEN gen_random_uuid() END,
            leased_until = now() + make_interval(secs => e.lease_seconds),
            claims = CASE WHEN e.lease_seconds IS NULL THEN 0 ELSE 1 END
        FROM unnest(p_endings) e
        WHERE j.raas_txn_ref = e.raas_txn_ref AND j.stage = 'open'
        RETURNING j.raas_txn_ref, j.lease_token
    )
    SELECT d.raas_txn_ref,
           CASE WHEN d.lease_token IS NOT NULL THEN results->(d.raas_txn_ref::text) || jsonb_build_object('lease_token', d.lease_token) END
    FROM delivering d;
    GET DIAGNOSTICS moved = ROW_COUNT;
    IF moved <> cardinality(p_endings) THEN
        RAISE EXCEPTION 'of % purchases ending, % had an open job', cardinality(p_endings), moved USING ERRCODE = 'PU004';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_endings) e WHERE e.lease_seconds IS NULL) THEN
        PERFORM purchases.wake('deliver_result', now());
    END IF;
END $$;

-- Ends one accepted purchase (purchases.finish_all); its delivery when leased to the caller, else NULL.
CREATE OR REPLACE FUNCTION purchases.finish(
    p_raas_txn_ref uuid, p_success boolean, p_code text, p_message text, p_token text, p_cause text,
    p_vended_reference text DEFAULT NULL, p_lease_seconds integer DEFAULT NULL
) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT f.delivery FROM purchases.finish_all(ARRAY[ROW(
        p_raas_txn_ref, p_success, p_code, p_message, p_token, p_cause, p_vended_reference, p_lease_seconds
    )::purchases.ending]) f);
END $$;

-- Records the bank's answer to reserveFunds (API.md §3.1's outcome table): reserved → vend; declined → final,
-- nothing reserved, no result; no answer → failed 2060, with a failure result so that the bank releases any hold,
-- and a status lookup when the bank offers one. An answer that comes after the transaction was settled without it
-- changes nothing. Answers {state, response_code, response_message}: what the client gets. With p_lease_seconds,
-- reserved funds also start the first vend attempt, whose job is leased to the caller (who makes the attempt at
-- once: no claim, no worker woken), and the answer carries it as {vend: {lease_token, attempt, transaction}}.
CREATE OR REPLACE FUNCTION purchases.record_reservation(
    p_raas_txn_ref uuid, p_outcome text, p_code text, p_message text, p_reserve_funds_txn_ref text, p_cause text,
    p_latency_ms integer, p_lease_seconds integer DEFAULT NULL
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    t purchases.transactions;
    handed boolean := p_lease_seconds IS NOT NULL;
    lease uuid;
    call text;
BEGIN
    call := left(p_outcome || ' ' || coalesce(p_code, '') || ': ' || p_cause, 300);
    IF p_outcome = 'reserved' THEN
        -- The common case in one statement where a lock and a read would come first: the reservation's deadline job,
        -- which exists exactly while the purchase is reserving, becomes its vend (one update of the job rather than a
        -- delete and an insert), and so takes the job's lock, which guards the row (purchases.lock); the row, its
        -- bank reference and the call are written with it. No such job: the purchase was settled without this
        -- answer (below). A vend handed to the caller keeps the deadline's due time, so that the move changes no
        -- indexed value of the job (0017: a HOT update): its lease says when another process may take it over (a
        -- claim takes a job once both have passed). One left to the workers is due now.
        lease := CASE WHEN handed THEN gen_random_uuid() END;
        WITH moved AS (
            UPDATE purchases.jobs j
            SET kind = 'vend', due_at = CASE WHEN handed THEN j.due_at ELSE now() END, lease_token = lease,
                leased_until = now() + make_interval(secs => p_lease_seconds), claims = CASE WHEN handed THEN 1 ELSE 0 END
            WHERE j.raas_txn_ref = p_raas_txn_ref AND j.kind = 'reservation_deadline'
            RETURNING j.raas_txn_ref
        ), reserved AS (
            UPDATE purchases.transactions x
            SET state = CASE WHEN handed THEN 'vending' ELSE 'reserved' END,
                state_cause = CASE WHEN handed THEN 'the bank reserved the funds; vend attempt 0 started'
                                   ELSE 'the bank reserved the funds' END,
                vend_attempts = x.vend_attempts + CASE WHEN handed THEN 1 ELSE 0 END, vend_attempt_open = handed,
                reserve_funds_txn_ref = p_reserve_funds_txn_ref, reserve_funds_response_code = catalogue.answer_code('success'),
                response_code = catalogue.answer_code('fundsReserved'), response_message = catalogue.answer_message('fundsReserved')
            FROM moved
            WHERE x.raas_txn_ref = moved.raas_txn_ref
            RETURNING x
        ), referenced AS (
            INSERT INTO purchases.bank_references (client_id, reserve_funds_txn_ref, raas_txn_ref)
            SELECT (r.x).client_id, p_reserve_funds_txn_ref, p_raas_txn_ref FROM reserved r
            WHERE p_reserve_funds_txn_ref IS NOT NULL
        ), called AS (
            INSERT INTO purchases.calls (raas_txn_ref, party, operation, outcome, latency_ms)
            VALUES (p_raas_txn_ref, 'bank', 'reserveFunds', call, p_latency_ms)
        )
        SELECT (r.x).* INTO t FROM reserved r;
        IF t.raas_txn_ref IS NOT NULL THEN
            IF NOT handed THEN
                PERFORM purchases.wake('vend', now());
            END IF;
            -- The answer is the one just written: no need to read the row again.
            RETURN jsonb_build_object(
                'state', t.state, 'response_code', t.response_code, 'response_message', t.response_message,
                'vend', CASE WHEN handed THEN jsonb_build_object(
                    'lease_token', lease, 'attempt', t.vend_attempts - 1, 'transaction', purchases.worker_view(t)) END);
        END IF;
    ELSE
        INSERT INTO purchases.calls (raas_txn_ref, party, operation, outcome, latency_ms)
        VALUES (p_raas_txn_ref, 'bank', 'reserveFunds', call, p_latency_ms);
    END IF;
    t := purchases.lock(p_raas_txn_ref);
    IF t.state = 'reserving' THEN
        CASE p_outcome
            WHEN 'reserved' THEN
                RAISE EXCEPTION 'transaction % is reserving without its deadline job', p_raas_txn_ref USING ERRCODE = 'PU004';
            WHEN 'declined' THEN
                UPDATE purchases.transactions x
                SET state = 'reserve_failed', final_at = now(), state_cause = left('the bank declined: ' || p_cause, 500),
                    reserve_funds_response_code = p_code, response_code = p_code, response_message = left(p_message, 200),
                    transact_result_response_code = p_code, transact_result_response_message = left(p_message, 200)
                WHERE x.raas_txn_ref = p_raas_txn_ref;
                PERFORM purchases.book_all(jsonb_build_array(jsonb_build_object(
                    'raas_txn_ref', p_raas_txn_ref, 'op', purchases.resolution(
                        p_raas_txn_ref, 'void', 'purchase ' || p_raas_txn_ref || ' declined by the bank'))));
                -- Nothing was reserved, so there is no result to deliver: the purchase's work ends here.
                DELETE FROM purchases.jobs j WHERE j.raas_txn_ref = p_raas_txn_ref AND j.kind = 'reservation_deadline';
            WHEN 'no_answer' THEN
                UPDATE purchases.transactions x
                SET reserve_funds_response_code = catalogue.answer_code('internalTimeout'), response_code = catalogue.answer_code('internalTimeout'),
                    response_message = catalogue.answer_message('internalTimeout')
                WHERE x.raas_txn_ref = p_raas_txn_ref;
                PERFORM purchases.finish(p_raas_txn_ref, false, catalogue.answer_code('internalTimeout'), catalogue.answer_message('internalTimeout'), NULL,
                                         'no answer from the bank: ' || p_cause);
                INSERT INTO purchases.unanswered_reservations (raas_txn_ref, created_at) VALUES (p_raas_txn_ref, t.created_at);
                IF EXISTS (SELECT 1 FROM catalogue.funding_sources f
                           WHERE f.funding_source_id = t.funding_source_id
                             AND (f.adapter = 'simulated' OR f.status_lookup_url IS NOT NULL)) THEN
                    PERFORM purchases.add_job(p_raas_txn_ref, 'reservation_lookup');
                END IF;
            ELSE
                RAISE EXCEPTION 'unknown reservation outcome %', p_outcome USING ERRCODE = '22023';
        END CASE;
    END IF;
    -- (An answer after the purchase was settled without it finds its deadline job already gone: settling took it.)
    RETURN (SELECT jsonb_build_object('state', x.state, 'response_code', x.response_code, 'response_message', x.response_message)
            FROM purchases.transactions x WHERE x.raas_txn_ref = p_raas_txn_ref);
END $$;

-- What a worker needs of a purchase (PurchaseRecord in Swift), and no more: sent with every job it is given.
CREATE OR REPLACE FUNCTION purchases.worker_view(t purchases.transactions) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'client_id', t.client_id, 'product_id', t.product_id, 'product_type_id', t.product_type_id,
        'vendor_id', t.vendor_id, 'token_kind', t.token_kind, 'funding_source_id', t.funding_source_id,
        'target_identifier', t.target_identifier, 'currency_code', t.currency_code, 'vend_amount', t.vend_amount,
        'trace_parent', t.trace_parent)
$$;

-- Claims up to p_limit due jobs of the given kinds under a lease of p_lease_seconds, in one statement, oldest due
-- first. A vend job's claim is also the durable record of the attempt about to be made: a new attempt number, or,
-- when the last attempt has no recorded outcome (its worker stopped, or the vendor did not know), a status query
-- about that attempt. The jobs' locks guard their purchases (purchases.lock), which are read without a lock of
-- their own; a vend job exists only while its purchase is not final (settling it turns the job into the delivery).
CREATE OR REPLACE FUNCTION purchases.claim_jobs(p_kinds text[], p_limit integer, p_lease_seconds integer)
RETURNS TABLE (
    raas_txn_ref uuid, kind text, lease_token uuid, mode text, attempt integer, transaction jsonb,
    recipient text, body text
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    -- The jobs claimed: {raas_txn_ref, kind, lease_token, due_at}.
    leased jsonb;
BEGIN
    WITH due AS (
        SELECT j.raas_txn_ref, j.kind FROM purchases.jobs j
        WHERE j.due_at <= now() AND (j.leased_until IS NULL OR j.leased_until <= now()) AND j.kind = ANY (p_kinds)
        ORDER BY j.due_at
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        -- The lease is its own column: the job's due time, which is indexed, stays as it is.
        UPDATE purchases.jobs j
        SET lease_token = gen_random_uuid(), leased_until = now() + make_interval(secs => p_lease_seconds),
            claims = j.claims + 1
        FROM due
        WHERE j.raas_txn_ref = due.raas_txn_ref AND j.kind = due.kind
        RETURNING j.raas_txn_ref, j.kind, j.lease_token, j.due_at
    )
    SELECT coalesce(jsonb_agg(to_jsonb(c)), '[]') INTO leased FROM claimed c;
    IF jsonb_array_length(leased) = 0 THEN
        RETURN;
    END IF;
    -- The purchases are read in a statement of their own, so that each is read as the last holder of its job's lock
    -- left it (a vend settled just before this claim took its job has its result's body).
    RETURN QUERY
    WITH l AS (
        SELECT * FROM jsonb_to_recordset(leased) AS l (raas_txn_ref uuid, kind text, lease_token uuid, due_at timestamptz)
    ), started AS (
        UPDATE purchases.transactions x
        SET vend_attempts = x.vend_attempts + 1, vend_attempt_open = true,
            state = 'vending', state_cause = 'vend attempt ' || x.vend_attempts || ' started'
        FROM l
        WHERE l.kind = 'vend' AND x.raas_txn_ref = l.raas_txn_ref AND NOT x.vend_attempt_open
        RETURNING x.raas_txn_ref
    )
    SELECT l.raas_txn_ref, l.kind, l.lease_token,
           CASE WHEN l.kind = 'vend' THEN CASE WHEN s.raas_txn_ref IS NULL THEN 'status' ELSE 'vend' END END,
           -- The attempt asked about is the last one made; a new one is numbered after it.
           CASE WHEN l.kind = 'vend' THEN t.vend_attempts::integer - CASE WHEN s.raas_txn_ref IS NULL THEN 1 ELSE 0 END END,
           purchases.worker_view(t),
           CASE WHEN l.kind = 'deliver_result' THEN t.result_recipient::text END,
           CASE WHEN l.kind = 'deliver_result' THEN (SELECT b.body FROM purchases.result_bodies b WHERE b.raas_txn_ref = t.raas_txn_ref) END
    FROM l
    JOIN purchases.transactions t ON t.raas_txn_ref = l.raas_txn_ref
    LEFT JOIN started s ON s.raas_txn_ref = l.raas_txn_ref
    ORDER BY l.due_at;
END $$;

-- Locks a job held under p_lease_token; false when the lease was lost (it expired and another worker took the
-- job over, or the job was settled another way): the caller's report is then ignored.
CREATE OR REPLACE FUNCTION purchases.hold_lease(p_raas_txn_ref uuid, p_kind text, p_lease_token uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM purchases.jobs j
    WHERE j.raas_txn_ref = p_raas_txn_ref AND j.kind = p_kind AND j.lease_token = p_lease_token
    FOR UPDATE;
    RETURN FOUND;
END $$;

-- Locks a transaction for a change and reads it. Every function that changes a transaction locks its jobs first
-- (this one, hold_lease, claim_jobs, which skips rather than waits, and support.resend_result), so the jobs' locks
-- guard the row: it is read without a lock of its own (a row lock is a WAL record and a write of the page), and
-- the update that follows locks it. A purchase that is not final always has its open job; one that is final
-- changes only in its delivery's bookkeeping.
CREATE OR REPLACE FUNCTION purchases.lock(p_raas_txn_ref uuid) RETURNS purchases.transactions LANGUAGE plpgsql AS $$
DECLARE
    t purchases.transactions;
BEGIN
    PERFORM 1 FROM purchases.jobs j WHERE j.raas_txn_ref = p_raas_txn_ref ORDER BY j.kind FOR UPDATE;
    SELECT * INTO t FROM purchases.transactions x WHERE x.raas_txn_ref = p_raas_txn_ref;
    RETURN t;
END $$;

-- The delay before the follow-up of vend attempt p_attempt (numbered from 0): p_first_ms, doubling with each
-- attempt, at most p_max_ms.
CREATE OR REPLACE FUNCTION purchases.vend_retry_delay_ms(p_attempt integer, p_first_ms integer, p_max_ms integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(p_max_ms::bigint, p_first_ms::bigint << least(greatest(p_attempt, 0), 20))::integer
$$;

-- The reference of a purchase's vend attempt (API.md §3.4): its raasTxnRef and the attempt's number.
CREATE OR REPLACE FUNCTION purchases.vend_reference(p_raas_txn_ref uuid, p_attempt integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_raas_txn_ref || '-' || lpad(p_attempt::text, 4, '0')
$$;

-- Records what vend attempts or status queries came to (API.md §3.4), a batch of them in a few statements, and
-- decides what follows each: every rule of following a vend up is here. The vendor's attempts are its catalogue
-- row's (max_attempts); the delays and poll limits are the operator's worker settings, which each outcome carries.
-- Outcomes (purchases.vend_outcome, as JSON):
--   success, declined   final;
--   retryable           the attempt did not dispense (the vendor said so, or nothing reached it): another attempt
--                       after vend_retry_delay_ms, up to the vendor's max_attempts, else FAILED with the code;
--   uncertain           a retryable failure after the request may have reached the vendor (a timeout, HTTP 5xx):
--                       the same attempt is asked about (status query) after vend_retry_delay_ms, and only when the
--                       vendor says it did not dispense is another attempt made — never a blind repeat;
--   unknown             the vendor could not say (2240): asked again after poll_delay_ms; after max_polls,
--                       every 12 × poll_delay_ms, waiting also for the vendor's confirmation (support sees it).
-- Answers each item with {"recorded": false} when its lease was lost and nothing was recorded; else {"recorded":
-- true, "delivery"}: when the purchase became final, its result's delivery job already leased to the caller for the
-- outcome's lease_seconds ({lease_token, recipient, body}), who delivers it at once rather than leave it to a
-- claim; otherwise null.
CREATE OR REPLACE FUNCTION purchases.record_vends(p_outcomes jsonb)
RETURNS TABLE (item integer, result jsonb) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    needed text[] := ARRAY['item', 'raas_txn_ref', 'lease_token', 'mode', 'attempt', 'outcome', 'latency_ms',
                           'retry_delay_ms', 'max_retry_delay_ms', 'max_polls', 'poll_delay_ms', 'lease_seconds'];
    unknown text;
    held purchases.vend_outcome[];
    endings purchases.ending[];
    deliveries jsonb := '{}';
    due_now boolean;
BEGIN
    PERFORM purchases.require_keys(o.value, needed) FROM jsonb_array_elements(p_outcomes) o WHERE NOT o.value ?& needed;
    SELECT string_agg(DISTINCT coalesce(o.value->>'outcome', 'null'), ', ') INTO unknown
    FROM jsonb_array_elements(p_outcomes) o
    WHERE coalesce(o.value->>'outcome', '') NOT IN ('success', 'declined', 'retryable', 'uncertain', 'unknown');
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'unknown vend outcome %', unknown USING ERRCODE = '22023';
    END IF;
    -- The outcomes whose lease still holds, their vend jobs locked in one order: the lease locks the vend job, the
    -- purchase's only job while it vends, which guards the row (purchases.lock). A lease lost (it expired and
    -- another worker took the job over, or the job was settled another way) records nothing.
    WITH locked AS (
        SELECT o AS outcome FROM jsonb_populate_recordset(NULL::purchases.vend_outcome, p_outcomes) o
        JOIN purchases.jobs j ON j.raas_txn_ref = o.raas_txn_ref AND j.kind = 'vend' AND j.lease_token = o.lease_token
        ORDER BY o.raas_txn_ref
        FOR UPDATE OF j
    )
    SELECT coalesce(array_agg(h.outcome ORDER BY (h.outcome).raas_txn_ref), '{}') INTO held
    FROM (SELECT DISTINCT ON ((l.outcome).raas_txn_ref) l.outcome FROM locked l
          ORDER BY (l.outcome).raas_txn_ref, (l.outcome).item) h;

    INSERT INTO purchases.calls (raas_txn_ref, party, operation, reference, outcome, latency_ms)
    SELECT h.raas_txn_ref, 'vendor', CASE WHEN h.mode = 'status' THEN 'vendStatus' ELSE 'vend' END,
           purchases.vend_reference(h.raas_txn_ref, h.attempt),
           left(h.outcome || ' ' || coalesce(h.code, '') || ' ' || coalesce(h.message, ''), 300), h.latency_ms
    FROM unnest(held) h;

    -- The outcomes that end their purchase: a retry only when the vendor's attempts are not spent (the one rule
    -- that reads the row: its attempts so far).
    SELECT coalesce(array_agg(ROW(
        h.raas_txn_ref, h.outcome = 'success',
        CASE WHEN h.outcome = 'success' THEN catalogue.answer_code('success') ELSE h.code END,
        CASE WHEN h.outcome = 'success' THEN catalogue.answer_message('success') ELSE h.message END,
        CASE WHEN h.outcome = 'success' THEN h.token END,
        CASE h.outcome
            WHEN 'success' THEN 'vended under ' || h.reference
            WHEN 'declined' THEN 'the vendor declined ' || h.reference || ': ' || h.code
            ELSE 'the vendor failed every attempt; the last, ' || h.reference || ': ' || h.code END,
        CASE WHEN h.outcome = 'success' THEN h.reference END,
        nullif(h.lease_seconds, 0)
    )::purchases.ending), '{}')
    INTO endings
    FROM (SELECT h.*, purchases.vend_reference(h.raas_txn_ref, h.attempt) AS reference FROM unnest(held) h) h
    WHERE h.outcome IN ('success', 'declined')
       OR (h.outcome = 'retryable'
           AND (SELECT t.vend_attempts >= v.max_attempts
                FROM purchases.transactions t JOIN catalogue.vendors v ON v.vendor_id = t.vendor_id
                WHERE t.raas_txn_ref = h.raas_txn_ref));
    IF cardinality(endings) > 0 THEN
        SELECT coalesce(jsonb_object_agg(f.raas_txn_ref, f.delivery), '{}') INTO deliveries
        FROM purchases.finish_all(endings) f;
    END IF;

    -- The others are followed up: the same vend job, due again after its delay, its lease released.
    WITH followed AS (
        UPDATE purchases.transactions x
        SET vend_attempt_open = CASE WHEN h.outcome = 'retryable' THEN false ELSE x.vend_attempt_open END,
            state = CASE WHEN h.outcome = 'unknown' THEN 'vend_pending' ELSE 'vending' END,
            state_cause = CASE h.outcome
                WHEN 'retryable' THEN 'attempt ' || h.reference || ' failed with ' || h.code || '; retrying'
                WHEN 'uncertain' THEN 'attempt ' || h.reference || ' failed with ' || h.code
                                      || ' after it may have reached the vendor; asking about it'
                ELSE 'the outcome of ' || h.reference || ' is unknown' END,
            status_polls = x.status_polls + CASE WHEN h.outcome = 'unknown' AND h.mode = 'status' THEN 1 ELSE 0 END
        FROM (SELECT h.*, purchases.vend_reference(h.raas_txn_ref, h.attempt) AS reference FROM unnest(held) h) h
        WHERE x.raas_txn_ref = h.raas_txn_ref AND h.outcome IN ('retryable', 'uncertain', 'unknown')
          AND x.raas_txn_ref <> ALL (SELECT e.raas_txn_ref FROM unnest(endings) e)
        RETURNING x.raas_txn_ref, CASE
            -- Never dropped: an unknown outcome holds the buyer's money until it is settled.
            WHEN h.outcome = 'unknown' THEN now() + make_interval(
                secs => h.poll_delay_ms / 1000.0 * CASE WHEN x.status_polls >= h.max_polls THEN 12 ELSE 1 END)
            ELSE now() + make_interval(
                secs => purchases.vend_retry_delay_ms(h.attempt, h.retry_delay_ms, h.max_retry_delay_ms) / 1000.0)
            END AS due_at
    ), rescheduled AS (
        UPDATE purchases.jobs j SET due_at = f.due_at, lease_token = NULL, leased_until = NULL
        FROM followed f
        WHERE j.raas_txn_ref = f.raas_txn_ref AND j.kind = 'vend'
        RETURNING j.due_at
    )
    SELECT coalesce(bool_or(r.due_at <= now()), false) INTO due_now FROM rescheduled r;
    IF due_now THEN
        PERFORM purchases.wake('vend', now());
    END IF;

    RETURN QUERY
    SELECT o.item, CASE WHEN h.raas_txn_ref IS NULL THEN jsonb_build_object('recorded', false)
                        ELSE jsonb_build_object('recorded', true, 'delivery', deliveries->(h.raas_txn_ref::text)) END
    FROM jsonb_populate_recordset(NULL::purchases.vend_outcome, p_outcomes) o
    LEFT JOIN unnest(held) h ON h.item = o.item;
END $$;

-- A vendor's asynchronous confirmation (API.md §5.2). Returns 'not_found' (no such transaction of this vendor, or
-- no attempt of it under this reference), 'applied' (it settled the transaction, or closed a failed attempt so
-- that the next is made), 'agreed' (nothing to change), or 'conflict' (it contradicts what is recorded: kept for
-- support). A failure counts only for the latest attempt while its outcome is open; a success counts for any
-- attempt that was made (the product was dispensed), and a success under another reference than the one recorded
-- is a conflict (the vendor dispensed twice).
CREATE OR REPLACE FUNCTION purchases.confirm_vend(
    p_vendor_id bigint, p_raas_txn_ref uuid, p_vend_reference text, p_code text, p_message text, p_token text
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    t purchases.transactions;
    success boolean := p_code = catalogue.answer_code('success');
    attempt integer;
BEGIN
    t := purchases.lock(p_raas_txn_ref);
    IF t.raas_txn_ref IS NULL OR t.vendor_id IS DISTINCT FROM p_vendor_id
       OR p_vend_reference !~ ('^' || p_raas_txn_ref || '-[0-9]{4}$') THEN
        RETURN 'not_found';
    END IF;
    attempt := substr(p_vend_reference, 38)::integer;
    -- Only an attempt that was made can be confirmed.
    IF attempt >= t.vend_attempts THEN
        RETURN 'not_found';
    END IF;
    INSERT INTO purchases.calls (raas_txn_ref, party, operation, reference, outcome)
    VALUES (p_raas_txn_ref, 'vendor', 'vendorResult', p_vend_reference, left(p_code || ' ' || coalesce(p_message, ''), 300));
    IF purchases.is_final(t.state) THEN
        IF success AND t.state = 'success' AND t.vended_reference = p_vend_reference
           AND coalesce(t.token, '') = coalesce(p_token, '') THEN
            RETURN 'agreed';
        END IF;
        IF NOT success AND (t.state <> 'success' OR t.vended_reference IS DISTINCT FROM p_vend_reference) THEN
            RETURN 'agreed';  -- a failed attempt of a purchase settled otherwise: nothing contradicts it
        END IF;
        INSERT INTO purchases.vendor_conflicts (raas_txn_ref, vend_reference, response_code, response_message)
        VALUES (p_raas_txn_ref, p_vend_reference, p_code, left(p_message, 200));
        RETURN 'conflict';
    END IF;
    IF p_code = catalogue.answer_code('vendOutcomeUnknown') THEN
        RETURN 'agreed';
    END IF;
    IF success THEN
        PERFORM purchases.finish(p_raas_txn_ref, true, catalogue.answer_code('success'), catalogue.answer_message('success'), p_token,
                                 'the vendor confirmed ' || p_vend_reference, p_vend_reference);
        RETURN 'applied';
    END IF;
    IF attempt <> t.vend_attempts - 1 OR NOT t.vend_attempt_open THEN
        RETURN 'agreed';  -- an older attempt's failure: the latest attempt decides
    END IF;
    IF catalogue.is_retryable_vend_code(p_code) THEN
        -- The attempt did not dispense: close it, and let the vend job make the next one now.
        UPDATE purchases.transactions x
        SET vend_attempt_open = false, state = 'vending',
            state_cause = 'the vendor confirmed ' || p_vend_reference || ' failed with ' || p_code || '; retrying'
        WHERE x.raas_txn_ref = p_raas_txn_ref;
        PERFORM purchases.reschedule(p_raas_txn_ref, 'vend', now());
        RETURN 'applied';
    END IF;
    PERFORM purchases.finish(p_raas_txn_ref, false, p_code, p_message, NULL,
                             'the vendor confirmed ' || p_vend_reference || ' failed: ' || p_code);
    RETURN 'applied';
END $$;

-- Records result delivery attempts (API.md §4.2), a batch of them in two statements: acknowledged ends one;
-- otherwise it is tried again after the funding source's initialRetryDelayMs, then every retryDelayMs, until
-- maxRetries retries or the confirmation window has passed, when it is given up and listed for support (kept, never
-- due, until one more delivery on request makes it due again). Attempts: purchases.delivery_attempt, as JSON.
-- Answers each item with whether it was recorded (false: its lease was lost).
CREATE OR REPLACE FUNCTION purchases.record_deliveries(p_attempts jsonb)
RETURNS TABLE (item integer, result jsonb) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    needed text[] := ARRAY['item', 'raas_txn_ref', 'lease_token', 'acknowledged', 'outcome', 'latency_ms'];
    held purchases.delivery_attempt[];
    due_now boolean;
BEGIN
    PERFORM purchases.require_keys(a.value, needed) FROM jsonb_array_elements(p_attempts) a WHERE NOT a.value ?& needed;
    -- The jobs' locks first (purchases.lock): an acknowledged delivery takes its job's by deleting it, its work
    -- done; another locks it, to reschedule it. A lease lost records nothing.
    WITH a AS (
        SELECT a AS attempt, a.* FROM jsonb_populate_recordset(NULL::purchases.delivery_attempt, p_attempts) a
    ), done AS (
        DELETE FROM purchases.jobs j USING a
        WHERE j.raas_txn_ref = a.raas_txn_ref AND j.kind = 'deliver_result' AND j.lease_token = a.lease_token
          AND a.acknowledged
        RETURNING j.raas_txn_ref
    ), kept AS (
        SELECT a.raas_txn_ref FROM a JOIN purchases.jobs j
            ON j.raas_txn_ref = a.raas_txn_ref AND j.kind = 'deliver_result' AND j.lease_token = a.lease_token
        WHERE NOT a.acknowledged
        ORDER BY a.raas_txn_ref
        FOR UPDATE OF j
    )
    SELECT coalesce(array_agg(h.attempt ORDER BY h.raas_txn_ref), '{}') INTO held
    FROM (SELECT DISTINCT ON (a.raas_txn_ref) a.attempt, a.raas_txn_ref FROM a
          WHERE a.raas_txn_ref IN (SELECT d.raas_txn_ref FROM done d UNION ALL SELECT k.raas_txn_ref FROM kept k)
          ORDER BY a.raas_txn_ref, a.acknowledged DESC, a.item) h;

    -- An acknowledged attempt writes its call and nothing else (its job is gone: purchases.result_deliveries). One
    -- that was not is tried again or given up by the attempts so far, read from the call log.
    WITH decided AS (
        SELECT h.*, x.result_recipient,
               NOT h.acknowledged AND (
                   so_far.attempts + 1 > coalesce(f.max_retries, 100)
                   OR now() >= coalesce(so_far.first_at, now())
                               + make_interval(secs => coalesce(f.confirmation_window_seconds, 604800))) AS gives_up,
               CASE WHEN so_far.attempts = 0 THEN coalesce(f.initial_retry_delay_ms, 1000)
                    ELSE coalesce(f.retry_delay_ms, 300000) END AS retry_delay_ms
        FROM unnest(held) h
        JOIN purchases.transactions x ON x.raas_txn_ref = h.raas_txn_ref
        LEFT JOIN catalogue.funding_sources f ON f.funding_source_id = x.funding_source_id AND NOT h.acknowledged
        CROSS JOIN LATERAL purchases.result_attempts(h.raas_txn_ref, x.created_at, NOT h.acknowledged) so_far
    ), called AS (
        INSERT INTO purchases.calls (raas_txn_ref, party, operation, outcome, latency_ms)
        SELECT d.raas_txn_ref, CASE WHEN d.result_recipient = 'client' THEN 'client' ELSE 'bank' END, 'transactResult',
               left(d.outcome, 300), d.latency_ms
        FROM decided d
    ), rescheduled AS (
        UPDATE purchases.jobs j
        SET due_at = CASE WHEN d.gives_up THEN NULL ELSE now() + make_interval(secs => d.retry_delay_ms / 1000.0) END,
            lease_token = NULL, leased_until = NULL
        FROM decided d
        WHERE NOT d.acknowledged AND j.raas_txn_ref = d.raas_txn_ref AND j.kind = 'deliver_result'
        RETURNING j.due_at
    )
    SELECT coalesce(bool_or(r.due_at <= now()), false) INTO due_now FROM rescheduled r;
    IF due_now THEN
        PERFORM purchases.wake('deliver_result', now());
    END IF;

    RETURN QUERY
    SELECT a.item, to_jsonb(h.raas_txn_ref IS NOT NULL)
    FROM jsonb_populate_recordset(NULL::purchases.delivery_attempt, p_attempts) a
    LEFT JOIN unnest(held) h ON h.item = a.item;
END $$;

-- Records what the bank's status lookup said (API.md §4.3); no answer is asked again after p_retry_delay_ms, at
-- most p_max_claims times in all.
CREATE OR REPLACE FUNCTION purchases.record_reservation_lookup(
    p_raas_txn_ref uuid, p_lease_token uuid, p_answered boolean, p_code text, p_message text,
    p_reserve_funds_txn_ref text, p_latency_ms integer, p_retry_delay_ms integer, p_max_claims integer
) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF NOT purchases.hold_lease(p_raas_txn_ref, 'reservation_lookup', p_lease_token) THEN
        RETURN false;
    END IF;
    INSERT INTO purchases.calls (raas_txn_ref, party, operation, outcome, latency_ms)
    VALUES (p_raas_txn_ref, 'bank', 'statusLookup',
            CASE WHEN p_answered THEN left(p_code || ' ' || coalesce(p_message, ''), 300) ELSE 'no answer' END, p_latency_ms);
    IF p_answered THEN
        INSERT INTO purchases.reservation_lookups (raas_txn_ref, response_code, response_message, reserve_funds_txn_ref)
        VALUES (p_raas_txn_ref, p_code, left(p_message, 200), p_reserve_funds_txn_ref)
        ON CONFLICT (raas_txn_ref) DO UPDATE
        SET response_code = excluded.response_code, response_message = excluded.response_message,
            reserve_funds_txn_ref = excluded.reserve_funds_txn_ref, looked_up_at = now();
    END IF;
    IF p_answered OR (SELECT j.claims FROM purchases.jobs j
                      WHERE j.raas_txn_ref = p_raas_txn_ref AND j.kind = 'reservation_lookup') >= p_max_claims THEN
        DELETE FROM purchases.jobs j WHERE j.raas_txn_ref = p_raas_txn_ref AND j.kind = 'reservation_lookup';
    ELSE
        PERFORM purchases.reschedule(p_raas_txn_ref, 'reservation_lookup',
                                  now() + make_interval(secs => p_retry_delay_ms / 1000.0));
    END IF;
    RETURN true;
END $$;

-- Refuses a step (or a part of one) that lacks a key its function needs, naming the keys: the seam between Swift
-- and SQL is checked, so that a misspelt key is an error rather than a silent NULL.
CREATE OR REPLACE FUNCTION purchases.require_keys(p_object jsonb, p_keys text[]) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_object IS NULL OR jsonb_typeof(p_object) <> 'object' OR NOT p_object ?& p_keys THEN
        RAISE EXCEPTION 'a purchase step lacks %',
            (SELECT string_agg(k, ', ') FROM unnest(p_keys) k WHERE p_object IS NULL OR NOT p_object ? k)
            USING ERRCODE = '22023';
    END IF;
END $$;

-- Applies a batch of purchase steps in one statement and one commit (DESIGN.md §4: one round trip; the hot ledger
-- rows and the commit's flush are paid once per batch — see Sources/Runtime/WriteBatcher.swift). The batch stands
-- or falls as a whole: a step that fails fails the statement, and the caller applies the steps one by one to
-- find it (no subtransaction per step: those would turn every lock on a hot row into a multixact). Steps:
--   open          {transaction, rejection, deadline_seconds}                             → open_all
--   reservation   {raas_txn_ref, outcome, code, message, reserve_funds_txn_ref, cause, latency_ms,
--                  lease_seconds}                                                        → record_reservation
--   vend          {raas_txn_ref, lease_token, mode, attempt, outcome, code, message, token, latency_ms,
--                  retry_delay_ms, max_retry_delay_ms, max_polls, poll_delay_ms, lease_seconds} → record_vends
--   delivery      {raas_txn_ref, lease_token, acknowledged, outcome, latency_ms}          → record_deliveries
-- Reservation answers are written one by one, in order; a batch's opens, vends and deliveries each together, after
-- them (no batch holds two steps of one purchase: each step waits for the one before it).
CREATE OR REPLACE FUNCTION purchases.apply_steps(p_steps jsonb)
RETURNS TABLE (item integer, result jsonb) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    step jsonb;
    step_item integer;
    results jsonb[] := '{}';
    -- The batch's opens, vends and deliveries, each with its item (its position in the batch).
    opens jsonb := '[]';
    vends jsonb := '[]';
    deliveries jsonb := '[]';
    recorded record;
    deferred boolean;
    ops jsonb := '[]';
    booked jsonb := '[]';
    op jsonb;
    available jsonb := '{}';
    left_over bigint;
    refused record;
BEGIN
    IF jsonb_array_length(p_steps) > 100 THEN
        RAISE EXCEPTION 'a batch holds at most 100 steps' USING ERRCODE = '22023';
    END IF;
    -- The steps of a batch run with their ledger operations deferred, then the batch books them all at once (the hot
    -- accounts locked once for all its purchases), and opens always are, whose floats are checked here. A single
    -- other step (a reservation answer is written on its own) books at once: deferring would only cost statements.
    deferred := jsonb_array_length(p_steps) > 1 OR p_steps @> '[{"step": "open"}]';
    IF deferred THEN
        PERFORM set_config('purchases.defer_ledger', 'on', true);
    END IF;
    FOR step_item, step IN SELECT ordinality, value FROM jsonb_array_elements(p_steps) WITH ORDINALITY LOOP
        -- Each step names the keys it needs: one that lacks a key is refused, never read as NULL. (Keys of optional
        -- values, a message or a token, may be absent.)
        CASE step->>'step'
            WHEN 'open' THEN
                PERFORM purchases.require_keys(step, ARRAY['transaction', 'deadline_seconds']);
                PERFORM purchases.require_keys(step->'transaction', ARRAY[
                    'raas_txn_ref', 'client_id', 'client_txn_ref', 'flow', 'request_fingerprint', 'product_id',
                    'funding_source_id', 'channel_id', 'channel_name', 'channel_session_id', 'source_identifier',
                    'target_identifier', 'currency_code', 'purchase_amount', 'request_timestamp']);
                opens := opens || jsonb_build_array(step || jsonb_build_object('item', step_item));
                result := NULL;
            WHEN 'reservation' THEN
                PERFORM purchases.require_keys(step, ARRAY['raas_txn_ref', 'outcome', 'cause', 'latency_ms']);
                result := purchases.record_reservation(
                    (step->>'raas_txn_ref')::uuid, step->>'outcome', step->>'code', step->>'message',
                    step->>'reserve_funds_txn_ref', step->>'cause', (step->>'latency_ms')::integer,
                    (step->>'lease_seconds')::integer);
            WHEN 'vend' THEN
                vends := vends || jsonb_build_array(step || jsonb_build_object('item', step_item));
                result := NULL;
            WHEN 'delivery' THEN
                deliveries := deliveries || jsonb_build_array(step || jsonb_build_object('item', step_item));
                result := NULL;
            ELSE
                RAISE EXCEPTION 'unknown purchase step %', step->>'step' USING ERRCODE = '22023';
        END CASE;
        results := results || result;
    END LOOP;
    IF jsonb_array_length(opens) > 0 THEN
        FOR recorded IN SELECT * FROM purchases.open_all(opens) LOOP
            results[recorded.item] := recorded.result;
        END LOOP;
    END IF;
    IF jsonb_array_length(vends) > 0 THEN
        FOR recorded IN SELECT * FROM purchases.record_vends(vends) LOOP
            results[recorded.item] := recorded.result;
        END LOOP;
    END IF;
    IF jsonb_array_length(deliveries) > 0 THEN
        FOR recorded IN SELECT * FROM purchases.record_deliveries(deliveries) LOOP
            results[recorded.item] := recorded.result;
        END LOOP;
    END IF;
    IF deferred THEN
        WITH taken AS (DELETE FROM purchases.deferred_ledger_ops o WHERE o.transaction_id = pg_current_xact_id()
                       RETURNING o.*)
        SELECT coalesce(jsonb_agg(jsonb_build_object('raas_txn_ref', o.raas_txn_ref, 'op', o.op, 'float_code', o.float_code,
                                                     'float_owed', o.float_owed) ORDER BY o.position), '[]')
        INTO ops FROM taken o;
        PERFORM set_config('purchases.defer_ledger', 'off', true);
    END IF;

    IF jsonb_array_length(ops) > 0 THEN
        -- Every account the batch moves, locked at once in id order (as ledger.create_transfers locks them, so the
        -- same order everywhere and no two batches wait for each other), before the floats are read.
        PERFORM 1 FROM ledger.accounts a
        WHERE a.id = ANY (ARRAY(
            SELECT x.id FROM jsonb_array_elements(ops) o
            CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(o->'op'->'accounts', '[]')) c(code)
            CROSS JOIN LATERAL (SELECT a2.id FROM ledger.accounts a2 WHERE a2.code = c.code LIMIT 1) x
            UNION
            SELECT ps.account_id FROM jsonb_array_elements(ops) o
            CROSS JOIN LATERAL ledger.pending_postings((o->'op'->>'pending_id')::uuid) ps))
        ORDER BY a.id FOR NO KEY UPDATE;
        -- The floats, checked for the batch's purchases in order: one the float cannot cover is FAILED 2221 and
        -- holds nothing.
        FOR op IN SELECT value FROM jsonb_array_elements(ops) LOOP
            IF op->'op'->>'op' = 'pending' THEN
                IF NOT available ? (op->>'float_code') THEN
                    available := available || jsonb_build_object(op->>'float_code', coalesce(
                        (SELECT a.posted_debits - a.posted_credits - a.pending_credits FROM ledger.accounts a
                         WHERE a.code = op->>'float_code'), 0));
                END IF;
                left_over := (available->>(op->>'float_code'))::bigint - (op->>'float_owed')::bigint;
                IF left_over < 0 THEN
                    PERFORM purchases.refuse_for_float((op->>'raas_txn_ref')::uuid);
                    FOR i IN 1..cardinality(results) LOOP
                        IF results[i]->>'raas_txn_ref' = op->>'raas_txn_ref' AND (results[i]->>'claimed')::boolean THEN
                            results[i] := results[i] || jsonb_build_object(
                                'state', 'failed', 'response_code', catalogue.answer_code('insufficientVendorFloat'),
                                'response_message', catalogue.answer_message('insufficientVendorFloat'));
                        END IF;
                    END LOOP;
                    CONTINUE;
                END IF;
                available := available || jsonb_build_object(op->>'float_code', left_over);
            END IF;
            booked := booked || jsonb_build_array(op->'op');
        END LOOP;
        IF jsonb_array_length(booked) > 0 THEN
            SELECT * INTO refused FROM ledger.create_transfers(booked) r WHERE r.error_code IS NOT NULL LIMIT 1;
            IF FOUND THEN
                -- The whole batch falls; the caller applies its steps one by one to find the one at fault.
                RAISE EXCEPTION 'ledger refused a purchase''s operation: %', refused.error_message
                    USING ERRCODE = refused.error_code;
            END IF;
        END IF;
    END IF;
    FOR i IN 1..cardinality(results) LOOP
        item := i;
        result := results[i];
        RETURN NEXT;
    END LOOP;
END $$;

-- The purchase invariants of API.md §11, one line per broken one (empty when sound).
CREATE OR REPLACE FUNCTION purchases.invariant_violations() RETURNS SETOF text LANGUAGE sql STABLE AS $$
    -- Every row keeps the rules across its columns (among them: it is dated final exactly when it is).
    SELECT 'transaction ' || t.raas_txn_ref || ' (' || t.state || ') breaks the rule ' || purchases.broken_row_rule(t)
    FROM purchases.transactions t
    WHERE purchases.broken_row_rule(t) IS NOT NULL
    UNION ALL
    -- An accepted purchase has its pending transfer; one refused for the vendor's float (2221) has none.
    SELECT 'transaction ' || t.raas_txn_ref || ' (' || t.state || ') was accepted but has no pending ledger transfer'
    FROM purchases.transactions t
    WHERE t.reserve_amount IS NOT NULL AND t.response_code IS DISTINCT FROM catalogue.answer_code('insufficientVendorFloat')
      AND NOT EXISTS (SELECT 1 FROM ledger.transfers p WHERE p.id = t.raas_txn_ref AND p.kind = 'pending')
    UNION ALL
    -- One refused for the vendor's float holds nothing.
    SELECT 'transaction ' || t.raas_txn_ref || ' was refused for the vendor''s float (2221) but holds a pending transfer'
    FROM purchases.transactions t
    WHERE t.response_code = catalogue.answer_code('insufficientVendorFloat')
      AND EXISTS (SELECT 1 FROM ledger.transfers p WHERE p.id = t.raas_txn_ref AND p.kind = 'pending')
    UNION ALL
    -- A successful purchase's transfer is posted, a failed one's voided, exactly once; an open one is unresolved.
    SELECT 'transaction ' || t.raas_txn_ref || ' is ' || t.state || ' but its ledger transfer is '
           || coalesce(r.kind, 'unresolved')
    FROM purchases.transactions t
    JOIN ledger.transfers p ON p.id = t.raas_txn_ref AND p.kind = 'pending'
    LEFT JOIN ledger.transfers r ON r.pending_id = p.id
    WHERE (t.state = 'success' AND r.kind IS DISTINCT FROM 'post')
       OR (t.state IN ('failed', 'reserve_failed') AND r.kind IS DISTINCT FROM 'void')
       OR (NOT purchases.is_final(t.state) AND r.kind IS NOT NULL)
    UNION ALL
    -- A posted purchase moved exactly its breakdown.
    SELECT 'transaction ' || t.raas_txn_ref || ' posted postings that differ from its breakdown'
    FROM purchases.transactions t
    JOIN ledger.transfers r ON r.pending_id = t.raas_txn_ref AND r.kind = 'post'
    WHERE (SELECT coalesce(sum(ps.amount), 0) FROM ledger.moved_postings(r.id) ps JOIN ledger.accounts a ON a.id = ps.account_id
           WHERE a.code LIKE 'client:%:receivable:%') <> t.settlement_amount
    UNION ALL
    -- Every final purchase that reserved anything has its result delivered, waiting to be, or given up (an
    -- exception for support); none that reserved nothing has one.
    SELECT 'transaction ' || t.raas_txn_ref || ' is final but has no transactResult to deliver'
    FROM purchases.transactions t
    WHERE t.state IN ('success', 'failed') AND t.reserve_amount IS NOT NULL
      AND coalesce(t.response_code, '') <> catalogue.answer_code('insufficientVendorFloat')
      AND t.result_recipient IS NULL
    UNION ALL
    -- A result to deliver has its body, and a body belongs to a result to deliver.
    SELECT 'transaction ' || coalesce(t.raas_txn_ref, b.raas_txn_ref)
           || CASE WHEN t.result_recipient IS NULL THEN ' has a result body but no result to deliver'
                   ELSE ' has a result to deliver but no body' END
    FROM purchases.transactions t
    FULL JOIN purchases.result_bodies b ON b.raas_txn_ref = t.raas_txn_ref
    WHERE (t.result_recipient IS NULL) <> (b.raas_txn_ref IS NULL)
    UNION ALL
    -- A delivery job belongs to a result to deliver; an acknowledged result was attempted (its job is gone).
    SELECT 'transaction ' || j.raas_txn_ref || ' has a delivery job but no result to deliver'
    FROM purchases.jobs j JOIN purchases.transactions t USING (raas_txn_ref)
    WHERE j.stage = 'delivery' AND t.result_recipient IS NULL
    UNION ALL
    SELECT 'transaction ' || d.raas_txn_ref || '''s result is acknowledged but was never attempted'
    FROM purchases.result_deliveries d JOIN purchases.transactions t USING (raas_txn_ref)
    WHERE d.status = 'acknowledged' AND d.attempts = 0
      -- unless the months of its calls have been archived (transact archive): its attempts went with them
      AND retention.written_since(t.created_at) >= retention.kept_from('purchases.calls')
    UNION ALL
    -- Work in progress is never orphaned: an open purchase has exactly one open job, which moves it on (and names
    -- its five fields, for the In-Flight Check); a final one has none.
    SELECT 'transaction ' || t.raas_txn_ref || ' is ' || t.state || ' with nothing scheduled to move it on'
    FROM purchases.transactions t
    WHERE NOT purchases.is_final(t.state)
      AND (SELECT count(*) FROM purchases.jobs j WHERE j.raas_txn_ref = t.raas_txn_ref
           AND j.stage = 'open' AND j.client_id = t.client_id
           AND j.source_identifier = t.source_identifier AND j.purchase_created_at = t.created_at
           AND j.target_identifier = t.target_identifier AND j.product_id = t.product_id
           AND j.purchase_amount = t.purchase_amount) <> 1
    UNION ALL
    SELECT 'transaction ' || t.raas_txn_ref || ' is final (' || t.state || ') but still has a ' || j.kind || ' job'
    FROM purchases.transactions t JOIN purchases.jobs j USING (raas_txn_ref)
    WHERE purchases.is_final(t.state) AND j.stage = 'open'
    UNION ALL
    -- The lookups' own tables agree with the purchases: every success once, as it is, and the bank's reference of
    -- each.
    SELECT 'transaction ' || t.raas_txn_ref || ' is ' || t.state || ' but appears ' || count(s.raas_txn_ref)
           || ' time(s) among the successes'
    FROM purchases.transactions t LEFT JOIN purchases.successes s ON s.raas_txn_ref = t.raas_txn_ref
    GROUP BY t.raas_txn_ref, t.state
    HAVING count(s.raas_txn_ref) <> CASE WHEN t.state = 'success' THEN 1 ELSE 0 END
    UNION ALL
    SELECT 'transaction ' || t.raas_txn_ref || ' differs from its record among the successes'
    FROM purchases.transactions t JOIN purchases.successes s ON s.raas_txn_ref = t.raas_txn_ref
    WHERE (s.client_id, s.source_identifier, s.product_id, s.created_at, s.channel_id, s.purchase_amount,
           s.target_identifier, s.product_type_id, s.token)
          IS DISTINCT FROM (t.client_id, t.source_identifier, t.product_id, t.created_at, t.channel_id::integer,
                            t.purchase_amount::bigint, t.target_identifier, t.product_type_id, t.token)
    UNION ALL
    SELECT 'transaction ' || t.raas_txn_ref || ' was never answered by the bank but is not listed for support'
    FROM purchases.transactions t
    WHERE t.reserve_funds_response_code = catalogue.answer_code('internalTimeout')
      AND NOT EXISTS (SELECT 1 FROM purchases.unanswered_reservations u WHERE u.raas_txn_ref = t.raas_txn_ref)
    UNION ALL
    SELECT 'transaction ' || t.raas_txn_ref || '''s reserveFundsTxnRef ' || t.reserve_funds_txn_ref
           || ' cannot be looked up'
    FROM purchases.transactions t
    WHERE t.reserve_funds_txn_ref IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM purchases.bank_references b WHERE b.client_id = t.client_id
                      AND b.reserve_funds_txn_ref = t.reserve_funds_txn_ref AND b.raas_txn_ref = t.raas_txn_ref)
$$;

CREATE OR REPLACE FUNCTION purchases.assign_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.id := nextval('purchases.transaction_ids');
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER transactions_assign_id BEFORE INSERT ON purchases.transactions
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION purchases.assign_id();

-- How lookups show a transaction's times and status (API.md §0: ISO 8601 in UTC; §3.4: the public status).
CREATE OR REPLACE FUNCTION purchases.api_time(p_time timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT to_char(p_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE OR REPLACE FUNCTION purchases.public_status(p_state text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_state = 'success' THEN 'SUCCESS'
                WHEN p_state IN ('failed', 'reserve_failed') THEN 'FAILED'
                ELSE 'PENDING' END
$$;
