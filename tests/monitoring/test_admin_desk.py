"""The analyst's desk (monitoring/admin_desk.py, monitoring/admin_site.py and the report, hit and
review-log admins): the dashboard, the report page's hits and one-step decisions, the review
queue, CSV exports, the list entry and vessel pages. The TLP rules hold in each: a report an
analyst may not see is never counted, listed, exported or decided on.

Data: `build_world` of tests/monitoring/test_admin.py (seven KR and JP reports of every marking,
each with a subject hit on KPe.066; the kr_green and kr_strict hits escalated)."""
from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from monitoring import services
from monitoring.admin_desk import explanation_lines
from monitoring.models import MatchReview, MemberState, ScreeningMatch, ViolationReport
from sanctions.matching import Query, compare
from sanctions.models import ListEntry, ListSource, ListVersion
from sanctions.selectors import entry_as_candidate
from sanctions.services import list_version_record_failure
from tests.monitoring.test_admin import (
    JP_HIDDEN,
    JP_VISIBLE,
    REPORT_SPECS,
    admin_url,
    build_world,
    change_url,
    result_pks,
)
from tests.sanctions import list_history

KR_PENDING = ("kr_amber_jp", "kr_amber", "kr_red", "kr_red_jp", "jp_green")  # kr_green, kr_strict escalated
JP_PENDING = ("kr_amber_jp", "kr_red_jp", "jp_green")


@pytest.fixture
def world(make_report, make_subject, analyst_kr, analyst_jp):
    return build_world(make_report=make_report, make_subject=make_subject, analyst_kr=analyst_kr,
                       analyst_jp=analyst_jp)


def pks(world, kind: str, keys) -> set:
    return {getattr(world, kind)[key].pk for key in keys}


def review_url(report, match) -> str:
    return reverse("admin:monitoring_violationreport_review_hit", args=[quote(report.pk), match.pk])


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --------------------------------------------------------------------------- dashboard

def test_dashboard_counts_only_what_the_jp_analyst_may_see(world, analyst_jp, client):
    # given
    client.force_login(analyst_jp)

    # when
    response = client.get(reverse("admin:index"))

    # then: pending and escalated hits, and reports, of visible reports only
    assert response.status_code == 200
    context = response.context
    assert context["pending_total"] == len(JP_PENDING)
    assert context["escalated_total"] == 1  # kr_green's; kr_strict's is hidden
    assert context["report_total"] == len(JP_VISIBLE)
    assert {hit.pk for hit in context["oldest_pending"]} == pks(world, "matches", JP_PENDING)
    content = response.content.decode()
    for key in JP_HIDDEN:
        assert REPORT_SPECS[key]["subject"] not in content


def test_dashboard_counts_everything_the_kr_analyst_may_see(world, analyst_kr, client):
    client.force_login(analyst_kr)

    context = client.get(reverse("admin:index")).context

    assert context["pending_total"] == len(KR_PENDING)
    assert context["escalated_total"] == 2
    assert context["report_total"] == len(REPORT_SPECS)  # all of KR's and JP's GREEN one
    [row] = context["report_categories"]
    assert (row["value"], row["total"]) == ("sts_petroleum", len(REPORT_SPECS))


def test_dashboard_groups_pending_hits_by_age_oldest_first(world, analyst_kr, client):
    # given: one hit waiting ten days, one forty
    now = timezone.now()
    ScreeningMatch.objects.filter(pk=world.matches["kr_amber"].pk).update(created_at=now - datetime.timedelta(days=10))
    ScreeningMatch.objects.filter(pk=world.matches["kr_red"].pk).update(created_at=now - datetime.timedelta(days=40))
    client.force_login(analyst_kr)

    # when
    context = client.get(reverse("admin:index")).context

    # then
    buckets = {bucket["label"]: bucket["count"] for bucket in context["pending_buckets"]}
    assert buckets == {"under a day": 3, "1 to 7 days": 0, "7 to 30 days": 1, "over 30 days": 1}
    assert sum(buckets.values()) == context["pending_total"] == len(KR_PENDING)
    assert [hit.pk for hit in context["oldest_pending"][:2]] == [world.matches["kr_red"].pk,
                                                                 world.matches["kr_amber"].pk]


