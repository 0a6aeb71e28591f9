-- POST /auth/token with the OAuth2 password form of the bench user.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "username=bench_user&password=Bench-pass-123!"
