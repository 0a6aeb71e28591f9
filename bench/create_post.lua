-- POST /posts as the bench user; BENCH_TOKEN holds its access token.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.body = '{"title":"Benchmark post","content":"Written by wrk to measure POST /posts."}'
