-- Purchases (API.md §3): one row per (clientId, clientTxnRef), claimed in one statement, with every change of
-- state recorded. The flows of issue 4 write here; the idempotency rule of §3.3 is enforced by the unique key.

CREATE SCHEMA purchases;

CREATE TABLE purchases.transactions (
    raas_txn_ref uuid PRIMARY KEY,
    client_id bigint NOT NULL,
    client_txn_ref text NOT NULL CHECK (length(client_txn_ref) BETWEEN 1 AND 64),
    flow text NOT NULL CHECK (flow IN ('reserve_and_transact', 'transact')),
    -- SHA-256 (hex) of the request's canonical form (authCode excluded): a repeat with the same content gets the
    -- original answer, one with other content is a duplicate.
    request_fingerprint text NOT NULL CHECK (request_fingerprint ~ '^[0-9a-f]{64}$'),
    state text NOT NULL DEFAULT 'received' CHECK (state IN (
        'received', 'reserving', 'reserved', 'reserve_failed', 'reserve_unknown', 'vending', 'vend_pending', 'success',
        'failed')),
    -- Why the row entered its current state; copied into state_changes by the trigger.
    state_cause text NOT NULL DEFAULT 'request received' CHECK (length(state_cause) <= 500),
    product_id bigint NOT NULL,
    funding_source_id bigint NOT NULL,
    channel_id integer NOT NULL CHECK (channel_id BETWEEN 1 AND 99),
    channel_name text NOT NULL,
    channel_session_id text NOT NULL,
    source_identifier text NOT NULL,
    target_identifier text NOT NULL,
    account_identifier text,
    currency_code text NOT NULL CHECK (currency_code ~ '^[A-Z]{3}$'),
    purchase_amount bigint NOT NULL CHECK (purchase_amount > 0),
    fee_amount bigint CHECK (fee_amount >= 0),
    request_timestamp text NOT NULL,
    lookup_reference text,
    additional_data jsonb,
    reserve_funds_txn_ref text,
    reserve_amount bigint,
    vend_amount bigint,
    client_share_amount bigint,
    vendor_share_amount bigint,
    settlement_amount bigint,
    -- The answer given to the client, replayed to a repeat of the request.
    response_code text CHECK (response_code ~ '^[0-9]{4}$'),
    response_message text,
    reserve_funds_response_code text,
    transact_result_response_code text,
    token text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT one_per_client_reference UNIQUE (client_id, client_txn_ref)
);

CREATE TABLE purchases.state_changes (
    raas_txn_ref uuid NOT NULL REFERENCES purchases.transactions,
    sequence integer NOT NULL,
    state text NOT NULL,
    cause text NOT NULL,
    response_code text,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (raas_txn_ref, sequence)
);

-- A final state never changes (API.md §3.4).
CREATE FUNCTION purchases.guard_final_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state IN ('success', 'failed', 'reserve_failed') THEN
        RAISE EXCEPTION 'transaction % is final (%) and cannot become %', OLD.raas_txn_ref, OLD.state, NEW.state
            USING ERRCODE = 'PU001';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE TRIGGER transactions_final_state BEFORE UPDATE OF state ON purchases.transactions
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION purchases.guard_final_state();

-- Every state a transaction enters is recorded with its time and cause (after the row is written, so that a
-- claim lost to a concurrent one records nothing).
CREATE FUNCTION purchases.record_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO purchases.state_changes (raas_txn_ref, sequence, state, cause, response_code)
    VALUES (NEW.raas_txn_ref,
            coalesce((SELECT max(sequence) FROM purchases.state_changes WHERE raas_txn_ref = NEW.raas_txn_ref), 0) + 1,
            NEW.state, NEW.state_cause, NEW.response_code);
    RETURN NULL;
END $$;

CREATE TRIGGER transactions_record_new_state AFTER INSERT ON purchases.transactions
    FOR EACH ROW EXECUTE FUNCTION purchases.record_state();
CREATE TRIGGER transactions_record_state_change AFTER UPDATE OF state ON purchases.transactions
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION purchases.record_state();

CREATE FUNCTION purchases.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the state history of transactions is never updated or deleted' USING ERRCODE = 'PU002';
END $$;

CREATE TRIGGER state_changes_append_only BEFORE UPDATE OR DELETE ON purchases.state_changes
    FOR EACH ROW EXECUTE FUNCTION purchases.refuse_rewrite();

-- Claims (client_id, client_txn_ref) for a new transaction, or reports the one that holds it: claimed (this call
-- created it), the existing raasTxnRef, whether the content is the same, its state and the answer given.
CREATE TYPE purchases.claim_result AS (
    claimed boolean, raas_txn_ref uuid, same_content boolean, state text, response_code text, response_message text);

CREATE FUNCTION purchases.claim(
    p_raas_txn_ref uuid, p_client_id bigint, p_client_txn_ref text, p_flow text, p_fingerprint text,
    p_product_id bigint, p_funding_source_id bigint, p_channel_id integer, p_channel_name text, p_channel_session_id text,
    p_source_identifier text, p_target_identifier text, p_account_identifier text, p_currency_code text,
    p_purchase_amount bigint, p_fee_amount bigint, p_request_timestamp text, p_lookup_reference text,
    p_additional_data jsonb, p_reserve_funds_txn_ref text
) RETURNS purchases.claim_result LANGUAGE plpgsql AS $$
DECLARE
    result purchases.claim_result;
BEGIN
    INSERT INTO purchases.transactions (
        raas_txn_ref, client_id, client_txn_ref, flow, request_fingerprint, product_id, funding_source_id, channel_id,
        channel_name, channel_session_id, source_identifier, target_identifier, account_identifier, currency_code,
        purchase_amount, fee_amount, request_timestamp, lookup_reference, additional_data, reserve_funds_txn_ref)
    VALUES (
        p_raas_txn_ref, p_client_id, p_client_txn_ref, p_flow, p_fingerprint, p_product_id, p_funding_source_id,
        p_channel_id, p_channel_name, p_channel_session_id, p_source_identifier, p_target_identifier,
        p_account_identifier, p_currency_code, p_purchase_amount, p_fee_amount, p_request_timestamp, p_lookup_reference,
        p_additional_data, p_reserve_funds_txn_ref)
    ON CONFLICT ON CONSTRAINT one_per_client_reference DO NOTHING;
    IF FOUND THEN
        result := (true, p_raas_txn_ref, true, 'received', NULL, NULL);
        RETURN result;
    END IF;
    -- Someone holds the reference (a concurrent insert has committed by now: ON CONFLICT waited for it).
    SELECT false, t.raas_txn_ref, t.request_fingerprint = p_fingerprint, t.state, t.response_code, t.response_message
    INTO result
    FROM purchases.transactions t
    WHERE t.client_id = p_client_id AND t.client_txn_ref = p_client_txn_ref;
    RETURN result;
END $$;
