"""The Celery app: configured from Django settings (CELERY_* names), tasks found in each app."""
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("sanctions_monitor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping", ignore_result=False)
def ping() -> str:
    """Round-trip check used by health checks and the broker integration test."""
    return "pong"


@signals.worker_init.connect
def screening_index_ready(sender=None, **_) -> None:
    """The worker's main process loads the screening index before it forks its pool, so no task
    waits for it and the pool's processes share its memory. Not for a worker started inside another
    process (celery.contrib.testing): that process's database connections are not the worker's to close."""
    from celery.contrib.testing.worker import TestWorkController

    if isinstance(sender, TestWorkController):
        return
    from sanctions.screening import warm_index

    warm_index()


@signals.worker_process_init.connect
def screening_index_watched(**_) -> None:
    """Each pool process loads a new version's index aside while the sync that stored it finishes."""
    from sanctions.screening import watch_stored_indexes

    watch_stored_indexes()
