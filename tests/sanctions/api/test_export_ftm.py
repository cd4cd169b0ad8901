"""GET /api/v1/export/entries.ftm.jsonl and /export/vessels.ftm.jsonl: FollowTheMoney, one entity
per line, checked with the followthemoney library itself.

Every test here sees both lists (the UN sample and the OFAC copy), loaded once for the module."""
import json

import pytest
from followthemoney import model

from sanctions.models import ListEntry, Vessel, VesselParty
from tests.sanctions.api.conftest import assert_access
from tests.sanctions.api.test_vessels import make_renamed_vessel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("preloaded_lists")]

ENTRIES = "/api/v1/export/entries.ftm.jsonl"
VESSELS = "/api/v1/export/vessels.ftm.jsonl"


def export(client, url: str, params: dict | None = None) -> dict[str, dict]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    assert response.streaming
    assert response["Content-Type"].startswith("application/x-ndjson")
    body = b"".join(response.streaming_content).decode("utf-8")
    lines = [json.loads(line) for line in body.splitlines()]
    assert body == "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines)
    entities = {line["id"]: line for line in lines}
    assert len(entities) == len(lines), "ids must be unique"
    assert_valid_ftm(lines)
    return entities


def assert_valid_ftm(lines: list[dict]) -> None:
    for data in lines:
        assert set(data) == {"id", "schema", "properties"}, data
        proxy = model.get_proxy(data)
        assert not proxy.schema.abstract, data["schema"]
        for prop, values in data["properties"].items():
            assert proxy.schema.get(prop) is not None, f"{data['schema']} has no property {prop}"
            assert values and all(isinstance(v, str) for v in values), (prop, values)
            assert len(values) == len(set(values)), (prop, values)
        for prop in proxy.schema.required:
            assert proxy.has(prop), (data["id"], prop)
        assert proxy.to_dict() == data
        # FtM's own cleaning (dates, country codes, IMO numbers, identifiers…) keeps every value as it is:
        # nothing invalid (it would be dropped) and nothing in a non-canonical form (it would change).
        assert model.get_proxy(data, cleaned=False).to_dict() == data, data["id"]


def references(entities: dict[str, dict]) -> set[str]:
    refs = set()
    for data in entities.values():
        schema = model.get(data["schema"])
        for prop, values in data["properties"].items():
            if schema.get(prop).type.name == "entity":
                refs.update(values)
    return refs


def props(entity: dict) -> dict[str, list[str]]:
    return entity["properties"]


def entry_id(reference_number: str) -> str:
    return f"msmt-entry-{ListEntry.objects.get(reference_number=reference_number).id}"


@pytest.mark.parametrize("url", [ENTRIES, VESSELS])
def test_access(caller, un_list, url):
    assert_access(caller, url)


@pytest.fixture
def both_lists(un_list, apply_second_version, ofac_list):
    apply_second_version()


def test_entries_export_gives_a_valid_entity_and_a_sanction_per_entry(api, both_lists):
    entities = export(api, ENTRIES)

    assert len(entities) == 2 * ListEntry.objects.count() == 2 * (39 + 398)
    assert references(entities) <= set(entities)  # every Sanction points at an exported entity
    schemas = {e["schema"] for e in entities.values()}
    assert schemas == {"Person", "Organization", "Vessel", "Sanction"}


def test_person_names_follow_alias_quality_and_carry_dates_and_documents(api, both_lists):
    entities = export(api, ENTRIES, {"source": "un-sc"})

    person = entities[entry_id("KPi.001")]
    assert person["schema"] == "Person"
    assert props(person)["name"] == ["YUN HO-JIN"]
    assert props(person)["alias"] == ["윤호진", "Yun Ho-jin"]  # original script and a good alias
    assert props(person)["weakAlias"] == ["Yoon Ho Jin"]  # a Low-quality alias
    assert props(person)["birthDate"] == ["1946-03-08"]
    assert props(person)["nationality"] == ["kp"]
    assert props(person)["birthPlace"] == ["Hamhung, South Hamgyong, Democratic People's Republic of Korea"]
    assert props(person)["birthCountry"] == ["kp"]
    assert props(person)["address"] == ["Pyongyang, Democratic People's Republic of Korea"]
    assert props(person)["position"] == ["Director of Namchongang Trading Corporation"]
    assert props(person)["topics"] == ["sanction"]
    assert props(person)["notes"][0].startswith("Senior manager at Namchongang Trading Corporation")

    assert props(entities[entry_id("KPi.026")])["passportNumber"] == ["PO381214"]
    assert props(entities[entry_id("KPi.026")])["birthDate"] == ["1945"]  # year only
    assert props(entities[entry_id("KPi.040")])["birthDate"] == ["1944", "1945", "1946"]  # BETWEEN 1944 AND 1946


