-- wrk script: POST /token with client credentials taken from the environment (scripts/bench-auth sets them).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=client_credentials&client_id=" .. os.getenv("BENCH_CLIENT_ID")
    .. "&client_secret=" .. os.getenv("BENCH_CLIENT_SECRET")
