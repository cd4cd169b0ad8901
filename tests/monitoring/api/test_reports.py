"""Reports through the API: TLP visibility in lists, details, counts, searches and filters for
two member states' tokens, partners' tokens and analysts; filing (with audit), changing drafts,
transitions, and clear 400s for bad input."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditRecord
from monitoring import services
from monitoring.models import Evidence, ViolationReport

from .conftest import API


@pytest.fixture
def reports(analyst_kr, analyst_jp, make_report, partner):
    """One report of the KR analyst per marking, plus a draft."""
    made = {
        "clear": make_report(author=analyst_kr, tlp="CLEAR", title="Clear coal shipment at Nampo"),
        "green": make_report(author=analyst_kr, tlp="GREEN", title="Green oil transfer", narrative="hoses seen"),
        "amber_jp": make_report(author=analyst_kr, tlp="AMBER", releasable_to=("JP",), title="Amber for Japan",
                                category="arms_military"),
        "amber_partner": make_report(author=analyst_kr, tlp="AMBER", title="Amber for ASEAN observer"),
        "strict": make_report(author=analyst_kr, tlp="AMBER+STRICT", title="Strict hoses transfer",
                              narrative="hoses seen"),
        "red": make_report(author=analyst_kr, tlp="RED", recipients=[analyst_jp], title="Red source report"),
        "draft": make_report(author=analyst_kr, tlp="GREEN", status="draft", title="Green draft"),
    }
    made["amber_partner"].releasable_to_partners.add(partner)
    return made


VISIBLE = {
    "kr_token": {"clear", "green", "amber_jp", "amber_partner", "strict", "draft"},  # RED names people, not tokens
    "jp_token": {"clear", "green", "amber_jp"},
    "asean_token": {"clear", "green", "amber_partner"},  # a community member, named on one AMBER report
    "research_token": {"clear"},  # not a community member
    "kr_analyst": {"clear", "green", "amber_jp", "amber_partner", "strict", "red", "draft"},
    "jp_analyst": {"clear", "green", "amber_jp", "red"},  # a named recipient of the RED report
}


@pytest.fixture
def callers(kr, jp, asean, client_for, research_group, session_for, analyst_kr, analyst_jp):
    return {
        "kr_token": kr, "jp_token": jp, "asean_token": asean, "research_token": client_for(partner=research_group),
        "kr_analyst": session_for(analyst_kr), "jp_analyst": session_for(analyst_jp),
    }


def listed(client, query="") -> tuple[set[str], int]:
    response = client.get(f"{API}/reports/{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    return {item["title"] for item in body["results"]}, body["count"]


def titles(reports, names) -> set[str]:
    return {reports[name].title for name in names}


# --- Visibility ------------------------------------------------------------------------------

@pytest.mark.parametrize("caller", sorted(VISIBLE))
def test_list_and_count_show_exactly_what_the_marking_allows(reports, callers, caller):
    seen, count = listed(callers[caller])

    assert seen == titles(reports, VISIBLE[caller])
    assert count == len(VISIBLE[caller])


@pytest.mark.parametrize("caller", sorted(VISIBLE))
def test_detail_of_a_report_outside_access_is_404_never_403(reports, callers, caller):
    for name, report in reports.items():
        response = callers[caller].get(f"{API}/reports/{report.pk}/")

        assert response.status_code == (200 if name in VISIBLE[caller] else 404), (caller, name)


@pytest.mark.parametrize("caller", sorted(VISIBLE))
def test_rows_under_a_hidden_report_are_404(reports, callers, caller):
    for name, report in reports.items():
        if name in VISIBLE[caller]:
            continue
        for rows in ("subjects", "evidence", "matches"):
            assert callers[caller].get(f"{API}/reports/{report.pk}/{rows}/").status_code == 404, (caller, name)


def test_search_and_counts_never_reach_hidden_reports(reports, callers):
    # "hoses" is in the narrative of the GREEN report and of the AMBER+STRICT one.
    assert listed(callers["kr_token"], "?q=hoses") == (titles(reports, {"green", "strict"}), 2)
    assert listed(callers["jp_token"], "?q=hoses") == (titles(reports, {"green"}), 1)
    assert listed(callers["jp_token"], "?q=strict") == (set(), 0)
    assert listed(callers["asean_token"], "?q=Red source") == (set(), 0)


def test_filters_narrow_within_what_the_caller_sees(reports, callers):
    kr, jp = callers["kr_token"], callers["jp_token"]

    assert listed(kr, "?tlp=AMBER")[1] == 2
    assert listed(jp, "?tlp=AMBER") == (titles(reports, {"amber_jp"}), 1)
    assert listed(kr, "?tlp=AMBER%2BSTRICT") == (titles(reports, {"strict"}), 1)
    assert listed(kr, "?tlp=AMBER+STRICT") == (titles(reports, {"strict"}), 1)  # an unencoded '+'
    assert listed(jp, "?tlp=AMBER%2BSTRICT") == (set(), 0)
    assert listed(kr, "?status=draft") == (titles(reports, {"draft"}), 1)
    assert listed(jp, "?status=draft") == (set(), 0)
    assert listed(jp, "?category=arms_military") == (titles(reports, {"amber_jp"}), 1)
    assert listed(jp, "?reporting_state=kr")[1] == 3
    assert listed(jp, "?reporting_state=JP")[1] == 0
    assert listed(kr, "?created_after=2000-01-01T00:00:00Z")[1] == 6
    assert listed(kr, "?created_after=2999-01-01T00:00:00Z")[1] == 0


@pytest.mark.parametrize(("query", "field"), [
    ("?tlp=PURPLE", "tlp"), ("?status=lost", "status"), ("?category=piracy", "category"),
    ("?reporting_state=XX", "reporting_state"), ("?created_after=yesterday", "created_after"),
])
def test_bad_filter_values_are_400_naming_the_filter(reports, kr, query, field):
    response = kr.get(f"{API}/reports/{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_pages_count_the_whole_visible_queryset(reports, kr):
    body = kr.get(f"{API}/reports/?limit=2").json()

    assert body["count"] == 6 and len(body["results"]) == 2 and body["next"]


def test_team_administrator_sees_everything_and_each_detail_read_is_audited(reports, team_admin, session_for):
    client = session_for(team_admin)
    assert listed(client)[1] == len(reports)

    response = client.get(f"{API}/reports/{reports['red'].pk}/")

    assert response.status_code == 200
    assert AuditRecord.objects.filter(action="read", object_id=str(reports["red"].pk), actor=team_admin).exists()


def test_stricter_evidence_stays_hidden_where_its_report_shows(reports, analyst_kr, kr, jp):
    green = reports["green"]
    for tlp, source in (("GREEN", "Open imagery"), ("AMBER+STRICT", "Our own satellite")):
        services.evidence_save(evidence=Evidence(report=green, kind="satellite_image", source=source,
                                                 held_at="KR archive", tlp=tlp), actor=analyst_kr, channel="test")

    def sources(client):
        return {item["source"] for item in client.get(f"{API}/reports/{green.pk}/evidence/").json()["results"]}

    assert sources(kr) == {"Open imagery", "Our own satellite"}
    assert sources(jp) == {"Open imagery"}
    hidden = Evidence.objects.get(source="Our own satellite")
    assert jp.get(f"{API}/reports/{green.pk}/evidence/{hidden.pk}/").status_code == 404


def test_detail_shows_the_report_as_filed(reports, kr):
    body = kr.get(f"{API}/reports/{reports['amber_jp'].pk}/").json()

    assert body["reporting_state"] == "KR"
    assert body["releasable_to"] == ["JP"]
    assert body["tlp"] == "AMBER" and body["status"] == "submitted"


# --- Filing ----------------------------------------------------------------------------------

NEW_REPORT = {
    "title": "STS transfer south of Shanghai",
    "category": "sts_petroleum",
    "tlp": "AMBER",
    "releasable_to": ["jp", "US"],
    "occurred_from": "2024-03-01T10:15:00Z",
    "occurred_precision": "minute",
    "location_text": "East China Sea",
    "latitude": "28.5",
    "longitude": "124.1",
    "narrative": "Hoses connected between the two tankers.",
    "resolutions": [{"resolution": 2375, "paragraph": "11"}, {"resolution": 2397, "paragraph": "5"}],
    "citations": [{"title": "MOFA notice", "publisher": "MOFA", "url": "https://www.mofa.go.jp/notice.html"}],
}


def test_token_files_a_report_for_its_state_with_an_audit_record(kr, issue_token):
    response = kr.post(f"{API}/reports/", NEW_REPORT, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    report = ViolationReport.objects.get(pk=body["id"])
    assert body["reporting_state"] == "KR" and report.reporting_state.country.code == "KR"
    assert body["status"] == "draft"
    assert sorted(body["releasable_to"]) == ["JP", "US"]
    assert body["resolutions"] == [{"resolution": 2375, "paragraph": "11"}, {"resolution": 2397, "paragraph": "5"}]
    assert body["citations"][0]["url"] == "https://www.mofa.go.jp/notice.html"
    assert report.created_by_token is not None and report.created_by is None
    created = AuditRecord.objects.get(action="create", object_type="monitoring.violationreport",
                                      object_id=str(report.pk))
    assert created.context["channel"] == "api"
    assert created.context["token"]["id"] == report.created_by_token.pk
    assert created.changes["title"] == [None, NEW_REPORT["title"]]
    assert AuditRecord.objects.filter(object_type="monitoring.resolutioncitation", action="create").count() == 2
    assert AuditRecord.objects.filter(object_type="monitoring.violationreport", object_id=str(report.pk),
                                      changes__has_key="releasable_to_states").exists()


def test_analyst_files_for_their_own_state(analyst_jp, session_for):
    response = session_for(analyst_jp).post(f"{API}/reports/", {"title": "T", "category": "wmd"}, format="json")

    assert response.status_code == 201
    report = ViolationReport.objects.get(pk=response.json()["id"])
    assert report.reporting_state.country.code == "JP" and report.created_by == analyst_jp


def test_filing_submitted_at_once(kr):
    body = kr.post(f"{API}/reports/", {"title": "T", "category": "wmd", "status": "submitted"}, format="json").json()

    assert body["status"] == "submitted" and body["submitted_at"]


def test_partner_tokens_cannot_file(asean):
    response = asean.post(f"{API}/reports/", {"title": "T", "category": "wmd"}, format="json")

    assert response.status_code == 403
    assert ViolationReport.objects.count() == 0


def test_no_filing_for_another_state(kr):
    response = kr.post(f"{API}/reports/", {"title": "T", "category": "wmd", "reporting_state": "JP"}, format="json")

    assert response.status_code == 400
    assert "reporting_state" in response.json()


def test_team_administrator_names_the_reporting_state(team_admin, session_for):
    client = session_for(team_admin)

    assert "reporting_state" in client.post(f"{API}/reports/", {"title": "T", "category": "wmd"},
                                            format="json").json()
    response = client.post(f"{API}/reports/", {"title": "T", "category": "wmd", "reporting_state": "NZ"},
                           format="json")
    assert response.status_code == 201 and response.json()["reporting_state"] == "NZ"


def test_a_token_cannot_file_a_red_report(kr):
    response = kr.post(f"{API}/reports/", {"title": "T", "category": "wmd", "tlp": "RED"}, format="json")

    assert response.status_code == 400 and "tlp" in response.json()


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "T", "category": "wmd", "colour": "blue"}, "colour"),
    ({"title": "T", "category": "wmd", "status": "published"}, "status"),
    ({"title": "T", "category": "wmd", "id": "00000000-0000-0000-0000-000000000000"}, "id"),
    ({"category": "wmd"}, "title"),
    ({"title": "T", "category": "piracy"}, "category"),
    ({"title": "T", "category": "wmd", "tlp": "PURPLE"}, "tlp"),
    ({"title": "T", "category": "wmd", "releasable_to": ["XX"]}, "releasable_to"),
    ({"title": "T", "category": "wmd", "releasable_to_partners": ["Nobody"]}, "releasable_to_partners"),
    ({"title": "T", "category": "wmd", "latitude": "91", "longitude": "0"}, "latitude"),
    ({"title": "T", "category": "wmd", "latitude": "10"}, "longitude"),
    ({"title": "T", "category": "wmd", "occurred_from": "2024-03-02T00:00:00Z",
      "occurred_to": "2024-03-01T00:00:00Z"}, "occurred_to"),
    ({"title": "T", "category": "wmd", "resolutions": [{"resolution": 2375}, {"resolution": 2375}]}, "resolutions"),
    ({"title": "T", "category": "wmd", "resolutions": [{"resolution": 0}]}, "resolutions"),
    ({"title": "T", "category": "wmd", "resolutions": [{"resolution": 2375, "para": "1"}]}, "resolutions"),
    ({"title": "T", "category": "wmd", "citations": [{"title": "x", "url": "not a url"}]}, "citations"),
])
def test_bad_input_is_400_naming_the_field(kr, body, field):
    response = kr.post(f"{API}/reports/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert ViolationReport.objects.count() == 0


@pytest.mark.parametrize("raw", [b'{"title": "T",', b"[1, 2]", b"null", b'"just a string"'])
def test_malformed_json_is_400(kr, raw):
    response = kr.generic("POST", f"{API}/reports/", raw, content_type="application/json")

    assert response.status_code == 400
    assert ViolationReport.objects.count() == 0


def test_form_encoded_bodies_are_refused(kr):
    response = kr.post(f"{API}/reports/", {"title": "T", "category": "wmd"}, format="multipart")

    assert response.status_code == 415


# --- Changing drafts ---------------------------------------------------------------------------

def test_draft_can_be_changed_by_its_state_with_an_audit_record(reports, kr):
    draft = reports["draft"]

    response = kr.patch(f"{API}/reports/{draft.pk}/", {"title": "Renamed", "releasable_to": ["JP"]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed"
    assert AuditRecord.objects.filter(action="update", object_id=str(draft.pk),
                                      changes__title=["Green draft", "Renamed"]).exists()


def test_put_replaces_nested_citations(kr):
    report_id = kr.post(f"{API}/reports/", NEW_REPORT, format="json").json()["id"]

    body = {**NEW_REPORT, "resolutions": [{"resolution": 2397, "paragraph": "5"}, {"resolution": 2270}]}
    response = kr.put(f"{API}/reports/{report_id}/", body, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["resolutions"] == [{"resolution": 2270, "paragraph": ""},
                                              {"resolution": 2397, "paragraph": "5"}]
    assert AuditRecord.objects.filter(object_type="monitoring.resolutioncitation", action="delete").count() == 1


def test_only_drafts_can_be_changed(reports, kr):
    response = kr.patch(f"{API}/reports/{reports['green'].pk}/", {"title": "x"}, format="json")

    assert response.status_code == 400
    assert "draft" in response.json()["status"][0]


def test_another_state_gets_403_on_a_report_it_sees_and_404_on_one_it_does_not(reports, jp):
    assert jp.patch(f"{API}/reports/{reports['green'].pk}/", {"title": "x"}, format="json").status_code == 403
    assert jp.patch(f"{API}/reports/{reports['strict'].pk}/", {"title": "x"}, format="json").status_code == 404
    assert jp.post(f"{API}/reports/{reports['green'].pk}/transition/", {"status": "under_review"},
                   format="json").status_code == 403
    assert jp.post(f"{API}/reports/{reports['strict'].pk}/transition/", {"status": "under_review"},
                   format="json").status_code == 404


def test_update_rejects_unknown_fields_and_status(reports, kr):
    response = kr.patch(f"{API}/reports/{reports['draft'].pk}/", {"status": "submitted", "x": 1}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"status", "x"}


# --- Transitions ---------------------------------------------------------------------------------

def test_transitions_follow_the_lifecycle_with_audit(reports, kr):
    draft = reports["draft"]

    response = kr.post(f"{API}/reports/{draft.pk}/transition/", {"status": "submitted"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "submitted" and response.json()["submitted_at"]
    assert AuditRecord.objects.filter(object_id=str(draft.pk), changes__status=["draft", "submitted"]).exists()
    for step in ("under_review", "accepted", "published"):
        assert kr.post(f"{API}/reports/{draft.pk}/transition/", {"status": step}, format="json").status_code == 200


def test_a_move_outside_the_lifecycle_is_400_with_the_allowed_ones(reports, kr):
    response = kr.post(f"{API}/reports/{reports['green'].pk}/transition/", {"status": "published"}, format="json")

    assert response.status_code == 400
    assert response.json()["allowed"] == ["draft", "under_review"]
    assert "submitted" in response.json()["status"][0]
    assert ViolationReport.objects.get(pk=reports["green"].pk).status == "submitted"


@pytest.mark.parametrize("body", [{"status": "gone"}, {}, {"status": "draft", "reason": "x"}])
def test_bad_transition_requests_are_400(reports, kr, body):
    assert kr.post(f"{API}/reports/{reports['green'].pk}/transition/", body, format="json").status_code == 400


def test_published_reports_are_frozen(reports, kr):
    draft = reports["draft"]
    for step in ("submitted", "under_review", "accepted", "published"):
        kr.post(f"{API}/reports/{draft.pk}/transition/", {"status": step}, format="json")

    assert kr.patch(f"{API}/reports/{draft.pk}/", {"title": "x"}, format="json").status_code == 400
    response = kr.post(f"{API}/reports/{draft.pk}/transition/", {"status": "draft"}, format="json")
    assert response.status_code == 400
    assert response.json()["allowed"] == []
    assert ViolationReport.objects.get(pk=draft.pk).status == "published"


def test_list_query_count_does_not_grow_with_the_reports(analyst_kr, make_report, kr):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert kr.get(f"{API}/reports/").status_code == 200
        return len(captured)

    make_report(author=analyst_kr, tlp="AMBER", releasable_to=("JP",))
    queries()  # the token's first use records its last_used_at
    few = queries()
    for _ in range(5):
        make_report(author=analyst_kr, tlp="AMBER", releasable_to=("JP", "US"))

    assert queries() == few
