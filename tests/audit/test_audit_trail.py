"""The audit trail: every write by a partner token, an analyst or a reviewer leaves a record (who,
when, what changed, through which channel), and team administrators export it by date range in
the API (GET /api/v1/audit/, scope audit:read) and in the admin (CSV)."""
from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditRecord
from audit.services import audit_record
from monitoring.models import MemberState, ReportSubject, ScreeningMatch, ViolationReport
from monitoring.tokens import token_issue, token_revoke

API = "/api/v1"
EXPORT = "/admin/audit/auditrecord/export/"


def _records_since(mark: int):
    return AuditRecord.objects.filter(pk__gt=mark).order_by("id")


def test_every_write_by_a_partner_token_is_audited_with_actor_time_and_changes(
        kr, seed_list, django_capture_on_commit_callbacks):
    mark = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = timezone.now()

    report_id = kr.post(f"{API}/reports/", {"title": "Coal off Nampo", "category": "sts_petroleum"},
                        format="json").json()["id"]
    assert kr.patch(f"{API}/reports/{report_id}/", {"title": "Coal off Nampo, 3 ships"},
                    format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        subject_id = kr.post(f"{API}/reports/{report_id}/subjects/",
                             {"role": "facilitator", "kind": "person", "name": "RI WON HO"}, format="json").json()["id"]
    assert kr.patch(f"{API}/reports/{report_id}/subjects/{subject_id}/", {"nationality": "KP"},
                    format="json").status_code == 200
    evidence = kr.post(f"{API}/reports/{report_id}/evidence/",
                       {"kind": "document", "source": "Customs", "held_at": "KR archive 2026/17"}, format="json")
    assert evidence.status_code == 201, evidence.content
    assert kr.post(f"{API}/reports/{report_id}/transition/", {"status": "submitted"},
                   format="json").status_code == 200
    match = ScreeningMatch.objects.get(subject_id=subject_id, list_entry__reference_number="KPi.033")
    assert kr.post(f"{API}/matches/{match.pk}/decision/", {"decision": "confirm", "reason": "Same passport"},
                   format="json").status_code in (200, 201)
    hook = kr.post(f"{API}/webhooks/", {"url": "https://hooks.partner.example.org/msmt",
                                        "events": ["list.changed"]}, format="json").json()
    assert kr.delete(f"{API}/webhooks/{hook['id']}/").status_code == 204
    extra = kr.post(f"{API}/reports/{report_id}/subjects/", {"role": "facilitator", "kind": "person",
                                                             "name": "KIM IL"}, format="json").json()["id"]
    assert kr.delete(f"{API}/reports/{report_id}/subjects/{extra}/").status_code == 204

    records = list(_records_since(mark))
    written = {(r.object_type, r.action) for r in records}
    assert written >= {
        ("monitoring.violationreport", "create"), ("monitoring.violationreport", "update"),
        ("monitoring.reportsubject", "create"), ("monitoring.reportsubject", "update"),
        ("monitoring.reportsubject", "delete"), ("monitoring.evidence", "create"),
        ("monitoring.screeningmatch", "decide"), ("monitoring.webhooksubscription", "create"),
        ("monitoring.webhooksubscription", "delete"),
    }
    token_id = ViolationReport.objects.get(pk=report_id).created_by_token_id
    for record in records:
        assert record.context.get("token", {}).get("id") == token_id, record
        assert record.context.get("channel") == "api", record
        assert record.actor_label.startswith("token ") and record.actor is None
        assert started <= record.at <= timezone.now()
        if record.action in ("create", "update", "decide"):
            assert record.changes, record
    update = next(r for r in records if r.object_type == "monitoring.violationreport" and r.action == "update"
                  and "title" in r.changes)
    assert update.changes["title"] == ["Coal off Nampo", "Coal off Nampo, 3 ships"]
    decision = next(r for r in records if r.action == "decide")
    assert decision.changes["review_status"][1] == "confirmed" and decision.context["reason"] == "Same passport"
    assert not ReportSubject.objects.filter(pk=extra).exists()


def test_issuing_and_revoking_a_token_is_audited_without_its_secret(team_admin):
    token, secret = token_issue(name="Feed", scopes=["lists:read"], actor=team_admin,
                                member_state=MemberState.objects.get(country="KR"))
    token_revoke(token=token, actor=team_admin)

    records = AuditRecord.objects.filter(object_type="monitoring.apitoken", object_id=str(token.pk)).order_by("id")
    assert [r.action for r in records] == ["create", "update"]
    assert all(r.actor == team_admin for r in records)
    assert all(secret not in str(r.changes) + str(r.context) for r in records)


# --- Export in the API ------------------------------------------------------------------------------

@pytest.fixture
def dated_records(team_admin):
    """Three records on three days (UTC)."""
    made = {}
    for day in (1, 2, 3):
        record = audit_record(actor=team_admin, action="read", instance=team_admin, channel="test",
                              extra={"day": day})
        at = datetime.datetime(2026, 11, day, 12, 0, tzinfo=datetime.timezone.utc)
        AuditRecord.objects.filter(pk=record.pk).update(at=at)  # the trail's clock, set for the test
        made[day] = record.pk
    return made


@pytest.fixture
def admin_api(team_admin):
    client = APIClient()
    client.force_login(team_admin)
    return client


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_team_administrators_read_the_trail_by_date_range_oldest_first(admin_api, dated_records):
    assert _ids(admin_api.get(f"{API}/audit/", {"since": "2026-11-02", "until": "2026-11-03"})) == [
        dated_records[2], dated_records[3]]
    assert _ids(admin_api.get(f"{API}/audit/", {"since": "2026-11-01T12:00:00Z",
                                                "until": "2026-11-02T12:00:00+00:00"})) == [dated_records[1]]
    assert _ids(admin_api.get(f"{API}/audit/", {"since": "2026-11-02T20:00:00+09:00", "until": "2026-11-02"})) == [
        dated_records[2]]
    row = admin_api.get(f"{API}/audit/", {"since": "2026-11-03", "until": "2026-11-03"}).json()["results"][0]
    assert set(row) == {"id", "at", "actor_id", "actor_label", "action", "object_type", "object_id",
                        "object_repr", "changes", "context"}
    assert row["actor_label"] == "team.admin" and row["context"] == {"channel": "test", "day": 3}


def test_reading_the_trail_is_on_the_trail(admin_api, client, team_admin, dated_records):
    admin_api.get(f"{API}/audit/", {"since": "2026-11-02", "until": "2026-11-03"})
    client.force_login(team_admin)
    b"".join(client.get(EXPORT, {"since": "2026-11-01", "until": "2026-11-01"}).streaming_content)

    reads = list(AuditRecord.objects.filter(object_type="audit.auditrecord", action="read").order_by("id"))
    assert [(r.actor, r.context["channel"]) for r in reads] == [(team_admin, "api"), (team_admin, "admin")]
    assert reads[0].context["since"] == "2026-11-02T00:00:00+00:00"
    assert reads[0].context["until"] == "2026-11-04T00:00:00+00:00"
    assert reads[1].context["until"] == "2026-11-02T00:00:00+00:00"


@pytest.mark.parametrize("params,field", [
    ({"since": "yesterday"}, "since"),
    ({"until": "2026-13-40"}, "until"),
    ({"since": "2026-11-03", "until": "2026-11-01"}, "until"),
    ({"since": "2026-11-01T00:00:00+99:00"}, "since"),
    ({"sicne": "2026-11-01"}, "sicne"),
])
def test_bad_ranges_are_400_naming_the_field(admin_api, params, field):
    response = admin_api.get(f"{API}/audit/", params)

    assert response.status_code == 400
    assert field in response.json()


def test_only_team_administrators_read_the_trail(dated_records, analyst_kr, kr):
    analyst = APIClient()
    analyst.force_login(analyst_kr)

    assert APIClient().get(f"{API}/audit/").status_code == 401
    assert analyst.get(f"{API}/audit/").status_code == 403
    assert kr.get(f"{API}/audit/").status_code == 403  # a token with every scope there is: still not


def test_the_audit_endpoint_is_in_the_openapi_description(client):
    schema = client.get(f"{API}/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/v1/audit/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"since", "until", "limit", "offset"}
    assert {"200", "400", "401", "403"} <= set(operation["responses"])


# --- Export in the admin ---------------------------------------------------------------------------

def test_admin_exports_a_date_range_as_csv_with_formulas_defused(client, team_admin, dated_records):
    AuditRecord.objects.filter(pk=dated_records[2]).update(object_repr="=HYPERLINK(\"http://x\")")
    client.force_login(team_admin)

    response = client.get(EXPORT, {"since": "2026-11-02", "until": "2026-11-03"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="audit-2026-11-02-2026-11-03.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["id"]) for r in rows] == [dated_records[2], dated_records[3]]
    assert rows[0]["object_repr"] == "'=HYPERLINK(\"http://x\")"
    assert rows[1]["actor_label"] == "team.admin" and '"day": 3' in rows[1]["context"]


def test_admin_export_page_offers_the_form_and_refuses_a_reversed_range(client, team_admin):
    client.force_login(team_admin)

    assert "Export by date range" in client.get("/admin/audit/auditrecord/").content.decode()
    page = client.get(EXPORT)
    assert page.status_code == 200 and 'name="since"' in page.content.decode()
    reversed_range = client.get(EXPORT, {"since": "2026-11-03", "until": "2026-11-01"})
    assert reversed_range.status_code == 200 and "comes before the first" in reversed_range.content.decode()


def test_analysts_cannot_export_the_trail(client, analyst_kr, dated_records):
    client.force_login(analyst_kr)

    assert client.get(EXPORT, {"since": "2026-11-01", "until": "2026-11-03"}).status_code == 403
