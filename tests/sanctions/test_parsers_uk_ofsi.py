"""Tests for the UK OFSI consolidated list CSV parser: small inline fixtures per rule, then the real 2018 copy.

Pure: no database, no Django settings needed. Expected figures on the real copy are worked out here
from the raw file with the csv module, or cited from its text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pytest

from sanctions.identifiers import check_imo
from sanctions.parsers.types import (
    ListParseError,
    ParsedAddress,
    ParsedBirthDate,
    ParsedIdentifier,
    ParsedLink,
    ParsedList,
    ParsedName,
    ParsedNationality,
    ParsedRecord,
    ParsedVessel,
)
from sanctions.parsers.uk_ofsi import (
    COLUMNS_2018,
    COLUMNS_2022,
    cited_un_reference,
    content_sha256,
    parse_uk_ofsi_csv,
    read_generated_at,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
UK_COPY = REPO_ROOT.parent / "shared" / "data" / "uk" / "photoangell__SanctionsApi" / "sanctionsconlist.csv"
OFAC_SDN = REPO_ROOT.parent / "shared" / "data" / "ofac" / "moov-io__watchman__bench" / "sdn.csv"
UN_XML = REPO_ROOT.parent / "shared" / "data" / "un" / "DukeQIANSH__dqun01" / "consolidated.xml"

DPRK_2018 = "North Korea (Democratic People's Republic of Korea)"

# --------------------------------------------------------------------------- fixture builders


def _csv(
    columns: tuple[str, ...], rows: list[dict[str, str]], *, date: str = "13/04/2018", encoding: str = "cp1252"
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Last Updated", date, *([""] * (len(columns) - 2))])
    writer.writerow(columns)
    for row in rows:
        unknown = set(row) - set(columns)
        assert not unknown, unknown
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue().encode(encoding)


def row_2018(group_id: str = "9001", name6: str = "TEST TRADING CO", **cells: str) -> dict[str, str]:
    """A 2018-form row; keyword names are the column names with spaces and slashes as underscores."""
    row = {
        "Name 6": name6, "Group Type": "Entity", "Alias Type": "Prime Alias", "Regime": DPRK_2018,
        "Listed On": "05/03/2016", "Last Updated": "15/09/2017", "Group ID": group_id,
    }  # fmt: skip
    row.update({_column(key): value for key, value in cells.items()})
    return row


def _column(key: str) -> str:
    columns = {*COLUMNS_2018, *COLUMNS_2022}
    known = {column.replace(" ", "_").replace("/", "_").replace("-", "_"): column for column in columns}
    return known[key]


def parse_2018(*rows: dict[str, str], **options) -> ParsedList:
    return parse_uk_ofsi_csv(_csv(COLUMNS_2018, list(rows)), **options)


def only(parsed: ParsedList) -> ParsedRecord:
    assert len(parsed.records) == 1
    return parsed.records[0]


# --------------------------------------------------------------------------- the real 2018 copy, read independently


@lru_cache(maxsize=None)
def _real() -> ParsedList:
    return parse_uk_ofsi_csv(UK_COPY.read_bytes())


@lru_cache(maxsize=None)
def _real_records() -> dict[str, ParsedRecord]:
    return {record.external_id: record for record in _real().records}


@lru_cache(maxsize=None)
def _raw_groups() -> dict[str, list[dict[str, str]]]:
    """Group ID -> its rows, read with the csv module from the cp1252 text (line 1 is the date)."""
    lines = list(csv.reader(io.StringIO(UK_COPY.read_bytes().decode("cp1252"), newline="")))
    header = lines[1]
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for cells in lines[2:]:
        row = dict(zip(header, cells))
        groups[row["Group ID"]].append(row)
    return dict(groups)


_TEST_UN_LABEL = re.compile(r"(?i:\bUN\.?\s*REF(?:ERENCE)?)\W*(?:No\W*)?")


def _expected_un_reference(text: str, individual: bool, dprk: bool) -> str:
    """This test's own reading of the UN reference an Other Information cites ('' for none), kind-checked."""
    reference = ""
    for label in _TEST_UN_LABEL.finditer(text):
        rest = text[label.end():]
        if old := re.match(r"([QT])\.?([IE])\.[A-Z]\.(\d+)\.\d\d", rest):
            reference = {"Q": "QD", "T": "TA"}[old[1]] + old[2].lower() + "." + old[3].zfill(3)
        elif new := re.match(r"([A-Z]{2}) ?([ieIE1])\.? ?(\d+)", rest):
            prefix = "KP" if new[1] == "DP" else new[1]
            reference = prefix + ("e" if new[2] in "eE" else "i") + "." + new[3].zfill(3)
        elif dprk and (bare := re.match(r"(\d{3})\b", rest)):
            reference = ("KPi." if individual else "KPe.") + bare[1]
        if reference:
            break
    if not reference and (lone := re.search(r"(?:^|\.\s+)([A-Z]{2}[ie]\.\d{3})\.", text)):
        reference = lone[1]
    if reference and (reference[2] == "i") != individual:
        return ""  # the reference of a designee of the other kind
    return reference


# --------------------------------------------------------------------------- the real copy


