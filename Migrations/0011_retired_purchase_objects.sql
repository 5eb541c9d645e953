-- Objects of the repeatable set (Migrations/repeatable/03_purchases.sql) that go, or whose arguments or result change:
-- CREATE OR REPLACE cannot do either, so they are dropped here and the set, applied after the numbered migrations,
-- creates what replaces them. IF EXISTS: a new database has none of them yet.

-- A change of state is recorded by the state trigger itself (purchases.guard_transition): no AFTER trigger queues
-- an event at each of a purchase's changes.
DROP TRIGGER IF EXISTS transactions_record_state_change ON purchases.transactions;

-- purchases.record_vend hands the result's delivery to its caller (an argument more, and jsonb rather than boolean).
DROP FUNCTION IF EXISTS purchases.record_vend(uuid, uuid, text, integer, text, text, text, text, integer, integer, integer,
    integer, integer);

-- purchases.next_job and purchases.finish may lease the next job to their caller (an argument more each; the lease's
-- token, and the delivery handed over, as results).
DROP FUNCTION IF EXISTS purchases.next_job(uuid, text, timestamptz);
DROP FUNCTION IF EXISTS purchases.finish(uuid, boolean, text, text, text, text, text);
