#!/usr/bin/env bash
# The body of scripts/bench-purchases, run by pg_virtualenv inside its throwaway cluster (PGHOST and friends set).
# BENCH_BUILDS: one "label|transact binary|source folder" per line; the first is the build under test.
# BENCH_FLOW: purchases (Reserve and Transact, issue 14's figures and targets) or chat2pay (Chat 2 Pay journeys:
# made, paid and captured; issue 17): the same figures per completed unit, beside the same pgbench.
set -euo pipefail
flow="${BENCH_FLOW:-purchases}"
if [ "$flow" = chat2pay ]; then unit=payment; else unit=purchase; fi
pgbin="$(pg_config --bindir)"
hz="$(getconf CLK_TCK)"
results="$(mktemp)"
# Whatever stops this script stops the processes it started (simulators and servers) too.
trap 'kill $(jobs -p) 2>/dev/null || true; rm -f "$results"' EXIT

# CPU time (user + system, in clock ticks) of a process so far, its children that ended included; of this cluster's
# processes (its postmaster, every child alive: backends, walwriter, checkpointer, autovacuum; and, through the
# postmaster's count, every child that ended, such as pgbench's backends) so far.
cpu() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
postmaster="$(head -1 "$(psql -d postgres -Atq -c 'SHOW data_directory')/postmaster.pid")"
pg_cpu() { local t=0 p; for p in "$postmaster" $(pgrep -P "$postmaster"); do t=$(( t + $(cpu "$p") )); done; echo "$t"; }
wal_lsn() { psql -d postgres -Atq -c "SELECT pg_current_wal_lsn()"; }
wal_bytes() { psql -d postgres -Atq -c "SELECT pg_wal_lsn_diff('$2', '$1')::bigint"; }
# Full-page images written so far: the cluster checkpoints only at its start (checkpoint_timeout is an hour), so
# that WAL measures what each transaction writes, not where a checkpoint happened to fall; this shows it.
fpi() { psql -d postgres -Atq -c "SELECT wal_fpi FROM pg_stat_wal"; }
ms() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { printf "%.3f", t * 1000 / hz / n }'; }
settled() { curl -fs "http://127.0.0.1:$1/holds" | python3 -c 'import json, sys; print(sum(h["state"] != "held" for h in json.load(sys.stdin)))'; }

echo "== pgbench TPC-B-like, scale 10, 8 clients, $BENCH_SECONDS s: the reference"
createdb pgbench
"$pgbin/pgbench" -q -i -s 10 pgbench >/dev/null 2>&1
cpu0="$(pg_cpu)"; wal0="$(wal_lsn)"; fpi0="$(fpi)"
out="$("$pgbin/pgbench" -c 8 -j 2 -T "$BENCH_SECONDS" pgbench 2>/dev/null)"
cpu1="$(pg_cpu)"; wal1="$(wal_lsn)"; fpi1="$(fpi)"
pgbench_n="$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')"
pgbench_tps="$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)"
pgbench_cpu="$(ms $(( cpu1 - cpu0 )) "$pgbench_n")"
pgbench_wal="$(( $(wal_bytes "$wal0" "$wal1") / pgbench_n ))"
echo "  $pgbench_n transactions, $pgbench_tps tps; PostgreSQL CPU $pgbench_cpu ms and WAL $pgbench_wal bytes per transaction ($(( fpi1 - fpi0 )) full-page images)"

