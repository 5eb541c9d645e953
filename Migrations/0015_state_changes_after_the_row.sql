-- A purchase's changes of state are checked and recorded by AFTER row triggers (issue 14, point 5;
-- Migrations/repeatable/03_purchases.sql) instead of a BEFORE UPDATE one: PostgreSQL locks every row version an
-- UPDATE writes, before the update, when the table has any BEFORE UPDATE row trigger, whether or not it then fires
-- (a row lock and its WAL record per update of a purchase), where an AFTER trigger whose WHEN is false costs the
-- update nothing.
--
-- An AFTER trigger cannot write the row, so the bookkeeping the BEFORE trigger kept in it changes: the time a
-- purchase becomes final is written by the update that ends it (the trigger checks it, as a rule across the row's
-- columns); the sequence of its states is read from the history itself (the last entry's, by state_changes' key);
-- and the time of the row's last change, which nothing read, goes. (On a new database the repeatable set has not
-- been applied yet: hence IF EXISTS.)

DROP TRIGGER IF EXISTS transactions_final_state ON purchases.transactions;
DROP TRIGGER IF EXISTS transactions_enter_state ON purchases.transactions;
DROP TRIGGER IF EXISTS transactions_record_new_state ON purchases.transactions;
DROP FUNCTION IF EXISTS purchases.guard_transition();
DROP FUNCTION IF EXISTS purchases.record_state();

ALTER TABLE purchases.transactions DROP COLUMN state_sequence, DROP COLUMN updated_at;

-- One change of state as the trigger checks and records it: the state left (NULL for a new purchase), the state
-- entered with its cause and answer code, and the first rule across the row's columns it breaks (NULL: none).
CREATE TYPE purchases.state_change AS (
    raas_txn_ref uuid,
    previous text,
    state text,
    cause text,
    response_code text,
    broken_rule text
);
