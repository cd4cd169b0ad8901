"""The TLP rules of DESIGN.md, for analysts of two member states, a named recipient, an author,
a user of no member state and a team administrator."""
import pytest

from monitoring import services
from monitoring.selectors import can_edit_report, editable_reports, visible_reports

CASES = [
    # tlp, releasable_to, (author KR sees, other KR analyst, JP analyst, US analyst, no-state user)
    ("CLEAR", (), (True, True, True, True, True)),
    ("GREEN", (), (True, True, True, True, False)),
    ("AMBER", (), (True, True, False, False, False)),
    ("AMBER", ("JP",), (True, True, True, False, False)),
    ("AMBER+STRICT", ("JP",), (True, True, False, False, False)),
    ("RED", (), (True, False, False, False, False)),
]


@pytest.fixture
def callers(make_user):
    return {
        "author": make_user(country="KR"),
        "kr": make_user(country="KR"),
        "jp": make_user(country="JP"),
        "us": make_user(country="US"),
        "stateless": make_user(),
    }


@pytest.mark.parametrize(("tlp", "releasable_to", "expected"), CASES)
def test_each_caller_sees_exactly_what_the_marking_allows(callers, make_report, tlp, releasable_to, expected):
    report = make_report(author=callers["author"], tlp=tlp, releasable_to=releasable_to)

    seen = tuple(visible_reports(callers[name]).filter(pk=report.pk).exists()
                 for name in ("author", "kr", "jp", "us", "stateless"))

    assert seen == expected


def test_red_is_visible_to_named_recipients_of_any_state(callers, make_report):
    report = make_report(author=callers["author"], tlp="RED", recipients=[callers["jp"]])

    assert visible_reports(callers["jp"]).filter(pk=report.pk).exists()
    assert not visible_reports(callers["kr"]).filter(pk=report.pk).exists()


def test_drafts_stay_inside_the_originating_state(callers, make_report):
    draft = make_report(author=callers["author"], tlp="CLEAR", status="draft")

    assert visible_reports(callers["kr"]).filter(pk=draft.pk).exists()
    assert not visible_reports(callers["jp"]).filter(pk=draft.pk).exists()


def test_counts_do_not_leak_or_duplicate_through_many_to_many_joins(callers, make_report):
    make_report(author=callers["author"], tlp="AMBER", releasable_to=("JP", "US", "GB"))
    make_report(author=callers["author"], tlp="AMBER+STRICT")
    make_report(author=callers["author"], tlp="RED", recipients=[callers["kr"], callers["author"]])

    assert visible_reports(callers["jp"]).count() == 1
    assert visible_reports(callers["kr"]).count() == 3
    assert visible_reports(callers["author"]).count() == 3


def test_team_administrator_sees_everything(callers, make_report, team_admin):
    for tlp, releasable_to, _ in CASES:
        make_report(author=callers["author"], tlp=tlp, releasable_to=releasable_to)
    make_report(author=callers["author"], tlp="RED", status="draft")

    assert visible_reports(team_admin).count() == len(CASES) + 1


def test_inactive_user_or_user_without_view_permission_sees_nothing(callers, make_report, make_user):
    make_report(author=callers["author"], tlp="CLEAR")
    no_groups = make_user(country="KR", groups=())
    inactive = make_user(country="KR", is_active=False)

    assert visible_reports(no_groups).count() == 0
    assert visible_reports(inactive).count() == 0


def test_only_the_originating_state_edits_a_report(callers, make_report):
    report = make_report(author=callers["author"], tlp="GREEN")

    assert can_edit_report(callers["kr"], report)
    assert not can_edit_report(callers["jp"], report)


def test_editable_reports_are_own_state_unpublished_reports_only(callers, make_report):
    own = make_report(author=callers["author"], tlp="GREEN")
    released_to_jp = make_report(author=callers["author"], tlp="AMBER", releasable_to=("JP",))
    published = own
    for step in ("under_review", "accepted", "published"):
        published = services.report_transition(report=published, to_status=step, actor=callers["author"],
                                               channel="test")
    still_open = make_report(author=callers["author"], tlp="RED")

    assert set(editable_reports(callers["author"])) == {released_to_jp, still_open}
    assert set(editable_reports(callers["kr"])) == {released_to_jp}  # RED: not a recipient
    assert not editable_reports(callers["jp"]).exists()  # sees the AMBER one, may not edit it


# --- Tokens of member states and partner organisations ------------------------------------------

@pytest.fixture
def token_callers(db):
    from monitoring.models import MemberState, PartnerOrganisation
    from monitoring.tokens import TokenCaller, token_issue

    def caller(**owner):
        token, _ = token_issue(name="t", scopes=["reports:read"], actor=None, **owner)
        return TokenCaller(token)

    community = PartnerOrganisation.objects.create(name="ASEAN observer", kind="observer_state",
                                                   is_community_member=True)
    outsider = PartnerOrganisation.objects.create(name="Research group", kind="research_group")
    return {
        "kr": caller(member_state=MemberState.objects.get(country="KR")),
        "jp": caller(member_state=MemberState.objects.get(country="JP")),
        "community": caller(partner=community),
        "outsider": caller(partner=outsider),
        "_partners": (community, outsider),
    }


TOKEN_CASES = [
    # tlp, released to JP, released to the community partner, (kr, jp, community, outsider)
    ("CLEAR", False, False, (True, True, True, True)),
    ("GREEN", False, False, (True, True, True, False)),
    ("AMBER", False, False, (True, False, False, False)),
    ("AMBER", True, True, (True, True, True, False)),
    ("AMBER+STRICT", True, True, (True, False, False, False)),
    ("RED", True, True, (False, False, False, False)),
]


@pytest.mark.parametrize(("tlp", "to_jp", "to_partner", "expected"), TOKEN_CASES)
def test_tokens_see_what_their_state_or_organisation_may(callers, make_report, token_callers, tlp, to_jp,
                                                         to_partner, expected):
    report = make_report(author=callers["author"], tlp=tlp, releasable_to=("JP",) if to_jp else ())
    if to_partner:
        report.releasable_to_partners.add(token_callers["_partners"][0])

    seen = tuple(visible_reports(token_callers[name]).filter(pk=report.pk).exists()
                 for name in ("kr", "jp", "community", "outsider"))

    assert seen == expected


def test_a_token_without_the_read_scope_sees_nothing(callers, make_report, db):
    from monitoring.models import MemberState
    from monitoring.tokens import TokenCaller, token_issue

    make_report(author=callers["author"], tlp="CLEAR")
    token, _ = token_issue(name="screen only", scopes=["screen"], actor=None,
                           member_state=MemberState.objects.get(country="KR"))

    assert visible_reports(TokenCaller(token)).count() == 0
