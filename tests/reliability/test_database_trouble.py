"""Database trouble: the worker's database connection is dropped in the middle of a sync (the
server ends the session, as on a failover or a restart). The sync rolls back whole, the worker
process stays up, and the next sync on the same worker applies the list."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from monitoring.demo import DEFAULT_LIST_PATH
from sanctions.models import EntryChange, ListEntry, ListSource, ListVersion

from .conftest import backends_of, project_app_on, requires_postgres, wait_for
from .test_worker_killed import TableLock

pytestmark = [requires_postgres, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SEED_PATH = Path(DEFAULT_LIST_PATH)


def test_a_connection_dropped_mid_sync_rolls_back_and_the_next_sync_succeeds(
        migration_data_put_back, private_redis, workers):
    source = ListSource.objects.get(slug="un-sc")
    worker = workers(broker_url=private_redis.url)
    with project_app_on(private_redis.url) as app:
        sync = app.tasks["sanctions.tasks.sync_list_task"]
        lock = TableLock("sanctions_entrychange")
        try:
            sync.delay(source_slug="un-sc", location=str(SEED_PATH))
            [blocked] = wait_for(lambda: [b for b in backends_of(worker) if b["wait_event_type"] == "Lock"],
                                 timeout=60, what="the sync to reach its last writes")
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [blocked["pid"]])
        finally:
            lock.release()
        wait_for(lambda: "OperationalError" in worker.output() or "InterfaceError" in worker.output(), timeout=60,
                 what="the worker to report the dropped connection")
        assert not ListVersion.objects.filter(source=source, status="applied").exists()
        assert not ListEntry.objects.filter(source=source).exists()

        sync.delay(source_slug="un-sc", location=str(SEED_PATH))  # the next scheduled run
        version = wait_for(lambda: ListVersion.objects.filter(source=source, status="applied").first(), timeout=60,
                           what="the next sync to apply the list")

    assert worker.process.poll() is None
    assert ListVersion.objects.filter(source=source, status="applied").count() == 1
    assert ListEntry.objects.filter(source=source).count() == version.added_count == 38
    assert EntryChange.objects.filter(version=version).count() == 38
