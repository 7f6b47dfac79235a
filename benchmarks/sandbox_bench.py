"""Sandbox benchmark: start time and small requests per second from one keep-alive client.

The sandbox must start in under 0.2 s and answer at least 800 small requests a second
(issue 17: the WebSocket support must not slow the HTTP side). Start is measured from
``Sandbox(...).start()`` to the first answered request; throughput is 2,000 authenticated
``GET /api/v2/organizations/me`` from one ``httpx.Client``.

Run: ``.venv/bin/python benchmarks/sandbox_bench.py``. The last line is
``sandbox: start S ms, R requests/s``.
"""

from __future__ import annotations

import statistics
import sys
import time

import httpx

from console.sandbox import Sandbox, SandboxConfig

REQUESTS = 2000


def main() -> int:
    """Measure and print the line."""
    starts: list[float] = []
    for _ in range(5):
        t0 = time.perf_counter()
        sb = Sandbox(SandboxConfig(port=0)).start()
        with httpx.Client(base_url=sb.url) as client:
            client.get("/api/v2/organizations/me")
        starts.append(time.perf_counter() - t0)
        sb.stop()
    with Sandbox(SandboxConfig(port=0, rate_limit=10**9)) as sb, httpx.Client(base_url=sb.url) as client:
        token = client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("sandbox-client", "sandbox-secret"),
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        client.get("/api/v2/organizations/me").raise_for_status()
        t0 = time.perf_counter()
        for _ in range(REQUESTS):
            client.get("/api/v2/organizations/me")
        rate = REQUESTS / (time.perf_counter() - t0)
    start_ms = statistics.median(starts) * 1000
    print(f"sandbox: start {start_ms:.1f} ms, {rate:.0f} requests/s")
    return 0 if start_ms < 200 and rate >= 800 else 1


if __name__ == "__main__":
    sys.exit(main())
