"""Broker down: with Redis stopped, partners and analysts still file reports and subjects, and
they are kept; once Redis is back, the worker (which lived through the outage) runs the sweep that
beat sends, and every subject is screened. The Redis is a private one, stopped and started here."""
from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from monitoring.models import MemberState, ReportSubject, ScreeningMatch, ViolationReport
from monitoring.screening import subjects_needing_screening
from monitoring.tokens import token_issue

from .conftest import project_app_on, requires_postgres, wait_for

pytestmark = [requires_postgres, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
API = "/api/v1"
NAMES = ["RI WON HO", "KIM SU GWANG", "JANG SONG CHOL"]


def test_reports_filed_while_redis_is_down_are_kept_and_screened_once_it_is_back(
        migration_data_put_back, postgres_only, private_redis, workers, caplog):
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())
    _, secret = token_issue(name="KR system", scopes=["reports:read", "reports:write"], actor=None,
                            member_state=MemberState.objects.get(country="KR"))
    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    worker = workers(broker_url=private_redis.url)

    private_redis.stop()
    with project_app_on(private_redis.url) as app:
        started = time.monotonic()
        for name in NAMES:
            report = partner.post(f"{API}/reports/", {"title": f"Sighting of {name}", "category": "wmd",
                                                      "status": "submitted"}, format="json")
            assert report.status_code == 201, report.content
            subject = partner.post(f"{API}/reports/{report.json()['id']}/subjects/",
                                   {"role": "facilitator", "kind": "person", "name": name}, format="json")
            assert subject.status_code == 201, subject.content
        assert time.monotonic() - started < 60  # the outage costs a few retries per write, not a hang
        assert ViolationReport.objects.count() == len(NAMES) and ReportSubject.objects.count() == len(NAMES)
        assert subjects_needing_screening().count() == len(NAMES)
        assert "the sweep will do it" in caplog.text

        private_redis.start()
        app.tasks["monitoring.tasks.screening_sweep_task"].delay()  # what beat sends every few minutes

        wait_for(lambda: not subjects_needing_screening().exists(), timeout=90, interval=0.2,
                 what="the sweep to screen every subject once Redis is back")

    assert worker.process.poll() is None  # the worker lived through the outage
    assert ScreeningMatch.objects.filter(subject__name="RI WON HO", list_entry__reference_number="KPi.033").exists()
    assert not ReportSubject.objects.filter(screened_at__isnull=True).exists()
