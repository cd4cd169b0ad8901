"""Benchmark: syncing the UN Consolidated List, on SQLite and on PostgreSQL, against a bare lxml peer;
and every list source of the registry, one row each, with the screening index of them all.

    python bench/sync.py [--db sqlite|postgres|both] [--repeat N] [--without-rescreen]
                         [--profile full|resync|diff] [--postgres-url URL]
                         [--wait-for-load L [--wait-max SECONDS]]
                         [--sources all|none|SLUG,SLUG...] [--no-extra-inputs] [--only un|sources]

Scenarios (each timed with time.perf_counter around the service call only, N times; the median
and the min are reported):

1. first full sync: ``list_sync`` of the 2026-05-08 copy on an empty, freshly migrated database;
2. unchanged re-sync of the same file (right after 1);
3. diff sync: on a fresh database the 2026-02-27 copy is applied first (not timed), then applying
   the 2026-05-08 copy is timed; the added/amended/removed/relisted counts are reported;
4. the peer: the bare time to read, sha256 and parse the 2026-05-08 file with plain lxml
   (``etree.fromstring`` + a walk over every element, and ``etree.iterparse`` over every element);
5. for reference, our own parser alone (``parse_un_consolidated``, which also hashes);
6. for reference, on PostgreSQL only, the database alone: the rows the first full sync wrote (list
   versions, entries, their names, identifiers, dates of birth, nationalities and addresses, change
   rows) are copied out after (2), the tables emptied, and the time to COPY the same rows back,
   already formatted, and commit (deferred foreign-key checks included) is timed. No parsing and
   no Python formatting: the part of a full sync that no parser or client code can remove.

Each database runs in its own worker subprocess (Django is set up once per process): this script
re-invokes itself with ``--worker sqlite|postgres``. Settings are ``config.settings.local`` with
DEBUG off (DEBUG on makes Django format and keep every SQL statement, which is not what a deployed
sync does). SQLite uses a file in a temporary folder; PostgreSQL uses
``postgres://postgres@127.0.0.1:5432/sanctions_bench`` (``--postgres-url``), dropped and created
with psycopg before each fresh database (the process's screening-index cache is cleared with it).
If PostgreSQL is unreachable the run says so and continues with SQLite only.

Re-screening: an applied version sends ``list_version_applied`` on commit, and monitoring's
receiver queues ``rescreen_after_sync_task``. There is no Celery broker here (the embedded
default; the worker's environment has CELERY_BROKER_URL removed), so that task runs eagerly inside
the ``list_sync`` call and is part of its time; the table shows how much of it ran in the
on-commit hooks. ``--without-rescreen`` disconnects the signal's receivers instead, which is what
the sync process itself does when a broker hands re-screening to another worker.

Memory: the worker's peak RSS (``ru_maxrss``) over all timed runs, and the tracemalloc peak of
one extra first full sync run with tracemalloc on (that run is not part of the timings).

7. every list source (``--sources``, default all of ``settings.LIST_SOURCES``, in registry order; a
   list of slugs gives the order): the first full sync of its input into the empty source and an
   unchanged re-sync, the sources loaded one after another into one fresh database; then the
   screening index of them all (``sanctions.screening.current_index``), built cold, with its memory
   measured as ``bench/screening_speed.py`` does. Extra inputs of a source (the 2021 OFAC set with
   its companion files, the EU XML seed) are loaded on a database of their own
   (``--no-extra-inputs`` skips them). The inputs and the method are in ``bench/_sync_sources.py``.
   This scenario runs in a worker subprocess of its own (``--part sources``), so the peak RSS of
   (1)-(6), which a goal checks, is not the bigger lists'. ``--only un`` or ``--only sources`` runs
   one of the two parts.

The goals of the issue are checked on PostgreSQL (medians): first full sync < 2 s and <= 10x the
bare lxml parse+hash, diff sync < 1 s, unchanged re-sync < 0.3 s, peak memory < 200 MB. The exit
status is 0 even when a goal fails (this is a report), but the failure is printed loudly.

The data files are read in place from ``../shared/data/`` (beside the project), never copied; the
samples of the sources that have no real copy there are read from ``seeds/``.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import hashlib
import io
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _sync_sources  # noqa: E402 - bench/_sync_sources.py: the per-source scenario (7)

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "un"
FILE_2026_05_08 = DATA / "TuaMaley__New-AML-TMS" / "un_sanctions.xml"
FILE_2026_02_27 = DATA / "moov-io__watchman" / "UN_consolidated.xml"
# From shared/data/SOURCES.md: a wrong or altered file must not pass silently.
EXPECTED_SHA256 = {
    FILE_2026_05_08: "1f1b3bfe29a53e7ac7c42ee4e58d6a7d1ebdf7c5e91fd990d3e63aefe0313dea",
    FILE_2026_02_27: "66b392a4090868d2d39161e8d748efd39138377b0e6e60b7921aa67a4f99c8bf",
}
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/sanctions_bench"
SOURCE_SLUG = "un-sc"
MB = 1024 * 1024

GOALS = {  # on PostgreSQL, medians
    "full_max_s": 2.0,
    "full_max_ratio_to_bare": 10.0,
    "diff_max_s": 1.0,
    "resync_max_s": 0.3,
    "peak_rss_max_mb": 200.0,
}

SCENARIOS = ("full", "resync", "diff", "bare_fromstring", "bare_iterparse", "ours_parse", "db_alone")
POSTGRES_ONLY = ("db_alone",)
LABELS = {
    "full": "(1) first full sync, 2026-05-08, empty DB",
    "resync": "(2) unchanged re-sync, same file",
    "diff": "(3) diff sync, 2026-02-27 -> 2026-05-08",
    "bare_fromstring": "(4) bare lxml: read+sha256+fromstring+walk",
    "bare_iterparse": "(4) bare lxml: read+sha256+iterparse",
    "ours_parse": "(5) ours: read+parse_un_consolidated (hashes)",
    "db_alone": "(6) database alone: COPY of (1)'s rows + commit",
}


# --------------------------------------------------------------------------- helpers (both sides)


def _maintenance_url(url: str) -> tuple[str, str]:
    """(URL of the server's `postgres` database, name of the bench database)."""
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path="/postgres")), parsed.path.lstrip("/")


