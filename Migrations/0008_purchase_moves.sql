-- The states of a transaction and the only moves between them (API.md §3.4), stated once, as rows: every function
-- that changes a transaction names the state it enters, and the trigger purchases.guard_transition (repeatable
-- set) refuses a move that is not here. A NULL from_state is a state a transaction may be created in. A state no
-- move leaves is final (purchases.is_final), and never changes again. A table rather than a function's VALUES: the
-- trigger runs on every change of every purchase, and a look-up of a table is a cached plan, where a SQL function
-- that is not inlined is planned again at each call.
CREATE TABLE purchases.transitions (
    from_state text,
    to_state text NOT NULL,
    why text NOT NULL,
    CONSTRAINT one_move UNIQUE NULLS NOT DISTINCT (from_state, to_state)
);

INSERT INTO purchases.transitions (from_state, to_state, why) VALUES
    (NULL, 'failed', 'refused by the business checks'),
    (NULL, 'reserving', 'Reserve and Transact: the bank is asked'),
    (NULL, 'reserved', 'Transact: the client reserved the funds'),
    ('reserving', 'reserved', 'the bank reserved'),
    ('reserving', 'reserve_failed', 'the bank declined: nothing was reserved'),
    ('reserving', 'failed', 'no answer (2060), or the vendor''s float cannot cover it (2221)'),
    ('reserved', 'vending', 'the first vend attempt'),
    ('reserved', 'failed', 'the vendor''s float cannot cover it (2221)'),
    ('vending', 'vend_pending', 'the vendor cannot say (2240)'),
    ('vending', 'success', 'dispensed'),
    ('vending', 'failed', 'declined, or every attempt failed'),
    ('vend_pending', 'vending', 'it did not dispense: the next attempt'),
    ('vend_pending', 'success', 'dispensed'),
    ('vend_pending', 'failed', 'declined, or every attempt failed');

-- Functions the repeatable set no longer defines as they were: a retired function, or one whose arguments
-- changed, would otherwise linger beside its replacement. `transact migrate` applies this migration and the
-- repeatable set in one transaction, so the trigger that goes with guard_final_state (CASCADE) is back, as
-- purchases.guard_transition, in the same commit.
DROP FUNCTION IF EXISTS purchases.guard_final_state() CASCADE;
-- purchases.open now also takes the business checks' refusal, and picks the first state itself.
DROP FUNCTION IF EXISTS purchases.open(jsonb, integer);
-- purchases.record_vend reads the vendor's attempts from the catalogue and computes the backoff itself.
DROP FUNCTION IF EXISTS purchases.record_vend(uuid, uuid, text, integer, text, text, text, text, integer, integer, integer, integer, integer);
