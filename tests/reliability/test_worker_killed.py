"""A worker's pool process killed with SIGKILL in the middle of a task (a list sync, a batch
screening): nothing of the task is left half-written, the message goes back to the queue
(acks_late + task_reject_on_worker_lost), the task runs again to completion, once.

To kill the task at a known point, the test holds a table lock that the task's transaction needs
for its last writes: the worker is then provably inside the task, with its earlier writes made
but not committed, when it is killed."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from monitoring import services
from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from monitoring.models import ReportSubject, ScreeningMatch
from sanctions.models import EntryChange, ListEntry, ListSource, ListVersion

from .conftest import backends_of, project_app_on, requires_postgres, wait_for

pytestmark = [requires_postgres, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SEED_PATH = Path(DEFAULT_LIST_PATH)
SEED_RECORDS = 38


class TableLock:
    """LOCK TABLE on a connection of its own: INSERTs into the table wait until release()."""

    def __init__(self, table: str):
        s = connection.settings_dict
        self.connection = psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                                          host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)
        self.connection.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")  # opens a transaction

    def release(self) -> None:
        if not self.connection.closed:
            self.connection.rollback()
            self.connection.close()


def _kill_pool_process_waiting_on_the_lock(worker) -> int:
    wait_for(lambda: any(b["wait_event_type"] == "Lock" for b in backends_of(worker)), timeout=60,
             what="the worker's task to reach the locked table")
    [child] = worker.children()
    os.kill(child, signal.SIGKILL)
    wait_for(lambda: child not in worker.children(), timeout=20, what="the killed pool process to be gone")
    return child


def test_a_sync_killed_mid_transaction_applies_nothing_then_runs_again_and_applies_once(
        migration_data_put_back, private_redis, workers):
    source = ListSource.objects.get(slug="un-sc")
    worker = workers(broker_url=private_redis.url)
    lock = TableLock("sanctions_entrychange")
    try:
        with project_app_on(private_redis.url) as app:
            app.tasks["sanctions.tasks.sync_list_task"].apply_async(
                kwargs={"source_slug": "un-sc", "location": str(SEED_PATH)})

        killed = _kill_pool_process_waiting_on_the_lock(worker)

        # The dead task had written the version and every entry, uncommitted: none of it is there.
        assert not ListVersion.objects.filter(source=source).exists()
        assert not ListEntry.objects.filter(source=source).exists()
    finally:
        lock.release()

    version = wait_for(lambda: ListVersion.objects.filter(source=source, status="applied").first(), timeout=60,
                       what="the redelivered sync to apply the version")
    assert worker.children() and killed not in worker.children()  # a new pool process ran it
    output = worker.output()
    assert "SIGKILL" in output or "WorkerLostError" in output, output[-3000:]
    # Applied once, in full: one version, each entry once, one change row per entry.
    assert ListVersion.objects.filter(source=source).count() == 1
    assert version.added_count == SEED_RECORDS and version.active_count == SEED_RECORDS
    assert ListEntry.objects.filter(source=source).count() == SEED_RECORDS
    assert EntryChange.objects.filter(version=version).count() == SEED_RECORDS
    assert sorted(EntryChange.objects.values_list("entry_id", flat=True)) == sorted(
        ListEntry.objects.values_list("id", flat=True))


def test_a_batch_screening_killed_mid_transaction_runs_again_with_no_duplicate_hits(
        migration_data_put_back, private_redis, workers, analyst_kr, make_report):
    demo_list_load(path=SEED_PATH, summary=DemoSummary())  # in this process, committed
    report = make_report(author=analyst_kr, tlp="GREEN")
    entries = list(ListEntry.objects.filter(kind="individual").order_by("id")[:20])
    with project_app_on(private_redis.url) as app:
        for entry in entries:  # each save queues its own screening on the broker (no worker yet)
            services.subject_save(subject=ReportSubject(report=report, role="facilitator", kind="person",
                                                        name=entry.primary_name), actor=analyst_kr, channel="test")
        assert private_redis.queue_length("default") == len(entries)
        private_redis.delete_queue("default")  # replaced by one batch, as the sweep sends
        subject_ids = list(ReportSubject.objects.order_by("pk").values_list("pk", flat=True))
        worker = workers(broker_url=private_redis.url)
        lock = TableLock("monitoring_screeningmatch")
        try:
            app.tasks["monitoring.tasks.screen_subjects_task"].delay(subject_ids)
            _kill_pool_process_waiting_on_the_lock(worker)
            assert not ScreeningMatch.objects.exists()
            assert not ReportSubject.objects.filter(screened_at__isnull=False).exists()
        finally:
            lock.release()

    wait_for(lambda: not ReportSubject.objects.filter(screened_at__isnull=True).exists(), timeout=60,
             what="the redelivered batch to screen every subject")
    assert "SIGKILL" in worker.output() or "WorkerLostError" in worker.output()
    pairs = list(ScreeningMatch.objects.values_list("subject_id", "list_entry_id"))
    assert len(pairs) == len(set(pairs))  # no (subject, entry) twice
    for subject, entry in zip(ReportSubject.objects.order_by("pk"), entries):
        assert ScreeningMatch.objects.filter(subject=subject, list_entry=entry).count() == 1, entry.primary_name
