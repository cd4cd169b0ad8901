"""API tokens: issuing (the secret is returned once, only its hash is stored), checking, and the
caller object a token stands for in access rules."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record

from .choices import TokenScope
from .models import ApiToken

TOKEN_PREFIX_LENGTH = 8
LAST_USED_RESOLUTION_SECONDS = 60  # do not write on every request

# What a Django permission check means for a token: its scopes decide.
PERMISSION_SCOPES = {
    "monitoring.view_violationreport": TokenScope.REPORTS_READ,
    "monitoring.add_violationreport": TokenScope.REPORTS_WRITE,
    "monitoring.change_violationreport": TokenScope.REPORTS_WRITE,
    "monitoring.add_matchreview": TokenScope.MATCHES_REVIEW,
}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(*, name: str, scopes: list[str], actor, member_state=None, partner=None,
                expires_at=None) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret, which is never stored and never shown again."""
    prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
    secret = f"smt_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(name=name, prefix=prefix, key_hash=hash_key(secret), member_state=member_state,
                     partner=partner, scopes=sorted(set(scopes)), expires_at=expires_at,
                     created_by=actor if getattr(actor, "pk", None) else None)
    token.full_clean()
    token.save()
    audit_record(actor=actor, action=AuditAction.CREATE, instance=token,
                 changes={"scopes": [None, token.scopes], "owner": [None, str(token.owner)]}, channel="admin")
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=token,
                     changes={"revoked_at": [None, token.revoked_at.isoformat()]}, channel="admin")
    return token


class TokenRejected(Exception):
    pass


def token_authenticate(secret: str) -> ApiToken:
    token = ApiToken.objects.select_related("member_state", "partner").filter(key_hash=hash_key(secret)).first()
    if token is None:
        raise TokenRejected("Invalid token.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRejected("This token has been revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRejected("This token has expired.")
    owner_active = token.member_state.is_active if token.member_state else token.partner.is_active
    if not owner_active:
        raise TokenRejected("The token's organisation is no longer active.")
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass(frozen=True)
class TokenCaller:
    """Stands in for a user when a token calls: access rules ask it what they ask a user."""

    token: ApiToken
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    pk: None = None
    id: None = None

    def has_perm(self, perm: str, obj=None) -> bool:
        scope = PERMISSION_SCOPES.get(perm)
        return scope is not None and scope in self.token.scopes

    def has_scope(self, scope: str) -> bool:
        return scope in self.token.scopes

    def get_username(self) -> str:
        return f"token {self.token.prefix} ({self.token.name})"

    def __str__(self) -> str:
        return self.get_username()
