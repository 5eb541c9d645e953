-- Notifications (API.md §7). One row per (clientId, clientNotificationRef); every status a message enters is
-- recorded with its time; each status change after acceptance is pushed to the client's notification callback URL
-- through a durable outbox (notifications.callbacks), at least once and in order per message.
--
-- Sending is work on the message row itself: send_due_at says when it is due (NULL: nothing to send), and a claim
-- pushes it a lease into the future under a lease token, so a worker that dies lets the message come due again.
-- Any number of processes claim with FOR UPDATE SKIP LOCKED; NOTIFY notification_work wakes them at once.
--
-- The rules of §7 are applied when a message is first claimed for sending (so a scheduled message counts on the day
-- it goes out): expiry at valid_until (20), then the client's daily (27) and monthly (28) volume per channel, then
-- its messaging credit (25). A message that passes is counted and charged its channel's price in the same statement:
--   debit  client:<clientId>:messaging-credit:<CUR>   (a liability: what the client prepaid, never overdrawn)
--   credit revenue:messaging:<CUR>
-- A message that never reaches the supplier (refused at hand-off, retries exhausted, expired or stopped after its
-- charge) is refunded by the reverse transfer; one the supplier accepted stays charged, whatever its receipt says.

CREATE SCHEMA notifications;

CREATE TABLE notifications.messages (
    notification_id uuid PRIMARY KEY,
    client_id bigint NOT NULL,
    -- Letters, digits and . _ : - only, so that the service's own references ('token/<raasTxnRef>', for the token
    -- SMS of a purchase) can never collide with a client's.
    client_notification_ref text NOT NULL CHECK (client_notification_ref ~ '^([A-Za-z0-9._:-]{1,64}|token/[0-9a-f-]{36})$'),
    origin text NOT NULL DEFAULT 'api' CHECK (origin IN ('api', 'token_purchase')),
    channel_id integer NOT NULL CHECK (channel_id IN (6, 8)),
    destination_identifier text NOT NULL CHECK (destination_identifier ~ '^[0-9]{8,15}$'),
    message text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 1600),
    source_identifier text CHECK (length(source_identifier) <= 64),
    transaction_ref text CHECK (length(transaction_ref) <= 64),
    channel_route_id text CHECK (length(channel_route_id) <= 64),
    scheduled_at timestamptz,
    valid_until timestamptz,
    status_code integer NOT NULL,
    -- The number of statuses entered so far: the sequence of the latest entry in status_changes.
    status_sequence integer NOT NULL DEFAULT 1,
    supplier_reference text CHECK (length(supplier_reference) <= 128),
    -- The charge, set when the message is first claimed (0: free); the account it was drawn from; and whether it
    -- was given back because the message never reached the supplier.
    price bigint CHECK (price >= 0),
    charged_account text,
    refunded boolean NOT NULL DEFAULT false,
    send_due_at timestamptz,
    send_lease_token uuid,
    send_attempts integer NOT NULL DEFAULT 0 CHECK (send_attempts BETWEEN 0 AND 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT one_per_client_notification_reference UNIQUE (client_id, client_notification_ref),
    CONSTRAINT valid_after_scheduled CHECK (valid_until IS NULL OR scheduled_at IS NULL OR valid_until > scheduled_at),
    CONSTRAINT charged_from_an_account CHECK (coalesce(price, 0) = 0 OR charged_account IS NOT NULL)
);

CREATE INDEX messages_send_due ON notifications.messages (send_due_at) WHERE send_due_at IS NOT NULL;

CREATE TABLE notifications.status_changes (
    notification_id uuid NOT NULL,
    sequence integer NOT NULL,
    status_code integer NOT NULL,
    cause text NOT NULL CHECK (length(cause) <= 300),
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (notification_id, sequence)
);

-- The outbox: one row per status change to push to the client. The body is made from the status change and the
-- message's fixed fields, which never change, so every attempt carries the same content.
CREATE TABLE notifications.callbacks (
    notification_id uuid NOT NULL,
    sequence integer NOT NULL,
    client_id bigint NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged', 'gave_up')),
    due_at timestamptz NOT NULL DEFAULT now(),
    lease_token uuid,
    attempts integer NOT NULL DEFAULT 0,
    last_outcome text CHECK (length(last_outcome) <= 300),
    last_attempt_at timestamptz,
    acknowledged_at timestamptz,
    PRIMARY KEY (notification_id, sequence)
);

CREATE INDEX callbacks_due ON notifications.callbacks (due_at) WHERE status = 'pending';

-- Messages counted against the volume limits, per client, channel and UTC day or month.
CREATE TABLE notifications.volumes (
    client_id bigint NOT NULL,
    channel_id integer NOT NULL,
    period text NOT NULL CHECK (period IN ('day', 'month')),
    period_start date NOT NULL,
    sent integer NOT NULL DEFAULT 0 CHECK (sent >= 0),
    PRIMARY KEY (client_id, channel_id, period, period_start)
);

-- Accepts a message (the fields of notifications.messages, as JSON). Answers created, existing (the reference is
-- taken: the original is returned, whatever this request said) or channel_not_configured.
CREATE TYPE notifications.accept_result AS (
    outcome text, notification_id uuid, client_notification_ref text, status_code integer);

-- Claims up to p_limit messages due for sending under a lease of p_lease_seconds, applying the rules of §7 to each
-- the first time (see the head of this file), in one statement for the batch. Returns those to hand to a channel.
CREATE TYPE notifications.send_claim AS (
    notification_id uuid, lease_token uuid, channel_id integer, destination_identifier text, message text,
    attempt integer);

-- Stops a message that has not been sent (21 by its client, 22 by support). A message being handed to a channel
-- right now (its lease is held) or already sent is not stopped. p_client_id NULL: support, any client's.
CREATE TYPE notifications.stop_result AS (found boolean, stopped boolean, status_code integer);
