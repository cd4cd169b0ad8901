#!/usr/bin/env python
"""Soak: the whole service under mixed load for a set time, with real processes, then checks.

What runs (all on this machine, all started and stopped by this script):
- a private redis-server (port 6391 by default; never the machine's own 6379);
- a PostgreSQL database of the soak's own (dropped and created anew at the start);
- gunicorn serving the project (2 processes x 4 threads), and N Celery workers (`celery -A config
  worker`, prefork, both queues);
- the load, from threads of this process over HTTP: reports filed with subjects (each subject is
  screened by a worker after its commit), ad hoc screening calls, decisions on pending hits,
  report listings; and list syncs every --sync-every seconds, sent to the workers as beat would,
  each version adding one individual and dropping the one the previous version added.

At the end, after the queues have drained (no periodic sweep runs during the soak, so it cannot
hide a lost task), it checks:
- every subject of every accepted report (HTTP 201) was screened, against the current lists;
- no task was lost: the queues are empty, nothing is left unacknowledged, and every task a worker
  received finished (succeeded or raised) according to the workers' logs;
- no server error (HTTP 5xx) was answered;
- memory did not grow without bound: resident memory of the web and worker processes, sampled
  every 5 s; the last quarter's median against the first quarter's, and the slope over the
  second half. Flagged when it grew by more than 64 MiB and still rose faster than 2 MiB/min.

    .venv/bin/python bench/soak.py --minutes 10                 # the recorded run
    .venv/bin/python bench/soak.py --minutes 1 --workers 1      # a quick look
    options: --database-url postgres://postgres@127.0.0.1:5432/sanctions_soak  --redis-port 6391
             --clients 4  --sync-every 60  --json-out results.json

Exit status 0 when every check passes, 1 when one fails (it says which), 2 when it cannot start.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "un_consolidated_sample.xml"
PYTHON = sys.executable
NAMES = ["RI WON HO", "KIM SU GWANG", "JANG SONG CHOL", "CHOE SON HUI", "PAK HWA SONG", "HAN JANG SU",
         "KIM JONG SIK", "YUN CHANG HYOK", "SAEBYOL", "YU JONG 2", "NEW REGENT", "KOTI", "Ana Sousa",
         "John Smith", "Olga Petrova", "Nguyen Van An", "Korea Mining Development Trading Corporation"]
GROWTH_LIMIT_MIB = 64
SLOPE_LIMIT_MIB_PER_MIN = 2.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (1 pool process each)")
    parser.add_argument("--clients", type=int, default=4, help="load threads")
    parser.add_argument("--sync-every", type=float, default=60.0, help="seconds between list syncs")
    parser.add_argument("--database-url", default=os.environ.get("SOAK_DATABASE_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/sanctions_soak"))
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


# --- Processes -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Service:
    """Every process the soak starts, each in its own process group, stopped in reverse order."""

    def __init__(self, workdir: Path, env: dict):
        self.workdir, self.env, self.processes = workdir, env, {}

    def start(self, name: str, command: list[str], *, ready: str | None = None, timeout: float = 120):
        log = open(self.workdir / f"{name}.log", "ab")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        if ready:
            deadline = time.monotonic() + timeout
            while ready not in self.log(name):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{name} did not start:\n{self.log(name)[-2000:]}")
                time.sleep(0.2)
        return process

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def rss(self, prefix: str) -> float:
        """Resident memory of the named processes and everything they forked, MiB."""
        total = 0.0
        for name, process in self.processes.items():
            if name.startswith(prefix) and process.poll() is None:
                total += sum(rss_mib(pid) for pid in [process.pid, *descendants(process.pid)])
        return total

    def stop(self):
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum() or "soak" not in name:
        raise SystemExit(f"Refusing to drop {name!r}: the soak's database name must contain 'soak'.")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def list_variant(n: int, directory: Path) -> Path:
    """The seed list plus one individual of its own for version n (so each sync adds one entry and
    removes the previous version's)."""
    record = f"""<INDIVIDUAL><DATAID>{9300000 + n}</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>SOAK</FIRST_NAME>
<SECOND_NAME>PERSON {n}</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.9{n:03d}</REFERENCE_NUMBER>
<LISTED_ON>2026-11-30</LISTED_ON><COMMENTS1/><LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
<LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED><INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
<INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS><INDIVIDUAL_DATE_OF_BIRTH/><INDIVIDUAL_PLACE_OF_BIRTH/>
<INDIVIDUAL_DOCUMENT/><SORT_KEY/><SORT_KEY_LAST_MOD/></INDIVIDUAL>
"""
    text = SEED.read_text().replace("</INDIVIDUALS>", record + "</INDIVIDUALS>")
    path = directory / f"consolidated-{n}.xml"
    path.write_text(text)
    return path


# --- Load ----------------------------------------------------------------------------------------

class Load:
    def __init__(self, base_url: str, secret: str, seed: int):
        import httpx

        self.base_url, self.secret, self.random = base_url, secret, random.Random(seed)
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {secret}"}, timeout=60)
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.latencies: dict[str, list[float]] = {}
        self.accepted_reports: list[str] = []
        self.accepted_subjects: list[int] = []

    def call(self, kind: str, method: str, path: str, body=None):
        started = time.monotonic()
        try:
            response = self.http.request(method, path, json=body)
            status = response.status_code
        except Exception as exc:  # a connection error is a failure of the service, counted
            response, status = None, f"error:{type(exc).__name__}"
        with self.lock:
            self.statuses[(kind, status)] += 1
            self.latencies.setdefault(kind, []).append(time.monotonic() - started)
        return response

    def one_action(self, rng: random.Random):
        action = rng.choices(["report", "screen", "review", "read"], weights=[50, 30, 15, 5])[0]
        if action == "report":
            report = self.call("report", "POST", "/api/v1/reports/", {
                "title": f"Soak sighting {rng.randrange(10**6)}", "category": "sts_petroleum", "tlp": "GREEN",
                "status": "submitted", "narrative": "Generated by bench/soak.py."})
            if report is None or report.status_code != 201:
                return
            report_id = report.json()["id"]
            with self.lock:
                self.accepted_reports.append(report_id)
            for _ in range(rng.randint(1, 3)):
                name = rng.choice(NAMES)
                subject = self.call("subject", "POST", f"/api/v1/reports/{report_id}/subjects/", {
                    "role": "facilitator", "kind": "unknown", "name": name})
                if subject is not None and subject.status_code == 201:
                    with self.lock:
                        self.accepted_subjects.append(subject.json()["id"])
        elif action == "screen":
            self.call("screen", "POST", "/api/v1/screen/", {"name": rng.choice(NAMES), "kind": "any"})
        elif action == "review":
            with self.lock:
                report_id = rng.choice(self.accepted_reports) if self.accepted_reports else None
            if report_id is None:
                return
            listed = self.call("review-list", "GET", f"/api/v1/reports/{report_id}/matches/?limit=20")
            pending = [h for h in listed.json()["results"] if h["review_status"] == "pending"] \
                if listed is not None and listed.status_code == 200 else []
            if pending:
                hit = rng.choice(pending)
                self.call("review", "POST", f"/api/v1/matches/{hit['id']}/decision/",
                          {"decision": rng.choice(["confirm", "dismiss", "escalate"]), "reason": "soak review"})
        else:
            self.call("read", "GET", "/api/v1/reports/?limit=20")

    def run(self, until: float, clients: int):
        def client(n: int):
            rng = random.Random(self.random.random() + n)
            while time.monotonic() < until:
                self.one_action(rng)
                time.sleep(rng.uniform(0.0, 0.2))

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
        for thread in threads:
            thread.start()
        return threads


# --- The run -------------------------------------------------------------------------------------

def main() -> int:
    args = parse_args()
    if shutil.which("redis-server") is None:
        print("redis-server is not installed", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    redis_url = f"redis://127.0.0.1:{args.redis_port}/0"
    web_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_DEBUG": "false",
        "DATABASE_URL": args.database_url, "CELERY_BROKER_URL": redis_url, "CACHE_URL": f"{redis_url[:-1]}1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "INFO", "MEDIA_ROOT": str(workdir / "media"),
        # The soak measures the service, not its rate limits.
        **{f"THROTTLE_{name}": "1000000/min" for name in
           ("LISTS_READ", "REPORTS_READ", "REPORTS_WRITE", "SCREEN", "MATCHES_REVIEW", "AUDIT_READ")},
    })
    try:
        recreate_database(args.database_url)
    except Exception as exc:
        print(f"PostgreSQL at {args.database_url} is not usable: {exc}", file=sys.stderr)
        return 2
    service = Service(workdir, env)
    try:
        service.start("redis", ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--daemonize", "no", "--dir", str(workdir)],
                      ready="Ready to accept connections")
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        logging.getLogger("httpx").setLevel(logging.WARNING)
        import sanctions.tasks  # noqa: F401 - registers the sync task on the app
        from config.celery import app
        from monitoring.models import MemberState
        from monitoring.tokens import token_issue
        from sanctions.models import ListSource
        from sanctions.services import list_sync

        list_sync(source=ListSource.objects.get(slug="un-sc"), location=str(SEED))
        _, secret = token_issue(name="soak", scopes=["reports:read", "reports:write", "screen", "matches:review",
                                                      "lists:read"], actor=None,
                                member_state=MemberState.objects.get(country="KR"))
        service.start("web", [PYTHON, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{web_port}", "-w", "2",
                              "--threads", "4", "--timeout", "120"], ready="Booting worker")
        for n in range(args.workers):
            service.start(f"worker{n}", [PYTHON, "-m", "celery", "-A", "config", "worker", "-Q", "default,sync",
                                         "-P", "prefork", "-c", "1", "--without-heartbeat", "--without-gossip",
                                         "--without-mingle", "-l", "INFO", "-n", f"soak{n}@localhost"],
                          ready=" ready.")
        time.sleep(2)

        started = time.monotonic()
        until = started + args.minutes * 60
        load = Load(f"http://127.0.0.1:{web_port}", secret, args.seed)
        threads = load.run(until, args.clients)
        samples: list[tuple[float, float, float]] = []
        syncs, next_sync, next_sample = 0, started + args.sync_every, started
        sync_task = app.tasks["sanctions.tasks.sync_list_task"]
        while time.monotonic() < until:
            now = time.monotonic()
            if now >= next_sample:
                samples.append(((now - started) / 60, service.rss("web"), service.rss("worker")))
                next_sample += 5
            if now >= next_sync:
                syncs += 1
                sync_task.delay(source_slug="un-sc", location=str(list_variant(syncs, workdir)))
                next_sync += args.sync_every
            time.sleep(0.2)
        for thread in threads:
            thread.join(timeout=120)
        load_seconds = time.monotonic() - started

        # Drain: queues empty and nothing unacknowledged, for 3 s in a row (bounded).
        import redis

        broker = redis.Redis(port=args.redis_port)
        quiet_since, drain_deadline = None, time.monotonic() + 300
        while time.monotonic() < drain_deadline:
            busy = broker.llen("default") + broker.llen("sync") + broker.hlen("unacked")
            quiet_since = (quiet_since or time.monotonic()) if busy == 0 else None
            if quiet_since and time.monotonic() - quiet_since >= 3:
                break
            time.sleep(0.5)
        drained = quiet_since is not None
        samples.append(((time.monotonic() - started) / 60, service.rss("web"), service.rss("worker")))

        from monitoring.models import ReportSubject
        from monitoring.screening import subjects_needing_screening
        from sanctions.models import ListVersion

        unscreened = ReportSubject.objects.filter(pk__in=load.accepted_subjects, screened_at__isnull=True).count()
        not_current = subjects_needing_screening().filter(pk__in=load.accepted_subjects).count()
        versions = Counter(ListVersion.objects.filter(source__slug="un-sc").values_list("status", flat=True))
        logs = "".join(service.log(f"worker{n}") for n in range(args.workers))
        received = len(re.findall(r"Task \S+\[[0-9a-f-]+\] received", logs))
        finished = len(re.findall(r"Task \S+\[[0-9a-f-]+\] (?:succeeded in|raised unexpected|retry:)", logs))
        lost = logs.count("WorkerLostError")
        server_errors = sum(n for (kind, status), n in load.statuses.items()
                            if not isinstance(status, int) or status >= 500)

        def memory(index: int) -> dict:
            values = [s[index] for s in samples]
            quarter = max(1, len(values) // 4)
            first, last = statistics.median(values[:quarter]), statistics.median(values[-quarter:])
            half = [(s[0], s[index]) for s in samples[len(samples) // 2:]]
            slope = 0.0
            if len(half) >= 2:
                xs, ys = zip(*half)
                mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
                denominator = sum((x - mean_x) ** 2 for x in xs) or 1.0
                slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / denominator
            return {"first_quarter_mib": round(first, 1), "last_quarter_mib": round(last, 1),
                    "peak_mib": round(max(values), 1), "growth_mib": round(last - first, 1),
                    "slope_second_half_mib_per_min": round(slope, 2)}

        web_memory, worker_memory = memory(1), memory(2)
        result = {
            "minutes": round(load_seconds / 60, 2), "workers": args.workers, "clients": args.clients,
            "requests": sum(load.statuses.values()),
            "statuses": {f"{kind} {status}": n for (kind, status), n in sorted(load.statuses.items(), key=str)},
            "latency_ms_median": {k: round(statistics.median(v) * 1000, 1) for k, v in sorted(load.latencies.items())},
            "latency_ms_p95": {k: round(sorted(v)[int(len(v) * 0.95) - 1 if len(v) > 1 else 0] * 1000, 1)
                               for k, v in sorted(load.latencies.items())},
            "reports_accepted": len(load.accepted_reports), "subjects_accepted": len(load.accepted_subjects),
            "subjects_unscreened": unscreened, "subjects_not_current": not_current,
            "syncs_sent": syncs, "list_versions": dict(versions),
            "tasks_received": received, "tasks_finished": finished, "workers_lost": lost, "queues_drained": drained,
            "server_errors": server_errors, "memory_web": web_memory, "memory_workers": worker_memory,
        }
        checks = {
            "every accepted subject screened, against the current lists": unscreened == 0 and not_current == 0,
            "no task lost (queues drained, every received task finished)": drained and received == finished,
            "no server error": server_errors == 0,
            "every sync applied": versions.get("applied", 0) == syncs + 1,
            "web memory bounded": _bounded(web_memory), "worker memory bounded": _bounded(worker_memory),
        }
        result["checks"] = checks
        print(json.dumps(result, indent=2))
        for name, passed in checks.items():
            print(f"{'ok  ' if passed else 'FAIL'} {name}")
        if args.json_out:
            args.json_out.write_text(json.dumps(result, indent=2) + "\n")
        return 0 if all(checks.values()) else 1
    finally:
        service.stop()
        print(f"logs: {workdir}", file=sys.stderr)


def _bounded(memory: dict) -> bool:
    """Unbounded: grew by more than GROWTH_LIMIT_MIB and still rising faster than the slope limit."""
    return (memory["growth_mib"] <= GROWTH_LIMIT_MIB
            or memory["slope_second_half_mib_per_min"] <= SLOPE_LIMIT_MIB_PER_MIN)


if __name__ == "__main__":
    sys.exit(main())
