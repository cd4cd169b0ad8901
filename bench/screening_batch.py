"""Batch screening through real Celery workers on Redis and PostgreSQL.

    .venv/bin/python bench/screening_batch.py [--subjects 100000] [--workers 2]

Creates a fresh PostgreSQL database, applies the 2026-05-08 UN list, stores N report subjects
(names drawn from yente's UN positives, validation negatives and candidate-generation negatives, so
some hit and most do not; 102,685 rows in all), starts N worker processes on the `default` queue,
fans the subjects out in chunks, and waits until every subject is screened with its hits stored.
Reports the wall time from dispatch to the last stored result. Goal (issue #16): 100,000 subjects
in at most 100 s with two workers."""
from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
UN_COPY = SHARED / "data" / "un" / "TuaMaley__New-AML-TMS" / "un_sanctions.xml"
NAMES = [SHARED / "matching-data" / "yente" / f for f in (
    "candidate_generation_benchmark__positives_un_untreated.csv", "validation_report__negatives_global.csv",
    "validation_report__negatives_us.csv", "candidate_generation_benchmark__negatives_global.csv",
    "candidate_generation_benchmark__negatives_us.csv")]
DB_NAME = "sanctions_bench_batch"
PG = "postgres://postgres@127.0.0.1:5432"
BROKER = "redis://127.0.0.1:6379/14"
GOAL_SECONDS = 100.0


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def subject_rows(count: int) -> list[dict]:
    rows: list[dict] = []
    for path in NAMES:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append({"name": row["full_name"][:500], "date_of_birth": row.get("date_of_birth", "")[:10],
                             "nationality": row.get("nationality", "")[:100]})
                if len(rows) >= count:
                    return rows
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900, help="longest wait for the batch, seconds")
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB_NAME}", "CELERY_BROKER_URL": BROKER,
           "DJANGO_SETTINGS_MODULE": "config.settings.local", "LOG_LEVEL": "WARNING",
           "SCREENING_SOURCES": "un-sc"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    recreate_database()

    import django

    django.setup()
    from django.core.management import call_command

    from monitoring.models import MemberState, ReportSubject, ScreeningMatch, ViolationReport
    from monitoring.services import subject_normalize
    from monitoring.tasks import fan_out
    from sanctions.models import ListSource
    from sanctions.services import list_sync

    import redis

    redis.Redis.from_url(BROKER).flushdb()
    call_command("migrate", verbosity=0)
    list_sync(source=ListSource.objects.get(slug="un-sc"), location=str(UN_COPY))
    state = MemberState.objects.get(country="KR")
    reports = ViolationReport.objects.bulk_create(
        [ViolationReport(title=f"bench report {i}", category="sts_petroleum", reporting_state=state, tlp="GREEN",
                         status="submitted") for i in range(args.subjects // 100 + 1)])
    subjects = []
    for i, row in enumerate(subject_rows(args.subjects)):
        subject = ReportSubject(report=reports[i // 100], role="other", kind="person", name=row["name"],
                                date_of_birth=row["date_of_birth"], nationality=row["nationality"])
        subject_normalize(subject)
        subjects.append(subject)
    ReportSubject.objects.bulk_create(subjects, batch_size=1000)
    subject_ids = list(ReportSubject.objects.order_by("pk").values_list("pk", flat=True))
    print(f"{len(subject_ids)} subjects stored in {len(reports)} reports; starting {args.workers} workers")

    workers = [subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "-Q", "default", "-c", "1",
         "-n", f"bench{n}@%h", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT, env=env) for n in range(args.workers)]
    try:
        time.sleep(3)  # let the workers connect before the clock starts
        started = time.perf_counter()
        fan_out(subject_ids)
        remaining = len(subject_ids)
        while remaining and time.perf_counter() - started < args.timeout:
            time.sleep(0.5)
            remaining = ReportSubject.objects.filter(screened_at__isnull=True).count()
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()  # a worker stuck in a task must not outlive the benchmark
                worker.wait()

    hits = ScreeningMatch.objects.count()
    with_hits = ScreeningMatch.objects.values("subject").distinct().count()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"date {time.strftime('%Y-%m-%d')}")
    print(f"{len(subject_ids) - remaining} of {len(subject_ids)} subjects screened in {elapsed:.1f} s "
          f"({(len(subject_ids) - remaining) / elapsed:.0f} subjects/s) by {args.workers} workers; "
          f"{hits} hits stored on {with_hits} subjects")
    verdict = "PASS" if not remaining and elapsed <= GOAL_SECONDS else "FAIL"
    print(f"goal: {args.subjects} subjects in at most {GOAL_SECONDS:.0f} s -> {verdict}")
    return 0 if not remaining else 1


if __name__ == "__main__":
    sys.exit(main())