def test_the_2018_copy_parses_one_record_per_group_id() -> None:
    parsed = _real()
    groups = _raw_groups()
    assert len(groups) == 2106  # SOURCES.md: 2,106 Group IDs
    assert len(parsed.records) == len(groups)
    assert [record.external_id for record in parsed.records] == list(groups)  # first-seen order
    individuals = sum(1 for rows in groups.values() if rows[0]["Group Type"] == "Individual")
    assert parsed.individuals == individuals
    assert parsed.entities + parsed.vessels == len(groups) - individuals
    assert parsed.generated_at == dt.datetime(2018, 4, 13, tzinfo=dt.timezone.utc)  # "Last Updated,13/04/2018"
    assert read_generated_at(UK_COPY.read_bytes()) == parsed.generated_at
    json.dumps([dict(record.raw) for record in parsed.records])
    assert sum(len(record.raw["rows"]) for record in parsed.records) == 9487  # every data row is kept


def test_the_2018_copy_is_windows_1252() -> None:
    data = UK_COPY.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"HYO\x92K,Chu," in data
    assert _real_records()["13560"].primary_name == "Chu HYO\u2019K"  # 0x92 read as a right single quote


def test_the_2018_copy_uses_no_unknown_columns_or_types() -> None:
    assert _real().unknown_element_counts == {
        # Shafi Sultan Mohammed AL-AJMI cites QE.A.137.14 (the Al-Nusrah Front), Farooq AL-QAHTANI QDe.004
        # (Al-Qaida), ALI and AL-TURKI QDe.002: individuals citing entities.
        "warning:un_reference_other_kind": 4,
        # Iran's old forms, which no rule maps to the UN's IRe.nnn: 43 like "E.29.I.11", one "E.37.A.5",
        # two "I.AC.50.20.12.12.(1)" and one "E.AC.50.18.04.12".
        "warning:un_reference_unreadable": 47,
    }
    labelled = [record for record in _real().records
                if _TEST_UN_LABEL.search(record.comments) and not record.cited_un_reference]
    other_kind = {record.external_id for record in labelled
                  if _expected_un_reference(record.comments, record.kind != "individual", False)}
    unreadable = [record for record in labelled if record.external_id not in other_kind]
    assert other_kind == {"13135", "13349", "6995", "8425"}
    iran_forms = re.compile(r"UN Ref\.? (?:E\.\d+\.(?:[IV]+|A)\.\d+|I\.AC\.|E\.AC\.)")
    assert len(unreadable) == 47 and all(iran_forms.search(record.comments) for record in unreadable)


def test_un_references_found_equal_those_read_independently() -> None:
    expected = {}
    for group_id, rows in _raw_groups().items():
        texts = {row["Other Information"] for row in rows}
        assert len(texts) == 1  # the 2018 copy repeats it on every row of a group
        reference = _expected_un_reference(
            texts.pop(), rows[0]["Group Type"] == "Individual", any("Korea" in row["Regime"] for row in rows)
        )
        if reference:
            expected[group_id] = reference
    found = {record.external_id: record.cited_un_reference for record in _real().records if record.cited_un_reference}
    assert len(found) == len(expected)
    assert found == expected


@pytest.mark.parametrize(
    ("group_id", "published", "reference"),
    [
        ("13188", "UN REF:QE.A.146.14.", "QDe.146"),  # Ansar al Charia Benghazi in the UN list
        ("7405", "UN Ref TI.Q.130.01.", "TAi.130"),  # OFSI's 2022 text form gives (UN Ref):TAi.130
        ("12703", "UN Ref TE.H.10.12.", "TAe.010"),  # the UN's TAe.010 has the alias Haji Alim Hawala
        ("11743", "UN Ref Q.I.A.291.11.", "QDi.291"),  # Ibrahim Hassan Tali AL-ASIRI
        ("13539", "UN Ref: QD1.410.", "QDi.410"),  # Shane Dominic CRAWFORD
        ("12847", "UN Ref DPe.012.", "KPe.012"),  # the Korean Committee for Space Technology
        ("13571", "UN Ref.KPI. 076.", "KPi.076"),
        ("13641", "UN Ref.KPe 070.", "KPe.070"),
        ("13341", "UN Ref KPe.23.", "KPe.023"),
        ("13568", "UN. REF.KPI.073.", "KPi.073"),
        ("13572", "UN Ref.077.", "KPi.077"),  # no prefix: DPRK records only
        ("13633", "UN Ref.062.", "KPe.062"),  # Korea Ansan Shipping Company is the UN's KPe.062
        ("12441", "UN listing. KPi.023.", "KPi.023"),  # no label, a sentence of its own
        ("13478", "UN Reference  KPi.048.", "KPi.048"),
        ("13191", "UN Ref No. YEi.001", "YEi.001"),
    ],
)
def test_un_reference_spellings_of_the_2018_copy(group_id: str, published: str, reference: str) -> None:
    record = _real_records()[group_id]
    assert published in record.comments
    assert record.cited_un_reference == reference