def test_organization_former_names_and_company_imo(api, both_lists):
    entities = export(api, ENTRIES, {"source": "un-sc"})

    omm = entities[entry_id("KPe.020")]
    assert omm["schema"] == "Organization"
    assert "Ocean Maritime Management Company" in props(omm)["previousName"]  # f.k.a.
    imo = ListEntry.objects.get(reference_number="KPe.020").identifiers.get(type="imo_company", is_valid=True)
    assert props(omm)["imoNumber"] == [f"IMO{imo.normalized}"]


def test_sanctions_carry_authority_program_un_reference_and_status(api, both_lists):
    entities = export(api, ENTRIES)

    sanction = entities[entry_id("KPi.001") + "-sanction"]
    assert sanction["schema"] == "Sanction"
    assert props(sanction) == {
        "entity": [entry_id("KPi.001")], "authority": ["UN Security Council"], "program": ["DPRK"],
        "unscId": ["KPi.001"], "recordId": ["9100101"], "listingDate": ["2009-07-16"], "startDate": ["2009-07-16"],
        "status": ["Active"], "sourceUrl": ["https://scsanctions.un.org/resources/xml/en/consolidated.xml"],
    }
    delisted = entities[entry_id("IRi.901") + "-sanction"]
    assert props(delisted)["status"] == ["Inactive"] and props(delisted)["endDate"] == ["2026-12-01"]
    assert "topics" not in props(entities[entry_id("IRi.901")])

    ofac = entities[entry_id("OFAC-17069") + "-sanction"]
    assert props(ofac)["authority"] == ["US Treasury OFAC"] and props(ofac)["authorityId"] == ["OFAC-17069"]
    assert "unscId" not in props(ofac)


def test_a_listed_vessel_is_a_vessel_with_its_imo_number(api, both_lists):
    entities = export(api, ENTRIES, {"source": "ofac-sdn"})

    vessel = entities[entry_id("OFAC-17069")]
    assert vessel["schema"] == "Vessel"
    assert props(vessel)["imoNumber"] == ["IMO7937317"]
    assert props(vessel)["flag"] == ["kp"] and props(vessel)["type"] == ["General Cargo"]
    assert {e["schema"] for e in entities.values()} == {"Person", "Organization", "Vessel", "Sanction"}
    assert all(eid.startswith("msmt-entry-") for eid in entities)
    assert len(entities) == 2 * 398


def test_entries_export_filters_by_source_and_is_active(api, both_lists):
    assert set(export(api, ENTRIES, {"is_active": "false"})) == {entry_id("IRi.901"), entry_id("IRi.901") + "-sanction"}
    assert len(export(api, ENTRIES, {"source": "un-sc", "is_active": "true"})) == 2 * 38


def test_ids_and_content_are_stable_between_exports(api, both_lists):
    assert export(api, ENTRIES, {"source": "un-sc"}) == export(api, ENTRIES, {"source": "un-sc"})


@pytest.mark.parametrize("url", [ENTRIES, VESSELS])
@pytest.mark.parametrize(("params", "bad"), [({"source": "nope"}, "source"), ({"is_active": "yes"}, "is_active")])
def test_a_bad_parameter_is_a_400_naming_it(api, un_list, url, params, bad):
    response = api.get(url, params)

    assert response.status_code == 400
    assert list(response.json()) == [bad]

    as_ndjson = api.get(url, params, HTTP_ACCEPT="application/x-ndjson")
    assert as_ndjson.status_code == 400
    assert list(json.loads(as_ndjson.content.decode().strip())) == [bad]


