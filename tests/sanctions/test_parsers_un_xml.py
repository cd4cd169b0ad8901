"""Tests for the UN Consolidated List parser: hand-written edge cases plus every real copy.

Pure: no database, no Django settings (runs with ``-p no:django``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from sanctions.parsers import ListParseError as ExportedListParseError
from sanctions.parsers.types import ListParseError, ParsedBirthDate, ParsedList, ParsedName
from sanctions.parsers.un_xml import content_sha256, detect_script, parse_un_consolidated, read_date_generated

REPO_ROOT = Path(__file__).resolve().parents[2]
UN_DATA = REPO_ROOT.parent / "shared" / "data" / "un"
SEED_SAMPLE = REPO_ROOT / "seeds" / "un_consolidated_sample.xml"

# --------------------------------------------------------------------------- fixture builders

ROOT_OPEN = (
    '<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:noNamespaceSchemaLocation="https://www.un.org/sc/resources/sc-sanctions.xsd" '
    'dateGenerated="{generated}">'
)


def consolidated(individuals: str = "", entities: str = "", *, generated: str = "2026-05-08T23:00:06.922Z") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + ROOT_OPEN.format(generated=generated)
        + f"\n  <INDIVIDUALS>{individuals}\n  </INDIVIDUALS>\n  <ENTITIES>{entities}\n  </ENTITIES>\n"
        + "</CONSOLIDATED_LIST>\n"
    ).encode("utf-8")


def individual(
    body: str = "",
    *,
    dataid: str = "6908555",
    first: str = "RI",
    second: str = "<SECOND_NAME>WON HO</SECOND_NAME>",
    reference: str = "KPi.033",
    listed_on: str = "2016-11-30",
    comments: str = "<COMMENTS1/>",
) -> str:
    return f"""
    <INDIVIDUAL>
      <DATAID>{dataid}</DATAID>
      <VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>{first}</FIRST_NAME>
      {second}
      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
      <REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER>
      <LISTED_ON>{listed_on}</LISTED_ON>
      {comments}
      <LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
      <LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED>
      {body}
      <SORT_KEY/>
      <SORT_KEY_LAST_MOD/>
    </INDIVIDUAL>"""


def entity(body: str = "", *, dataid: str = "6908670", name: str = "CHONMYONG SHIPPING CO",
           reference: str = "KPe.056 ", comments: str = "") -> str:
    return f"""
    <ENTITY>
      <DATAID>{dataid}</DATAID>
      <VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>{name}</FIRST_NAME>
      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
      <REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER>
      <LISTED_ON>2018-03-30</LISTED_ON>
      <COMMENTS1>{comments}</COMMENTS1>
      <LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
      {body}
      <ENTITY_ALIAS><QUALITY/><ALIAS_NAME/></ENTITY_ALIAS>
      <ENTITY_ADDRESS><COUNTRY/></ENTITY_ADDRESS>
      <SORT_KEY/>
      <SORT_KEY_LAST_MOD/>
    </ENTITY>"""


def only_record(data: bytes):
    parsed = parse_un_consolidated(data)
    assert len(parsed.records) == 1
    return parsed.records[0]


def dob(type_of_date: str, *children: str) -> str:
    type_element = f"<TYPE_OF_DATE>{type_of_date}</TYPE_OF_DATE>" if type_of_date else "<TYPE_OF_DATE/>"
    return f"<INDIVIDUAL_DATE_OF_BIRTH>{type_element}{''.join(children)}</INDIVIDUAL_DATE_OF_BIRTH>"


def document(*children: str) -> str:
    return f"<INDIVIDUAL_DOCUMENT>{''.join(children)}</INDIVIDUAL_DOCUMENT>"


# --------------------------------------------------------------------------- the documented example record


def test_dprk_individual_with_placeholders_parses_to_clean_values() -> None:
    data = consolidated(
        individual(
            """
      <DESIGNATION><VALUE>DPRK Ministry of State Security Official</VALUE></DESIGNATION>
      <NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1964-07-17</DATE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_PLACE_OF_BIRTH><COUNTRY/></INDIVIDUAL_PLACE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER> 381310014</NUMBER></INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DOCUMENT/>""",
            comments="<COMMENTS1>Ri Won Ho is a DPRK Ministry of State Security Official.</COMMENTS1>",
        )
    )
    record = only_record(data)

    assert record.external_id == "6908555"
    assert record.kind == "individual"
    assert record.reference_number == "KPi.033"
    assert record.regime == "DPRK"
    assert record.list_types == ("UN List",)
    assert record.listed_on == dt.date(2016, 11, 30)
    assert record.last_updated == ()  # <VALUE/>: never amended
    assert record.primary_name == "RI WON HO"
    assert record.name_parts == ("RI", "WON HO")
    assert record.names == (ParsedName("RI WON HO", "primary"),)  # placeholder alias dropped
    assert record.designations == ("DPRK Ministry of State Security Official",)
    assert [(n.value, n.country_code) for n in record.nationalities] == [("Democratic People's Republic of Korea", "KP")]
    assert record.addresses == ()  # <COUNTRY/> placeholders dropped
    assert record.birth_dates == (ParsedBirthDate("exact", date=dt.date(1964, 7, 17), year=1964),)
    (passport,) = record.identifiers
    assert (passport.type, passport.value, passport.normalized, passport.valid) == ("passport", "381310014", "381310014", None)
    assert record.unknown_elements == ()
    # Placeholders are '' in raw; text is kept as published there.
    assert record.raw["INDIVIDUAL_ALIAS"] == {"QUALITY": "", "ALIAS_NAME": ""}
    assert record.raw["INDIVIDUAL_DOCUMENT"][0]["NUMBER"] == " 381310014"
    assert record.raw["INDIVIDUAL_DOCUMENT"][1] == ""
    assert record.raw["LAST_DAY_UPDATED"] == {"VALUE": ""}


# --------------------------------------------------------------------------- whitespace and names


def test_reference_number_with_trailing_space_is_trimmed_and_raw_keeps_it() -> None:
    record = only_record(consolidated(entities=entity(reference="KPe.056 ")))
    assert record.reference_number == "KPe.056"
    assert record.raw["REFERENCE_NUMBER"] == "KPe.056 "
    assert record.kind == "entity"


def test_name_parts_are_trimmed_and_inner_spaces_collapsed() -> None:
    record = only_record(
        consolidated(
            individual(
                first=" GEDO ",
                second="<SECOND_NAME>AHMED  \n  ALI</SECOND_NAME><THIRD_NAME/><FOURTH_NAME> X </FOURTH_NAME>",
            )
        )
    )
    assert record.name_parts == ("GEDO", "AHMED ALI", "X")
    assert record.primary_name == "GEDO AHMED ALI X"


def test_comments_keep_inner_whitespace_but_are_stripped_at_the_ends() -> None:
    record = only_record(consolidated(individual(comments="<COMMENTS1>\n  First line.\n  Second  line.  </COMMENTS1>")))
    assert record.comments == "First line.\n  Second  line."


def test_titles_designations_and_gender() -> None:
    record = only_record(
        consolidated(
            individual(
                "<GENDER>Male</GENDER><TITLE><VALUE>Mullah</VALUE><VALUE>Haji</VALUE></TITLE>"
                "<DESIGNATION><VALUE>Governor of\n        Saripul Province</VALUE></DESIGNATION>"
            )
        )
    )
    assert record.gender == "Male"
    assert record.titles == ("Mullah", "Haji")
    assert record.designations == ("Governor of Saripul Province",)


# --------------------------------------------------------------------------- dates


def test_dates_with_xs_date_offset_take_the_date_part() -> None:
    record = only_record(
        consolidated(
            individual(
                "<LAST_DAY_UPDATED><VALUE>2013-05-31</VALUE><VALUE>2026-04-15-04:00</VALUE></LAST_DAY_UPDATED>"
                + dob("EXACT", "<DATE>1960-01-01-05:00</DATE>"),
                listed_on="2008-12-16-04:00",
            ).replace("<LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED>", "", 1)
        )
    )
    assert record.listed_on == dt.date(2008, 12, 16)
    assert record.last_updated == (dt.date(2013, 5, 31), dt.date(2026, 4, 15))
    assert record.birth_dates[0].date == dt.date(1960, 1, 1)


def test_every_date_of_birth_form() -> None:
    record = only_record(
        consolidated(
            individual(
                dob("EXACT", "<DATE>1964-09-18</DATE>")
                + dob("EXACT", "<YEAR>1959</YEAR>")
                + dob("APPROXIMATELY", "<YEAR>1974</YEAR>")
                + dob("BETWEEN", "<FROM_YEAR>1969</FROM_YEAR>", "<TO_YEAR>1971</TO_YEAR>")
                + dob("BETWEEN", "<NOTE>Approximately</NOTE>", "<FROM_YEAR>1962</FROM_YEAR>", "<TO_YEAR>1963</TO_YEAR>")
                + dob("EXACT", "<NOTE>August 1961 </NOTE>")
                + dob("EXACT", "<NOTE>24/06/1402 (Hijri Calendar)</NOTE>")
                + dob("APPROXIMATELY", "<NOTE>30-35 years old</NOTE>")
                + dob("EXACT", "<DATE>1961-01-01</DATE>", "<NOTE>from false passport</NOTE>")
                + dob("EXACT", "<YEAR>1955</YEAR>", "<NOTE>in Kandahar</NOTE>")
                + dob("")  # <TYPE_OF_DATE/> placeholder
                + dob("", "<NOTE>Nov. 1973</NOTE>")
            )
        )
    )
    assert record.birth_dates == (
        ParsedBirthDate("exact", date=dt.date(1964, 9, 18), year=1964),
        ParsedBirthDate("exact", year=1959),
        ParsedBirthDate("approximate", year=1974),
        ParsedBirthDate("between", year=1969, year_to=1971),
        ParsedBirthDate("between", year=1962, year_to=1963, note="Approximately"),
        ParsedBirthDate("exact", year=1961, note="August 1961"),  # month-year lives only in NOTE
        ParsedBirthDate("exact", note="24/06/1402 (Hijri Calendar)"),
        ParsedBirthDate("approximate", note="30-35 years old"),
        ParsedBirthDate("exact", date=dt.date(1961, 1, 1), year=1961, note="from false passport"),
        ParsedBirthDate("exact", year=1955, note="in Kandahar"),
        ParsedBirthDate("unknown", year=1973, note="Nov. 1973"),
    )
    assert len(record.raw["INDIVIDUAL_DATE_OF_BIRTH"]) == 12  # raw keeps the placeholder


def test_nine_consecutive_exact_years_are_kept_as_years_not_dates() -> None:
    record = only_record(consolidated(individual("".join(dob("EXACT", f"<YEAR>{y}</YEAR>") for y in range(1937, 1946)))))
    assert [(b.year, b.date) for b in record.birth_dates] == [(y, None) for y in range(1937, 1946)]


def test_reversed_between_range_is_ordered() -> None:
    record = only_record(consolidated(individual(dob("BETWEEN", "<FROM_YEAR>1974</FROM_YEAR>", "<TO_YEAR>1973</TO_YEAR>"))))
    assert (record.birth_dates[0].year, record.birth_dates[0].year_to) == (1973, 1974)


def test_unparseable_date_of_birth_values_are_kept_in_the_note() -> None:
    record = only_record(consolidated(individual(dob("EXACT", "<DATE>1964-07</DATE>") + dob("EXACT", "<YEAR>196x</YEAR>"))))
    assert record.birth_dates == (
        ParsedBirthDate("exact", year=1964, note="DATE: 1964-07"),
        ParsedBirthDate("exact", note="YEAR: 196x"),
    )


def test_date_of_birth_on_aliases_is_marked_from_alias() -> None:
    aliases = "".join(
        f"<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>{name}</ALIAS_NAME>{extra}</INDIVIDUAL_ALIAS>"
        for name, extra in [
            ("Abu Bakar Baasyir", "<DATE_OF_BIRTH>1938-08-17</DATE_OF_BIRTH><CITY_OF_BIRTH>Jombang, East Java</CITY_OF_BIRTH>"
                                  "<COUNTRY_OF_BIRTH>Indonesia</COUNTRY_OF_BIRTH>"),
            ("Lom-ali Butayev", "<DATE_OF_BIRTH>1955</DATE_OF_BIRTH>"),
            ("Range Alias", "<DATE_OF_BIRTH>1958 - 1964</DATE_OF_BIRTH>"),
            ("Null Alias", "<DATE_OF_BIRTH>null</DATE_OF_BIRTH>"),
            ("Odd Alias", "<DATE_OF_BIRTH>sometime</DATE_OF_BIRTH>"),
        ]
    )
    record = only_record(consolidated(individual(aliases + dob("EXACT", "<DATE>1938-08-17</DATE>"))))
    assert record.birth_dates == (
        ParsedBirthDate("exact", date=dt.date(1938, 8, 17), year=1938),
        ParsedBirthDate("exact", date=dt.date(1938, 8, 17), year=1938, note="for alias Abu Bakar Baasyir", from_alias=True),
        ParsedBirthDate("exact", year=1955, note="for alias Lom-ali Butayev", from_alias=True),
        ParsedBirthDate("between", year=1958, year_to=1964, note="for alias Range Alias", from_alias=True),
        ParsedBirthDate("unknown", note="DATE_OF_BIRTH: sometime; for alias Odd Alias", from_alias=True),
    )
    (birthplace,) = record.addresses
    assert (birthplace.kind, birthplace.city, birthplace.country, birthplace.country_code) == (
        "place_of_birth", "Jombang, East Java", "Indonesia", "ID",
    )
    assert birthplace.note == "for alias Abu Bakar Baasyir"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-05-08T23:00:06.922Z", dt.datetime(2026, 5, 8, 23, 0, 6, 922000, tzinfo=dt.timezone.utc)),
        (
            "2020-11-23T19:10:17.6-05:00",  # 1-digit fraction
            dt.datetime(2020, 11, 23, 19, 10, 17, 600000, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        ),
        (
            "2017-07-03T20:27:45.483-04:00",
            dt.datetime(2017, 7, 3, 20, 27, 45, 483000, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
        ),
        ("2021-03-12T19:03:54+01:30", dt.datetime(2021, 3, 12, 19, 3, 54, tzinfo=dt.timezone(dt.timedelta(hours=1, minutes=30)))),
        ("2021-03-12T19:03:54.1234567Z", dt.datetime(2021, 3, 12, 19, 3, 54, 123456, tzinfo=dt.timezone.utc)),
        ("yesterday", None),
    ],
)
def test_date_generated_variants(value: str, expected: dt.datetime | None) -> None:
    parsed = parse_un_consolidated(consolidated(individual(), generated=value))
    assert parsed.generated_at == expected
    if expected is not None:
        assert parsed.generated_at.utcoffset() == expected.utcoffset()


# --------------------------------------------------------------------------- names, aliases, scripts


def test_alias_qualities_notes_and_original_script() -> None:
    record = only_record(
        consolidated(
            individual(
                "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Qari Zakir</ALIAS_NAME></INDIVIDUAL_ALIAS>"
                "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME> Ehsanullah\n Sarfida </ALIAS_NAME>"
                "<NOTE>formerly listed as</NOTE></INDIVIDUAL_ALIAS>"
                "<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>",
                first="ABDUL RAUF",
                second="<SECOND_NAME>ZAKIR</SECOND_NAME><NAME_ORIGINAL_SCRIPT>عبد الروف ذاکر</NAME_ORIGINAL_SCRIPT>",
            )
        )
    )
    assert record.names == (
        ParsedName("ABDUL RAUF ZAKIR", "primary"),
        ParsedName("عبد الروف ذاکر", "original_script", script="arabic"),
        ParsedName("Qari Zakir", "alias", quality="good"),
        ParsedName("Ehsanullah Sarfida", "alias", quality="low", note="formerly listed as"),
    )


def test_entity_aka_fka_and_chinese_aliases() -> None:
    aliases = (
        "<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>長安海連技術有限公司</ALIAS_NAME></ENTITY_ALIAS>"
        "<ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>KOREA CHANGGWANG CREDIT BANK</ALIAS_NAME>"
        "<NOTE>old name</NOTE></ENTITY_ALIAS>"
    )
    record = only_record(consolidated(entities=entity(aliases, name="CHANG AN SHIPPING &amp; TECHNOLOGY")))
    assert record.primary_name == "CHANG AN SHIPPING & TECHNOLOGY"
    assert [(n.name, n.kind, n.quality, n.script, n.note) for n in record.names] == [
        ("CHANG AN SHIPPING & TECHNOLOGY", "primary", "", "latin", ""),
        ("長安海連技術有限公司", "alias", "aka", "han", ""),
        ("KOREA CHANGGWANG CREDIT BANK", "alias", "fka", "latin", "old name"),
    ]
    assert record.last_updated == ()  # entities may have no LAST_DAY_UPDATED at all


def test_blank_original_script_is_dropped() -> None:
    record = only_record(consolidated(individual(second="<NAME_ORIGINAL_SCRIPT> </NAME_ORIGINAL_SCRIPT>")))
    assert [n.kind for n in record.names] == ["primary"]
    assert record.raw["NAME_ORIGINAL_SCRIPT"] == " "


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Abu Bakar Ba’asyir", "latin"),
        ("JÉRÔME", "latin"),
        ("Ахмед Ражапович Чатаев", "cyrillic"),
        ("عبد الروف ذاکر", "arabic"),
        ("Jin Tiesan (金铁三)", "han"),
        ("朝鲜联合机械贸易会社", "han"),
        ("김정은", "hangul"),
        ("カタカナ ひらがな", "kana"),
        ("Αλέξανδρος", "greek"),
        ("שלום", "hebrew"),
        ("สมชาย", "thai"),
        ("ፍትዊ ዓብዱረዛቕ (Tigrinya)", "ethiopic"),
        ("देवनागरी", "other"),
        ("12345", "latin"),
    ],
)
def test_script_detection(text: str, script: str) -> None:
    assert detect_script(text) == script


# --------------------------------------------------------------------------- addresses and places of birth


def test_addresses_and_places_of_birth_drop_placeholders() -> None:
    record = only_record(
        consolidated(
            individual(
                "<INDIVIDUAL_ADDRESS><STREET>Boghra Road</STREET><CITY>Chaman</CITY>"
                "<STATE_PROVINCE>Baluchistan Province</STATE_PROVINCE><ZIP_CODE>123</ZIP_CODE>"
                "<COUNTRY>Pakistan</COUNTRY><NOTE>as of June 2016</NOTE></INDIVIDUAL_ADDRESS>"
                "<INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS>"
                "<INDIVIDUAL_PLACE_OF_BIRTH><STATE_PROVINCE>Kabul Province</STATE_PROVINCE>"
                "<COUNTRY>Afghanistan</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH>"
                "<INDIVIDUAL_PLACE_OF_BIRTH><COUNTRY/></INDIVIDUAL_PLACE_OF_BIRTH>"
            )
        )
    )
    address, birthplace = record.addresses
    assert dataclasses.astuple(address) == (
        "address", "Boghra Road", "Chaman", "Baluchistan Province", "123", "Pakistan", "PK", "as of June 2016",
    )
    assert (birthplace.kind, birthplace.state_province, birthplace.country_code) == ("place_of_birth", "Kabul Province", "AF")


def test_entity_address_with_country_after_note() -> None:
    body = (
        "<ENTITY_ADDRESS><STREET>Kalrimgil 2-dong, Mangyongdae-guyok</STREET><STATE_PROVINCE>Pyongyang</STATE_PROVINCE>"
        "<NOTE>head office</NOTE><COUNTRY>Democratic People's Republic of Korea</COUNTRY></ENTITY_ADDRESS>"
    )
    (address,) = only_record(consolidated(entities=entity(body))).addresses
    assert (address.street, address.state_province, address.note, address.country_code) == (
        "Kalrimgil 2-dong, Mangyongdae-guyok", "Pyongyang", "head office", "KP",
    )


# --------------------------------------------------------------------------- identity documents


@pytest.mark.parametrize(
    ("children", "expected_type", "expected_label"),
    [
        ("<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>", "passport", "Passport"),
        ("<TYPE_OF_DOCUMENT>Numéro de passeport </TYPE_OF_DOCUMENT>", "passport", "Numéro de passeport"),
        ("<TYPE_OF_DOCUMENT>Número de pasaporte</TYPE_OF_DOCUMENT>", "passport", "Número de pasaporte"),
        ("<TYPE_OF_DOCUMENT2>diplomatic passport </TYPE_OF_DOCUMENT2>", "passport", "diplomatic passport"),
        (
            "<TYPE_OF_DOCUMENT>National Identification\n                                                  Number</TYPE_OF_DOCUMENT>",
            "national_id",
            "National Identification Number",
        ),
        (
            "<TYPE_OF_DOCUMENT2>Afghan national identification card (tazkira) number</TYPE_OF_DOCUMENT2>",
            "national_id",
            "Afghan national identification card (tazkira) number",
        ),
        ("<TYPE_OF_DOCUMENT2>National Identity Card</TYPE_OF_DOCUMENT2>", "national_id", "National Identity Card"),
        ("<TYPE_OF_DOCUMENT2>Ration card number:</TYPE_OF_DOCUMENT2>", "other", "Ration card number:"),
        ("<TYPE_OF_DOCUMENT2>Italian Fiscal Code:</TYPE_OF_DOCUMENT2>", "other", "Italian Fiscal Code:"),
        (
            "<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><TYPE_OF_DOCUMENT2>diplomatic passport </TYPE_OF_DOCUMENT2>",
            "passport",
            "Passport / diplomatic passport",
        ),
        (
            "<TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT>"
            "<TYPE_OF_DOCUMENT2>Birth certificate</TYPE_OF_DOCUMENT2>",
            "national_id",
            "National Identification Number / Birth certificate",
        ),
        ("", "other", ""),
    ],
)
def test_document_types(children: str, expected_type: str, expected_label: str) -> None:
    (identifier,) = only_record(consolidated(individual(document(children, "<NUMBER>X1</NUMBER>")))).identifiers
    assert (identifier.type, identifier.type_label) == (expected_type, expected_label)


def test_document_fields() -> None:
    record = only_record(
        consolidated(
            individual(
                document(
                    "<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>",
                    "<NUMBER> D-000 9724 </NUMBER>",
                    "<ISSUING_COUNTRY>Afghanistan</ISSUING_COUNTRY>",
                    "<DATE_OF_ISSUE>2021-10-13</DATE_OF_ISSUE>",
                    "<DATE_OF_EXPIRY>2026-10-13</DATE_OF_EXPIRY>",
                    "<CITY_OF_ISSUE>Kabul</CITY_OF_ISSUE>",
                    "<COUNTRY_OF_ISSUE>Afghanistan</COUNTRY_OF_ISSUE>",
                    "<NOTE>Name in Latin script:\n   Abdul Baqi Haqqani</NOTE>",
                )
                + document(
                    "<TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT>",
                    "<NUMBER>Jordan 654781</NUMBER>",
                    "<COUNTRY_OF_ISSUE>Iran (Islamic Republic of)</COUNTRY_OF_ISSUE>",
                )
                + document("<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>", "<NOTE>Tunisian passport number L723315</NOTE>")
            )
        )
    )
    passport, national_id, number_in_note = record.identifiers
    assert passport.value == "D-000 9724"
    assert passport.normalized == "D0009724"
    assert (passport.country, passport.country_code) == ("Afghanistan", "AF")
    assert (passport.issued_on, passport.expires_on) == (dt.date(2021, 10, 13), dt.date(2026, 10, 13))
    assert passport.note == "Name in Latin script: Abdul Baqi Haqqani; city of issue: Kabul"
    assert passport.valid is None
    assert (national_id.type, national_id.normalized) == ("national_id", "JORDAN654781")
    assert (national_id.country, national_id.country_code) == ("Iran (Islamic Republic of)", "IR")
    # A document with only a note is still evidence; value stays empty rather than guessed.
    assert (number_in_note.type, number_in_note.value, number_in_note.note) == ("passport", "", "Tunisian passport number L723315")


# --------------------------------------------------------------------------- IMO numbers in comments


@pytest.mark.parametrize(
    ("comment", "number"),
    [
        ("Chongchongang Shipping Company operates ships. IMO Number: 5342883.", "5342883"),
        ("Registered owner of CHON MYONG 1. IMO number: 5571322.", "5571322"),
        ("Owner of vessels. IMO number: 5676084", "5676084"),
        ("Company Number IMO 5434358.", "5434358"),
        ("contributed to the evasion. International Maritime Organization (IMO) Number: 1790183.", "1790183"),
    ],
)
def test_imo_company_numbers_from_comments(comment: str, number: str) -> None:
    (imo,) = only_record(consolidated(entities=entity(comments=comment))).identifiers
    assert (imo.type, imo.value, imo.normalized, imo.valid, imo.type_label) == (
        "imo_company", number, number, True, "IMO number (from comments)",
    )


def test_imo_company_number_with_bad_check_digit_is_kept_as_invalid() -> None:
    (imo,) = only_record(consolidated(entities=entity(comments="IMO Number: 5342884."))).identifiers
    assert (imo.normalized, imo.valid) == ("5342884", False)


def test_imo_numbers_are_deduplicated_and_not_read_from_longer_numbers_or_individuals() -> None:
    comment = "IMO number: 5571322. Also IMO number: 5571322. Not an IMO: 12345678. Phone 5342883."
    record = only_record(consolidated(entities=entity(comments=comment)))
    assert [i.normalized for i in record.identifiers] == ["5571322"]
    person = only_record(consolidated(individual(comments="<COMMENTS1>Master of a ship with IMO 9074729.</COMMENTS1>")))
    assert person.identifiers == ()


# --------------------------------------------------------------------------- unknown elements and raw


def test_unknown_elements_are_counted_and_kept_in_raw() -> None:
    data = consolidated(
        individual(
            "<NEW_FLAG>YES</NEW_FLAG>"
            + document("<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>", "<NUMBER>1</NUMBER>", "<CHIP>RFID</CHIP>")
            + document("<NUMBER>2</NUMBER>", "<CHIP>none</CHIP>")
        )
        + individual("<NEW_FLAG>NO</NEW_FLAG>", dataid="2", reference="KPi.034"),
        entity(),
    ).replace(b"<ENTITIES>", b"<ENTITIES><SOMETHING_NEW/>")
    parsed = parse_un_consolidated(data)
    first = parsed.records[0]
    assert first.unknown_elements == ("NEW_FLAG", "INDIVIDUAL_DOCUMENT/CHIP")
    assert first.raw["NEW_FLAG"] == "YES"
    assert first.raw["INDIVIDUAL_DOCUMENT"][0]["CHIP"] == "RFID"
    assert parsed.unknown_element_counts == {
        "ENTITIES/SOMETHING_NEW": 1,
        "INDIVIDUAL/INDIVIDUAL_DOCUMENT/CHIP": 2,
        "INDIVIDUAL/NEW_FLAG": 2,
    }
    assert [r.external_id for r in parsed.records] == ["6908555", "2", "6908670"]


def test_children_where_text_is_expected_are_unknown_and_the_text_is_still_read() -> None:
    # Schema drift inside a text field and inside an unknown element: the paths counted are the
    # outermost unknown ones, the nested content stays in raw, and mixed text is kept as "#text".
    record = only_record(
        consolidated(
            individual(
                "<NEW_BLOCK><PART>a</PART><PART>b</PART><DEEPER><LEAF/></DEEPER></NEW_BLOCK>"
                + document("<NUMBER>A123<SUFFIX>X</SUFFIX></NUMBER>")
            )
        )
    )
    assert record.unknown_elements == ("NEW_BLOCK", "INDIVIDUAL_DOCUMENT/NUMBER/SUFFIX")
    assert record.raw["NEW_BLOCK"] == {"PART": ["a", "b"], "DEEPER": {"LEAF": ""}}
    assert record.raw["INDIVIDUAL_DOCUMENT"]["NUMBER"] == {"SUFFIX": "X", "#text": "A123"}
    assert [identifier.value for identifier in record.identifiers] == ["A123"]


def test_known_but_unmodelled_elements_are_not_unknown() -> None:
    record = only_record(
        consolidated(
            individual(
                "<SUBMITTED_BY>United States</SUBMITTED_BY><HAS_INTERPOL_LINK>YES</HAS_INTERPOL_LINK>"
                "<INTERPOL_LINK>https://www.interpol.int/</INTERPOL_LINK>"
            )
        )
    )
    assert record.unknown_elements == ()
    assert record.raw["INTERPOL_LINK"] == "https://www.interpol.int/"


def test_raw_is_json_serialisable_and_stable() -> None:
    data = consolidated(individual(dob("EXACT", "<YEAR>1959</YEAR>") + dob("EXACT", "<YEAR>1960</YEAR>")), entity())
    first, second = parse_un_consolidated(data), parse_un_consolidated(data)
    assert first == second
    assert json.loads(json.dumps([r.raw for r in first.records])) == [r.raw for r in second.records]
    assert first.records[0].raw["INDIVIDUAL_DATE_OF_BIRTH"] == [
        {"TYPE_OF_DATE": "EXACT", "YEAR": "1959"},
        {"TYPE_OF_DATE": "EXACT", "YEAR": "1960"},
    ]


def test_results_are_frozen_and_hashable() -> None:
    parsed = parse_un_consolidated(consolidated(individual(), entity()))
    record = parsed.records[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.primary_name = "X"  # type: ignore[misc]
    assert isinstance(hash(record), int)
    assert (parsed.individuals, parsed.entities) == (1, 1)


# --------------------------------------------------------------------------- refusals


def test_list_parse_error_is_a_value_error_exported_from_the_package() -> None:
    assert issubclass(ListParseError, ValueError)
    assert ExportedListParseError is ListParseError


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&lol9;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!-- a comment first, so the DOCTYPE is not the first thing -->
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&xxe;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

EXTERNAL_DTD = b"""<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://example.invalid/evil.dtd">
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(BILLION_LAUGHS, id="entity-expansion-bomb"),
        pytest.param(EXTERNAL_ENTITY, id="external-entity"),
        pytest.param(EXTERNAL_DTD, id="external-dtd"),
        # UTF-16 hides the DOCTYPE from the byte scan; the check at the root must still catch it.
        pytest.param(
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE CONSOLIDATED_LIST [<!ENTITY x "y">]>'
            "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&x;</FIRST_NAME>"
            "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>".encode("utf-16"),
            id="utf16-dtd",
        ),
    ],
)
def test_documents_with_a_dtd_are_refused(data: bytes) -> None:
    with pytest.raises(ListParseError, match="DOCTYPE/DTD"):
        parse_un_consolidated(data)


