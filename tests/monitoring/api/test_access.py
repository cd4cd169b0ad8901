"""Every endpoint: no credentials, a revoked or expired token (401), a token without the
endpoint's scope (403), a token with it and an analyst's session (allowed)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from monitoring.models import ScreeningMatch, ViolationReport

from .conftest import ALL_SCOPES, API

READ, WRITE, REVIEW, SCREEN = "reports:read", "reports:write", "matches:review", "screen"


@dataclass
class World:
    draft: ViolationReport
    report: ViolationReport
    subject_id: int
    match: ScreeningMatch


@pytest.fixture
def world(analyst_kr, make_report, screened_subject) -> World:
    draft = make_report(author=analyst_kr, tlp="GREEN", status="draft", title="KR draft")
    report = make_report(author=analyst_kr, tlp="GREEN", title="KR submitted")
    subject = screened_subject(report=draft, actor=analyst_kr, kind="person", role="facilitator", name="RI WON HO")
    screened_subject(report=report, actor=analyst_kr, kind="person", role="facilitator", name="RI WON HO")
    match = ScreeningMatch.objects.filter(report=report).first()
    assert match is not None, "the sample list should give a hit for RI WON HO"
    return World(draft=draft, report=report, subject_id=subject.pk, match=match)


# name, method, path, scope, body, expected status when allowed
ENDPOINTS = [
    ("report list", "get", lambda w: "/reports/", READ, None, 200),
    ("report detail", "get", lambda w: f"/reports/{w.report.pk}/", READ, None, 200),
    ("report create", "post", lambda w: "/reports/", WRITE, {"title": "New", "category": "sts_petroleum"}, 201),
    ("report update", "patch", lambda w: f"/reports/{w.draft.pk}/", WRITE, {"title": "Renamed"}, 200),
    ("report transition", "post", lambda w: f"/reports/{w.draft.pk}/transition/", WRITE, {"status": "submitted"},
     200),
    ("subject list", "get", lambda w: f"/reports/{w.draft.pk}/subjects/", READ, None, 200),
    ("subject detail", "get", lambda w: f"/reports/{w.draft.pk}/subjects/{w.subject_id}/", READ, None, 200),
    ("subject create", "post", lambda w: f"/reports/{w.draft.pk}/subjects/", WRITE,
     {"role": "receiving_vessel", "kind": "vessel", "name": "SAEBYOL"}, 201),
    ("subject update", "patch", lambda w: f"/reports/{w.draft.pk}/subjects/{w.subject_id}/", WRITE,
     {"notes": "seen twice"}, 200),
    ("subject delete", "delete", lambda w: f"/reports/{w.draft.pk}/subjects/{w.subject_id}/", WRITE, None, 204),
    ("evidence list", "get", lambda w: f"/reports/{w.report.pk}/evidence/", READ, None, 200),
    ("evidence create", "post", lambda w: f"/reports/{w.report.pk}/evidence/", WRITE,
     {"kind": "document", "source": "Customs", "held_at": "KR archive, ref 2024/117"}, 201),
    ("match list", "get", lambda w: f"/reports/{w.report.pk}/matches/", READ, None, 200),
    ("match detail", "get", lambda w: f"/matches/{w.match.pk}/", READ, None, 200),
    ("match decision", "post", lambda w: f"/matches/{w.match.pk}/decision/", REVIEW,
     {"decision": "dismiss", "reason": "Different person"}, 200),
    ("screen", "post", lambda w: "/screen/", SCREEN, {"name": "Ri Won Ho"}, 200),
    ("export", "get", lambda w: "/export/reports.ftm.jsonl", READ, None, 200),
]
IDS = [e[0] for e in ENDPOINTS]


def call(client, world, method, path, body):
    return getattr(client, method)(API + path(world), body, format="json") if body is not None \
        else getattr(client, method)(API + path(world))


@pytest.mark.parametrize(("name", "method", "path", "scope", "body", "ok"), ENDPOINTS, ids=IDS)
def test_no_credentials_is_401(world, anonymous, name, method, path, scope, body, ok):
    response = call(anonymous, world, method, path, body)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("name", "method", "path", "scope", "body", "ok"), ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("which", ["revoked_client", "expired_client"])
def test_revoked_or_expired_token_is_401(world, request, which, name, method, path, scope, body, ok):
    client = request.getfixturevalue(which)

    response = call(client, world, method, path, body)

    assert response.status_code == 401
    assert ("revoked" if which == "revoked_client" else "expired") in response.json()["detail"]


@pytest.mark.parametrize(("name", "method", "path", "scope", "body", "ok"), ENDPOINTS, ids=IDS)
def test_token_without_the_scope_is_403(world, client_for, name, method, path, scope, body, ok):
    client = client_for(state="KR", scopes=[s for s in ALL_SCOPES if s != scope])

    response = call(client, world, method, path, body)

    assert response.status_code == 403
    assert scope in response.json()["detail"]


@pytest.mark.parametrize(("name", "method", "path", "scope", "body", "ok"), ENDPOINTS, ids=IDS)
def test_token_with_the_scope_is_allowed(world, client_for, name, method, path, scope, body, ok):
    # Finding an object goes through what the caller may read, so object endpoints need reports:read too.
    client = client_for(state="KR", scopes=sorted({scope, READ}))

    response = call(client, world, method, path, body)

    assert response.status_code == ok, response.content


@pytest.mark.parametrize(("name", "method", "path", "scope", "body", "ok"), ENDPOINTS, ids=IDS)
def test_analyst_session_is_allowed(world, analyst_kr, session_for, name, method, path, scope, body, ok):
    response = call(session_for(analyst_kr), world, method, path, body)

    assert response.status_code == ok, response.content


@pytest.mark.parametrize(("name", "method", "path", "scope", "body", "ok"),
                         [e for e in ENDPOINTS if e[3] != SCREEN], ids=[e[0] for e in ENDPOINTS if e[3] != SCREEN])
def test_user_without_the_permission_is_403(world, make_user, session_for, name, method, path, scope, body, ok):
    # given: a staff user in no group (no report, screening or review permission)
    user = make_user(groups=())

    response = call(session_for(user), world, method, path, body)

    assert response.status_code == 403


def test_write_only_token_cannot_find_objects_it_may_not_read(world, client_for):
    client = client_for(state="KR", scopes=[WRITE])

    assert client.patch(f"{API}/reports/{world.draft.pk}/", {"title": "x"}, format="json").status_code == 404
    assert client.post(f"{API}/reports/", {"title": "New", "category": "wmd"}, format="json").status_code == 201


@pytest.mark.parametrize(("name", "method", "path", "scope", "body", "ok"), ENDPOINTS, ids=IDS)
def test_options_describes_each_endpoint_without_error(world, kr, name, method, path, scope, body, ok):
    response = kr.options(API + path(world))

    assert response.status_code == 200


def test_team_administrator_reads_of_single_rows_are_audited(world, team_admin, session_for):
    from audit.models import AuditRecord

    client = session_for(team_admin)
    for path in (f"/reports/{world.draft.pk}/subjects/{world.subject_id}/", f"/matches/{world.match.pk}/"):
        assert client.get(API + path).status_code == 200

    audited = set(AuditRecord.objects.filter(action="read", actor=team_admin).values_list("object_type", "object_id"))
    assert audited == {("monitoring.reportsubject", str(world.subject_id)),
                       ("monitoring.screeningmatch", str(world.match.pk))}
