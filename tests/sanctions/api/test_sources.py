"""GET /api/v1/sources/ and /sources/<slug>/: each source with its last applied version."""
import pytest
from django.conf import settings

from tests.sanctions.api.conftest import assert_access, bearer, results

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/sources/", "/api/v1/sources/un-sc/"])
def test_access(caller, url):
    assert_access(caller, url)


def test_list_gives_each_source_with_its_last_applied_version(api, un_list, apply_second_version):
    second = apply_second_version()

    rows = results(api.get("/api/v1/sources/"))

    assert [row["slug"] for row in rows] == sorted(spec.slug for spec in settings.LIST_SOURCES)
    by_slug = {row["slug"]: row for row in rows}
    ofac, un = by_slug["ofac-sdn"], by_slug["un-sc"]
    assert ofac["last_applied_version"] is None
    assert un["authority"] == "UN Security Council" and un["kind"] == "un_consolidated"
    assert un["last_applied_version"]["id"] == second.id != un_list.id
    assert un["last_applied_version"]["status"] == "applied"
    assert un["last_applied_version"]["active_count"] == 38


def test_an_unchanged_or_rejected_fetch_is_not_the_last_applied_version(api, un_list, un_source):
    from sanctions.services import list_version_record_failure

    list_version_record_failure(source=un_source, status="rejected", error="The download is empty.")

    row = api.get("/api/v1/sources/un-sc/").json()

    assert row["last_applied_version"]["id"] == un_list.id


def test_detail_by_slug_and_unknown_slug_is_404(api, un_list):
    assert api.get("/api/v1/sources/un-sc/").json()["name"] == "UN Security Council Consolidated List"
    assert api.get("/api/v1/sources/no-such-list/").status_code == 404


def test_calls_are_throttled_per_token_under_the_lists_read_rate(api, issue_token, monkeypatch):
    from config.api import CallerScopeThrottle

    monkeypatch.setattr(CallerScopeThrottle, "THROTTLE_RATES", {"lists:read": "2/min"})
    other = bearer(issue_token())

    statuses = [api.get("/api/v1/sources/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert other.get("/api/v1/sources/").status_code == 200  # counted per token