def _rss_mb() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --------------------------------------------------------------------------- worker


class Worker:
    def __init__(self, db: str, repeat: int, postgres_url: str, sqlite_path: str, profile: str | None,
                 without_rescreen: bool):
        self.db = db
        self.without_rescreen = without_rescreen
        self.repeat = repeat
        self.postgres_url = postgres_url
        self.sqlite_path = sqlite_path
        self.profile = profile
        self.queries = 0  # SQL statements of the call being timed
        self.current = ""  # the scenario being run, for the error report
        self.rss_after_first_full = None

    # ---- database lifecycle

    def fresh_database(self) -> None:
        from django.core.management import call_command
        from django.db import connections

        connections.close_all()
        if self.db == "postgres":
            import psycopg

            maintenance, name = _maintenance_url(self.postgres_url)
            with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(self.sqlite_path + suffix).unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
        _forget_in_process_caches()

    def drop_database(self) -> None:
        from django.db import connections

        connections.close_all()
        if self.db == "postgres":
            import psycopg

            maintenance, name = _maintenance_url(self.postgres_url)
            with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # ---- measuring

    def _count_queries(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)

    @contextlib.contextmanager
    def commit_hooks_watched(self, before_hooks=None):
        """Time the on-commit hooks run inside the call (sanctions' list_version_applied signal; with
        no Celery broker, monitoring's re-screening task runs right there, eagerly)."""
        from django.db import connection

        self.hooks_seconds, self.hooks_queries = 0.0, 0
        original = connection.run_and_clear_commit_hooks
        depth = 0  # a hook may commit again and so run hooks: time the outermost run only

        def watched():
            nonlocal depth
            if depth:
                return original()
            if before_hooks is not None:
                before_hooks()
            depth += 1
            queries_before = self.queries
            start = time.perf_counter()
            try:
                return original()
            finally:
                depth -= 1
                self.hooks_seconds += time.perf_counter() - start
                self.hooks_queries += self.queries - queries_before

        connection.run_and_clear_commit_hooks = watched
        try:
            yield
        finally:
            del connection.run_and_clear_commit_hooks  # back to the class's method

    def timed(self, fn):
        """(seconds, of which in on-commit hooks, SQL statements, result) of one call; gc is run
        before, outside the timing."""
        from django.db import connection

        gc.collect()
        self.queries = 0
        with connection.execute_wrapper(self._count_queries), self.commit_hooks_watched():
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
        return elapsed, self.hooks_seconds, self.queries, result

    def sync(self, path: Path):
        from sanctions.models import ListSource
        from sanctions.services import list_sync

        source = ListSource.objects.get(slug=SOURCE_SLUG)  # outside the timing
        return lambda: list_sync(source=source, location=str(path))

    @staticmethod
    def bare_fromstring(path: Path) -> int:
        from lxml import etree

        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        root = etree.fromstring(data)
        return sum(1 for _ in root.iter())

    @staticmethod
    def bare_iterparse(path: Path) -> int:
        from lxml import etree

        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        count = 0
        for _event, _element in etree.iterparse(io.BytesIO(data)):
            count += 1
        return count

    @staticmethod
    def ours_parse(path: Path):
        from sanctions.parsers.un_xml import parse_un_consolidated

        return parse_un_consolidated(path.read_bytes())

    def setup_django(self) -> None:
        import django

        django.setup()
        if self.without_rescreen:
            # As with a Celery broker, where re-screening runs in another process: nobody listens.
            from sanctions.signals import list_version_applied

            list_version_applied.receivers.clear()
            list_version_applied.sender_receivers_cache.clear()

    def run(self) -> dict:
        self.setup_django()

        times: dict[str, list[float]] = {name: [] for name in SCENARIOS}
        times.update({f"{name}_hooks": [] for name in ("full", "resync", "diff")})
        queries: dict[str, int] = {}
        counts: dict[str, dict] = {}
        error = None  # (scenario, message) of the first failed database scenario; later ones are skipped
        rss_after_first_full = None

        for rep in range(self.repeat):
            print(f"  [{self.db}] repetition {rep + 1}/{self.repeat}", file=sys.stderr, flush=True)
            if error is None:
                try:
                    self.database_scenarios(times, queries, counts)
                except Exception as exc:  # noqa: BLE001 - reported, not hidden
                    error = (self.current, f"{type(exc).__name__}: {' '.join(str(exc).split())}")
                    print(f"  [{self.db}] FAILED in {self.current}: {error[1]}", file=sys.stderr, flush=True)
            if rss_after_first_full is None and times["full"]:
                rss_after_first_full = self.rss_after_first_full

            # (4) and (5): no database
            for name, fn in (("bare_fromstring", self.bare_fromstring), ("bare_iterparse", self.bare_iterparse),
                             ("ours_parse", self.ours_parse)):
                gc.collect()
                start = time.perf_counter()
                result = fn(FILE_2026_05_08)
                times[name].append(time.perf_counter() - start)
                if name == "bare_fromstring":
                    counts["bare_elements"] = result
                elif name == "ours_parse":
                    counts["ours_records"] = len(result.records)
                del result

        peak_rss = _rss_mb()  # before the tracemalloc run, whose own bookkeeping inflates RSS

        traced = {}
        if error is None:
            # One extra first full sync with tracemalloc on; its time is not part of the table.
            # The peak is split at the commit: the sync itself, then the on-commit hooks.
            import tracemalloc

            def before_hooks():
                if "sync_peak" not in traced:  # the first commit is the sync's own
                    traced["sync_peak"] = tracemalloc.get_traced_memory()[1]
                    tracemalloc.reset_peak()

            self.fresh_database()
            run = self.sync(FILE_2026_05_08)
            gc.collect()
            tracemalloc.start()
            start = time.perf_counter()
            with self.commit_hooks_watched(before_hooks):
                version = run()
            traced["seconds"] = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            _expect(version, "applied", "first full sync (tracemalloc)")
            if "sync_peak" in traced:
                traced["hooks_peak"] = peak
                traced["peak"] = max(peak, traced["sync_peak"])
            else:
                traced["sync_peak"] = traced["peak"] = peak

        profile_text = self.run_profile() if self.profile and error is None else None
        db_version = self.db_version()
        self.drop_database()
        return {
            "db": self.db,
            "repeat": self.repeat,
            "without_rescreen": self.without_rescreen,
            "error": error,
            "times": times,
            "queries": queries,
            "counts": counts,
            "peak_rss_mb": peak_rss,
            "rss_after_first_full_mb": rss_after_first_full,
            "tracemalloc_peak_mb": traced["peak"] / MB if traced else None,
            "tracemalloc_sync_peak_mb": traced["sync_peak"] / MB if traced else None,
            "tracemalloc_hooks_peak_mb": traced["hooks_peak"] / MB if "hooks_peak" in traced else None,
            "tracemalloc_run_seconds": traced.get("seconds"),
            "db_version": db_version,
            "profile": profile_text,
        }

    def database_scenarios(self, times: dict, queries: dict, counts: dict) -> None:
        # (1) and (2)
        self.current = "setup (fresh database + migrate)"
        self.fresh_database()
        self.current = "(1) first full sync"
        elapsed, hooks, nq, version = self.timed(self.sync(FILE_2026_05_08))
        _expect(version, "applied", self.current)
        times["full"].append(elapsed)
        times["full_hooks"].append(hooks)
        queries["full"], queries["full_hooks"] = nq, self.hooks_queries
        counts["full"] = _version_counts(version)
        self.rss_after_first_full = _rss_mb()
        self.current = "(2) unchanged re-sync"
        elapsed, hooks, nq, version = self.timed(self.sync(FILE_2026_05_08))
        _expect(version, "unchanged", self.current)
        times["resync"].append(elapsed)
        times["resync_hooks"].append(hooks)
        queries["resync"], queries["resync_hooks"] = nq, self.hooks_queries
        if self.db == "postgres":
            self.current = "(6) database alone"
            times["db_alone"].append(self.database_alone(counts))

        # (3)
        self.current = "setup (fresh database + migrate)"
        self.fresh_database()
        self.current = "(3) diff sync: applying the 2026-02-27 base (untimed)"
        _e, _h, _q, version = self.timed(self.sync(FILE_2026_02_27))
        _expect(version, "applied", self.current)
        counts["diff_base"] = _version_counts(version)
        self.current = "(3) diff sync"
        elapsed, hooks, nq, version = self.timed(self.sync(FILE_2026_05_08))
        _expect(version, "applied", self.current)
        times["diff"].append(elapsed)
        times["diff_hooks"].append(hooks)
        queries["diff"], queries["diff_hooks"] = nq, self.hooks_queries
        counts["diff"] = _version_counts(version)

    def database_alone(self, counts: dict) -> float:
        """Seconds to write back, pre-formatted, the rows the first full sync wrote, and commit."""
        from django.db import connection, transaction

        from sanctions import models

        tables = [model._meta.db_table for model in (
            models.ListVersion, models.ListEntry, models.ListEntryName, models.ListEntryIdentifier,
            models.ListEntryBirthDate, models.ListEntryNationality, models.ListEntryAddress, models.EntryChange,
        )]
        quote = connection.ops.quote_name
        dumps = {}
        with connection.cursor() as cursor:
            for table in tables:
                with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                    dumps[table] = b"".join(bytes(chunk) for chunk in copy)
            cursor.execute(f"TRUNCATE {', '.join(map(quote, tables))} CASCADE")
        counts["db_alone"] = {"rows": sum(dump.count(b"\n") for dump in dumps.values()),
                              "bytes": sum(map(len, dumps.values()))}
        gc.collect()
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for table in tables:
                with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                    copy.write(dumps[table])
        return time.perf_counter() - start

    def run_profile(self) -> str:
        import cProfile
        import pstats

        self.fresh_database()
        if self.profile == "diff":
            self.sync(FILE_2026_02_27)()
        elif self.profile == "resync":
            self.sync(FILE_2026_05_08)()
        run = self.sync(FILE_2026_05_08)
        gc.collect()
        profiler = cProfile.Profile()
        profiler.enable()
        run()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(15)
        stats.sort_stats("tottime").print_stats(15)
        return out.getvalue()

    def db_version(self) -> str:
        from django.db import connection

        with connection.cursor() as cursor:
            if self.db == "postgres":
                cursor.execute("SHOW server_version")
            else:
                cursor.execute("SELECT sqlite_version()")
            return cursor.fetchone()[0]


