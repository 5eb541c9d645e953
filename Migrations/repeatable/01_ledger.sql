-- The ledger's rules (API.md §3.5, DESIGN.md §5), in the style of pgledger: accounts change only through
-- postings, transfers balance per currency, a pending transfer is resolved at most once, history is never rewritten.
-- The tables are in Migrations/0001_ledger.sql.
--
-- A repeatable file (DESIGN.md §4): `transact migrate` re-applies the whole set, in file order, after the numbered
-- migrations, whenever any of it changed (or a migration was applied), in one transaction. Everything here is
-- CREATE OR REPLACE; a change of a function's arguments or result, or an object that goes, needs a numbered migration
-- that drops it first.

-- History is append-only: every table that is history, the ledger's and the application's (purchases,
-- notifications, the support audit log), has a trigger that refuses to change or remove its rows, naming the table,
-- with the SQLSTATE its argument gives (the ledger's own LG003 when it gives none).
CREATE OR REPLACE FUNCTION ledger.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.% is history: its rows are never updated or deleted', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = coalesce(TG_ARGV[0], 'LG003');
END $$;

CREATE OR REPLACE TRIGGER transfers_append_only BEFORE UPDATE OR DELETE ON ledger.transfers
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite();

CREATE OR REPLACE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON ledger.transfers
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_rewrite();

CREATE OR REPLACE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON ledger.postings
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite();

CREATE OR REPLACE TRIGGER postings_no_truncate BEFORE TRUNCATE ON ledger.postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_rewrite();

CREATE OR REPLACE TRIGGER accounts_no_truncate BEFORE TRUNCATE ON ledger.accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_rewrite();

-- Accounts: identity and balances change only through the ledger's own triggers; limit flags may change (the
-- CHECK constraints still hold for the balance the account has).
CREATE OR REPLACE FUNCTION ledger.guard_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'ledger accounts are never deleted' USING ERRCODE = 'LG003';
    END IF;
    IF NEW.id <> OLD.id OR NEW.code <> OLD.code OR NEW.currency <> OLD.currency OR NEW.kind <> OLD.kind
        OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'ledger account % cannot change its identity', OLD.code USING ERRCODE = 'LG003';
    END IF;
    IF (NEW.posted_debits, NEW.posted_credits, NEW.pending_debits, NEW.pending_credits)
        IS DISTINCT FROM (OLD.posted_debits, OLD.posted_credits, OLD.pending_debits, OLD.pending_credits)
        AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'balance of ledger account % changes only through postings', OLD.code USING ERRCODE = 'LG003';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER accounts_guarded BEFORE UPDATE OR DELETE ON ledger.accounts
    FOR EACH ROW EXECUTE FUNCTION ledger.guard_account();

-- The postings of one transfer, by its primary key. Queries over transition tables and JSON go through this
-- (and LATERAL … LIMIT 1 lookups) because their row counts are unknown to the planner, which otherwise may
-- choose a merge or hash join that reads a whole table for a handful of rows.
CREATE OR REPLACE FUNCTION ledger.pending_postings(p_transfer_id uuid) RETURNS SETOF ledger.postings
LANGUAGE sql STABLE AS $$
    SELECT * FROM ledger.postings WHERE transfer_id = p_transfer_id OFFSET 0
$$;

-- What a transfer moved, as postings: its own, or, for a post in full (which has none), its pending transfer's.
-- For readers (support, the checks); the posting's transfer_id names the transfer whose row it is.
CREATE OR REPLACE FUNCTION ledger.moved_postings(p_transfer_id uuid) RETURNS SETOF ledger.postings
LANGUAGE sql STABLE AS $$
    SELECT ps.* FROM ledger.transfers t
    JOIN ledger.postings ps ON ps.transfer_id = CASE WHEN t.posts_in_full THEN t.pending_id ELSE t.id END
    WHERE t.id = p_transfer_id
$$;

