"""The cost of one request to each endpoint of bench/api_load.py, in-process: milliseconds, queries
and the database's share, on the same database, settings and cache as that benchmark.

    .venv/bin/python bench/api_load.py --seconds 2          # once: loads every list into bench_all
    .venv/bin/python bench/api_profile.py [--requests 50] [--cprofile "report list" [--sort tottime] [--rows 40]]

Django's test client (no socket, no gunicorn), production settings, Redis as cache; one warm-up
request per endpoint, then --requests timed ones, taken in turn from bench/api_load.py's requests.
The peers, in the same run: `/healthz`, the floor of a request that reaches no view of the API, and
`sources` (the two-row list of list sources), the floor of an authenticated, throttled API call.
--cprofile profiles one endpoint and prints its heaviest functions."""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))
from api_load import ENTRY_SAMPLE, endpoint_requests, server_env  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_all")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--cprofile", metavar="ENDPOINT", help="profile this endpoint's requests")
    parser.add_argument("--sort", default="cumulative", help="pstats order of the profile (default cumulative)")
    parser.add_argument("--rows", type=int, default=25, help="functions of the profile shown (default 25)")
    args = parser.parse_args()
    os.environ.update(server_env(args, tempfile.mkdtemp(prefix="bench-api-profile-")))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from monitoring.models import ApiToken, MemberState
    from monitoring.tokens import token_issue
    from sanctions.screening import warm_index

    warm_index()
    bench_token = ApiToken.objects.filter(name="bench/api_load.py").first()
    if bench_token is None:
        print("no bench token: run bench/api_load.py once first", file=sys.stderr)
        return 2
    _, token = token_issue(name="bench/api_profile.py", scopes=["lists:read", "reports:read", "reports:write", "screen"],
                           actor=bench_token.created_by, member_state=MemberState.objects.get(country="KR"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    endpoints = {"sources": [("GET", "/api/v1/sources/", None)],
                 **endpoint_requests(client.get(ENTRY_SAMPLE).json()["results"])}

    def send(method: str, path: str, body: str | None):
        if method == "POST":
            return client.post(path, body, content_type="application/json")
        return client.get(path)

    print(f"== bench/api_profile.py, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load {os.getloadavg()[0]:.2f}, {args.requests} requests each")
    print(f"{'endpoint':<14} {'p50 ms':>8} {'mean ms':>8} {'queries':>8} {'db ms':>7}")
    for label, requests in endpoints.items():
        if args.cprofile and label != args.cprofile:
            continue
        assert send(*requests[0]).status_code in (200, 201), label
        timings, queries, database = [], [], []
        profile = cProfile.Profile() if args.cprofile else None
        for i in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if profile:
                    profile.enable()
                response = send(*requests[i % len(requests)])
                if profile:
                    profile.disable()
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 201), (label, response.status_code, response.content[:200])
            queries.append(len(captured))
            database.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        print(f"{label:<14} {statistics.median(timings):8.1f} {statistics.fmean(timings):8.1f} "
              f"{max(queries):8d} {statistics.fmean(database):7.1f}")
        if profile:
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