def test_every_dprk_record_with_a_kp_reference_cites_it() -> None:
    groups = _raw_groups()
    dprk = {group_id for group_id, rows in groups.items() if rows[0]["Regime"] == DPRK_2018}
    assert len(dprk) == 242  # SOURCES.md: 242 groups under the DPRK regime
    mentioning = {
        group_id for group_id in dprk
        if re.search(r"(?:KP|DP)[ieIE]\W{0,2}\d|UN\.? ?Ref\.\d", groups[group_id][0]["Other Information"])
    }  # fmt: skip
    records = _real_records()
    citing = {group_id for group_id in dprk if records[group_id].cited_un_reference}
    assert citing == mentioning
    assert all(re.fullmatch(r"KP[ie]\.\d{3}", records[group_id].cited_un_reference) for group_id in citing)
    kinds = {records[group_id].cited_un_reference[2] for group_id in citing if records[group_id].kind == "individual"}
    assert kinds == {"i"}


def test_dprk_individual_field_by_field() -> None:
    # Rows: " IL,Kim Kyong ,...,01/08/1979,...,Passport No. 836210029,,Foreign Trade Bank deputy chief
    # representative in Libya,Libya,...,Annex XIII. UN Listing. UN Ref.KPI.067.,Individual,Prime Alias,...,
    # 22/12/2017,09/01/2018,13562" and the AKA row "KYO'NG-IL,Kim,...".
    record = _real_records()["13562"]
    assert (record.kind, record.reference_number, record.cited_un_reference) == ("individual", "UK-13562", "KPi.067")
    assert (record.regime, record.programs, record.list_types) == (DPRK_2018, (DPRK_2018,), (DPRK_2018,))
    assert record.primary_name == "Kim Kyong IL" and record.name_parts == ("Kim Kyong", "IL")
    assert record.names == (
        ParsedName("Kim Kyong IL", "primary"),
        ParsedName("Kim KYO'NG-IL", "alias", quality="aka"),
    )
    assert record.birth_dates == (ParsedBirthDate("exact", date=dt.date(1979, 8, 1), year=1979),)
    assert record.identifiers == (
        ParsedIdentifier("passport", "836210029", "836210029", None, type_label="Passport Details",
                         note="Passport No. 836210029"),
    )  # fmt: skip
    assert record.designations == ("Foreign Trade Bank deputy chief representative in Libya",)
    assert record.addresses == (ParsedAddress("address", street="Libya"),)  # OFSI put the country in Address 1
    assert (record.listed_on, record.last_updated) == (dt.date(2017, 12, 22), (dt.date(2018, 1, 9),))
    assert record.comments == "Annex XIII. UN Listing. UN Ref.KPI.067."
    assert record.nationalities == () and record.vessel is None and record.gender == ""
    assert [row["Alias Type"] for row in record.raw["rows"]] == ["Prime Alias", "AKA"]


def test_dprk_individual_with_several_aliases_and_a_year_of_birth() -> None:
    # Five rows, the Prime Alias last: "KIM,Tong-Myo'ng,...,00/00/1964,...,North Korean,...,President of
    # Tanchon Commercial Bank", Other Information "Annex XIII. UN listing. KPi.023.  Has held ...".
    record = _real_records()["12441"]
    assert record.primary_name == "Tong-Myo'ng KIM"
    assert [name.name for name in record.names] == [
        "Tong-Myo'ng KIM", "HYOK-CHOL", "Chin-So'k KIM", "Jin-Sok KIM", "Tong-Myong KIM",
    ]  # "KIM " and "Jin-Sok " are trimmed
    assert all(name.quality == "aka" for name in record.names[1:])
    assert record.birth_dates == (ParsedBirthDate("exact", year=1964),)
    assert record.nationalities == (ParsedNationality("North Korean", "KP"),)
    assert record.designations == ("President of Tanchon Commercial Bank",)


def test_dprk_shipping_company_field_by_field() -> None:
    # Four rows: two names x two addresses; "IMO Number: 5342883" is the company's number.
    record = _real_records()["13340"]
    assert (record.kind, record.cited_un_reference, record.listed_on) == ("entity", "KPe.022", dt.date(2016, 3, 5))
    assert record.primary_name == "CHONG-CHONGANG SHIPPING COMPANY"
    assert record.names[1] == ParsedName("CHONG CHON GANG SHIPPING CO. LTD.", "alias", quality="aka")
    assert record.addresses == (
        ParsedAddress("address", street="817, Haeum, Tonghun-dong, Chung-gu, Pyongyang", country="DPRK",
                      country_code="KP"),
        ParsedAddress("address", street="817 Haeun, Donghung-dong, Central District, Pyongyang", country="DPRK",
                      country_code="KP"),
    )  # fmt: skip
    assert record.identifiers == (
        ParsedIdentifier("imo_company", "5342883", "5342883", True, type_label="IMO number (from Other Information)"),
    )
    assert record.vessel is None


