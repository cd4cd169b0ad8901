"""End to end with real processes: a report filed through the API is screened by a Celery worker
process on Redis and its hits are shown to the analyst; a list sync run by the worker re-screens
open reports and sends the list.changed webhook to a partner's endpoint."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from monitoring import services, webhooks
from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from monitoring.models import MemberState, ReportSubject, ScreeningMatch, WebhookDelivery
from monitoring.tokens import TokenCaller, token_issue
from sanctions.models import ListVersion
from tests.monitoring.test_webhooks import with_new_individual
from tests.monitoring.webhook_receiver import WebhookReceiver

from .conftest import project_app_on, requires_postgres, wait_for

pytestmark = [requires_postgres, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
API = "/api/v1"


@pytest.fixture
def seed_list(postgres_only):
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())  # in this process, committed


def _kr_token(scopes=("reports:read", "reports:write", "lists:read")):
    return token_issue(name="KR system", scopes=list(scopes), actor=None,
                       member_state=MemberState.objects.get(country="KR"))


def test_a_report_filed_through_the_api_is_screened_by_a_worker_and_the_analyst_sees_its_hits(
        migration_data_put_back, seed_list, private_redis, workers, analyst_kr):
    _, secret = _kr_token()
    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    workers(broker_url=private_redis.url)

    with project_app_on(private_redis.url):
        report = partner.post(f"{API}/reports/", {"title": "Facilitator seen in Vladivostok", "category": "wmd",
                                                  "tlp": "GREEN", "status": "submitted"}, format="json")
        assert report.status_code == 201, report.content
        report_id = report.json()["id"]
        subject = partner.post(f"{API}/reports/{report_id}/subjects/",
                               {"role": "facilitator", "kind": "person", "name": "RI WON HO"}, format="json")
        assert subject.status_code == 201, subject.content

    subject_row = ReportSubject.objects.get(pk=subject.json()["id"])
    wait_for(lambda: ReportSubject.objects.filter(pk=subject_row.pk, screened_at__isnull=False).exists(),
             timeout=60, what="the worker to screen the subject")
    analyst = APIClient()
    analyst.force_login(analyst_kr)
    hits = analyst.get(f"{API}/reports/{report_id}/matches/").json()["results"]
    hit = next(h for h in hits if h["list_entry"]["reference_number"] == "KPi.033")
    assert hit["score"] >= 0.7 and hit["explanation"] and hit["review_status"] == "pending"
    assert ScreeningMatch.objects.filter(subject=subject_row).count() == len(hits)


def test_a_sync_run_by_a_worker_rescreens_open_reports_and_sends_list_changed(
        migration_data_put_back, seed_list, private_redis, workers, analyst_kr, make_report, settings, tmp_path):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver is on 127.0.0.1 (checked when subscribing)
    token, _ = _kr_token()
    report = make_report(author=analyst_kr, tlp="GREEN")
    worker = workers(broker_url=private_redis.url)
    with WebhookReceiver() as receiver, project_app_on(private_redis.url) as app:
        subscription, receiver.secret = webhooks.webhook_subscription_create(
            token=token, url=receiver.url, events=["list.changed"], actor=TokenCaller(token), channel="test")
        subject = services.subject_save(subject=ReportSubject(report=report, role="facilitator", kind="person",
                                                              name="CHOE SON HUI", date_of_birth="1970"),
                                        actor=analyst_kr, channel="test")
        wait_for(lambda: ReportSubject.objects.filter(pk=subject.pk, screened_at__isnull=False).exists(),
                 timeout=60, what="the first screening")
        assert not ScreeningMatch.objects.filter(subject=subject, list_entry__reference_number="KPi.099").exists()
        new_list = tmp_path / "consolidated.xml"
        new_list.write_bytes(with_new_individual(DEFAULT_LIST_PATH.read_bytes()))

        app.tasks["sanctions.tasks.sync_list_task"].delay(source_slug="un-sc", location=str(new_list))

        match = wait_for(lambda: ScreeningMatch.objects.filter(subject=subject,
                                                               list_entry__reference_number="KPi.099").first(),
                         timeout=60, what="the re-screening after the sync to find the new entry")
        [delivery] = receiver.wait_for(1, timeout=60)

    version = ListVersion.objects.get(source__slug="un-sc", status="applied", fetched_from=str(new_list))
    assert match.list_version_id == version.pk
    assert delivery.event == "list.changed" and delivery.signature_valid is True
    assert delivery.json["data"]["version_id"] == version.pk and delivery.json["data"]["source"] == "un-sc"
    wait_for(lambda: WebhookDelivery.objects.filter(subscription=subscription, status="delivered").exists(),
             timeout=30, what="the delivery to be recorded")
    subject.refresh_from_db()
    assert f"un-sc:{version.pk}" in subject.screened_versions.split(",")  # current with the new version
    assert "rescreen_after_sync_task" in worker.output()
