-- The double-entry ledger (DESIGN.md §5). Its rules are stated once, here (the tables and their constraints) and in
-- Migrations/repeatable/01_ledger.sql (the functions and triggers), and enforced by PostgreSQL itself,
-- whoever sends the SQL:
--   * a transfer's postings sum to zero per currency, and arrive all together in the transaction that creates it;
--   * transfers and postings are never updated or deleted;
--   * a pending transfer is resolved (posted, voided or expired) at most once, a post never exceeds what was
--     pending, and only an expired pending transfer may be expired (by the database clock);
--   * an account flagged "debits must not exceed credits" (or the reverse) is never overdrawn, pending included;
--   * account balances change only through postings.
-- Amounts are bigint minor units. A posting's amount is signed: positive debits the account, negative credits it.
-- Refusals raise SQLSTATEs of class LG (see Sources/Ledger/LedgerError.swift), or 23xxx for constraints.

CREATE SCHEMA ledger;

CREATE TABLE ledger.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_.:-]{1,128}$'),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- Assets and expenses grow by debits; liabilities, equity and revenue grow by credits.
    kind text NOT NULL CHECK (kind IN ('asset', 'liability', 'equity', 'revenue', 'expense')),
    debits_must_not_exceed_credits boolean NOT NULL DEFAULT false,
    credits_must_not_exceed_debits boolean NOT NULL DEFAULT false,
    posted_debits bigint NOT NULL DEFAULT 0 CHECK (posted_debits >= 0),
    posted_credits bigint NOT NULL DEFAULT 0 CHECK (posted_credits >= 0),
    pending_debits bigint NOT NULL DEFAULT 0 CHECK (pending_debits >= 0),
    pending_credits bigint NOT NULL DEFAULT 0 CHECK (pending_credits >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT debits_within_credits
        CHECK (NOT debits_must_not_exceed_credits OR posted_debits + pending_debits <= posted_credits),
    CONSTRAINT credits_within_debits
        CHECK (NOT credits_must_not_exceed_debits OR posted_credits + pending_credits <= posted_debits),
    CONSTRAINT one_direction_limit
        CHECK (NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits))
);

CREATE TABLE ledger.transfers (
    id uuid PRIMARY KEY,
    -- single: posted at once; pending: reserved until resolved; post/void/expire: resolve a pending transfer.
    kind text NOT NULL CHECK (kind IN ('single', 'pending', 'post', 'void', 'expire')),
    -- Checked by ledger.resolve_pending (see the note on postings below).
    pending_id uuid,
    expires_at timestamptz,
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 256),
    metadata jsonb CHECK (metadata IS NULL OR length(metadata::text) <= 4096),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT resolution_names_pending CHECK ((kind IN ('post', 'void', 'expire')) = (pending_id IS NOT NULL)),
    CONSTRAINT only_pending_expires CHECK (expires_at IS NULL OR kind = 'pending')
);

-- At most one resolution per pending transfer.
CREATE UNIQUE INDEX transfers_resolved_once ON ledger.transfers (pending_id) WHERE pending_id IS NOT NULL;
-- Finds pending transfers due for expiry.
CREATE INDEX transfers_expiring ON ledger.transfers (expires_at) WHERE expires_at IS NOT NULL;

-- transfer_id and account_id must name existing rows. ledger.apply_postings checks that, instead of foreign
-- keys: no ledger row is ever deleted, so existence when the posting is written is enough, and the check rides on
-- lookups the trigger makes anyway, where foreign keys cost two more per posting (measured: batched two-phase
-- transfers 6,540/s with them, 7,950/s without).
CREATE TABLE ledger.postings (
    transfer_id uuid NOT NULL,
    account_id bigint NOT NULL,
    amount bigint NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (transfer_id, account_id)
);

CREATE INDEX postings_by_account ON ledger.postings (account_id);

-- ---------------------------------------------------------------------------------------------------------------
-- The functions callers use: each is one statement, one round trip.

CREATE TYPE ledger.transfer_result AS (id uuid, created_at timestamptz, replayed boolean);
