-- Functions the repeatable set no longer defines as they were (issue 14): a retired function, or one whose
-- arguments changed, would otherwise linger beside its replacement. `transact migrate` applies this migration and
-- the repeatable set in one transaction, so the trigger that goes with guard_final_state (CASCADE) is back, as
-- purchases.guard_transition, in the same commit.
DROP FUNCTION IF EXISTS purchases.guard_final_state() CASCADE;
-- purchases.open now also takes the business checks' refusal, and picks the first state itself.
DROP FUNCTION IF EXISTS purchases.open(jsonb, integer);
-- purchases.record_vend reads the vendor's attempts from the catalogue and computes the backoff itself.
DROP FUNCTION IF EXISTS purchases.record_vend(uuid, uuid, text, integer, text, text, text, text, integer, integer, integer, integer, integer);
