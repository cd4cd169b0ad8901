"""gunicorn settings of the web role (`gunicorn config.wsgi -c python:config.gunicorn`): the app and
its screening index are loaded in the master before it forks the workers, so a worker, new or
restarted, answers its first request with the index already in memory, which the workers share;
and each worker loads a new version's index aside as soon as the sync stores it (post_fork)."""
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
preload_app = True
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None


def when_ready(server) -> None:
    from sanctions.screening import warm_index

    warm_index()


def post_fork(server, worker) -> None:
    from sanctions.screening import watch_stored_indexes

    watch_stored_indexes()
