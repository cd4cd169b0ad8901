"""Identifier rules, mirroring the worked examples in docs/domain.md section 7.

Plain pytest, no database and no Django settings needed:
    .venv/bin/python -m pytest tests/sanctions/test_identifiers.py -q -p no:django
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django_countries.data import COUNTRIES

from sanctions import identifiers
from sanctions.identifiers import (
    CheckResult,
    PartialDate,
    check_call_sign,
    check_country_code,
    check_imo,
    check_imo_company,
    check_mmsi,
    check_un_reference,
    country_code_from_name,
    mid_country,
    normalize_imo,
    parse_partial_date,
)

# ---------------------------------------------------------------------------
# CheckResult
# ---------------------------------------------------------------------------


def test_check_result_is_frozen_and_keeps_raw_value_unstripped():
    result = check_un_reference("KPe.053 ")
    assert result.value == "KPe.053 "
    assert result.normalized == "KPe.053"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.valid = False  # type: ignore[misc]
    assert CheckResult("x", "", False).warnings == ()
    assert CheckResult("x", "", False).details == {}


def test_check_result_value_is_str_of_non_string_input():
    result = check_imo(9074729)  # type: ignore[arg-type]
    assert result.value == "9074729"
    assert result.valid is True


# ---------------------------------------------------------------------------
# IMO ship numbers (domain.md 7.1)
# ---------------------------------------------------------------------------

# (number, weighted sum from the domain table, valid?)
IMO_TABLE = [
    ("9074729", 139, True),
    ("9283679", 159, True),
    ("8916293", 163, True),  # SAEBYOL
    ("8691702", 162, True),  # YU SON
    ("8606173", 133, True),  # Chol Ryong (OMM)
    ("9191773", 153, True),  # Dec 2017 port-ban vessels
    ("9114555", 115, True),
    ("9020534", 94, True),
    ("7389704", 164, True),  # Rye Song Gang 1
    ("8528864", 164, True),  # APEX / SHUN FA
    ("8514045", 115, True),  # HAI ZHOU 168
    ("9074728", 139, False),  # one-digit typo of 9074729
    ("8314881", 135, False),  # YON PUNG 3, as quoted
    ("8814881", 165, False),  # "A LI", as quoted
    ("1234567", 77, True),  # passes the checksum, proves nothing about existence
]


@pytest.mark.parametrize(("number", "weighted_sum", "valid"), IMO_TABLE)
def test_imo_worked_examples(number, weighted_sum, valid):
    result = check_imo(number)
    assert result.valid is valid
    assert result.normalized == number  # kept even when the checksum fails
    assert result.details["weighted_sum"] == weighted_sum
    assert result.details["expected_check_digit"] == weighted_sum % 10
    assert result.details["check_digit"] == int(number[-1])
    assert (result.error == "") is valid


def test_imo_checksum_error_message():
    assert check_imo("9074728").error == "IMO check digit is 8, expected 9"
    assert check_imo("8314881").error == "IMO check digit is 1, expected 5"
    assert check_imo("8814881").error == "IMO check digit is 1, expected 5"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("907472", "907472"),
        ("90747290", "90747290"),
        ("IMO 907472A", "907472A"),
        ("", ""),
        ("IMO", ""),
        ("9O74729", "9O74729"),  # letter O, not zero
    ],
)
def test_imo_bad_format(raw, shown):
    result = check_imo(raw)
    assert result.valid is False
    assert result.normalized == ""
    assert result.error == f"IMO number must be 7 digits, got {shown!r}"


@pytest.mark.parametrize(
    "raw",
    [
        "9074729",
        "IMO9074729",
        "IMO 9074729",
        "imo: 9074729",
        "IMO.9074729",
        "IMO No. 9074729",
        "imo no 9074729",
        "  IMO:  9074729 \n",
    ],
)
def test_normalize_imo_strips_label_and_whitespace(raw):
    assert normalize_imo(raw) == "9074729"
    assert check_imo(raw).normalized == "9074729"


def test_normalize_imo_returns_cleaned_string_even_if_not_seven_digits():
    assert normalize_imo("IMO 907472A") == "907472A"
    assert normalize_imo(" 90747290 ") == "90747290"
    assert normalize_imo("unknown") == "unknown"


# ---------------------------------------------------------------------------
# IMO company / registered-owner numbers
# ---------------------------------------------------------------------------


def test_9191773_passes_both_ship_and_company_rules():
    # domain.md 7.1 rule 3: the checksum cannot tell a ship number from a company number.
    assert check_imo("9191773").valid is True
    company = check_imo_company("9191773")
    assert company.valid is True
    assert company.details["weighted_sum"] == 9 * 8 + 1 * 6 + 9 * 4 + 1 * 2 + 7 * 9 + 7 * 7 == 228


@pytest.mark.parametrize(
    ("number", "valid", "expected"),
    [
        ("1234565", True, 5),  # sum 127, 127 % 11 = 6, 11 - 6 = 5
        ("0000001", True, 1),  # sum 0 -> (11 - 0) % 10 = 1
        ("0200000", True, 0),  # sum 12, 12 % 11 = 1 -> (11 - 1) % 10 = 0
        ("1234567", False, 5),  # a valid ship IMO, but not a valid company number
        ("9074729", False, 2),  # sum 185, 185 % 11 = 9, 11 - 9 = 2
    ],
)
def test_imo_company_checksum(number, valid, expected):
    result = check_imo_company(number)
    assert result.valid is valid
    assert result.details["expected_check_digit"] == expected
    if not valid:
        assert result.error == f"IMO company-number check digit is {number[-1]}, expected {expected}"


def test_company_number_that_fails_ship_rule():
    assert check_imo("1234565").valid is False
    assert check_imo_company("IMO 1234565").normalized == "1234565"


def test_imo_company_bad_format():
    result = check_imo_company("12345")
    assert (result.valid, result.normalized) == (False, "")
    assert result.error == "IMO company number must be 7 digits, got '12345'"


# ---------------------------------------------------------------------------
# MMSI (domain.md 7.2)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mmsi", "kind", "mid", "country"),
    [
        ("311001109", "ship", 311, "BS"),  # Wikipedia's example
        ("445123456", "ship", 445, "KP"),
        ("044512345", "group", 445, "KP"),
        ("004450001", "coast", 445, "KP"),
        ("273456789", "ship", 273, "RU"),
        ("440123456", "ship", 440, "KR"),
        ("413123456", "ship", 413, "CN"),
        ("366123456", "ship", 366, "US"),
    ],
)
def test_mmsi_classification(mmsi, kind, mid, country):
    result = check_mmsi(mmsi)
    assert result.valid is True
    assert result.normalized == mmsi
    assert result.details["kind"] == kind
    assert result.details["mid"] == mid
    assert result.details["mid_country"] == country


def test_mmsi_ship_station_has_no_warning():
    assert check_mmsi("445123456").warnings == ()
    assert check_mmsi("445123456", flag="KP").warnings == ()


def test_mmsi_group_and_coast_are_flagged_as_not_ship_stations():
    assert check_mmsi("044512345").warnings == ("MMSI 044512345 is a group of ship stations, not a ship station",)
    assert check_mmsi("004450001").warnings == ("MMSI 004450001 is a coast station, not a ship station",)


@pytest.mark.parametrize("raw", ["12345678", "9123456789", "", "44512345X", "445 123 456"])
def test_mmsi_bad_format(raw):
    result = check_mmsi(raw)
    assert result.valid is False
    assert result.normalized == ""
    assert result.error == f"MMSI must be 9 digits, got {raw.strip()!r}"


def test_mmsi_surrounding_whitespace_is_stripped():
    result = check_mmsi(" 445123456\n")
    assert (result.valid, result.normalized, result.value) == (True, "445123456", " 445123456\n")


def test_mmsi_regional_is_not_a_ship_station():
    result = check_mmsi("800000001")
    assert result.valid is True
    assert result.details["kind"] == "regional"
    assert result.details["mid"] is None
    assert result.warnings == ("MMSI 800000001 is not a ship station (regional or national use)",)
    assert check_mmsi("970123456").details["kind"] == "regional"


def test_mmsi_other_leading_digit_warns():
    result = check_mmsi("111445123")
    assert result.valid is True
    assert result.details["kind"] == "other"
    assert result.warnings == ("MMSI 111445123 is not a ship station (leading digit 1)",)


def test_mmsi_flag_mismatch_is_a_warning_not_an_error():
    result = check_mmsi("273456789", flag="KP")
    assert result.valid is True
    assert result.error == ""
    assert result.warnings == ("MMSI MID 273 is RU (Russia), but the flag is KP",)


def test_mmsi_flag_accepts_any_case_and_alpha3():
    assert check_mmsi("445123456", flag="kp").warnings == ()
    assert check_mmsi("445123456", flag="PRK").warnings == ()
    assert check_mmsi("445123456", flag="PAN").warnings == ("MMSI MID 445 is KP (North Korea), but the flag is PA",)


def test_mmsi_unusable_flag_is_reported_but_not_fatal():
    result = check_mmsi("445123456", flag="UK")
    assert result.valid is True
    assert len(result.warnings) == 1
    assert "cannot compare with the flag 'UK'" in result.warnings[0]
    assert "GB" in result.warnings[0]


@pytest.mark.parametrize(
    ("mmsi", "mid"),
    [("200123456", 200), ("776123456", 776), ("799999999", 799), ("010012345", 100), ("001991234", 199)],
)
def test_mmsi_mid_outside_allocated_range_is_invalid(mmsi, mid):
    result = check_mmsi(mmsi)
    assert result.valid is False
    assert result.error == f"MMSI MID {mid} is outside the allocated range 201-775"
    assert result.details["mid"] == mid


def test_mmsi_mid_in_range_but_not_in_table_warns():
    result = check_mmsi("217123456", flag="KP")
    assert result.valid is True
    assert result.details["mid_country"] is None
    # No flag comparison is possible, so only the table warning.
    assert result.warnings == ("MMSI MID 217 is not in the MID reference table (unallocated, or the table is out of date)",)


def test_mmsi_shared_mid_accepts_any_of_its_countries():
    assert check_mmsi("306123456", flag="CW").warnings == ()
    assert check_mmsi("306123456", flag="SX").warnings == ()
    result = check_mmsi("306123456", flag="KP")
    assert result.details["mid_country"] is None
    assert result.details["mid_countries"] == ("BQ", "CW", "SX")
    assert len(result.warnings) == 1 and result.warnings[0].startswith("MMSI MID 306 is BQ/CW/SX (")


# ---------------------------------------------------------------------------
# MID reference table
# ---------------------------------------------------------------------------

DOMAIN_MIDS = {
    445: "KP",
    440: "KR",
    441: "KR",
    412: "CN",
    413: "CN",
    414: "CN",
    273: "RU",
    431: "JP",
    432: "JP",
    338: "US",
    366: "US",
    367: "US",
    368: "US",
    369: "US",
}


@pytest.mark.parametrize(("mid", "alpha2"), sorted(DOMAIN_MIDS.items()))
def test_mid_table_contains_every_domain_mid(mid, alpha2):
    assert mid_country(mid) == alpha2


@pytest.mark.parametrize(
    ("mid", "alpha2"),
    [(311, "BS"), (351, "PA"), (370, "PA"), (667, "SL"), (671, "TG"), (457, "MN"), (514, "KH"), (520, "FJ"),
     (312, "BZ"), (477, "HK")],
)
def test_mid_table_other_flags(mid, alpha2):
    assert mid_country(mid) == alpha2


def test_mid_country_unknown_and_shared():
    assert mid_country(217) is None  # not allocated
    assert mid_country(999) is None
    assert mid_country(306) is None  # shared by three territories


def test_mid_table_rows_are_iso_codes_within_range():
    table = identifiers._mid_table()
    assert len(table) > 250
    for mid, countries in table.items():
        assert 201 <= mid <= 775
        assert countries and all(code in COUNTRIES for code in countries)


def test_reference_csvs_name_their_source():
    from importlib.resources import files

    mid_text = files("sanctions.reference").joinpath("maritime_identification_digits.csv").read_text()
    assert mid_text.splitlines()[0].startswith("#")
    assert "ITU MARS MID table, transcribed; review before relying on it" in mid_text.splitlines()[0]
    assert "mid,alpha2" in mid_text.splitlines()
    prefix_text = files("sanctions.reference").joinpath("call_sign_prefixes.csv").read_text()
    assert "start,end,alpha2" in prefix_text.splitlines()


# ---------------------------------------------------------------------------
# Country codes (domain.md 7.3)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "alpha2"),
    [
        ("KP", "KP"),
        ("PRK", "KP"),
        ("408", "KP"),
        ("kp", "KP"),
        (" prk ", "KP"),
        ("KR", "KR"),
        ("KOR", "KR"),
        ("410", "KR"),
        ("RU", "RU"),
        ("RUS", "RU"),
        ("643", "RU"),
        ("GB", "GB"),
        ("GBR", "GB"),
        ("8", "AL"),  # numeric codes are zero-padded to three digits
        ("008", "AL"),
    ],
)
def test_country_code_accepted(raw, alpha2):
    result = check_country_code(raw)
    assert result.valid is True
    assert result.normalized == alpha2


def test_country_code_details():
    assert check_country_code("KP").details == {
        "alpha3": "PRK",
        "numeric": 408,
        "name": "Korea (the Democratic People's Republic of)",
    }


def test_country_code_uk_rejected_with_gb_suggestion():
    result = check_country_code("UK")
    assert result.valid is False
    assert result.normalized == ""
    assert "'GB'" in result.error
    assert check_country_code("uk").valid is False


def test_country_code_xk_rejected():
    result = check_country_code("XK")
    assert result.valid is False
    assert "not an ISO 3166-1 code" in result.error


@pytest.mark.parametrize(("raw", "error"), [
    ("ZZ", "'ZZ' is not an ISO 3166-1 country code"),
    ("XXX", "'XXX' is not an ISO 3166-1 country code"),
    ("999", "'999' is not an ISO 3166-1 country code"),
    ("", "country code is empty"),
    ("K P", "country code must be ISO 3166-1 alpha-2, alpha-3 or numeric, got 'K P'"),
    ("KOREA", "country code must be ISO 3166-1 alpha-2, alpha-3 or numeric, got 'KOREA'"),
])
def test_country_code_rejected(raw, error):
    result = check_country_code(raw)
    assert (result.valid, result.normalized, result.error) == (False, "", error)


# ---------------------------------------------------------------------------
# Country names as printed in the UN list
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "alpha2"),
    [
        ("Democratic People's Republic of Korea", "KP"),
        ("Democratic People’s Republic of Korea", "KP"),  # typographic apostrophe
        ("DEMOCRATIC PEOPLES REPUBLIC OF KOREA", "KP"),
        ("  democratic  people's republic of korea ", "KP"),
        ("Republic of Korea", "KR"),
        ("Russian Federation", "RU"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Syrian Arab Republic", "SY"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("China", "CN"),
        ("Hong Kong", "HK"),
        ("China, Hong Kong Special Administrative Region", "HK"),
        ("Viet Nam", "VN"),
        ("United Republic of Tanzania", "TZ"),
        ("Democratic Republic of the Congo", "CD"),
        ("Congo", "CG"),
        ("Lao People's Democratic Republic", "LA"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ('"Sierra Leone"', "SL"),
        ("Korea (the Democratic People's Republic of)", "KP"),  # ISO short name
        ("Türkiye", "TR"),
        ("Turkey", "TR"),  # django-countries' former name
        ("North Korea", "KP"),  # django-countries' common name
    ],
)
def test_country_code_from_name(name, alpha2):
    assert country_code_from_name(name) == alpha2


@pytest.mark.parametrize("name", ["Korea", "Kosovo", "Corea", "Russian Federatio", "USSR", "", "   ", "Republic"])
def test_country_code_from_name_never_guesses(name):
    assert country_code_from_name(name) is None


def test_name_shared_by_two_countries_is_left_out():
    index = identifiers._unambiguous_name_index([("Georgia", "GE"), ("georgia", "US"), ("Fiji", "FJ"), ("FIJI", "FJ")])
    assert index == {"fiji": "FJ"}


def test_every_alias_maps_to_an_iso_code():
    for alias, alpha2 in identifiers._COUNTRY_NAME_ALIASES.items():
        assert alpha2 in COUNTRIES, alias


# ---------------------------------------------------------------------------
# Call signs (domain.md 7.4)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("HMYW", "HMYW"), ("hm-yw", "HMYW"), ("P 5 A B", "P5AB"), ("3EXY4", "3EXY4"), ("ABC", "ABC"), ("ABCDEFG", "ABCDEFG")],
)
def test_call_sign_format_accepted(raw, normalized):
    result = check_call_sign(raw)
    assert (result.valid, result.normalized) == (True, normalized)


@pytest.mark.parametrize("raw", ["AB", "ABCDEFGH", "HM/YW", "", "HMÝW"])
def test_call_sign_format_rejected(raw):
    result = check_call_sign(raw)
    assert result.valid is False
    assert result.normalized == ""
    assert result.error.startswith("call sign must be 3-7 letters or digits")


@pytest.mark.parametrize(
    ("call_sign", "alpha2"),
    [
        # DPRK blocks HMA-HMZ and P5A-P9Z
        ("HMAB", "KP"), ("HMZZ", "KP"), ("P5AA", "KP"), ("P7XY", "KP"), ("P9ZZ", "KP"),
        # ROK blocks DSA-DTZ, D7A-D9Z, HLA-HLZ, 6KA-6NZ
        ("DSAB", "KR"), ("DTZZ", "KR"), ("D7AB", "KR"), ("D9ZZ", "KR"),
        ("HLAB", "KR"), ("6KAB", "KR"), ("6MXY", "KR"), ("6NZZ", "KR"),
        ("UBCD", "RU"), ("RAAA", "RU"), ("JAAB", "JP"), ("7JAB", "JP"), ("WDC1234", "US"), ("3EAB4", "PA"), ("HOAB", "PA"),
        ("9LAB", "SL"), ("5VAB", "TG"), ("JUAB", "MN"), ("XUAB", "KH"), ("3DNA", "FJ"), ("V3AB", "BZ"), ("3DAA", "SZ"),
    ],
)
def test_call_sign_prefix_table(call_sign, alpha2):
    assert check_call_sign(call_sign).details["prefix_country"] == alpha2
    assert check_call_sign(call_sign, flag=alpha2).warnings == ()


@pytest.mark.parametrize("call_sign", ["HNAB", "P4AB", "DUAB", "6OAB", "UJAB", "3DZ", "XYZ1"])
def test_call_sign_just_outside_blocks_is_not_kp_or_kr(call_sign):
    assert check_call_sign(call_sign).details["prefix_country"] not in {"KP", "KR"}


def test_call_sign_prefix_mismatch_warns():
    result = check_call_sign("HMYW", flag="PA")
    assert result.valid is True
    assert result.warnings == ("call sign prefix HM is KP (North Korea), but the flag is PA",)
    assert check_call_sign("3EAB4", flag="KP").warnings == ("call sign prefix 3E is PA (Panama), but the flag is KP",)


def test_call_sign_unknown_prefix_gives_no_warning():
    result = check_call_sign("ZZZ9", flag="KP")
    assert result.valid is True
    assert result.details["prefix_countries"] == ()
    assert result.warnings == ()


def test_call_sign_shared_series_matches_any_listed_country():
    result = check_call_sign("BKHD", flag="TW")
    assert result.details["prefix_countries"] == ("CN", "TW")
    assert result.warnings == ()
    assert check_call_sign("BKHD", flag="CN").warnings == ()
    assert len(check_call_sign("BKHD", flag="KP").warnings) == 1


def test_call_sign_partial_block_respects_third_letter():
    # 3DA-3DM is Eswatini, 3DN-3DZ is Fiji.
    assert check_call_sign("3DMA").details["prefix_country"] == "SZ"
    assert check_call_sign("3DNA").details["prefix_country"] == "FJ"
    assert check_call_sign("3DMA", flag="FJ").warnings == ("call sign prefix 3D is SZ (Eswatini), but the flag is FJ",)


def test_call_sign_table_rows_are_iso_codes():
    blocks = identifiers._call_sign_blocks()
    assert {block.alpha2 for block in blocks} >= {"KP", "KR", "RU", "CN", "JP", "US", "PA", "SL", "TG", "MN", "KH", "FJ", "BZ"}
    assert all(block.alpha2 in COUNTRIES for block in blocks)


# ---------------------------------------------------------------------------
# UN reference numbers (domain.md 4.1 and 7.5)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized", "prefix", "kind"),
    [
        ("KPi.033", "KPi.033", "KP", "individual"),
        ("KPe.053 ", "KPe.053", "KP", "entity"),  # trailing space in the published XML
        ("KPe.020", "KPe.020", "KP", "entity"),  # Ocean Maritime Management
        ("KPe.051", "KPe.051", "KP", "entity"),
        ("\tQDi.1234\n", "QDi.1234", "QD", "individual"),
        ("TAe.010", "TAe.010", "TA", "entity"),
    ],
)
def test_un_reference_accepted(raw, normalized, prefix, kind):
    result = check_un_reference(raw)
    assert result.valid is True
    assert result.normalized == normalized
    assert result.details["regime_prefix"] == prefix
    assert result.details["kind"] == kind
    assert result.warnings == ()


@pytest.mark.parametrize(
    "raw",
    ["KPx.001", "kpe.020", "KPE.020", "KPe.02", "KPe020", "KP e.020", "KPe.020a", "KPe.０２０", ""],  # fullwidth digits too
)
def test_un_reference_rejected(raw):
    result = check_un_reference(raw)
    assert result.valid is False
    assert result.normalized == ""
    assert repr(raw.strip()) in result.error


def test_un_reference_1718_regime_and_unknown_prefix():
    assert check_un_reference("KPe.020").details["regime"].startswith("1718")
    unknown = check_un_reference("ZZe.001")
    assert unknown.valid is True
    assert unknown.warnings == ("'ZZ' is not a known UN sanctions committee prefix",)


# ---------------------------------------------------------------------------
# Partial dates
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected", "precision"),
    [
        ("1964", PartialDate(1964), "year"),
        ("1964-07", PartialDate(1964, 7), "month"),
        ("1964-07-17", PartialDate(1964, 7, 17), "day"),
        ("1964-07-17-04:00", PartialDate(1964, 7, 17), "day"),
        ("1964-07-17+09:00", PartialDate(1964, 7, 17), "day"),
        ("1964-07-17Z", PartialDate(1964, 7, 17), "day"),
        ("17/07/1964", PartialDate(1964, 7, 17), "day"),
        ("1/7/1964", PartialDate(1964, 7, 1), "day"),  # day first, not US order
        ("17 July 1964", PartialDate(1964, 7, 17), "day"),
        ("17 Jul 1964", PartialDate(1964, 7, 17), "day"),
        ("17 JULY 1964", PartialDate(1964, 7, 17), "day"),
        ("July 1964", PartialDate(1964, 7), "month"),
        ("Jul. 1964", PartialDate(1964, 7), "month"),
        ("Nov. 1973 ", PartialDate(1973, 11), "month"),
        ("Sept 1970", PartialDate(1970, 9), "month"),
        (" 1964 ", PartialDate(1964), "year"),
        ("29 Feb 1964", PartialDate(1964, 2, 29), "day"),
    ],
)
def test_parse_partial_date(raw, expected, precision):
    parsed = parse_partial_date(raw)
    assert parsed == expected
    assert parsed.precision == precision


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1964-02-30", "not a real date"),
        ("30/02/1964", "not a real date"),
        ("29 Feb 1963", "not a real date"),
        ("1964-13", "month 13"),
        ("1849", "outside 1850-2100"),
        ("2101-01-01", "outside 1850-2100"),
        ("", "empty"),
        ("   ", "empty"),
        ("Juli 1964", "'Juli' is not an English month name"),
        ("07/17/1964", "month 17"),  # US order is not accepted
        ("64", "cannot read date '64'"),
        ("1964-7-17", "cannot read date"),
        ("1964-07-17T10:00:00", "cannot read date"),
        ("circa 1964", "cannot read date"),
        ("1964-07-17+25:00", "cannot read date"),
    ],
)
def test_parse_partial_date_rejects(raw, message):
    with pytest.raises(ValueError) as excinfo:
        parse_partial_date(raw)
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("date", "earliest", "latest", "iso"),
    [
        (PartialDate(1964), dt.date(1964, 1, 1), dt.date(1964, 12, 31), "1964"),
        (PartialDate(1964, 2), dt.date(1964, 2, 1), dt.date(1964, 2, 29), "1964-02"),  # leap year
        (PartialDate(1963, 2), dt.date(1963, 2, 1), dt.date(1963, 2, 28), "1963-02"),
        (PartialDate(1964, 7, 17), dt.date(1964, 7, 17), dt.date(1964, 7, 17), "1964-07-17"),
    ],
)
def test_partial_date_bounds_and_isoformat(date, earliest, latest, iso):
    assert date.earliest() == earliest
    assert date.latest() == latest
    assert date.isoformat() == iso
    assert parse_partial_date(iso) == date


@pytest.mark.parametrize(
    ("args", "message"),
    [((1964, None, 5), "a day needs a month"), ((1964, 0), "month 0"), ((1800,), "year 1800")],
)
def test_partial_date_constructor_validates(args, message):
    with pytest.raises(ValueError) as excinfo:
        PartialDate(*args)
    assert message in str(excinfo.value)