def test_a_list_is_overdue_after_twice_its_own_sync_interval(world, analyst_kr, client, settings):
    # given: the UN version applied three hours ago, and the UN list synced every two hours
    ListVersion.objects.filter(pk=world.list_version.pk).update(
        fetched_at=timezone.now() - datetime.timedelta(hours=3))
    client.force_login(analyst_kr)
    un_row = lambda: next(row for row in client.get(reverse("admin:index")).context["freshness"]  # noqa: E731
                          if row["source"].slug == "un-sc")

    settings.LIST_SYNC_INTERVALS = {**settings.LIST_SYNC_INTERVALS, "un-sc": 120}
    assert not un_row()["stale"]
    settings.LIST_SYNC_INTERVALS = {**settings.LIST_SYNC_INTERVALS, "un-sc": 60}
    assert un_row()["stale"]


def test_dashboard_shows_the_un_lists_last_sync_last_change_and_last_failure(world, analyst_kr, client):
    # given: the seed version applied three hours ago, a rejected download since
    un = ListSource.objects.get(slug="un-sc")
    ListVersion.objects.filter(pk=world.list_version.pk).update(
        fetched_at=timezone.now() - datetime.timedelta(hours=3))
    failure = list_version_record_failure(source=un, status="rejected", error="The download is empty.")
    client.force_login(analyst_kr)

    # when
    response = client.get(reverse("admin:index"))

    # then: the UN list first; overdue (beat syncs hourly) and failing since, with the reason
    row = response.context["freshness"][0]
    assert row["source"] == un
    assert row["last_success"] == world.list_version and row["last_change"] == world.list_version
    assert row["last_failure"] == failure
    assert row["stale"] and row["failing"]
    content = response.content.decode()
    assert "The download is empty." in content and "overdue" in content
    assert row["change_summary"] == f"{world.list_version.added_count} added"
    # and the list's recent changes (the seed version added every entry)
    assert {change.change_type for change in response.context["recent_changes"]} == {"added"}


def test_dashboard_is_quiet_for_a_user_who_may_not_read_reports(world, make_user, client):
    client.force_login(make_user(groups=()))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "pending_total" not in response.context
    assert 'id="desk-dashboard"' not in response.content.decode()


# --------------------------------------------------------------------------- report page

def test_report_page_shows_each_subject_beside_its_hits_the_entrys_facts_and_the_review_log(
        world, analyst_kr, client):
    # given
    report = world.reports["kr_green"]
    client.force_login(analyst_kr)

    # when
    response = client.get(change_url(report))

    # then
    [row] = response.context["desk_subjects"]
    assert row.subject == world.subjects["kr_green"]
    [card] = row.hits
    assert card.match == world.matches["kr_green"]
    assert card.entry == world.yujong_entry
    assert "Korea Yujong Shipping Company Limited" in card.names
    assert [review.reason for review in card.reviews] == ["Needs a second look (kr_green)."]
    assert [value for value, _ in card.decisions] == ["reopen", "confirm", "dismiss"]  # it is escalated
    assert response.context["desk_can_review"]
    content = response.content.decode()
    assert f'id="hit-{card.match.pk}"' in content
    assert review_url(report, card.match) in content


def test_report_page_marks_a_hit_that_is_no_longer_a_match(world, analyst_kr, client):
    report, match = world.reports["kr_green"], world.matches["kr_green"]
    client.force_login(analyst_kr)
    assert "no longer a match" not in client.get(change_url(report)).content.decode()

    ScreeningMatch.objects.filter(pk=match.pk).update(is_match=False)  # as re-screening leaves a reviewed hit

    assert "no longer a match" in client.get(change_url(report)).content.decode()