-- Resolutions: check the pending transfers and release what they held; a post in full (which has no postings of
-- its own) moves what it releases into the accounts' posted balances. Statement-level, so that a batch of
-- resolutions is checked and released with a few set-based statements.
CREATE OR REPLACE FUNCTION ledger.resolve_pending() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    problem record;
BEGIN
    IF NOT EXISTS (SELECT FROM new_transfers WHERE pending_id IS NOT NULL) THEN
        RETURN NULL;
    END IF;

    SELECT r.id, r.kind, r.pending_id, p.kind AS pending_kind, p.expires_at
    INTO problem
    FROM new_transfers r
    LEFT JOIN LATERAL (SELECT * FROM ledger.transfers p WHERE p.id = r.pending_id LIMIT 1) p ON true
    WHERE r.pending_id IS NOT NULL
      AND (p.kind IS NULL
       OR p.kind <> 'pending'
       OR (r.kind = 'expire' AND (p.expires_at IS NULL OR p.expires_at > now()))
       OR (r.kind IN ('post', 'void') AND p.expires_at IS NOT NULL AND p.expires_at <= now()))
    LIMIT 1;
    IF FOUND THEN
        IF problem.pending_kind IS NULL THEN
            RAISE EXCEPTION 'transfer % resolves transfer %, which does not exist', problem.id, problem.pending_id
                USING ERRCODE = 'LG005';
        ELSIF problem.pending_kind <> 'pending' THEN
            RAISE EXCEPTION 'transfer % resolves a transfer that is not pending', problem.id USING ERRCODE = 'LG005';
        ELSIF problem.kind = 'expire' THEN
            RAISE EXCEPTION 'transfer % expires a pending transfer that has not expired', problem.id
                USING ERRCODE = 'LG005';
        ELSE
            RAISE EXCEPTION 'transfer % resolves a pending transfer that expired at %', problem.id, problem.expires_at
                USING ERRCODE = 'LG006';
        END IF;
    END IF;

    -- Lock in account id order so that concurrent transfers never deadlock.
    PERFORM 1 FROM ledger.accounts
    WHERE id = ANY (ARRAY(SELECT ps.account_id FROM new_transfers r CROSS JOIN LATERAL ledger.pending_postings(r.pending_id) ps))
    ORDER BY id FOR NO KEY UPDATE;

    UPDATE ledger.accounts a
    SET pending_debits = a.pending_debits - released.debits,
        pending_credits = a.pending_credits - released.credits,
        posted_debits = a.posted_debits + released.posted_debits,
        posted_credits = a.posted_credits + released.posted_credits
    FROM (
        SELECT ps.account_id,
               sum(greatest(ps.amount, 0)) AS debits,
               sum(greatest(-ps.amount, 0)) AS credits,
               coalesce(sum(greatest(ps.amount, 0)) FILTER (WHERE r.posts_in_full), 0) AS posted_debits,
               coalesce(sum(greatest(-ps.amount, 0)) FILTER (WHERE r.posts_in_full), 0) AS posted_credits
        FROM new_transfers r
        CROSS JOIN LATERAL ledger.pending_postings(r.pending_id) ps
        GROUP BY ps.account_id
    ) released
    WHERE a.id = released.account_id;
    RETURN NULL;
END $$;

-- Only resolutions need it; for single and pending transfers it is one look at the new rows.
CREATE OR REPLACE TRIGGER transfers_resolve_pending AFTER INSERT ON ledger.transfers
    REFERENCING NEW TABLE AS new_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.resolve_pending();

