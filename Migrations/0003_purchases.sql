-- Purchases (API.md §3–§5, DESIGN.md §3 and §7). One row per (clientId, clientTxnRef), every change of state
-- recorded, and each step of a purchase one statement: a function (Migrations/repeatable/03_purchases.sql) that
-- checks, writes the purchase, its ledger effects (API.md §3.5) and its next piece of durable work together, so that
-- a crash between steps always leaves a state from which the work resumes.
--
-- Work waiting to be done is a row in purchases.jobs, claimed with FOR UPDATE SKIP LOCKED under a lease (the row
-- is pushed into the future and stamped with a lease token; a worker that dies simply lets it come due again).
-- Creating work sends NOTIFY purchase_work so that idle workers of any process wake at once.
--
-- Ledger (decided here, API.md §3.5): one pending transfer per purchase, its id the raasTxnRef, holding
--   debit  client:<clientId>:receivable:<CUR>   settlementAmount            (the client owes its settlement)
--   credit vendor:<vendorId>:float:<CUR>        vendAmount − vendorShare     (the vendor is paid what it is owed,
--                                                                             from the float we prepaid it)
--   credit revenue:<CUR>                        the difference (a debit when negative)
-- posted in full when the vend succeeds, voided when the purchase fails. The float may not go below zero, pending
-- credits included, so the hold itself is the atomic float check (2221).

CREATE SCHEMA purchases;

