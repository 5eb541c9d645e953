-- purchases.deferred_ledger_ops numbered its rows from an identity column, whose sequence is unlogged with its
-- table. PostgreSQL 15.18 does not carry an unlogged sequence across a fail-over: on the promoted standby every
-- nextval failed with `bad magic number in sequence "deferred_ledger_ops_position_seq"`, and so every batch of
-- purchase steps did, until the sequence was made again (scripts/ha-failover-test found it). The rows need an order
-- only within their own transaction, so purchases.book_all now numbers them itself from a transaction-local setting
-- (Migrations/repeatable/03_purchases.sql) and the table holds no sequence. The table itself is emptied by the
-- promotion, as unlogged tables are, which is harmless: no row outlives the transaction that wrote it.
ALTER TABLE purchases.deferred_ledger_ops ALTER COLUMN position DROP IDENTITY;