def test_ships_published_as_entities_are_vessels() -> None:
    # " TONG SAN 2,...,IMO: 8937675. MMSI: 445539000. The following vessel has been added ...,Entity,Prime Alias"
    record = _real_records()["13556"]
    assert (record.kind, record.primary_name, record.cited_un_reference) == ("vessel", "TONG SAN 2", "")
    assert record.vessel == ParsedVessel(imo="8937675", imo_valid=True, mmsi="445539000")
    identifiers = [(i.type, i.value, i.valid) for i in record.identifiers]
    assert identifiers == [("imo", "8937675", True), ("mmsi", "445539000", True)]
    # Independently: the Entity groups whose Other Information labels a 7-digit number passing the ship check.
    ship_label = re.compile(r"(?<!Number )\bIMO(?: number)?:? ?(\d{7})", re.I)
    expected = {
        group_id for group_id, rows in _raw_groups().items()
        if rows[0]["Group Type"] == "Entity"
        and (match := ship_label.search(rows[0]["Other Information"])) and check_imo(match[1]).valid
    }  # fmt: skip
    vessels = {record.external_id for record in _real().records if record.kind == "vessel"}
    assert vessels == expected and len(vessels) == _real().vessels
    assert {"13520", "13519"} <= vessels  # LYNN S and NADINE, the UN's Libya vessels LYe.005 and LYe.004
    assert _real_records()["13520"].cited_un_reference == "LYe.005"
    assert all(_real_records()[group_id].vessel.imo_valid for group_id in vessels)


def test_multi_regime_group_keeps_every_regime_and_its_first_listing() -> None:
    # IRGC QODS FORCE: rows under "Iran (nuclear proliferation)" listed 27/07/2010 and "Syria" 24/08/2011.
    record = _real_records()["11241"]
    assert record.programs == ("Iran (nuclear proliferation)", "Syria")
    assert record.regime == "Iran (nuclear proliferation)"
    assert record.listed_on == dt.date(2010, 7, 27)


def test_individual_citing_an_entity_reference_cites_nothing() -> None:
    record = _real_records()["13349"]  # Farooq AL-QAHTANI, whose UK text says "UN Ref QDe.004" (Al-Qaida)
    assert "UN Ref QDe.004" in record.comments and record.cited_un_reference == ""
    assert record.nationalities == (ParsedNationality("Saudi Arabia", "SA"), ParsedNationality("Qatar", "QA"))
    assert record.birth_dates == (ParsedBirthDate("exact", year=1980), ParsedBirthDate("exact", year=1981))
    assert record.identifiers[0].value == "592667" and record.identifiers[0].issued_on == dt.date(2007, 5, 3)


# --------------------------------------------------------------------------- hashing and dates


def test_content_hash_ignores_the_publication_date_only() -> None:
    data = UK_COPY.read_bytes()
    republished = data.replace(b"Last Updated,13/04/2018,", b"Last Updated,20/04/2018,", 1)
    assert republished != data
    assert content_sha256(republished) == content_sha256(data) == _real().content_sha256
    assert read_generated_at(republished) == dt.datetime(2018, 4, 20, tzinfo=dt.timezone.utc)
    amended = data.replace(b"Kim Kyong ,", b"Kim Kyung ,", 1)
    assert amended != data and content_sha256(amended) != content_sha256(data)
    assert re.fullmatch(r"[0-9a-f]{64}", content_sha256(data))


def test_read_generated_at_without_the_date_line() -> None:
    headerless = b"\n".join(UK_COPY.read_bytes().split(b"\n")[1:4])
    assert read_generated_at(headerless) is None
    assert parse_uk_ofsi_csv(headerless).generated_at is None
    assert read_generated_at(b"Last Updated,not a date,,\n") is None
    with_bom = "\ufeffLast Updated,01/02/2021\n".encode()
    assert read_generated_at(with_bom) == dt.datetime(2021, 2, 1, tzinfo=dt.timezone.utc)


# --------------------------------------------------------------------------- files that are not a usable list


def _cut_mid_row(data: bytes, line: int) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(lines[:line]) + b"\n" + lines[line][:40]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^empty document$"),
        (b"\n\r\n  \n", r"^empty document$"),
        (b"<!DOCTYPE html>\n<html><body>Service Unavailable</body></html>", r"HTML or XML document"),
        (b'{"error": "not found"}\n', r"line 1: the header lacks Name 6, Group Type, Alias Type, Regime, Group ID"),
        (b"Last Updated,13/04/2018\n", r"no header line"),
        (b"Last Updated,13/04/2018\n" + ",".join(COLUMNS_2018).encode() + b"\n", r"no records"),
        (b"Name 6,Name 1,Group ID\nX,,1\n", r"line 1: the header lacks Group Type, Alias Type, Regime"),
        (b"Last Updated,13/04/2018\nName 6,Group Type,Alias Type,Regime,Group ID,Name 6\n", r"header repeats Name 6"),
        (b"Name 6,Group Type,Alias Type,Regime,Group ID\nX,Entity,AKA,Syria,\n", r"line 2: no Group ID"),
        (b"Name 6,Group\x00 Type\n", r"NUL byte at offset 12"),
        (b"Name 6,Group Type\x81\x8d\n", r"neither UTF-8 nor Windows-1252 text: byte 0x81 at offset 17"),
        (b"Name 6,Group Type\x19\n", r"line 1: control character U\+0019"),
    ],
)
def test_things_that_are_not_the_list_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message):
        parse_uk_ofsi_csv(data)


def test_a_file_of_another_format_is_refused() -> None:
    with pytest.raises(ListParseError, match=r"line 1: the header lacks .* not the OFSI consolidated list CSV"):
        parse_uk_ofsi_csv(OFAC_SDN.read_bytes()[:4000])
    with pytest.raises(ListParseError, match=r"HTML or XML document"):
        parse_uk_ofsi_csv(UN_XML.read_bytes()[:4000])


