"""GET /api/v1/entries/ and /entries/<id>/: filters, name search, detail with history.

Every test here sees both lists (the UN sample and the OFAC copy), loaded once for the module."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanctions.models import EntryChange, ListEntry
from tests.sanctions.api.conftest import assert_access, results

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("preloaded_lists")]


def refs(response) -> list[str]:
    return [row["reference_number"] for row in results(response)]


def entry(reference_number: str) -> ListEntry:
    return ListEntry.objects.get(reference_number=reference_number)


def test_access(caller, un_list):
    assert_access(caller, "/api/v1/entries/")
    assert_access(caller, f"/api/v1/entries/{entry('KPi.001').id}/")


def test_list_is_ordered_by_source_reference_number_and_id(api, un_list, ofac_list):
    rows = results(api.get("/api/v1/entries/", {"limit": 500}))

    keys = [(row["source"], row["reference_number"], row["id"]) for row in rows]
    assert len(keys) == ListEntry.objects.count() == 38 + 398
    assert keys == sorted(keys)
    assert api.get("/api/v1/entries/", {"limit": 500}).json()["results"] == rows


@pytest.mark.parametrize(("params", "expected"), [
    ({"source": "un-sc", "regime": "Taliban"}, ["TAe.012", "TAi.901"]),
    ({"source": "un-sc", "regime": "taliban", "kind": "entity"}, ["TAe.012"]),
    ({"source": "un-sc", "kind": "individual", "regime": "Iran"}, ["IRi.901"]),
])
def test_filters_by_source_regime_and_kind(api, un_list, ofac_list, params, expected):
    assert refs(api.get("/api/v1/entries/", params)) == expected


def test_filter_by_source_counts(api, un_list, ofac_list):
    assert api.get("/api/v1/entries/", {"source": "un-sc"}).json()["count"] == 38
    assert api.get("/api/v1/entries/", {"source": "ofac-sdn", "kind": "vessel"}).json()["count"] == 106


def test_filters_by_is_active_and_changed_since(api, un_list, apply_second_version):
    first_listed = EntryChange.objects.order_by("created_at").first().created_at
    second = apply_second_version()
    since = EntryChange.objects.filter(version=second).order_by("created_at").first().created_at
    assert EntryChange.objects.filter(version=un_list, created_at__gte=since).count() == 0

    assert refs(api.get("/api/v1/entries/", {"is_active": "false"})) == ["IRi.901"]
    assert api.get("/api/v1/entries/", {"is_active": "true", "source": "un-sc"}).json()["count"] == 38
    assert api.get("/api/v1/entries/", {"is_active": "1"}).json()["count"] == 38 + 398
    changed = refs(api.get("/api/v1/entries/", {"changed_since": since.isoformat()}))
    assert changed == ["IRi.901", "KPi.001", "KPi.999"]
    assert api.get("/api/v1/entries/", {"changed_since": first_listed.isoformat()}).json()["count"] == 39 + 398
    # A date-time without offset is read as UTC; one in the future gives nothing.
    assert refs(api.get("/api/v1/entries/", {"changed_since": "2999-01-01T00:00:00"})) == []


@pytest.mark.parametrize(("q", "expected"), [
    ("Yoon Ho Jin", ["KPi.001"]),  # a low-quality (weak) alias
    ("yun ho-chin", ["KPi.001"]),  # a good alias, any case
    ("윤호진", ["KPi.001"]),  # the name in original script
    ("ho-", ["KPi.001"]),  # two names of one entry match (HO-JIN, Ho-chin): it comes once
    ("KPe.020", ["KPe.020"]),  # reference number
    ("  kpe.020 ", ["KPe.020"]),
    ("Ocean Maritime", ["KPe.020"]),
    ("no such name", []),
])
def test_q_searches_names_aliases_and_reference_number(api, un_list, q, expected):
    assert refs(api.get("/api/v1/entries/", {"q": q, "source": "un-sc"})) == expected


def test_q_does_not_match_part_of_a_reference_number(api, un_list):
    assert refs(api.get("/api/v1/entries/", {"q": "KPe.02"})) == []


@pytest.mark.parametrize(("params", "bad"), [
    ({"changed_since": "yesterday"}, "changed_since"),
    ({"kind": "spaceship"}, "kind"),
    ({"is_active": "maybe"}, "is_active"),
    ({"source": "no-such-list"}, "source"),
])
def test_a_bad_filter_value_is_a_400_naming_it(api, un_list, params, bad):
    response = api.get("/api/v1/entries/", params)

    assert response.status_code == 400
    assert list(response.json()) == [bad]


def test_list_row_has_names_with_quality_and_script(api, un_list):
    (row,) = results(api.get("/api/v1/entries/", {"q": "KPi.001"}))

    assert row["primary_name"] == "YUN HO-JIN" and row["kind"] == "individual" and row["is_active"] is True
    assert row["source"] == "un-sc" and row["regime"] == "DPRK" and row["listed_on"] == "2009-07-16"
    assert {(n["name"], n["kind"], n["quality"], n["script"]) for n in row["names"]} == {
        ("YUN HO-JIN", "primary", "", "latin"),
        ("윤호진", "original_script", "", "hangul"),
        ("Yun Ho-chin", "alias", "good", "latin"),
        ("Yoon Ho Jin", "alias", "low", "latin"),
    }


def test_detail_has_identifiers_dates_nationalities_addresses_and_history(api, un_list, apply_second_version):
    second = apply_second_version()
    kpi001 = entry("KPi.001")

    row = api.get(f"/api/v1/entries/{kpi001.id}/").json()

    assert row["birth_dates"] == [{"qualifier": "exact", "date": "1946-03-08", "year": 1946, "year_to": None,
                                   "note": "", "from_alias": False}]
    assert row["nationalities"] == [{"value": "Democratic People's Republic of Korea", "country_code": "KP"}]
    assert {(a["kind"], a["city"], a["country_code"]) for a in row["addresses"]} == {
        ("address", "Pyongyang", "KP"), ("place_of_birth", "Hamhung", "KP")}
    assert ("Yun Ho-jin", "good") in {(n["name"], n["quality"]) for n in row["names"]}
    assert [(h["version"]["id"], h["change_type"]) for h in row["history"]] == [(un_list.id, "added"),
                                                                                (second.id, "amended")]
    amended = row["history"][1]
    assert amended["version"]["source"] == "un-sc" and amended["version"]["generated_at"] == "2026-12-01T23:00:00Z"
    assert set(amended["diff"]) == {"names"}
    before, after = ({n["name"] for n in amended["diff"]["names"][side]} for side in ("before", "after"))
    assert (before - after, after - before) == ({"Yun Ho-chin"}, {"Yun Ho-jin"})
    assert row["first_seen_in"] == un_list.id and row["last_seen_in"] == second.id

    passport = api.get(f"/api/v1/entries/{entry('KPi.026').id}/").json()["identifiers"]
    assert [(i["type"], i["value"], i["country_code"]) for i in passport] == [("passport", "PO381214", "KP")]


def test_detail_of_a_delisted_entry(api, un_list, apply_second_version):
    apply_second_version()

    row = api.get(f"/api/v1/entries/{entry('IRi.901').id}/").json()

    assert row["is_active"] is False and row["delisted_on"] == "2026-12-01"
    assert [h["change_type"] for h in row["history"]] == ["added", "removed"]
    assert row["history"][1]["diff"] == {"is_active": {"before": True, "after": False}}


def test_detail_of_a_listed_vessel_names_its_hull(api, ofac_list):
    listed = ListEntry.objects.get(source__slug="ofac-sdn", kind="vessel", primary_name="CHONG CHON GANG")

    row = api.get(f"/api/v1/entries/{listed.id}/").json()

    assert [(i["type"], i["value"], i["is_valid"]) for i in row["identifiers"]] == [("imo", "7937317", True)]
    assert [(v["imo_number"], v["name"]) for v in row["vessels"]] == [("7937317", "CHONG CHON GANG")]


def test_unknown_entry_is_404(api, un_list):
    assert api.get("/api/v1/entries/999999/").status_code == 404
    assert api.get("/api/v1/entries/abc/").status_code == 404


def test_list_and_detail_cost_a_fixed_number_of_queries(api, un_list, ofac_list, django_assert_max_num_queries):
    # token check + last-used stamp, count, page, names and programmes prefetches
    with django_assert_max_num_queries(7):
        rows = results(api.get("/api/v1/entries/", {"limit": 500}))
    assert len(rows) == 436

    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/entries/", {"limit": 2, "q": "a"})
    with CaptureQueriesContext(connection) as many:
        api.get("/api/v1/entries/", {"limit": 400, "q": "a"})
    assert len(many) == len(few)

    vessel_entry = ListEntry.objects.filter(kind="vessel").first()
    # and the relations, measures and programmes prefetches, and the designee links read
    with django_assert_max_num_queries(15):
        assert api.get(f"/api/v1/entries/{vessel_entry.id}/").status_code == 200


@pytest.mark.parametrize(("params", "named"), [
    ({"search": "kim"}, ["search"]),  # ?q= is the name search; ?search= must not return every entry
    ({"q": "kim", "sourse": "un-sc", "page": "2"}, ["page", "sourse"]),
])
def test_an_unknown_query_parameter_is_a_400_naming_it(api, un_list, params, named):
    response = api.get("/api/v1/entries/", params)

    assert response.status_code == 400, response.content
    assert response.json() == {name: ["Unknown query parameter."] for name in named}


@pytest.mark.parametrize("limit", ["-1", "0", "abc", "1.5", "501", "100000000", ""])
def test_a_limit_out_of_its_bounds_is_a_400_naming_them(api, un_list, limit):
    response = api.get("/api/v1/entries/", {"limit": limit})

    assert response.status_code == 400, response.content
    assert response.json() == {"limit": [f"Must be a whole number from 1 to 500; got {limit!r}."]}


@pytest.mark.parametrize("offset", ["-1", "x"])
def test_an_offset_that_is_not_a_whole_number_is_a_400(api, un_list, offset):
    response = api.get("/api/v1/entries/", {"offset": offset})

    assert response.status_code == 400
    assert response.json() == {"offset": [f"Must be a whole number of at least 0; got {offset!r}."]}


def test_the_bounds_of_limit_and_offset_are_in_the_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/entries/"]["get"]["parameters"]}

    assert parameters["limit"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
    assert parameters["offset"] == {"type": "integer", "minimum": 0, "default": 0}
