-- Chat 2 Pay (API.md §12, issue 17): a merchant asks its customer to pay through a link sent over SMS or WhatsApp;
-- the customer pays on a page the service hosts, through the bank interfaces of §4. Its functions are in
-- Migrations/repeatable/07_chat2pay.sql.
CREATE SCHEMA chat2pay;

-- The clients that take payments by chat (seed: clients[].chat2Pay).
CREATE TABLE chat2pay.merchants (
    client_id bigint PRIMARY KEY REFERENCES catalogue.clients (client_id),
    merchant_name text NOT NULL CHECK (length(merchant_name) BETWEEN 1 AND 100),
    callback_url text CHECK (length(callback_url) <= 2048 AND callback_url ~ '^https?://'),
    -- How long a link is valid unopened, and a page once opened (by the database clock).
    link_ttl_seconds integer NOT NULL DEFAULT 300 CHECK (link_ttl_seconds BETWEEN 30 AND 604800),
    page_ttl_seconds integer NOT NULL DEFAULT 900 CHECK (page_ttl_seconds BETWEEN 30 AND 86400),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A payment request's statuses (API.md §12; the ids are decided there, except 19 which is Clickatell's).
CREATE TABLE chat2pay.statuses (
    status_id smallint PRIMARY KEY,
    name text NOT NULL UNIQUE
);

INSERT INTO chat2pay.statuses (status_id, name) VALUES
    (1, 'PAYMENT_LINK_REQUEST_RECEIVED'), (2, 'PAYMENT_LINK_SENT'), (3, 'PAYMENT_LINK_SENT_FAILED'),
    (4, 'PAYMENT_LINK_CLICKED'), (5, 'PAYMENT_LINK_EXPIRED'), (6, 'PAYMENT_PAGE_EXPIRED'), (7, 'AUTHORIZED'),
    (8, 'CAPTURED'), (9, 'DECLINED'), (10, 'REVERSED'), (19, 'PAYMENT_LINK_CANCELLED'), (20, 'RECEIPT_LINK_SENT'),
    (21, 'RECEIPT_LINK_SENT_FAILED');

CREATE TABLE chat2pay.requests (
    payment_link_ref uuid PRIMARY KEY,
    client_id bigint NOT NULL REFERENCES chat2pay.merchants (client_id),
    order_number text NOT NULL CHECK (length(order_number) BETWEEN 1 AND 64),
    -- The request as asked (every field but its timestamp), to tell a repeat from a different request.
    fingerprint text NOT NULL,
    channel text NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'none')),
    recipient text CHECK (recipient ~ '^[0-9]{8,15}$'),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    sub_total_amount bigint NOT NULL CHECK (sub_total_amount >= 0),
    tax_amount bigint NOT NULL CHECK (tax_amount >= 0),
    total_amount bigint NOT NULL CHECK (total_amount > 0 AND total_amount = sub_total_amount + tax_amount),
    transaction_type text NOT NULL CHECK (transaction_type IN ('authorization', 'sale')),
    funding_source_id bigint NOT NULL REFERENCES catalogue.funding_sources (funding_source_id),
    return_payment_link boolean NOT NULL,
    payment_review_auto_reversal boolean NOT NULL,
    product_id bigint REFERENCES catalogue.products (product_id),
    target_identifier text CHECK (length(target_identifier) <= 32),
    additional_data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(additional_data) = 'object'),
    requested_at timestamptz NOT NULL,
    status_id smallint NOT NULL REFERENCES chat2pay.statuses (status_id),
    status_sequence integer NOT NULL CHECK (status_sequence > 0),
    -- The link's token is never stored: its SHA-256 (hex) finds the request.
    token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    link_expires_at timestamptz NOT NULL,
    page_expires_at timestamptz,
    notification_id uuid,
    -- The receipt's link, once asked for (POST /api/v2/order-receipt): its token's SHA-256, as the payment link's.
    receipt_token_hash text UNIQUE CHECK (receipt_token_hash ~ '^[0-9a-f]{64}$'),
    -- The payment: a submission of the page claims it (paying_since) until the bank's answer is recorded.
    paying_since timestamptz,
    reserve_funds_txn_ref text CHECK (length(reserve_funds_txn_ref) <= 64),
    bank_response_code text CHECK (bank_response_code ~ '^[0-9]{4}$'),
    bank_response_message text CHECK (length(bank_response_message) <= 200),
    authorized_amount bigint CHECK (authorized_amount > 0),
    captured_amount bigint CHECK (captured_amount >= 0),
    capture_deadline timestamptz,
    -- A product bought by chat: the purchase its capture opened (the Transact flow of the purchase core), or why
    -- none could be.
    purchase_raas_txn_ref uuid,
    purchase_refusal text CHECK (length(purchase_refusal) <= 300),
    trace_parent text CHECK (length(trace_parent) <= 55),
    -- When time may next settle the request (chat2pay.settle_due): a link's expiry, a page's, a payment under way
    -- (from its claim: the sweeper waits for the bank's timeout and a grace), an authorisation's deadline.
    due_at timestamptz GENERATED ALWAYS AS (CASE status_id
        WHEN 1 THEN link_expires_at WHEN 2 THEN link_expires_at
        WHEN 4 THEN coalesce(paying_since, page_expires_at)
        WHEN 7 THEN capture_deadline END) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT one_per_client_order UNIQUE (client_id, order_number),
    CONSTRAINT recipient_unless_no_channel CHECK (channel = 'none' OR recipient IS NOT NULL),
    CONSTRAINT product_with_target CHECK ((product_id IS NULL) = (target_identifier IS NULL)),
    CONSTRAINT captured_within_authorised CHECK (captured_amount IS NULL OR captured_amount <= authorized_amount)
);

