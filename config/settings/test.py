"""Test settings: the same database and broker choices as the environment gives (SQLite by
default; PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL are set), fast hashing."""
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="sanctions-test-media-"))
SCREENING_INDEX_DIR = Path(tempfile.mkdtemp(prefix="sanctions-test-index-"))
# Tests drive tasks explicitly; a configured broker is exercised by the broker tests themselves.
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests that need a real Redis use this one even when the app runs on its embedded default, so CI
# exercises the broker in both of its runs.
TEST_REDIS_URL = env("TEST_REDIS_URL", default=env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15"))
# Tasks run in-process here whatever the broker says: keep their per-run log lines out of output.
LOGGING["loggers"]["celery.app.trace"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["kombu.connection"]["level"] = "ERROR"  # noqa: F405
