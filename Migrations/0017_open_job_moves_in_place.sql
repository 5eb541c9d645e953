-- A purchase's open job moves on in place (issue 14, point 5). When the bank reserves, the reservation's deadline
-- job becomes the purchase's vend; that update changed the job's kind, which was in the primary key and in the
-- predicates of the In-Flight Check's two indexes, and its due time, which is indexed: PostgreSQL wrote a new entry
-- in each of the job's four indexes (~410 bytes of WAL per purchase, measured by scripts/bench-purchases with
-- BENCH_WAL_PROFILE=1) where an update that changes no indexed value writes none (a HOT update).
--
-- The indexes now key a job by its stage rather than its kind, a column computed from the kind: 'open' while the
-- purchase is not final (reservation_deadline, then vend), 'delivery' (deliver_result), 'lookup'
-- (reservation_lookup). A purchase has at most one job of each stage (the open job becomes the delivery, never
-- both), so the key says no less than before. The reservation's move keeps the stage, and when the vend is handed to
-- the process that heard the bank it keeps the due time too (purchases.record_reservation): its lease says when
-- another process may take it over.

ALTER TABLE purchases.jobs
    ADD COLUMN stage text NOT NULL GENERATED ALWAYS AS (
        CASE kind WHEN 'deliver_result' THEN 'delivery' WHEN 'reservation_lookup' THEN 'lookup' ELSE 'open' END) STORED;

ALTER TABLE purchases.jobs DROP CONSTRAINT jobs_pkey, ADD PRIMARY KEY (raas_txn_ref, stage);

DROP INDEX purchases.jobs_open_by_purchase;
CREATE INDEX jobs_open_by_purchase ON purchases.jobs (client_id, source_identifier, target_identifier, product_id, purchase_amount)
    INCLUDE (purchase_created_at) WHERE stage = 'open';
DROP INDEX purchases.jobs_open_by_time;
CREATE INDEX jobs_open_by_time ON purchases.jobs (purchase_created_at, raas_txn_ref) WHERE stage = 'open';

-- Which kinds are open is said once, by the stage.
ALTER TABLE purchases.jobs
    DROP CONSTRAINT open_job_names_its_purchase,
    ADD CONSTRAINT open_job_names_its_purchase CHECK (
        stage <> 'open'
        OR (client_id IS NOT NULL AND source_identifier IS NOT NULL AND target_identifier IS NOT NULL
            AND product_id IS NOT NULL AND purchase_amount IS NOT NULL AND purchase_created_at IS NOT NULL));
