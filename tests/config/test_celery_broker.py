"""A real worker on the real Redis broker: the production task path, not the eager shortcut."""
import pytest
from django.conf import settings

from config.celery import app, ping
from tests.conftest import skip_or_fail


@pytest.fixture
def redis_url():
    import redis

    url = settings.TEST_REDIS_URL

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        skip_or_fail(f"Redis at {url} is not reachable: {exc}")
    return url


def test_task_round_trip_through_redis_and_a_real_worker(redis_url):
    from celery.contrib.testing.worker import start_worker

    previous = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=["default"], shutdown_timeout=10):
            result = ping.apply_async(queue="default")
            assert result.get(timeout=20) == "pong"
    finally:
        app.conf.update(previous)
