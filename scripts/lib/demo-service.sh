# Sourced by the scripts that test the running service from outside (scripts/browser-test, scripts/contract-test):
# `start_demo_service NAME PORT` serves the debug build of `transact` with the demo data on a database of its own
# (created in the PostgreSQL that PGHOST and friends name, as scripts/test's pg_virtualenv sets them), waits until it
# is ready and sets `base`; the service and the database go when the calling script exits.
# `token CLIENT_ID SECRET` prints a bearer token for a client of the demo seed.

start_demo_service() {
    local name="$1" port="$2"
    bin="$(swift build --show-bin-path)/transact"
    [ -x "$bin" ] || swift build --product transact >&2
    database="${name}_$$"
    createdb "$database"
    export DATABASE_URL="dbname=$database"
    export TRANSACT_MASTER_KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
    export TRANSACT_LOG_LEVEL="${TRANSACT_LOG_LEVEL:-warning}"
    export TRANSACT_HTTP_DRAIN_SECONDS=0  # nothing balances load in front of it: stop at once
    "$bin" migrate >/dev/null
    "$bin" seed Config/demo-seed.yaml >/dev/null
    "$bin" serve --port "$port" &
    server=$!
    trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; dropdb --if-exists "$database" 2>/dev/null || true' EXIT
    base="http://127.0.0.1:$port"
    for _ in $(seq 1 150); do curl -fs -o /dev/null "$base/health/ready" && return 0; sleep 0.2; done
    echo "the service did not become ready on $base" >&2
    return 1
}

token() {
    curl -fs -d "grant_type=client_credentials&client_id=$1&client_secret=$2" "$base/token" \
        | sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}
