"""Every source of the registry: a first full sync and an unchanged re-sync of each, loaded one after
another into one fresh database, then the screening index of all of them (build time, memory).

    .venv/bin/python bench/sync_sources.py [--database-url postgres://postgres@127.0.0.1:5432/<an empty database>]

SQLite (a file in a temporary folder) by default. In-process tasks, as the embedded default runs
them: each first sync's on-commit work (re-screening, the matching engine's designee-link
proposals) is inside its time, reported apart as "after commit". Inputs are read in place from
../shared/data (never copied) or seeds/."""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from _sources import INPUTS  # noqa: E402


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-sources-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # PostgreSQL: give an empty database (createdb) of its own

    from sanctions.models import ListEntry, ListSource
    from sanctions.screening import _cache, current_index
    from sanctions.services import list_sync
    from sanctions.signals import list_version_applied

    print(f"database: {connection.vendor}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    print(f"{'source':<16} {'records':>8} {'full sync s':>12} {'after commit s':>15} {'unchanged s':>12} "
          f"{'status':>9} {'peak RSS MiB':>13}")
    after_commit = {"seconds": 0.0}
    original_send = list_version_applied.send

    def timed_send(*a, **kw):
        started = time.perf_counter()
        try:
            return original_send(*a, **kw)
        finally:
            after_commit["seconds"] += time.perf_counter() - started

    list_version_applied.send = timed_send
    for slug, path in INPUTS.items():
        if not path.is_file():
            print(f"{slug:<16} input missing: {path}")
            continue
        source = ListSource.objects.get(slug=slug)
        after_commit["seconds"] = 0.0
        started = time.perf_counter()
        first = list_sync(source=source, location=str(path))
        full = time.perf_counter() - started
        hooks = after_commit["seconds"]
        started = time.perf_counter()
        again = list_sync(source=source, location=str(path))
        unchanged = time.perf_counter() - started
        print(f"{slug:<16} {first.record_count:>8,} {full:>12.2f} {hooks:>15.2f} {unchanged:>12.3f} "
              f"{first.status + '/' + again.status:>9} {rss_mib():>13.1f}")

    slugs = tuple(INPUTS)
    # Built cold here: not loaded from what the syncs stored.
    shutil.rmtree(settings.SCREENING_INDEX_DIR, ignore_errors=True)
    _cache.clear()
    before = rss_mib()
    tracemalloc.start()
    started = time.perf_counter()
    handle = current_index(slugs)
    build = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    active = ListEntry.objects.filter(is_active=True, source__slug__in=slugs).count()
    print(f"screening index, every source: {len(handle.index):,} entries ({active:,} active), built in {build:.1f} s "
          f"(under tracemalloc), {current / 2**20:.1f} MiB held, peak {peak / 2**20:.1f} MiB; "
          f"process peak RSS {before:.0f} -> {rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