-- Postings: check the transfers they belong to, then move the balances. One query checks every rule, so that
-- a statement inserting one transfer's postings or a batch's costs about the same few statements.
CREATE OR REPLACE FUNCTION ledger.apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    problem record;
BEGIN
    -- A statement trigger fires for an insert of no rows too (a batch whose posts are all in full).
    IF NOT EXISTS (SELECT FROM new_postings) THEN
        RETURN NULL;
    END IF;
    SELECT checked.transfer_id, checked.problem INTO problem
    FROM (
        SELECT n.transfer_id,
               CASE
                   -- Postings join a transfer only in the transaction that created it (by the transaction's
                   -- start time, which also holds inside savepoints): history is never extended.
                   WHEN bool_or(t.id IS NULL OR a.currency IS NULL) THEN 'LG008'
                   WHEN bool_or(t.created_at <> now()) THEN 'LG002'
                   WHEN sum(n.amount) <> 0 THEN 'LG001'
                   WHEN bool_or(t.kind IN ('void', 'expire') OR t.posts_in_full) THEN 'LG005'
                   -- A post moves at most what was pending, on the same accounts, in the same direction.
                   WHEN bool_or(t.kind = 'post' AND (pending.amount IS NULL OR sign(pending.amount) <> sign(n.amount)
                                                     OR abs(n.amount) > abs(pending.amount))) THEN 'LG005'
               END AS problem
        FROM new_postings n
        LEFT JOIN LATERAL (SELECT * FROM ledger.transfers t WHERE t.id = n.transfer_id LIMIT 1) t ON true
        LEFT JOIN LATERAL (SELECT a.currency FROM ledger.accounts a WHERE a.id = n.account_id LIMIT 1) a ON true
        LEFT JOIN LATERAL (
            SELECT p.amount FROM ledger.postings p
            WHERE t.kind = 'post' AND p.transfer_id = t.pending_id AND p.account_id = n.account_id LIMIT 1
        ) pending ON true
        GROUP BY n.transfer_id, a.currency
    ) checked
    WHERE checked.problem IS NOT NULL
    ORDER BY checked.problem <> 'LG008'  -- a missing row explains every other problem of its transfer
    LIMIT 1;
    IF FOUND THEN
        CASE problem.problem
            WHEN 'LG008' THEN
                RAISE EXCEPTION 'a posting of transfer % names a transfer or an account that does not exist',
                    problem.transfer_id USING ERRCODE = 'LG008';
            WHEN 'LG002' THEN
                RAISE EXCEPTION 'postings of transfer % must be written in the transaction that creates it',
                    problem.transfer_id USING ERRCODE = 'LG002';
            WHEN 'LG001' THEN
                RAISE EXCEPTION 'postings of transfer % do not sum to zero per currency', problem.transfer_id
                    USING ERRCODE = 'LG001';
            ELSE
                RAISE EXCEPTION 'transfer % moves money it may not: a release, or a post beyond its pending transfer',
                    problem.transfer_id USING ERRCODE = 'LG005';
        END CASE;
    END IF;

    PERFORM 1 FROM ledger.accounts WHERE id = ANY (ARRAY(SELECT account_id FROM new_postings)) ORDER BY id FOR NO KEY UPDATE;

    UPDATE ledger.accounts a
    SET posted_debits = a.posted_debits + moved.posted_debits,
        posted_credits = a.posted_credits + moved.posted_credits,
        pending_debits = a.pending_debits + moved.pending_debits,
        pending_credits = a.pending_credits + moved.pending_credits
    FROM (
        SELECT n.account_id,
               sum(CASE WHEN t.kind <> 'pending' THEN greatest(n.amount, 0) ELSE 0 END) AS posted_debits,
               sum(CASE WHEN t.kind <> 'pending' THEN greatest(-n.amount, 0) ELSE 0 END) AS posted_credits,
               sum(CASE WHEN t.kind = 'pending' THEN greatest(n.amount, 0) ELSE 0 END) AS pending_debits,
               sum(CASE WHEN t.kind = 'pending' THEN greatest(-n.amount, 0) ELSE 0 END) AS pending_credits
        FROM new_postings n
        CROSS JOIN LATERAL (SELECT t.kind FROM ledger.transfers t WHERE t.id = n.transfer_id LIMIT 1) t
        GROUP BY n.account_id
    ) moved
    WHERE a.id = moved.account_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER postings_apply AFTER INSERT ON ledger.postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.apply_postings();

-- Balances as a reader wants them. "Normal" is the side an account grows on; available is what may still leave
-- it: posted minus pending outflows.
CREATE OR REPLACE VIEW ledger.balances AS
SELECT id, code, currency, kind,
       CASE WHEN kind IN ('asset', 'expense') THEN posted_debits - posted_credits
            ELSE posted_credits - posted_debits END AS posted,
       CASE WHEN kind IN ('asset', 'expense') THEN pending_debits - pending_credits
            ELSE pending_credits - pending_debits END AS pending,
       CASE WHEN kind IN ('asset', 'expense') THEN posted_debits - posted_credits - pending_credits
            ELSE posted_credits - posted_debits - pending_debits END AS available,
       posted_debits, posted_credits, pending_debits, pending_credits
FROM ledger.accounts;

-- Creates an account, or returns the existing one when everything but the id matches.
CREATE OR REPLACE FUNCTION ledger.create_account(
    p_code text, p_currency text, p_kind text,
    p_debits_must_not_exceed_credits boolean DEFAULT false,
    p_credits_must_not_exceed_debits boolean DEFAULT false
) RETURNS ledger.accounts LANGUAGE plpgsql AS $$
DECLARE
    account ledger.accounts;
