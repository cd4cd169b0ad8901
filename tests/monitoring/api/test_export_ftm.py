"""The FollowTheMoney export: every line a valid entity (checked with the followthemoney
library), only reports the caller may see, links as the schemas allow them (Event.involved takes
legal entities, vessels get an UnknownLink), the TLP marking on every entity, and the reporting
state named only when attribution is public."""
from __future__ import annotations

import datetime
import json

import pytest
from followthemoney import model
from followthemoney.exc import InvalidData

from audit.models import AuditRecord

from .conftest import API

EXPORT = f"{API}/export/reports.ftm.jsonl"


@pytest.fixture
def reports(analyst_kr, analyst_jp, make_report, make_subject):
    day = datetime.datetime(2024, 3, 1, 10, 15, tzinfo=datetime.UTC)
    green = make_report(author=analyst_kr, tlp="GREEN", title="Ship-to-ship transfer off Nampo",
                        state_reference="KR-2024-117", location_text="Off Nampo, North Korea",
                        occurred_from=day, occurred_to=day + datetime.timedelta(days=2), narrative="Hoses seen.")
    for fields in (
        {"kind": "vessel", "role": "receiving_vessel", "name": "SAEBYOL", "imo": "9126687", "flag": "KP",
         "mmsi": "445118000", "call_sign": "HMYW"},
        {"kind": "organization", "role": "owner", "name": "Korea Mining Development Trading Corp", "imo": "5556667"},
        {"kind": "person", "role": "operator", "name": "RI WON HO", "date_of_birth": "1964-07", "nationality": "KP",
         "documents": [{"type": "passport", "number": "PD123", "country": "KP"}]},
        {"kind": "unknown", "role": "broker", "name": "A broker", "aliases": ["Broker Ltd"]},
    ):
        make_subject(report=green, actor=analyst_kr, **fields)
    strict = make_report(author=analyst_kr, tlp="AMBER+STRICT", title="Strict report")
    make_subject(report=strict, actor=analyst_kr, kind="vessel", role="supplying_vessel", name="HIDDEN SHIP")
    red = make_report(author=analyst_kr, tlp="RED", title="Red report")
    jp_public = make_report(author=analyst_jp, tlp="GREEN", title="Japanese public notice", attribution_public=True,
                            occurred_from=day, occurred_precision="month", location_text="East China Sea")
    for number in (1, 2):  # two vessels: which one an owner owns is not said, so no Ownership
        make_subject(report=jp_public, actor=analyst_jp, kind="vessel", role="carrier_vessel", name=f"SHIP {number}")
    make_subject(report=jp_public, actor=analyst_jp, kind="organization", role="owner", name="Owner Co")
    return {"green": green, "strict": strict, "red": red, "jp_public": jp_public}


def export(client) -> list[dict]:
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    text = b"".join(response.streaming_content).decode()
    return [json.loads(line) for line in text.splitlines()]


def events(lines) -> set[str]:
    return {line["properties"]["name"][0] for line in lines if line["schema"] == "Event"}


def assert_valid_ftm(lines: list[dict]) -> None:
    by_id = {line["id"]: line for line in lines}
    assert len(by_id) == len(lines), "entity ids are unique"
    for line in lines:
        schema = model.get(line["schema"])
        assert schema is not None and not schema.abstract, line["schema"]
        schema.validate(line)  # raises InvalidData on a bad value
        proxy = model.get_proxy(line, cleaned=False)
        for name, values in line["properties"].items():
            prop = schema.get(name)
            assert prop is not None, f"{line['schema']} has no property {name}"
            for value in values:
                assert prop.type.clean(value) is not None, (line["schema"], name, value)
            if prop.type.name == "entity":
                for ref in values:
                    assert ref in by_id, f"{name} points to a missing entity {ref}"
                    assert model.get(by_id[ref]["schema"]).is_a(prop.range), (name, by_id[ref]["schema"])
        assert proxy.caption


def test_every_line_is_a_valid_followthemoney_entity(reports, kr, jp, team_admin, session_for):
    for client in (kr, jp, session_for(team_admin)):
        lines = export(client)
        assert lines
        assert_valid_ftm(lines)


@pytest.mark.parametrize(("lines", "error"), [
    ([{"id": "e", "schema": "Event", "properties": {"name": ["x"], "colour": ["red"]}}], AssertionError),
    ([{"id": "v", "schema": "Vessel", "properties": {"name": ["x"], "flag": ["Atlantis"]}}], InvalidData),
    ([{"id": "e", "schema": "Event", "properties": {"name": ["x"], "involved": ["v"]}},
      {"id": "v", "schema": "Vessel", "properties": {"name": ["y"]}}], AssertionError),  # a Vessel is no LegalEntity
    ([{"id": "e", "schema": "Event", "properties": {"name": ["x"], "involved": ["nobody"]}}], AssertionError),
])
def test_the_check_catches_bad_entities(lines, error):
    with pytest.raises(error):
        assert_valid_ftm(lines)


