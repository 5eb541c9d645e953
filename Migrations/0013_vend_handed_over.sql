-- A Reserve and Transact purchase's first vend attempt, handed to the process that recorded the bank's answer
-- (issue 14, point 5): when that process has a free worker, the answer's update also starts the attempt and leases
-- the vend job to it, so that no claim is made for it and no process is woken. The purchase then moves from
-- reserving to vending in one change (its state history reads reserving, vending: the change's cause says the
-- bank reserved the funds, and the reserveFunds call is in the call log).
INSERT INTO purchases.transitions (from_state, to_state, why) VALUES
    ('reserving', 'vending', 'the bank reserved, and the first vend attempt starts at once');

-- purchases.record_reservation takes the lease for that vend, and answers with it (jsonb).
DROP FUNCTION IF EXISTS purchases.record_reservation(uuid, text, text, text, text, text, integer);
