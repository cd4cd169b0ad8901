"""Tests for the EU Financial Sanctions Files parser: the real partial CSV copy, the XML sample in
seeds/ (validated against the real XSD and checked against the UN list it was built from), then one
small inline fixture per rule.

Pure: no database, no Django settings needed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

from sanctions.identifiers import check_un_reference
from sanctions.parsers.eu_fsf import content_sha256, parse_eu_fsf, read_generated_at
from sanctions.parsers.types import (
    ListParseError,
    ParsedAddress,
    ParsedBirthDate,
    ParsedIdentifier,
    ParsedList,
    ParsedName,
    ParsedNationality,
    ParsedRecord,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
CSV_COPY = SHARED_DATA / "eu" / "photoangell__SanctionsApi" / "EUSanctionsShort.csv"
XSD = SHARED_DATA / "eu" / "kajala__django-jsanctions" / "20171012-FULL-schema-1_1.xsd"
UN_LIST = SHARED_DATA / "un" / "TuaMaley__New-AML-TMS" / "un_sanctions.xml"
XML_SAMPLE = REPO_ROOT / "seeds" / "eu_fsf_sample.xml"
FSF = "http://eu.europa.ec/fpi/fsd/export"
NS = {"fsd": FSF}
UN_REFERENCE_IN_TEXT = re.compile(r"\b[A-Z]{2}[ie]\.[0-9]{3}\b")


# --------------------------------------------------------------------------- the real files


@lru_cache(maxsize=None)
def csv_bytes() -> bytes:
    return CSV_COPY.read_bytes()


@lru_cache(maxsize=None)
def parsed_csv() -> ParsedList:
    return parse_eu_fsf(csv_bytes())


@lru_cache(maxsize=None)
def csv_table() -> tuple[list[str], list[list[str]]]:
    """(header, data rows) read with the csv module: each line of the copy is one quoted field
    holding the ';'-separated row, padded with tabs."""
    lines = list(csv.reader(io.StringIO(csv_bytes().decode("cp1252"), newline=""), delimiter=";"))
    rows = [next(csv.reader([line[0].rstrip("\t")], delimiter=";")) for line in lines]
    return rows[0], rows[1:]


def csv_rows_by_entity() -> dict[str, list[dict[str, str]]]:
    header, rows = csv_table()
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        # dict(zip()) keeps the last of the repeated Entity_logical_id columns; each repeats the first.
        grouped.setdefault(row[1], []).append(dict(zip(header, row)))
    return grouped


@lru_cache(maxsize=None)
def xml_bytes() -> bytes:
    return XML_SAMPLE.read_bytes()


@lru_cache(maxsize=None)
def parsed_xml() -> ParsedList:
    return parse_eu_fsf(xml_bytes())


def xml_tree() -> etree._ElementTree:
    return etree.parse(str(XML_SAMPLE))


def record(parsed: ParsedList, external_id: str) -> ParsedRecord:
    return next(r for r in parsed.records if r.external_id == external_id)


def names(parsed_record: ParsedRecord) -> list[str]:
    return [name.name for name in parsed_record.names]


# --------------------------------------------------------------------------- CSV: the real copy


def test_csv_copy_gives_one_record_per_entity_logical_id():
    by_entity = csv_rows_by_entity()
    subject_types = Counter(rows[0]["Subject_type"] for rows in by_entity.values())
    parsed = parsed_csv()

    assert [r.external_id for r in parsed.records] == list(by_entity)  # in published order
    assert len(parsed.records) == len(by_entity) == 93  # SOURCES.md: 93 Entity_logical_ids
    assert parsed.individuals == subject_types["P"]
    assert parsed.entities == subject_types["E"]
    assert parsed.vessels == 0


def test_csv_copy_programmes_references_and_un_citations():
    by_entity = csv_rows_by_entity()
    parsed = parsed_csv()
    for parsed_record in parsed.records:
        rows = by_entity[parsed_record.external_id]
        assert parsed_record.reference_number == rows[0]["EU_ref_num"]
        assert parsed_record.programs == tuple(dict.fromkeys(row["Programme"] for row in rows))
        assert parsed_record.regime == rows[0]["Programme"]
    # The CSV 1.0 has no UN reference column, and no remark of this copy quotes one.
    citing = {entity for entity, rows in by_entity.items() if UN_REFERENCE_IN_TEXT.search(json.dumps(rows))}
    assert {r.external_id for r in parsed.records if r.cited_un_reference} == citing == set()


def test_csv_copy_names_readable_or_dropped_for_lost_letters():
    header, rows = csv_table()
    column = header.index("Naal_wholename")
    lost = [row[column] for row in rows if row[column].count("?") > sum(char.isalpha() for char in row[column])]
    parsed = parsed_csv()

    assert parsed.unknown_element_counts == {"skipped:name_lost_in_encoding": len(lost)}
    assert len(lost) == 64
    by_entity = csv_rows_by_entity()
    for parsed_record in parsed.records:
        published = {
            " ".join(row["Naal_wholename"].replace("\t", ",").split())
            for row in by_entity[parsed_record.external_id]
            if row["Naal_wholename"] and row["Naal_wholename"] not in lost
        }
        assert set(names(parsed_record)) == published
        assert len(names(parsed_record)) == len(set(names(parsed_record)))  # deduplicated
        for name in parsed_record.names:
            assert ("?" in name.name) == ("could not hold" in name.note)


def test_csv_copy_mugabe_field_by_field():
    # Lines 2-6 of the copy: two legal acts, the name under each, two birth rows, a passport.
    mugabe = record(parsed_csv(), "1")
    assert mugabe.kind == "individual"
    assert mugabe.reference_number == "EU.36.64"
    assert mugabe.programs == ("ZWE",)
    assert mugabe.primary_name == "Robert Gabriel Mugabe"
    assert mugabe.name_parts == ("Robert", "Gabriel", "Mugabe")
    assert mugabe.names == (ParsedName("Robert Gabriel Mugabe", "primary"),)  # once, not once per act
    assert mugabe.gender == "Male"
    assert mugabe.designations == ("Former President", "president")
    # Acts of 2002-09-13 (1643/2002), 2005-06-16 (the birth date's), 2012-02-22 (the passport's),
    # 2018-02-16 (2018/223): listed by the earliest, updated by the record's own later one.
    assert mugabe.listed_on == dt.date(2002, 9, 13)
    assert mugabe.last_updated == (dt.date(2018, 2, 16),)
    assert mugabe.comments == (
        "(Date of UN designation: 2002-02-21)\n(Date of designation referred to in Article 7 (2): 21.2.2002.)"
    )
    assert mugabe.birth_dates == (ParsedBirthDate("exact", date=dt.date(1924, 2, 21), year=1924),)
    assert mugabe.addresses == (ParsedAddress(kind="place_of_birth", city="Kutama"),)
    assert mugabe.identifiers == (
        ParsedIdentifier("passport", "AD001095", "AD001095", None, type_label="National passport"),
    )
    assert mugabe.cited_un_reference == ""
    assert [act["Leba_numtitle"] for act in mugabe.raw["regulations"]] == ["2018/223 (OJ L43)", "1643/2002 (OJ L247)"]
    json.dumps(mugabe.raw)  # plain JSON


def test_csv_copy_saddam_hussein_tab_read_as_comma():
    saddam = record(parsed_csv(), "13")
    assert saddam.reference_number == "EU.27.28"
    assert saddam.regime == "IRQ"
    assert saddam.names == (
        ParsedName("Saddam Hussein Al-Tikriti", "primary"),
        ParsedName("Abu Ali", "alias"),
        ParsedName("Abou Ali", "alias", note="language FR"),
    )
    assert saddam.name_parts == ("Saddam", "Hussein Al-Tikriti")
    assert saddam.nationalities == (ParsedNationality("IRQ", "IQ"),)
    # Published "al-Awja\t near Tikrit": the copy turned the comma into a tab.
    assert saddam.addresses == (
        ParsedAddress(kind="place_of_birth", city="al-Awja, near Tikrit", country="IRQ", country_code="IQ"),
    )
    assert saddam.birth_dates == (ParsedBirthDate("exact", date=dt.date(1937, 4, 28), year=1937),)
    assert saddam.comments == "(UNSC RESOLUTION 1483)"


def test_csv_copy_al_rashid_trust_addresses_and_lost_names():
    trust = record(parsed_csv(), "330")
    assert trust.kind == "entity"
    assert trust.reference_number == "EU.522.39"
    assert trust.addresses[1] == ParsedAddress(
        kind="address",
        street="Kitab Ghar, Darul Ifta Wal Irshad, Nazimbad No 4",
        city="Karachi",
        country="PAK",
        country_code="PK",
        note="PHONE[668 33 01, 0300-820 91 99]; FAX[662 38 14]",  # a literal \n between the two
    )
    assert len(trust.addresses) == 11
    assert "Aid Organisation of the Ulema, Pakistan" in names(trust)
    # The Bulgarian name (logical id 7393) is mostly '?'; the Maltese one (7394) lost one letter.
    assert not any(name.startswith("???") for name in names(trust))
    maltese = next(name for name in trust.names if name.note.startswith("language MT"))
    assert maltese.name == "Organizzazzjoni tal- G?ajnuna tal-Ulema, Pakistan"


def test_csv_copy_identification_numbers_unpacked():
    by_id = {r.external_id: r for r in parsed_csv().records}
    assert by_id["70"].identifiers == (
        ParsedIdentifier("other", "AD001159", "AD001159", None, type_label="Other identification number"),
        ParsedIdentifier(
            "national_id", "63-646650 Q70", "63646650Q70", None, type_label="National identification card"
        ),
    )
    # "33301/862 (other-Other identification number) (issued: 17 october 1997 expires: 1 october 2005)"
    issued_and_expiring = by_id["93"].identifiers[0]
    assert (issued_and_expiring.value, issued_and_expiring.issued_on, issued_and_expiring.expires_on) == (
        "33301/862", dt.date(1997, 10, 17), dt.date(2005, 10, 1),
    )
    # "H0100009 (...) (?(issued: may 2001 expires: unknown))": no day, so kept as a note only.
    month_only = next(i for i in by_id["93"].identifiers if i.value == "H0100009")
    assert month_only.issued_on is None and "may 2001" in month_only.note


def test_csv_copy_generation_date_and_hash():
    data = csv_bytes()
    assert data.count(b'"04/07/2018;') == 999  # every data row opens with the file's date, dd/mm/yyyy
    assert read_generated_at(data) == dt.datetime(2018, 7, 4, tzinfo=dt.timezone.utc)
    assert parsed_csv().generated_at == read_generated_at(data)
    assert parsed_csv().content_sha256 == content_sha256(data)

    republished = data.replace(b'"04/07/2018;', b'"05/07/2018;')
    assert content_sha256(republished) == content_sha256(data)
    assert read_generated_at(republished) == dt.datetime(2018, 7, 5, tzinfo=dt.timezone.utc)
    assert content_sha256(data.replace(b"Mugabe", b"Mugabi")) != content_sha256(data)


def test_csv_plain_form_reads_like_the_wrapped_copy():
    # The same rows written as a plain ';' CSV (commas back in place), in UTF-8.
    header, rows = csv_table()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Date_file", *header[1:]])
    writer.writerows([[cell.replace("\t", ",") for cell in row] for row in rows])
    plain = parse_eu_fsf(out.getvalue().encode("utf-8"))

    def comparable(parsed_record: ParsedRecord) -> tuple:
        return (
            parsed_record.external_id, parsed_record.kind, parsed_record.reference_number, parsed_record.primary_name,
            parsed_record.listed_on, parsed_record.identifiers, parsed_record.birth_dates, parsed_record.addresses,
        )

    assert [comparable(r) for r in plain.records] == [comparable(r) for r in parsed_csv().records]
    assert plain.generated_at == parsed_csv().generated_at
    assert "skipped:name_lost_in_encoding" not in plain.unknown_element_counts  # UTF-8 loses no letter


# --------------------------------------------------------------------------- CSV: rejected inputs


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty document"),
        (b" \r\n\t", "empty document"),
        (CSV_COPY.read_bytes()[: 200_000], "malformed CSV"),  # cut inside a line
        (CSV_COPY.read_bytes().split(b"\n")[0] + b"\n", "no sanctioned entities"),  # the header alone
        ((SHARED_DATA / "ofac" / "moov-io__watchman__bench" / "sdn.csv").read_bytes(), "lacks Entity_logical_id"),
        (CSV_COPY.read_bytes().decode("cp1252").encode("utf-16"), "NUL characters"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL characters"),
    ],
    ids=["empty", "blank", "truncated", "header-only", "ofac-csv", "utf-16", "binary"],
)
def test_csv_unusable_inputs_are_rejected(content, message):
    with pytest.raises(ListParseError, match=message):
        parse_eu_fsf(content)


def test_csv_corrupt_rows_are_rejected_with_their_line():
    lines = csv_bytes().split(b"\n")
    short_row = lines[:3] + [lines[3].replace(b";", b"", 5)] + lines[4:]
    with pytest.raises(ListParseError, match=r"row 3 \(line 4\): 54 columns, expected 59"):
        parse_eu_fsf(b"\n".join(short_row))
    bad_key = lines[:2] + [lines[2].replace(b'"04/07/2018;1;', b'"04/07/2018;x1;', 1)] + lines[3:]
    with pytest.raises(ListParseError, match=r"row 2 \(line 3\): Entity_logical_id 'x1' is not a number"):
        parse_eu_fsf(b"\n".join(bad_key))


def test_oversized_input_is_rejected():
    with pytest.raises(ListParseError, match="over the limit of 1,000 bytes"):
        parse_eu_fsf(csv_bytes(), max_bytes=1000)


# --------------------------------------------------------------------------- XML: the sample


def test_xml_sample_is_valid_against_the_fsf_xsd():
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(xml_tree()), schema.error_log


def test_xml_sample_counts():
    tree = xml_tree()
    parsed = parsed_xml()
    assert len(parsed.records) == int(tree.xpath("count(/fsd:export/fsd:sanctionEntity)", namespaces=NS))
    assert parsed.individuals == int(
        tree.xpath("count(//fsd:sanctionEntity[fsd:subjectType/@classificationCode='P'])", namespaces=NS)
    )
    assert parsed.entities == int(
        tree.xpath("count(//fsd:sanctionEntity[fsd:subjectType/@classificationCode='E'])", namespaces=NS)
    )
    cited = tree.xpath("//fsd:sanctionEntity[@unitedNationId != '']/@unitedNationId", namespaces=NS)
    assert sorted(r.cited_un_reference for r in parsed.records if r.cited_un_reference) == sorted(cited)
    assert len(cited) == len(parsed.records) - 1  # Green Pine cites none
    assert all(r.programs == ("PRK",) and r.regime == "PRK" for r in parsed.records)
    assert [r.external_id for r in parsed.records] == tree.xpath("//fsd:sanctionEntity/@logicalId", namespaces=NS)
    assert [r.reference_number for r in parsed.records] == tree.xpath(
        "//fsd:sanctionEntity/@euReferenceNumber", namespaces=NS
    )
    assert parsed.unknown_element_counts == {}


def test_xml_sample_facts_are_the_un_lists():
    un_records = {
        element.findtext("REFERENCE_NUMBER").strip(): element
        for element in etree.parse(str(UN_LIST)).getroot().iter("INDIVIDUAL", "ENTITY")
    }
    for parsed_record in parsed_xml().records:
        if not parsed_record.cited_un_reference:
            continue
        un = un_records[parsed_record.cited_un_reference]
        assert check_un_reference(parsed_record.cited_un_reference).valid
        assert parsed_record.kind == ("individual" if un.tag == "INDIVIDUAL" else "entity")
        un_name = " ".join(filter(None, (un.findtext(tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME"))))
        assert parsed_record.primary_name == un_name
        assert parsed_record.listed_on.isoformat() == un.findtext("LISTED_ON")
        un_aliases = {alias.strip('"') for alias in un.xpath("*/ALIAS_NAME/text()")}
        assert set(names(parsed_record)[1:]) == un_aliases
        assert [d.date.isoformat() for d in parsed_record.birth_dates] == un.xpath(
            "INDIVIDUAL_DATE_OF_BIRTH/DATE/text()"
        )
        un_passports = {re.match(r"\s*(\w+)", number)[1] for number in un.xpath("INDIVIDUAL_DOCUMENT/NUMBER/text()")}
        assert {i.value for i in parsed_record.identifiers if i.type == "passport"} == un_passports


def test_xml_ocean_maritime_management_field_by_field():
    omm = record(parsed_xml(), "900107")
    assert omm.kind == "entity"
    assert omm.reference_number == "EU.9107.57"
    assert omm.cited_un_reference == "KPe.020"
    assert omm.listed_on == dt.date(2014, 7, 28)  # designationDate
    assert omm.last_updated == (dt.date(2017, 8, 31),)  # the regulation's publicationDate
    assert omm.primary_name == "OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)"
    assert omm.names[1:] == tuple(
        ParsedName(name, "alias", quality="good")
        for name in ("East Sea Shipping Company", "Korea Mirae Shipping Co. Ltd", "Haeyang Crew Management Company")
    )
    assert omm.identifiers == (
        ParsedIdentifier("imo_company", "1790183", "1790183", True, type_label="IMO number"),
    )
    assert omm.addresses[0] == ParsedAddress(
        kind="address", street="Donghung Dong, Central District, PO Box 120", city="Pyongyang",
        country="DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA", country_code="KP",
    )
    assert omm.comments.endswith("International Maritime Organization (IMO) Number: 1790183.")
    assert omm.raw["regulation"][0]["numberTitle"] == "2017/1509 (OJ L224)"
    json.dumps(omm.raw)


def test_xml_paek_chang_ho_field_by_field():
    paek = record(parsed_xml(), "900101")
    assert paek.kind == "individual"
    assert paek.cited_un_reference == "KPi.006"
    assert paek.name_parts == ("CHANG-HO", "PAEK")  # firstName, lastName
    assert paek.designations == (
        "Senior official and head of the satellite control center of Korean Committee for Space Technology",
    )
    assert paek.birth_dates == (ParsedBirthDate("exact", date=dt.date(1964, 6, 18), year=1964),)
    assert paek.addresses == (
        ParsedAddress(kind="place_of_birth", city="Kaesong", country="DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA",
                      country_code="KP"),
    )  # fmt: skip
    assert paek.nationalities == (ParsedNationality("DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA", "KP"),)
    (passport,) = paek.identifiers
    assert (passport.type, passport.value, passport.issued_on, passport.expires_on, passport.country_code) == (
        "passport", "381420754", dt.date(2011, 12, 7), dt.date(2016, 12, 7), "KP",
    )


def test_xml_unknown_countries_and_expired_passports():
    kim = record(parsed_xml(), "900103")
    assert [(i.value, i.expires_on, i.note, i.country) for i in kim.identifiers] == [
        ("199421147", dt.date(2014, 12, 29), "known expired", ""),
        ("381110042", dt.date(2016, 1, 25), "known expired", ""),
        ("563210184", dt.date(2018, 6, 18), "", ""),
    ]
    assert kim.addresses == ()  # the birth place is "00" / UNKNOWN
    green_pine = record(parsed_xml(), "900106")
    assert green_pine.cited_un_reference == ""
    assert green_pine.addresses[0].note == (
        "PHONE: +850-2-18111(ext. 8327); FAX: +850-2-3814685 and +850-2-3813372; "
        "EMAIL: pac@silibank.com and kndic@co.chesin.com"
    )


def test_xml_generation_date_and_hash():
    data = xml_bytes()
    assert read_generated_at(data) == dt.datetime(2026, 5, 9, 8, 0, tzinfo=dt.timezone.utc)
    assert parsed_xml().generated_at == read_generated_at(data)
    assert parsed_xml().content_sha256 == content_sha256(data)
    republished = data.replace(
        b'generationDate="2026-05-09T10:00:00.000+02:00"', b'generationDate="2026-06-01T10:00:00Z"'
    )
    republished = republished.replace(b'globalFileId="900001"', b'globalFileId="900777"')
    assert republished != data
    assert content_sha256(republished) == content_sha256(data)
    assert content_sha256(data.replace(b"381310014", b"381310015")) != content_sha256(data)


# --------------------------------------------------------------------------- XML: rejected inputs


def export(*entities: str, root_attributes: str = 'generationDate="2026-01-01T00:00:00Z" globalFileId="1"') -> bytes:
    return f'<export xmlns="{FSF}" {root_attributes}>{"".join(entities)}</export>'.encode()


def entity(
    details: str = "",
    *,
    aliases: str = '<nameAlias wholeName="TEST PERSON" strong="true"/>',
    logical_id: str = "1",
    subject: str = "P",
    attributes: str = "",
) -> str:
    return (
        f'<sanctionEntity logicalId="{logical_id}" {attributes}>'
        '<regulation programme="PRK" publicationDate="2017-08-31"/>'
        f'<subjectType classificationCode="{subject}"/>{aliases}{details}'
        "</sanctionEntity>"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (XML_SAMPLE.read_bytes()[:6000], "not well-formed"),
        (XML_SAMPLE.read_bytes().replace(b"</sanctionEntity>", b"</sanctionEntty>", 1), "not well-formed"),
        (UN_LIST.read_bytes(), "wrong root element 'CONSOLIDATED_LIST'"),
        (b"<html><body>Service unavailable</body></html>", "wrong root element 'html'"),
        (export(), "no sanctioned entities"),
        (b'<!DOCTYPE export [<!ENTITY a "b">]><export/>', "DOCTYPE"),
        (export(entity(logical_id="7"), entity(logical_id="7")), "duplicate logicalId 7"),
        (export(entity(logical_id="")), "sanctionEntity at line 1 has no logicalId"),
    ],
    ids=["truncated", "corrupt", "un-list", "html", "no-entities", "doctype", "duplicate", "no-logical-id"],
)
def test_xml_unusable_inputs_are_rejected(content, message):
    with pytest.raises(ListParseError, match=message):
        parse_eu_fsf(content)


# --------------------------------------------------------------------------- XML: one rule each


def only(content: bytes) -> ParsedRecord:
    (parsed_record,) = parse_eu_fsf(content).records
    return parsed_record


def test_bom_and_whitespace_before_the_xml():
    assert only(b"\xef\xbb\xbf \r\n" + export(entity())).primary_name == "TEST PERSON"


def test_no_namespace_is_read_too():
    assert only(export(entity()).replace(f' xmlns="{FSF}"'.encode(), b"")).primary_name == "TEST PERSON"


def test_alias_qualities_languages_and_scripts():
    aliases = (
        '<nameAlias wholeName="Ομάδα" nameLanguage="EL" strong="true"/>'
        '<nameAlias wholeName="TEST ORGANISATION" strong="true"/>'
        '<nameAlias wholeName="Weak Name" strong="false"/>'
        '<nameAlias wholeName="Remarked Name" strong="true"><remark>low quality alias</remark></nameAlias>'
        '<nameAlias wholeName="المنظمة"/>'
        '<nameAlias wholeName="TEST ORGANISATION" nameLanguage="FR" strong="true"/>'
    )
    parsed_record = only(export(entity(aliases=aliases, subject="E")))
    assert parsed_record.kind == "entity"
    assert parsed_record.names == (
        ParsedName("TEST ORGANISATION", "primary"),  # the first strong name in Latin letters
        ParsedName("Ομάδα", "alias", quality="good", script="greek", note="language EL"),  # an EU translation
        ParsedName("Weak Name", "alias", quality="low"),
        ParsedName("Remarked Name", "alias", quality="low"),
        ParsedName("المنظمة", "original_script", script="arabic"),
    )


def test_birthdate_forms():
    births = (
        '<birthdate calendarType="GREGORIAN" year="1960" monthOfYear="5"'
        ' countryIso2Code="00" countryDescription="UNKNOWN"/>'
        '<birthdate calendarType="GREGORIAN" yearRangeFrom="1962" yearRangeTo="1958" circa="true"'
        ' countryIso2Code="00" countryDescription="UNKNOWN"/>'
        '<birthdate calendarType="GREGORIAN" birthdate="1964-07-17" circa="true" city="Pyongyang"'
        ' countryIso2Code="KP" countryDescription="NORTH KOREA"/>'
    )
    parsed_record = only(export(entity(births)))
    assert parsed_record.birth_dates == (
        ParsedBirthDate("exact", year=1960, note="month 5"),
        ParsedBirthDate("between", year=1958, year_to=1962, note="circa"),
        ParsedBirthDate("approximate", date=dt.date(1964, 7, 17), year=1964),
    )
    assert parsed_record.addresses == (
        ParsedAddress(kind="place_of_birth", city="Pyongyang", country="NORTH KOREA", country_code="KP"),
    )


def test_identification_types_and_latin_number():
    documents = (
        '<identification identificationTypeCode="id" identificationTypeDescription="National identification card"'
        ' number="АБ 123" latinNumber="AB 123" diplomatic="true" countryIso2Code="RU" countryDescription="RUSSIA"/>'
        '<identification identificationTypeCode="imo" identificationTypeDescription="IMO number" number="9074729"'
        ' countryIso2Code="00" countryDescription="UNKNOWN"/>'
        '<identification identificationTypeCode="regnumber" identificationTypeDescription="Registration Number"'
        ' number="12-34" issuedBy="Registry" countryIso2Code="00" countryDescription="UNKNOWN"/>'
    )
    identifiers = only(export(entity(documents, subject="E"))).identifiers
    assert identifiers == (
        ParsedIdentifier("national_id", "АБ 123", "АБ123", None, type_label="National identification card",
                         country="RUSSIA", country_code="RU", note="diplomatic"),
        ParsedIdentifier("national_id", "AB 123", "AB123", None, type_label="National identification card",
                         country="RUSSIA", country_code="RU", note="latin number; diplomatic"),
        # 9074729 passes only the ship rule: a ship's number on a ship listed as an enterprise.
        ParsedIdentifier("imo", "9074729", "9074729", True, type_label="IMO number"),
        ParsedIdentifier("other", "12-34", "1234", None, type_label="Registration Number", note="issued by Registry"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("published", "cited", "warned"),
    [("KPe.020", "KPe.020", False), (" KPi.033. ", "KPi.033", False), ("QI.A.12.01", "", True), ("", "", False)],
)
def test_united_nation_id_validated(published, cited, warned):
    parsed = parse_eu_fsf(export(entity(attributes=f'unitedNationId="{published}"')))
    assert parsed.records[0].cited_un_reference == cited
    assert ("warning:unitedNationId_not_a_UN_reference" in parsed.unknown_element_counts) is warned


def test_unknown_subject_type_and_elements_are_counted_and_kept():
    parsed = parse_eu_fsf(export(entity("<surprise>x</surprise>", subject="X"), "<trailer/>"))
    (parsed_record,) = parsed.records
    assert parsed_record.kind == "entity"
    assert parsed_record.unknown_elements == ("surprise", "subjectType:X")
    assert parsed_record.raw["surprise"] == ["x"]
    assert parsed.unknown_element_counts == {
        "export/trailer": 1, "sanctionEntity/surprise": 1, "unknown:subjectType:X": 1,
    }  # fmt: skip


def test_record_without_a_name_is_skipped_and_counted():
    nameless = (
        '<sanctionEntity logicalId="2"><regulation programme="PRK"/>'
        '<subjectType classificationCode="E"/></sanctionEntity>'
    )
    parsed = parse_eu_fsf(export(entity(), nameless))
    assert [r.external_id for r in parsed.records] == ["1"]
    assert parsed.unknown_element_counts == {"skipped:record_without_name": 1}


def test_listing_date_without_designation_date_is_the_earliest_act():
    # The entity's act is of 2017; its name was introduced by an act of 2013.
    aliases = (
        '<nameAlias wholeName="TEST PERSON" strong="true">'
        '<regulationSummary regulationType="regulation" publicationDate="2013-01-22" numberTitle="1/2013"/>'
        "</nameAlias>"
    )
    parsed_record = only(export(entity(aliases=aliases)))
    assert parsed_record.listed_on == dt.date(2013, 1, 22)
    assert parsed_record.last_updated == (dt.date(2017, 8, 31),)
    assert only(export(entity(attributes='designationDate="2016-03-02"'))).listed_on == dt.date(2016, 3, 2)


def test_reference_number_falls_back_to_the_logical_id():
    assert only(export(entity(logical_id="42"))).reference_number == "EU-42"
    assert only(export(entity(attributes='euReferenceNumber="EU.1.2"'))).reference_number == "EU.1.2"