def test_a_truncated_file_is_refused() -> None:
    data = UK_COPY.read_bytes()
    with pytest.raises(ListParseError, match=r"^line 8: \d+ columns, expected 29: a truncated or corrupt file\?$"):
        parse_uk_ofsi_csv(_cut_mid_row(data, 7))
    inside_quotes = data[: data.index(b'"UN REF:QE.A.146.14.') + 10]  # cut inside a quoted cell
    with pytest.raises(ListParseError, match=r"malformed CSV \(unexpected end of data\): a truncated or corrupt file"):
        parse_uk_ofsi_csv(inside_quotes)


def test_a_corrupt_file_is_refused() -> None:
    data = UK_COPY.read_bytes()
    stray_quote = data.replace(b",Kim Kyong ,", b',"Kim" Kyong ,', 1)
    with pytest.raises(ListParseError, match=r"line \d+: .*a truncated or corrupt file"):
        parse_uk_ofsi_csv(stray_quote)
    garbage = bytes(range(256)) * 4
    with pytest.raises(ListParseError, match=r"NUL byte at offset 0"):
        parse_uk_ofsi_csv(garbage)
    with pytest.raises(ListParseError, match=r"neither UTF-8 nor Windows-1252"):
        parse_uk_ofsi_csv(data[:5000] + b"\x90" + data[5000:])


def test_files_over_the_cap_are_refused_before_parsing() -> None:
    data = _csv(COLUMNS_2018, [row_2018()])
    over = rf"document is {len(data)} bytes, over the limit of {len(data) - 1} bytes"
    with pytest.raises(ListParseError, match=over):
        parse_uk_ofsi_csv(data, max_bytes=len(data) - 1)
    assert len(parse_uk_ofsi_csv(data, max_bytes=len(data)).records) == 1


def test_bytes_only() -> None:
    with pytest.raises(TypeError):
        parse_uk_ofsi_csv(_csv(COLUMNS_2018, [row_2018()]).decode())  # type: ignore[arg-type]


def test_utf8_with_a_bom_and_crlf_and_trailing_empty_cells() -> None:
    data = _csv(COLUMNS_2018, [row_2018(name6="CAF\u00c9 \u2019X\u2019")], encoding="utf-8")
    crlf = b"\xef\xbb\xbf" + data.replace(b"\n", b",,\r\n")
    record = only(parse_uk_ofsi_csv(crlf))
    assert record.primary_name == "CAF\u00c9 \u2019X\u2019"
    assert parse_uk_ofsi_csv(crlf).generated_at == dt.datetime(2018, 4, 13, tzinfo=dt.timezone.utc)


# --------------------------------------------------------------------------- rules, on small fixtures


def test_rows_of_a_group_are_one_record_even_when_apart() -> None:
    parsed = parse_2018(
        row_2018("1", "ALPHA", Alias_Type="AKA"),
        row_2018("2", "BETA"),
        row_2018("1", "ALPHA LTD"),
    )
    assert [record.external_id for record in parsed.records] == ["1", "2"]
    assert [name.name for name in parsed.records[0].names] == ["ALPHA LTD", "ALPHA"]
    assert parsed.records[0].raw == {"Group ID": "1", "rows": [
        {**dict.fromkeys(COLUMNS_2018, ""), **row_2018("1", "ALPHA", Alias_Type="AKA")},
        {**dict.fromkeys(COLUMNS_2018, ""), **row_2018("1", "ALPHA LTD")},
    ]}  # fmt: skip


def test_alias_types_and_qualities() -> None:
    record = only(parse_2018(
        row_2018(name6="NEW NAME"),
        row_2018(name6="OLD NAME", Alias_Type="FKA"),
        row_2018(name6="OTHER NAME", Alias_Type="AKA"),
        row_2018(name6="ODD NAME", Alias_Type="Nickname"),
        row_2018(name6="SECOND PRIMARY"),
    ))  # fmt: skip
    assert record.names == (
        ParsedName("NEW NAME", "primary"),
        ParsedName("OLD NAME", "alias", quality="fka"),
        ParsedName("OTHER NAME", "alias", quality="aka"),
        ParsedName("ODD NAME", "alias", note="alias type Nickname"),
        ParsedName("SECOND PRIMARY", "alias", note="published as a primary name too"),
    )
    assert record.unknown_elements == ("Alias Type:Nickname",)


def test_a_group_without_a_primary_name_takes_its_first_row() -> None:
    parsed = parse_2018(row_2018(name6="FIRST", Alias_Type="AKA"), row_2018(name6="SECOND", Alias_Type="AKA"))
    assert only(parsed).primary_name == "FIRST"
    assert parsed.unknown_element_counts == {"warning:no_primary_name": 1}


