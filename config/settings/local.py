"""Developer laptop / embedded default: SQLite, in-process tasks, debug on."""
from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed key is fine on a laptop; production refuses to start without its own.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-key-not-for-production-use-0123456789")