BEGIN
    INSERT INTO ledger.accounts (code, currency, kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits)
    VALUES (p_code, p_currency, p_kind, p_debits_must_not_exceed_credits, p_credits_must_not_exceed_debits)
    ON CONFLICT (code) DO NOTHING
    RETURNING * INTO account;
    IF FOUND THEN
        RETURN account;
    END IF;
    SELECT * INTO account FROM ledger.accounts WHERE code = p_code;
    IF (account.currency, account.kind, account.debits_must_not_exceed_credits, account.credits_must_not_exceed_debits)
        IS DISTINCT FROM (p_currency, p_kind, p_debits_must_not_exceed_credits, p_credits_must_not_exceed_debits) THEN
        RAISE EXCEPTION 'account % exists with different attributes', p_code USING ERRCODE = 'LG004';
    END IF;
    RETURN account;
END $$;

-- What a transfer request was, for comparing a repeat with the original.
CREATE OR REPLACE FUNCTION ledger.transfer_fingerprint(p_id uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'kind', t.kind, 'pending_id', t.pending_id, 'posts_in_full', t.posts_in_full, 'description', t.description,
        'metadata', t.metadata, 'postings', (SELECT coalesce(jsonb_agg(jsonb_build_array(a.code, ps.amount) ORDER BY a.code), '[]'::jsonb)
                     FROM ledger.postings ps JOIN ledger.accounts a ON a.id = ps.account_id
                     WHERE ps.transfer_id = t.id))
    FROM ledger.transfers t WHERE t.id = p_id
$$;

-- What a request asks for, in the form of ledger.transfer_fingerprint, for comparing it with what is stored.
CREATE OR REPLACE FUNCTION ledger.request_fingerprint(
    p_kind text, p_pending_id uuid, p_posts_in_full boolean, p_description text, p_metadata jsonb,
    p_account_codes text[], p_amounts bigint[]
) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'kind', p_kind, 'pending_id', p_pending_id, 'posts_in_full', p_posts_in_full,
        'description', coalesce(p_description, ''), 'metadata', p_metadata,
        'postings', (SELECT coalesce(jsonb_agg(jsonb_build_array(c, a) ORDER BY c), '[]'::jsonb)
                     FROM unnest(p_account_codes, p_amounts) AS r(c, a)))
$$;

-- Writes a transfer and its postings. p_kind is 'single' or 'pending' (with p_timeout_seconds, or NULL for no
-- expiry), or 'post' (with p_pending_id). A repeat of an id with the same content returns the original
-- (replayed = true); with different content it is refused (LG004).
CREATE OR REPLACE FUNCTION ledger.create_transfer(
    p_id uuid, p_kind text, p_account_codes text[], p_amounts bigint[],
    p_description text DEFAULT '', p_pending_id uuid DEFAULT NULL, p_timeout_seconds integer DEFAULT NULL,
    p_metadata jsonb DEFAULT NULL
) RETURNS ledger.transfer_result LANGUAGE plpgsql AS $$
DECLARE
    result ledger.transfer_result;
BEGIN
    IF p_kind NOT IN ('single', 'pending', 'post') THEN
        RAISE EXCEPTION 'create_transfer writes single, pending or post transfers, not %', p_kind USING ERRCODE = '22023';
    END IF;
    IF cardinality(p_account_codes) IS DISTINCT FROM cardinality(p_amounts) OR cardinality(p_amounts) > 64 THEN
        RAISE EXCEPTION 'a transfer has at most 64 postings, one amount per account' USING ERRCODE = '22023';
    END IF;
    IF p_timeout_seconds IS NOT NULL AND (p_kind <> 'pending' OR p_timeout_seconds <= 0) THEN
        RAISE EXCEPTION 'only a pending transfer has a timeout, and it is positive' USING ERRCODE = '22023';
    END IF;

    INSERT INTO ledger.transfers (id, kind, pending_id, expires_at, description, metadata)
    VALUES (p_id, p_kind, p_pending_id,
            CASE WHEN p_timeout_seconds IS NOT NULL THEN now() + make_interval(secs => p_timeout_seconds) END,
            coalesce(p_description, ''), p_metadata)
    ON CONFLICT (id) DO NOTHING
    RETURNING id, created_at, false INTO result;

    IF NOT FOUND THEN
        IF ledger.transfer_fingerprint(p_id) IS DISTINCT FROM ledger.request_fingerprint(
            p_kind, p_pending_id, false, p_description, p_metadata, p_account_codes, p_amounts) THEN
            RAISE EXCEPTION 'transfer % exists with different content', p_id USING ERRCODE = 'LG004';
        END IF;
        SELECT id, created_at, true INTO result FROM ledger.transfers WHERE id = p_id;
        RETURN result;
    END IF;

    -- An unknown code leaves account_id NULL (23502 on account_id); a repeated one violates postings_pkey.
    INSERT INTO ledger.postings (transfer_id, account_id, amount)
    SELECT p_id, (SELECT a.id FROM ledger.accounts a WHERE a.code = r.code), r.amount
    FROM unnest(p_account_codes, p_amounts) AS r(code, amount);
    RETURN result;
