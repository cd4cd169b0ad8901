"""A real worker on the real Redis broker: the production task path, not the eager shortcut."""
import uuid

from celery import Celery

from config.celery import app as project_app


def test_task_round_trip_through_redis_and_a_real_worker(redis_url):
    from celery.contrib.testing.worker import start_worker

    # The project's Celery settings, on an app of its own with a result backend, so the round
    # trip is observable; a queue of its own, so no message left by another run interferes.
    # No Django fixup: in a solo-pool worker it would close the test's own database connections.
    probe = Celery("broker-check", fixups=[])
    probe.config_from_object({k: v for k, v in project_app.conf.items() if k.startswith(("task_", "broker_"))})
    probe.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    queue = f"broker-check-{uuid.uuid4().hex[:8]}"

    @probe.task(name="broker_check.echo", ignore_result=False)
    def echo(value):
        return {"echo": value}

    try:
        with start_worker(probe, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
            result = echo.apply_async(("pong",), queue=queue)
            assert result.get(timeout=20) == {"echo": "pong"}
    finally:
        # start_worker makes its app the current one; shared tasks elsewhere must find ours again.
        project_app.set_current()
        project_app.set_default()
