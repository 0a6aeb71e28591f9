"""Does `POST /auth/password-reset` tell whether an account exists by its
timing? Asks for a registered and an unknown address in turn, REQUESTS
times each, and prints the median and p90 of both.

Usage: uv run python -m bench.reset_timing URL REGISTERED_EMAIL
(bench/auth.sh runs it against a fresh `serve`).
"""

import os
import statistics
import sys
import time

import httpx

REQUESTS = int(os.environ.get("REQUESTS", "60"))


def main() -> None:
    url, registered = sys.argv[1], sys.argv[2]
    timings: dict[str, list[float]] = {"registered": [], "unknown": []}
    with httpx.Client(base_url=url) as client:
        for n in range(REQUESTS):
            for kind, email in (
                ("registered", registered),
                ("unknown", f"nobody-{n}@example.com"),
            ):
                started = time.perf_counter()
                response = client.post("/auth/password-reset", json={"email": email})
                timings[kind].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 202, response.text
    for kind, values in timings.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        median = statistics.median(values)
        print(
            f"password reset, {kind:<10} address: median {median:.2f} ms, "
            f"p90 {p90:.2f} ms ({REQUESTS} requests)"
        )


if __name__ == "__main__":
    main()
