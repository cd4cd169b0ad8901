"""The list-sync Celery task: routing, beat schedule, idempotence, and retries on network errors
only. Eager runs (`.apply()`) cover the logic; one test runs a real worker on the real Redis
broker, as production does."""
from __future__ import annotations

import datetime
import os
import threading
import uuid
from pathlib import Path
from unittest import mock

import pytest
from celery import signals
from celery.exceptions import Retry
from celery.beat import ScheduleEntry
from django.conf import settings
from django.db import connections

from config.celery import app
from sanctions import fetch as fetch_module
from sanctions.fetch import DEFAULT_ATTEMPTS, FetchError, PermanentFetchError, TransientFetchError
from sanctions.models import EntryChange, ListEntry, ListSource, ListVersion
from sanctions.tasks import sync_list_task
from tests.sanctions.http_server import Reply, http_server  # noqa: F401 - fixture

SEED_PATH = Path(__file__).resolve().parents[2] / "seeds" / "un_consolidated_sample.xml"
SEED = SEED_PATH.read_bytes()
SEED_RECORDS = 38
TASK_NAME = "sanctions.tasks.sync_list_task"
# The project app's own task, not the shared_task proxy: the proxy follows Celery's *current* app,
# which another test may have replaced (e.g. by creating a Celery app of its own).
TASK = app.tasks[TASK_NAME]


# --- Routing and schedule -------------------------------------------------------------------------


def test_task_is_registered_under_its_dotted_name():
    assert sync_list_task.name == TASK_NAME
    assert app.tasks[TASK_NAME].name == TASK_NAME
    assert app.tasks[TASK_NAME].run.__module__ == "sanctions.tasks"


def test_task_is_routed_to_the_sync_queue():
    assert app.amqp.router.route({}, TASK_NAME)["queue"].name == "sync"
    # ...while other tasks stay on the default queue, so a long sync never starves them.
    assert app.amqp.router.route({}, "config.ping")["queue"].name == settings.CELERY_TASK_DEFAULT_QUEUE == "default"


def test_un_list_is_in_the_beat_schedule_hourly_with_expiry(db):
    entry = settings.CELERY_BEAT_SCHEDULE["sync-un-sc"]
    interval = settings.LIST_SYNC_INTERVAL_MINUTES * 60

    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert entry["task"] == TASK_NAME
    assert entry["kwargs"] == {"source_slug": "un-sc"}
    assert entry["schedule"] == interval
    if "LIST_SYNC_INTERVAL_MINUTES" not in os.environ:
        assert interval == 60 * 60  # hourly by default
    # An unstarted sync expires before the next one is due: a stalled queue does not pile them up.
    assert 0 < entry["options"]["expires"] < interval
    beat_entry = ScheduleEntry(name="sync-un-sc", app=app, **entry)
    assert beat_entry.schedule.run_every == datetime.timedelta(seconds=interval)
    assert app.amqp.router.route(dict(entry["options"]), entry["task"])["queue"].name == "sync"


def test_every_scheduled_sync_names_an_existing_source(db):
    syncs = {name: e for name, e in settings.CELERY_BEAT_SCHEDULE.items() if e["task"] == TASK_NAME}

    # Every source of the registry with an address is synced on its schedule; one without is synced by hand.
    assert set(syncs) == {f"sync-{spec.slug}" for spec in settings.LIST_SOURCES if spec.url}
    assert {"sync-un-sc", "sync-ofac-sdn", "sync-uk-ofsi", "sync-eu-fsf", "sync-jp-mof"} <= set(syncs)
    for name, entry in syncs.items():
        assert ListSource.objects.filter(slug=entry["kwargs"]["source_slug"], is_active=True).exists(), name
        assert 0 < entry["options"]["expires"] < entry["schedule"], name


def test_retry_policy_is_network_errors_only_and_stays_below_the_visibility_timeout():
    assert TASK.autoretry_for == (TransientFetchError,)
    assert not issubclass(PermanentFetchError, TransientFetchError)
    assert TASK.max_retries == 5
    assert TASK.acks_late is True
    assert TASK.retry_backoff_max < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert TASK.soft_time_limit < TASK.time_limit


# --- Eager runs ------------------------------------------------------------------------------------


@pytest.fixture
def retries():
    """task_retry signals sent while the test runs."""
    seen = []

    def receiver(sender=None, request=None, reason=None, **kwargs):
        seen.append(str(reason))

    signals.task_retry.connect(receiver, weak=False)
    yield seen
    signals.task_retry.disconnect(receiver)


