"""Tests for the parser of the UN 1718 Designated Vessels List (CSV transcription).

Pure: no database, no Django settings needed. No raw copy of the list exists to test against (the
UN publishes it as a PDF table; see shared/data/SOURCES.md), so the real-data test is the sample
``seeds/un_1718_vessels_sample.csv``, plus the UN XML and OFAC CSV copies, which must be refused.

Provenance of the sample (every fact in it, and where it comes from; a cell is empty where no
source gives the fact):
- Vessels and measures: shared/docs/domain.md section 4.2. October 2017: PETREL 8, HAO FAN 6,
  TONG SAN 2 and JIE SHUN given a port-entry ban only. 28 December 2017: IMO 9191773, 9114555,
  9020534 and 7389704 (RYE SONG GANG 1) given port-entry bans. Section 7.1: IMO 8606173 is the
  OMM vessel "Chol Ryong", so its OMM measure cell is "X" and its owner cell names Ocean Maritime
  Management, KPe.020 (domain.md 4.1), as "Ocean Maritime Management Company, Limited (KPe.020)"
  (the UN XML copies' KPe.020 record: OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)).
- The October date, 03-Oct-17, is deduced, not quoted: domain.md gives "October 2017" for these
  first four designations, and the real transcription cell it quotes, "1: 03-Oct-17 2: 30-Mar-18",
  shows that a vessel was first designated on 3 October 2017, which can only be that event.
- Names of 9114555 (UL JI BONG 6) and 9020534 (RUNG RA 2), the flag "Democratic People's Republic
  of Korea" of 9114555, 9020534, 7389704 and 8606173, the type "General Cargo" of 8606173 and the
  IMO number 8628597 of HAO FAN 6: OFAC sdn.csv copies in shared/data/ofac (ent_num 23525, 23169,
  23186, 17104, 23771). OFAC names 8606173 RYONG GUN BONG; the sample keeps domain.md's CHOL RYONG.
- HAO FAN 6 is "St Kitts-Nevis-flagged": UN XML copies, comments of KPe.073 (Shen Zhong
  International Shipping), written as the country's name, Saint Kitts and Nevis.
- The name of 9191773 and the IMO numbers of PETREL 8, TONG SAN 2 and JIE SHUN are in no UN or
  OFAC copy here, so those cells are empty (the three are keyed by their row number). No source
  gives MMSIs, call signs, other information, pictures or CHOL RYONG's date of designation.
- The "#" row numbers are the sample's own (1-9), not the UN's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from sanctions.identifiers import check_imo
from sanctions.parsers.types import ListParseError, ParsedLink, ParsedMeasure, ParsedName, ParsedRecord
from sanctions.parsers.un_1718_vessels import content_sha256, parse_un_1718_vessels_csv, read_generated_at

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "seeds" / "un_1718_vessels_sample.csv"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
UN_XML = SHARED_DATA / "un" / "moov-io__watchman" / "UN_consolidated.xml"
OFAC_SDN = SHARED_DATA / "ofac" / "moov-io__watchman__bench" / "sdn.csv"

FREEZE_1718 = "Paragraph 8 (d) of resolution 1718 (2006) and paragraph 12 of resolution 2270 (2016)"
DEFLAG = "Paragraph 12 (a) of resolution 2321 (2016)"
FREEZE_2321 = "Paragraph 12 (d) of resolution 2321 (2016)"
PORT_BAN = "Paragraph 6 of resolution 2371 (2017) and paragraph 6 of resolution 2375 (2017)"
OMM = "Economic resources controlled or operated by Ocean Maritime Management (KPe.020)"
MEASURE_HEADERS = (FREEZE_1718, DEFLAG, FREEZE_2321, PORT_BAN, OMM)
HEADER = (
    "#", "vessel_name", "imo_number", "mmsi", "flag", "call_sign", "type", "other_information", "image_url",
    "date_of_designation", *MEASURE_HEADERS, "designated_owner",
)  # fmt: skip
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --------------------------------------------------------------------------- fixture builders


def vessel_row(**cells: str) -> dict[str, str]:
    row = {"#": "1", "vessel_name": "TEST VESSEL", "imo_number": "9191773", "date_of_designation": "30-Mar-18"}
    row.update(cells)
    return row


def to_csv(*rows: dict[str, str], header: tuple[str, ...] = HEADER) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode("utf-8")


def parse_one(**cells: str) -> ParsedRecord:
    parsed = parse_un_1718_vessels_csv(to_csv(vessel_row(**cells)))
    assert len(parsed.records) == 1
    return parsed.records[0]


def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


def sample_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(SAMPLE.read_text(encoding="utf-8"), newline="")))


def sample_record(external_id: str) -> ParsedRecord:
    return next(r for r in parse_un_1718_vessels_csv(sample_bytes()).records if r.external_id == external_id)


def day(text: str) -> dt.date:
    """'03-Oct-17' -> 2017-10-03, written out here so the test does not depend on the parser or the locale."""
    day_text, month_text, year_text = text.split("-")
    return dt.date(2000 + int(year_text), MONTHS.index(month_text) + 1, int(day_text))


# --------------------------------------------------------------------------- the sample


def test_sample_counts_match_the_csv_read_directly() -> None:
    rows = sample_rows()
    parsed = parse_un_1718_vessels_csv(sample_bytes())

    assert parsed.vessels == len(parsed.records) == len(rows) == 9
    assert parsed.individuals == parsed.entities == 0
    expected_ids = [row["imo_number"] or f"row-{row['#']}" for row in rows]
    assert [record.external_id for record in parsed.records] == expected_ids
    assert len(set(expected_ids)) == len(expected_ids)

    # One measure per date in a measure cell, one for an "X"; cells here hold one date or "X".
    expected_measures = sum(1 for row in rows for header in MEASURE_HEADERS if row[header])
    assert sum(len(record.measures) for record in parsed.records) == expected_measures == 9
    port_bans = sum(1 for row in rows if row[PORT_BAN])
    assert sum(m.measure == "port_entry_ban" for r in parsed.records for m in r.measures) == port_bans == 8
    assert sum(len(record.links) for record in parsed.records) == sum(1 for row in rows if row["designated_owner"])

    for row, record in zip(rows, parsed.records, strict=True):
        dates = [day(text) for text in row["date_of_designation"].split()]
        assert record.listed_on == (min(dates) if dates else None)
        assert record.primary_name == row["vessel_name"]
        assert record.kind == "vessel" and record.regime == "DPRK" and record.programs == ("DPRK",)
        assert record.vessel is not None and record.vessel.flag == row["flag"]
        if row["imo_number"]:
            assert record.vessel.imo_valid is check_imo(row["imo_number"]).valid is True


def test_sample_hao_fan_6_field_by_field() -> None:
    # 2,HAO FAN 6,8628597,,Saint Kitts and Nevis,,,,,03-Oct-17,,,,03-Oct-17,,
    record = sample_record("8628597")
    assert record.reference_number == "1718-IMO 8628597"
    assert record.list_types == ("1718 Designated Vessels List",)
    assert record.cited_un_reference == ""
    assert record.primary_name == "HAO FAN 6" and record.name_parts == ("HAO FAN 6",)
    assert record.names == (ParsedName(name="HAO FAN 6", kind="primary"),)
    assert record.listed_on == dt.date(2017, 10, 3) and record.last_updated == ()
    assert record.comments == ""
    assert [(i.type, i.value, i.normalized, i.valid) for i in record.identifiers] == [
        ("imo", "8628597", "8628597", True)
    ]
    vessel = record.vessel
    assert vessel is not None
    assert (vessel.imo, vessel.imo_valid) == ("8628597", True)
    assert (vessel.flag, vessel.flag_code) == ("Saint Kitts and Nevis", "KN")
    assert (vessel.mmsi, vessel.call_sign, vessel.vessel_type) == ("", "", "")
    assert record.measures == (
        ParsedMeasure(measure="port_entry_ban", basis=PORT_BAN, designated_on=dt.date(2017, 10, 3)),
    )
    assert record.links == ()
    assert record.raw["#"] == "2" and record.raw["vessel_name"] == "HAO FAN 6" and record.raw[PORT_BAN] == "03-Oct-17"


def test_sample_vessel_without_imo_is_keyed_by_its_row_number() -> None:
    # 1,PETREL 8,,,,,,,,03-Oct-17,,,,03-Oct-17,,
    record = sample_record("row-1")
    assert record.reference_number == "1718-#1"
    assert record.primary_name == "PETREL 8"
    assert record.identifiers == ()
    assert record.vessel is not None and (record.vessel.imo, record.vessel.imo_valid) == ("", None)
    assert [(m.measure, m.designated_on) for m in record.measures] == [("port_entry_ban", dt.date(2017, 10, 3))]


def test_sample_vessel_without_name_keeps_its_imo() -> None:
    # 5,,9191773,,,,,,,28-Dec-17,,,,28-Dec-17,,
    record = sample_record("9191773")
    assert record.primary_name == "" and record.names == () and record.name_parts == ()
    assert record.listed_on == dt.date(2017, 12, 28)


def test_sample_omm_vessel_link_and_undated_measure() -> None:
    # 9,CHOL RYONG,8606173,,Democratic People's Republic of Korea,,General Cargo,,,,,,,,X,
    # "Ocean Maritime Management Company, Limited (KPe.020)"
    parsed = parse_un_1718_vessels_csv(sample_bytes())
    record = next(r for r in parsed.records if r.external_id == "8606173")
    assert record.primary_name == "CHOL RYONG"
    assert record.vessel is not None
    assert (record.vessel.flag_code, record.vessel.vessel_type) == ("KP", "General Cargo")
    assert record.links == (
        ParsedLink("economic_resource_of", name="Ocean Maritime Management Company, Limited", reference="KPe.020"),
    )
    assert record.listed_on is None  # no source gives its date of designation
    (measure,) = record.measures
    assert (measure.measure, measure.basis, measure.designated_on) == ("asset_freeze", OMM, None)
    assert measure.note.startswith("as economic resources of Ocean Maritime Management (KPe.020)")
    assert "no date of designation" in measure.note
    assert parsed.unknown_element_counts == {"warning:measure_date_unknown": 1}


# --------------------------------------------------------------------------- measures and dates


def test_two_dates_in_a_cell_give_two_dated_measures() -> None:
    record = parse_one(
        date_of_designation="1: 03-Oct-17 2: 30-Mar-18",
        **{PORT_BAN: "1: 03-Oct-17 2: 30-Mar-18", FREEZE_2321: "30-Mar-18"},
    )
    assert record.listed_on == dt.date(2017, 10, 3)
    assert record.last_updated == (dt.date(2018, 3, 30),)
    assert record.measures == (
        ParsedMeasure(measure="asset_freeze", basis=FREEZE_2321, designated_on=dt.date(2018, 3, 30)),
        ParsedMeasure(measure="port_entry_ban", basis=PORT_BAN, designated_on=dt.date(2017, 10, 3)),
        ParsedMeasure(measure="port_entry_ban", basis=PORT_BAN, designated_on=dt.date(2018, 3, 30)),
    )


def test_each_measure_column_grants_its_own_measure_in_column_order() -> None:
    record = parse_one(**{header: f"0{position}-Apr-18" for position, header in enumerate(MEASURE_HEADERS, start=1)})
    assert [(m.measure, m.basis, m.designated_on) for m in record.measures] == [
        ("asset_freeze", FREEZE_1718, dt.date(2018, 4, 1)),
        ("deflagging", DEFLAG, dt.date(2018, 4, 2)),
        ("asset_freeze", FREEZE_2321, dt.date(2018, 4, 3)),
        ("port_entry_ban", PORT_BAN, dt.date(2018, 4, 4)),
        ("asset_freeze", OMM, dt.date(2018, 4, 5)),
    ]


def test_x_and_yes_mean_from_the_date_of_designation_and_na_means_not_applied() -> None:
    marks = {FREEZE_1718: "X", DEFLAG: "Yes", FREEZE_2321: "NA", PORT_BAN: ""}
    record = parse_one(date_of_designation="30-Mar-18", **marks)
    assert [(m.measure, m.designated_on) for m in record.measures] == [
        ("asset_freeze", dt.date(2018, 3, 30)),
        ("deflagging", dt.date(2018, 3, 30)),
    ]
    assert record.measures[0].note == "marked 'X': from the date of designation"


def test_x_with_several_designation_dates_is_undated_and_counted() -> None:
    row = vessel_row(date_of_designation="1: 03-Oct-17 2: 30-Mar-18", **{DEFLAG: "x"})
    parsed = parse_un_1718_vessels_csv(to_csv(row))
    (measure,) = parsed.records[0].measures
    assert measure.designated_on is None
    assert measure.note == "marked 'x'; the row has several dates of designation (2017-10-03, 2018-03-30)"
    assert parsed.unknown_element_counts == {"warning:measure_date_unknown": 1}


def test_other_date_forms_and_unreadable_dates() -> None:
    record = parse_one(date_of_designation="2018-03-30", **{PORT_BAN: "3 October 2017; 31-Feb-18", DEFLAG: "pending"})
    assert record.listed_on == dt.date(2018, 3, 30)
    assert [(m.measure, m.designated_on, m.note) for m in record.measures] == [
        ("deflagging", None, "cell not read as a date: 'pending'"),
        ("port_entry_ban", dt.date(2017, 10, 3), "also in the cell: '31-Feb-18'"),
    ]


# --------------------------------------------------------------------------- links, names, identifiers


@pytest.mark.parametrize(
    ("cell", "link"),
    [
        ("Ocean Maritime Management Company, Limited (KPe.020)",
         ParsedLink("economic_resource_of", "Ocean Maritime Management Company, Limited", "KPe.020")),
        ("Korea Mining Development Trading Corporation (UN Ref KPe.001)",
         ParsedLink("economic_resource_of", "Korea Mining Development Trading Corporation", "KPe.001")),
        ("Some Shipping Co (kpe.020)", ParsedLink("economic_resource_of", "Some Shipping Co (kpe.020)", "")),
        ("Some Shipping Co", ParsedLink("economic_resource_of", "Some Shipping Co", "")),
    ],
)  # fmt: skip
def test_designated_owner_cell_becomes_an_economic_resource_link(cell: str, link: ParsedLink) -> None:
    assert parse_one(designated_owner=cell).links == (link,)


def test_the_omm_column_alone_names_omm_as_the_owner() -> None:
    record = parse_one(**{OMM: "X"})
    assert record.links == (
        ParsedLink("economic_resource_of", "Ocean Maritime Management", "KPe.020", note=f"from the column {OMM!r}"),
    )
    assert parse_one(**{OMM: "NA"}).links == ()


def test_bad_imo_check_digit_is_kept_but_invalid() -> None:
    # 9191773 is valid (domain.md 7.1); the last digit changed to 4 breaks the check digit.
    parsed = parse_un_1718_vessels_csv(to_csv(vessel_row(imo_number="9191774")))
    record = parsed.records[0]
    assert record.external_id == "9191774"
    assert record.reference_number == "1718-IMO 9191774"
    assert record.vessel is not None and (record.vessel.imo, record.vessel.imo_valid) == ("9191774", False)
    (imo,) = record.identifiers
    assert (imo.type, imo.value, imo.normalized, imo.valid) == ("imo", "9191774", "9191774", False)
    assert imo.note == "IMO check digit is 4, expected 3"
    assert parsed.unknown_element_counts == {"warning:imo_invalid": 1}


def test_imo_that_is_not_seven_digits_falls_back_to_the_row_number() -> None:
    record = parse_one(**{"#": "12", "imo_number": "IMO 919177"})
    assert record.external_id == "row-12" and record.reference_number == "1718-#12"
    assert record.vessel is not None and (record.vessel.imo, record.vessel.imo_valid) == ("", None)
    (imo,) = record.identifiers
    assert (imo.value, imo.normalized, imo.valid) == ("IMO 919177", "IMO919177", False)


def test_imo_with_its_label_is_normalised() -> None:
    record = parse_one(imo_number="IMO 9191773")
    assert record.external_id == "9191773"
    assert record.identifiers[0].value == "IMO 9191773" and record.identifiers[0].normalized == "9191773"


def test_former_names_in_other_information_become_fka_aliases() -> None:
    text = "Former names: HAO FAN 8, \"SHUN FA\". Formerly known as TEST VESSEL; Owned by X (KPe.020)."
    record = parse_one(other_information=text)
    assert record.comments == text
    assert record.names == (
        ParsedName(name="TEST VESSEL", kind="primary"),
        ParsedName(name="HAO FAN 8", kind="alias", quality="fka", note="former name, from other information"),
        ParsedName(name="SHUN FA", kind="alias", quality="fka", note="former name, from other information"),
    )
    assert parse_one(other_information="Owned by a former DPRK shipping company.").names == (
        ParsedName(name="TEST VESSEL", kind="primary"),
    )


def test_numbered_names_mmsi_and_call_signs() -> None:
    record = parse_one(
        vessel_name="1: NAM SAN 8 2: NAM SAN 88",
        flag="Democratic People's Republic of Korea",
        mmsi="1: 445123456 2: 273456789",
        call_sign="1: HMYU 2: UBCD",
    )
    assert [(n.name, n.kind, n.quality) for n in record.names] == [
        ("NAM SAN 8", "primary", ""), ("NAM SAN 88", "alias", "aka"),
    ]
    assert [(i.type, i.normalized, i.valid) for i in record.identifiers] == [
        ("imo", "9191773", True),
        ("mmsi", "445123456", True),
        ("mmsi", "273456789", True),
        ("call_sign", "HMYU", True),
        ("call_sign", "UBCD", True),
    ]
    assert record.identifiers[1].note == ""
    assert "MMSI MID 273 is RU" in record.identifiers[2].note and "flag is KP" in record.identifiers[2].note
    assert "but the flag is KP" in record.identifiers[4].note
    assert record.vessel is not None
    assert (record.vessel.mmsi, record.vessel.call_sign, record.vessel.flag_code) == ("445123456", "HMYU", "KP")


def test_raw_is_the_row_by_canonical_header_and_json_serialisable() -> None:
    record = parse_one(type="Oil tanker")
    assert record.raw == {header: vessel_row(type="Oil tanker").get(header, "") for header in HEADER}
    assert json.loads(json.dumps(record.raw)) == record.raw


# --------------------------------------------------------------------------- headers


def test_headers_are_matched_ignoring_case_spacing_and_the_short_forms() -> None:
    short_header = (
        "#", "Vessel Name", "IMO  number", "MMSI", "Flag", "Call sign", "Type", "Other Information", "Picture link",
        "Date of designation", "paragraph 8(d) of 1718 and paragraph 12 of 2270", "paragraph 12(a) of 2321",
        "PARAGRAPH 12(D) OF 2321", "paragraph 6 of 2371 and paragraph 6 of 2375",
        "economic resources controlled or operated by Ocean Maritime Management (KPe.020)",
        "Designated as economic resources of",
    )  # fmt: skip
    cells = dict(zip(HEADER, ["7", "TEST VESSEL", "9191773", "445123456", "DPRK", "HMYU", "Tanker", "Note.", "",
                              "30-Mar-18", "X", "30-Mar-18", "X", "30-Mar-18", "X", "Some Co (KPe.020)"]))  # fmt: skip
    canonical = parse_un_1718_vessels_csv(to_csv(cells))
    renamed = parse_un_1718_vessels_csv(to_csv(dict(zip(short_header, cells.values())), header=short_header))
    assert renamed.records == canonical.records
    assert len(canonical.records[0].measures) == 5


def test_the_picture_column_is_optional_and_unknown_columns_are_kept_and_counted() -> None:
    header = tuple(name for name in HEADER if name != "image_url") + ("Remarks", "")
    rows = (vessel_row(Remarks="seen at Nampo"), vessel_row(**{"#": "2", "imo_number": "9114555"}))
    parsed = parse_un_1718_vessels_csv(to_csv(*rows, header=header))
    first, second = parsed.records
    assert first.raw["Remarks"] == "seen at Nampo" and "image_url" not in first.raw
    assert first.unknown_elements == ("column:Remarks",) and second.unknown_elements == ()
    assert parsed.unknown_element_counts == {"unknown_column:Remarks": 1}


def test_missing_required_columns_are_refused_naming_them() -> None:
    header = tuple(name for name in HEADER if name not in ("imo_number", PORT_BAN))
    message = r"^not the 1718 Designated Vessels List CSV: the header \(line 1\) lacks the required columns "
    with pytest.raises(ListParseError, match=message + re.escape(f"'imo_number', '{PORT_BAN}'") + "$"):
        parse_un_1718_vessels_csv(to_csv(vessel_row(), header=header))


def test_a_column_given_twice_is_refused() -> None:
    header = (*HEADER, "IMO Number")
    with pytest.raises(ListParseError, match=r"'imo_number' and 'IMO Number' are the same column 'imo_number'"):
        parse_un_1718_vessels_csv(to_csv(vessel_row(), header=header))


# --------------------------------------------------------------------------- refused files


def test_truncated_row_is_refused() -> None:
    data = sample_bytes()
    cut = data[: data.index(b"CHOL RYONG") + len(b"CHOL RYONG,8606173")]
    message = rf"^row 9 \(line 10\): 3 cells, expected {len(HEADER)} like the header \(a truncated file\?\)$"
    with pytest.raises(ListParseError, match=message):
        parse_un_1718_vessels_csv(cut)


def test_file_cut_inside_a_quoted_cell_is_refused() -> None:
    data = sample_bytes()
    cut = data[: data.index(b'"Ocean Maritime') + 10]
    with pytest.raises(ListParseError, match=r"line \d+: malformed CSV"):
        parse_un_1718_vessels_csv(cut)


def test_a_row_with_more_cells_than_the_header_is_refused() -> None:
    data = to_csv(vessel_row()).rstrip() + b",extra\r\n"
    message = rf"^row 1 \(line 2\): {len(HEADER) + 1} cells, expected {len(HEADER)} like the header$"
    with pytest.raises(ListParseError, match=message):
        parse_un_1718_vessels_csv(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (UN_XML, r"an HTML or XML document, not a CSV file"),
        (OFAC_SDN, r"^not the 1718 Designated Vessels List CSV: the header \(line 1\) lacks the required columns "
                   r"'#', 'vessel_name', 'imo_number'"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", r"a PDF \(the UN's own publication of the list\)"),
        (b"PK\x03\x04\x14\x00\x06\x00", r"a ZIP archive"),
        (b'{"vessels": []}', r"lacks the required columns"),
        ("#,vessel_name\r\n".encode("utf-16"), r"not UTF-8 text: byte 0xFF at line 1 \(offset 0\)"),
        ("#,vessel_name\r\n1,CAF\u00c9\r\n".encode("cp1252"), r"not UTF-8 text: byte 0xC9 at line 2 \(offset 20\)"),
        (b"#,vessel_name\r\n1,A\x00\x00\x00", r"a NUL character at line 2: a corrupt or binary file"),
    ],
    ids=["un-xml-copy", "ofac-sdn-csv-copy", "pdf", "xlsx", "json", "utf-16", "cp1252", "nul-bytes"],
)  # fmt: skip
def test_other_formats_are_refused(data: Path | bytes, message: str) -> None:
    content = data.read_bytes() if isinstance(data, Path) else data
    with pytest.raises(ListParseError, match=message):
        parse_un_1718_vessels_csv(content)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^empty file$"),
        (b" \r\n\r\n", r"^empty file$"),
        (b",,,\r\n,,,\r\n", r"^no header row: the file holds only empty rows$"),
        (to_csv(), r"^no vessel rows after the header"),
        (to_csv() + b",,,,,,,,,,,,,,,\r\n", r"^no vessel rows after the header"),
    ],
    ids=["empty", "blank-lines", "empty-cells", "header-only", "header-and-an-empty-row"],
)
def test_empty_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message):
        parse_un_1718_vessels_csv(data)


def test_files_over_the_cap_are_refused_before_parsing() -> None:
    data = sample_bytes()
    message = rf"^file is {len(data):,} bytes, over the limit of {len(data) - 1:,} bytes$"
    with pytest.raises(ListParseError, match=message):
        parse_un_1718_vessels_csv(data, max_bytes=len(data) - 1)
    assert len(parse_un_1718_vessels_csv(data, max_bytes=len(data)).records) == 9


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((vessel_row(), vessel_row(**{"#": "2"})), r"row 2 \(line 3\): IMO 9191773 is also on row 1 \(line 2\)"),
        ((vessel_row(), vessel_row(imo_number="9114555")), r"row 2 \(line 3\): '#' 1 is also on row 1 \(line 2\)"),
        ((vessel_row(**{"#": "one"}),), r"row 1 \(line 2\): '#' is 'one', not a row number"),
        ((vessel_row(vessel_name="", imo_number=""),), r"row 1 \(line 2\): neither a vessel name nor an IMO number"),
    ],
    ids=["duplicate-imo", "duplicate-row-number", "bad-row-number", "no-name-no-imo"],
)
def test_rows_the_list_cannot_have_are_refused(rows: tuple[dict[str, str], ...], message: str) -> None:
    with pytest.raises(ListParseError, match=message):
        parse_un_1718_vessels_csv(to_csv(*rows))


def test_bytes_only() -> None:
    with pytest.raises(TypeError):
        parse_un_1718_vessels_csv(SAMPLE.read_text(encoding="utf-8"))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- hash and date


def test_content_hash_ignores_a_bom_and_the_final_newline_but_not_a_change_of_record() -> None:
    data = sample_bytes()
    parsed = parse_un_1718_vessels_csv(data)
    assert parsed.content_sha256 == content_sha256(data)
    resaved = b"\xef\xbb\xbf" + data.rstrip(b"\r\n")
    assert content_sha256(resaved) == content_sha256(data)
    assert parse_un_1718_vessels_csv(resaved).records == parsed.records
    changed = data.replace(b"28-Dec-17,,,,28-Dec-17", b"28-Dec-17,,,,29-Dec-17", 1)
    assert changed != data and content_sha256(changed) != content_sha256(data)


def test_the_table_carries_no_publication_date() -> None:
    assert read_generated_at(sample_bytes()) is None
    assert parse_un_1718_vessels_csv(sample_bytes()).generated_at is None