def test_hit_explanation_in_words_from_the_engine(world):
    # given
    entry = ListEntry.objects.get(reference_number=list_history.ENTRY)  # RI MAN GON, born 1945, passport PO381214
    result = compare(Query(name="Ri Man-gon", kind="person", birth_date="1951", nationality="KP",
                           identifiers=("PO381214",)), entry_as_candidate(entry))

    # when
    lines = {line.label: line for line in explanation_lines(result.explanation())}

    # then
    assert lines["Name"].text.startswith("Reported “Ri Man-gon” matched the listed name “RI MAN GON”")
    assert lines["Name"].effect == "agrees"
    assert "PO381214" in lines["Identifier"].text and lines["Identifier"].effect == "agrees"
    assert lines["Date of birth"].text.startswith("Year of birth differs (reported 1951")
    assert lines["Date of birth"].effect == "differs"
    assert lines["Nationality"].effect == "agrees"
    assert list(lines) == ["Name", "Identifier", "Date of birth", "Nationality"]


def test_reviewer_dismisses_a_hit_on_the_report_page_in_one_step(world, analyst_kr, client):
    # given
    report, match = world.reports["kr_amber"], world.matches["kr_amber"]
    client.force_login(analyst_kr)

    # when
    response = client.post(review_url(report, match), {"decision": "dismiss", "reason": "Not the same hull."})

    # then: back on the report at the hit, decided, logged and audited
    assert response.status_code == 302
    assert response["Location"] == change_url(report) + f"#hit-{match.pk}"
    match.refresh_from_db()
    assert match.review_status == "dismissed"
    review = MatchReview.objects.get(match=match)
    assert (review.decision, review.reason, review.reviewer) == ("dismiss", "Not the same hull.", analyst_kr)
    assert AuditRecord.objects.filter(action="decide", object_id=str(match.pk), actor=analyst_kr).exists()
    page = client.get(change_url(report)).content.decode()
    assert "Not the same hull." in page
    assert f"score then {match.score:.2f}" in page  # what the decision was taken on, beside it


def test_decision_without_a_reason_changes_nothing(world, analyst_kr, client):
    report, match = world.reports["kr_amber"], world.matches["kr_amber"]
    client.force_login(analyst_kr)

    response = client.post(review_url(report, match), {"decision": "dismiss", "reason": "  "}, follow=True)

    match.refresh_from_db()
    assert match.review_status == "pending"
    assert not MatchReview.objects.filter(match=match).exists()
    assert "Give a reason for the decision." in response.content.decode()


def test_hits_of_reports_the_jp_analyst_may_not_see_cannot_be_decided(world, analyst_jp, client):
    client.force_login(analyst_jp)

    for key in JP_HIDDEN:
        response = client.post(review_url(world.reports[key], world.matches[key]),
                               {"decision": "dismiss", "reason": "Trying my luck."})
        assert response.status_code == 404, key

    assert not MatchReview.objects.filter(reason="Trying my luck.").exists()


def test_a_hit_is_decided_only_under_its_own_report(world, analyst_kr, client):
    client.force_login(analyst_kr)

    response = client.post(review_url(world.reports["kr_green"], world.matches["kr_amber"]),
                           {"decision": "dismiss", "reason": "Wrong address."})

    assert response.status_code == 404
    assert not MatchReview.objects.filter(reason="Wrong address.").exists()


def test_analyst_without_the_reviewer_group_gets_no_decision_form(world, make_user, client):
    analyst = make_user(country="KR", groups=("Analyst",))
    report, match = world.reports["kr_amber"], world.matches["kr_amber"]
    client.force_login(analyst)

    page = client.get(change_url(report))
    response = client.post(review_url(report, match), {"decision": "confirm", "reason": "Sure."})

    assert page.status_code == 200 and not page.context["desk_can_review"]
    assert review_url(report, match) not in page.content.decode()
    assert response.status_code == 403
    assert not MatchReview.objects.filter(match=match).exists()


# --------------------------------------------------------------------------- review queue

def queue_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"review_status__exact": "pending", **params}.items())
    return f"{admin_url(ScreeningMatch, 'changelist')}?{query}"