-- Due work: links and pages to expire, payments whose bank never answered, authorisations to reverse.
CREATE INDEX requests_due ON chat2pay.requests (due_at) WHERE due_at IS NOT NULL;

-- Support's searches (API.md §8): a customer's requests, and the newest of all.
CREATE INDEX requests_by_recipient ON chat2pay.requests (recipient, created_at DESC) WHERE recipient IS NOT NULL;
CREATE INDEX requests_by_time ON chat2pay.requests (created_at DESC);

CREATE TABLE chat2pay.status_changes (
    payment_link_ref uuid NOT NULL REFERENCES chat2pay.requests (payment_link_ref),
    sequence integer NOT NULL,
    status_id smallint NOT NULL REFERENCES chat2pay.statuses (status_id),
    changed_at timestamptz NOT NULL DEFAULT now(),
    cause text NOT NULL CHECK (length(cause) <= 300),
    PRIMARY KEY (payment_link_ref, sequence)
);

-- The outbox: what is owed to the bank (its transactResult for a capture or a release), to the merchant (a
-- callback per status change) and to the customer (the product a captured payment buys, as a purchase). Each
-- delivery's bytes are built once, so every attempt sends the same.
CREATE TABLE chat2pay.deliveries (
    payment_link_ref uuid NOT NULL REFERENCES chat2pay.requests (payment_link_ref),
    kind text NOT NULL CHECK (kind IN ('bank_result', 'callback', 'purchase')),
    sequence integer NOT NULL,
    body text NOT NULL CHECK (length(body) <= 16384),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged', 'gave_up')),
    due_at timestamptz NOT NULL DEFAULT now(),
    lease_token uuid,
    attempts integer NOT NULL DEFAULT 0,
    last_outcome text CHECK (length(last_outcome) <= 300),
    last_attempt_at timestamptz,
    acknowledged_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (payment_link_ref, kind, sequence)
);

CREATE INDEX deliveries_due ON chat2pay.deliveries (due_at) WHERE status = 'pending';

-- The link goes out as a message of the Notifications pipeline, which tells its origin apart.
ALTER TABLE notifications.messages DROP CONSTRAINT messages_origin_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_origin_check
    CHECK (origin IN ('api', 'token_purchase', 'chat_2_pay')) NOT VALID;
-- Its reference is the service's own, as a token purchase's is: `chat-2-pay/<paymentLinkRef>` for the link and
-- `chat-2-pay-receipt/<paymentLinkRef>` for the receipt ('/' never appears in a client's reference).
ALTER TABLE notifications.messages DROP CONSTRAINT messages_client_notification_ref_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_client_notification_ref_check
    CHECK (client_notification_ref ~ '^([A-Za-z0-9._:-]{1,64}|(token|chat-2-pay|chat-2-pay-receipt)/[0-9a-f-]{36})$') NOT VALID;
