"""Settings come from the environment; production refuses insecure defaults."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env_overrides: dict[str, str], drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_production_passes_deploy_checks_without_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_overrides={"DJANGO_SETTINGS_MODULE": "config.settings.production",
                       "DJANGO_SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "sanctions.example.org"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", ["", "too-short", "django-insecure-" + "x" * 60])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = run_manage(
        "check", env_overrides={"DJANGO_SETTINGS_MODULE": "config.settings.production",
                                "DJANGO_SECRET_KEY": secret, "ALLOWED_HOSTS": "sanctions.example.org"},
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("unset", ["absent", "empty"])
def test_embedded_default_is_sqlite_in_project_folder_with_in_process_tasks(unset):
    # An empty variable (a compose file passing an unset one through) counts as unset.
    blank = {"DATABASE_URL": "", "CELERY_BROKER_URL": ""} if unset == "empty" else {}
    result = run_manage(
        "shell", "-v", "0", "-c",
        "from django.conf import settings as s; d=s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], s.CELERY_TASK_ALWAYS_EAGER, s.UN_LIST_URL)",
        env_overrides={"DJANGO_SETTINGS_MODULE": "config.settings.local", **blank},
        drop=("DATABASE_URL", "CELERY_BROKER_URL", "UN_LIST_URL"),
    )
    assert result.returncode == 0, result.stderr
    engine, name, eager, url = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "db.sqlite3"
    assert eager == "True"
    assert url == "https://scsanctions.un.org/resources/xml/en/consolidated.xml"


def test_environment_variables_configure_database_broker_and_list_url():
    result = run_manage(
        "shell", "-v", "0", "-c",
        "from django.conf import settings as s; d=s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['HOST'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, s.UN_LIST_URL,"
        " ','.join(s.ALLOWED_HOSTS))",
        env_overrides={"DJANGO_SETTINGS_MODULE": "config.settings.local",
                       "DATABASE_URL": "postgres://u@db.internal:5432/sanctions",
                       "CELERY_BROKER_URL": "redis://broker.internal:6379/0",
                       "UN_LIST_URL": "file:///srv/lists/consolidated.xml",
                       "ALLOWED_HOSTS": "a.example,b.example"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql", "sanctions", "db.internal", "redis://broker.internal:6379/0", "False",
        "file:///srv/lists/consolidated.xml", "a.example,b.example",
    ]


def test_celery_routes_list_sync_to_its_own_queue():
    assert settings.CELERY_TASK_ROUTES["sanctions.tasks.*"] == {"queue": "sync"}
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"


@pytest.mark.django_db
def test_health_check_answers_before_host_validation(client):
    response = client.get("/healthz", HTTP_HOST="not-an-allowed-host.internal")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "screening_index": {"loaded": {}}}


@pytest.mark.parametrize("name", ["LIST_SYNC_INTERVAL_MINUTES", "OFAC_SYNC_INTERVAL_MINUTES", "SCREENING_SWEEP_MINUTES"])
@pytest.mark.parametrize("value, shown", [("0", "0"), ("-5", "-5"), ("1.5", "'1.5'"), ("hourly", "'hourly'")])
def test_a_schedule_interval_that_is_not_a_whole_number_of_minutes_is_refused(name, value, shown):
    result = run_manage("check", env_overrides={"DJANGO_SETTINGS_MODULE": "config.settings.local", name: value})
    assert result.returncode != 0
    assert f"{name} must be a whole number of minutes, at least 1 (got {shown})" in result.stderr


def test_the_ofac_sync_interval_is_configurable():
    result = run_manage(
        "shell", "-v", "0", "-c",
        "from django.conf import settings as s; e=s.CELERY_BEAT_SCHEDULE['sync-ofac-sdn'];"
        "print(e['schedule'], e['options']['expires'])",
        env_overrides={"DJANGO_SETTINGS_MODULE": "config.settings.local", "OFAC_SYNC_INTERVAL_MINUTES": "360"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["21600", "21570"]