@pytest.fixture
def renamed(un_list, ofac_list) -> Vessel:
    vessel = make_renamed_vessel()
    VesselParty.objects.create(vessel=vessel, role="economic_resource_of",
                               list_entry=ListEntry.objects.get(reference_number="KPe.020"))
    VesselParty.objects.create(vessel=vessel, role="registered_owner", name="Grace Maritime Ltd")
    return vessel


def test_vessels_export_projects_identity_periods_flat(api, renamed):
    entities = export(api, VESSELS)

    vessel = entities[f"msmt-vessel-{renamed.id}"]
    assert vessel["schema"] == "Vessel"
    assert props(vessel) == {
        "name": ["SEA GRACE"],
        "previousName": ["PAEK MA", "OCEAN STAR"],
        "flag": ["pa"],
        "pastFlags": ["kp", "tg"],
        "mmsi": ["352001234", "445123000"],
        "callSign": ["3FAB2", "HMAB"],
        "imoNumber": ["IMO9123453"],
        "nameChangeDate": ["2022-01-01"],
        "type": ["Oil Products Tanker"],
        "grossRegisteredTonnage": ["2980"],
        "deadweightTonnage": ["4500"],
        "buildDate": ["1998"],
        "notes": ["Renamed and reflagged twice since 2019."],
    }
    owner_party, resource_party = (renamed.parties.get(role="registered_owner"),
                                   renamed.parties.get(role="economic_resource_of"))
    owner = entities[f"msmt-vessel-party-{owner_party.id}"]
    assert (owner["schema"], props(owner)) == ("LegalEntity", {"name": ["Grace Maritime Ltd"]})
    ownership = entities[f"msmt-vessel-party-{owner_party.id}-link"]
    assert ownership["schema"] == "Ownership"
    assert props(ownership)["owner"] == [owner["id"]] and props(ownership)["asset"] == [vessel["id"]]
    link = entities[f"msmt-vessel-party-{resource_party.id}-link"]
    assert link["schema"] == "UnknownLink"
    assert props(link)["subject"] == [entry_id("KPe.020")] and props(link)["object"] == [vessel["id"]]
    assert props(link)["role"] == ["Economic resource of"]


def test_vessels_export_has_a_sanction_per_designation_and_joins_the_entries_export(api, renamed):
    vessels = export(api, VESSELS)
    entries = export(api, ENTRIES)

    listed = Vessel.objects.get(imo_number="7937317")
    entry = listed.list_entries.get()
    vessel = vessels[f"msmt-vessel-{listed.id}"]
    assert props(vessel)["topics"] == ["sanction"] and props(vessel)["flag"] == ["kp"]
    sanction = vessels[f"msmt-vessel-{listed.id}-sanction-{entry.id}"]
    assert props(sanction)["entity"] == [vessel["id"]] and props(sanction)["authorityId"] == ["OFAC-17069"]
    assert len([e for e in vessels.values() if e["schema"] == "Vessel"]) == 107
    assert references(vessels) <= set(vessels) | set(entries)  # parties that are list entries resolve there


def test_vessels_export_filters_by_source_and_is_active(api, renamed):
    def vessel_ids(params):
        return {eid for eid, e in export(api, VESSELS, params).items() if e["schema"] == "Vessel"}

    assert vessel_ids({"is_active": "false"}) == {f"msmt-vessel-{renamed.id}"}  # no designation at all
    assert len(vessel_ids({"is_active": "true"})) == 106
    assert len(vessel_ids({"source": "ofac-sdn"})) == 106
    assert vessel_ids({"source": "un-sc"}) == set()


def test_export_streams_in_a_fixed_number_of_queries(api, both_lists, django_assert_max_num_queries):
    # token check (+ stamp), the designee links, a chunk of entries, 6 prefetches
    with django_assert_max_num_queries(11):
        response = api.get(ENTRIES)
        lines = b"".join(response.streaming_content).splitlines()
    assert len(lines) == 2 * 437
