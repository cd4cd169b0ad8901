"""Screening hits through the API: listed with score, explanation, review status and log; a
decision appends to the log; hits of reports the caller cannot see are 404."""
from __future__ import annotations

import pytest

from audit.models import AuditRecord
from monitoring.models import MatchReview, ScreeningMatch

from .conftest import API


@pytest.fixture
def hits(analyst_kr, make_report, screened_subject):
    """A hit on the sample list's RI WON HO in a GREEN and in an AMBER+STRICT report of KR."""
    made = {}
    for tlp in ("GREEN", "AMBER+STRICT"):
        report = make_report(author=analyst_kr, tlp=tlp, title=f"{tlp} report")
        screened_subject(report=report, actor=analyst_kr, kind="person", role="facilitator", name="RI WON HO",
                         date_of_birth="1964-07-17")
        made[tlp] = ScreeningMatch.objects.select_related("report").get(report=report,
                                                                       list_entry__reference_number="KPi.033")
    return made


def test_matches_list_shows_score_explanation_and_review(hits, kr):
    match = hits["GREEN"]

    body = kr.get(f"{API}/reports/{match.report_id}/matches/").json()

    item = next(i for i in body["results"] if i["id"] == match.pk)
    assert body["count"] == ScreeningMatch.objects.filter(report=match.report).count()
    assert 0 < item["score"] <= 1 and item["is_match"] is True
    assert item["review_status"] == "pending" and item["reviews"] == []
    assert item["list_entry"]["reference_number"] == "KPi.033" and item["list_entry"]["source"] == "un-sc"
    assert item["subject"]["name"] == "RI WON HO"
    assert item["explanation"] == match.explanation
    assert {"score", "detail", "query", "candidate"} <= set(next(iter(item["explanation"].values())))
    assert item["algorithm"] and item["algorithm_version"]


def test_decisions_are_appended_to_the_review_log(hits, kr, analyst_kr, session_for):
    match = hits["GREEN"]

    first = kr.post(f"{API}/matches/{match.pk}/decision/", {"decision": "escalate", "reason": "Needs a second look"},
                    format="json")
    second = session_for(analyst_kr).post(f"{API}/matches/{match.pk}/decision/",
                                          {"decision": "confirm", "reason": "Same date of birth"}, format="json")

    assert first.status_code == second.status_code == 200, second.content
    body = second.json()
    assert body["review_status"] == "confirmed"
    assert [(r["decision"], r["reason"]) for r in body["reviews"]] == [
        ("escalate", "Needs a second look"), ("confirm", "Same date of birth")]
    assert body["reviews"][0]["reviewer_label"].startswith("token ")
    assert body["reviews"][1]["reviewer_label"] == analyst_kr.get_username()
    # each entry of the log keeps the hit it was decided on
    assert body["reviews"][1]["hit"]["score"] == body["score"]
    assert body["reviews"][1]["hit"]["explanation"] == body["explanation"]
    assert MatchReview.objects.filter(match=match).count() == 2
    assert AuditRecord.objects.filter(action="decide", object_type="monitoring.screeningmatch",
                                      object_id=str(match.pk)).count() == 2
    listed = kr.get(f"{API}/reports/{match.report_id}/matches/").json()["results"]
    assert [len(i["reviews"]) for i in listed if i["id"] == match.pk] == [2]


def test_another_member_state_reviews_hits_of_reports_it_sees(hits, jp):
    response = jp.post(f"{API}/matches/{hits['GREEN'].pk}/decision/", {"decision": "dismiss", "reason": "No"},
                       format="json")

    assert response.status_code == 200 and response.json()["review_status"] == "dismissed"


@pytest.mark.parametrize("caller", ["jp", "asean"])
def test_hits_of_hidden_reports_are_404(hits, request, caller):
    client = request.getfixturevalue(caller)
    strict = hits["AMBER+STRICT"]

    assert client.get(f"{API}/matches/{strict.pk}/").status_code == 404
    assert client.get(f"{API}/reports/{strict.report_id}/matches/").status_code == 404
    response = client.post(f"{API}/matches/{strict.pk}/decision/", {"decision": "dismiss", "reason": "x"},
                           format="json")
    assert response.status_code == 404
    assert not MatchReview.objects.filter(match=strict).exists()


def test_partner_sees_hits_of_green_reports(hits, asean):
    assert asean.get(f"{API}/matches/{hits['GREEN'].pk}/").status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"decision": "confirm", "reason": "  "}, "reason"),
    ({"decision": "confirm"}, "reason"),
    ({"decision": "reopen", "reason": "x"}, "decision"),
    ({"decision": "approve", "reason": "x"}, "decision"),
    ({"decision": "confirm", "reason": "x", "score": 1}, "score"),
])
def test_bad_decisions_are_400_naming_the_field(hits, kr, body, field):
    response = kr.post(f"{API}/matches/{hits['GREEN'].pk}/decision/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not MatchReview.objects.exists()


def test_a_page_of_hits_costs_the_same_queries_whatever_its_length(analyst_kr, make_report, make_subject, kr):
    """Each hit shows every list that designates its designee; those are read once for the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sanctions.models import ListEntry, ListSource
    from tests.sanctions.test_selectors import link

    report = make_report(author=analyst_kr)
    subject = make_subject(report=report, actor=analyst_kr)
    un, uk = ListSource.objects.get(slug="un-sc"), ListSource.objects.get(slug="uk-ofsi")

    def hit_on_a_designee_of_two_lists(number: int) -> None:
        listed = [ListEntry.objects.create(source=source, external_id=f"{source.slug}-{number}", kind="entity",
                                           reference_number=f"REF.{number}", primary_name=f"ENTITY {number}")
                  for source in (un, uk)]
        link(*listed)
        ScreeningMatch.objects.create(subject=subject, report=report, list_entry=listed[0], score=0.9,
                                      is_match=True, algorithm="test", algorithm_version="1")

    def queries() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as captured:
            response = kr.get(f"{API}/reports/{report.pk}/matches/")
        assert response.status_code == 200
        return len(captured), response.json()["results"]

    hit_on_a_designee_of_two_lists(0)
    queries()  # the token's first use records its last_used_at
    one, _ = queries()
    for number in range(1, 6):
        hit_on_a_designee_of_two_lists(number)
    six, results = queries()

    assert six == one
    assert len(results) == 6
    assert all([d["source"] for d in result["list_entry"]["designated_by"]] == ["un-sc", "uk-ofsi"]
               for result in results)
