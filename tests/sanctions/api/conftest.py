"""Fixtures for the list API: callers (tokens with and without `lists:read`, revoked and expired
tokens, analyst sessions) and list data made as the application makes it (the sample UN list
through the demo loader, a modified copy as a second version, the real OFAC copy through
list_sync)."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from monitoring.models import MemberState
from monitoring.tokens import token_issue, token_revoke
from sanctions.models import ListSource, ListVersion
from sanctions.parsers.ofac_sdn import DPRK_PROGRAMS
from sanctions.services import list_sync

OFAC_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "ofac" / "moov-io__watchman__bench"
OFAC_SDN = OFAC_DIR / "sdn.csv"
OFAC_FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Throttle counts live in the cache, keyed by token or user id; SQLite reuses ids across tests.
    cache.clear()
    yield
    cache.clear()


# --- Callers ----------------------------------------------------------------------------------

def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def issue_token(db):
    def issue(*, scopes=("lists:read",), expires_at=None, revoked=False, country="KR") -> str:
        token, secret = token_issue(name=f"test {'+'.join(scopes) or 'no scope'}", scopes=list(scopes), actor=None,
                                    member_state=MemberState.objects.get(country=country), expires_at=expires_at)
        if revoked:
            token_revoke(token=token, actor=None)
        return secret

    return issue


@pytest.fixture
def api(issue_token) -> APIClient:
    """A partner system's client whose token has `lists:read`."""
    return bearer(issue_token())


@dataclass(frozen=True)
class Caller:
    name: str
    client: APIClient
    expected_status: int


CALLERS = {
    "token with lists:read": 200,
    "token without lists:read": 403,
    "no credentials": 401,
    "revoked token": 401,
    "expired token": 401,
    "analyst session": 200,
    "session without the permission": 403,
}


@pytest.fixture(params=list(CALLERS))
def caller(request, issue_token, make_user) -> Caller:
    """Each kind of caller with the status a read of list data must give it."""
    name = request.param
    if name == "token with lists:read":
        client = bearer(issue_token())
    elif name == "token without lists:read":
        client = bearer(issue_token(scopes=("reports:read", "screen")))
    elif name == "no credentials":
        client = APIClient()
    elif name == "revoked token":
        client = bearer(issue_token(revoked=True))
    elif name == "expired token":
        client = bearer(issue_token(expires_at=timezone.now() - datetime.timedelta(minutes=1)))
    else:
        client = APIClient()
        groups = ("Analyst",) if name == "analyst session" else ()
        client.force_login(make_user(country="JP", groups=groups))
    return Caller(name, client, CALLERS[name])


def assert_access(caller: Caller, url: str) -> None:
    response = caller.client.get(url)
    assert response.status_code == caller.expected_status, (caller.name, response.content[:300])
    if caller.expected_status == 401:
        assert response["WWW-Authenticate"] == "Bearer"
    if caller.expected_status >= 400:
        assert "detail" in response.json()


# --- List data --------------------------------------------------------------------------------

@pytest.fixture
def un_source(db) -> ListSource:
    return ListSource.objects.get(slug="un-sc")


@pytest.fixture
def un_list(un_source) -> ListVersion:
    """The sample UN list (38 records) applied as a first version."""
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())
    return un_source.versions.get(status="applied")


def _block(xml: str, dataid: str) -> str:
    match = re.search(rf"<(INDIVIDUAL|ENTITY)>\s*<DATAID>{dataid}</DATAID>.*?</\1>", xml, flags=re.S)
    assert match, dataid
    return match.group(0)


def second_version_xml() -> str:
    """The sample with one entry amended (KPi.001's good alias), one removed (IRi.901, DATAID
    9100203) and one added (KPi.999, a copy of KPi.033 under a new DATAID and name)."""
    xml = DEFAULT_LIST_PATH.read_text(encoding="utf-8")
    xml = re.sub(r'dateGenerated="[^"]+"', 'dateGenerated="2026-12-01T23:00:00.000Z"', xml, count=1)
    assert xml.count("<ALIAS_NAME>Yun Ho-chin</ALIAS_NAME>") == 1
    xml = xml.replace("<ALIAS_NAME>Yun Ho-chin</ALIAS_NAME>", "<ALIAS_NAME>Yun Ho-jin</ALIAS_NAME>")
    xml = xml.replace(_block(xml, "9100203"), "")
    added = (_block(xml, "9100103").replace("<DATAID>9100103</DATAID>", "<DATAID>9100999</DATAID>")
             .replace("<REFERENCE_NUMBER>KPi.033</REFERENCE_NUMBER>", "<REFERENCE_NUMBER>KPi.999</REFERENCE_NUMBER>")
             .replace("<FIRST_NAME>RI</FIRST_NAME>", "<FIRST_NAME>PAK</FIRST_NAME>")
             .replace("Ri Won-ho", "Pak Won-ho").replace("Lee Won Ho", "Park Won Ho"))
    return xml.replace("</INDIVIDUALS>", added + "</INDIVIDUALS>", 1)


@pytest.fixture
def apply_second_version(un_list, un_source, tmp_path):
    """Call to apply the modified sample as the next version of the UN list."""
    def apply() -> ListVersion:
        path = tmp_path / "consolidated-v2.xml"
        path.write_text(second_version_xml(), encoding="utf-8")
        version = list_sync(source=un_source, location=str(path))
        assert version.status == "applied", version.error
        assert (version.added_count, version.amended_count, version.removed_count) == (1, 1, 1)
        return version

    return apply


def _ofac_load() -> ListVersion:
    if not all((OFAC_DIR / name).is_file() for name in OFAC_FILES):
        pytest.skip(f"the OFAC copy is not at {OFAC_DIR}")
    # The API tests count the DPRK programs' records; every program is the default (test_sync_ofac).
    with override_settings(OFAC_SDN_PROGRAMS=sorted(DPRK_PROGRAMS)):
        version = list_sync(source=ListSource.objects.get(slug="ofac-sdn"), location=str(OFAC_SDN))
    assert version.status == "applied", version.error
    return version


@pytest.fixture
def ofac_list(db) -> ListVersion:
    """The real OFAC SDN copy (DPRK programs): 398 records, 106 vessels with IMO numbers."""
    loaded = ListVersion.objects.filter(source__slug="ofac-sdn", status="applied").first()  # preloaded_lists
    return loaded or _ofac_load()


@pytest.fixture(scope="module")
def preloaded_lists(django_db_setup, django_db_blocker):
    """The sample UN list and the OFAC copy, loaded once for a whole test module (they take seconds
    to apply). They are written inside a transaction that stays open for the module and is rolled
    back after it; each test runs in a savepoint within it, so what a test writes is undone after
    the test and the lists themselves after the module. A module that uses this gets both lists in
    every test: `un_list` and `ofac_list` then return the preloaded versions."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())
            _ofac_load()
            yield
            transaction.set_rollback(True)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]
