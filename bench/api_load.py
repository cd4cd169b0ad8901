"""The partner API under load: gunicorn with 2 workers on PostgreSQL and Redis, every list loaded.

    apt-get install wrk                                  # the load generator (C, light on the CPU it shares)
    createdb -h 127.0.0.1 -U postgres bench_all          # once; the lists are loaded into it on the first run
    .venv/bin/python bench/api_load.py [--database-url postgres://postgres@127.0.0.1:5432/bench_all] [--seconds 30]

What it does, in one run:
  1. Loads every source of bench/_sources.py into the database when it has no applied version of it
     (about 5 minutes, once), issues a token of all scopes for the Republic of Korea, and files 200
     reports through the API when there are fewer.
  2. Stores the screening index of the current versions, as the sync that applied them does.
  3. Starts gunicorn (`config.gunicorn`, production settings, Redis as broker and cache, throttle rates
     raised out of the way: counting still happens, in Redis) and times the first screening answer
     from the server's start; then SIGKILLs both workers and times the first answer of their
     replacements; then applies a new version of the UN list (a forced sync, in this process) and
     times the first answers after its commit.
  4. wrk, 16 connections (2 threads), --seconds per endpoint, on the same server: /healthz (the floor),
     screen (one query per call, 200 names from the lists in turn), entry search (?q=, 40 terms),
     the report list, an entry detail (200 entries), the change feed (?after=, 200 positions).
Reports p50, p95, p99 (wrk's latency distribution), requests/s, errors (non-2xx, time-outs of 10 s,
socket errors), the index memory of each process (RSS and PSS, /proc/<pid>/smaps_rollup) and the goals
of issue #16, PASS or FAIL. Exits 0 either way."""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from _sources import INPUTS  # noqa: E402

CLIENTS = 16
REPORTS = 200
SEARCH_TERMS = ("kim", "ri", "pak", "choe", "jong", "han", "song", "kang", "yun", "o",
                "korea", "trading", "shipping", "ocean", "bank", "general", "mining", "petroleum", "marine", "star",
                "mohammad", "ali", "hassan", "ivanov", "petrov", "sergei", "vladimir", "alexander", "limited", "llc",
                "chol", "myong", "hyok", "kwang", "pyongyang", "wonsan", "nampo", "rason", "tanker", "ltd")


ENTRY_SAMPLE = "/api/v1/entries/?limit=200&offset=1000"  # the entries screened and read in detail


