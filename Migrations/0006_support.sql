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

-- Finds resolutions by time for the settlement file.
CREATE INDEX transfers_resolutions_by_time ON ledger.transfers (created_at) WHERE kind IN ('post', 'void');

-- The notifications sent about a transaction (the token SMS), for its story.
CREATE INDEX messages_by_transaction ON notifications.messages (transaction_ref) WHERE transaction_ref IS NOT NULL;

-- Reservations the bank never answered, for the exceptions (rare rows: a small index).
CREATE INDEX transactions_unanswered_reservations ON purchases.transactions (created_at)
    WHERE reserve_funds_response_code = '2060';