def _forget_in_process_caches() -> None:
    """The screening index is cached per process, keyed on list version ids; a fresh database
    reuses those ids (1, 2, ...), so the stale index would be served and its rebuild skipped."""
    try:
        from sanctions import screening
    except ImportError:
        return
    cache = getattr(screening, "_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def _expect(version, status: str, what: str) -> None:
    if version.status != status:
        raise RuntimeError(f"{what}: expected a version with status {status!r}, got {version.status!r} "
                         f"({version.error or 'no error'})")


def _version_counts(version) -> dict:
    return {name: getattr(version, name) for name in
            ("record_count", "added_count", "amended_count", "removed_count", "relisted_count", "active_count")}


def worker_main(args) -> None:
    sys.path.insert(0, str(REPO))
    worker = Worker(args.worker, args.repeat, args.postgres_url, args.sqlite_path, args.profile,
                    args.without_rescreen)
    if args.part == "sources":
        result = _sync_sources.run(worker, _sync_sources.parse_sources_arg(args.sources),
                                   extras=not args.no_extra_inputs)
    else:
        result = worker.run()
    Path(args.out).write_text(json.dumps(result))


# --------------------------------------------------------------------------- parent


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = int(line.split()[1]) / (1024 * 1024)
    except OSError:
        pass
    import django
    import lxml.etree

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu or "unknown",
        "memory": f"{mem_gib:.1f} GiB" if mem_gib else "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)) + f" (libxml2 {'.'.join(map(str, lxml.etree.LIBXML_VERSION))})",
        "sqlite": sqlite3.sqlite_version,
    }