END $$;

-- Posts a pending transfer: in full (p_amount NULL: the post has no postings of its own, it moves its pending
-- transfer's), or in part when it moves one amount between two accounts, releasing the rest (its own postings).
CREATE OR REPLACE FUNCTION ledger.post_pending(p_id uuid, p_pending_id uuid, p_amount bigint DEFAULT NULL,
                                    p_description text DEFAULT '')
RETURNS ledger.transfer_result LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
    amounts bigint[];
    result ledger.transfer_result;
BEGIN
    SELECT array_agg(a.code ORDER BY a.code), array_agg(ps.amount ORDER BY a.code)
    INTO codes, amounts
    FROM ledger.postings ps JOIN ledger.accounts a ON a.id = ps.account_id
    WHERE ps.transfer_id = p_pending_id;
    IF codes IS NULL THEN
        RAISE EXCEPTION 'pending transfer % does not exist', p_pending_id USING ERRCODE = 'LG005';
    END IF;
    IF p_amount IS NULL THEN
        INSERT INTO ledger.transfers (id, kind, pending_id, posts_in_full, description)
        VALUES (p_id, 'post', p_pending_id, true, coalesce(p_description, ''))
        ON CONFLICT (id) DO NOTHING
        RETURNING id, created_at, false INTO result;
        IF FOUND THEN
            RETURN result;
        END IF;
        -- A repeat: the same post in full, or one written before posts in full were (Migrations/0020), whose own
        -- postings are its pending transfer's.
        IF ledger.transfer_fingerprint(p_id) NOT IN (
            ledger.request_fingerprint('post', p_pending_id, true, p_description, NULL, '{}', '{}'),
            ledger.request_fingerprint('post', p_pending_id, false, p_description, NULL, codes, amounts)) THEN
            RAISE EXCEPTION 'transfer % exists with different content', p_id USING ERRCODE = 'LG004';
        END IF;
        SELECT id, created_at, true INTO result FROM ledger.transfers WHERE id = p_id;
        RETURN result;
    ELSE
        IF cardinality(amounts) <> 2 THEN
            RAISE EXCEPTION 'only a two-account pending transfer can be posted in part' USING ERRCODE = 'LG005';
        END IF;
        IF p_amount < 0 OR p_amount > abs(amounts[1]) THEN
            RAISE EXCEPTION 'post of % exceeds pending transfer % of %', p_amount, p_pending_id, abs(amounts[1])
                USING ERRCODE = 'LG005';
        END IF;
        IF p_amount = 0 THEN
            codes := '{}';
            amounts := '{}';
        ELSE
            amounts := ARRAY[sign(amounts[1]) * p_amount, sign(amounts[2]) * p_amount];
        END IF;
        RETURN ledger.create_transfer(p_id, 'post', codes, amounts, p_description, p_pending_id);
    END IF;
END $$;

-- Voids a pending transfer, releasing all it held. A repeat with the same id returns the original.
CREATE OR REPLACE FUNCTION ledger.void_pending(p_id uuid, p_pending_id uuid, p_description text DEFAULT '')
RETURNS ledger.transfer_result LANGUAGE plpgsql AS $$
DECLARE
    result ledger.transfer_result;
BEGIN
    INSERT INTO ledger.transfers (id, kind, pending_id, description)
    VALUES (p_id, 'void', p_pending_id, coalesce(p_description, ''))
    ON CONFLICT (id) DO NOTHING
    RETURNING id, created_at, false INTO result;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT 1 FROM ledger.transfers WHERE id = p_id AND kind = 'void' AND pending_id = p_pending_id
                       AND description = coalesce(p_description, '')) THEN
            RAISE EXCEPTION 'transfer % exists with different content', p_id USING ERRCODE = 'LG004';
        END IF;
        SELECT id, created_at, true INTO result FROM ledger.transfers WHERE id = p_id;
    END IF;
    RETURN result;
