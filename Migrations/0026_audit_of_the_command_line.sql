-- The command line's administrative actions (`transact clients add|rotate-secret|rotate-api-key|disable|topup`,
-- `keys rotate`, `archive`) are audited beside support's (issue 16, point 5). Their actor is no client but the
-- operator who ran the command, as the machine named them (user@host); each row has one or the other.
ALTER TABLE support.audit_log ADD COLUMN operator text CHECK (length(operator) <= 200);
ALTER TABLE support.audit_log ALTER COLUMN actor_client_id DROP NOT NULL;
-- The channel's check was named when migration 0023 made the table anew beside the old one (so not
-- audit_log_channel_check): found by what it checks.
DO $$
DECLARE
    channel_check name;
BEGIN
    SELECT conname INTO STRICT channel_check FROM pg_constraint
    WHERE conrelid = 'support.audit_log'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%channel%';
    EXECUTE format('ALTER TABLE support.audit_log DROP CONSTRAINT %I', channel_check);
END
$$;
ALTER TABLE support.audit_log ADD CONSTRAINT audit_log_channel_check CHECK (channel IN ('api', 'console', 'cli'));
ALTER TABLE support.audit_log ADD CONSTRAINT audit_log_one_actor
    CHECK (CASE WHEN channel = 'cli' THEN actor_client_id IS NULL AND operator IS NOT NULL
                ELSE actor_client_id IS NOT NULL AND operator IS NULL END);