def test_individual_names_titles_and_positions() -> None:
    record = only(parse_2018(row_2018(
        name6=" AL-ZAWAHIRI", Name_1="Aiman ", Name_2="Muhammed", Name_3="Rabi", Group_Type="Individual",
        Title="a) General b)Major General", Position="(1) Governor of Khost (2) Vice-Minister",
    )))  # fmt: skip
    assert record.kind == "individual"
    assert record.primary_name == "Aiman Muhammed Rabi AL-ZAWAHIRI"
    assert record.name_parts == ("Aiman", "Muhammed", "Rabi", "AL-ZAWAHIRI")
    assert record.titles == ("General", "Major General")
    assert record.designations == ("Governor of Khost", "Vice-Minister")


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        ("01/08/1979", ParsedBirthDate("exact", date=dt.date(1979, 8, 1), year=1979)),
        ("00/00/1980", ParsedBirthDate("exact", year=1980)),
        ("00/08/1961", ParsedBirthDate("exact", year=1961, note="DOB 00/08/1961")),
        ("31/02/1980", ParsedBirthDate("unknown", note="DOB 31/02/1980")),
        ("12/00/1980", ParsedBirthDate("unknown", note="DOB 12/00/1980")),
        ("circa 1980", ParsedBirthDate("unknown", note="DOB circa 1980")),
    ],
)
def test_date_of_birth_forms(dob: str, expected: ParsedBirthDate) -> None:
    assert only(parse_2018(row_2018(Group_Type="Individual", DOB=dob))).birth_dates == (expected,)


def test_one_row_per_date_of_birth_and_address() -> None:
    rows = [
        row_2018(Group_Type="Individual", DOB=dob, Address_1=street, Country="Afghanistan (since 2009)")
        for dob in ("00/00/1980", "00/00/1981") for street in ("Street A", "Street B")
    ]  # fmt: skip
    record = only(parse_2018(*rows))
    assert record.birth_dates == (ParsedBirthDate("exact", year=1980), ParsedBirthDate("exact", year=1981))
    assert record.addresses == (
        ParsedAddress("address", street="Street A", country="Afghanistan (since 2009)", country_code="AF"),
        ParsedAddress("address", street="Street B", country="Afghanistan (since 2009)", country_code="AF"),
    )


def test_enumerated_nationalities_and_places_of_birth() -> None:
    record = only(parse_2018(row_2018(
        Group_Type="Individual", Nationality="(1) Germany (b) Algerian",
        # The birth places of group 7872 of the 2018 copy: towns numbered 1 to 7, the countries shared out.
        Town_of_Birth="(1) Manzil Tmim (2) Sosa (3) Solisse (4) Tunis (5) - (6) Aras (7) -",
        Country_of_Birth="(1) to (6) Algeria (7) Morocco",
    )))  # fmt: skip
    assert record.nationalities == (ParsedNationality("Germany", "DE"), ParsedNationality("Algerian", "DZ"))
    births = [(address.city, address.country_code) for address in record.addresses]
    assert births == [
        ("Manzil Tmim", "DZ"), ("Sosa", "DZ"), ("Solisse", "DZ"), ("Tunis", "DZ"), ("Aras", "DZ"), ("", "MA"),
    ]  # "(5) -" shares the next town; "(7) -" is no town


def test_place_of_birth_in_one_country() -> None:
    record = only(parse_2018(row_2018(
        Group_Type="Individual", Town_of_Birth="(1) Bashali, Masisi (2) Goma", Country_of_Birth="DRC",
    )))  # fmt: skip
    assert record.addresses == (
        ParsedAddress("place_of_birth", city="Bashali, Masisi", country="DRC", country_code="CD"),
        ParsedAddress("place_of_birth", city="Goma", country="DRC", country_code="CD"),
    )


def test_ambiguous_demonyms_get_no_country_code() -> None:
    record = only(parse_2018(row_2018(Group_Type="Individual", Nationality="1) Congolese 2) Korean")))
    assert record.nationalities == (ParsedNationality("Congolese"), ParsedNationality("Korean"))


def test_documents_in_free_text() -> None:
    record = only(parse_2018(row_2018(
        Group_Type="Individual",
        # Both cells as the 2018 copy has them (groups 7024 and 9218).
        Passport_Details="(1) L 191609 (Tunisian). Issued on 28 Feb 1996. Expired on 27 Feb 2001 "
                         "(2) 04643632 (Tunisian) Issued 18 June 1999",
        NI_Number="Saudi Arabian NI No 4-6032-0048-1",
    )))  # fmt: skip
    first, second, national = record.identifiers
    assert (first.type, first.value, first.normalized, first.country_code) == ("passport", "L 191609", "L191609", "TN")
    assert (first.issued_on, first.expires_on) == (dt.date(1996, 2, 28), dt.date(2001, 2, 27))
    assert (second.value, second.issued_on, second.expires_on) == ("04643632", dt.date(1999, 6, 18), None)
    assert (national.type, national.value, national.normalized, national.country, national.country_code) == (
        "national_id", "4-6032-0048-1", "4603200481", "Saudi Arabian", "SA",
    )
    assert national.type_label == "NI Number" and national.note == "Saudi Arabian NI No 4-6032-0048-1"


def test_documents_listed_after_a_prefix() -> None:
    record = only(parse_2018(row_2018(
        Group_Type="Individual", Passport_Details="Jordanian passport numbers (1) K048787 (2) 486298",
    )))  # fmt: skip
    assert [(i.value, i.country, i.country_code) for i in record.identifiers] == [
        ("K048787", "Jordanian", "JO"), ("486298", "Jordanian", "JO"),
    ]