def postgres_reachable(url: str) -> tuple[bool, str]:
    try:
        import psycopg
    except ImportError as exc:
        return False, f"psycopg is not installed ({exc})"
    maintenance, _name = _maintenance_url(url)
    try:
        with psycopg.connect(maintenance, connect_timeout=3) as conn:
            return True, conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable here"
        return False, " ".join(str(exc).split())


def check_files() -> None:
    for path, expected in EXPECTED_SHA256.items():
        if not path.is_file():
            raise SystemExit(f"Missing data file: {path} (see shared/data/SOURCES.md)")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise SystemExit(f"{path} has sha256 {actual}, SOURCES.md says {expected}")


def wait_for_load(limit: float | None, wait_max: float) -> None:
    """Other work on the machine inflates every figure: wait (a bounded time) for a quiet moment."""
    if limit is None:
        return
    deadline = time.monotonic() + wait_max
    while os.getloadavg()[0] >= limit:
        if time.monotonic() >= deadline:
            print(f"  load still {os.getloadavg()[0]:.2f} (>= {limit:g}) after {wait_max:g} s: running anyway",
                  flush=True)
            return
        time.sleep(5)


def run_worker(db: str, args, tmpdir: str, part: str = "un") -> dict:
    out = Path(tmpdir) / f"result-{db}-{part}.json"
    sqlite_path = str(Path(tmpdir) / "bench.sqlite3")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DATABASE_URL": args.postgres_url if db == "postgres" else f"sqlite:///{sqlite_path}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", db, "--repeat", str(args.repeat),
               "--postgres-url", args.postgres_url, "--sqlite-path", sqlite_path, "--out", str(out),
               "--part", part, "--sources", args.sources]
    if args.no_extra_inputs:
        command.append("--no-extra-inputs")
    if args.profile and part == "un":
        command += ["--profile", args.profile]
    if args.without_rescreen:
        command.append("--without-rescreen")
    completed = subprocess.run(command, env=env, cwd=str(REPO))
    if completed.returncode != 0:
        raise SystemExit(f"The {db} worker ({part}) failed (exit status {completed.returncode}).")
    return json.loads(out.read_text())


