-- The buyer's lookups read their own rows alone (issue 14, point 7). Once 0009 moved what User Transaction Lookup,
-- Token Lookup and the In-Flight Check find a purchase by off the purchase row (to purchases.successes and the
-- purchase's open job), each row they answered cost a second index descent and heap fetch, into the purchase
-- itself: measured beside the build before (scripts/bench-lookups, 100,000 and 1,000,000 purchases), they ran 15 to
-- 30 % slower. A success and an open job now carry what those lookups filter by and answer, copied from the purchase
-- when they are written; none of it changes afterwards.

ALTER TABLE purchases.successes
    ADD COLUMN channel_id integer,
    ADD COLUMN product_type_id integer,
    ADD COLUMN purchase_amount bigint,
    ADD COLUMN target_identifier text,
    ADD COLUMN token text;
UPDATE purchases.successes s
SET channel_id = t.channel_id, product_type_id = t.product_type_id, purchase_amount = t.purchase_amount,
    target_identifier = t.target_identifier, token = t.token
FROM purchases.transactions t WHERE t.raas_txn_ref = s.raas_txn_ref;
ALTER TABLE purchases.successes
    ALTER COLUMN channel_id SET NOT NULL,
    ALTER COLUMN purchase_amount SET NOT NULL,
    ALTER COLUMN target_identifier SET NOT NULL;
-- User Transaction Lookup reads the latest success of each product from its index alone (an index-only scan: the
-- table is only ever inserted into, so its pages are all-visible once vacuumed).
DROP INDEX purchases.successes_by_buyer_product;
CREATE INDEX successes_by_buyer_product ON purchases.successes (client_id, source_identifier, product_id, created_at DESC)
    INCLUDE (raas_txn_ref, channel_id, product_type_id, purchase_amount, target_identifier);
-- A success with a token is one whose token is there.
DROP INDEX purchases.successes_tokens_by_buyer;
ALTER TABLE purchases.successes DROP COLUMN with_token;
CREATE INDEX successes_tokens_by_buyer ON purchases.successes (client_id, source_identifier, created_at DESC)
    WHERE token IS NOT NULL;

-- The open job names the purchase's five fields of the In-Flight Check (API.md §6), its index all of them.
ALTER TABLE purchases.jobs
    ADD COLUMN target_identifier text,
    ADD COLUMN product_id bigint,
    ADD COLUMN purchase_amount bigint;
UPDATE purchases.jobs j
SET target_identifier = t.target_identifier, product_id = t.product_id, purchase_amount = t.purchase_amount
FROM purchases.transactions t WHERE t.raas_txn_ref = j.raas_txn_ref AND j.kind IN ('reservation_deadline', 'vend');
ALTER TABLE purchases.jobs
    DROP CONSTRAINT open_job_names_its_buyer,
    ADD CONSTRAINT open_job_names_its_purchase CHECK (
        kind NOT IN ('reservation_deadline', 'vend')
        OR (client_id IS NOT NULL AND source_identifier IS NOT NULL AND target_identifier IS NOT NULL
            AND product_id IS NOT NULL AND purchase_amount IS NOT NULL AND purchase_created_at IS NOT NULL));
DROP INDEX purchases.jobs_open_by_buyer;
CREATE INDEX jobs_open_by_purchase ON purchases.jobs (client_id, source_identifier, target_identifier, product_id, purchase_amount)
    INCLUDE (purchase_created_at) WHERE kind IN ('reservation_deadline', 'vend');
