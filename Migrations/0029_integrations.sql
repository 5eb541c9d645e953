-- The One API's integrations (API.md §13, issue 18): a credential of its own for each integration a client makes
-- with Clickatell's messaging APIs, sent as the raw Authorization header. Only the key's SHA-256 is kept.
CREATE TABLE notifications.integrations (
    integration_id bigint PRIMARY KEY CHECK (integration_id BETWEEN 1 AND 999999999999),
    client_id bigint NOT NULL REFERENCES catalogue.clients (client_id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    api_key_hash text NOT NULL UNIQUE CHECK (api_key_hash ~ '^[0-9a-f]{64}$'),
    -- The channels it may send on: 6 SMS, 8 WhatsApp (API.md §7).
    channels integer[] NOT NULL CHECK (cardinality(channels) BETWEEN 1 AND 2 AND channels <@ ARRAY[6, 8]),
    status_callback_url text CHECK (length(status_callback_url) <= 2048 AND status_callback_url ~ '^https?://'),
    reply_callback_url text CHECK (length(reply_callback_url) <= 2048 AND reply_callback_url ~ '^https?://'),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX integrations_by_client ON notifications.integrations (client_id);