def _fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms" if seconds < 1 else f"{seconds:8.3f} s "


def bare_peer(result: dict) -> tuple[str, float]:
    """The peer: the faster (median) of the two bare lxml variants, i.e. the stricter comparison."""
    name = min(("bare_fromstring", "bare_iterparse"), key=lambda n: statistics.median(result["times"][n]))
    return name, statistics.median(result["times"][name])


def _median(result: dict, name: str) -> float | None:
    values = result["times"][name]
    return statistics.median(values) if values else None


def _without_hooks(result: dict, name: str) -> list[float]:
    return [total - hooks for total, hooks in zip(result["times"][name], result["times"][f"{name}_hooks"])]


def print_table(result: dict) -> None:
    title = "SQLite" if result["db"] == "sqlite" else "PostgreSQL"
    mode = ("WITHOUT re-screening (list_version_applied receivers disconnected)" if result["without_rescreen"]
            else "re-screening eager, in the call (no Celery broker: the embedded default)")
    print(f"\n{title} {result['db_version']}: {result['repeat']} run(s) per scenario; {mode}")
    if result["error"]:
        scenario, message = result["error"]
        print(f"  !! FAILED in {scenario}: {message}\n  !! The database scenarios after it were not measured.")
    print(f"  {'scenario':52} {'median':>11} {'min':>11}  notes")
    times, counts, queries = result["times"], result["counts"], result["queries"]
    notes = {
        "full": lambda: f"{counts['full']['added_count']} added, {queries['full']} SQL statements",
        "resync": lambda: f"status unchanged, {queries['resync']} SQL statements",
        "diff": lambda: (f"{counts['diff']['added_count']} added, {counts['diff']['amended_count']} amended, "
                         f"{counts['diff']['removed_count']} removed, {counts['diff']['relisted_count']} relisted; "
                         f"{queries['diff']} SQL statements"),
        "bare_fromstring": lambda: f"{counts['bare_elements']} elements",
        "bare_iterparse": lambda: "",
        "ours_parse": lambda: f"{counts['ours_records']} records",
        "db_alone": lambda: (f"{counts['db_alone']['rows']:,} rows, {counts['db_alone']['bytes'] / MB:.1f} MB "
                             f"as COPY text"),
    }

    def row(label: str, values: list[float], note: str) -> None:
        print(f"  {label:52} {_fmt_s(statistics.median(values))} {_fmt_s(min(values))}  {note}")

    for name in SCENARIOS:
        if name in POSTGRES_ONLY and result["db"] != "postgres":
            continue
        if not times[name]:
            print(f"  {LABELS[name]:52} {'FAILED':>11} {'':>11}  not measured")
            continue
        row(LABELS[name], times[name], notes[name]())
        if name in ("full", "resync", "diff") and max(times[f"{name}_hooks"], default=0) > 0.001:
            row("      of which on-commit hooks (eager re-screening)", times[f"{name}_hooks"],
                f"{queries[f'{name}_hooks']} of the SQL statements")
            row("      the sync without those hooks", _without_hooks(result, name), "")
    peer_name, peer = bare_peer(result)
    full = _median(result, "full")
    ratio = f"{full / peer:.1f}x" if full is not None else "n/a"
    alone = _median(result, "db_alone")
    print(f"  first full sync / bare lxml parse+hash ({peer_name.removeprefix('bare_')}): {ratio}; "
          f"our parser / bare: {_median(result, 'ours_parse') / peer:.1f}x"
          + (f"; the database alone / bare: {alone / peer:.1f}x" if alone is not None else ""))
    after_full = (f" (after the first full sync of run 1: {result['rss_after_first_full_mb']:.1f} MB)"
                  if result["rss_after_first_full_mb"] is not None else "")
    print(f"  peak RSS of the worker (all timed runs, incl. Django and migrate): {result['peak_rss_mb']:.1f} MB"
          f"{after_full}")
    if result["tracemalloc_peak_mb"] is not None:
        split = (f": sync {result['tracemalloc_sync_peak_mb']:.1f} MB, peak while the on-commit hooks ran "
                 f"{result['tracemalloc_hooks_peak_mb']:.1f} MB" if result["tracemalloc_hooks_peak_mb"] is not None
                 else "")
        print(f"  tracemalloc peak during a first full sync: {result['tracemalloc_peak_mb']:.1f} MB{split} "
              f"(that extra run took {result['tracemalloc_run_seconds']:.2f} s with tracing on)")