def test_review_queue_holds_the_pending_hits_the_jp_analyst_may_see(world, analyst_jp, client):
    client.force_login(analyst_jp)

    response = client.get(reverse("admin:review_queue"), follow=True)

    assert response.status_code == 200
    assert result_pks(response) == pks(world, "matches", JP_PENDING)
    assert response.context["title"].startswith("Review queue")


def test_review_queue_filters_by_tlp_reporting_state_regime_and_category(world, analyst_kr, client):
    client.force_login(analyst_kr)
    japan = MemberState.objects.get(country="JP")

    assert result_pks(client.get(queue_url(report__tlp__exact="AMBER"))) == pks(world, "matches",
                                                                                 ("kr_amber_jp", "kr_amber"))
    assert result_pks(client.get(queue_url(report__reporting_state__id__exact=japan.pk))) == pks(
        world, "matches", ("jp_green",))
    assert result_pks(client.get(queue_url(list_entry__regime__exact="DPRK"))) == pks(world, "matches", KR_PENDING)
    assert result_pks(client.get(queue_url(report__category__exact="cyber_theft"))) == set()


def test_review_queue_sorts_by_age_and_by_score(world, analyst_kr, client):
    # given: hits of different ages and scores
    now = timezone.now()
    for days, key in enumerate(KR_PENDING):
        ScreeningMatch.objects.filter(pk=world.matches[key].pk).update(
            created_at=now - datetime.timedelta(days=days), score=0.7 + days / 100)
    client.force_login(analyst_kr)
    admin_columns = ["action_checkbox", "score_bar", "subject_name", "entry", "report_link", "origin",
                     "review_status", "age"]

    # when: ordered by the age column, then by the score column, ascending
    by_age = client.get(queue_url(o=admin_columns.index("age")))
    by_score = client.get(queue_url(o=admin_columns.index("score_bar")))

    # then: oldest last when ascending by found-at time; lowest score first
    assert [m.pk for m in by_age.context["cl"].result_list] == [world.matches[k].pk for k in reversed(KR_PENDING)]
    assert [m.pk for m in by_score.context["cl"].result_list] == [world.matches[k].pk for k in KR_PENDING]


def bulk(client, action: str, matches, reason: str):
    return client.post(admin_url(ScreeningMatch, "changelist") + "?review_status__exact=pending",
                       {"action": action, "index": "0", "reason": reason,
                        "_selected_action": [str(m.pk) for m in matches]}, follow=True)


def test_bulk_dismiss_without_a_reason_decides_nothing(world, analyst_kr, client):
    client.force_login(analyst_kr)

    response = bulk(client, "dismiss_hits", [world.matches[k] for k in KR_PENDING], reason="")

    assert "give a reason" in response.content.decode()
    assert not MatchReview.objects.filter(decision="dismiss").exists()
    assert ScreeningMatch.objects.filter(review_status="pending").count() == len(KR_PENDING)


def test_bulk_dismiss_with_a_reason_decides_the_waiting_hits_and_leaves_decided_ones(world, analyst_kr, client):
    client.force_login(analyst_kr)
    selected = [world.matches[k] for k in ("kr_amber", "kr_red", "kr_green")]  # kr_green is escalated

    response = bulk(client, "dismiss_hits", selected, reason="Same vessel name, different hull.")

    assert response.status_code == 200
    statuses = dict(ScreeningMatch.objects.filter(pk__in=[m.pk for m in selected]).values_list("pk", "review_status"))
    assert statuses == {world.matches["kr_amber"].pk: "dismissed", world.matches["kr_red"].pk: "dismissed",
                        world.matches["kr_green"].pk: "escalated"}
    reviews = MatchReview.objects.filter(reason="Same vessel name, different hull.")
    assert {r.match_id for r in reviews} == {world.matches["kr_amber"].pk, world.matches["kr_red"].pk}
    assert AuditRecord.objects.filter(action="decide", context__channel="admin").count() == 2


