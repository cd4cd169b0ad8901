"""Ad hoc screening: one query or a batch of up to 100, the `screen` command's query fields and
result shape, and a ScreeningCall row for every call."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from monitoring.api.serializers import ScreenQuerySerializer
from monitoring.models import ScreeningCall
from sanctions.parsers.screening_queries import QUERY_FIELDS
from sanctions.matching import ALGORITHM_NAME, ALGORITHM_VERSION
from monitoring.demo import SOURCE_SAMPLES
from sanctions.models import ListSource, ListVersion
from sanctions.services import list_sync

from .conftest import API

RI_WON_HO = {"id": "q1", "name": "Ri Won Ho", "kind": "person", "birth_date": "1964-07-17", "nationality": "KP"}
HIT_FIELDS = {"source", "reference_number", "entry_id", "name", "matched_name", "score", "match", "explanation",
              "designated_by"}


def screen(client, body):
    return client.post(f"{API}/screen/", body, format="json")


def test_query_fields_are_the_commands(db):
    assert set(ScreenQuerySerializer().fields) == QUERY_FIELDS


def test_single_query_gives_scored_explained_results_and_a_call_record(seed_list, kr):
    response = screen(kr, RI_WON_HO)

    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["id"] for r in body["results"]] == ["q1"]
    top = body["results"][0]["results"][0]
    assert set(top) == HIT_FIELDS
    assert top["reference_number"] == "KPi.033" and top["match"] is True
    assert top["explanation"] and all("score" in f and "detail" in f for f in top["explanation"].values())
    un_version = ListVersion.objects.get(source__slug="un-sc", status="applied")
    assert body["list_versions"]["un-sc"] == un_version.pk
    assert (body["algorithm"], body["algorithm_version"]) == (ALGORITHM_NAME, ALGORITHM_VERSION)

    call = ScreeningCall.objects.get(pk=body["screening_call"])
    assert call.token is not None and call.user is None and call.caller_label.startswith("token ")
    assert call.queries == [{**RI_WON_HO, "imo": "", "identifiers": [], "aliases": []}]
    assert call.list_versions == body["list_versions"]
    assert (call.algorithm, call.algorithm_version, call.threshold) == (ALGORITHM_NAME, ALGORITHM_VERSION, 0.7)
    assert call.results == body["results"]


def test_results_are_the_commands_for_the_same_queries(seed_list, kr, tmp_path):
    queries = [RI_WON_HO, {"id": "v1", "name": "CHON MYONG 1", "kind": "vessel", "imo": "8712362"},
               {"id": "o1", "name": "Korea Mining Development Trading Corp", "kind": "organization"}]
    source = tmp_path / "queries.jsonl"
    source.write_text("\n".join(json.dumps(q) for q in queries))
    output = tmp_path / "results.jsonl"
    call_command("screen", input=str(source), output=str(output), limit=3)

    response = screen(kr, {"queries": queries, "limit": 3})

    expected = [json.loads(line) for line in output.read_text().splitlines()]
    assert response.json()["results"] == expected


def test_batch_keeps_order_ids_and_options_in_one_call_record(seed_list, kr):
    queries = [{"name": "Ri Won Ho"}, {"id": 7, "name": "Nobody Atall"}, {"id": "x", "name": "Kim Jong Sik"}]

    response = screen(kr, {"queries": queries, "limit": 1, "threshold": 0.99, "sources": ["un-sc"]})

    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["id"] for r in body["results"]] == ["1", "7", "x"]
    assert all(len(r["results"]) <= 1 for r in body["results"])
    assert body["threshold"] == 0.99 and body["limit"] == 1 and list(body["list_versions"]) == ["un-sc"]
    assert ScreeningCall.objects.count() == 1
    assert len(ScreeningCall.objects.get().queries) == 3


def test_threshold_decides_the_match_flag(seed_list, kr):
    strict = screen(kr, {**RI_WON_HO, "threshold": 1.0}).json()["results"][0]["results"]
    loose = screen(kr, {**RI_WON_HO, "threshold": 0.0}).json()["results"][0]["results"]

    assert strict and not any(hit["match"] for hit in strict if hit["score"] < 1.0)
    assert all(hit["match"] for hit in loose)
    assert ScreeningCall.objects.count() == 2


def test_a_hundred_queries_pass_and_a_hundred_and_one_are_400(seed_list, kr):
    queries = [{"id": str(i), "name": f"Person {i}"} for i in range(101)]

    assert screen(kr, {"queries": queries[:100]}).status_code == 200
    response = screen(kr, {"queries": queries})

    assert response.status_code == 400
    assert "100" in str(response.json()["queries"])
    assert ScreeningCall.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({**RI_WON_HO, "passport": "123"}, "passport"),
    ({"queries": [RI_WON_HO, {"name": "x", "dob": "1964"}]}, "queries"),
    ({"queries": [RI_WON_HO], "name": "x"}, "name"),
    ({"queries": []}, "queries"),
    ({"queries": "Ri Won Ho"}, "queries"),
    ({"kind": "person"}, "name"),
    ({"name": "  "}, "name"),
    ({"name": "x", "kind": "ship"}, "kind"),
    ({"name": "x", "aliases": "y"}, "aliases"),
    ({"name": "x", "identifiers": [1, {"a": 2}]}, "identifiers"),
    ({"name": "x", "threshold": 1.5}, "threshold"),
    ({"name": "x", "limit": 0}, "limit"),
    ({"name": "x", "sources": ["no-such-list"]}, "sources"),
    ({"name": 123}, "name"),
    ({"name": "x", "imo": 8628597}, "imo"),
    ({"name": "x", "identifiers": [472310128]}, "identifiers"),
    ({"imo": "  ", "identifiers": []}, "name"),
    ({"queries": [{"imo": "8628597"}, {"kind": "vessel"}]}, "queries"),
])
def test_bad_screening_input_is_400_naming_the_field_and_records_nothing(seed_list, kr, body, field):
    response = screen(kr, body)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert ScreeningCall.objects.count() == 0


def test_unknown_fields_of_a_batch_query_are_named(seed_list, kr):
    response = screen(kr, {"queries": [RI_WON_HO, {"name": "x", "dob": "1964"}]})

    assert response.json()["queries"]["1"] == {"dob": ["Unknown field."]}


def test_analyst_session_screens_and_is_recorded_as_the_user(seed_list, analyst_kr, session_for):
    response = screen(session_for(analyst_kr), {"name": "Ri Won Ho"})

    assert response.status_code == 200
    call = ScreeningCall.objects.get()
    assert call.user == analyst_kr and call.token is None


def test_screening_is_throttled_per_caller(seed_list, kr, jp, monkeypatch):
    from config.api import CallerScopeThrottle

    monkeypatch.setattr(CallerScopeThrottle, "THROTTLE_RATES", {"screen": "2/min"})

    assert [screen(kr, {"name": "x"}).status_code for _ in range(3)] == [200, 200, 429]
    assert screen(jp, {"name": "x"}).status_code == 200


def test_each_result_names_every_list_that_designates_the_entry(seed_list, kr):
    # The UK sample's OMM record (Group ID 13143) cites "UN Ref KPe.020", the UN sample's OMM.
    uk = list_sync(source=ListSource.objects.get(slug="uk-ofsi"), location=str(SOURCE_SAMPLES["uk-ofsi"]))
    assert uk.status == "applied", uk.error

    body = screen(kr, {"name": "Ocean Maritime Management Company Limited", "kind": "organization",
                       "sources": ["un-sc"]}).json()

    top = body["results"][0]["results"][0]
    assert (top["source"], top["reference_number"]) == ("un-sc", "KPe.020")
    assert [(d["source"], d["reference_number"]) for d in top["designated_by"]] == [
        ("un-sc", "KPe.020"), ("uk-ofsi", "UK-13143")]
    assert top["designated_by"][1]["authority"] == "HM Treasury OFSI"


def test_a_vessel_is_screened_by_its_imo_number_alone(seed_list, kr):
    list_sync(source=ListSource.objects.get(slug="un-1718-vessels"), location=str(SOURCE_SAMPLES["un-1718-vessels"]))

    response = screen(kr, {"imo": "8628597"})  # HAO FAN 6 in the 1718 Committee's vessel list

    assert response.status_code == 200, response.content
    [result] = response.json()["results"]
    assert result["warnings"] == []
    assert result["results"][0]["name"] == "HAO FAN 6" and result["results"][0]["match"]


def test_an_imo_number_whose_check_digit_fails_is_screened_with_a_warning(seed_list, kr):
    list_sync(source=ListSource.objects.get(slug="un-1718-vessels"), location=str(SOURCE_SAMPLES["un-1718-vessels"]))

    # 8*7+6*6+2*5+8*4+5*3+9*2 = 167: HAO FAN 6's check digit is 7, not 8.
    response = screen(kr, {"name": "HAO FAN 6", "kind": "vessel", "imo": "8628598"})

    assert response.status_code == 200, response.content
    [result] = response.json()["results"]
    assert result["warnings"] == ["imo: IMO check digit is 8, expected 7; screened as given"]
    assert result["results"][0]["name"] == "HAO FAN 6"  # found by its name
    assert ScreeningCall.objects.get().results[0]["warnings"] == result["warnings"]
