"""The analyst's Django admin, seen through the browser: every registered admin answers as the
user's permissions say, and the TLP rules of DESIGN.md ("Rules of the house") hold in the report
changelist, its searches, the changelists of rows hanging off a report and the change pages.

Models registered by the `sanctions` app are exercised in tests/sanctions/test_admin.py; every other
registered model (monitoring, audit, auth, and any app registered later) is exercised here.
`build_world` is shared with that file so both run against the same data."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db.models import Model
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditRecord
from audit.services import audited_save
from monitoring import services
from monitoring.demo import DEFAULT_LIST_PATH, SOURCE_SAMPLES, DemoSummary, demo_list_load
from monitoring.models import (
    AnalystProfile,
    Evidence,
    MatchReview,
    MemberState,
    PartnerOrganisation,
    ReportSubject,
    ResolutionCitation,
    ScreeningMatch,
    SourceCitation,
    ViolationReport,
)
from sanctions.models import ListEntry, ListSource, ListVersion, Vessel, VesselIdentityPeriod, VesselParty
from sanctions.services import list_sync

# --------------------------------------------------------------------------- shared data

# key -> how the report is made: author ("kr" or "jp"), TLP, releasable-to states, recipients, subject.
# Every title carries "Nampo" so one search term hits them all; subject names are unique.
REPORT_SPECS = {
    "kr_green": dict(author="kr", tlp="GREEN", subject="YU JONG 2", imo="8604917",
                     title="Nampo ship-to-ship transfer of refined petroleum"),
    "kr_amber_jp": dict(author="kr", tlp="AMBER", releasable_to=("JP",), subject="CHON MA SAN",
                        title="Nampo coal export, released to Japan"),
    "kr_amber": dict(author="kr", tlp="AMBER", releasable_to=("US",), subject="KUM UN SAN 3",
                     title="Nampo port call, released to the United States"),
    "kr_strict": dict(author="kr", tlp="AMBER+STRICT", subject="SAEBYOL",
                      title="Nampo tanker loading, Korean eyes only"),
    "kr_red": dict(author="kr", tlp="RED", subject="NAM SAN 8", title="Nampo human source account"),
    "kr_red_jp": dict(author="kr", tlp="RED", recipients=("jp",), subject="AN SAN 1",
                      title="Nampo liaison note for the Japanese analyst"),
    "jp_green": dict(author="jp", tlp="GREEN", subject="RYE SONG GANG 1",
                     title="Nampo crude delivery seen from Japan"),
}
# What an analyst of JP may see (DESIGN.md: GREEN to all member states, AMBER where released,
# AMBER+STRICT to the originating state only, RED to named recipients and the author only).
JP_VISIBLE = ("kr_green", "kr_amber_jp", "kr_red_jp", "jp_green")
JP_HIDDEN = ("kr_strict", "kr_red", "kr_amber")


@dataclass
class World:
    reports: dict[str, ViolationReport]
    subjects: dict[str, ReportSubject]
    evidence: dict[str, Evidence]
    matches: dict[str, ScreeningMatch]
    reviews: dict[str, MatchReview]
    list_version: ListVersion
    yujong_entry: ListEntry
    vessel: Vessel
    other_vessel: Vessel
    identity: VesselIdentityPeriod
    summary: DemoSummary = field(default_factory=DemoSummary)


def build_world(*, make_report, make_subject, analyst_kr, analyst_jp) -> World:
    """The seed UN list, seven reports (KR and JP, every TLP) each with a subject, evidence with a
    URL, a resolution and a source citation and a screening hit, two reviewed hits, two vessels
    (one with an identity period and a party), a partner organisation."""
    summary = DemoSummary()
    demo_list_load(path=DEFAULT_LIST_PATH, summary=summary)
    # The UK sample cites the UN sample's references: designee links, programmes and relations.
    list_sync(source=ListSource.objects.get(slug="uk-ofsi"), location=str(SOURCE_SAMPLES["uk-ofsi"]))
    assert summary.list_status == "applied"
    version = ListVersion.objects.get(status="applied", source__slug="un-sc")
    yujong = ListEntry.objects.get(reference_number="KPe.066")
    authors = {"kr": analyst_kr, "jp": analyst_jp}

    reports, subjects, evidence, matches, reviews = {}, {}, {}, {}, {}
    for key, spec in REPORT_SPECS.items():
        author = authors[spec["author"]]
        report = make_report(author=author, tlp=spec["tlp"], title=spec["title"],
                             releasable_to=spec.get("releasable_to", ()),
                             recipients=[authors[r] for r in spec.get("recipients", ())],
                             location_text="Off Nampo, West Sea")
        reports[key] = report
        subjects[key] = make_subject(report=report, actor=author, name=spec["subject"], imo=spec.get("imo", ""))
        evidence[key] = services.evidence_save(
            evidence=Evidence(report=report, kind="satellite_image", source=f"Imagery provider for {key}",
                              url=f"https://imagery.example.org/{key}.png", credit="Source: test imagery",
                              created_by=author),
            actor=author, channel="test",
        )
        audited_save(ResolutionCitation(report=report, resolution=2397, paragraph="5"), actor=author, channel="test")
        audited_save(SourceCitation(report=report, title=f"Open-source account of {key}", publisher="Test Press",
                                    url=f"https://news.example.org/{key}"), actor=author, channel="test")
        matches[key] = ScreeningMatch.objects.create(
            subject=subjects[key], report=report, list_entry=yujong, list_version=version, score=0.91,
            is_match=True, explanation={"name": {"score": 0.91, "matched": "KOREA YUJONG SHIPPING CO LTD"}},
            algorithm="test-matcher", algorithm_version="1",
        )
    for key in ("kr_green", "kr_strict"):
        reviews[key] = services.match_review(match=matches[key], reviewer=analyst_kr, decision="escalate",
                                             reason=f"Needs a second look ({key}).", channel="test")

    vessel = Vessel.objects.create(imo_number="8604917", name="YU JONG 2", flag="KP", vessel_type="Oil tanker",
                                   created_by=analyst_kr)
    vessel.list_entries.add(yujong)
    identity = VesselIdentityPeriod.objects.create(vessel=vessel, name="KOTI", flag="PA", flag_status="fraudulent",
                                                   mmsi="445123000", basis="ais", source_note="AIS history")
    VesselParty.objects.create(vessel=vessel, role="registered_owner", list_entry=yujong)
    other_vessel = Vessel.objects.create(imo_number="9020003", name="NEW REGENT", flag="SL",
                                         vessel_type="Bulk carrier")
    VesselIdentityPeriod.objects.create(vessel=other_vessel, name="SUN VOYAGER", flag="TG", basis="registry")
    partner = PartnerOrganisation.objects.create(name="Sanctions research group", kind="research_group",
                                                 is_community_member=True)
    # Partner-system records: a token, a webhook subscription with one delivery, a screening call.
    from monitoring.models import ScreeningCall, WebhookDelivery, WebhookSubscription
    from monitoring.tokens import token_issue

    token, _ = token_issue(name="Research feed", scopes=["lists:read", "screen"], actor=None, partner=partner)
    subscription = WebhookSubscription.objects.create(token=token, url="https://hooks.example.org/msmt",
                                                      secret="s3cret", events=["list.changed"])
    WebhookDelivery.objects.create(subscription=subscription, event="list.changed", payload={"source": "un-sc"})
    ScreeningCall.objects.create(token=token, caller_label="token", queries=[{"id": 1, "name": "YU JONG"}],
                                 list_versions={"un-sc": version.pk}, algorithm="test", algorithm_version="1",
                                 threshold=0.7, results=[])
    return World(reports=reports, subjects=subjects, evidence=evidence, matches=matches, reviews=reviews,
                 list_version=version, yujong_entry=yujong, vessel=vessel, other_vessel=other_vessel,
                 identity=identity, summary=summary)


@pytest.fixture
def world(make_report, make_subject, analyst_kr, analyst_jp) -> World:
    return build_world(make_report=make_report, make_subject=make_subject, analyst_kr=analyst_kr,
                       analyst_jp=analyst_jp)


# --------------------------------------------------------------------------- helpers

def admin_url(model: type[Model], view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def change_url(obj: Model) -> str:
    return admin_url(type(obj), "change", quote(obj.pk))


def result_pks(response) -> set:
    """Primary keys of the rows the changelist shows (the page's result list)."""
    return {obj.pk for obj in response.context["cl"].result_list}


def has_model_perm(user, model: type[Model], action: str) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


def admin_queryset(model: type[Model], user):
    """What the model's admin lets `user` see (used only to pick an object to open)."""
    request = RequestFactory().get("/")
    request.user = user
    return admin.site._registry[model].get_queryset(request)


def management_form_data(response) -> dict[str, str]:
    """The management-form fields of every inline on a rendered add/change page, by their real prefixes."""
    data = {}
    for inline_admin_formset in response.context["inline_admin_formsets"]:
        for bound_field in inline_admin_formset.formset.management_form:
            data[bound_field.html_name] = str(bound_field.value())
    return data


def inline_prefix(response, model: type[Model]) -> str:
    for inline_admin_formset in response.context["inline_admin_formsets"]:
        if inline_admin_formset.formset.model is model:
            return inline_admin_formset.formset.prefix
    raise AssertionError(f"No inline for {model.__name__} on the page")


def assert_every_admin_page_answers_as_permissions_say(model, client, user, *, system_only: set[str],
                                                        search_terms=("Nampo", "2397"), check_add=True):
    """Changelist, searches, the change page of one existing object and the add page, as `user`:
    200 where the user's permissions allow it, 403 where they do not. `system_only` holds the
    labels of models whose rows only the system writes (never addable in the admin)."""
    opts = model._meta
    can_view = has_model_perm(user, model, "view") or has_model_perm(user, model, "change")
    can_add = has_model_perm(user, model, "add") and opts.label_lower not in system_only
    expected = 200 if can_view else 403
    client.force_login(user)

    # when / then: the changelist
    assert client.get(admin_url(model, "changelist")).status_code == expected

    # when / then: searches (a text term, and a number for the exact-match numeric search fields)
    for term in search_terms:
        assert client.get(admin_url(model, "changelist"), {"q": term}).status_code == expected

    # when / then: the change page of an existing object the user may see
    if can_view:
        obj = admin_queryset(model, user).first()
        assert obj is not None, f"no {opts.label} row visible to {user}: the world should hold one"
        response = client.get(change_url(obj))
        assert response.status_code == 200
        assert response.context["original"].pk == obj.pk
    else:
        obj = model._default_manager.first()
        assert obj is not None, f"no {opts.label} row at all: the world should hold one"
        assert client.get(change_url(obj)).status_code == 403

    # when / then: the add page
    if check_add:
        assert client.get(admin_url(model, "add")).status_code == (200 if can_add else 403)


# --------------------------------------------------------------------------- 1. every registered admin

SYSTEM_ONLY = {"monitoring.screeningmatch", "monitoring.matchreview", "audit.auditrecord"}
NON_SANCTIONS_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label != "sanctions"),
    key=lambda model: model._meta.label,
)