def test_an_entity_is_not_read_as_a_ship_in_a_file_that_publishes_ships() -> None:
    rows = [row_2018("1", "TONG SAN 2", Other_Information="IMO: 8937675. MMSI: 445539000.")]
    assert only(parse_2018(*rows)).kind == "vessel"
    parsed = parse_2018(*rows, row_2018("2", "A SHIP", Group_Type="Ship"))
    entity = parsed.records[0]
    assert entity.kind == "entity" and entity.vessel is None
    assert [(i.type, i.value) for i in entity.identifiers] == [("imo_company", "8937675")]
    assert parsed.records[1].kind == "vessel" and parsed.records[1].vessel == ParsedVessel()


def test_company_numbers_do_not_make_a_vessel() -> None:
    # As group 13637 (KOREA YUJONG SHIPPING CO LTD) of the 2018 copy has it.
    text = "UN Ref KPe.066. Company Number IMO 5434358  Registered owner"
    record = only(parse_2018(row_2018(Other_Information=text)))
    assert record.kind == "entity" and record.cited_un_reference == "KPe.066"
    assert record.identifiers == (
        ParsedIdentifier("imo_company", "5434358", "5434358", True, type_label="IMO number (from Other Information)"),
    )


def test_unknown_group_type_and_columns_are_counted() -> None:
    columns = (*COLUMNS_2018, "Aircraft Type")
    parsed = parse_uk_ofsi_csv(_csv(columns, [
        {**row_2018(Group_Type="Aircraft"), "Aircraft Type": "IL-76"},
        row_2018("9002"),
    ]))  # fmt: skip
    assert parsed.records[0].kind == "entity" and parsed.records[0].unknown_elements == ("Group Type:Aircraft",)
    assert parsed.unknown_element_counts == {"column:Aircraft Type": 1, "unknown:Group Type:Aircraft": 1}


@pytest.mark.parametrize(
    ("text", "kind", "dprk", "expected"),
    [
        ("UN Ref QDe.004. Emir", "entity", False, ("QDe.004", "")),
        ("UN Ref QDe.004. Emir", "individual", False, ("", "other_kind")),
        ("Un Ref: QDi.081.", "individual", False, ("QDi.081", "")),
        ("UN Ref QI.A.99.99. x", "individual", False, ("QDi.099", "")),
        ("UN Ref.077. Alternate", "individual", True, ("KPi.077", "")),
        ("UN Ref.077. Alternate", "individual", False, ("", "unreadable")),
        ("UN Ref E.29.I.11. Owned", "entity", False, ("", "unreadable")),
        ("UN Ref XXe.001.", "entity", False, ("", "unreadable")),  # no such committee
        ("Key commander in the Haqqani Network (TAe.012).", "individual", False, ("", "")),
        ("IRe.001. Subordinate of DIO.", "entity", False, ("IRe.001", "")),
        ("(UK Sanctions List Ref):AFG0100. (UN Ref):TAi.130. Involved", "individual", False, ("TAi.130", "")),
        ("EU listing. Not UN.", "entity", False, ("", "")),
    ],
)
def test_cited_un_reference(text: str, kind: str, dprk: bool, expected: tuple[str, str]) -> None:
    assert cited_un_reference(text, kind=kind, dprk=dprk) == expected


# --------------------------------------------------------------------------- the 2022 format

# Written by hand: no copy of the 2022-format ConList.csv is under shared/data (it is over 4 MiB).
# The columns are those of OFSI's 2022 format, in its order. Group 7405 is the 2018 copy's record of
# Abdul Ghafar Qurishi ABDUL GHANI rewritten in the new form, with the values OFSI's 2022 text form
# gives for Group ID 7405 (quoted in public test code): its non-Latin name, passport "D 000933" with
# details "(Afghan) Issued in Kabul on 13 Sep 1998", national id "55130" "(Afghan) (tazkira)",
# "(UK Sanctions List Ref):AFG0100. (UN Ref):TAi.130.", date designated 25/01/2001, last updated
# 01/02/2021, and "Good quality a.k.a: QURESHI, Abdul Ghaffar". The "(Gender):Male" span, the script
# type "Arabic" and the "Primary name variation" row are added here to exercise those columns.
# Group 13651 is the 2018 copy's SAM JONG 2 as a Ship, with the labelled ship spans a public
# third-party parser quotes from the 2022 file.
_ABDUL_GHANI = {
    "Name 6": "ABDUL GHANI", "Name 1": "Abdul Ghafar", "Name 2": "Qurishi", "Title": "Maulavi",
    "Town of Birth": "Turshut village, Wursaj District, Takhar Province", "Country of Birth": "Afghanistan",
    "Nationality": "Afghan", "Passport Number": "D 000933",
    "Passport Details": "(Afghan) Issued in Kabul on 13 Sep 1998", "National Identification Number": "55130",
    "National Identification Details": "(Afghan) (tazkira)",
    "Position": "Repatriation Attache, Taliban Embassy, Islamabad, Pakistan", "Address 1": "Khairkhana Section",
    "Address 2": "Number 3", "Address 6": "Kabul", "Country": "Afghanistan",
    "Other Information": "(UK Sanctions List Ref):AFG0100. (UN Ref):TAi.130. Involved in drug trafficking. "
                         "Belongs to Tajik ethnic group. (Gender):Male",
    "Group Type": "Individual", "Regime": "Afghanistan", "Listed On": "23/02/2001",
    "UK Sanctions List Date Designated": "25/01/2001", "Last Updated": "01/02/2021", "Group ID": "7405",
}  # fmt: skip
_SAM_JONG_2 = {
    "Name 6": "SAM JONG 2", "Group Type": "Ship", "Alias Type": "Primary name",
    "Regime": "Democratic People's Republic of Korea", "Listed On": "03/04/2018",
    "UK Sanctions List Date Designated": "31/12/2020", "Last Updated": "10/04/2018", "Group ID": "13651",
    "Other Information": "Listed as asset of Korea Samjong Shipping (IMO number):7408873 "
                         "(Current owners):Korea Samjong Shipping (Flag of ship):North Korea (Type of ship):Oil tanker",
}  # fmt: skip
ROWS_2022 = [
    {**_ABDUL_GHANI, "Alias Type": "Primary name", "DOB": "00/00/1970",
     "Name Non-Latin Script": "عبدالغفار قریشی عبد الغنی", "Non-Latin Script Type": "Arabic"},
    {**_ABDUL_GHANI, "Alias Type": "Primary name", "DOB": "00/00/1967"},
    {**_ABDUL_GHANI, "Name 6": "QURESHI", "Name 1": "Abdul Ghaffar", "Name 2": "", "Title": "",
     "Alias Type": "AKA", "Alias Quality": "Good", "DOB": "00/00/1970"},
    {**_ABDUL_GHANI, "Name 1": "Abdul Ghaffar", "Alias Type": "Primary name variation", "DOB": "00/00/1970"},
    _SAM_JONG_2,
]  # fmt: skip


