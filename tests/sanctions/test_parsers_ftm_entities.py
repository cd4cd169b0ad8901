"""Tests for the FollowTheMoney entities parser (JSON lines): small inline files, one per rule; the
hand-written sample ``seeds/ftm_sample.ftm.json``; and a round trip through this service's own FtM
export of the UN sample list (the one test here that needs the database).

Provenance of ``seeds/ftm_sample.ftm.json`` (JSON lines cannot carry comments). It is written the
way OpenSanctions publishes a member state's national list, Japan's Ministry of Finance list
(dataset ``jp_mof_sanctions``, id prefix ``ja-mof``, publisher "Ministry of Finance", country
``jp``, the DPRK section "北朝鮮のミサイル又は大量破壊兵器計画に関連する者" as the Sanction's program,
all as in OpenSanctions' ``datasets/jp/mof_sanctions`` crawler and its YAML), with OpenSanctions'
top-level keys. Made up for the sample: every id (``ja-mof-``/``addr-`` + a sha1 of the names, as
OpenSanctions' ids look), the first_seen / last_seen / last_change timestamps, and the split of the
facts into entities. The facts themselves are real:

* From the UN list copy ``shared/data/un/TuaMaley__New-AML-TMS/un_sanctions.xml``:
  - CHU HYO’K, KPi.065 (DATAID 6908641): listed 2017-12-22, alias Ju Hyok (Good), DOB 1986-11-22,
    DPRK nationality, "Gender: male", designation "Former overseas Foreign Trade Bank Deputy
    representative", passport 836420186 issued 2016-10-28, note "Expires 28 October 2021".
  - KIM CHOL SAM, KPi.035 (6908566): listed 2016-11-30, alias "Jin Tiesan (金铁三)", DOB 1971-03-11,
    passport 645120378 issued by the DPRK, designation and comment as in the UN record.
  - TSANG YUNG YUAN, KPi.080 (6908690): listed 2018-03-30, aliases Neil Tsang and Yun Yuan Tsang,
    DOB 1957-10-20, passport 302001581, comment as in the UN record.
  - PRO-GAIN GROUP CORPORATION, KPe.071 (6908686): listed 2018-03-30, "Company owned or controlled
    by Tsang Yung Yuan" (the sample's UnknownLink, role "owned or controlled by").
  - KOREA ACHIM SHIPPING CO, KPe.061 (6908674): listed 2018-03-30, address Sochang-dong,
    Chung-guyok, Pyongyang; "Registered owner of DPRK tanker CHON MA SAN" (the sample's Ownership,
    role "Registered owner", and the vessel's type "Tanker"); "IMO number: 5936312" (also OFAC's
    "Company Number IMO 5936312", ent_num 23707).
  - RECONNAISSANCE GENERAL BUREAU, KPe.031 (6908526): listed 2016-03-02, a.k.a. Chongch’al
    Ch’ongguk, KPA Unit 586, RGB; addresses Hyongjesan-Guyok and Nungrado, Pyongyang.
  - OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM), KPe.020 (6908046): listed 2014-07-28, three
    a.k.a.s, two Pyongyang addresses, IMO company number 1790183, comment's first two sentences.
* From the OFAC copy ``shared/data/ofac/jackdwyer__specially-designated-nationals-list/sdn.csv``:
  the vessel CHON MA SAN, ent_num 23729, program DPRK4, flag Democratic People's Republic of
  Korea, "Vessel Registration Identification IMO 8660313; Linked To: KOREA ACHIM SHIPPING CO." It
  is published under ``us_ofac_sdn`` (authority Office of Foreign Assets Control), as
  OpenSanctions' collections carry several datasets in one file: that Japan lists this vessel is
  not claimed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from sanctions.identifiers import check_imo
from sanctions.parsers.ftm_entities import (
    MAX_ID_LENGTH,
    content_sha256,
    parse_ftm_entities,
    read_generated_at,
)
from sanctions.parsers.types import (
    ListParseError,
    ParsedAddress,
    ParsedBirthDate,
    ParsedLink,
    ParsedList,
    ParsedMeasure,
    ParsedName,
    ParsedRecord,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "seeds" / "ftm_sample.ftm.json"
UN_SAMPLE = REPO_ROOT / "seeds" / "un_consolidated_sample.xml"
OFAC_SDN = REPO_ROOT.parent / "shared" / "data" / "ofac" / "jackdwyer__specially-designated-nationals-list" / "sdn.csv"

# --------------------------------------------------------------------------- fixture builders


def entity(entity_id: str, schema: str, **properties: list[str] | str) -> dict:
    """An FtM entity as its JSON line holds it; a lone string value becomes a one-value list."""
    return {
        "id": entity_id,
        "schema": schema,
        "properties": {prop: [values] if isinstance(values, str) else values for prop, values in properties.items()},
    }


def sanction(entity_id: str, sanction_id: str | None = None, **properties: list[str] | str) -> dict:
    return entity(sanction_id or f"{entity_id}-sanction", "Sanction", entity=entity_id, **properties)


def lines(*entities: dict) -> bytes:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in entities).encode("utf-8")


def parse(*entities: dict) -> ParsedList:
    return parse_ftm_entities(lines(*entities))


def record(*entities: dict, external_id: str = "p1") -> ParsedRecord:
    parsed = parse(*entities)
    return next(item for item in parsed.records if item.external_id == external_id)


PERSON = entity("p1", "Person", name="KIM IL")
PERSON_SANCTION = sanction("p1")


def sample_lines() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def sample_entity(caption: str, schema: str | None = None) -> dict:
    return next(item for item in sample_lines()
                if item["caption"] == caption and (schema is None or item["schema"] == schema))


def sanctions_of(entity_id: str) -> list[dict]:
    return [item for item in sample_lines()
            if item["schema"] == "Sanction" and entity_id in item["properties"]["entity"]]


@pytest.fixture(scope="module")
def sample() -> ParsedList:
    return parse_ftm_entities(SAMPLE.read_bytes())


def by_name(parsed: ParsedList, name: str) -> ParsedRecord:
    return next(item for item in parsed.records if item.primary_name == name)


# --------------------------------------------------------------------------- the hand-written sample


def test_sample_every_target_is_a_record_sorted_by_id(sample: ParsedList) -> None:
    kinds = {"Person": "individual", "Organization": "entity", "Company": "entity", "LegalEntity": "entity",
             "PublicBody": "entity", "Vessel": "vessel"}
    targets = [item for item in sample_lines() if item.get("target") is True]
    assert {item["schema"] for item in targets} <= set(kinds)
    assert [item.external_id for item in sample.records] == sorted(item["id"] for item in targets)
    by_id = sorted(targets, key=lambda item: item["id"])
    assert [item.kind for item in sample.records] == [kinds[item["schema"]] for item in by_id]
    assert (sample.individuals, sample.entities, sample.vessels) == (
        sum(kinds[item["schema"]] == "individual" for item in targets),
        sum(kinds[item["schema"]] == "entity" for item in targets),
        sum(kinds[item["schema"]] == "vessel" for item in targets),
    ) == (3, 4, 1)
    assert sample.generated_at is None
    assert sample.unknown_element_counts == {}  # every reference resolves, every schema is read


def test_sample_is_valid_ftm_and_every_reference_resolves() -> None:
    from followthemoney import model

    items = sample_lines()
    ids = {item["id"] for item in items}
    assert len(ids) == len(items) and 6 <= sum(item["target"] for item in items) <= 10
    for item in items:
        # FtM's own cleaning keeps every value as written: nothing invalid, nothing non-canonical.
        assert model.get_proxy(item, cleaned=False).to_dict()["properties"] == item["properties"], item["id"]
        schema = model.get(item["schema"])
        for prop, values in item["properties"].items():
            if schema.get(prop).type.name == "entity":
                assert set(values) <= ids, (item["id"], prop)


def test_sample_person_with_a_passport_entity(sample: ParsedList) -> None:
    line = sample_entity("CHU HYO’K", "Person")
    props = line["properties"]
    (sanction_line,) = sanctions_of(line["id"])
    passport = next(item for item in sample_lines()
                    if item["schema"] == "Passport" and item["properties"]["holder"] == [line["id"]])
    chu = by_name(sample, "CHU HYO’K")

    assert chu.external_id == line["id"] and chu.kind == "individual"
    assert chu.reference_number == chu.cited_un_reference == sanction_line["properties"]["unscId"][0] == "KPi.065"
    assert chu.programs == (chu.regime,) == tuple(sanction_line["properties"]["program"])
    assert chu.listed_on == dt.date.fromisoformat(sanction_line["properties"]["startDate"][0]) == dt.date(2017, 12, 22)
    assert chu.list_types == ("jp_mof_sanctions",)
    assert chu.names == (
        ParsedName(props["name"][0], "primary"),
        ParsedName(props["alias"][0], "alias", quality="good"),
    )
    assert chu.name_parts == (props["firstName"][0], props["secondName"][0]) == ("CHU", "HYO’K")
    assert chu.birth_dates == (ParsedBirthDate("exact", date=dt.date(1986, 11, 22), year=1986),)
    assert [(n.country_code, n.value) for n in chu.nationalities] == [
        ("KP", "Korea (the Democratic People's Republic of)")]
    assert chu.gender == "Male" and chu.designations == tuple(props["position"])
    # The Passport entity takes the place of the bare passportNumber OpenSanctions copies to its holder.
    (document,) = chu.identifiers
    assert props["passportNumber"] == passport["properties"]["number"] == ["836420186"]
    assert (document.type, document.value, document.normalized, document.valid) == (
        "passport", "836420186", "836420186", None)
    assert document.issued_on == dt.date.fromisoformat(passport["properties"]["startDate"][0])
    assert document.expires_on is None and document.note == passport["properties"]["summary"][0]
    assert chu.raw["entity"]["id"] == line["id"] and "last_seen" not in chu.raw["entity"]
    assert [item["id"] for item in chu.raw["sanctions"]] == [sanction_line["id"]]
    assert [item["id"] for item in chu.raw["documents"]] == [passport["id"]]


def test_sample_alias_with_its_hanzi_in_brackets_stays_an_alias(sample: ParsedList) -> None:
    kim = by_name(sample, "KIM CHOL SAM")

    assert kim.names[1] == ParsedName("Jin Tiesan (金铁三)", "alias", quality="good", script="han")
    (passport,) = kim.identifiers
    assert (passport.value, passport.country_code) == ("645120378", "KP")
    assert kim.comments == sample_entity("KIM CHOL SAM", "Person")["properties"]["notes"][0]


def test_sample_vessel_with_its_owner(sample: ParsedList) -> None:
    line = sample_entity("CHON MA SAN", "Vessel")
    owner = sample_entity("KOREA ACHIM SHIPPING CO", "Company")
    ship = by_name(sample, "CHON MA SAN")

    assert ship.kind == "vessel" and ship.external_id == "ofac-23729"
    assert ship.reference_number == ship.external_id  # no authorityId or unscId
    assert ship.cited_un_reference == "" and ship.programs == ("DPRK4",) and ship.listed_on is None
    (imo,) = ship.identifiers
    assert (imo.type, imo.value, imo.normalized, imo.valid) == (
        "imo", line["properties"]["imoNumber"][0], "8660313", True)
    assert check_imo("8660313").valid
    assert ship.vessel is not None
    assert (ship.vessel.imo, ship.vessel.imo_valid, ship.vessel.flag_code, ship.vessel.vessel_type) == (
        "8660313", True, "KP", "Tanker")
    assert ship.vessel.owner == owner["caption"]
    assert ship.links == (ParsedLink("owner", name=owner["caption"], reference=owner["id"],
                                     note="Ownership: owner (Registered owner)"),)


def test_sample_company_with_an_address_entity_and_its_company_imo_number(sample: ParsedList) -> None:
    achim = by_name(sample, "KOREA ACHIM SHIPPING CO")

    (imo,) = achim.identifiers
    assert (imo.type, imo.normalized, imo.valid) == ("imo_company", "5936312", True)
    # The Address entity's full text is also in the company's `address`: read once, structured.
    assert achim.addresses == (ParsedAddress(
        kind="address", street="Sochang-dong, Chung-guyok", state_province="Pyongyang",
        country="Korea (the Democratic People's Republic of)", country_code="KP"),)
    assert achim.links == (ParsedLink("linked_to", name="CHON MA SAN", reference="ofac-23729",
                                      note="Ownership: asset (Registered owner)"),)
    assert achim.reference_number == "KPe.061"


def test_sample_unknown_link_is_on_both_records(sample: ParsedList) -> None:
    tsang, progain = by_name(sample, "TSANG YUNG YUAN"), by_name(sample, "PRO-GAIN GROUP CORPORATION")

    assert [(link.relation, link.reference) for link in tsang.links] == [("linked_to", progain.external_id)]
    assert [(link.relation, link.reference) for link in progain.links] == [("linked_to", tsang.external_id)]
    assert progain.links[0].name == "TSANG YUNG YUAN"


def test_sample_one_line_addresses_end_in_their_country(sample: ParsedList) -> None:
    rgb = by_name(sample, "RECONNAISSANCE GENERAL BUREAU")
    published = sample_entity("RECONNAISSANCE GENERAL BUREAU")["properties"]["address"]

    assert [f"{a.street}, {a.country}" for a in rgb.addresses] == published
    assert {a.country_code for a in rgb.addresses} == {"KP"}
    assert [n.name for n in rgb.names[1:]] == ["Chongch’al Ch’ongguk", "KPA Unit 586", "RGB"]


def test_sample_hash_ignores_last_seen_and_line_order_but_not_content(sample: ParsedList) -> None:
    data = SAMPLE.read_bytes()
    items = sample_lines()
    assert sample.content_sha256 == content_sha256(data)
    assert read_generated_at(data) is None

    rerun = [{**item, "last_seen": "2027-01-01T00:00:00"} for item in items]
    assert content_sha256(lines(*rerun)) == sample.content_sha256
    assert content_sha256(lines(*reversed(items))) == sample.content_sha256
    assert parse_ftm_entities(lines(*reversed(items))).records == sample.records

    changed = [dict(item) for item in items]
    changed[0] = {**changed[0], "properties": {**changed[0]["properties"], "alias": ["Ju Hyo'k"]}}
    assert content_sha256(lines(*changed)) != sample.content_sha256


# --------------------------------------------------------------------------- which entities are records


def test_plain_ftm_records_are_the_sanctioned_entities() -> None:
    parsed = parse(
        PERSON, PERSON_SANCTION,
        entity("party", "LegalEntity", name="GRACE MARITIME LTD"),  # named in a link, not designated
        entity("v1", "Vessel", name="SEA GRACE", imoNumber="IMO9074729"),
        sanction("v1"),
        entity("own", "Ownership", owner="party", asset="v1"),
    )

    assert [item.external_id for item in parsed.records] == ["p1", "v1"]
    vessel = parsed.records[1]
    assert vessel.links == (ParsedLink("owner", name="GRACE MARITIME LTD", reference="party", note="Ownership: owner"),)
    assert vessel.vessel is not None and vessel.vessel.owner == "GRACE MARITIME LTD"


def test_the_target_key_decides_when_present() -> None:
    parsed = parse(
        {**PERSON, "target": True},
        {**entity("p2", "Person", name="RELATIVE"), "target": False}, sanction("p2"),
        {**entity("w1", "CryptoWallet", publicKey="bc1q"), "target": True},
    )

    assert [item.external_id for item in parsed.records] == ["p1"]
    assert parsed.unknown_element_counts == {"skipped:CryptoWallet": 1, "unread:CryptoWallet": 1}


def test_a_designation_no_longer_in_force_is_skipped_and_counted() -> None:
    parsed = parse(PERSON, PERSON_SANCTION, entity("p2", "Person", name="LEFT"), sanction("p2", status="Inactive"))

    assert [item.external_id for item in parsed.records] == ["p1"]
    assert parsed.unknown_element_counts == {"skipped:inactive designation": 1}
    both = parse(PERSON, PERSON_SANCTION, entity("p2", "Person", name="BACK"),
                 sanction("p2", status="Inactive"), sanction("p2", "s2", status="Active"))
    assert [item.external_id for item in both.records] == ["p1", "p2"]


def test_references_to_ids_not_in_the_file_are_counted_not_errors() -> None:
    parsed = parse(
        PERSON, PERSON_SANCTION,
        sanction("gone", "s-gone"),
        entity("own", "Ownership", owner="p1", asset="gone"),
        entity("doc", "Passport", holder="gone", number="X1"),
        {**entity("p2", "Person", name="KIM", addressEntity="addr-gone"), "target": True},
        entity("e1", "Event", name="A meeting"),
    )

    assert [item.external_id for item in parsed.records] == ["p1", "p2"]
    assert parsed.records[0].links == ()
    assert parsed.unknown_element_counts == {
        "unknown_reference:Ownership.asset": 1,
        "unknown_reference:Passport.holder": 1,
        "unknown_reference:Person.addressEntity": 1,
        "unknown_reference:Sanction.entity": 1,
        "unread:Event": 1,
    }


def test_a_designee_without_a_name_takes_its_caption_or_is_skipped() -> None:
    parsed = parse(
        {**entity("p1", "Person", birthDate="1960"), "caption": "KIM IL"}, PERSON_SANCTION,
        entity("p2", "Person", birthDate="1961"), sanction("p2"),
    )

    assert [(item.external_id, item.primary_name) for item in parsed.records] == [("p1", "KIM IL")]
    assert parsed.unknown_element_counts == {"skipped:Person without a name": 1}


def test_a_long_id_is_refused_for_a_record_only() -> None:
    long_id = "x" * (MAX_ID_LENGTH + 1)
    with pytest.raises(ListParseError, match=rf"line 1: the id of this Person is {MAX_ID_LENGTH + 1} characters"):
        parse(entity(long_id, "Person", name="KIM"), sanction(long_id, "s1"))
    assert parse(PERSON, PERSON_SANCTION, entity(long_id, "Address", full="Pyongyang")).records[0].external_id == "p1"


# --------------------------------------------------------------------------- fields


def test_names_qualities_and_original_scripts() -> None:
    person = record(
        entity("p1", "Person", name=["YUN HO-JIN", "ユン・ホジン"], alias=["Yun Ho-chin", "윤호진"],
               weakAlias=["Yoon Ho Jin", "호진"], previousName="YUN HO CHIN"),
        PERSON_SANCTION,
    )

    assert person.names == (
        ParsedName("YUN HO-JIN", "primary"),
        ParsedName("ユン・ホジン", "original_script", script="kana"),
        ParsedName("Yun Ho-chin", "alias", quality="good"),
        ParsedName("윤호진", "original_script", script="hangul"),
        ParsedName("Yoon Ho Jin", "alias", quality="low"),
        ParsedName("호진", "alias", quality="low", script="hangul"),  # a weak alias keeps its quality
        ParsedName("YUN HO CHIN", "alias", quality="fka"),
    )
    assert person.name_parts == ("YUN HO-JIN",)


def test_iso_partial_birth_dates() -> None:
    person = record(entity("p1", "Person", name="KIM", birthDate=["1964", "1964-07", "1964-07-17", "July 64"]),
                    PERSON_SANCTION)

    assert person.birth_dates == (
        ParsedBirthDate("exact", year=1964),
        ParsedBirthDate("exact", year=1964, note="birthDate 1964-07"),
        ParsedBirthDate("exact", date=dt.date(1964, 7, 17), year=1964),
        ParsedBirthDate("unknown", note="birthDate July 64"),
    )


def test_person_documents_nationalities_places_and_gender() -> None:
    person = record(
        entity("p1", "Person", name="KIM", passportNumber="PS 472330208", idNumber="108310192",
               nationality="kp", citizenship=["ru", "suhh"],
               birthPlace=["Hamhung, South Hamgyong", "Pyongyang, North Korea"],
               birthCountry="kp", gender="female", title="Dr.", position="Director"),
        PERSON_SANCTION,
        entity("id1", "Identification", holder="p1", number="108310192", type="National Identification Number",
               country="kp", startDate="2010-01-05", endDate="2020-01-04", authority="Ministry of People's Security"),
    )

    assert [(i.type, i.value, i.normalized, i.type_label) for i in person.identifiers] == [
        ("passport", "PS 472330208", "PS472330208", "passportNumber"),
        ("national_id", "108310192", "108310192", "National Identification Number"),
    ]
    national_id = person.identifiers[1]
    assert (national_id.issued_on, national_id.expires_on, national_id.country_code) == (
        dt.date(2010, 1, 5), dt.date(2020, 1, 4), "KP")
    assert national_id.note == "issued by Ministry of People's Security"
    assert [(n.value, n.country_code) for n in person.nationalities] == [
        ("Korea (the Democratic People's Republic of)", "KP"), ("Russian Federation", "RU"), ("suhh", "")]
    assert person.addresses == (
        # no country in the text: the one birthCountry is the place's country
        ParsedAddress("place_of_birth", city="Hamhung, South Hamgyong",
                      country="Korea (the Democratic People's Republic of)", country_code="KP"),
        ParsedAddress("place_of_birth", city="Pyongyang", country="North Korea", country_code="KP"),
    )
    assert (person.gender, person.titles, person.designations) == ("Female", ("Dr.",), ("Director",))


def test_organisation_numbers() -> None:
    company = record(
        entity("c1", "Company", name="OMM", imoNumber=["1790183", "IMO1790184"], idNumber="123",
               registrationNumber="RN-9", swiftBic="KDBKKPPY"),
        sanction("c1"),
        external_id="c1",
    )

    assert [(i.type, i.value, i.normalized, i.valid, i.type_label) for i in company.identifiers] == [
        ("other", "123", "123", None, "idNumber"),
        ("other", "RN-9", "RN9", None, "registrationNumber"),
        ("other", "KDBKKPPY", "KDBKKPPY", None, "swiftBic"),
        ("imo_company", "1790183", "1790183", True, "imoNumber"),
        ("imo_company", "IMO1790184", "1790184", False, "imoNumber"),
    ]
    assert company.identifiers[-1].note == "IMO company-number check digit is 4, expected 3"
    assert company.vessel is None and company.kind == "entity"


def test_vessel_particulars() -> None:
    ship = record(
        entity("v1", "Vessel", name="SEA GRACE", previousName="PAEK MA", imoNumber=["9074729", "IMO9074720", "IMO12"],
               mmsi="445123000", callSign="HMAB", flag="kp", type="Oil Products Tanker", tonnage="5,000",
               grossRegisteredTonnage="2980", deadweightTonnage="4500", owner="o1", operator="o2"),
        sanction("v1"),
        entity("o1", "Company", name="PAEKMA SHIPPING CO"),
        entity("o2", "LegalEntity", name="FIRST OIL JV CO LTD"),
        external_id="v1",
    )

    assert [(i.type, i.value, i.normalized, i.valid) for i in ship.identifiers] == [
        ("imo", "9074729", "9074729", True),
        ("imo", "IMO9074720", "9074720", False),
        ("imo", "IMO12", "12", False),
        ("mmsi", "445123000", "445123000", True),
        ("call_sign", "HMAB", "HMAB", True),
    ]
    assert ship.vessel is not None
    assert dataclasses.asdict(ship.vessel) == {
        "imo": "9074729", "imo_valid": True, "mmsi": "445123000", "call_sign": "HMAB",
        "flag": "Korea (the Democratic People's Republic of)", "flag_code": "KP", "vessel_type": "Oil Products Tanker",
        "tonnage": 4500,  # the deadweight, as ParsedVessel.tonnage is read
        "gross_registered_tonnage": 2980, "owner": "PAEKMA SHIPPING CO", "linked_to": (),
    }
    assert ship.links == (
        ParsedLink("owner", name="PAEKMA SHIPPING CO", reference="o1", note="Vessel.owner"),
        ParsedLink("operator", name="FIRST OIL JV CO LTD", reference="o2", note="Vessel.operator"),
    )
    assert ship.names[1] == ParsedName("PAEK MA", "alias", quality="fka")


def test_a_vessels_bare_tonnage_is_used_without_a_deadweight() -> None:
    ship = record(entity("v1", "Vessel", name="X", tonnage="1,234.6"), sanction("v1"), external_id="v1")
    assert ship.vessel is not None
    assert (ship.vessel.tonnage, ship.vessel.imo, ship.vessel.imo_valid) == (1235, "", None)


def test_sanction_fields() -> None:
    person = record(
        entity("p1", "Person", name="KIM", modifiedAt="2023-06-29T10:00:00", notes=["First note.", "Second."]),
        sanction("p1", "s1", authorityId="JP-123", unscId="KPi.033", program="DPRK", programId="JP-DPRK",
                 listingDate="2017-01-10", startDate="2016-11-30", modifiedAt="2024-01-02",
                 provisions=["Asset freeze", "Port entry ban", "Travel ban", "Arms embargo"]),
        sanction("p1", "s2", unscId="not-a-reference", program="Other programme", listingDate="2016-12-01",
                 provisions="Deflagging of the vessel"),
    )

    assert person.reference_number == "JP-123"  # authorityId before unscId
    assert person.cited_un_reference == "KPi.033"
    assert person.programs == ("JP-DPRK", "DPRK", "Other programme") and person.regime == "JP-DPRK"
    assert person.listed_on == dt.date(2016, 12, 1)  # the earliest listingDate (startDate only without one)
    assert person.last_updated == (dt.date(2023, 6, 29), dt.date(2024, 1, 2))
    assert person.comments == "First note.\nSecond."
    on_2016_11_30 = dt.date(2016, 11, 30)
    assert person.measures == (
        ParsedMeasure("asset_freeze", designated_on=on_2016_11_30, note="Asset freeze"),
        ParsedMeasure("port_entry_ban", designated_on=on_2016_11_30, note="Port entry ban"),
        ParsedMeasure("travel_ban", designated_on=on_2016_11_30, note="Travel ban"),
        ParsedMeasure("other", designated_on=on_2016_11_30, note="Arms embargo"),
        ParsedMeasure("deflagging", designated_on=dt.date(2016, 12, 1), note="Deflagging of the vessel"),
    )


def test_unscid_only_and_the_id_as_last_resort() -> None:
    parsed = parse(PERSON, sanction("p1", unscId="KPi.001"), entity("p2", "Person", name="LEE"), sanction("p2"))
    assert [(item.reference_number, item.cited_un_reference) for item in parsed.records] == [
        ("KPi.001", "KPi.001"), ("p2", "")]


def test_associate_and_directorship_links() -> None:
    parsed = parse(
        PERSON, PERSON_SANCTION,
        entity("p2", "Person", name="LEE"), sanction("p2"),
        entity("c1", "Company", name="ACME"), sanction("c1"),
        entity("a1", "Associate", person="p1", associate="p2", relationship="brother"),
        entity("d1", "Directorship", director="p2", organization="c1", role="Director"),
    )
    links = {item.external_id: item.links for item in parsed.records}

    assert links["p1"] == (ParsedLink("associate", name="LEE", reference="p2", note="Associate: associate"),)
    assert links["p2"] == (
        ParsedLink("associate", name="KIM IL", reference="p1", note="Associate: person"),
        ParsedLink("linked_to", name="ACME", reference="c1", note="Directorship: organization (Director)"),
    )
    assert links["c1"] == (
        ParsedLink("linked_to", name="LEE", reference="p2", note="Directorship: director (Director)"),)


def test_values_are_trimmed_and_repeats_dropped() -> None:
    person = record(entity("p1", "Person", name=["  KIM   IL ", "KIM IL"], alias=["", "Kim  Il-sung"]), PERSON_SANCTION)
    assert [name.name for name in person.names] == ["KIM IL", "Kim Il-sung"]


# --------------------------------------------------------------------------- refusals


GOOD = json.dumps(PERSON) + "\n" + json.dumps(PERSON_SANCTION) + "\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "empty file", id="empty"),
        pytest.param(b"\n  \n", "empty file", id="blank lines"),
        pytest.param((GOOD + '{"id": "x", "schema": "Person" "properties": {}}\n').encode(),
                     r"line 3: malformed JSON \(Expecting ',' delimiter at column 32\)", id="malformed"),
        pytest.param((GOOD + '"just a string"\n').encode(), "line 3: a JSON string, not an entity object", id="string"),
        pytest.param((GOOD + "[1, 2]\n").encode(), "line 3: a JSON array, not an entity object", id="array line"),
        pytest.param((GOOD + '{"schema": "Person", "properties": {}}\n').encode(), "line 3: entity without an id",
                     id="no id"),
        pytest.param((GOOD + '{"id": "p9", "properties": {}}\n').encode(), "line 3: entity 'p9' without a schema",
                     id="no schema"),
        pytest.param((GOOD + '{"id": "p9", "schema": "Person", "properties": {"name": "KIM"}}\n').encode(),
                     "line 3: property 'name' of entity 'p9' is not a list of strings", id="value not a list"),
        pytest.param((GOOD + '{"id": "p9", "schema": "Person", "properties": {"name": ["KI').encode(),
                     "line 3: truncated, the file ends inside an entity", id="truncated"),
        pytest.param((GOOD + json.dumps(PERSON) + "\n").encode(), "line 3: duplicate id 'p1' \\(first at line 1\\)",
                     id="duplicate"),
        pytest.param(GOOD.encode() + b'{"id": "p9", "schema": "Person", "properties": {"name": ["\xff"]}}\n',
                     r"line 3: not UTF-8 \(byte 0xff\)", id="not utf-8"),
        pytest.param(b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- \r\n',
                     "line 1 does not start a JSON object: not FtM JSON lines", id="csv"),
        pytest.param(b"<html><body>Service unavailable</body></html>", "looks like an HTML or XML document", id="html"),
        pytest.param(b'[{"id": "p1", "schema": "Person"}]', "a JSON array, not FtM JSON lines", id="json array"),
        pytest.param(lines(entity("p1", "Person", name="KIM")),
                     "no designated Person, Organization, .* among the 1 entities", id="no designee"),
    ],
)
def test_files_that_are_not_a_usable_ftm_list_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message):
        parse_ftm_entities(data)


def test_real_files_of_other_formats_are_refused() -> None:
    with pytest.raises(ListParseError, match="looks like an HTML or XML document"):
        parse_ftm_entities(UN_SAMPLE.read_bytes())
    if OFAC_SDN.is_file():
        with pytest.raises(ListParseError, match="line 1 does not start a JSON object"):
            parse_ftm_entities(OFAC_SDN.read_bytes()[:4096])


def test_a_file_over_the_cap_is_refused_before_parsing() -> None:
    data = SAMPLE.read_bytes()
    with pytest.raises(ListParseError, match=f"file is {len(data):,} bytes, over the limit of 100 bytes"):
        parse_ftm_entities(data, max_bytes=100)


def test_a_utf8_bom_and_crlf_line_ends_are_read() -> None:
    parsed = parse_ftm_entities(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert [item.primary_name for item in parsed.records] == ["KIM IL"]
    assert parsed.content_sha256 == content_sha256(GOOD.encode())


def test_bytes_only() -> None:
    with pytest.raises(TypeError):
        parse_ftm_entities(GOOD)  # type: ignore[arg-type]
    assert content_sha256(bytearray(GOOD.encode())) == content_sha256(GOOD.encode())


def test_the_hash_never_fails() -> None:
    assert len(content_sha256(b"\xff\xfe not utf-8")) == 64
    assert content_sha256(b"not json\n[1]\n") == content_sha256(b"[1]\nnot json\n")


# --------------------------------------------------------------------------- this service's own export


@pytest.mark.django_db
def test_the_services_own_export_of_the_un_sample_round_trips() -> None:
    """Load the UN sample as the sync does, export every entry with sanctions/api/ftm.py, parse the
    export: each entry's kind, names, identifiers, dates of birth and UN reference come back, as
    worked out here from the database rows and the export's documented mapping."""
    from sanctions import selectors
    from sanctions.api import ftm
    from sanctions.models import ListEntry, ListSource
    from sanctions.parsers.un_xml import parse_un_consolidated
    from sanctions.services import list_version_apply

    version = list_version_apply(source=ListSource.objects.get(slug="un-sc"),
                                 parsed=parse_un_consolidated(UN_SAMPLE.read_bytes()))
    assert version.status == "applied", version.error
    entries = list(selectors.entry_export_list())
    groups = selectors.same_designee_ids([entry.pk for entry in entries])
    for entry in entries:  # as the export view does before projecting an entry
        entry.same_designee_ids = groups[entry.pk]
    exported = "".join(ftm.ftm_lines(entries, ftm.entry_entities)).encode("utf-8")

    parsed = parse_ftm_entities(exported)

    assert len(entries) == ListEntry.objects.count() == 38
    assert parsed.unknown_element_counts == {}
    records = {item.external_id: item for item in parsed.records}
    assert set(records) == {ftm.entry_ref(entry.pk) for entry in entries}
    quality_of_property = {"alias": "good", "weakAlias": "low", "previousName": "fka"}
    for entry in entries:
        got = records[ftm.entry_ref(entry.pk)]
        individual = entry.kind == "individual"
        assert got.kind == entry.kind
        assert got.reference_number == got.cited_un_reference == entry.reference_number
        assert got.programs == (entry.regime,) and got.listed_on == entry.listed_on
        assert got.primary_name == entry.primary_name and got.names[0].kind == "primary"
        assert got.comments == " ".join(entry.comments.split())

        expected_names = {(entry.primary_name, "primary", "")}
        for name in entry.names.all():
            if name.kind == "primary":
                continue
            quality = quality_of_property[ftm.ALIAS_PROPERTIES[name.quality]] if name.kind == "alias" else "good"
            # FtM has one `alias` property for both: a good alias written wholly in another script than
            # the name is read back as the original-script name it most likely is (KPe.002's 朝鲜连峰总公司).
            wholly_non_latin = not any(char.isascii() and char.isalpha() for char in name.name)
            if name.kind == "original_script" or (quality == "good" and wholly_non_latin):
                expected_names.add((name.name, "original_script", ""))
            elif name.kind == "alias":
                expected_names.add((name.name, "alias", quality))
        assert {(n.name, n.kind, n.quality) for n in got.names} == expected_names, entry.reference_number

        expected_ids = set()
        for identifier in entry.identifiers.all():
            if identifier.type == "passport" and individual:
                expected_ids.add(("passport", identifier.normalized))
            elif identifier.type in ("national_id", "other"):
                expected_ids.add(("national_id" if individual else "other", identifier.normalized))
            elif identifier.type == "imo_company" and not individual and identifier.is_valid:
                expected_ids.add(("imo_company", identifier.normalized))
        assert {(i.type, i.normalized) for i in got.identifiers} == expected_ids, entry.reference_number
        assert all(i.valid for i in got.identifiers if i.type == "imo_company")

        expected_births = set()
        for birth in entry.birth_dates.all():
            if birth.date:
                expected_births.add((birth.date, birth.date.year))
            elif birth.year and birth.year_to:
                years = list(range(birth.year, birth.year_to + 1))
                if len(years) > ftm.MAX_BIRTH_YEAR_SPAN:  # the export writes only the two ends then
                    years = [birth.year, birth.year_to]
                expected_births.update((None, year) for year in years)
            elif birth.year:
                expected_births.add((None, birth.year))
        assert {(b.date, b.year) for b in got.birth_dates} == expected_births, entry.reference_number

        codes = {n.country_code for n in entry.nationalities.all() if n.country_code} if individual else set()
        assert {n.country_code for n in got.nationalities} == codes, entry.reference_number
        if individual and entry.gender.lower() in ftm.GENDERS:
            assert got.gender.lower() == entry.gender.lower()
    # The sample has hangul and cyrillic original-script names, BETWEEN years and passports: the
    # round trip above covered them.
    kinds = {(n.kind, n.script) for item in parsed.records for n in item.names}
    assert {("original_script", "hangul"), ("original_script", "cyrillic")} <= kinds
    assert (parsed.individuals, parsed.entities) == (
        ListEntry.objects.filter(kind="individual").count(), ListEntry.objects.filter(kind="entity").count())