def test_the_registry_holds_the_report_models():
    # A guard for the parametrisation below: it is built from the registry, so an empty or
    # partial registry would silently test less.
    labels = {model._meta.label for model in NON_SANCTIONS_MODELS}
    assert {"monitoring.ViolationReport", "monitoring.ReportSubject", "monitoring.Evidence",
            "monitoring.ScreeningMatch", "monitoring.MatchReview", "audit.AuditRecord"} <= labels


def registry_params(models):
    for model in models:
        yield pytest.param(model, id=model._meta.label)


@pytest.mark.parametrize("model", list(registry_params(NON_SANCTIONS_MODELS)))
def test_admin_pages_answer_as_the_kr_analysts_permissions_say(model, client, world, analyst_kr):
    assert_every_admin_page_answers_as_permissions_say(model, client, analyst_kr, system_only=SYSTEM_ONLY)


def test_admin_pages_answer_as_the_team_administrators_permissions_say(client, world, team_admin):
    # One test over the registered models of every app but `sanctions` (covered in
    # tests/sanctions/test_admin.py): the administrator's changelists, searches and change pages
    # follow the Team administrator group's permissions.
    for model in NON_SANCTIONS_MODELS:
        assert_every_admin_page_answers_as_permissions_say(model, client, team_admin, system_only=SYSTEM_ONLY,
                                                            check_add=False)


