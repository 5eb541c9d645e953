-- Lookups (API.md §6, DESIGN.md §3 step 9): the transaction's public id, one index per lookup query, and a
-- notification whenever the catalogue changes so that every process's catalogue cache is dropped at once.
--
-- Index predicates name only columns that change in the update that makes a purchase final (final_at,
-- transact_result_response_code, token). An update that changes a column an index uses cannot be HOT; keeping
-- `state` out of every index leaves the intermediate steps of a purchase (reserving → reserved → vending) HOT, so
-- they write no index entries at all. `transact_result_response_code = '0000'` is set exactly when the purchase
-- becomes SUCCESS (purchases.finish) and never otherwise.

-- Room on each page for the HOT updates of a purchase's intermediate steps (applies to pages written from now on,
-- and to the whole table through the rewrite that the identity column below causes).
ALTER TABLE purchases.transactions SET (fillfactor = 85);

-- The `id` of Transaction Lookup: a number, in the order transactions were created (decided here; the raasTxnRef
-- remains the reference). No index: nothing looks a transaction up by it. purchases.open inserts a whole row
-- (`SELECT t.*`, id NULL), so the number is given by a trigger rather than by an identity column, which would
-- refuse the explicit NULL.
CREATE SEQUENCE purchases.transaction_ids AS bigint;
ALTER TABLE purchases.transactions ADD COLUMN id bigint NOT NULL DEFAULT nextval('purchases.transaction_ids');
ALTER SEQUENCE purchases.transaction_ids OWNED BY purchases.transactions.id;

CREATE FUNCTION purchases.assign_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.id := nextval('purchases.transaction_ids');
    RETURN NEW;
END $$;

CREATE TRIGGER transactions_assign_id BEFORE INSERT ON purchases.transactions
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION purchases.assign_id();

-- Transaction Lookup by reserveFundsTxnRef (by raasTxnRef: the primary key; by clientTxnRef: one_per_client_reference).
CREATE INDEX transactions_by_reserve_funds_ref ON purchases.transactions (client_id, reserve_funds_txn_ref)
    WHERE reserve_funds_txn_ref IS NOT NULL;

-- In-Flight Check: a client's transactions that are not final yet, by buyer. Small: a row leaves it when its
-- transaction becomes final.
CREATE INDEX transactions_in_flight_by_buyer ON purchases.transactions (client_id, source_identifier)
    WHERE final_at IS NULL;

-- User Transaction Lookup: a buyer's successful purchases, latest first per product. The lookup skips from one
-- product to the next along this index, so its cost follows the number of products the buyer bought, not the
-- size of the table nor the length of the buyer's history.
CREATE INDEX transactions_successful_by_buyer_product
    ON purchases.transactions (client_id, source_identifier, product_id, created_at DESC)
    WHERE transact_result_response_code = '0000';

-- Token Lookup: the tokens of a buyer's successful purchases, newest first.
CREATE INDEX transactions_tokens_by_buyer ON purchases.transactions (client_id, source_identifier, created_at DESC)
    WHERE transact_result_response_code = '0000' AND token IS NOT NULL;

-- Every change to the catalogue that lookups serve from a cache is announced on `catalogue_changed` when it
-- commits (one notification per transaction: PostgreSQL folds identical ones), so that every serve process drops
-- its cached catalogue. The caches also expire on their own, so a notification lost while a listener reconnects
-- delays a change by at most the cache's lifetime.
CREATE FUNCTION catalogue.announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('catalogue_changed', '');
    RETURN NULL;
END $$;

CREATE TRIGGER products_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.products
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();
CREATE TRIGGER product_types_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.product_types
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();
CREATE TRIGGER client_products_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.client_products
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();
CREATE TRIGGER countries_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.countries
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();
CREATE TRIGGER mno_prefixes_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.mno_prefixes
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();

-- How lookups show a transaction's times and status (API.md §0: ISO 8601 in UTC; §3.4: the public status).
CREATE FUNCTION purchases.api_time(p_time timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT to_char(p_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE FUNCTION purchases.public_status(p_state text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_state = 'success' THEN 'SUCCESS'
                WHEN p_state IN ('failed', 'reserve_failed') THEN 'FAILED'
                ELSE 'PENDING' END
$$;
