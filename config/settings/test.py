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
# Tests drive tasks explicitly; a configured broker is exercised by the broker tests themselves.
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TEST_REDIS_URL = env("CELERY_BROKER_URL", default=None)