def test_bulk_dismiss_reports_a_hit_replaced_by_a_rescreening_meanwhile(world, analyst_kr, client, monkeypatch):
    client.force_login(analyst_kr)
    amber, red = world.matches["kr_amber"], world.matches["kr_red"]
    real = services.match_review

    def rescreened_first(*, match, **kwargs):  # a re-screening deletes the amber hit as the action runs
        ScreeningMatch.objects.filter(pk=amber.pk).delete()
        return real(match=match, **kwargs)

    monkeypatch.setattr(services, "match_review", rescreened_first)
    response = bulk(client, "dismiss_hits", [amber, red], reason="Different hull.")

    assert response.status_code == 200
    assert "1 hit(s) dismissed" in response.content.decode()
    assert "1 no longer existed (replaced by a re-screening)" in response.content.decode()
    assert list(MatchReview.objects.filter(reason="Different hull.").values_list("match_id", flat=True)) == [red.pk]


def test_bulk_dismiss_never_reaches_hits_of_hidden_reports(world, analyst_jp, client):
    client.force_login(analyst_jp)

    bulk(client, "dismiss_hits", list(world.matches.values()), reason="Clearing my queue.")

    dismissed = set(MatchReview.objects.filter(reason="Clearing my queue.").values_list("match_id", flat=True))
    assert dismissed == pks(world, "matches", JP_PENDING)


# --------------------------------------------------------------------------- CSV exports

def test_report_export_holds_exactly_the_reports_the_jp_analyst_may_see(world, analyst_jp, client):
    client.force_login(analyst_jp)

    rows = csv_rows(client.get(admin_url(ViolationReport, "export_csv")))

    assert {row["id"] for row in rows} == {str(pk) for pk in pks(world, "reports", JP_VISIBLE)}


def test_export_follows_the_changelists_filters_and_search(world, analyst_jp, client):
    client.force_login(analyst_jp)

    green = csv_rows(client.get(admin_url(ViolationReport, "export_csv"), {"tlp__exact": "GREEN"}))
    searched = csv_rows(client.get(admin_url(ViolationReport, "export_csv"), {"q": "Japanese analyst"}))

    assert {row["id"] for row in green} == {str(pk) for pk in pks(world, "reports", ("kr_green", "jp_green"))}
    assert {row["id"] for row in searched} == {str(world.reports["kr_red_jp"].pk)}


def test_hit_subject_and_review_log_exports_hold_only_rows_of_visible_reports(world, analyst_jp, client):
    client.force_login(analyst_jp)
    visible = {str(pk) for pk in pks(world, "reports", JP_VISIBLE)}

    hits = csv_rows(client.get(admin_url(ScreeningMatch, "export_csv")))
    subjects = csv_rows(client.get(reverse("admin:monitoring_reportsubject_export_csv")))
    reviews = csv_rows(client.get(reverse("admin:monitoring_matchreview_export_csv")))

    assert {row["report id"] for row in hits} == visible
    assert {row["report id"] for row in subjects} == visible
    assert [row["report id"] for row in reviews] == [str(world.reports["kr_green"].pk)]  # kr_strict's is hidden


def test_export_selected_rows_through_the_action(world, analyst_kr, client):
    client.force_login(analyst_kr)
    chosen = [world.reports["kr_green"], world.reports["kr_red"]]

    response = client.post(admin_url(ViolationReport, "changelist"),
                           {"action": "export_csv", "index": "0", "_selected_action": [str(r.pk) for r in chosen]})

    assert {row["id"] for row in csv_rows(response)} == {str(r.pk) for r in chosen}


def test_team_administrators_export_is_audited_as_a_read_of_each_report(world, team_admin, client):
    client.force_login(team_admin)

    rows = csv_rows(client.get(admin_url(ViolationReport, "export_csv")))

    assert len(rows) == len(REPORT_SPECS)
    reads = AuditRecord.objects.filter(action="read", actor=team_admin, object_type="monitoring.violationreport")
    assert set(reads.values_list("object_id", flat=True)) == {row["id"] for row in rows}