def test_kr_analyst_permissions_are_as_the_groups_define(world, analyst_kr, client):
    # given: the Analyst + Reviewer groups of migration 0002
    client.force_login(analyst_kr)

    # then: report rows can be added, hits only reviewed, audit and accounts stay out of reach
    assert client.get(admin_url(ReportSubject, "add")).status_code == 200
    assert client.get(admin_url(Evidence, "add")).status_code == 200
    assert client.get(admin_url(ScreeningMatch, "add")).status_code == 403
    assert client.get(admin_url(MatchReview, "add")).status_code == 403
    assert client.get(admin_url(AuditRecord, "changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(admin_url(MemberState, "add")).status_code == 403


def test_report_search_finds_the_report_by_title_and_by_subject_name(world, analyst_kr, client):
    # given
    client.force_login(analyst_kr)
    url = admin_url(ViolationReport, "changelist")

    # when: a word of one title
    by_title = client.get(url, {"q": "Korean eyes only"})
    # when: a subject's name (search reaches into the report's subjects)
    by_subject = client.get(url, {"q": "YU JONG"})

    # then
    assert by_title.status_code == 200
    assert result_pks(by_title) == {world.reports["kr_strict"].pk}
    assert by_subject.status_code == 200
    assert result_pks(by_subject) == {world.reports["kr_green"].pk}


def test_report_subject_search_finds_the_subject_and_not_an_unrelated_one(world, analyst_kr, client):
    # given
    client.force_login(analyst_kr)
    url = admin_url(ReportSubject, "changelist")

    # when
    by_name = client.get(url, {"q": "CHON MA"})
    by_imo = client.get(url, {"q": "8604917"})

    # then
    assert by_name.status_code == 200
    found = result_pks(by_name)
    assert world.subjects["kr_amber_jp"].pk in found
    assert world.subjects["kr_green"].pk not in found
    assert result_pks(by_imo) == {world.subjects["kr_green"].pk}


def test_resolution_citation_exact_number_search(world, analyst_kr, client):
    # given: every report cites UNSCR 2397; "=resolution" is an exact match on a number
    client.force_login(analyst_kr)
    url = admin_url(ResolutionCitation, "changelist")

    # when
    hit = client.get(url, {"q": "2397"})
    miss = client.get(url, {"q": "2375"})

    # then: the KR analyst sees all seven reports, so all seven citations; no report cites 2375
    assert result_pks(hit) == set(ResolutionCitation.objects.values_list("pk", flat=True))
    assert len(result_pks(hit)) == len(REPORT_SPECS)
    assert result_pks(miss) == set()


# --------------------------------------------------------------------------- 2. TLP in lists, searches, pages

def test_jp_analyst_report_changelist_shows_exactly_what_tlp_allows(world, analyst_jp, client):
    # given
    client.force_login(analyst_jp)

    # when
    response = client.get(admin_url(ViolationReport, "changelist"))

    # then
    assert response.status_code == 200
    assert result_pks(response) == {world.reports[key].pk for key in JP_VISIBLE}
    content = response.content.decode()
    for key in JP_HIDDEN:
        assert REPORT_SPECS[key]["title"] not in content


def test_kr_analyst_report_changelist_shows_all_kr_reports_and_jp_green(world, analyst_kr, client):
    # The counterpart of the JP test: the hidden reports exist and are visible to their author.
    client.force_login(analyst_kr)

    response = client.get(admin_url(ViolationReport, "changelist"))

    assert result_pks(response) == {report.pk for report in world.reports.values()}


def test_jp_analyst_report_search_does_not_reach_hidden_reports(world, analyst_jp, analyst_kr, client):
    url = admin_url(ViolationReport, "changelist")

    # when: JP searches a word every title carries, and the names of hidden reports' subjects
    client.force_login(analyst_jp)
    all_titles = client.get(url, {"q": "Nampo"})
    strict_subject = client.get(url, {"q": "SAEBYOL"})
    red_subject = client.get(url, {"q": '"NAM SAN 8"'})
    red_title = client.get(url, {"q": "human source"})

    # then
    assert result_pks(all_titles) == {world.reports[key].pk for key in JP_VISIBLE}
    assert result_pks(strict_subject) == set()
    assert result_pks(red_subject) == set()
    assert result_pks(red_title) == set()
    # and the same searches do find them for the KR author (so the searches themselves work)
    client.force_login(analyst_kr)
    assert result_pks(client.get(url, {"q": "SAEBYOL"})) == {world.reports["kr_strict"].pk}
    assert result_pks(client.get(url, {"q": "human source"})) == {world.reports["kr_red"].pk}


def _report_id_of(obj) -> object:
    return obj.match.report_id if isinstance(obj, MatchReview) else obj.report_id


@pytest.mark.parametrize(
    "model", [ReportSubject, Evidence, ScreeningMatch, ResolutionCitation, SourceCitation, MatchReview],
    ids=lambda model: model.__name__,
)
def test_jp_analyst_child_changelists_hold_only_rows_of_visible_reports(model, world, analyst_jp, client):
    # given
    visible_ids = {world.reports[key].pk for key in JP_VISIBLE}
    hidden_ids = {world.reports[key].pk for key in JP_HIDDEN}
    all_rows = list(model.objects.all())
    expected = {row.pk for row in all_rows if _report_id_of(row) in visible_ids}
    assert any(_report_id_of(row) in hidden_ids for row in all_rows), "the world should hold hidden rows"
    client.force_login(analyst_jp)

    # when
    listing = client.get(admin_url(model, "changelist"))
    searched = client.get(admin_url(model, "changelist"), {"q": "Nampo"})

    # then
    assert listing.status_code == 200
    assert result_pks(listing) == expected
    assert {_report_id_of(row) for row in listing.context["cl"].result_list}.isdisjoint(hidden_ids)
    assert searched.status_code == 200
    assert result_pks(searched) <= expected


def test_jp_analyst_child_search_does_not_reach_rows_of_hidden_reports(world, analyst_jp, analyst_kr, client):
    # given: terms that hit exactly one hidden report's row (as the KR author's search shows)
    searches = [(ReportSubject, "SAEBYOL", "kr_strict"), (ScreeningMatch, '"NAM SAN 8"', "kr_red"),
                (Evidence, "kr_red.png", "kr_red"), (SourceCitation, "kr_strict", "kr_strict"),
                (MatchReview, "SAEBYOL", "kr_strict")]
    client.force_login(analyst_kr)
    for model, term, key in searches:
        rows = client.get(admin_url(model, "changelist"), {"q": term}).context["cl"].result_list
        assert {_report_id_of(row) for row in rows} == {world.reports[key].pk}, (model.__name__, term)

    # when / then: the JP analyst's same searches come back empty
    client.force_login(analyst_jp)
    for model, term, _key in searches:
        response = client.get(admin_url(model, "changelist"), {"q": term})
        assert response.status_code == 200
        assert result_pks(response) == set(), (model.__name__, term)


def test_jp_analyst_cannot_open_hidden_reports_or_their_rows(world, analyst_jp, client):
    client.force_login(analyst_jp)
    for key in JP_HIDDEN:
        title = REPORT_SPECS[key]["title"]
        for obj in (world.reports[key], world.subjects[key], world.evidence[key], world.matches[key]):
            # when
            response = client.get(change_url(obj))

            # then: Django admin answers "no such object" (redirect to the index) or 404, and tells nothing
            assert response.status_code in (302, 404), (key, type(obj).__name__)
            if response.status_code == 302:
                assert response["Location"] == reverse("admin:index")
            body = response.content.decode()
            assert title not in body
            assert REPORT_SPECS[key]["subject"] not in body


def test_jp_analyst_redirect_for_hidden_report_shows_no_title(world, analyst_jp, client):
    client.force_login(analyst_jp)

    response = client.get(change_url(world.reports["kr_strict"]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert REPORT_SPECS["kr_strict"]["title"] not in response.content.decode()


def test_jp_analyst_opens_reports_tlp_allows(world, analyst_jp, client):
    # GREEN from KR, AMBER released to JP, RED naming the JP analyst, and JP's own report
    client.force_login(analyst_jp)
    for key in JP_VISIBLE:
        response = client.get(change_url(world.reports[key]))

        assert response.status_code == 200, key
        assert REPORT_SPECS[key]["title"] in response.content.decode()
    # and the rows of the reports JP sees only by release or by name open too
    for key in ("kr_amber_jp", "kr_red_jp"):
        for obj in (world.subjects[key], world.evidence[key], world.matches[key]):
            assert client.get(change_url(obj)).status_code == 200, (key, type(obj).__name__)


def test_red_report_is_hidden_from_other_analysts_of_the_originating_state(world, make_user, client):
    # given: a second KR analyst, neither author nor recipient
    colleague = make_user(country="KR", groups=("Analyst", "Reviewer"))
    client.force_login(colleague)

    # when
    response = client.get(admin_url(ViolationReport, "changelist"))

    # then: AMBER+STRICT is shared within the state, RED is not
    shown = result_pks(response)
    assert world.reports["kr_strict"].pk in shown
    assert world.reports["kr_red"].pk not in shown
    assert world.reports["kr_red_jp"].pk not in shown
    assert client.get(change_url(world.reports["kr_red"])).status_code in (302, 404)


def test_jp_reviewer_cannot_decide_on_a_hit_of_a_hidden_report(world, analyst_jp, client):
    # given
    match = world.matches["kr_strict"]
    before = match.reviews.count()
    client.force_login(analyst_jp)

    # when
    response = client.post(change_url(match), {"decision": "dismiss", "reason": "Not ours to judge",
                                                "reviews-TOTAL_FORMS": "1", "reviews-INITIAL_FORMS": "1"})

    # then
    assert response.status_code in (302, 404)
    match.refresh_from_db()
    assert match.review_status == "escalated"
    assert match.reviews.count() == before


# --------------------------------------------------------------------------- 3. visible is not editable

def test_kr_analyst_sees_jp_green_report_read_only(world, analyst_kr, client):
    # given
    report = world.reports["jp_green"]
    client.force_login(analyst_kr)

    # when
    response = client.get(change_url(report))

    # then
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    content = response.content.decode()
    assert report.title in content
    assert 'name="_save"' not in content
    assert 'name="_continue"' not in content


def test_kr_analyst_post_to_jp_green_report_changes_nothing(world, analyst_kr, client):
    # given
    report = world.reports["jp_green"]
    audit_before = AuditRecord.objects.filter(object_id=str(report.pk)).count()
    client.force_login(analyst_kr)

    # when
    response = client.post(change_url(report), {
        "title": "Rewritten by another state", "category": report.category,
        "reporting_state": str(report.reporting_state_id), "tlp": report.tlp, "occurred_precision": "day",
    })

    # then
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.title == REPORT_SPECS["jp_green"]["title"]
    assert AuditRecord.objects.filter(object_id=str(report.pk)).count() == audit_before


def test_kr_analyst_can_edit_own_state_report(world, analyst_kr, client):
    # The counterpart: the same page for a KR report offers saving.
    client.force_login(analyst_kr)

    response = client.get(change_url(world.reports["kr_green"]))

    assert response.context["has_change_permission"] is True
    assert 'name="_save"' in response.content.decode()


# --------------------------------------------------------------------------- 4. team administrators

def test_team_admin_sees_every_report(world, team_admin, client):
    client.force_login(team_admin)

    response = client.get(admin_url(ViolationReport, "changelist"))

    assert response.status_code == 200
    assert result_pks(response) == set(ViolationReport.objects.values_list("pk", flat=True))
    assert len(result_pks(response)) == len(REPORT_SPECS)


def test_team_admin_reading_a_report_is_audited(world, team_admin, client):
    # given: a RED report the administrator is not a recipient of
    report = world.reports["kr_red"]
    reads = AuditRecord.objects.filter(action="read", object_type="monitoring.violationreport",
                                       object_id=str(report.pk))
    assert not reads.exists()
    client.force_login(team_admin)

    # when
    response = client.get(change_url(report))

    # then
    assert response.status_code == 200
    assert report.title in response.content.decode()
    assert reads.count() == 1
    record = reads.get()
    assert record.actor == team_admin
    assert record.actor_label == team_admin.get_username()
    assert record.context.get("channel") == "admin"


def test_analyst_reads_are_not_audited_as_privileged(world, analyst_jp, client):
    report = world.reports["kr_green"]
    client.force_login(analyst_jp)

    assert client.get(change_url(report)).status_code == 200

    assert not AuditRecord.objects.filter(action="read", object_id=str(report.pk)).exists()


# --------------------------------------------------------------------------- 5. filing a report

NEW_TITLE = "Coal loaded at Nampo onto an unflagged bulk carrier"


def _report_add_data(response, *, reporting_state: MemberState, title: str = NEW_TITLE) -> dict[str, str]:
    data = management_form_data(response)
    subjects = inline_prefix(response, ReportSubject)
    data.update({
        "title": title, "category": "banned_exports", "reporting_state": str(reporting_state.pk),
        "state_reference": "KR-2025-117", "tlp": "AMBER", "occurred_from_0": "2025-03-02",
        "occurred_from_1": "06:00:00", "occurred_to_0": "", "occurred_to_1": "", "occurred_precision": "day",
        "location_text": "Nampo anchorage", "latitude": "38.73", "longitude": "125.38",
        "narrative": "Coal was seen being loaded.", "assessment": "", "confidence": "medium",
        f"{subjects}-TOTAL_FORMS": "1",
        f"{subjects}-0-role": "carrier_vessel", f"{subjects}-0-kind": "vessel",
        f"{subjects}-0-name": "NEW CONCORD", f"{subjects}-0-name_original_script": "",
        f"{subjects}-0-imo": "IMO 9036387", f"{subjects}-0-mmsi": "", f"{subjects}-0-call_sign": "",
        f"{subjects}-0-flag": "", f"{subjects}-0-date_of_birth": "", f"{subjects}-0-nationality": "",
        f"{subjects}-0-documents": "[]", f"{subjects}-0-notes": "",
    })
    return data


def test_kr_analyst_files_a_report_through_the_admin(world, analyst_kr, client):
    # given
    client.force_login(analyst_kr)
    add_page = client.get(admin_url(ViolationReport, "add"))
    assert add_page.status_code == 200
    kr = MemberState.objects.get(country="KR")

    # when
    response = client.post(admin_url(ViolationReport, "add"), _report_add_data(add_page, reporting_state=kr))

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    report = ViolationReport.objects.get(title=NEW_TITLE)
    assert report.reporting_state == kr
    assert report.created_by == analyst_kr
    assert report.status == "draft"
    assert report.tlp == "AMBER"
    created = AuditRecord.objects.filter(action="create", object_type="monitoring.violationreport",
                                         object_id=str(report.pk))
    assert created.count() == 1
    assert created.get().actor == analyst_kr
    # and the inline subject went through the service (normalised beside what was reported, audited)
    subject = report.subjects.get()
    assert subject.imo == "IMO 9036387"
    assert subject.imo_normalized == "9036387"
    assert subject.imo_valid is True
    assert AuditRecord.objects.filter(action="create", object_type="monitoring.reportsubject",
                                      object_id=str(subject.pk), actor=analyst_kr).exists()


def test_report_add_form_offers_only_the_analysts_own_state(world, analyst_kr, client):
    client.force_login(analyst_kr)

    response = client.get(admin_url(ViolationReport, "add"))

    choices = response.context["adminform"].form.fields["reporting_state"].queryset
    assert list(choices) == [MemberState.objects.get(country="KR")]


def test_kr_analyst_cannot_file_a_report_for_japan(world, analyst_kr, client):
    # given
    client.force_login(analyst_kr)
    add_page = client.get(admin_url(ViolationReport, "add"))
    jp = MemberState.objects.get(country="JP")
    reports_before = ViolationReport.objects.count()
    audits_before = AuditRecord.objects.count()

    # when
    response = client.post(admin_url(ViolationReport, "add"), _report_add_data(add_page, reporting_state=jp))

    # then: the form is shown again with an error on the state, and nothing was written
    assert response.status_code == 200
    assert "reporting_state" in response.context["adminform"].form.errors
    assert not ViolationReport.objects.filter(title=NEW_TITLE).exists()
    assert ViolationReport.objects.count() == reports_before
    assert not ReportSubject.objects.filter(name="NEW CONCORD").exists()
    assert AuditRecord.objects.count() == audits_before


def test_analyst_without_member_state_cannot_file_reports(world, make_user, client):
    stateless = make_user(groups=("Analyst",))
    client.force_login(stateless)

    assert client.get(admin_url(ViolationReport, "add")).status_code == 403


def _subject_add_data(report: ViolationReport, name: str) -> dict[str, str]:
    return {"report": str(report.pk), "role": "owner", "kind": "organization", "name": name,
            "name_original_script": "", "aliases": "[]", "imo": "", "mmsi": "", "flag": "", "call_sign": "",
            "date_of_birth": "", "nationality": "Korea, DPRK", "documents": "[]", "notes": "", "vessel": "",
            "list_entry": ""}


def test_kr_analyst_adds_a_subject_to_own_report_through_the_admin(world, analyst_kr, client):
    # given
    client.force_login(analyst_kr)

    # when
    response = client.post(admin_url(ReportSubject, "add"),
                           _subject_add_data(world.reports["kr_green"], "KOREA YUJONG SHIPPING"))

    # then: saved through the service: normalised beside what was reported, and audited
    assert response.status_code == 302
    subject = ReportSubject.objects.get(name="KOREA YUJONG SHIPPING")
    assert subject.report == world.reports["kr_green"]
    assert subject.nationality == "Korea, DPRK"
    assert AuditRecord.objects.filter(action="create", object_type="monitoring.reportsubject",
                                      object_id=str(subject.pk), actor=analyst_kr).exists()


def test_aliases_typed_as_a_bare_string_are_refused_in_the_admin(world, analyst_kr, client):
    # given: the JSON box takes any JSON; a string would be screened one character at a time
    client.force_login(analyst_kr)
    data = {**_subject_add_data(world.reports["kr_green"], "PAK"), "aliases": '"Pak Yong Sik"'}

    # when
    response = client.post(admin_url(ReportSubject, "add"), data)

    # then: the form is shown again with the error on the aliases, and nothing was written
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["aliases"] == ['Give the aliases as a list of names, e.g. ["Pak Yong Sik"], not a string.']
    assert not ReportSubject.objects.filter(name="PAK").exists()


@pytest.mark.parametrize("field", ["aliases", "documents"])
def test_a_json_box_left_empty_in_the_admin_means_none_given(world, analyst_kr, client, field):
    client.force_login(analyst_kr)
    data = {**_subject_add_data(world.reports["kr_green"], "PAK"), field: ""}

    response = client.post(admin_url(ReportSubject, "add"), data)

    assert response.status_code == 302
    assert getattr(ReportSubject.objects.get(name="PAK"), field) == []


def test_kr_analyst_cannot_add_a_subject_to_a_jp_report(world, analyst_kr, client):
    # given: JP's GREEN report is visible to the KR analyst, but not theirs to change
    client.force_login(analyst_kr)
    offered = client.get(admin_url(ReportSubject, "add")).context["adminform"].form.fields["report"].queryset
    assert world.reports["jp_green"] not in offered

    # when
    response = client.post(admin_url(ReportSubject, "add"), _subject_add_data(world.reports["jp_green"], "INTRUDER"))

    # then: refused (form error or 403), nothing written
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert "report" in response.context["adminform"].form.errors
    assert not ReportSubject.objects.filter(name="INTRUDER").exists()


def test_team_admin_can_look_up_users_for_an_analyst_profile(world, team_admin, client):
    client.force_login(team_admin)
    assert client.get(admin_url(AnalystProfile, "add")).status_code == 200

    response = client.get(reverse("admin:autocomplete"), {"app_label": "monitoring", "model_name": "analystprofile",
                                                          "field_name": "user", "term": "kr.analyst"})

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["kr.analyst"]


# --------------------------------------------------------------------------- 6. reviewing a hit

def _review_data(client, match: ScreeningMatch, **fields) -> dict[str, str]:
    page = client.get(change_url(match))
    assert page.status_code == 200
    return {**management_form_data(page), **fields}


def test_reviewer_dismisses_a_hit_with_a_reason(world, analyst_kr, client):
    # given
    match = world.matches["kr_green"]
    assert match.reviews.count() == 1
    client.force_login(analyst_kr)
    data = _review_data(client, match, decision="dismiss", reason="Different hull: the IMO numbers differ.")

    # when
    response = client.post(change_url(match), data)

    # then
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.review_status == "dismissed"
    assert match.reviews.count() == 2
    latest = match.reviews.order_by("-id").first()
    assert latest.decision == "dismiss"
    assert latest.reason == "Different hull: the IMO numbers differ."
    assert latest.reviewer == analyst_kr
    assert AuditRecord.objects.filter(action="decide", object_type="monitoring.screeningmatch",
                                      object_id=str(match.pk), actor=analyst_kr).count() == 2
    assert latest.hit["score"] == match.score
    page = client.get(change_url(match)).content.decode()
    assert f">{match.score:.2f}<" in page[page.lower().index("score then"):]  # in the review log, not the title


def test_reviewer_decision_without_reason_is_refused(world, analyst_kr, client):
    # given
    match = world.matches["kr_amber"]
    client.force_login(analyst_kr)
    data = _review_data(client, match, decision="confirm", reason="   ")

    # when
    response = client.post(change_url(match), data)

    # then
    assert response.status_code == 200
    assert "reason" in response.context["adminform"].form.errors
    match.refresh_from_db()
    assert match.review_status == "pending"
    assert not match.reviews.exists()


def test_saving_a_hit_without_a_decision_changes_nothing(world, analyst_kr, client):
    match = world.matches["kr_amber"]
    client.force_login(analyst_kr)

    response = client.post(change_url(match), _review_data(client, match, decision="", reason=""))

    assert response.status_code == 302
    match.refresh_from_db()
    assert match.review_status == "pending"
    assert not match.reviews.exists()


def test_analyst_without_reviewer_group_cannot_decide_on_a_hit(world, make_user, client):
    # given: a KR analyst who is not a reviewer
    analyst = make_user(country="KR", groups=("Analyst",))
    match = world.matches["kr_amber"]
    client.force_login(analyst)

    # when: the page opens read-only, and a decision posted anyway is refused
    page = client.get(change_url(match))
    response = client.post(change_url(match), {**management_form_data(page), "decision": "confirm",
                                                "reason": "Looks like the same company."})

    # then
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    match.refresh_from_db()
    assert match.review_status == "pending"
    assert not match.reviews.exists()


def test_review_log_is_read_only(world, analyst_kr, client):
    review = world.reviews["kr_green"]
    client.force_login(analyst_kr)

    page = client.get(change_url(review))
    response = client.post(change_url(review), {"reason": "rewritten", "decision": "confirm"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.reason == "Needs a second look (kr_green)."
    assert client.post(admin_url(MatchReview, "delete", quote(review.pk)), {"post": "yes"}).status_code == 403
    assert MatchReview.objects.filter(pk=review.pk).exists()


# --------------------------------------------------------------------------- evidence stricter than its report

def test_red_evidence_on_a_green_report_is_not_shown_to_other_states(world, analyst_kr, analyst_jp, client):
    # given: a KR GREEN report, with one item of evidence marked RED (stricter than the report)
    report = world.reports["kr_green"]
    secret = services.evidence_save(
        evidence=Evidence(report=report, kind="testimony", source="Crew member (protected source)",
                          held_at="KR archive, ref 2025/041", tlp="RED", created_by=analyst_kr),
        actor=analyst_kr, channel="test",
    )
    client.force_login(analyst_jp)

    # when
    listing = client.get(admin_url(Evidence, "changelist"))
    page = client.get(change_url(report))

    # then
    assert secret.pk not in result_pks(listing)
    assert "Crew member (protected source)" not in page.content.decode()





def test_states_are_named_as_the_un_names_them(world, analyst_kr, client):
    client.force_login(analyst_kr)

    page = client.get(change_url(world.reports["kr_green"])).content.decode()

    assert str(MemberState.objects.get(country="KR")) == "Republic of Korea"
    assert "Republic of Korea" in page and "South Korea" not in page
