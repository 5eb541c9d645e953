-- The W3C trace context (`traceparent`) of the request that started a purchase (issue 16, point 1): the work done
-- for it later — vends, status queries, the result's delivery — joins that request's trace, in whichever process
-- and after however many restarts. NULL while tracing is off. Its bound (55 characters, W3C's traceparent) is kept
-- where it is written (Observability's TraceContext stores nothing longer), not in the table: the purchase tables
-- carry no CHECK constraints (migration 0010: PostgreSQL builds them anew at every statement), and a column of a
-- domain with a rule would make PostgreSQL 15 rewrite the table under its lock, which a rolling deploy cannot have.
ALTER TABLE purchases.transactions ADD COLUMN trace_parent text;

-- And of the request that accepted a message (or of the purchase whose token it carries): its sends and its status
-- callbacks join that trace. The claims hand it to the workers (claim_callbacks answers a column more: remade by
-- the repeatable set).
ALTER TABLE notifications.messages ADD COLUMN trace_parent text;
-- Added NOT VALID: every existing row is NULL, and a rolling deploy must not scan the table under its lock to learn so.
ALTER TABLE notifications.messages ADD CONSTRAINT trace_parent_is_w3c CHECK (length(trace_parent) <= 55) NOT VALID;
ALTER TYPE notifications.send_claim ADD ATTRIBUTE trace_parent text;
DROP FUNCTION IF EXISTS notifications.claim_callbacks(integer, integer);
