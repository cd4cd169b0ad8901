"""The cost of one request to each endpoint of bench/api_load.py, in-process: milliseconds, queries
and the database's share, on the same database, settings and cache as that benchmark.

    .venv/bin/python bench/api_load.py --seconds 2          # once: loads every list into bench_all
    .venv/bin/python bench/api_profile.py [--requests 50] [--cprofile "report list"]

Django's test client (no socket, no gunicorn), production settings, Redis as cache; one warm-up
request per endpoint, then --requests timed ones. The peer is `/healthz` in the same run: the floor
of a request that reaches no view of the API; `sources` (the two-row list of list sources) is the floor of
an authenticated, throttled API call. --cprofile prints the 25 heaviest functions of one
endpoint (cumulative time)."""
from __future__ import annotations

import argparse
import cProfile
import json
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
from api_load import SEARCH_TERMS, server_env  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_all")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--cprofile", metavar="ENDPOINT")
    args = parser.parse_args()
    os.environ.update(server_env(args, tempfile.mkdtemp(prefix="bench-api-profile-")))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from monitoring.models import ApiToken, MemberState
    from monitoring.tokens import token_issue
    from sanctions.models import EntryChange, ListEntry
    from sanctions.screening import warm_index

    warm_index()
    korea = MemberState.objects.get(country="KR")
    admin = ApiToken.objects.filter(name="bench/api_load.py").first()
    if admin is None:
        print("no bench token: run bench/api_load.py once first", file=sys.stderr)
        return 2
    _, token = token_issue(name="bench/api_profile.py", scopes=["lists:read", "reports:read", "reports:write", "screen"],
                           actor=admin.created_by, member_state=korea)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    entries = list(ListEntry.objects.exclude(primary_name="").order_by("id").values_list("id", "primary_name", "kind")[1000:1200])
    last_change = EntryChange.objects.order_by("-id").values_list("id", flat=True).first() or 1
    kinds = {"individual": "person", "entity": "organization"}

    def screen(i):
        _, name, kind = entries[i % len(entries)]
        return client.post("/api/v1/screen/", json.dumps({"name": name, "kind": kinds.get(kind, kind)}),
                           content_type="application/json")

    endpoints = {
        "/healthz": lambda i: client.get("/healthz"),
        "sources": lambda i: client.get("/api/v1/sources/"),
        "screen": screen,
        "entry search": lambda i: client.get(f"/api/v1/entries/?q={SEARCH_TERMS[i % len(SEARCH_TERMS)]}"),
        "report list": lambda i: client.get("/api/v1/reports/"),
        "entry detail": lambda i: client.get(f"/api/v1/entries/{entries[i % len(entries)][0]}/"),
        "change feed": lambda i: client.get(f"/api/v1/changes/?after={max(1, last_change - 200 + i % 200)}"),
    }
    print(f"== bench/api_profile.py, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load {os.getloadavg()[0]:.2f}, {args.requests} requests each")
    print(f"{'endpoint':<14} {'p50 ms':>8} {'mean ms':>8} {'queries':>8} {'db ms':>7}")
    for label, request in endpoints.items():
        if args.cprofile and label != args.cprofile:
            continue
        assert request(0).status_code in (200, 201), label
        timings, queries, database = [], [], []
        profile = cProfile.Profile() if args.cprofile else None
        for i in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if profile:
                    profile.enable()
                response = request(i)
                if profile:
                    profile.disable()
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 201), (label, response.status_code, response.content[:200])
            queries.append(len(captured))
            database.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        print(f"{label:<14} {statistics.median(timings):8.1f} {statistics.fmean(timings):8.1f} "
              f"{max(queries):8d} {statistics.fmean(database):7.1f}")
        if profile:
            pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("PROFILE_ROWS", "25")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