CREATE TABLE purchases.transactions (
    raas_txn_ref uuid PRIMARY KEY,
    client_id bigint NOT NULL,
    client_txn_ref text NOT NULL CHECK (length(client_txn_ref) BETWEEN 1 AND 64),
    flow text NOT NULL CHECK (flow IN ('reserve_and_transact', 'transact')),
    -- SHA-256 (hex) of the request's canonical form (authCode excluded): a repeat with the same content gets the
    -- original answer, one with other content is a duplicate.
    request_fingerprint text NOT NULL CHECK (request_fingerprint ~ '^[0-9a-f]{64}$'),
    state text NOT NULL CHECK (state IN (
        'received', 'reserving', 'reserved', 'reserve_failed', 'reserve_unknown', 'vending', 'vend_pending', 'success',
        'failed')),
    -- Why the row entered its current state; copied into state_changes by the trigger.
    state_cause text NOT NULL CHECK (length(state_cause) <= 500),
    product_id bigint NOT NULL,
    -- The product as it was sold (NULL when the product is unknown to the client): later catalogue changes do
    -- not change what this purchase vends.
    product_type_id integer,
    vendor_id bigint,
    token_kind text CHECK (token_kind IN ('numeric20', 'voucherPIN16')),
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
    -- The breakdown of API.md §2.1, present once the purchase is accepted.
    reserve_amount bigint,
    vend_amount bigint,
    client_share_amount bigint,
    vendor_share_amount bigint,
    settlement_amount bigint,
    -- The answer given to the client, replayed to a repeat of the request.
    response_code text CHECK (response_code ~ '^[0-9]{4}$'),
    response_message text,
    reserve_funds_response_code text,
    -- The outcome told in the transactResult (0000 dispensed, else the failure code), once final.
    transact_result_response_code text,
    transact_result_response_message text,
    token text,
    -- The vend reference under which the product was dispensed.
    vended_reference text,
    -- Vend attempts started (the next attempt's reference ends in this number), and whether the last one started
    -- has no recorded outcome: then it is asked about (status query), never repeated under a new reference.
    vend_attempts integer NOT NULL DEFAULT 0 CHECK (vend_attempts BETWEEN 0 AND 9999),
    vend_attempt_open boolean NOT NULL DEFAULT false,
    status_polls integer NOT NULL DEFAULT 0,
    -- The number of states entered so far: the sequence of the latest entry in state_changes.
    state_sequence integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    final_at timestamptz,
    CONSTRAINT one_per_client_reference UNIQUE (client_id, client_txn_ref),
    CONSTRAINT accepted_has_breakdown CHECK (
        state IN ('received', 'failed', 'reserve_failed') OR (reserve_amount IS NOT NULL AND vendor_id IS NOT NULL)),
    CONSTRAINT final_has_time CHECK ((state IN ('success', 'failed', 'reserve_failed')) = (final_at IS NOT NULL))
);

-- The history tables and the job queue name their transaction without a foreign key: only the purchase functions
-- write them, always for a transaction they have just read or written, and a transaction is never deleted. A key
-- would cost a lookup and a share lock on the transaction row per write (about ten per purchase).
CREATE TABLE purchases.state_changes (
    raas_txn_ref uuid NOT NULL,
    sequence integer NOT NULL,
    state text NOT NULL,
    cause text NOT NULL,
    response_code text,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (raas_txn_ref, sequence)
);

-- Every call made to a bank or a vendor for a transaction, and every result delivery attempt: when, what it came
-- to and how long it took (for support; never a secret, an auth code or a token).
CREATE TABLE purchases.calls (
    raas_txn_ref uuid NOT NULL,
    called_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    party text NOT NULL CHECK (party IN ('bank', 'vendor', 'client')),
    operation text NOT NULL CHECK (operation IN (
        'reserveFunds', 'transactResult', 'statusLookup', 'vend', 'vendStatus', 'vendorResult')),
    reference text,
    outcome text NOT NULL CHECK (length(outcome) <= 300),
    latency_ms integer
);

CREATE INDEX calls_by_transaction ON purchases.calls (raas_txn_ref, called_at);

-- The transactResult of each final transaction that reserved anything (API.md §4.2): its exact body, built once,
-- so that every delivery carries the same bytes; where it goes; and how delivery went.
CREATE TABLE purchases.result_deliveries (
    raas_txn_ref uuid PRIMARY KEY REFERENCES purchases.transactions,
    -- funding_source: the bank's transactResultUrl (Reserve and Transact); client: the client's (Transact).
    recipient text NOT NULL CHECK (recipient IN ('funding_source', 'client')),
    body text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged', 'gave_up')),
    attempts integer NOT NULL DEFAULT 0,
    first_attempt_at timestamptz,
    last_attempt_at timestamptz,
    last_outcome text,
    acknowledged_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX result_deliveries_unacknowledged ON purchases.result_deliveries (created_at) WHERE status <> 'acknowledged';

-- What a bank's status lookup said about a reservation whose answer never came (API.md §4.3), for support.
CREATE TABLE purchases.reservation_lookups (
    raas_txn_ref uuid PRIMARY KEY REFERENCES purchases.transactions,
    response_code text,
    response_message text,
    reserve_funds_txn_ref text,
    looked_up_at timestamptz NOT NULL DEFAULT now()
);

-- A vendor's confirmation that disagrees with a final transaction (API.md §5.2), for support.
CREATE TABLE purchases.vendor_conflicts (
    raas_txn_ref uuid NOT NULL REFERENCES purchases.transactions,
    vend_reference text NOT NULL,
    response_code text NOT NULL,
    response_message text,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- Durable work: vend (attempt or status poll), deliver_result, reservation_deadline (settles a reservation whose
-- answer was never recorded, because the process calling the bank stopped), reservation_lookup (asks the bank
-- what it holds for a reservation that was never answered).
CREATE TABLE purchases.jobs (
    raas_txn_ref uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('vend', 'deliver_result', 'reservation_deadline', 'reservation_lookup')),
    due_at timestamptz NOT NULL DEFAULT now(),
    -- Set by the claim; a worker's report is accepted only with the token of the lease it holds.
    lease_token uuid,
    claims integer NOT NULL DEFAULT 0,
    PRIMARY KEY (raas_txn_ref, kind)
);

CREATE INDEX jobs_due ON purchases.jobs (due_at);

-- Claims (client_id, client_txn_ref) and stores the purchase in the state the caller decided: 'failed' with the
-- business rejection's code, or accepted ('reserving' for Reserve and Transact, 'reserved' for Transact) with its
-- breakdown, its pending ledger transfer and its next job. A vendor float that cannot cover the purchase fails it
-- with 2221 instead. Reports whether this call created the transaction, or the one that holds the reference:
-- whether its content is the same, its state and the answer it was given.
CREATE TYPE purchases.open_result AS (
    claimed boolean, raas_txn_ref uuid, same_content boolean, state text, response_code text, response_message text);
