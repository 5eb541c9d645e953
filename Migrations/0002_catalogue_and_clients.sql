-- Configuration data (API.md §2): the catalogue, the contracts, and the parties that call the service.
-- Loaded by `transact seed` and changed by `transact clients …`. Ids are the contract's own (clientId,
-- productId, …). Secrets are never stored in clear: a client's secret as an scrypt hash, its API key as SHA-256,
-- and secrets the service must present or verify itself (Signature secrets, credentials for a bank or vendor)
-- sealed with AES-256-GCM under TRANSACT_MASTER_KEY (base64url of nonce, ciphertext and tag).

CREATE SCHEMA catalogue;

CREATE TABLE catalogue.countries (
    country_code text PRIMARY KEY CHECK (country_code ~ '^[A-Z]{2}$'),
    country_name text NOT NULL CHECK (length(country_name) BETWEEN 1 AND 100),
    dialing_prefix text NOT NULL CHECK (dialing_prefix ~ '^[0-9]{1,4}$')
);

CREATE TABLE catalogue.mno_prefixes (
    country_calling_code text NOT NULL CHECK (country_calling_code ~ '^[0-9]{1,4}$'),
    prefix text NOT NULL CHECK (prefix ~ '^[0-9]{1,10}$'),
    operator_code text NOT NULL CHECK (length(operator_code) BETWEEN 1 AND 32),
    operator_name text NOT NULL CHECK (length(operator_name) BETWEEN 1 AND 100),
    PRIMARY KEY (country_calling_code, prefix)
);

CREATE TABLE catalogue.product_types (
    product_type_id integer PRIMARY KEY CHECK (product_type_id > 0),
    product_type_name text NOT NULL CHECK (length(product_type_name) BETWEEN 1 AND 64)
);

CREATE TABLE catalogue.vendors (
    vendor_id bigint PRIMARY KEY CHECK (vendor_id > 0),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    adapter text NOT NULL CHECK (adapter IN ('simulated', 'http')),
    url text CHECK (length(url) <= 2048),
    auth_type text NOT NULL DEFAULT 'none' CHECK (auth_type IN ('none', 'basic', 'bearer')),
    auth_username text CHECK (length(auth_username) <= 256),
    auth_secret_sealed text,
    signature_required boolean NOT NULL DEFAULT false,
    signature_secret_sealed text,
    vend_timeout_ms integer NOT NULL CHECK (vend_timeout_ms BETWEEN 100 AND 120000),
    max_attempts integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 20),
    float_currency text CHECK (float_currency ~ '^[A-Z]{3}$'),
    float_account_code text,
    active boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (adapter <> 'http' OR url IS NOT NULL),
    CHECK (NOT signature_required OR signature_secret_sealed IS NOT NULL)
);

CREATE TABLE catalogue.products (
    product_id bigint PRIMARY KEY CHECK (product_id > 0 AND product_id <= 999999999999),
    product_type_id integer NOT NULL REFERENCES catalogue.product_types,
    vendor_id bigint NOT NULL REFERENCES catalogue.vendors,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
    short_description text NOT NULL CHECK (length(short_description) BETWEEN 1 AND 64),
    currency_code text NOT NULL CHECK (currency_code ~ '^[A-Z]{3}$'),
    -- Pricing: a fixed amount, or a range with an increment (amounts in minor units).
    fixed_amount bigint CHECK (fixed_amount > 0),
    min_amount bigint CHECK (min_amount > 0),
    max_amount bigint CHECK (max_amount <= 999999999999),
    amount_increment bigint CHECK (amount_increment > 0),
    target_identifier_kind text NOT NULL CHECK (target_identifier_kind IN ('msisdn', 'account')),
    supports_token boolean NOT NULL DEFAULT false,
    supports_account_validation boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    -- Channels the product is sold on; NULL for all.
    channels integer[],
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pricing_is_fixed_or_ranged CHECK (
        (fixed_amount IS NOT NULL AND min_amount IS NULL AND max_amount IS NULL AND amount_increment IS NULL)
        OR (fixed_amount IS NULL AND min_amount IS NOT NULL AND max_amount IS NOT NULL AND amount_increment IS NOT NULL
            AND min_amount <= max_amount))
);

