-- A purchase's changes of state are checked and recorded once per statement (issue 14, point 5), by statement-level
-- triggers that read the statement's rows from its transition tables (Migrations/repeatable/03_purchases.sql),
-- instead of by a row-level BEFORE trigger: PostgreSQL locks every row version an UPDATE writes, before the update,
-- when the table has any BEFORE UPDATE row trigger (whether or not it then fires), and ran the trigger's plpgsql and
-- its insert of the change once per row although the purchase steps now write a batch in one statement.
--
-- A statement-level trigger cannot write the rows, so the bookkeeping the row trigger kept in them changes: the time
-- a purchase becomes final is written by the update that ends it (the trigger checks it); the sequence of its states
-- is read from the history itself (the last entry's, in state_changes' key); and the time of the row's last change,
-- which nothing read, goes. (On a new database the repeatable set has not been applied yet: hence IF EXISTS.)

DROP TRIGGER IF EXISTS transactions_final_state ON purchases.transactions;
DROP TRIGGER IF EXISTS transactions_enter_state ON purchases.transactions;
DROP TRIGGER IF EXISTS transactions_record_new_state ON purchases.transactions;
DROP FUNCTION IF EXISTS purchases.guard_transition();
DROP FUNCTION IF EXISTS purchases.record_state();

ALTER TABLE purchases.transactions DROP COLUMN state_sequence, DROP COLUMN updated_at;

-- One change of state as the triggers check and record it: the state left (NULL for a new purchase), the state
-- entered with its cause and answer code, and the first rule across the row's columns it breaks (NULL: none).
CREATE TYPE purchases.state_change AS (
    raas_txn_ref uuid,
    previous text,
    state text,
    cause text,
    response_code text,
    broken_rule text
);