def test_oversize_document_is_refused_before_parsing() -> None:
    data = consolidated(individual())
    with pytest.raises(ListParseError, match=r"over the limit of 100 bytes"):
        parse_un_consolidated(data, max_bytes=100)
    # Not even well-formed: the size check comes first.
    with pytest.raises(ListParseError, match="over the limit"):
        parse_un_consolidated(b"<" * 101, max_bytes=100)
    assert len(parse_un_consolidated(data, max_bytes=len(data)).records) == 1


def test_default_size_cap_is_64_mib() -> None:
    with pytest.raises(ListParseError, match="over the limit of 67,108,864 bytes"):
        parse_un_consolidated(b" " * (64 * 1024 * 1024 + 1))


def test_duplicate_dataid_is_refused() -> None:
    data = consolidated(individual(dataid="42"), entity(dataid="42"))
    with pytest.raises(ListParseError, match=r"duplicate DATAID 42 at line \d+ \(first seen at line \d+\)"):
        parse_un_consolidated(data)


def test_record_without_dataid_is_refused() -> None:
    data = consolidated(individual(dataid=" "))
    with pytest.raises(ListParseError, match=r"INDIVIDUAL without DATAID at line 4 \(REFERENCE_NUMBER KPi.033\)"):
        parse_un_consolidated(data)


