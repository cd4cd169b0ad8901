"""GET /api/v1/versions/: every fetched list version with its status and counts."""
import pytest

from sanctions.services import list_version_record_failure
from tests.sanctions.api.conftest import assert_access, results

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(un_list, un_source, apply_second_version):
    rejected = list_version_record_failure(source=un_source, status="rejected", error="The download is empty.")
    second = apply_second_version()
    return {"first": un_list, "rejected": rejected, "second": second}


def test_access(caller, un_list):
    assert_access(caller, "/api/v1/versions/")
    assert_access(caller, f"/api/v1/versions/{un_list.id}/")


def test_list_is_newest_first_with_status_and_counts(api, versions):
    rows = results(api.get("/api/v1/versions/"))

    assert [row["id"] for row in rows] == [versions[k].id for k in ("second", "rejected", "first")]
    second, rejected, first = rows
    assert (first["status"], first["source"]) == ("applied", "un-sc")
    assert (first["added_count"], first["record_count"]) == (38, 38)
    assert (first["individual_count"], first["entity_count"], first["active_count"]) == (19, 19, 38)
    assert (second["added_count"], second["amended_count"], second["removed_count"]) == (1, 1, 1)
    assert second["active_count"] == 38 and second["generated_at"] == "2026-12-01T23:00:00Z"
    assert rejected["status"] == "rejected" and rejected["error"] == "The download is empty."


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "applied"}, ["second", "first"]),
    ({"status": "rejected"}, ["rejected"]),
    ({"source": "un-sc"}, ["second", "rejected", "first"]),
    ({"source": "ofac-sdn"}, []),
    ({"source": "un-sc", "status": "unchanged"}, []),
])
def test_filters(api, versions, params, expected):
    rows = results(api.get("/api/v1/versions/", params))

    assert [row["id"] for row in rows] == [versions[k].id for k in expected]


@pytest.mark.parametrize(("params", "bad"), [({"status": "done"}, "status"), ({"source": "no-such-list"}, "source")])
def test_a_bad_filter_value_is_a_400_naming_it(api, versions, params, bad):
    response = api.get("/api/v1/versions/", params)

    assert response.status_code == 400
    assert list(response.json()) == [bad]


def test_detail(api, versions):
    row = api.get(f"/api/v1/versions/{versions['second'].id}/").json()

    assert row["id"] == versions["second"].id and row["status"] == "applied"
    assert row["content_sha256"] == versions["second"].content_sha256
    assert api.get("/api/v1/versions/999999/").status_code == 404