def _parse_2022() -> ParsedList:
    return parse_uk_ofsi_csv(_csv(COLUMNS_2022, ROWS_2022, date="01/02/2021", encoding="utf-8"))


def test_2022_format_individual() -> None:
    parsed = _parse_2022()
    assert parsed.generated_at == dt.datetime(2021, 2, 1, tzinfo=dt.timezone.utc)
    assert parsed.unknown_element_counts == {}
    record = parsed.records[0]
    assert (record.external_id, record.reference_number, record.cited_un_reference) == ("7405", "AFG0100", "TAi.130")
    assert (record.kind, record.gender, record.regime) == ("individual", "Male", "Afghanistan")
    assert record.titles == ("Maulavi",)
    assert record.primary_name == "Abdul Ghafar Qurishi ABDUL GHANI"
    assert record.names == (
        ParsedName("Abdul Ghafar Qurishi ABDUL GHANI", "primary"),
        ParsedName("عبدالغفار قریشی عبد الغنی", "original_script", script="arabic", note="Arabic"),
        ParsedName("Abdul Ghaffar QURESHI", "alias", quality="good"),
        ParsedName("Abdul Ghaffar Qurishi ABDUL GHANI", "alias", note="primary name variation"),
    )
    assert record.identifiers == (
        ParsedIdentifier("passport", "D 000933", "D000933", None, type_label="Passport Number", country="Afghan",
                         country_code="AF", issued_on=dt.date(1998, 9, 13),
                         note="(Afghan) Issued in Kabul on 13 Sep 1998"),
        ParsedIdentifier("national_id", "55130", "55130", None, type_label="National Identification Number",
                         country="Afghan", country_code="AF", note="(Afghan) (tazkira)"),
    )  # fmt: skip
    assert record.birth_dates == (ParsedBirthDate("exact", year=1970), ParsedBirthDate("exact", year=1967))
    assert record.addresses == (
        ParsedAddress("address", street="Khairkhana Section, Number 3", city="Kabul", country="Afghanistan",
                      country_code="AF"),
        ParsedAddress("place_of_birth", city="Turshut village, Wursaj District, Takhar Province",
                      country="Afghanistan", country_code="AF"),
    )  # fmt: skip
    assert (record.listed_on, record.last_updated) == (dt.date(2001, 2, 23), (dt.date(2021, 2, 1),))
    assert record.raw["rows"][0]["UK Sanctions List Date Designated"] == "25/01/2001"


def test_2022_format_ship() -> None:
    record = _parse_2022().records[1]
    assert (record.kind, record.primary_name, record.reference_number) == ("vessel", "SAM JONG 2", "UK-13651")
    assert record.vessel == ParsedVessel(
        imo="7408873", imo_valid=True, flag="North Korea", flag_code="KP", vessel_type="Oil tanker",
        owner="Korea Samjong Shipping",
    )
    assert record.identifiers == (
        ParsedIdentifier("imo", "7408873", "7408873", True, type_label="IMO number (from Other Information)"),
    )
    assert record.links == (ParsedLink("owner", name="Korea Samjong Shipping"),)
    assert record.cited_un_reference == ""


def test_the_two_forms_read_the_same_record_alike() -> None:
    # Group 7405 of the 2018 copy and its 2022 rewrite agree on everything both forms carry.
    old, new = _real_records()["7405"], _parse_2022().records[0]
    for field in ("external_id", "kind", "primary_name", "name_parts", "titles", "designations", "birth_dates",
                  "nationalities", "addresses", "cited_un_reference", "listed_on", "programs"):  # fmt: skip
        assert getattr(old, field) == getattr(new, field), field
    assert [i.value for i in old.identifiers] == [i.value for i in new.identifiers] == ["D 000933", "55130"]
    assert old.identifiers[0].issued_on == new.identifiers[0].issued_on == dt.date(1998, 9, 13)
