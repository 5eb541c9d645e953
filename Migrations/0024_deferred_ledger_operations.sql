-- The ledger operations a batch of purchase steps defers to its end (purchases.book_all, purchases.apply_steps) wait
-- in a table of the database instead of a temporary table of the session (issue 15, point 3): behind a pooler in
-- transaction mode a session's table stays on the server connection and passes to whichever client is given it next.
-- The rows never outlive the transaction that writes them (apply_steps takes them back before it returns, and a
-- failure rolls them back), so nothing needs them after a crash: UNLOGGED, they write no WAL. Each row names its
-- transaction, and a batch takes back only its own, so that rows another transaction has not yet taken, invisible
-- to it anyway, could never be booked twice.
CREATE UNLOGGED TABLE purchases.deferred_ledger_ops (
    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    position bigint GENERATED ALWAYS AS IDENTITY,
    raas_txn_ref uuid NOT NULL,
    op jsonb NOT NULL,
    float_code text,
    float_owed bigint NOT NULL
);
