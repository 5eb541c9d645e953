-- How a purchase's transactResult delivery stands is read from what already records it (issue 14, point 5), not
-- kept on the purchase row: the acknowledging attempt, once per purchase, updated the row once more (its status,
-- attempts, times and last outcome), and each such update leaves a whole new version of the ~500-byte row on its
-- page, which the next update of a purchase on that page then may not find room beside (a non-HOT update, writing
-- each of the row's seven indexes). What the columns said is said by:
--   - the delivery job (purchases.jobs, stage 'delivery'): it exists while the result is not acknowledged, due
--     while pending and never due once given up, and is deleted by the acknowledging attempt;
--   - the call log: one transactResult call per attempt, with its time and outcome.
-- The view purchases.result_deliveries (Migrations/repeatable/03_purchases.sql) reads them so; where the result goes
-- stays on the row, written by the update that ends the purchase.

ALTER TABLE purchases.transactions
    DROP COLUMN result_status,
    DROP COLUMN result_attempts,
    DROP COLUMN result_first_attempt_at,
    DROP COLUMN result_last_attempt_at,
    DROP COLUMN result_last_outcome,
    DROP COLUMN result_acknowledged_at;