@pytest.mark.parametrize(("caller", "expected"), [
    ("kr", {"green", "strict", "jp_public"}),
    ("jp", {"green", "jp_public"}),
    ("asean", {"green", "jp_public"}),
    ("research", set()),
    ("kr_analyst", {"green", "strict", "red", "jp_public"}),
])
def test_export_holds_only_reports_the_caller_sees(reports, request, client_for, research_group, session_for,
                                                   analyst_kr, caller, expected):
    client = {"research": lambda: client_for(partner=research_group),
              "kr_analyst": lambda: session_for(analyst_kr)}.get(caller, lambda: request.getfixturevalue(caller))()

    lines = export(client)

    assert events(lines) == {reports[name].title for name in expected}
    if "strict" not in expected:
        assert "HIDDEN SHIP" not in json.dumps(lines)


def test_the_reporting_state_is_named_only_when_attribution_is_public(reports, kr):
    lines = export(kr)
    green = [line for line in lines if line["id"].endswith(str(reports["green"].pk))
             or line["properties"].get("description", [""])[0].endswith(reports["green"].title)]
    event = next(line for line in lines if line["schema"] == "Event"
                 and line["properties"]["name"] == [reports["green"].title])
    public = next(line for line in lines if line["schema"] == "Event"
                  and line["properties"]["name"] == [reports["jp_public"].title])

    assert "publisher" not in event["properties"]
    text = json.dumps(green + [event])
    assert "South Korea" not in text and "Korea, Republic" not in text and "KR-2024-117" not in text
    assert public["properties"]["publisher"] == ["Japan"]


def test_subjects_and_links_follow_the_schemas(reports, kr):
    lines = export(kr)
    by_schema: dict[str, list[dict]] = {}
    for line in lines:
        by_schema.setdefault(line["schema"], []).append(line)
    by_name = {line["properties"]["name"][0]: line for line in lines if "name" in line["properties"]}
    event = by_name[reports["green"].title]
    vessel, company = by_name["SAEBYOL"], by_name["Korea Mining Development Trading Corp"]
    person, broker = by_name["RI WON HO"], by_name["A broker"]

    assert (vessel["schema"], company["schema"], person["schema"], broker["schema"]) == (
        "Vessel", "Organization", "Person", "LegalEntity")
    assert vessel["properties"]["imoNumber"] == ["IMO9126687"]
    assert vessel["properties"]["flag"] == ["kp"] and vessel["properties"]["callSign"] == ["HMYW"]
    assert person["properties"]["birthDate"] == ["1964-07"] and person["properties"]["nationality"] == ["kp"]
    assert person["properties"]["passportNumber"] == ["PD123"]
    assert broker["properties"]["alias"] == ["Broker Ltd"]
    assert sorted(event["properties"]["involved"]) == sorted([company["id"], person["id"], broker["id"]])
    assert vessel["id"] not in event["properties"]["involved"]
    links = [link for link in by_schema["UnknownLink"] if link["properties"]["object"] == [event["id"]]]
    assert [link["properties"]["subject"] for link in links] == [[vessel["id"]]]
    assert links[0]["properties"]["role"] == ["Receiving vessel"]
    ownerships = [o for o in by_schema["Ownership"] if o["properties"]["asset"] == [vessel["id"]]]
    assert [o["properties"]["owner"] for o in ownerships] == [[company["id"]]]
    assert vessel["properties"]["operator"] == [person["id"]]
    # The Japanese report names two vessels and an owner: no guess at which vessel it owns.
    owner_co = by_name["Owner Co"]
    assert not [o for o in by_schema["Ownership"] if o["properties"]["owner"] == [owner_co["id"]]]


def test_event_carries_dates_location_and_the_tlp_marking_on_every_entity(reports, kr):
    lines = export(kr)
    event = next(line for line in lines if line["properties"].get("name") == [reports["green"].title])
    monthly = next(line for line in lines if line["properties"].get("name") == [reports["jp_public"].title])

    assert event["properties"]["date"] == ["2024-03-01"]
    assert (event["properties"]["startDate"], event["properties"]["endDate"]) == (["2024-03-01"], ["2024-03-03"])
    assert event["properties"]["country"] == ["kp"]
    assert event["properties"]["location"] == ["Off Nampo, North Korea"]
    assert monthly["properties"]["date"] == ["2024-03"]
    for line in lines:
        marked = json.dumps(line["properties"].get("keywords", []) + line["properties"].get("description", []))
        assert "TLP:" in marked, line
    strict_lines = [line for line in lines if "TLP:AMBER+STRICT" in json.dumps(line)]
    assert {line["schema"] for line in strict_lines} == {"Event", "Vessel", "UnknownLink"}


def test_team_administrator_export_is_audited_per_report(reports, team_admin, session_for):
    export(session_for(team_admin))

    audited = set(AuditRecord.objects.filter(action="read", actor=team_admin, context__channel="api")
                  .values_list("object_id", flat=True))
    assert audited == {str(report.pk) for report in reports.values()}
