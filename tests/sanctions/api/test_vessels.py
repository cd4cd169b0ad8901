"""GET /api/v1/vessels/ and /vessels/<id>/: particulars, identity timeline, designations, parties."""
import datetime

import pytest

from sanctions.models import ListEntry, Vessel, VesselIdentityPeriod, VesselParty
from tests.sanctions.api.conftest import assert_access, results

pytestmark = pytest.mark.django_db


def make_renamed_vessel(*, imo: str = "9123453") -> Vessel:
    """A hull curated by an analyst: DPRK-flagged PAEK MA, then OCEAN STAR under Togo, now SEA GRACE under Panama."""
    vessel = Vessel(imo_number=imo, name="SEA GRACE", mmsi="352001234", call_sign="3FAB2", flag="PA",
                    vessel_type="Oil Products Tanker", gross_tonnage=2980, deadweight_tonnage=4500, build_year=1998,
                    notes="Renamed and reflagged twice since 2019.")
    vessel.full_clean()
    vessel.save()
    day = datetime.date
    periods = [
        ("PAEK MA", "KP", "445123000", "HMAB", day(2012, 3, 1), day(2019, 6, 30), "registry", "confirmed"),
        ("OCEAN STAR", "TG", "", "", day(2019, 7, 1), day(2021, 12, 31), "ais", "fraudulent"),
        ("SEA GRACE", "PA", "352001234", "3FAB2", day(2022, 1, 1), None, "registry", "confirmed"),
    ]
    for name, flag, mmsi, call_sign, start, end, basis, status in reversed(periods):  # stored out of order
        period = VesselIdentityPeriod(vessel=vessel, name=name, flag=flag, mmsi=mmsi, call_sign=call_sign,
                                      valid_from=start, valid_to=end, basis=basis, flag_status=status)
        period.full_clean()
        period.save()
    return vessel


@pytest.fixture
def renamed(un_list) -> Vessel:
    vessel = make_renamed_vessel()
    omm = ListEntry.objects.get(reference_number="KPe.020")
    VesselParty.objects.create(vessel=vessel, role="economic_resource_of", list_entry=omm)
    VesselParty.objects.create(vessel=vessel, role="registered_owner", name="Grace Maritime Ltd",
                               valid_from=datetime.date(2022, 1, 1))
    return vessel


def names(response) -> list[str]:
    return [row["name"] for row in results(response)]


def test_access(caller, renamed):
    assert_access(caller, "/api/v1/vessels/")
    assert_access(caller, f"/api/v1/vessels/{renamed.id}/")


def test_detail_gives_particulars_identity_timeline_and_parties(api, renamed):
    row = api.get(f"/api/v1/vessels/{renamed.id}/").json()

    assert {k: row[k] for k in ("imo_number", "name", "mmsi", "call_sign", "flag", "vessel_type", "gross_tonnage",
                                "deadweight_tonnage", "build_year")} == {
        "imo_number": "9123453", "name": "SEA GRACE", "mmsi": "352001234", "call_sign": "3FAB2", "flag": "PA",
        "vessel_type": "Oil Products Tanker", "gross_tonnage": 2980, "deadweight_tonnage": 4500, "build_year": 1998}
    assert [(i["name"], i["flag"], i["valid_from"], i["valid_to"], i["basis"], i["flag_status"])
            for i in row["identities"]] == [
        ("PAEK MA", "KP", "2012-03-01", "2019-06-30", "registry", "confirmed"),
        ("OCEAN STAR", "TG", "2019-07-01", "2021-12-31", "ais", "fraudulent"),
        ("SEA GRACE", "PA", "2022-01-01", None, "registry", "confirmed"),
    ]
    assert row["identities"][0]["mmsi"] == "445123000" and row["identities"][0]["call_sign"] == "HMAB"
    assert row["designations"] == []
    omm = ListEntry.objects.get(reference_number="KPe.020")
    parties = [(p["role"], p["name"], p["list_entry"] and p["list_entry"]["id"], p["valid_from"])
               for p in row["parties"]]
    assert parties == [
        ("economic_resource_of", omm.primary_name, omm.id, None),
        ("registered_owner", "Grace Maritime Ltd", None, "2022-01-01"),
    ]


def test_designations_and_parties_from_the_ofac_list(api, ofac_list):
    vessel = Vessel.objects.get(imo_number="7937317")

    row = api.get(f"/api/v1/vessels/{vessel.id}/").json()

    (designation,) = row["designations"]
    entry = ListEntry.objects.get(source__slug="ofac-sdn", external_id="17069")
    assert designation == {"id": entry.id, "source": "ofac-sdn", "external_id": "17069",
                           "reference_number": "OFAC-17069", "primary_name": "CHONG CHON GANG", "kind": "vessel",
                           "regime": "DPRK", "listed_on": None, "is_active": True, "delisted_on": None}
    assert row["flag"] == "KP" and row["vessel_type"] == "General Cargo"
    assert [(i["name"], i["basis"], i["valid_to"]) for i in row["identities"]] == [("CHONG CHON GANG", "list", None)]


def test_list_is_ordered_by_name_and_counts_every_vessel(api, ofac_list):
    rows = results(api.get("/api/v1/vessels/", {"limit": 500}))

    assert len(rows) == Vessel.objects.count() == 106
    assert [(row["name"], row["id"]) for row in rows] == sorted((row["name"], row["id"]) for row in rows)
    linked = [row for row in rows if row["parties"]]
    assert linked and all(p["list_entry"]["source"] == "ofac-sdn" for row in linked for p in row["parties"])


@pytest.mark.parametrize(("params", "expected"), [
    ({"imo": "9123453"}, ["SEA GRACE"]),
    ({"imo": "IMO 9123453"}, ["SEA GRACE"]),
    ({"imo": "IMO9345673"}, []),
    ({"flag": "PA"}, ["SEA GRACE"]),
    ({"flag": "pa"}, ["SEA GRACE"]),
    ({"flag": "KP"}, ["KUM SAN"]),  # a past flag is not the flag
    ({"q": "paek"}, ["SEA GRACE"]),  # a past name
    ({"q": "Ocean Star"}, ["SEA GRACE"]),
    ({"q": "grace"}, ["SEA GRACE"]),
    ({"q": "9123453"}, ["SEA GRACE"]),
    ({"q": "IMO 9555553"}, ["KUM SAN"]),
    ({"q": "san"}, ["KUM SAN"]),
    ({"q": "nothing like it"}, []),
])
def test_filters_and_search(api, renamed, params, expected):
    Vessel.objects.create(imo_number="9555553", name="KUM SAN", flag="KP")

    assert names(api.get("/api/v1/vessels/", params)) == expected


@pytest.mark.parametrize(("params", "bad"), [
    ({"imo": "12345"}, "imo"),
    ({"imo": "IMO ABCDEFG"}, "imo"),
    ({"flag": "ZZ"}, "flag"),
    ({"flag": "Panama"}, "flag"),
])
def test_a_bad_filter_value_is_a_400_naming_it(api, renamed, params, bad):
    response = api.get("/api/v1/vessels/", params)

    assert response.status_code == 400
    assert list(response.json()) == [bad]


def test_unknown_vessel_is_404(api, renamed):
    assert api.get("/api/v1/vessels/999999/").status_code == 404


def test_list_costs_a_fixed_number_of_queries(api, ofac_list, renamed, django_assert_max_num_queries):
    # token check (+ last-used stamp), count, page, identities, designations, parties
    with django_assert_max_num_queries(7):
        rows = results(api.get("/api/v1/vessels/", {"limit": 500}))
    assert len(rows) == 107
