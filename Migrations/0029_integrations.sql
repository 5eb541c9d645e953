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

-- A message sent through the One API keeps its integration and the integration's own reference (clientMessageId);
-- its service reference is `one-api/<apiMessageId>`. WhatsApp content may be 4,096 characters there (API.md §13;
-- the Notifications API keeps its 1,600, checked where it reads its body). Added NOT VALID: every row already
-- satisfies them, and a rolling deploy must not scan the table under its lock to learn so.
ALTER TABLE notifications.messages ADD COLUMN integration_id bigint, ADD COLUMN client_message_id text;
ALTER TABLE notifications.messages ADD CONSTRAINT client_message_id_bounded CHECK (length(client_message_id) <= 200) NOT VALID;
ALTER TABLE notifications.messages DROP CONSTRAINT messages_message_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_message_check CHECK (char_length(message) BETWEEN 1 AND 4096) NOT VALID;
ALTER TABLE notifications.messages DROP CONSTRAINT messages_client_notification_ref_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_client_notification_ref_check
    CHECK (client_notification_ref ~ '^([A-Za-z0-9._:-]{1,64}|(token|chat-2-pay|chat-2-pay-receipt|one-api)/[0-9a-f-]{36})$') NOT VALID;
ALTER TABLE notifications.messages DROP CONSTRAINT messages_origin_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_origin_check
    CHECK (origin IN ('api', 'token_purchase', 'chat_2_pay', 'one_api')) NOT VALID;
