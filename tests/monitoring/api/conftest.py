"""Fixtures of the monitoring API tests: tokens of two member states and a partner, clients
holding them, and the sample UN list for screening."""
from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.choices import TokenScope
from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from monitoring.models import MemberState, PartnerOrganisation
from monitoring.tokens import token_issue, token_revoke

ALL_SCOPES = list(TokenScope.values)
API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counts live in the cache, keyed by ids that restart in every test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def partner(db):
    return PartnerOrganisation.objects.create(name="ASEAN observer", kind="observer_state", country="ID",
                                              is_community_member=True)


@pytest.fixture
def research_group(db):
    return PartnerOrganisation.objects.create(name="Open-source research group", kind="research_group",
                                              is_community_member=False)


@pytest.fixture
def issue_token(db):
    """(token, secret) for a member state (ISO code) or a partner organisation."""

    def issue(*, state: str | None = None, partner: PartnerOrganisation | None = None,
              scopes=tuple(ALL_SCOPES), expires_at=None):
        member_state = MemberState.objects.get(country=state) if state else None
        return token_issue(name=f"test token {state or partner}", scopes=list(scopes), actor=None,
                           member_state=member_state, partner=partner, expires_at=expires_at)

    return issue


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def client_for(issue_token) -> Callable[..., APIClient]:
    """A client holding a fresh token: client_for(state="KR", scopes=[...]) or client_for(partner=...)."""

    def make(**kwargs) -> APIClient:
        _, secret = issue_token(**kwargs)
        return bearer(secret)

    return make


@pytest.fixture
def kr(client_for):
    return client_for(state="KR")


@pytest.fixture
def jp(client_for):
    return client_for(state="JP")


@pytest.fixture
def asean(client_for, partner):
    return client_for(partner=partner)


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def session_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def revoked_client(issue_token):
    token, secret = issue_token(state="KR")
    token_revoke(token=token, actor=None)
    return bearer(secret)


@pytest.fixture
def expired_client(issue_token):
    _, secret = issue_token(state="KR", expires_at=timezone.now() - datetime.timedelta(minutes=1))
    return bearer(secret)


@pytest.fixture
def seed_list(db):
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())


@pytest.fixture
def screened_subject(seed_list, make_subject, django_capture_on_commit_callbacks):
    """A subject saved and screened on commit, as the application does."""

    def make(*, report, actor, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            subject = make_subject(report=report, actor=actor, **fields)
        subject.refresh_from_db()
        return subject

    return make