def test_export_with_an_unknown_filter_is_a_bad_request(world, analyst_kr, client):
    client.force_login(analyst_kr)

    response = client.get(admin_url(ViolationReport, "export_csv"), {"no_such_field__exact": "1"})

    assert response.status_code == 400


def test_export_needs_the_right_to_see_the_changelist(world, make_user, client):
    client.force_login(make_user(groups=()))

    assert client.get(admin_url(ViolationReport, "export_csv")).status_code == 403


# --------------------------------------------------------------------------- list entry page

def test_entry_page_shows_names_in_every_script_and_its_history_field_by_field(world, analyst_kr, client):
    # given: the entry amended, removed and listed again after the seed version
    list_history.amend_remove_relist()
    entry = ListEntry.objects.get(reference_number=list_history.ENTRY)
    client.force_login(analyst_kr)

    # when
    response = client.get(change_url(entry))

    # then
    assert response.status_code == 200
    scripts = dict(response.context["desk_names"])
    assert [n.name for n in scripts["hangul"]] == ["리만건"]
    assert list(scripts)[0] == "latin"
    timeline = response.context["desk_timeline"]
    assert [item["change"].change_type for item in timeline] == ["added", "amended", "removed", "relisted"]
    amended = {f.field: f for f in timeline[1]["fields"]}
    assert amended["names"].added == [f"{list_history.NEW_ALIAS} (alias, good)"]
    assert amended["designations"].added == [list_history.NEW_DESIGNATION]
    assert amended["designations"].removed  # the former designation, struck through
    assert amended["birth_dates"].added == ["1945-10-29"]
    content = response.content.decode()
    assert f"<ins>{list_history.NEW_ALIAS} (alias, good)</ins>" in content
    assert "Listed again, as the same entry." in content


def test_entry_page_lists_hits_only_of_reports_the_jp_analyst_may_see(world, analyst_jp, client):
    client.force_login(analyst_jp)

    response = client.get(change_url(world.yujong_entry))

    assert {hit.report_id for hit in response.context["desk_hits"]} == pks(world, "reports", JP_VISIBLE)
    content = response.content.decode()
    for key in JP_HIDDEN:
        assert REPORT_SPECS[key]["title"] not in content


# --------------------------------------------------------------------------- vessel page

def test_vessel_page_lists_the_reports_it_appears_in_under_the_tlp_rules(world, analyst_kr, analyst_jp,
                                                                         make_subject, client):
    # given: YU JONG 2 also named (by IMO) in the Korean-eyes-only report, and resolved by hand in JP's
    make_subject(report=world.reports["kr_strict"], actor=analyst_kr, name="YU JONG 2", imo="IMO 8604917")
    make_subject(report=world.reports["jp_green"], actor=analyst_jp, name="YUJONG NO.2", vessel=world.vessel)

    # when
    client.force_login(analyst_jp)
    jp_page = client.get(change_url(world.vessel))
    client.force_login(analyst_kr)
    kr_page = client.get(change_url(world.vessel))

    # then
    assert {s.report_id for s in jp_page.context["desk_subjects"]} == pks(world, "reports", ("kr_green", "jp_green"))
    assert REPORT_SPECS["kr_strict"]["title"] not in jp_page.content.decode()
    assert {s.report_id for s in kr_page.context["desk_subjects"]} == pks(world, "reports",
                                                                          ("kr_green", "kr_strict", "jp_green"))


def test_vessel_page_shows_its_identity_timeline_with_warnings(world, analyst_kr, client):
    client.force_login(analyst_kr)

    response = client.get(change_url(world.vessel))

    [row] = response.context["desk_timeline"]
    assert row.period == world.identity  # KOTI, Panama (fraudulent), MMSI 445123000 (a North Korean MID)
    assert any("MMSI MID 445" in w and "but the flag is PA" in w for w in row.warnings)
    assert any("fraudulently" in w for w in row.warnings)
    assert [entry.pk for entry in response.context["desk_designations"]] == [world.yujong_entry.pk]
    assert "but the flag is PA" in response.content.decode()
