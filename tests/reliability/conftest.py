"""Real processes for the reliability tests: a private redis-server per test (ports 6390-6399,
never the machine's own), Celery worker processes (`celery -A config worker`, prefork, the
production task path) on the test's PostgreSQL database, and the test's own Celery app pointed at
that broker. Every wait is bounded.

These tests need PostgreSQL (worker processes cannot share SQLite's in-memory test database): on
SQLite they skip; on PostgreSQL a missing redis-server skips, or fails when CI=true."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
PRIVATE_REDIS_PORTS = range(6390, 6400)


def wait_for(predicate, *, timeout: float, interval: float = 0.05, what: str = "the condition"):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# Marks a module (before any database setup, so skipping costs nothing).
requires_postgres = pytest.mark.skipif(
    not _on_postgres(), reason="worker processes need a database they can share: run with DATABASE_URL=postgres://...")


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database they can share: run with DATABASE_URL=postgres://...")


# --- A private Redis ----------------------------------------------------------------------------

class PrivateRedis:
    """A redis-server of the test's own on a free port in 6390-6399, stopped and started at will."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.process = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.exceptions.ConnectionError:
            return False

    def queue_length(self, queue: str) -> int:
        import redis

        return redis.Redis(port=self.port).llen(queue)

    def delete_queue(self, queue: str) -> None:
        import redis

        redis.Redis(port=self.port).delete(queue)


def _free_port() -> int | None:
    for port in PRIVATE_REDIS_PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return None


@pytest.fixture
def private_redis(postgres_only, tmp_path):
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed")
    port = _free_port()
    if port is None:
        skip_or_fail("no free port in 6390-6399 for a private redis-server")
    server = PrivateRedis(port, tmp_path)
    server.start()
    yield server
    server.stop()


# --- The test process's Celery app on that broker ------------------------------------------------

@contextlib.contextmanager
def project_app_on(broker_url: str):
    """The project's Celery app, not eager, publishing to `broker_url` (the write URL wins over
    CELERY_BROKER_URL from the environment), for the time of the block."""
    import monitoring.tasks  # noqa: F401 - registers the shared tasks on the app
    import sanctions.tasks  # noqa: F401
    from config.celery import app

    saved = {"broker_write_url": app.conf.get("broker_write_url"), "task_always_eager": app.conf.task_always_eager}

    def drop_pools():
        from kombu import pools

        pools.reset()  # closes kombu's process-wide connection and producer pools, then forgets them
        app._after_fork()  # and the app forgets its own references, as after a fork

    app.conf.update(broker_write_url=broker_url, task_always_eager=False)
    drop_pools()
    try:
        yield app
    finally:
        drop_pools()
        app.conf.update(**saved)


# --- Worker processes ----------------------------------------------------------------------------

class Worker:
    """`celery -A config worker` in its own process group, on the test database, logging to a file."""

    def __init__(self, *, broker_url: str, log: Path, name: str, queues: str = "default,sync",
                 concurrency: int = 1, env: dict | None = None):
        self.log, self.name = log, name
        settings_dict = connection.settings_dict
        database_url = (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@"
                        f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/"
                        f"{settings_dict['NAME']}?application_name={name}")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST", "DJANGO_"))}
        self.env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_DEBUG": "false",
            "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker_url, "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "INFO", "SCREENING_INDEX_DIR": str(django_settings.SCREENING_INDEX_DIR), **(env or {}),
        })
        self.command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues, "-P", "prefork",
                        "-c", str(concurrency), "--without-heartbeat", "--without-gossip", "--without-mingle",
                        "-l", "INFO", "-n", f"{name}@localhost"]
        self.process = None
        self._log_file = None

    def start(self, *, wait: bool = True) -> "Worker":
        self._log_file = open(self.log, "ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self._log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            wait_for(lambda: " ready." in self.output() or self.process.poll() is not None, timeout=90,
                     interval=0.2, what=f"worker {self.name} to start")
            assert self.process.poll() is None, self.output()
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def children(self) -> list[int]:
        """Pool processes (forked by the worker's main process)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # cold shutdown of this worker's own group: checks are done
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # any pool process left behind
        self._log_file.close()


@pytest.fixture
def workers(tmp_path):
    """start(broker_url=...) -> a running Worker; all are stopped at the end of the test."""
    started: list[Worker] = []

    def start(*, broker_url: str, wait: bool = True, **kwargs) -> Worker:
        name = f"relw{len(started)}-{uuid.uuid4().hex[:6]}"
        worker = Worker(broker_url=broker_url, log=tmp_path / f"{name}.log", name=name, **kwargs)
        started.append(worker)
        return worker.start(wait=wait)

    yield start
    for worker in started:
        worker.stop()
    # The workers' database sessions must be gone before the test database is flushed.
    _terminate_backends(prefix="relw")


def _terminate_backends(prefix: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE application_name LIKE %s AND pid <> pg_backend_pid()", [prefix + "%"])


def backends_of(worker: Worker) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid, state, wait_event_type, query FROM pg_stat_activity WHERE application_name = %s",
                       [worker.name])
        return [dict(zip(("pid", "state", "wait_event_type", "query"), row)) for row in cursor.fetchall()]

