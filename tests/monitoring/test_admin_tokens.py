"""Issuing and revoking API tokens in the admin: the secret is shown once and stored hashed."""
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AuditRecord
from monitoring.models import ApiToken, MemberState
from monitoring.tokens import TokenRejected, hash_key, token_authenticate


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-for-tests-only")


def test_issuing_shows_the_secret_once_and_stores_only_its_hash(client, superuser):
    client.force_login(superuser)

    response = client.post(reverse("admin:monitoring_apitoken_add"), {
        "name": "ROK maritime centre", "member_state": MemberState.objects.get(country="KR").pk,
        "scopes": ["lists:read", "screen"], "expires_at_0": "", "expires_at_1": "",
    }, follow=True)

    [message] = [str(m) for m in get_messages(response.wsgi_request) if "Copy it now" in str(m)]
    secret = re.search(r"(smt_\S+)", message).group(1)
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(secret) and secret not in str(token.__dict__)
    assert token.scopes == ["lists:read", "screen"] and token.created_by == superuser
    assert token_authenticate(secret) == token
    assert AuditRecord.objects.filter(object_type="monitoring.apitoken", action="create").exists()
    detail = client.get(reverse("admin:monitoring_apitoken_change", args=[token.pk]))
    assert secret not in detail.content.decode()


def test_a_token_needs_exactly_one_owner(client, superuser):
    client.force_login(superuser)

    response = client.post(reverse("admin:monitoring_apitoken_add"), {"name": "nobody's", "scopes": ["screen"]})

    assert response.status_code == 200 and "Choose either a member state" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoked_tokens_are_refused(client, superuser):
    from monitoring.tokens import token_issue

    token, secret = token_issue(name="t", scopes=["screen"], actor=superuser,
                                member_state=MemberState.objects.get(country="JP"))
    client.force_login(superuser)

    client.post(reverse("admin:monitoring_apitoken_changelist"),
                {"action": "revoke_tokens", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(TokenRejected, match="revoked"):
        token_authenticate(secret)
