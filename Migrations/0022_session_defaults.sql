-- The settings every session of the service needs (Sources/Postgres/Connection/SessionSettings.swift) as the
-- database's own defaults, so that a session opened without startup options has them too: behind PgBouncer in
-- transaction mode (1.18 refuses startup options, and a SET would stay on a server connection that other clients
-- then share). The service still sends them as startup options when it connects directly, and `serve` checks them
-- on every pool. Only the database's owner (or a superuser) may set them: another role is told, and its operator
-- sets them (or the role's own defaults) by hand.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET TimeZone TO %L', current_database(), 'UTC');
    EXECUTE format('ALTER DATABASE %I SET DateStyle TO %L', current_database(), 'ISO, YMD');
    EXECUTE format('ALTER DATABASE %I SET IntervalStyle TO %L', current_database(), 'iso_8601');
    EXECUTE format('ALTER DATABASE %I SET extra_float_digits TO %L', current_database(), '3');
    EXECUTE format('ALTER DATABASE %I SET jit TO %L', current_database(), 'off');
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'the database''s session defaults were not set (%): only its owner may; serve checks them when '
        'database.startupOptions is false', SQLERRM;
END
$$;