def endpoint_requests(entries: list[dict]) -> dict[str, list[tuple[str, str, str | None]]]:
    """Each endpoint's requests (method, path, JSON body), taken in turn; `entries` are the rows
    of ENTRY_SAMPLE."""
    from sanctions.models import EntryChange

    last_change = EntryChange.objects.order_by("-id").values_list("id", flat=True).first() or 1
    kinds = {"individual": "person", "entity": "organization"}
    return {
        "/healthz": [("GET", "/healthz", None)],
        "screen": [("POST", "/api/v1/screen/", json.dumps({"name": entry["primary_name"],
                                                           "kind": kinds.get(entry["kind"], entry["kind"])}))
                   for entry in entries],
        "entry search": [("GET", f"/api/v1/entries/?q={term}", None) for term in SEARCH_TERMS],
        "report list": [("GET", "/api/v1/reports/", None)],
        "entry detail": [("GET", f"/api/v1/entries/{entry['id']}/", None) for entry in entries],
        "change feed": [("GET", f"/api/v1/changes/?after={after}", None)
                        for after in range(0, max(1, last_change), max(1, last_change // 200))],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(args, index_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "THROTTLE_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-" + "k" * 60, "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url, "CELERY_BROKER_URL": args.redis_url, "CACHE_URL": args.redis_url,
        "SCREENING_INDEX_DIR": index_dir, "WEB_CONCURRENCY": "2", "WEB_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING", "GUNICORN_CMD_ARGS": "--log-level warning",
        **{f"THROTTLE_{scope}": "1000000/min" for scope in
           ("LISTS_READ", "REPORTS_READ", "REPORTS_WRITE", "SCREEN", "MATCHES_REVIEW", "AUDIT_READ")},
    })
    return env


def call(base: str, token: str, method: str, path: str, body: dict | None = None, timeout: float = 120):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


def first_answer(base: str, token: str, started: float, limit: float = 180.0) -> float:
    """Seconds from `started` to the first screening call answered with a 200."""
    while time.perf_counter() - started < limit:
        try:
            status, _ = call(base, token, "POST", "/api/v1/screen/", {"name": "Ri Won Ho", "kind": "person"})
            if status == 200:
                return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.01)
    return float("inf")


def timed_answers(base: str, token: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call(base, token, "POST", "/api/v1/screen/", {"name": "Kim Jong Un", "kind": "person"})
        times.append(time.perf_counter() - started)
    return times


def memory(pid: int) -> tuple[float, float]:
    """RSS and PSS of a process, MiB (PSS counts shared pages once across the processes sharing them)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    return fields["Rss"] / 1024, fields["Pss"] / 1024


def children(pid: int) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


LUA = """
local requests = %(requests)s
local i = math.random(#requests)
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Forwarded-Proto"] = "https"
request = function()
  i = i %% #requests + 1
  local r = requests[i]
  return wrk.format(r[1], r[2], nil, r[3])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%f, \\"p95\\": %%f, \\"p99\\": %%f, "
    .. "\\"non2xx\\": %%d, \\"timeouts\\": %%d, \\"socket\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, e.status, e.timeout, e.connect + e.read + e.write))
end
"""


def lua_list(requests: list[tuple[str, str, str | None]]) -> str:
    def quoted(text):
        return "nil" if text is None else json.dumps(text)  # a JSON string is a valid Lua string here
    return "{" + ", ".join(f"{{{quoted(m)}, {quoted(p)}, {quoted(b)}}}" for m, p, b in requests) + "}"


def run_wrk(base: str, token: str, requests, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"requests": lua_list(requests), "token": token})
    out = subprocess.run(["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name, base],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    result = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def prepare(args) -> tuple[str, dict]:
    """Lists, token, reports and the stored index, in this process (production settings, same env)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from monitoring.models import MemberState, ViolationReport
    from monitoring.tokens import token_issue
    from sanctions.models import ListSource, ListVersion
    from sanctions.screening import current_index
    from sanctions.selectors import screening_source_slugs
    from sanctions.services import list_sync

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    facts = {}
    for slug, path in INPUTS.items():
        source = ListSource.objects.get(slug=slug)
        if not ListVersion.objects.filter(source=source, status="applied").exists():
            started = time.perf_counter()
            list_sync(source=source, location=str(path))
            print(f"   loaded {slug} in {time.perf_counter() - started:.0f} s", flush=True)
    admin = get_user_model().objects.filter(username="bench-admin").first() or \
        get_user_model().objects.create_superuser("bench-admin", "bench@example.org", secrets.token_urlsafe(16))
    korea = MemberState.objects.get(country="KR")
    _, token = token_issue(name="bench/api_load.py", scopes=["lists:read", "reports:read", "reports:write", "screen"],
                           actor=admin, member_state=korea)
    facts["reports"] = ViolationReport.objects.filter(reporting_state=korea).count()
    slugs = screening_source_slugs()
    started = time.perf_counter()
    handle = current_index(slugs)
    facts["index_entries"] = len(handle.index)
    facts["index_ready_s"] = time.perf_counter() - started
    facts["index_file_mib"] = Path(os.environ["SCREENING_INDEX_DIR"], f"{handle.key}.index").stat().st_size / 2**20
    from django.db import connections

    connections.close_all()
    return token, facts


def sync_again() -> float:
    """A new version of the UN list, applied in this process: the copy with its first given name
    changed (another tag each run), so that the version is applied, not found unchanged."""
    from sanctions.models import ListSource
    from sanctions.services import list_sync

    changed = INPUTS["un-sc"].read_bytes().replace(b"</FIRST_NAME>", f" {secrets.token_hex(3).upper()}</FIRST_NAME>".encode(), 1)
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as copy:
        copy.write(changed)
    started = time.perf_counter()
    version = list_sync(source=ListSource.objects.get(slug="un-sc"), location=copy.name)
    os.unlink(copy.name)
    assert version.status == "applied", version.status
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_all")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--seconds", type=int, default=30, help="per endpoint (default 30)")
    parser.add_argument("--first-answers-only", action="store_true",
                        help="only the times to the first answers (start, worker kill, sync); no load")
    args = parser.parse_args()
    index_dir = tempfile.mkdtemp(prefix="bench-api-index-")
    env = server_env(args, index_dir)
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    print(f"== bench/api_load.py, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}; gunicorn 2 workers, wrk -t2 -c{CLIENTS} -d{args.seconds}s", flush=True)
    token, facts = prepare(args)
    print(f"   index of every list: {facts['index_entries']:,} entries, ready in {facts['index_ready_s']:.1f} s "
          f"(built and stored, as the sync does), file {facts['index_file_mib']:.1f} MiB", flush=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env["BIND"] = f"127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen([str(REPO / ".venv" / "bin" / "gunicorn"), "config.wsgi", "-c", "python:config.gunicorn"],
                              cwd=REPO, env=env, start_new_session=True)
    try:
        results = {"first_after_start": first_answer(base, token, started)}
        workers = children(server.pid)
        mem = {"master": memory(server.pid), **{f"worker {i}": memory(pid) for i, pid in enumerate(workers, 1)}}
        started = time.perf_counter()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        results["first_after_worker_kill"] = first_answer(base, token, started)
        results["sync_s"] = sync_again()
        results["after_sync"] = timed_answers(base, token, 4)
        if args.first_answers_only:
            print(f"first screening answer: after the server's start {results['first_after_start']:.2f} s; after both "
                  f"workers were SIGKILLed {results['first_after_worker_kill']:.2f} s; after a sync of the UN list "
                  f"(the sync {results['sync_s']:.1f} s), the first 4 answers: "
                  + ", ".join(f"{t:.2f}" for t in results["after_sync"]) + " s")
            return 0

        while facts["reports"] < REPORTS:
            call(base, token, "POST", "/api/v1/reports/", {
                "title": f"Bench report {facts['reports'] + 1}", "category": "sts_petroleum", "tlp": "AMBER"})
            facts["reports"] += 1
        _, entries = call(base, token, "GET", ENTRY_SAMPLE)
        endpoints = endpoint_requests(entries["results"])
        loaded = {}
        for name, requests in endpoints.items():
            loaded[name] = run_wrk(base, token, requests, args.seconds)
            print(f"   {name}: {loaded[name]['rps']:.0f} requests/s", flush=True)
        mem_after = {"master": memory(server.pid),
                     **{f"worker {i}": memory(pid) for i, pid in enumerate(children(server.pid), 1)}}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    print()
    print(f"first screening answer: after the server's start {results['first_after_start']:.2f} s; after both "
          f"workers were SIGKILLed {results['first_after_worker_kill']:.2f} s; after a sync of the UN list "
          f"(the sync {results['sync_s']:.1f} s, index built before its commit), the first 4 answers: "
          + ", ".join(f"{t:.2f}" for t in results["after_sync"]) + " s")
    print()
    print(f"{'endpoint':<14} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>8} "
          f"{'timeouts':>9} {'socket':>7}")
    for name, r in loaded.items():
        print(f"{name:<14} {r['requests']:>9,} {r['rps']:>7.0f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} "
              f"{r['non2xx']:>8} {r['timeouts']:>9} {r['socket']:>7}")
    print()
    print("memory, MiB (RSS / PSS): " + "; ".join(
        f"{name} {rss:.0f} / {pss:.0f} at start, {mem_after[name][0]:.0f} / {mem_after[name][1]:.0f} at the end"
        for name, (rss, pss) in mem.items() if name in mem_after))
    print()
    floor = loaded["/healthz"]["rps"]
    first = max(results["first_after_start"] - 0, 0)
    goals = [
        ("first screen after a worker restart <= 1 s", results["first_after_worker_kill"] <= 1.0),
        ("first screen after a sync <= 1 s (slowest of the first 4)", max(results["after_sync"]) <= 1.0),
        ("screen p95 <= 50 ms", loaded["screen"]["p95"] <= 50),
        (f"screen req/s >= 50 % of /healthz's ({floor / 2:.0f})", loaded["screen"]["rps"] >= floor / 2),
        ("entry search >= 300 req/s", loaded["entry search"]["rps"] >= 300),
        ("report list >= 200 req/s", loaded["report list"]["rps"] >= 200),
        ("entry detail >= 200 req/s", loaded["entry detail"]["rps"] >= 200),
        ("no errors, no time-outs", all(r["non2xx"] + r["timeouts"] + r["socket"] == 0 for r in loaded.values())),
    ]
    for goal, passed in goals:
        print(f"   {'PASS' if passed else 'FAIL'}  {goal}")
    print(f"   info  first answer after a cold server start (gunicorn, Django, the index loaded): {first:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
