"""Settings shared by every environment. Everything that differs between machines comes from the
environment (12-factor); environment-specific modules only change defaults and harden."""
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(str(BASE_DIR / ".env"))

from sanctions.registry import OFFICIAL_UN_LIST_URL, RegistryError, built_in_sources, ftm_sources  # noqa: F401


def env_minutes(name: str, default: int) -> int:
    """A schedule interval in whole minutes, at least 1: 0 would have beat send the task on every tick."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        minutes = env.int(name, default=default)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of minutes, at least 1 (got {env.str(name)!r}).") from None
    if minutes < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of minutes, at least 1 (got {minutes}).")
    return minutes


# --- Core -----------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=None)  # each environment module decides on a fallback
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "monitoring.admin_site.DeskAdminConfig",  # django.contrib.admin with the analyst desk
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "audit",
    "sanctions",
    "monitoring",
]

MIDDLEWARE = [
    "config.views.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Embedded default: a SQLite file in the project folder, so one command gives a working service.
# An empty variable (as compose files pass an unset one) counts as unset, here and for the broker.
DATABASES = {"default": env.db_url_config(env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web process and in-process tasks write without
    # "database is locked" errors under light concurrency.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling, locks): Redis in production, process memory by default -----------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Admin login throttling (config/security.py): this many failures for one user name from one
# address, or from one address in all, refuse further attempts for the lockout period.
ADMIN_LOGIN_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
ADMIN_LOGIN_LOCKOUT_SECONDS = env.int("ADMIN_LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Where the client's address is when a proxy stands in front (META name; empty: REMOTE_ADDR).
ADMIN_LOGIN_CLIENT_ADDRESS_HEADER = env("ADMIN_LOGIN_CLIENT_ADDRESS_HEADER", default="")

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Countries by the names the UN uses for its member states, the team's own vocabulary: the desk,
# the API and the README all say "Republic of Korea", never "South Korea". (Name matching reads
# django_countries' own table, sanctions.identifiers, and is not affected.)
COUNTRIES_OVERRIDE = {
    "KR": "Republic of Korea",
    "KP": "Democratic People's Republic of Korea",
    "RU": "Russian Federation",
}

# --- Static and uploaded files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Evidence uploads: refuse anything bigger rather than fill the disk.
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Sanctions lists ------------------------------------------------------------------------
# Every source and where it comes from: sanctions/registry.py (each URL and interval has its variable).
LIST_SOURCES = built_in_sources(env, env_minutes)
try:
    LIST_SOURCES += ftm_sources(env.str("FTM_SOURCES", default=""), taken={s.slug for s in LIST_SOURCES})
except RegistryError as exc:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(str(exc)) from None
_SOURCE_BY_SLUG = {spec.slug: spec for spec in LIST_SOURCES}
UN_LIST_URL = _SOURCE_BY_SLUG["un-sc"].url
UN_1718_VESSELS_URL = _SOURCE_BY_SLUG["un-1718-vessels"].url
OFAC_SDN_URL = _SOURCE_BY_SLUG["ofac-sdn"].url
UK_OFSI_URL = _SOURCE_BY_SLUG["uk-ofsi"].url
EU_FSF_URL = _SOURCE_BY_SLUG["eu-fsf"].url
JP_MOF_URL = _SOURCE_BY_SLUG["jp-mof"].url
OFAC_SDN_PROGRAMS = list(_SOURCE_BY_SLUG["ofac-sdn"].keep["programs"])
LIST_SYNC_INTERVAL_MINUTES = _SOURCE_BY_SLUG["un-sc"].interval_minutes
OFAC_SYNC_INTERVAL_MINUTES = _SOURCE_BY_SLUG["ofac-sdn"].interval_minutes
# Per source: beat's schedule, and the dashboard's "overdue" after twice the interval.
LIST_SYNC_INTERVALS = {spec.slug: spec.interval_minutes for spec in LIST_SOURCES}
LIST_SYNC_MAX_BYTES = env.int("LIST_SYNC_MAX_BYTES", default=64 * 1024 * 1024)
LIST_SYNC_TIMEOUT_SECONDS = env.float("LIST_SYNC_TIMEOUT_SECONDS", default=60.0)

# --- Screening --------------------------------------------------------------------------------
# Empty (the default): every active source.
SCREENING_SOURCES = tuple(env.list("SCREENING_SOURCES", default=[]))
# OFAC programs (or another source's programmes) screened against; empty: all of them.
SCREENING_PROGRAMS = tuple(env.list("SCREENING_PROGRAMS", default=[]))
SCREENING_THRESHOLD = env.float("SCREENING_THRESHOLD", default=0.70)
SCREENING_MAX_HITS = env.int("SCREENING_MAX_HITS", default=10)
SCREENING_CHUNK_SIZE = env.int("SCREENING_CHUNK_SIZE", default=200)
SCREENING_SWEEP_MINUTES = env_minutes("SCREENING_SWEEP_MINUTES", default=10)
# Where the screening index of each set of list versions is stored once built, for every process of
# the service to load (sanctions.screening). Processes on several machines or containers share it
# when they can: one that cannot builds its own copy once. Only the service may write here: the
# files are pickles, and the service loads them.
SCREENING_INDEX_DIR = Path(env("SCREENING_INDEX_DIR", default=str(BASE_DIR / "var" / "screening-index")))

# --- Django REST framework ------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: it decides that an anonymous call gets 401 (with WWW-Authenticate), not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "monitoring.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "config.api.ScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "config.api.LimitOffsetPagination",
    "DEFAULT_PARSER_CLASSES": [
        "config.api.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["config.api.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["config.api.CallerScopeThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "lists:read": env("THROTTLE_LISTS_READ", default="600/min"),
        "reports:read": env("THROTTLE_REPORTS_READ", default="600/min"),
        "reports:write": env("THROTTLE_REPORTS_WRITE", default="60/min"),
        "screen": env("THROTTLE_SCREEN", default="120/min"),
        "matches:review": env("THROTTLE_MATCHES_REVIEW", default="120/min"),
        "audit:read": env("THROTTLE_AUDIT_READ", default="120/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sanctions monitoring API",
    "DESCRIPTION": "Lists, changes, vessels, reports, screening hits and ad hoc screening for partner systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],  # the description of the API is public
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Served from the sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------------
# No broker configured: tasks run in-process (embedded default). With one: real workers on two
# queues, so a long list sync never starves screening.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = True  # task outcomes live in the database (list versions, matches)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"sanctions.tasks.*": {"queue": "sync"}}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Tasks are idempotent and acknowledged late (acks_late): a task whose pool process dies (killed,
# out of memory) goes back to the queue and runs again, instead of being acknowledged as failed.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Retries and countdowns must stay below this, or Redis redelivers them in a loop.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "screening-sweep": {
        "task": "monitoring.tasks.screening_sweep_task",
        "schedule": SCREENING_SWEEP_MINUTES * 60,
        "options": {"expires": max(30, SCREENING_SWEEP_MINUTES * 60 - 30)},
    },
    "webhook-deliveries-due": {
        # Deliveries are rows written with their event; this re-queues any not sent yet (broker
        # down, worker lost, retry due).
        "task": "monitoring.webhook_tasks.webhook_deliveries_due_task",
        "schedule": 60,
        "options": {"expires": 50},
    },
    **{
        f"sync-{spec.slug}": {
            "task": "sanctions.tasks.sync_list_task",
            "schedule": spec.interval_minutes * 60,
            "kwargs": {"source_slug": spec.slug},
            # A stalled queue must not pile up syncs: an unstarted one expires before the next is due.
            "options": {"expires": max(30, spec.interval_minutes * 60 - 30)},
        }
        for spec in LIST_SOURCES if spec.url  # a source without an address is synced by hand
    },
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # In-process tasks (no broker) would log every task run into command output.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        "kombu.connection": {"level": "ERROR" if CELERY_TASK_ALWAYS_EAGER else "WARNING"},
    },
}