END $$;

-- Expires up to p_limit pending transfers whose time has passed (by the database clock), skipping any that a
-- concurrent caller is resolving. Returns the ids of the pending transfers expired.
CREATE OR REPLACE FUNCTION ledger.expire_due(p_limit integer DEFAULT 1000) RETURNS SETOF uuid LANGUAGE sql AS $$
    WITH due AS (
        SELECT p.id FROM ledger.transfers p
        WHERE p.expires_at <= now()
          AND NOT EXISTS (SELECT 1 FROM ledger.transfers r WHERE r.pending_id = p.id)
        ORDER BY p.expires_at
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    )
    INSERT INTO ledger.transfers (id, kind, pending_id, description)
    SELECT gen_random_uuid(), 'expire', due.id, 'expired' FROM due
    ON CONFLICT (pending_id) WHERE pending_id IS NOT NULL DO NOTHING
    RETURNING pending_id
$$;

-- Every ledger invariant, checked from the rows themselves; returns one line per violation (none when sound).
CREATE OR REPLACE FUNCTION ledger.invariant_violations() RETURNS SETOF text LANGUAGE sql STABLE AS $$
    SELECT format('transfer %s: postings sum to %s in %s', ps.transfer_id, sum(ps.amount), a.currency)
    FROM ledger.postings ps JOIN ledger.accounts a ON a.id = ps.account_id
    GROUP BY ps.transfer_id, a.currency HAVING sum(ps.amount) <> 0
    UNION ALL
    -- Each account's balances from its postings, summed for all accounts in one grouped pass: postings are not
    -- indexed by account (Migrations/0019), and a whole-ledger check reads them all anyway.
    SELECT format('account %s: stored balances %s/%s/%s/%s differ from its postings %s/%s/%s/%s', a.code,
                  a.posted_debits, a.posted_credits, a.pending_debits, a.pending_credits,
                  sums.posted_debits, sums.posted_credits, sums.pending_debits, sums.pending_credits)
    FROM ledger.accounts a
    LEFT JOIN (
        SELECT ps.account_id,
               -- A pending transfer's postings are posted by a post in full.
               sum(greatest(ps.amount, 0)) FILTER (WHERE t.kind <> 'pending' OR r.posts_in_full) AS posted_debits,
               sum(greatest(-ps.amount, 0)) FILTER (WHERE t.kind <> 'pending' OR r.posts_in_full) AS posted_credits,
               sum(greatest(ps.amount, 0)) FILTER (WHERE t.kind = 'pending' AND r.id IS NULL) AS pending_debits,
               sum(greatest(-ps.amount, 0)) FILTER (WHERE t.kind = 'pending' AND r.id IS NULL) AS pending_credits
        FROM ledger.postings ps
        JOIN ledger.transfers t ON t.id = ps.transfer_id
        LEFT JOIN ledger.transfers r ON r.pending_id = t.id
        GROUP BY ps.account_id
    ) s ON s.account_id = a.id
    -- An account without postings, or without postings of a kind, has none of those balances.
    CROSS JOIN LATERAL (VALUES (coalesce(s.posted_debits, 0), coalesce(s.posted_credits, 0),
                                coalesce(s.pending_debits, 0), coalesce(s.pending_credits, 0)))
        AS sums (posted_debits, posted_credits, pending_debits, pending_credits)
    WHERE (a.posted_debits, a.posted_credits, a.pending_debits, a.pending_credits)
          <> (sums.posted_debits, sums.posted_credits, sums.pending_debits, sums.pending_credits)
    UNION ALL
    SELECT format('account %s is overdrawn', code) FROM ledger.accounts
    WHERE (debits_must_not_exceed_credits AND posted_debits + pending_debits > posted_credits)
       OR (credits_must_not_exceed_debits AND posted_credits + pending_credits > posted_debits)
    UNION ALL
    SELECT format('transfer %s resolves %s, which is not pending', r.id, r.pending_id)
    FROM ledger.transfers r JOIN ledger.transfers p ON p.id = r.pending_id WHERE p.kind <> 'pending'
    UNION ALL
    SELECT format('transfer %s posts in full but has postings of its own', t.id)
    FROM ledger.transfers t WHERE t.posts_in_full AND EXISTS (SELECT FROM ledger.postings ps WHERE ps.transfer_id = t.id)
    UNION ALL
    SELECT format('transfer %s posts %s on account %s, more than the %s pending', ps.transfer_id, ps.amount,
                  ps.account_id, pending.amount)
    FROM ledger.transfers r
    JOIN ledger.postings ps ON ps.transfer_id = r.id
    LEFT JOIN ledger.postings pending ON pending.transfer_id = r.pending_id AND pending.account_id = ps.account_id
    WHERE r.kind = 'post'
      AND (pending.amount IS NULL OR sign(pending.amount) <> sign(ps.amount) OR abs(ps.amount) > abs(pending.amount))
