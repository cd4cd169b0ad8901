"""Security settings and the admin's defences: login throttling, password rules, production
headers and cookies (through a real production request), evidence upload types and sizes."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "a-long-enough-password-for-tests"


@pytest.fixture
def staff(db):
    cache.clear()
    yield get_user_model().objects.create_user("desk.officer", password=PASSWORD, is_staff=True)
    cache.clear()


def _login(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=address)


def test_admin_login_is_refused_after_repeated_failures_even_with_the_right_password(client, staff, settings):
    for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT):
        response = _login(client, "desk.officer", "wrong-guess")
        assert response.status_code == 200 and "_auth_user_id" not in client.session

    response = _login(client, "desk.officer", PASSWORD)

    assert response.status_code == 200
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by this one's guesses.
    assert _login(client, "desk.officer", PASSWORD, address="198.51.100.9").status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_failures_below_the_limit_are_forgotten_after_a_successful_login(client, staff, settings):
    for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT - 1):
        _login(client, "desk.officer", "wrong-guess")
    assert _login(client, "desk.officer", PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT - 1):
        _login(client, "desk.officer", "wrong-guess")
    assert _login(client, "desk.officer", PASSWORD).status_code == 302


def test_one_address_guessing_many_names_is_throttled(client, staff, settings):
    settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(6):
        _login(client, f"someone{n}", "wrong-guess")

    response = _login(client, "desk.officer", PASSWORD)

    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends(client, staff, settings):
    settings.ADMIN_LOGIN_LOCKOUT_SECONDS = 1
    for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT):
        _login(client, "desk.officer", "wrong-guess")
    assert "Too many failed logins" in _login(client, "desk.officer", PASSWORD).content.decode()

    cache.clear()  # what the cache's expiry does after ADMIN_LOGIN_LOCKOUT_SECONDS

    assert _login(client, "desk.officer", PASSWORD).status_code == 302


def test_behind_a_proxy_clients_are_told_apart_by_the_address_the_proxy_appends(client, staff, settings):
    settings.ADMIN_LOGIN_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "10.0.0.2"
    for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT):
        # A guesser forging the header cannot change the rightmost address, which the proxy adds.
        client.post(LOGIN, {"username": "desk.officer", "password": "wrong-guess"}, REMOTE_ADDR=proxy,
                    HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.66")

    locked = client.post(LOGIN, {"username": "desk.officer", "password": PASSWORD}, REMOTE_ADDR=proxy,
                         HTTP_X_FORWARDED_FOR="5.6.7.8, 203.0.113.66")
    other = client.post(LOGIN, {"username": "desk.officer", "password": PASSWORD}, REMOTE_ADDR=proxy,
                        HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert "Too many failed logins" in locked.content.decode()
    assert other.status_code == 302  # the same proxy, another client: not locked out


@pytest.mark.parametrize("password", ["short1", "password1234", "123456789012345", "desk.officer2026"])
def test_weak_passwords_are_refused(staff, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=staff)


def test_a_strong_password_is_accepted(staff):
    validate_password("violet-harbour-tanker-91", user=staff)


PRODUCTION_PROBE = r"""
import django, json
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
client = Client()
# Static files are not collected here: the manifest storage alone is swapped for the plain one.
plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain):
    insecure = client.get("/admin/login/", HTTP_HOST="sanctions.example.org")
    secure = client.get("/admin/login/", HTTP_HOST="sanctions.example.org", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "redirect": [insecure.status_code, insecure.get("Location")],
    "status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "frame": secure.get("X-Frame-Options"),
    "nosniff": secure.get("X-Content-Type-Options"),
    "csrf_cookie": ({k: secure.cookies["csrftoken"][k] for k in ("secure", "samesite")}
                    if "csrftoken" in secure.cookies else None),
    "settings": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_SECURE,
                 settings.DEBUG, "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE,
                 "django.middleware.clickjacking.XFrameOptionsMiddleware" in settings.MIDDLEWARE],
}))
"""


def test_production_answers_with_https_redirect_hsts_frame_denial_and_secure_cookies(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.production",
               DJANGO_SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="sanctions.example.org",
               DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}", STATIC_ROOT=str(tmp_path))
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run([sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    import json

    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["redirect"] == [301, "https://sanctions.example.org/admin/login/"]
    assert probe["status"] == 200
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["frame"] == "DENY"
    assert probe["nosniff"] == "nosniff"
    assert probe["csrf_cookie"] == {"secure": True, "samesite": "Lax"}
    assert probe["settings"] == [True, True, True, False, True, True]
