-- The funding source of purchase API versions that name none (API.md §3.2a, seed `defaultFundingSourceId`): one of
-- the client's own funding sources, so that the key below makes a default the client is not linked to impossible.
-- The key is checked at commit, because `transact seed` writes a client before its links.
ALTER TABLE catalogue.clients ADD COLUMN default_funding_source_id bigint;
ALTER TABLE catalogue.clients ADD CONSTRAINT default_funding_source_is_linked
    FOREIGN KEY (client_id, default_funding_source_id)
    REFERENCES catalogue.client_funding_sources (client_id, funding_source_id)
    DEFERRABLE INITIALLY DEFERRED;