@pytest.fixture
def no_backoff_sleep():
    """fetch()'s own retries (3 attempts, 2 s then 4 s apart) recorded instead of slept.

    The task calls list_sync without fetch options, so fetch's keyword defaults apply."""
    slept = []
    with mock.patch.dict(fetch_module.fetch.__kwdefaults__, {"sleep": slept.append}):
        yield slept


def test_eager_run_on_a_file_applies_and_is_idempotent(db, retries):
    kwargs = {"source_slug": "un-sc", "location": str(SEED_PATH)}

    first = TASK.apply(kwargs=kwargs).get()
    entries = sorted(ListEntry.objects.values_list("id", "updated_at"))
    changes = EntryChange.objects.count()
    second = TASK.apply(kwargs=kwargs).get()

    assert first["status"] == "applied" and second["status"] == "unchanged"
    applied = ListVersion.objects.get(pk=first["version_id"])
    assert applied.added_count == SEED_RECORDS and applied.fetched_from == str(SEED_PATH)
    assert ListVersion.objects.get(pk=second["version_id"]).content_sha256 == applied.content_sha256
    assert sorted(ListEntry.objects.values_list("id", "updated_at")) == entries
    assert EntryChange.objects.count() == changes == SEED_RECORDS
    assert retries == []


def test_eager_run_without_location_uses_the_source_default(db, settings):
    settings.UN_LIST_URL = SEED_PATH.as_uri()

    result = TASK.apply(kwargs={"source_slug": "un-sc"}).get()

    assert result["status"] == "applied"
    assert ListVersion.objects.get(pk=result["version_id"]).fetched_from == SEED_PATH.as_uri()


def test_with_the_projects_eager_settings_a_retry_surfaces_as_celery_retry(db, http_server, retries,
                                                                            no_backoff_sleep):
    """What really happens in the embedded (eager) mode: CELERY_TASK_EAGER_PROPAGATES=True makes
    Celery 5.x raise `celery.exceptions.Retry` from .apply()/.delay() at the first retry instead of
    re-running the task: one run (fetch's own 3 attempts), no countdown, no further retries, and
    the caller gets a Retry, not a FetchError (sanctions/admin.py sync_now catches FetchError only,
    so its "Sync now" answers HTTP 500 when the list server is down and no broker is configured)."""
    assert app.conf.task_eager_propagates is True
    url = http_server.route("/consolidated.xml", Reply(status=500, body=b"down"))

    with pytest.raises(Retry) as caught:
        TASK.apply(kwargs={"source_slug": "un-sc", "location": url})

    assert isinstance(caught.value.exc, TransientFetchError) and "HTTP 500" in str(caught.value.exc)
    assert not isinstance(caught.value, FetchError)
    assert http_server.hits["/consolidated.xml"] == DEFAULT_ATTEMPTS
    assert no_backoff_sleep == [2.0, 4.0]
    assert list(ListVersion.objects.values_list("status", flat=True)) == ["failed"]


@pytest.fixture
def eager_retries():
    """Eager exceptions not propagated: then Celery 5.x runs an eager task's retries at once,
    synchronously, inside the same .apply() (countdowns are ignored)."""
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def test_server_errors_are_retried_max_retries_times_then_fail(db, http_server, retries, no_backoff_sleep,
                                                               eager_retries):
    url = http_server.route("/consolidated.xml", Reply(status=500, body=b"down"))
    runs = TASK.max_retries + 1

    result = TASK.apply(kwargs={"source_slug": "un-sc", "location": url})

    assert result.state == "FAILURE"
    assert isinstance(result.result, TransientFetchError) and "HTTP 500" in str(result.result)
    assert len(retries) == TASK.max_retries == 5
    # Each run of the task makes fetch's own attempts, with fetch's own backoff between them.
    assert http_server.hits["/consolidated.xml"] == runs * DEFAULT_ATTEMPTS == 18
    assert no_backoff_sleep == [2.0, 4.0] * runs
    failed = ListVersion.objects.filter(status="failed", fetched_from=url)
    assert failed.count() == ListVersion.objects.count() == runs
    assert all("HTTP 500" in error for error in failed.values_list("error", flat=True))
    assert not ListEntry.objects.exists()


def test_server_error_then_recovery_within_the_retries(db, http_server, retries, no_backoff_sleep, eager_retries):
    url = http_server.route(
        "/consolidated.xml", [Reply(status=503)] * DEFAULT_ATTEMPTS + [Reply(body=SEED)]
    )

    result = TASK.apply(kwargs={"source_slug": "un-sc", "location": url})

    assert result.state == "SUCCESS" and result.result["status"] == "applied"
    assert len(retries) == 1
    assert http_server.hits["/consolidated.xml"] == DEFAULT_ATTEMPTS + 1
    assert list(ListVersion.objects.order_by("id").values_list("status", flat=True)) == ["failed", "applied"]