CREATE TABLE catalogue.funding_sources (
    funding_source_id bigint PRIMARY KEY CHECK (funding_source_id > 0),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    adapter text NOT NULL CHECK (adapter IN ('simulated', 'http')),
    reserve_funds_url text CHECK (length(reserve_funds_url) <= 2048),
    transact_result_url text CHECK (length(transact_result_url) <= 2048),
    status_lookup_url text CHECK (length(status_lookup_url) <= 2048),
    auth_type text NOT NULL DEFAULT 'none' CHECK (auth_type IN ('none', 'basic', 'bearer')),
    auth_username text CHECK (length(auth_username) <= 256),
    auth_secret_sealed text,
    signature_required boolean NOT NULL DEFAULT false,
    signature_secret_sealed text,
    reservation_timeout_ms integer NOT NULL DEFAULT 12000 CHECK (reservation_timeout_ms BETWEEN 100 AND 120000),
    initial_retry_delay_ms integer NOT NULL DEFAULT 1000 CHECK (initial_retry_delay_ms BETWEEN 0 AND 86400000),
    retry_delay_ms integer NOT NULL DEFAULT 300000 CHECK (retry_delay_ms BETWEEN 1000 AND 86400000),
    max_retries integer NOT NULL DEFAULT 100 CHECK (max_retries BETWEEN 0 AND 10000),
    confirmation_window_seconds integer NOT NULL DEFAULT 604800
        CHECK (confirmation_window_seconds BETWEEN 60 AND 31536000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (adapter <> 'http' OR (reserve_funds_url IS NOT NULL AND transact_result_url IS NOT NULL)),
    CHECK (NOT signature_required OR signature_secret_sealed IS NOT NULL)
);

CREATE TABLE catalogue.clients (
    client_id bigint PRIMARY KEY CHECK (client_id > 0 AND client_id <= 99999),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role text NOT NULL CHECK (role IN ('client', 'vendor', 'support', 'admin')),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    -- scrypt, encoded as scrypt$<logN>$<r>$<p>$<salt base64url>$<hash base64url>.
    secret_hash text NOT NULL,
    -- Tokens issued before this instant are refused (API.md §1.1: rotation revokes).
    secret_rotated_at timestamptz NOT NULL DEFAULT now(),
    -- SHA-256 of the API key, lower-case hex; unique so that a key names one client.
    api_key_hash text NOT NULL UNIQUE CHECK (api_key_hash ~ '^[0-9a-f]{64}$'),
    signature_required boolean NOT NULL DEFAULT false,
    signature_secret_sealed text,
    -- Vendor users act for one vendor.
    vendor_id bigint REFERENCES catalogue.vendors,
    transact_result_url text CHECK (length(transact_result_url) <= 2048),
    rate_limit_per_second integer NOT NULL DEFAULT 100 CHECK (rate_limit_per_second BETWEEN 1 AND 100000),
    notification_channels integer[] NOT NULL DEFAULT '{}',
    notification_callback_url text CHECK (length(notification_callback_url) <= 2048),
    notification_daily_limit integer CHECK (notification_daily_limit >= 0),
    notification_monthly_limit integer CHECK (notification_monthly_limit >= 0),
    -- Price per message in minor units, by channelId: {"6": 25}.
    message_prices jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(message_prices) = 'object'),
    messaging_currency text CHECK (messaging_currency ~ '^[A-Z]{3}$'),
    messaging_account_code text,
    auto_notify_tokens boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'vendor') = (vendor_id IS NOT NULL)),
    CHECK (NOT signature_required OR signature_secret_sealed IS NOT NULL)
);

CREATE TABLE catalogue.client_funding_sources (
    client_id bigint NOT NULL REFERENCES catalogue.clients ON DELETE CASCADE,
    funding_source_id bigint NOT NULL REFERENCES catalogue.funding_sources,
    PRIMARY KEY (client_id, funding_source_id)
);

CREATE TABLE catalogue.client_products (
    client_id bigint NOT NULL REFERENCES catalogue.clients ON DELETE CASCADE,
    product_id bigint NOT NULL REFERENCES catalogue.products,
    PRIMARY KEY (client_id, product_id)
);

-- Terms per client and product, by the date they take effect; the latest that has taken effect applies.
CREATE TABLE catalogue.financial_terms (
    client_id bigint NOT NULL REFERENCES catalogue.clients,
    product_id bigint NOT NULL REFERENCES catalogue.products,
    effective_from timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z',
    fee_fixed bigint NOT NULL DEFAULT 0 CHECK (fee_fixed >= 0),
    fee_bps integer NOT NULL DEFAULT 0 CHECK (fee_bps BETWEEN 0 AND 10000),
    fee_min bigint CHECK (fee_min >= 0),
    fee_max bigint CHECK (fee_max >= 0),
    client_share_bps integer NOT NULL DEFAULT 0 CHECK (client_share_bps BETWEEN 0 AND 10000),
    vendor_share_bps integer NOT NULL DEFAULT 0 CHECK (vendor_share_bps BETWEEN 0 AND 10000),
    PRIMARY KEY (client_id, product_id, effective_from),
    CHECK (fee_min IS NULL OR fee_max IS NULL OR fee_min <= fee_max)
);

CREATE TABLE catalogue.blacklist (
    source_identifier text PRIMARY KEY CHECK (source_identifier ~ '^[A-Za-z0-9]{1,32}$'),
    added_at timestamptz NOT NULL DEFAULT now()
);

-- Token signing keys: the private half sealed under the master key (associated data: the kid). The newest
-- active key signs; retired keys still verify until every token they signed has expired.
CREATE TABLE catalogue.signing_keys (
    kid text PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{1,64}$'),
    algorithm text NOT NULL CHECK (algorithm = 'EdDSA'),
    public_key text NOT NULL CHECK (length(public_key) = 43),  -- base64url of 32 bytes
    private_key_sealed text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz
);

CREATE UNIQUE INDEX signing_keys_one_active ON catalogue.signing_keys ((true)) WHERE retired_at IS NULL;
