"""Tests for the OFAC legacy SDN CSV parser: one small inline fixture per rule, then the real copies.

Pure: no database, no Django settings needed.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from sanctions.identifiers import check_imo
from sanctions.parsers.ofac_sdn import DPRK_PROGRAMS, content_sha256, parse_ofac_sdn, split_programs
from sanctions.parsers.types import (
    ListParseError,
    ParsedBirthDate,
    ParsedList,
    ParsedName,
    ParsedRecord,
    ParsedVessel,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
OFAC_DATA = REPO_ROOT.parent / "shared" / "data" / "ofac"
WATCHMAN = OFAC_DATA / "moov-io__watchman__bench"
JACKDWYER = OFAC_DATA / "jackdwyer__specially-designated-nationals-list"

# --------------------------------------------------------------------------- fixture builders

NULL = None  # written as OFAC writes it: -0- followed by a space, unquoted


def _cell(value: str | None) -> str:
    return "-0- " if value is None else '"' + value.replace('"', '""') + '"'


def _csv(rows: list[list[str | None]], *, trailer: bool = True) -> bytes:
    lines = [",".join([row[0] or "", *(_cell(value) for value in row[1:])]) for row in rows]
    return ("\r\n".join(lines) + "\r\n" + ("\x1a" if trailer else "")).encode("utf-8")


def sdn_row(
    ent_num: str = "1001",
    name: str = "TEST TRADING CO",
    sdn_type: str | None = NULL,
    program: str = "DPRK",
    *,
    title: str | None = NULL,
    call_sign: str | None = NULL,
    vess_type: str | None = NULL,
    tonnage: str | None = NULL,
    grt: str | None = NULL,
    flag: str | None = NULL,
    owner: str | None = NULL,
    remarks: str | None = NULL,
) -> list[str | None]:
    return [ent_num, name, sdn_type, program, title, call_sign, vess_type, tonnage, grt, flag, owner, remarks]


def vessel_row(ent_num: str = "2001", name: str = "CHONG RIM 2", remarks: str | None = None, **fields) -> list:
    remarks = remarks if remarks is not None else "Vessel Registration Identification IMO 8916293."
    return sdn_row(ent_num, name, "vessel", fields.pop("program", "DPRK3"), remarks=remarks, **fields)


def individual_row(ent_num: str = "3001", name: str = "KIM, Jong Ho", remarks: str | None = NULL, **fields) -> list:
    return sdn_row(ent_num, name, "individual", fields.pop("program", "DPRK2"), remarks=remarks, **fields)


def parse_rows(*rows: list, **kwargs) -> ParsedList:
    return parse_ofac_sdn(_csv(list(rows)), **kwargs)


def only(parsed: ParsedList) -> ParsedRecord:
    assert len(parsed.records) == 1
    return parsed.records[0]


# --------------------------------------------------------------------------- types (backward compatible)


def test_parsed_record_fields_after_the_published_ones_are_optional() -> None:
    fields = {f.name: f for f in dataclasses.fields(ParsedRecord)}
    optional = ("vessel", "programs", "cited_un_reference", "links", "measures")
    assert all(fields[name].default is not dataclasses.MISSING for name in optional)
    assert ParsedVessel() == ParsedVessel(imo="", imo_valid=None, linked_to=())
    parsed = parse_rows(sdn_row(), individual_row(), vessel_row())
    assert (parsed.individuals, parsed.entities, parsed.vessels) == (1, 1, 1)


# --------------------------------------------------------------------------- file format


def test_null_marker_becomes_empty_and_raw_is_the_row() -> None:
    record = only(parse_rows(sdn_row(remarks="Organization Type: Shipping.")))
    assert record.kind == "entity"
    assert record.external_id == "1001"
    assert record.reference_number == "OFAC-1001"
    assert record.titles == () and record.gender == ""
    assert record.raw == {
        "ent_num": "1001", "SDN_Name": "TEST TRADING CO", "SDN_Type": "", "Program": "DPRK", "Title": "",
        "Call_Sign": "", "Vess_type": "", "Tonnage": "", "GRT": "", "Vess_flag": "", "Vess_owner": "",
        "Remarks": "Organization Type: Shipping.", "aliases": [], "addresses": [],
    }  # fmt: skip
    assert record.comments == "Organization Type: Shipping."
    assert record.vessel is None
    assert json.loads(json.dumps(record.raw)) == record.raw


def test_trailing_control_character_is_not_a_row_and_not_hashed() -> None:
    with_trailer = _csv([sdn_row()], trailer=True)
    assert with_trailer.endswith(b"\r\n\x1a")
    without = _csv([sdn_row()], trailer=False)
    first, second = parse_ofac_sdn(with_trailer), parse_ofac_sdn(without)
    assert len(first.records) == 1
    assert first.content_sha256 == second.content_sha256 == content_sha256(without)
    assert first.generated_at is None
    assert first.records == second.records


def test_content_hash_covers_every_file_and_the_program_filter() -> None:
    sdn = _csv([sdn_row(), vessel_row()])
    alt = _csv([["1001", "1", "aka", "TTC", None]])
    base = parse_ofac_sdn(sdn).content_sha256
    assert parse_ofac_sdn(sdn, alt=alt).content_sha256 != base
    assert parse_ofac_sdn(sdn, programs={"DPRK3"}).content_sha256 != base
    lower, upper = parse_ofac_sdn(sdn, programs={"dprk3"}), parse_ofac_sdn(sdn, programs=["DPRK3"])
    assert lower.content_sha256 == upper.content_sha256
    assert re.fullmatch(r"[0-9a-f]{64}", base)


def test_wrong_column_count_is_refused_with_row_and_line() -> None:
    good = _csv([sdn_row()]).decode().rstrip("\x1a")
    bad = good + '1002,"SHORT ROW",-0- ,"DPRK"\r\n\x1a'
    with pytest.raises(ListParseError, match=r"sdn\.csv row 2 \(line 2\): 4 columns, expected 12"):
        parse_ofac_sdn(bad.encode())


def test_unterminated_quote_is_refused() -> None:
    text = _csv([sdn_row()]).decode().rstrip("\x1a") + '1002,"BROKEN'
    with pytest.raises(ListParseError, match=r"sdn\.csv .*malformed CSV|sdn\.csv row 2"):
        parse_ofac_sdn(text.encode())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"sdn\.csv is empty"),
        (b"\r\n\x1a", r"sdn\.csv is empty"),
        (b"<!DOCTYPE html>\n<html><body>Service Unavailable</body></html>", r"HTML or XML"),
        (b'<?xml version="1.0"?><sdnList/>', r"HTML or XML"),
        (b'ent,"NAME",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n', r"ent_num 'ent' is not a number"),
        (b'36,12,"aka","AERO-CARIBBEAN",-0- \r\n\x1a', r"row 1 \(line 1\): 5 columns, expected 12"),
        (b'{"error": "not found"}', r"row 1 \(line 1\): 1 columns"),
    ],
)
def test_things_that_are_not_the_sdn_csv_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message):
        parse_ofac_sdn(data)


@pytest.mark.parametrize("empty", [b"", b"\r\n\x1a"])
def test_an_empty_comments_file_has_no_rows_but_an_empty_alt_or_add_file_is_refused(empty: bytes) -> None:
    sdn = _csv([sdn_row()])
    assert parse_ofac_sdn(sdn, sdn_comments=empty).records == parse_ofac_sdn(sdn).records
    for name in ("alt", "add"):
        with pytest.raises(ListParseError, match=rf"{name}\.csv is empty"):
            parse_ofac_sdn(sdn, **{name: empty})
    cut = _csv([sdn_row(remarks="x" * 1000)])  # a remark that runs on in sdn_comments.csv
    with pytest.raises(ListParseError, match=r"sdn_comments\.csv is empty, but 1 remarks of sdn\.csv are cut"):
        parse_ofac_sdn(cut, sdn_comments=empty)


def test_files_over_the_cap_are_refused_before_parsing() -> None:
    sdn = _csv([sdn_row()])
    with pytest.raises(ListParseError, match=rf"sdn\.csv is {len(sdn)} bytes, over the limit of {len(sdn) - 1} bytes"):
        parse_ofac_sdn(sdn, max_bytes=len(sdn) - 1)
    alt = _csv([["1001", "1", "aka", "X" * 200, None]])
    with pytest.raises(ListParseError, match=r"alt\.csv is \d+ bytes, over the limit"):
        parse_ofac_sdn(sdn, alt=alt, max_bytes=len(sdn))


def test_alt_and_add_files_are_checked_too() -> None:
    sdn = _csv([sdn_row()])
    with pytest.raises(ListParseError, match=r"alt\.csv row 1 \(line 1\): 12 columns, expected 5"):
        parse_ofac_sdn(sdn, alt=sdn)
    with pytest.raises(ListParseError, match=r"add\.csv row 1 \(line 1\): 5 columns, expected 6"):
        parse_ofac_sdn(sdn, add=_csv([["1001", "1", "aka", "X", None]]))


def test_duplicate_ent_num_is_refused() -> None:
    with pytest.raises(ListParseError, match=r"line 2: duplicate ent_num 1001 \(first seen at line 1\)"):
        parse_rows(sdn_row(), sdn_row(name="OTHER"))


def test_latin1_bytes_are_decoded_and_a_header_row_is_tolerated() -> None:
    header = b"ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks\r\n"
    body = _csv([sdn_row(name="CAF\u00c9 LIMITADA")]).decode("utf-8").encode("latin-1")
    record = only(parse_ofac_sdn(header + body))
    assert record.primary_name == "CAF\u00c9 LIMITADA"


def test_bytes_only() -> None:
    with pytest.raises(TypeError):
        parse_ofac_sdn(_csv([sdn_row()]).decode())  # type: ignore[arg-type]


# --------------------------------------------------------------------------- programs and kinds


def test_split_programs() -> None:
    assert split_programs("DPRK3] [DPRK4") == ("DPRK3", "DPRK4")
    assert split_programs("[NPWMD] [DPRK2]") == ("NPWMD", "DPRK2")
    assert split_programs("DPRK") == ("DPRK",)
    assert split_programs("") == ()


def test_programs_filter_keeps_records_with_any_wanted_program() -> None:
    rows = [
        sdn_row("1", "A", program="DPRK"),
        sdn_row("2", "B", program="NPWMD] [DPRK2"),
        sdn_row("3", "C", program="SDGT"),
        sdn_row("4", "D", program="CUBA"),
        vessel_row("5", program="DPRK3] [DPRK4"),
    ]
    everything = parse_rows(*rows)
    assert [r.external_id for r in everything.records] == ["1", "2", "3", "4", "5"]
    dprk = parse_rows(*rows, programs=DPRK_PROGRAMS)
    assert [r.external_id for r in dprk.records] == ["1", "2", "5"]
    second = dprk.records[1]
    assert second.regime == "NPWMD"  # the first program, as published
    assert second.list_types == ("NPWMD", "DPRK2")
    assert [r.external_id for r in parse_rows(*rows, programs="cuba").records] == ["4"]


def test_programs_filter_that_keeps_nothing_is_an_error() -> None:
    with pytest.raises(ListParseError, match=r"no records left: 1 records in sdn\.csv, none under the programs IRAN"):
        parse_rows(sdn_row(), programs={"IRAN"})


def test_aircraft_are_skipped_and_counted() -> None:
    rows = [
        sdn_row("1", "AIR KORYO", program="DPRK3"),
        sdn_row("2", "P-885", "aircraft", "DPRK3", remarks="Aircraft Model Tu-204-300."),
        sdn_row("3", "EP-MNA", "aircraft", "SDGT"),
    ]
    parsed = parse_rows(*rows, programs=DPRK_PROGRAMS)
    assert [r.external_id for r in parsed.records] == ["1"]
    assert parsed.unknown_element_counts == {"skipped:aircraft": 1}  # the SDGT one was filtered out first
    assert parse_rows(*rows).unknown_element_counts == {"skipped:aircraft": 2}


def test_unknown_sdn_type_is_kept_as_entity_and_counted() -> None:
    parsed = parse_rows(sdn_row(sdn_type="spaceship"))
    assert only(parsed).kind == "entity"
    assert only(parsed).unknown_elements == ("SDN_Type:spaceship",)
    assert parsed.unknown_element_counts == {"unknown:SDN_Type:spaceship": 1}


# --------------------------------------------------------------------------- names


def test_individual_name_is_kept_as_published_and_reversed_as_alias() -> None:
    record = only(parse_rows(individual_row(name="KIM, Jong Ho")))
    assert record.primary_name == "KIM, Jong Ho"
    assert record.name_parts == ("KIM", "Jong Ho")
    assert record.names == (
        ParsedName("KIM, Jong Ho", "primary"),
        ParsedName("Jong Ho KIM", "alias", quality="aka", note="name order reversed"),
    )


def test_name_reversal_keeps_a_suffix_at_the_end() -> None:
    record = only(parse_rows(individual_row(name="DELOS REYES, Feliciano Semborio, Jr.")))
    assert record.names[1].name == "Feliciano Semborio DELOS REYES Jr."


def test_no_reversal_without_a_comma_or_for_entities_and_vessels() -> None:
    parsed = parse_rows(
        individual_row("1", name="ZULKARNAEN"), sdn_row("2", "LEADER (HONG KONG) INTL, LTD."), vessel_row("3")
    )
    assert [len(record.names) for record in parsed.records] == [1, 1, 1]


def test_alias_qualities_from_alt_csv() -> None:
    alt = _csv(
        [
            ["1001", "11", "aka", "TTC", None],
            ["1001", "12", "fka", "OLD TRADING CO", None],
            ["1001", "13", "nka", "NEW TRADING CO", None],
            ["1001", "14", "aka", "T.T.C.", "weak"],
            ["1001", "15", "fka", "OLDER NAME", "Weak alias"],
        ]
    )
    record = only(parse_ofac_sdn(_csv([sdn_row()]), alt=alt))
    aliases = [(n.name, n.kind, n.quality, n.note) for n in record.names[1:]]
    assert aliases == [
        ("TTC", "alias", "aka", ""),
        ("OLD TRADING CO", "alias", "fka", ""),
        ("NEW TRADING CO", "alias", "aka", "now known as"),
        ("T.T.C.", "alias", "low", "aka; weak alias; weak"),
        ("OLDER NAME", "alias", "low", "fka; weak alias; Weak alias"),
    ]
    assert record.raw["aliases"][0] == {
        "ent_num": "1001", "alt_num": "11", "alt_type": "aka", "alt_name": "TTC", "alt_remarks": "",
    }


def test_quoted_aliases_in_remarks_are_weak() -> None:
    remarks = (
        "DOB 1964; a.k.a. 'ABEDINI, Sa'id'; f.k.a. 'SAM 5'; n.k.a. ''ABD AL-RAHMAN'; "
        "Linked To: LAZARUS GROUP; a.k.a. 'khaleesi'."
    )
    record = only(parse_rows(individual_row(remarks=remarks)))
    weak = [(n.name, n.quality, n.note) for n in record.names if n.quality == "low"]
    assert weak == [
        ("ABEDINI, Sa'id", "low", "weak alias (a.k.a. in remarks)"),
        ("SAM 5", "low", "weak alias (f.k.a. in remarks)"),
        ("'ABD AL-RAHMAN", "low", "weak alias (n.k.a. in remarks, now known as)"),
        ("khaleesi", "low", "weak alias (a.k.a. in remarks)"),
    ]


def test_alias_of_an_unknown_record_is_counted_as_orphan() -> None:
    alt = _csv([["9999", "1", "aka", "NOBODY", None]])
    add = _csv([["9999", "1", None, "Pyongyang", "Korea, North", None]])
    parsed = parse_ofac_sdn(_csv([sdn_row()]), alt=alt, add=add)
    assert parsed.unknown_element_counts == {"orphan:add.csv": 1, "orphan:alt.csv": 1}


# --------------------------------------------------------------------------- vessels, IMO and MMSI


def test_vessel_particulars_imo_mmsi_and_links() -> None:
    remarks = (
        "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; "
        "Vessel Registration Identification IMO 8916293; MMSI 445123456; "
        "Linked To: OCEAN BUNKERING JV CO; Linked To: KOREAN BUYON SHIPPING CO. LTD."
    )
    row = vessel_row(
        remarks=remarks, call_sign="HMZE", vess_type="Oil Products Tanker", tonnage="1,024", grt="10,030",
        flag="Korea, North", owner="Ocean Bunkering JV Co",
    )
    record = only(parse_rows(row))
    assert record.kind == "vessel"
    assert record.vessel == ParsedVessel(
        imo="8916293", imo_valid=True, mmsi="445123456", call_sign="HMZE", flag="Korea, North", flag_code="KP",
        vessel_type="Oil Products Tanker", tonnage=1024, gross_registered_tonnage=10030, owner="Ocean Bunkering JV Co",
        linked_to=("OCEAN BUNKERING JV CO", "KOREAN BUYON SHIPPING CO. LTD"),
    )  # fmt: skip
    by_type = {identifier.type: identifier for identifier in record.identifiers}
    assert set(by_type) == {"imo", "mmsi", "call_sign"}
    assert (by_type["imo"].value, by_type["imo"].normalized, by_type["imo"].valid) == ("8916293", "8916293", True)
    assert by_type["imo"].type_label == "Vessel Registration Identification IMO"
    assert (by_type["mmsi"].normalized, by_type["mmsi"].valid, by_type["mmsi"].note) == ("445123456", True, "")
    assert (by_type["call_sign"].normalized, by_type["call_sign"].valid) == ("HMZE", True)


def test_linked_to_keeps_a_final_period_that_belongs_to_a_listed_name() -> None:
    rows = [
        sdn_row("1", "KOREAN BUYON SHIPPING CO. LTD."),
        vessel_row(
            "2", remarks="Vessel Registration Identification IMO 8312227; Linked To: KOREAN BUYON SHIPPING CO. LTD."
        ),
    ]
    vessel = parse_rows(*rows).records[1].vessel
    assert vessel.linked_to == ("KOREAN BUYON SHIPPING CO. LTD.",)


def test_mmsi_that_does_not_match_the_flag_is_a_warning() -> None:
    remarks = "Vessel Registration Identification IMO 8916293; MMSI 445123456."
    record = only(parse_rows(vessel_row(remarks=remarks, flag="Panama")))
    mmsi = next(i for i in record.identifiers if i.type == "mmsi")
    assert mmsi.valid is True
    assert "but the flag is PA" in mmsi.note


def test_bad_imo_check_digit_is_kept_and_flagged_invalid() -> None:
    record = only(parse_rows(vessel_row(remarks="Vessel Registration Identification IMO 8916294.")))
    assert (record.vessel.imo, record.vessel.imo_valid) == ("8916294", False)
    imo = record.identifiers[0]
    assert (imo.type, imo.normalized, imo.valid) == ("imo", "8916294", False)
    assert imo.note == "IMO check digit is 4, expected 3"


def test_imo_that_is_not_seven_digits_is_an_invalid_identifier_but_no_vessel_imo() -> None:
    record = only(parse_rows(vessel_row(remarks="Vessel Registration Identification IMO 15411; Linked To: X LIMITED.")))
    assert (record.vessel.imo, record.vessel.imo_valid) == ("", None)
    assert record.identifiers[0].valid is False
    assert record.identifiers[0].note == "IMO number must be 7 digits, got '15411'"


def test_imo_without_its_label_and_other_registrations() -> None:
    bare = only(parse_rows(vessel_row(remarks="Vessel Registration Identification 8606173.")))
    assert (bare.vessel.imo, bare.vessel.imo_valid) == ("8606173", True)
    assert bare.identifiers[0].note == "published without the 'IMO' label"
    remarks = "Vessel Registration Identification RS 150443 (Russia); MMSI 273385420."
    national = only(parse_rows(vessel_row(remarks=remarks)))
    assert national.vessel.imo == ""
    other = national.identifiers[0]
    assert (other.type, other.value, other.normalized, other.country_code) == ("other", "RS 150443", "RS150443", "RU")
    with_country = only(parse_rows(vessel_row(remarks="Vessel Registration Identification IMO 9256860 (Russia).")))
    assert (with_country.vessel.imo, with_country.identifiers[0].country_code) == ("9256860", "RU")


def test_imo_on_an_entity_is_a_company_number() -> None:
    remarks = (
        "Identification Number IMO 1790183; alt. Identification Number IMO 5405737; "
        "Vessel Registration Identification IMO 5878589."
    )
    record = only(parse_rows(sdn_row(remarks=remarks)))
    assert [(i.type, i.value, i.valid, i.type_label) for i in record.identifiers] == [
        ("imo_company", "1790183", True, "Identification Number IMO"),
        ("imo_company", "5405737", True, "Identification Number IMO"),
        ("imo_company", "5878589", True, "Vessel Registration Identification IMO"),
    ]
    # 9110236 passes the ship rule but not the company rule.
    assert check_imo("9110236").valid
    company = only(parse_rows(sdn_row(remarks="Company Number IMO 9110236.")))
    assert company.identifiers[0].valid is False


# --------------------------------------------------------------------------- people


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB 17 Jul 1964", ParsedBirthDate("exact", date=dt.date(1964, 7, 17), year=1964)),
        ("DOB 1964", ParsedBirthDate("exact", year=1964)),
        ("DOB Jul 1964", ParsedBirthDate("exact", year=1964, note="DOB Jul 1964")),
        ("DOB circa 1964", ParsedBirthDate("approximate", year=1964)),
        ("DOB circa 01 Jul 1964", ParsedBirthDate("approximate", date=dt.date(1964, 7, 1), year=1964)),
        ("DOB 1960 to 1962", ParsedBirthDate("between", year=1960, year_to=1962)),
        ("DOB 01 Jan 1960 to 31 Dec 1962", ParsedBirthDate("between", year=1960, year_to=1962)),
        ("DOB 01 Jan 1953 to 31 Dec 1953", ParsedBirthDate("exact", year=1953)),
        (
            "DOB 15 Mar 1960 to 20 Apr 1961",
            ParsedBirthDate("between", year=1960, year_to=1961, note="DOB 15 Mar 1960 to 20 Apr 1961"),
        ),
        (
            "DOB Mar 1960 to Feb 1961",
            ParsedBirthDate("between", year=1960, year_to=1961, note="DOB Mar 1960 to Feb 1961"),
        ),
        ("DOB circa 1958-1960", ParsedBirthDate("between", year=1958, year_to=1960, note="circa")),
        ("alt. DOB 1962 to 1960", ParsedBirthDate("between", year=1960, year_to=1962)),
        ("DOB 31 Feb 1964", ParsedBirthDate("unknown", note="DOB 31 Feb 1964")),
    ],
)
def test_date_of_birth_forms(text: str, expected: ParsedBirthDate) -> None:
    record = only(parse_rows(individual_row(remarks=f"{text}; Gender Male.")))
    assert record.birth_dates == (expected,)
    assert record.gender == "Male"


def test_several_dates_of_birth_and_a_final_period() -> None:
    record = only(parse_rows(individual_row(remarks="DOB 1964; alt. DOB 1965; alt. DOB 17 Jul 1966.")))
    assert [b.year for b in record.birth_dates] == [1964, 1965, 1966]
    assert record.birth_dates[2].date == dt.date(1966, 7, 17)


def test_nationality_citizenship_and_place_of_birth() -> None:
    remarks = (
        "DOB 17 Jul 1964; POB Pyongyang, Korea, North; alt. POB Sinuiju; nationality Korea, North; "
        "citizen Korea, North; alt. nationality Russia; citizen Palestinian; nationality Kosovo."
    )
    record = only(parse_rows(individual_row(remarks=remarks)))
    assert [(n.value, n.country_code) for n in record.nationalities] == [
        ("Korea, North", "KP"), ("Russia", "RU"), ("Palestinian", "PS"), ("Kosovo", ""),
    ]  # fmt: skip
    assert [(a.kind, a.city, a.country, a.country_code) for a in record.addresses] == [
        ("place_of_birth", "Pyongyang", "Korea, North", "KP"),
        ("place_of_birth", "Sinuiju", "", ""),
    ]


def test_passports_and_national_ids() -> None:
    remarks = (
        "Passport 654410025 (Korea, North) issued 28 Jan 2014 expires 14 Oct 2019; "
        "alt. Passport 290320764 expires Jan 2019; Diplomatic Passport PD 381310014 (Korea, North); "
        "National ID No. 0123456789 (Iran); Cedula No. 71641432 (Colombia); "
        "C.U.R.P. GOLJ640122HSLMRR05 (Mexico); Tax ID No. 123 (Mexico); Identification Number 210302 (China)."
    )
    record = only(parse_rows(individual_row(remarks=remarks)))
    summary = [
        (i.type, i.type_label, i.value, i.normalized, i.country_code, i.issued_on, i.expires_on, i.note)
        for i in record.identifiers
    ]
    assert summary == [
        ("passport", "Passport", "654410025", "654410025", "KP", dt.date(2014, 1, 28), dt.date(2019, 10, 14), ""),
        ("passport", "Passport", "290320764", "290320764", "", None, None, "expires Jan 2019"),
        ("passport", "Diplomatic Passport", "PD 381310014", "PD381310014", "KP", None, None, ""),
        ("national_id", "National ID No.", "0123456789", "0123456789", "IR", None, None, ""),
        ("national_id", "Cedula No.", "71641432", "71641432", "CO", None, None, ""),
        ("national_id", "C.U.R.P.", "GOLJ640122HSLMRR05", "GOLJ640122HSLMRR05", "MX", None, None, ""),
    ]
    assert all(i.valid is None for i in record.identifiers)


def test_title_and_addresses() -> None:
    add = _csv(
        [
            ["3001", "10", "Sosong-guyok", "Pyongyang", "Korea, North", None],
            ["3001", "11", None, None, None, None],  # an all -0- address row, as OFAC publishes for vessels
            ["3001", "12", "c/o Room 1", "Dandong, Liaoning 118000", "China", "Branch office"],
        ]
    )
    record = only(parse_ofac_sdn(_csv([individual_row(title="Bureau Director")]), add=add))
    assert record.titles == ("Bureau Director",)
    assert [(a.kind, a.street, a.city, a.country, a.country_code, a.note) for a in record.addresses] == [
        ("address", "Sosong-guyok", "Pyongyang", "Korea, North", "KP", ""),
        ("address", "c/o Room 1", "Dandong, Liaoning 118000", "China", "CN", "Branch office"),
    ]
    assert len(record.raw["addresses"]) == 3  # raw keeps the row as published


def test_sdn_comments_continue_cut_remarks() -> None:
    head = "Linked To: A CO; " + "x" * 977 + "; Pass"
    assert len(head) == 1000
    sdn = _csv([individual_row(remarks=head)])
    comments = _csv([["3001", "port 654410025 (Korea, North); Linked To: LAZARUS GROUP."]])
    cut = parse_ofac_sdn(sdn)
    assert cut.unknown_element_counts == {"warning:remarks_cut_at_1000_chars": 1}
    joined = parse_ofac_sdn(sdn, sdn_comments=comments)
    record = only(joined)
    assert record.comments.endswith("; Passport 654410025 (Korea, North); Linked To: LAZARUS GROUP.")
    assert [i.value for i in record.identifiers] == ["654410025"]
    assert record.raw["Remarks_continued"].startswith("port 654410025")
    assert joined.unknown_element_counts == {}
    with pytest.raises(ListParseError, match=r"sdn_comments\.csv row 1 \(line 1\): 12 columns, expected 2"):
        parse_ofac_sdn(sdn, sdn_comments=sdn)


def test_parsing_is_deterministic() -> None:
    rows = [individual_row(remarks="DOB 1964; a.k.a. 'X'."), vessel_row(), sdn_row()]
    assert parse_rows(*rows) == parse_rows(*rows)


# --------------------------------------------------------------------------- real files


def _independent_rows(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8")
    return [row for row in csv.reader(io.StringIO(text, newline="")) if len(row) == 12]


def _independent_dprk_vessels(path: Path) -> dict[str, str]:
    """ent_num -> the 7-digit number after 'Vessel Registration Identification' (with or without 'IMO')."""
    vessels = {}
    for row in _independent_rows(path):
        if row[2] == "vessel" and "DPRK" in row[3]:
            match = re.search(r"Vessel Registration Identification (?:IMO )?([0-9]{7})\b", row[11])
            vessels[row[0]] = match[1] if match else ""
    return vessels


@lru_cache(maxsize=None)
def _watchman(programs: frozenset[str] | None = None) -> ParsedList:
    return parse_ofac_sdn(
        (WATCHMAN / "sdn.csv").read_bytes(),
        alt=(WATCHMAN / "alt.csv").read_bytes(),
        add=(WATCHMAN / "add.csv").read_bytes(),
        sdn_comments=(WATCHMAN / "sdn_comments.csv").read_bytes(),
        programs=programs,
    )


@lru_cache(maxsize=None)
def _jackdwyer(programs: frozenset[str] | None = None) -> ParsedList:
    return parse_ofac_sdn((JACKDWYER / "sdn.csv").read_bytes(), programs=programs)


def test_watchman_dprk_vessels_all_have_a_valid_imo() -> None:
    expected = _independent_dprk_vessels(WATCHMAN / "sdn.csv")
    assert len(expected) == 106
    parsed = _watchman(DPRK_PROGRAMS)
    vessels = {record.external_id: record.vessel for record in parsed.records if record.kind == "vessel"}
    assert parsed.vessels == len(vessels) == 106
    assert {ent: vessel.imo for ent, vessel in vessels.items()} == expected
    assert all(vessel.imo for vessel in vessels.values())
    valid = sum(1 for vessel in vessels.values() if vessel.imo_valid)
    independent_valid = sum(1 for imo in expected.values() if check_imo(imo).valid)
    assert (valid, len(vessels) - valid) == (independent_valid, 0) == (106, 0)
    # The one published without the "IMO" label.
    assert vessels["17104"].imo == "8606173"
    assert sum(1 for vessel in vessels.values() if vessel.flag_code == "KP") == 73
    assert vessels["23737"].linked_to == ("PAEKMA SHIPPING CO", "FIRST OIL JV CO LTD")


def test_watchman_dprk_subset_counts() -> None:
    parsed = _watchman(DPRK_PROGRAMS)
    assert (len(parsed.records), parsed.individuals, parsed.entities, parsed.vessels) == (398, 130, 162, 106)
    assert parsed.unknown_element_counts == {"skipped:aircraft": 16}  # the cut remarks are joined back
    lazarus_member = next(r for r in parsed.records if r.external_id == "28264")
    assert len(lazarus_member.comments) > 1000 and lazarus_member.comments.endswith("Linked To: LAZARUS GROUP.")


def test_watchman_full_set_parses() -> None:
    parsed = _watchman()
    rows = _independent_rows(WATCHMAN / "sdn.csv")
    kinds = ("individual", "vessel", "aircraft", "-0-")
    by_type = {kind: sum(1 for row in rows if row[2].strip() == kind) for kind in kinds}
    assert by_type == {"individual": 4620, "vessel": 406, "aircraft": 277, "-0-": 3673}
    assert (parsed.individuals, parsed.vessels, parsed.entities) == (4620, 406, 3673)
    assert parsed.unknown_element_counts == {"skipped:aircraft": 277}
    strong_aliases = sum(
        1 for r in parsed.records for n in r.names if n.note != "name order reversed" and n.quality in ("aka", "fka")
    )
    # Every alt.csv row except the one of an aircraft, and two rows published twice (same name and type).
    alt_rows = [row for row in csv.reader(io.StringIO((WATCHMAN / "alt.csv").read_text(), newline="")) if len(row) == 5]
    sdn_types = {row[0]: row[2].strip() for row in rows}
    distinct = {(row[0], row[2], row[3]) for row in alt_rows if sdn_types[row[0]] != "aircraft"}
    assert (len(alt_rows), len(distinct), strong_aliases) == (11910, 11907, 11907)
    # Only one vessel IMO in the whole file is malformed: BONU 5 (LIBYA3), "IMO 15411".
    bad = [(r.external_id, i.value) for r in parsed.records for i in r.identifiers if i.type == "imo" and not i.valid]
    assert bad == [("23424", "15411")]
    json.dumps([dict(r.raw) for r in parsed.records])


def test_jackdwyer_copy_parses() -> None:
    parsed = _jackdwyer()
    assert (parsed.individuals, parsed.entities, parsed.vessels) == (6854, 6884, 851)
    assert parsed.unknown_element_counts == {"skipped:aircraft": 376, "warning:remarks_cut_at_1000_chars": 16}
    expected = _independent_dprk_vessels(JACKDWYER / "sdn.csv")
    dprk = _jackdwyer(DPRK_PROGRAMS)
    vessels = {r.external_id: r.vessel for r in dprk.records if r.kind == "vessel"}
    assert len(vessels) == len(expected) == 105
    assert {ent: vessel.imo for ent, vessel in vessels.items()} == expected
    assert sum(1 for vessel in vessels.values() if vessel.imo_valid) == 105