def test_corrupt_list_is_rejected_and_not_retried(db, http_server, retries, no_backoff_sleep, eager_retries):
    url = http_server.route("/consolidated.xml", Reply(body=SEED[: len(SEED) // 3]))

    result = TASK.apply(kwargs={"source_slug": "un-sc", "location": url}).get()

    assert result["status"] == "rejected"
    assert http_server.hits["/consolidated.xml"] == 1
    assert retries == [] and no_backoff_sleep == []
    version = ListVersion.objects.get(pk=result["version_id"])
    assert "not well-formed" in version.error
    assert ListVersion.objects.count() == 1


@pytest.mark.parametrize("propagate", [True, False], ids=["eager-propagates", "eager-retries"])
def test_permanent_fetch_error_is_not_retried(db, http_server, retries, no_backoff_sleep, request, propagate):
    if not propagate:
        request.getfixturevalue("eager_retries")
    url = http_server.route("/consolidated.xml", Reply(status=404))

    if propagate:
        with pytest.raises(PermanentFetchError, match="HTTP 404"):
            TASK.apply(kwargs={"source_slug": "un-sc", "location": url})
    else:
        result = TASK.apply(kwargs={"source_slug": "un-sc", "location": url})
        assert result.state == "FAILURE" and isinstance(result.result, PermanentFetchError)

    assert http_server.hits["/consolidated.xml"] == 1
    assert retries == [] and no_backoff_sleep == []
    assert list(ListVersion.objects.values_list("status", flat=True)) == ["failed"]


# --- A real worker on the real Redis broker --------------------------------------------------------

@pytest.fixture
def worker_on_the_test_connection(db):
    """Let the worker thread run its tasks on this test's own database connection, inside the
    test's transaction (as Django's LiveServerTestCase does for in-memory SQLite), so everything
    the task writes is rolled back with the test.

    Why not `django_db(transaction=True)`: its teardown flushes every table, migration data
    included (the list sources), which breaks later tests that rely on that data without a db
    mark of their own (e.g. module-scoped fixtures such as test_sync_replay's); and on SQLite's
    shared in-memory test database two connections writing and polling at once hit "database
    table is locked". The test waits on task_postrun instead of polling, so the connection is
    never used by both threads at the same time.

    Celery's Django fixup is held off for the test: it closes connections found outside
    autocommit at worker start and around each task (the test's connection, mid-transaction),
    and the solo pool's worker_process_init makes it os.close() every connection's socket, which
    leaves psycopg waiting forever on a dead file descriptor."""
    from celery.fixups.django import DjangoWorkerFixup

    test_connection = connections["default"]
    finished = threading.Event()

    def attach(**kwargs):
        connections["default"] = test_connection

    def detach(**kwargs):
        del connections["default"]
        finished.set()

    test_connection.inc_thread_sharing()
    signals.task_prerun.connect(attach, weak=False)
    signals.task_postrun.connect(detach, weak=False)
    try:
        with mock.patch.object(DjangoWorkerFixup, "_close_database"), \
            mock.patch.object(DjangoWorkerFixup, "_maybe_close_db_fd"):
            yield finished
    finally:
        signals.task_prerun.disconnect(attach)
        signals.task_postrun.disconnect(detach)
        test_connection.dec_thread_sharing()


@pytest.mark.redis
def test_real_worker_on_redis_runs_the_sync(redis_url, worker_on_the_test_connection):
    from celery.contrib.testing.worker import start_worker

    # Routed to "sync" in production (asserted above); here to a queue of this run's own, so a
    # concurrent test run on the same Redis cannot take the message.
    queue = f"sync.test-{uuid.uuid4().hex[:12]}"
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=redis_url, task_always_eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
            # Sent on a connection of its own: the app's cached producer pool may still point at
            # whatever broker an earlier test used.
            with app.connection_for_write(redis_url) as connection:
                TASK.apply_async(kwargs={"source_slug": "un-sc", "location": str(SEED_PATH)}, queue=queue,
                                 connection=connection)
            assert worker_on_the_test_connection.wait(timeout=30), "the worker did not run the task within 30 s"
    finally:
        app.conf.update(previous)
        with app.connection_for_write(redis_url) as connection:
            connection.default_channel.queue_delete(queue)

    version = ListVersion.objects.get()
    assert version.source.slug == "un-sc"
    assert version.status == "applied", version.error
    assert version.fetched_from == str(SEED_PATH)
    assert version.added_count == version.active_count == SEED_RECORDS
    assert ListEntry.objects.filter(is_active=True, first_seen_in=version).count() == SEED_RECORDS