$$;

-- Applies a batch of operations in one statement and one commit (one WAL flush for all of them), which is what
-- lets a hot account go beyond the disk's flush rate. Each item:
--   {"op": "single"|"pending"|"post"|"void", "id", "accounts": [...], "amounts": [...], "description",
--    "pending_id", "timeout_seconds", "amount"}
-- Returns one row per item, in order: the receipt, or the SQLSTATE, message, constraint and column of its refusal.
--
-- Every account the batch touches is locked first, in id order, so batches and single transfers never deadlock.
-- Then the whole batch is tried set-based (a few statements for all items; the triggers check them together).
-- If anything in it is refused, or an id is a replay, that attempt is rolled back and the batch is applied item
-- by item, each under its own savepoint, so that one refusal never affects another item.
CREATE OR REPLACE FUNCTION ledger.create_transfers(p_batch jsonb)
RETURNS TABLE (item_position integer, id uuid, created_at timestamptz, replayed boolean,
               error_code text, error_message text, error_constraint text, error_column text)
LANGUAGE plpgsql AS $$
DECLARE
    item jsonb;
    receipt ledger.transfer_result;
    expected integer;
BEGIN
    IF jsonb_typeof(p_batch) <> 'array' OR jsonb_array_length(p_batch) > 100 THEN
        RAISE EXCEPTION 'a batch is an array of at most 100 operations' USING ERRCODE = '22023';
    END IF;

    PERFORM 1 FROM ledger.accounts touched
    WHERE touched.id = ANY (ARRAY(
        SELECT a.id FROM jsonb_array_elements(p_batch) b(op)
        CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(b.op -> 'accounts', '[]'::jsonb)) c(code)
        CROSS JOIN LATERAL (SELECT a.id FROM ledger.accounts a WHERE a.code = c.code LIMIT 1) a
        UNION
        SELECT ps.account_id FROM jsonb_array_elements(p_batch) b(op)
        CROSS JOIN LATERAL ledger.pending_postings((b.op ->> 'pending_id')::uuid) ps
    ))
    ORDER BY touched.id FOR NO KEY UPDATE;

    BEGIN
        -- New single and pending transfers, then their postings. A plain insert: a replayed id violates
        -- transfers_pkey, which sends the batch item by item (below), where a replay returns the original. (ON
        -- CONFLICT DO NOTHING would say so too, at the price of a speculative insertion and its confirmation
        -- record for every row.)
        INSERT INTO ledger.transfers (id, kind, expires_at, description)
        SELECT (b.op ->> 'id')::uuid, b.op ->> 'op',
               now() + make_interval(secs => (b.op ->> 'timeout_seconds')::integer),
               coalesce(b.op ->> 'description', '')
        FROM jsonb_array_elements(p_batch) b(op)
        WHERE b.op ->> 'op' IN ('single', 'pending');
        INSERT INTO ledger.postings (transfer_id, account_id, amount)
        SELECT (b.op ->> 'id')::uuid, (SELECT a.id FROM ledger.accounts a WHERE a.code = leg.code), leg.amount::bigint
        FROM jsonb_array_elements(p_batch) b(op)
        CROSS JOIN LATERAL ROWS FROM (jsonb_array_elements_text(b.op -> 'accounts'),
                                      jsonb_array_elements_text(b.op -> 'amounts')) AS leg(code, amount)
        WHERE b.op ->> 'op' IN ('single', 'pending');

        -- Resolutions of pending transfers (including those created just above), then the posts' postings.
        SELECT count(*) INTO expected FROM jsonb_array_elements(p_batch) b(op) WHERE b.op ->> 'op' IN ('post', 'void');
        IF expected > 0 THEN
            IF EXISTS (
                SELECT FROM jsonb_array_elements(p_batch) b(op)
                WHERE b.op ->> 'op' = 'post' AND b.op ->> 'amount' IS NOT NULL
                  AND (SELECT count(*) FROM ledger.pending_postings((b.op ->> 'pending_id')::uuid)) <> 2
            ) THEN
                RAISE EXCEPTION 'partial post of a pending transfer without exactly two postings' USING ERRCODE = 'LG000';
            END IF;
            -- A post without an amount posts in full: no postings of its own.
            INSERT INTO ledger.transfers (id, kind, pending_id, posts_in_full, description)
            SELECT (b.op ->> 'id')::uuid, b.op ->> 'op', (b.op ->> 'pending_id')::uuid,
                   b.op ->> 'op' = 'post' AND b.op ->> 'amount' IS NULL, coalesce(b.op ->> 'description', '')
            FROM jsonb_array_elements(p_batch) b(op)
            WHERE b.op ->> 'op' IN ('post', 'void');
            INSERT INTO ledger.postings (transfer_id, account_id, amount)
            SELECT (b.op ->> 'id')::uuid, ps.account_id, sign(ps.amount) * (b.op ->> 'amount')::bigint
            FROM jsonb_array_elements(p_batch) b(op)
            CROSS JOIN LATERAL ledger.pending_postings((b.op ->> 'pending_id')::uuid) ps
            WHERE b.op ->> 'op' = 'post' AND (b.op ->> 'amount')::bigint <> 0;
        END IF;

        RETURN QUERY
        SELECT (b.position - 1)::integer, (b.op ->> 'id')::uuid, now(), false, NULL::text, NULL::text, NULL::text,
               NULL::text
        FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS b(op, position)
        ORDER BY b.position;
        RETURN;
    EXCEPTION WHEN OTHERS THEN
        -- Something in the batch was refused or replayed: everything above is rolled back; go item by item.
        NULL;
    END;

    item_position := 0;
    FOR item IN SELECT value FROM jsonb_array_elements(p_batch) LOOP
        BEGIN
            CASE item ->> 'op'
                WHEN 'single', 'pending' THEN
                    receipt := ledger.create_transfer(
                        (item ->> 'id')::uuid, item ->> 'op',
                        ARRAY(SELECT jsonb_array_elements_text(item -> 'accounts')),
                        ARRAY(SELECT jsonb_array_elements_text(item -> 'amounts')::bigint),
                        coalesce(item ->> 'description', ''), NULL, (item ->> 'timeout_seconds')::integer);
                WHEN 'post' THEN
                    receipt := ledger.post_pending((item ->> 'id')::uuid, (item ->> 'pending_id')::uuid,
                                                   (item ->> 'amount')::bigint, coalesce(item ->> 'description', ''));
                WHEN 'void' THEN
                    receipt := ledger.void_pending((item ->> 'id')::uuid, (item ->> 'pending_id')::uuid,
                                                   coalesce(item ->> 'description', ''));
                ELSE
                    RAISE EXCEPTION 'unknown batch operation %', item ->> 'op' USING ERRCODE = '22023';
            END CASE;
            id := receipt.id;
            created_at := receipt.created_at;
            replayed := receipt.replayed;
            error_code := NULL;
            error_message := NULL;
            error_constraint := NULL;
            error_column := NULL;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS error_code = RETURNED_SQLSTATE, error_message = MESSAGE_TEXT,
                                    error_constraint = CONSTRAINT_NAME, error_column = COLUMN_NAME;
            id := (item ->> 'id')::uuid;
            created_at := NULL;
            replayed := NULL;
        END;
        RETURN NEXT;
        item_position := item_position + 1;
    END LOOP;
END $$;
