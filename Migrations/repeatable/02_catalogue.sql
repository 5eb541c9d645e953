-- The catalogue's functions and the triggers that announce its changes (every process drops its cached catalogue).
-- The tables are in Migrations/0002_catalogue_and_clients.sql.
--
-- A repeatable file (DESIGN.md §4): `transact migrate` re-applies the whole set, in file order, after the numbered
-- migrations, whenever any of it changed (or a migration was applied), in one transaction. Everything here is
-- CREATE OR REPLACE; a change of a function's arguments or result, or an object that goes, needs a numbered migration
-- that drops it first.

-- The terms of a client for a product that apply now (none: no fee and no shares, decided here).
CREATE OR REPLACE FUNCTION catalogue.current_terms(p_client_id bigint, p_product_id bigint)
RETURNS SETOF catalogue.financial_terms LANGUAGE sql STABLE AS $$
    SELECT * FROM catalogue.financial_terms t
    WHERE t.client_id = p_client_id AND t.product_id = p_product_id AND t.effective_from <= now()
    ORDER BY t.effective_from DESC LIMIT 1
$$;

-- Every change to the catalogue that lookups serve from a cache is announced on `catalogue_changed` when it
-- commits (one notification per transaction: PostgreSQL folds identical ones), so that every serve process drops
-- its cached catalogue. The caches also expire on their own, so a notification lost while a listener reconnects
-- delays a change by at most the cache's lifetime.
CREATE OR REPLACE FUNCTION catalogue.announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('catalogue_changed', '');
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER products_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.products
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();

CREATE OR REPLACE TRIGGER product_types_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.product_types
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();

CREATE OR REPLACE TRIGGER client_products_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.client_products
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();

CREATE OR REPLACE TRIGGER countries_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.countries
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();

CREATE OR REPLACE TRIGGER mno_prefixes_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue.mno_prefixes
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue.announce_change();