# Measures one build: its own database, simulators and `transact serve`; prints its figures and appends
# "label|purchases/s|PostgreSQL ms|WAL bytes|serve ms|p99 ms" to $results.
measure() {
    local label="$1" bin="$2" source="$3" offset="$4" round="$5"
    local db="transact_${offset}_$round" port=$(( 18080 + offset )) bank=$(( 19101 + 10 * offset )) vendor=$(( 19102 + 10 * offset ))
    echo "== $label, round $round: $bin"
    createdb "$db"
    export DATABASE_URL="dbname=$db" TRANSACT_MASTER_KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
    # The tree's own Migrations/ (not the binary's built-in copy), so that one binary can measure the SQL of several trees.
    (cd "$source" && TRANSACT_MIGRATIONS_DIRECTORY=Migrations "$bin" migrate >/dev/null && "$bin" seed Config/demo-seed.yaml >/dev/null)
    # The demo funding source and vendors, switched to the http adapters and pointed at this build's simulators;
    # the demo client may send as fast as it likes.
    psql -d "$db" -q -v ON_ERROR_STOP=1 -c "
        UPDATE catalogue.funding_sources SET adapter = 'http',
            reserve_funds_url = 'http://127.0.0.1:$bank/reserveFunds',
            transact_result_url = 'http://127.0.0.1:$bank/transactResult',
            status_lookup_url = 'http://127.0.0.1:$bank/statusLookup';
        UPDATE catalogue.vendors SET adapter = 'http', url = 'http://127.0.0.1:$vendor';
        UPDATE catalogue.clients SET rate_limit_per_second = 100000 WHERE client_id = 200;"
    TRANSACT_LOG_LEVEL=warning "$BENCH_SIMULATORS" simulate bank --port "$bank" >/dev/null 2>&1 &
    local bank_pid=$!
    TRANSACT_LOG_LEVEL=warning "$BENCH_SIMULATORS" simulate vendor --port "$vendor" >/dev/null 2>&1 &
    local vendor_pid=$!
    (cd "$source" && TRANSACT_MIGRATIONS_DIRECTORY=Migrations TRANSACT_HTTP_DRAIN_SECONDS=0 TRANSACT_LOG_LEVEL=warning \
        TRANSACT_WORKERS_MAX_CONCURRENT_JOBS=256 exec "$bin" serve --port "$port") &
    local server=$!
    for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.2; done
    local token
    token="$(curl -fs -d "grant_type=client_credentials&client_id=200&client_secret=demo-secret-change-me" \
        "http://127.0.0.1:$port/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
    load() { "$BENCH_LOAD" "$flow" --database-url "$DATABASE_URL" --url "http://127.0.0.1:$port" --bank-url "http://127.0.0.1:$bank" \
        --token "$token" --api-key demo-api-key-change-me --seconds "$BENCH_SECONDS" "$@"; }

    echo "-- as fast as $BENCH_CONNECTIONS connections go"
    [ -n "${BENCH_STATEMENTS:-}" ] && [ "$round" = 1 ] && psql -d "$db" -q -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
    local s0 p0 w0 n0 s1 p1 w1 n1 full
    psql -d "$db" -Atq -c "SELECT pg_stat_reset()" >/dev/null
    s0="$(cpu $server)"; p0="$(pg_cpu)"; w0="$(wal_lsn)"; f0="$(fpi)"; n0="$(settled $bank)"
    if [ -n "${BENCH_PERF:-}" ] && [ "$round" = 1 ]; then
        (sleep 2; perf record -q -a -g -F 499 -o "/tmp/bench-perf-$offset.data" -- sleep 5 >/dev/null 2>&1) &
    fi
    full="$(load --concurrency "$BENCH_CONNECTIONS")"
    s1="$(cpu $server)"; p1="$(pg_cpu)"; w1="$(wal_lsn)"; f1="$(fpi)"; n1="$(settled $bank)"
    echo "$full" | sed 's/^/  /'
    local n=$(( n1 - n0 ))
    echo "-- rows written per $unit, by table (pg_stat_user_tables; HOT: updates that wrote no index entry)"
    psql -d "$db" -q -c "
        SELECT schemaname || '.' || relname AS table, round(n_tup_ins::numeric / $n, 2) AS inserted,
               round(n_tup_upd::numeric / $n, 2) AS updated, round(n_tup_hot_upd::numeric / $n, 2) AS hot,
               round(n_tup_del::numeric / $n, 2) AS deleted
        FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY n_tup_ins + n_tup_upd + n_tup_del DESC"
    local rate serve_ms pg_ms wal
    rate="$(echo "$full" | sed -n 's/^completed (result acknowledged) *\([0-9]*\) [a-z]*\/s/\1/p')"
    serve_ms="$(ms $(( s1 - s0 )) "$n")"; pg_ms="$(ms $(( p1 - p0 )) "$n")"; wal="$(( $(wal_bytes "$w0" "$w1") / n ))"
    echo "  $n ${unit}s completed; per $unit: transact serve CPU $serve_ms ms, PostgreSQL CPU $pg_ms ms, WAL $wal bytes ($(( f1 - f0 )) full-page images in all)"
    if [ -n "${BENCH_PERF:-}" ] && [ "$round" = 1 ]; then
        echo "-- where PostgreSQL's CPU went (perf, 5 s of that run, the 30 costliest functions of its processes)"
        { perf report -i "/tmp/bench-perf-$offset.data" --comm postgres --no-children -g none --sort dso,symbol --stdio 2>/dev/null \
            | grep -E '^ +[0-9]' | head -30; } || true
        echo "-- where transact serve's CPU went (perf, the same 5 s, its 30 costliest functions)"
        { perf report -i "/tmp/bench-perf-$offset.data" --pid "$server" --no-children -g none --sort dso,symbol --stdio 2>/dev/null \
            | grep -E '^ +[0-9]' | head -30; } || true
    fi
    if [ -n "${BENCH_WAL_PROFILE:-}" ] && [ "$offset" = 0 ] && [ "$round" = 1 ]; then
        echo "-- the WAL of that run per purchase, by relation and record type (pg_walinspect)"
        psql -d "$db" -q -c "CREATE EXTENSION IF NOT EXISTS pg_walinspect" -c "
            WITH r AS (
                SELECT w.resource_manager || '/' || split_part(w.record_type, ' ', 1) AS kind, w.record_length, w.fpi_length,
                       substring(w.block_ref from 'rel [0-9]+/[0-9]+/([0-9]+)')::oid AS filenode
                FROM pg_get_wal_records_info('$w0', '$w1') w)
            SELECT coalesce(pg_filenode_relation(0, r.filenode)::text, r.filenode::text, '-') AS relation, r.kind,
                   round(count(*)::numeric / $n, 2) AS records, round(sum(r.record_length)::numeric / $n) AS bytes,
                   round(sum(r.fpi_length)::numeric / $n) AS fpi_bytes
            FROM r GROUP BY 1, 2 ORDER BY sum(r.record_length) DESC LIMIT 40"
    fi
    if [ -n "${BENCH_STATEMENTS:-}" ] && [ "$round" = 1 ]; then
        echo "-- the costliest statements per purchase (pg_stat_statements, nested ones included)"
        psql -d "$db" -q -c "
            SELECT round((total_exec_time / $n)::numeric, 3) AS ms_per_purchase, round(calls::numeric / $n, 2) AS calls_per_purchase,
                   round(plans::numeric / $n, 2) AS plans_per_purchase, round((total_plan_time / $n)::numeric, 3) AS plan_ms,
                   round((wal_bytes / $n)::numeric) AS wal_bytes_per_purchase,
                   left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS query
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time + total_plan_time DESC LIMIT 30"
    fi

    local half=$(( rate / 2 ))
    echo "-- paced at half that rate ($half/s)"
    local paced p99
    paced="$(load --rate "$half" --already-completed "$(settled $bank)")"
    echo "$paced" | sed 's/^/  /'
    p99="$(echo "$paced" | sed -n 's/^ *HTTP call latency: p50 [0-9.]* ms, p99 \([0-9.]*\) ms/\1/p')"
    echo "  server peak resident memory: $(awk '/VmHWM/ { print $2, $3 }' "/proc/$server/status")"
    echo "  transact verify: $(cd "$source" && "$bin" verify --bank-simulator "http://127.0.0.1:$bank" | tail -1)"
    kill "$server" "$bank_pid" "$vendor_pid" 2>/dev/null || true
    wait "$server" "$bank_pid" "$vendor_pid" 2>/dev/null || true
    echo "$label|$rate|$pg_ms|$wal|$serve_ms|$p99" >> "$results"
}