def goals_check(result: dict) -> bool:
    full, diff, resync = (_median(result, name) for name in ("full", "diff", "resync"))
    peer_name, peer = bare_peer(result)
    peer_label = peer_name.removeprefix("bare_")
    measured_all = result["error"] is None
    traced = (f" (tracemalloc peak {result['tracemalloc_peak_mb']:.1f} MB)"
              if result["tracemalloc_peak_mb"] is not None else " (the sync itself failed)")

    def bare_hooks(name: str, fmt) -> str:
        if max(result["times"].get(f"{name}_hooks", []), default=0) <= 0.001:
            return ""
        return f"; without the on-commit hooks {fmt(statistics.median(_without_hooks(result, name)))}"

    seconds = lambda v: f"{v:.3f} s"  # noqa: E731
    rows = [
        (f"first full sync < {GOALS['full_max_s']:g} s", full is not None and full < GOALS["full_max_s"],
         f"{full:.3f} s{bare_hooks('full', seconds)}" if full is not None else "failed, not measured"),
        (f"first full sync <= {GOALS['full_max_ratio_to_bare']:g}x bare lxml parse+hash",
         full is not None and full <= GOALS["full_max_ratio_to_bare"] * peer,
         f"{full / peer:.1f}x ({full:.3f} s vs {peer * 1000:.1f} ms, {peer_label})"
         f"{bare_hooks('full', lambda v: f'{v / peer:.1f}x')}" if full is not None
         else f"failed, not measured (bare: {peer * 1000:.1f} ms, {peer_label})"),
        (f"diff sync < {GOALS['diff_max_s']:g} s", diff is not None and diff < GOALS["diff_max_s"],
         f"{diff:.3f} s{bare_hooks('diff', seconds)}" if diff is not None else "failed, not measured"),
        (f"unchanged re-sync < {GOALS['resync_max_s']:g} s", resync is not None and resync < GOALS["resync_max_s"],
         f"{resync * 1000:.1f} ms" if resync is not None else "failed, not measured"),
        (f"peak memory < {GOALS['peak_rss_max_mb']:g} MB",
         measured_all and result["peak_rss_mb"] < GOALS["peak_rss_max_mb"],
         f"{result['peak_rss_mb']:.1f} MB peak RSS{traced}"),
    ]
    print("\nGoals on PostgreSQL (medians of the whole service call, on-commit hooks included"
          + (", re-screening receivers DISCONNECTED" if result["without_rescreen"] else "") + "):")
    for label, ok, figure in rows:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:50} {figure}")
    alone = _median(result, "db_alone")
    if alone is not None:
        print(f"  (for the ratio: the database alone, taking the same rows already formatted, needs "
              f"{alone * 1000:.0f} ms = {alone / peer:.1f}x the bare parse, before any parsing or Python)")
    failed = [label for label, ok, _ in rows if not ok]
    bar = "!" * 78
    if result["error"]:
        print(f"\n{bar}\n!! THE SYNC FAILS ON POSTGRESQL: {result['error'][0]}: {result['error'][1]}\n{bar}")
    if failed:
        print(f"\n{bar}\n!! {len(failed)} GOAL(S) FAILED on PostgreSQL: {'; '.join(failed)}\n{bar}")
    else:
        print("\nAll goals met on PostgreSQL.")
    return not failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (default 3)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="the bench database; it is DROPPED and recreated (default %(default)s)")
    parser.add_argument("--profile", choices=("full", "resync", "diff"),
                        help="also run that scenario once under cProfile and print the top functions")
    parser.add_argument("--without-rescreen", action="store_true",
                        help="disconnect the receivers of list_version_applied (monitoring's re-screening), as "
                             "when a Celery broker runs it in another process; by default it runs eagerly")
    parser.add_argument("--wait-for-load", type=float, metavar="L",
                        help="before each database, wait until the 1-minute load average is below L")
    parser.add_argument("--wait-max", type=float, default=600, metavar="SECONDS",
                        help="longest wait for --wait-for-load (default %(default)s s), then run anyway")
    parser.add_argument("--sources", default="all", metavar="all|none|SLUG,...",
                        help="scenario (7): the list sources to load, in that order (default: all of "
                             "settings.LIST_SOURCES, in registry order; none: skip the scenario)")
    parser.add_argument("--no-extra-inputs", action="store_true",
                        help="scenario (7): skip the extra inputs (2021 OFAC set, EU XML seed)")
    parser.add_argument("--only", choices=("un", "sources"),
                        help="run only the UN scenarios (1)-(6) or only the per-source scenario (7)")
    parser.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--part", choices=("un", "sources"), default="un", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-path", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    chosen_sources = _sync_sources.parse_sources_arg(args.sources)
    if chosen_sources:
        unknown = [slug for slug in chosen_sources if slug not in _sync_sources.INPUT_SLUGS]
        if unknown:
            parser.error(f"--sources: no input for {', '.join(unknown)} "
                         f"(known: {', '.join(_sync_sources.INPUT_SLUGS)}, all, none)")
    if args.worker:
        worker_main(args)
        return

    parts = [part for part in ("un", "sources") if args.only in (None, part)]
    if chosen_sources == []:
        parts = [part for part in parts if part != "sources"]
    if not parts:
        parser.error("nothing to run: --only sources with --sources none")
    if "un" in parts:
        check_files()
    source_inputs = (_sync_sources.check_inputs(chosen_sources, extras=not args.no_extra_inputs)
                     if "sources" in parts else [])
    info = machine()
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in databases:
        ok, detail = postgres_reachable(args.postgres_url)
        if ok:
            info["postgresql"] = detail
        else:
            print(f"PostgreSQL is unreachable at {args.postgres_url}: {detail}\n"
                  f"Continuing with SQLite only; the goals (set on PostgreSQL) are NOT checked.", file=sys.stderr)
            info["postgresql"] = f"unreachable ({detail})"
            databases = [db for db in databases if db != "postgres"]

    print("List sync benchmark (bench/sync.py)")
    print(f"  date: {info['date']}")
    print(f"  machine: {info['cores']} cores, {info['cpu']}, {info['memory']} RAM, {info['os']}")
    print(f"  Python {info['python']}, Django {info['django']}, lxml {info['lxml']}, SQLite {info['sqlite']}, "
          f"PostgreSQL {info.get('postgresql', 'not run')}")
    print(f"  files: 2026-05-08 = {FILE_2026_05_08.relative_to(DATA.parent.parent.parent)} "
          f"({FILE_2026_05_08.stat().st_size:,} bytes); 2026-02-27 = "
          f"{FILE_2026_02_27.relative_to(DATA.parent.parent.parent)} ({FILE_2026_02_27.stat().st_size:,} bytes)")
    if source_inputs:
        print(f"  per-source inputs (7), sha256: " + "; ".join(
            f"{item.slug}{' (extra)' if item.extra else ''} = "
            f"{item.path.relative_to(REPO.parent) if item.path.is_relative_to(REPO.parent) else item.path} "
            f"{digest}" for item, digest in source_inputs))
        print(f"  code under test (sanctions/, monitoring/ *.py) sha256: {_sync_sources.code_digest()}")
    if not databases:
        return
    load_before = os.getloadavg()
    print(f"  load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    sys.stdout.flush()

    results, source_results = {}, {}
    tmpdir = tempfile.mkdtemp(prefix="bench-sync-")
    try:
        for db in databases:
            if "un" in parts:
                wait_for_load(args.wait_for_load, args.wait_max)
                results[db] = run_worker(db, args, tmpdir)
            if "sources" in parts:
                wait_for_load(args.wait_for_load, args.wait_max)
                source_results[db] = run_worker(db, args, tmpdir, part="sources")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    load_after = os.getloadavg()
    print(f"  load average after:  {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} "
          f"(this run itself keeps about one core busy)")
    if max(load_before[0], load_after[0], load_after[1]) > (os.cpu_count() or 1):
        print(f"  WARNING: the machine was busy with other work (load above {os.cpu_count()} cores): "
              f"these timings are inflated; rerun when it is quiet.")
    for db in results:
        print_table(results[db])
    for db in source_results:
        _sync_sources.print_table(source_results[db])
    if "postgres" in results:
        goals_check(results["postgres"])
    elif "un" in parts:
        print("\nGoals not checked: they are set on PostgreSQL, which was not run.")
    for db in results:
        if results[db]["profile"]:
            print(f"\ncProfile of '{args.profile}' on {db}:\n{results[db]['profile']}")


if __name__ == "__main__":
    main()