def test_wrong_root_is_refused() -> None:
    with pytest.raises(ListParseError, match=r"wrong root element 'sdnList' at line 1: expected CONSOLIDATED_LIST"):
        parse_un_consolidated(b"<sdnList><sdnEntry/></sdnList>")


def test_list_without_records_is_refused() -> None:
    with pytest.raises(ListParseError, match="no INDIVIDUAL or ENTITY records found"):
        parse_un_consolidated(consolidated())


@pytest.mark.parametrize("data", [b"", b"  \n"])
def test_empty_document_is_refused(data: bytes) -> None:
    with pytest.raises(ListParseError, match="empty document"):
        parse_un_consolidated(data)


def test_malformed_xml_names_line_and_column() -> None:
    data = b'<?xml version="1.0"?>\n<CONSOLIDATED_LIST>\n  <INDIVIDUALS>\n    <INDIVIDUAL><DATAID>1 & 2</DATAID>'
    with pytest.raises(ListParseError, match=r"^not well-formed \(.+\) at line 4, column \d+$"):
        parse_un_consolidated(data)


def test_truncated_document_is_refused() -> None:
    data = consolidated(individual())[:-60]
    with pytest.raises(ListParseError, match=r"^not well-formed .* at line \d+, column \d+$"):
        parse_un_consolidated(data)