# The builds take turns, round after round, so that a drift of the machine's speed falls on all of them alike.
for round in $(seq 1 "$BENCH_ROUNDS"); do
    offset=0
    while IFS='|' read -r label bin source; do
        measure "$label" "$bin" "$source" "$offset" "$round"
        offset=$(( offset + 1 ))
    done <<< "$BENCH_BUILDS"
done

# Each build's figures: the median over the rounds (the mean of the middle two for an even number).
medians() {
    awk -F'|' -v label="$1" '$1 == label' "$results" | awk -F'|' '{ for (i = 2; i <= 6; i++) v[i, NR] = $i } END {
        for (i = 2; i <= 6; i++) {
            n = 0; for (r = 1; r <= NR; r++) a[++n] = v[i, r]
            for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
            m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            printf "%s%s", m, (i < 6 ? "|" : "\n")
        } }'
}
# Issue 14's targets are the purchase core's; a Chat 2 Pay journey (four calls, a message, a pending transfer and
# its post) has none.
if [ "$flow" = chat2pay ]; then
    echo "== Chat 2 Pay's figures (issue 17), measured in this run (medians of $BENCH_ROUNDS rounds)"
    t_cpu=""; t_wal=""; t_serve=""; t_p99=""; what="a Chat 2 Pay journey"
else
    echo "== issue 14's figures, measured in this run (medians of $BENCH_ROUNDS rounds) [target]"
    t_cpu="   [<= 2.0 x]"; t_wal="   [<= 5 KB]"; t_serve="   [<= 0.5 ms]"; t_p99="   [< 25 ms]"; what="Reserve and Transact"
fi
current_label="$(head -1 <<< "$BENCH_BUILDS" | cut -d'|' -f1)"
IFS='|' read -r rate pg_ms wal serve_ms p99 < <(medians "$current_label")
awk -v pg="$pg_ms" -v ref="$pgbench_cpu" -v u="$unit" -v t="$t_cpu" 'BEGIN { printf "  PostgreSQL CPU per %s / per pgbench transaction: %.2f ms / %.2f ms = %.1f x%s\n", u, pg, ref, pg / ref, t }'
awk -v w="$wal" -v ref="$pgbench_wal" -v u="$unit" -v t="$t_wal" 'BEGIN { printf "  WAL per %s: %.1f KB = %.0f x pgbench'"'"'s %.1f KB%s\n", u, w / 1024, w / ref, ref / 1024, t }'
echo "  transact serve CPU per $unit: $serve_ms ms$t_serve"
echo "  p99 of $what at half the maximum rate: $p99 ms$t_p99"
echo "  completed ${unit}s/s: $rate beside pgbench's $pgbench_tps tps"
tail -n +2 <<< "$BENCH_BUILDS" | cut -d'|' -f1 | while read -r label; do
    IFS='|' read -r previous_rate previous_pg previous_wal previous_serve previous_p99 < <(medians "$label")
    awk -v r="$rate" -v p="$previous_rate" -v l="$label" 'BEGIN { printf "    %s: %d/s, this build %.2f x   [>= 2 x]\n", l, p, r / p }'
    echo "    $label per $unit: PostgreSQL CPU $previous_pg ms, WAL $previous_wal bytes, serve CPU $previous_serve ms; p99 at half rate $previous_p99 ms"
done
