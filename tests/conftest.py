"""Shared fixtures. Data is made through the services, as the application makes it."""
from __future__ import annotations

import itertools
import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections

import sanctions.screening
from monitoring import services
from monitoring.models import AnalystProfile, MemberState, ReportSubject, ViolationReport

IN_CI = os.environ.get("CI", "").lower() == "true"
_usernames = itertools.count(1)


@pytest.fixture(scope="module")
def migration_data_put_back(django_db_blocker):
    """A transactional or live-server test's teardown flushes every table, migration data included
    (member states, list sources, groups), which the tests after it rely on. Torn down after that
    flush, this loads the data back from the copy taken when the test database was created."""
    yield
    with django_db_blocker.unblock():
        contents = getattr(connections["default"], "_test_serialized_contents", None)
        if contents:
            connections["default"].creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def fresh_screening_index():
    """The screening index is cached per process and stored per set of list versions, whose ids
    restart in every test (on SQLite) while their content hashes stay: without this a test could be
    served the index of an earlier test's entries. (The folder is emptied, not overridden: an
    override of the settings hides Django's own from Celery's reading of them.)"""
    shutil.rmtree(settings.SCREENING_INDEX_DIR, ignore_errors=True)
    sanctions.screening.forget_loaded()
    yield
    sanctions.screening.forget_loaded()


@pytest.fixture
def redis_url():
    """The real Redis for tests that run a worker on it (TEST_REDIS_URL); skips, or fails in CI, without one."""
    import redis

    url = settings.TEST_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        skip_or_fail(f"Redis at {url} is not reachable: {exc}")
    return url


def skip_or_fail(reason: str) -> None:
    """Skip on a laptop without the service; in CI a missing service is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required services must be running)")
    pytest.skip(reason)


@pytest.fixture
def make_user(db):
    def make(*, country: str | None = None, groups=("Analyst",), username: str | None = None, **extra):
        User = get_user_model()
        user = User.objects.create_user(
            username=username or f"user{next(_usernames)}", password="pw-for-tests-only", is_staff=True, **extra
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
        if country:
            AnalystProfile.objects.create(user=user, member_state=MemberState.objects.get(country=country))
        return user

    return make


@pytest.fixture
def analyst_kr(make_user):
    return make_user(country="KR", groups=("Analyst", "Reviewer"), username="kr.analyst")


@pytest.fixture
def analyst_jp(make_user):
    return make_user(country="JP", groups=("Analyst", "Reviewer"), username="jp.analyst")


@pytest.fixture
def team_admin(make_user):
    return make_user(groups=("Team administrator",), username="team.admin")


@pytest.fixture
def make_report(db):
    def make(*, author, tlp="GREEN", status="submitted", releasable_to=(), recipients=(), **fields) -> ViolationReport:
        state = author.analyst_profile.member_state
        report = ViolationReport(
            title=fields.pop("title", f"{tlp} report by {state.country.code}"),
            category=fields.pop("category", "sts_petroleum"),
            reporting_state=state, tlp=tlp, **fields,
        )
        services.report_save(report=report, actor=author, channel="test")
        report.releasable_to_states.set(MemberState.objects.filter(country__in=releasable_to))
        report.recipients.set(recipients)
        for step in {"draft": [], "submitted": ["submitted"], "under_review": ["submitted", "under_review"]}[status]:
            report = services.report_transition(report=report, to_status=step, actor=author, channel="test")
        return report

    return make


@pytest.fixture
def make_subject(db):
    def make(*, report, actor, **fields) -> ReportSubject:
        fields.setdefault("role", "receiving_vessel")
        fields.setdefault("kind", "vessel")
        fields.setdefault("name", "SAEBYOL")
        return services.subject_save(subject=ReportSubject(report=report, **fields), actor=actor, channel="test")

    return make
