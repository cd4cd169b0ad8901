"""Admin login throttling: after repeated failed logins, the admin refuses further attempts for a
while, whatever the password, so passwords cannot be guessed at speed.

Failures are counted in the shared cache (Redis in production, via CACHE_URL) per user name and
client address, and per client address alone (one address trying many names)."""
from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.dispatch import receiver

logger = logging.getLogger(__name__)


def _client_address(request) -> str:
    """The caller's address. Behind a proxy, REMOTE_ADDR is the proxy's for everyone: the address
    the proxy appends to ADMIN_LOGIN_CLIENT_ADDRESS_HEADER (the rightmost one, which a client
    cannot forge) is used instead."""
    if request is None:
        return "unknown"
    header = getattr(settings, "ADMIN_LOGIN_CLIENT_ADDRESS_HEADER", "")
    forwarded = request.META.get(header, "") if header else ""
    if forwarded.strip():
        return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR") or "unknown"


def _keys(request, username: str) -> tuple[str, str]:
    name = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    address = _client_address(request)
    return f"login-failures:user:{name}:{address}", f"login-failures:addr:{address}"


def login_is_throttled(request, username: str) -> bool:
    by_user, by_address = _keys(request, username)
    return (cache.get(by_user, 0) >= settings.ADMIN_LOGIN_FAILURE_LIMIT
            or cache.get(by_address, 0) >= settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT)


@receiver(user_login_failed, dispatch_uid="config.security.count_login_failure")
def count_login_failure(sender, credentials, request=None, **kwargs):
    for key in _keys(request, credentials.get("username", "")):
        cache.add(key, 0, settings.ADMIN_LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.ADMIN_LOGIN_LOCKOUT_SECONDS)


@receiver(user_logged_in, dispatch_uid="config.security.forget_login_failures")
def forget_login_failures(sender, request, user, **kwargs):
    cache.delete(_keys(request, user.get_username())[0])


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many failed logins. Try again in %(minutes)d minutes.",
    }

    def clean(self):
        username = self.cleaned_data.get("username", "")
        if login_is_throttled(self.request, username):
            logger.warning("Admin login refused (throttled) for %r from %s", username, _client_address(self.request))
            raise ValidationError(self.error_messages["throttled"], code="throttled",
                                  params={"minutes": max(1, settings.ADMIN_LOGIN_LOCKOUT_SECONDS // 60)})
        return super().clean()