# --------------------------------------------------------------------------- hashing


def test_hash_ignores_date_generated_but_not_content() -> None:
    data = consolidated(individual(), entity())
    regenerated = consolidated(individual(), entity(), generated="2030-01-01T00:00:00.1+02:00")
    changed = consolidated(individual(first="RE"), entity())
    assert content_sha256(data) == content_sha256(regenerated)
    assert content_sha256(data) != content_sha256(changed)
    assert parse_un_consolidated(data).content_sha256 == content_sha256(data)


def test_hash_blanks_single_quoted_date_generated() -> None:
    # The 2024-09 copy single-quotes its attributes.
    one = b"<?xml version='1.0' encoding='UTF-8'?><CONSOLIDATED_LIST dateGenerated='2024-09-26T00:00:07.514Z'/>"
    other = b"<?xml version='1.0' encoding='UTF-8'?><CONSOLIDATED_LIST dateGenerated='2024-09-27T00:00:01Z'/>"
    assert content_sha256(one) == content_sha256(other)


@pytest.mark.parametrize(("data", "expected"), [
    (consolidated(individual()), dt.datetime(2026, 5, 8, 23, 0, 6, 922000, tzinfo=dt.timezone.utc)),
    (consolidated(generated="2030-01-01T00:00:00.1+02:00"),
     dt.datetime(2030, 1, 1, 0, 0, 0, 100000, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
    (b"<?xml version='1.0'?><CONSOLIDATED_LIST dateGenerated='2024-09-26T00:00:07.514Z'/>",
     dt.datetime(2024, 9, 26, 0, 0, 7, 514000, tzinfo=dt.timezone.utc)),
    (b'<CONSOLIDATED_LIST><INDIVIDUALS dateGenerated="2026-05-08T23:00:06Z"/></CONSOLIDATED_LIST>', None),
    (b'<CONSOLIDATED_LIST dateGenerated="yesterday"/>', None),
    (b'<html dateGenerated="2026-05-08T23:00:06Z"></html>', None),
], ids=["double-quoted", "offset-and-fraction", "single-quoted", "not-on-the-root", "unreadable", "not-a-un-list"])
def test_date_generated_is_read_from_the_root_start_tag_alone(data, expected) -> None:
    assert read_date_generated(data) == expected


# --------------------------------------------------------------------------- real copies (shared/data/un)

# From shared/data/SOURCES.md: file, INDIVIDUAL, ENTITY, KPi, KPe, distinct IMO numbers, dateGenerated.
REAL_COPIES = [
    ("TuaMaley__New-AML-TMS/un_sanctions.xml", 737, 272, 80, 75, 16, "2026-05-08T23:00:06.922+00:00"),
    ("moov-io__watchman/UN_consolidated.xml", 730, 273, 80, 75, 16, "2026-02-27T00:00:09.554+00:00"),
    ("haverisenosku__pakote_data/2026-01-28_8e464ed/un.xml", 726, 273, 80, 75, 16, "2026-01-28T00:00:11.197+00:00"),
    ("haverisenosku__pakote_data/2025-12-10_ff39c73/un.xml", 726, 273, 80, 75, 16, "2025-12-10T00:00:06.263+00:00"),
    ("haverisenosku__pakote_data/2025-12-09_df66289/un.xml", 727, 273, 80, 75, 16, "2025-12-09T00:00:06.058+00:00"),
    ("nizaranandkn__uaelist/consolidatedLegacyByPRN.xml", 684, 195, 80, 75, 16, "2025-08-02T23:00:00.935+00:00"),
    ("xd-mau5__deploy-test/consolidated.xml", 682, 193, 80, 75, 16, "2024-09-26T00:00:07.514+00:00"),
    ("kajala__django-jsanctions/consolidated.xml", 711, 293, 80, 75, 3, "2021-03-12T19:03:54.942-05:00"),
    ("DukeQIANSH__dqun01/consolidated.xml", 650, 371, 53, 46, 2, "2017-07-03T20:27:45.483-04:00"),
]
CORRUPT_COPY = "_corrupted__wallblue4__sagrilaft-app/consolidated.xml"


@lru_cache(maxsize=None)
def parse_real(relative_path: str) -> ParsedList:
    return parse_un_consolidated((UN_DATA / relative_path).read_bytes())


@pytest.mark.parametrize(
    ("relative_path", "individuals", "entities", "kpi", "kpe", "imo_numbers", "generated"),
    REAL_COPIES,
    ids=[row[0].split("/")[0] + ("/" + row[0].split("/")[1] if "pakote" in row[0] else "") for row in REAL_COPIES],
)
def test_real_copy_parses_with_published_counts(
    relative_path: str, individuals: int, entities: int, kpi: int, kpe: int, imo_numbers: int, generated: str
) -> None:
    parsed = parse_real(relative_path)
    assert (parsed.individuals, parsed.entities) == (individuals, entities)
    assert parsed.generated_at == dt.datetime.fromisoformat(generated)
    references = [r.reference_number for r in parsed.records]
    assert sum(ref.startswith("KPi") for ref in references) == kpi
    assert sum(ref.startswith("KPe") for ref in references) == kpe
    assert len(set(references)) == len(references)  # unique after trimming
    imo = {i.normalized for r in parsed.records for i in r.identifiers if i.type == "imo_company"}
    assert len(imo) == imo_numbers
    assert all(i.valid for r in parsed.records for i in r.identifiers if i.type == "imo_company")
    assert parsed.unknown_element_counts == {}
    assert all(r.primary_name and r.names[0].kind == "primary" for r in parsed.records)
    assert all(r.listed_on is not None for r in parsed.records)
    assert all(n.name for r in parsed.records for n in r.names)  # placeholders dropped
    assert parsed.content_sha256 == content_sha256((UN_DATA / relative_path).read_bytes())
    assert read_date_generated((UN_DATA / relative_path).read_bytes()) == parsed.generated_at


def test_real_copy_edge_cases_from_the_format_notes() -> None:
    by_reference = {r.reference_number: r for r in parse_real("TuaMaley__New-AML-TMS/un_sanctions.xml").records}
    assert by_reference["KPe.056"].raw["REFERENCE_NUMBER"] == "KPe.056 "
    assert by_reference["TAi.173"].listed_on == dt.date(2015, 3, 27)  # published as 2015-03-27-04:00
    assert by_reference["TAi.164"].birth_dates == (ParsedBirthDate("between", year=1969, year_to=1971),)
    assert by_reference["TAi.164"].last_updated == (dt.date(2013, 5, 31), dt.date(2026, 4, 15))
    assert len(by_reference["CFi.009"].birth_dates) == 10
    assert sum(b.from_alias for b in by_reference["QDi.217"].birth_dates) == 2
    assert by_reference["QDi.365"].names[1] == ParsedName("Ахмед Ражапович Чатаев", "original_script", script="cyrillic")
    assert [n.script for n in by_reference["KPe.055"].names if n.kind == "alias"][0] == "han"
    assert {i.normalized for i in by_reference["KPe.020"].identifiers} == {"1790183"}
    assert by_reference["KPi.033"].identifiers[0].value == "381310014"
    assert by_reference["SOi.022"].birth_dates == ()


def test_corrupt_copy_is_refused_with_line_and_column() -> None:
    with pytest.raises(ListParseError) as error:
        parse_un_consolidated((UN_DATA / CORRUPT_COPY).read_bytes())
    assert re.search(r"at line 53, column 10$", str(error.value))
    assert str(error.value).startswith("not well-formed")


def test_real_copies_differing_only_in_date_generated_hash_the_same() -> None:
    # SOURCES.md: the 2026-01-28 file differs from the 2025-12-10 one only in dateGenerated.
    later = parse_real("haverisenosku__pakote_data/2026-01-28_8e464ed/un.xml")
    earlier = parse_real("haverisenosku__pakote_data/2025-12-10_ff39c73/un.xml")
    assert later.generated_at != earlier.generated_at
    assert later.content_sha256 == earlier.content_sha256
    assert [r.raw for r in later.records] == [r.raw for r in earlier.records]
    # ...while the 2025-12-09 file still has IQi.074 (DATAID 6908121).
    before_removal = parse_real("haverisenosku__pakote_data/2025-12-09_df66289/un.xml")
    assert before_removal.content_sha256 != earlier.content_sha256
    assert {r.external_id for r in before_removal.records} - {r.external_id for r in earlier.records} == {"6908121"}


def test_real_copy_with_one_changed_record_hashes_differently() -> None:
    data = (UN_DATA / "TuaMaley__New-AML-TMS/un_sanctions.xml").read_bytes()
    regenerated = data.replace(b'dateGenerated="2026-05-08T23:00:06.922Z"', b'dateGenerated="2026-05-09T23:00:01.5Z"')
    amended = data.replace(b"IMO number: 5571322.", b"IMO number: 5571322. Amended.")
    assert regenerated != data and amended != data
    assert content_sha256(regenerated) == content_sha256(data)
    assert content_sha256(amended) != content_sha256(data)


# --------------------------------------------------------------------------- the project's seed sample


def test_seed_sample_parses() -> None:
    parsed = parse_un_consolidated(SEED_SAMPLE.read_bytes())
    assert len(parsed.records) >= 30
    assert parsed.individuals > 0 and parsed.entities > 0
    assert all(r.primary_name and r.reference_number for r in parsed.records)
