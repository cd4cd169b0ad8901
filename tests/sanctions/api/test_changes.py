"""GET /api/v1/changes/: the change feed, cursor-paginated by ascending id, for mirroring."""
from urllib.parse import parse_qs, urlparse

import pytest

from sanctions.models import EntryChange, ListEntry
from tests.sanctions.api.conftest import assert_access

pytestmark = pytest.mark.django_db


def cursor_of(url: str | None) -> str | None:
    return parse_qs(urlparse(url).query)["cursor"][0] if url else None


def follow(client, url: str, params: dict | None = None, *, pages: int | None = None) -> tuple[list[dict], str | None]:
    """Rows of up to `pages` pages, and the next link after them (None at the end of the feed)."""
    rows, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert set(body) == {"next", "previous", "results"}  # no count: cursor pages never count
        rows.extend(body["results"])
        pages = None if pages is None else pages - 1
        if body["next"] is None or pages == 0:
            return rows, body["next"]
        response = client.get(body["next"])


def test_access(caller, un_list):
    assert_access(caller, "/api/v1/changes/")
    assert_access(caller, f"/api/v1/changes/{EntryChange.objects.first().id}/")


def test_row_shape(api, un_list):
    change = EntryChange.objects.select_related("entry").get(entry__reference_number="KPi.001")

    (row,), _ = follow(api, "/api/v1/changes/", {"limit": 1}, pages=1)

    assert row == {
        "id": change.id,
        "version": {"id": un_list.id, "source": "un-sc", "generated_at": "2026-11-25T23:00:07.184000Z"},
        "entry": {"id": change.entry.id, "source": "un-sc", "external_id": "9100101", "reference_number": "KPi.001",
                  "primary_name": "YUN HO-JIN"},
        "change_type": "added",
        "diff": {},
        "created_at": row["created_at"],
    }
    assert row["created_at"].startswith(str(change.created_at.date()))


def test_pages_through_two_versions_without_duplicates_or_gaps(api, un_list, apply_second_version):
    # A partner reads part of the feed, a new version is applied meanwhile, then it reads on.
    first_pages, next_link = follow(api, "/api/v1/changes/", {"limit": 7}, pages=3)
    assert len(first_pages) == 21 and next_link is not None
    second = apply_second_version()

    rest, end = follow(api, next_link)

    ids = [row["id"] for row in first_pages + rest]
    assert end is None
    assert len(ids) == len(set(ids)) == 38 + 3
    assert ids == sorted(ids) == list(EntryChange.objects.order_by("id").values_list("id", flat=True))
    by_second = [(row["entry"]["reference_number"], row["change_type"]) for row in rest
                 if row["version"]["id"] == second.id]
    assert by_second == [("KPi.001", "amended"), ("KPi.999", "added"), ("IRi.901", "removed")]
    assert rest[-1]["diff"] == {"is_active": {"before": True, "after": False}}


def test_a_mirror_resumes_after_the_last_change_it_holds(api, un_list, apply_second_version):
    mirrored, end = follow(api, "/api/v1/changes/", {"limit": 10})
    assert end is None and len(mirrored) == 38
    second = apply_second_version()

    newer, end = follow(api, "/api/v1/changes/", {"after": mirrored[-1]["id"], "limit": 2})

    assert end is None
    assert [row["version"]["id"] for row in newer] == [second.id] * 3
    all_ids = list(EntryChange.objects.order_by("id").values_list("id", flat=True))
    assert [row["id"] for row in mirrored + newer] == all_ids


def test_previous_link_goes_back_one_page(api, un_list):
    first, next_link = follow(api, "/api/v1/changes/", {"limit": 5}, pages=1)
    second_page = api.get(next_link).json()

    back = api.get(second_page["previous"]).json()

    assert [row["id"] for row in back["results"]] == [row["id"] for row in first]


@pytest.mark.parametrize(("params", "expected"), [
    ({"change_type": "removed"}, [("IRi.901", "removed")]),
    ({"change_type": "amended", "source": "un-sc"}, [("KPi.001", "amended")]),
    ({"change_type": "added", "source": "ofac-sdn"}, []),
])
def test_filters_by_change_type_and_source(api, apply_second_version, params, expected):
    apply_second_version()

    rows, _ = follow(api, "/api/v1/changes/", params)

    assert [(row["entry"]["reference_number"], row["change_type"]) for row in rows] == expected


def test_filters_by_source_across_lists_and_keeps_filters_in_next(api, un_list, ofac_list):
    rows, _ = follow(api, "/api/v1/changes/", {"source": "ofac-sdn", "limit": 150})

    assert len(rows) == 398 and {row["entry"]["source"] for row in rows} == {"ofac-sdn"}
    assert {row["version"]["id"] for row in rows} == {ofac_list.id}


def test_filter_by_version(api, un_list, apply_second_version):
    second = apply_second_version()

    rows, _ = follow(api, "/api/v1/changes/", {"version": second.id})

    assert len(rows) == 3


@pytest.mark.parametrize(("params", "bad"), [
    ({"change_type": "deleted"}, "change_type"),
    ({"source": "no-such-list"}, "source"),
    ({"version": "latest"}, "version"),
    ({"after": "last"}, "after"),
])
def test_a_bad_filter_value_is_a_400_naming_it(api, un_list, params, bad):
    response = api.get("/api/v1/changes/", params)

    assert response.status_code == 400
    assert list(response.json()) == [bad]


def test_a_tampered_cursor_is_a_400_naming_it(api, un_list):
    response = api.get("/api/v1/changes/", {"cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor"]}


def test_feed_costs_a_fixed_number_of_queries(api, un_list, ofac_list, django_assert_max_num_queries):
    # token check (+ last-used stamp on first use), one page query with version, entry and sources joined
    with django_assert_max_num_queries(3):
        rows, _ = follow(api, "/api/v1/changes/", {"limit": 1000}, pages=1)
    assert len(rows) == 436
    assert ListEntry.objects.count() == 436


@pytest.mark.parametrize("limit", ["0", "-5", "1001", "ten"])
def test_a_change_feed_limit_out_of_its_bounds_is_a_400_naming_them(api, un_list, limit):
    response = api.get("/api/v1/changes/", {"limit": limit})

    assert response.status_code == 400, response.content
    assert response.json() == {"limit": [f"Must be a whole number from 1 to 1000; got {limit!r}."]}


def test_an_unknown_change_feed_parameter_is_a_400(api, un_list):
    response = api.get("/api/v1/changes/", {"since": "2026-01-01"})

    assert response.status_code == 400
    assert response.json() == {"since": ["Unknown query parameter."]}
