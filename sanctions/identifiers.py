"""Validation of the identifiers that tie list entries, reports and vessels together.

Pure functions only (no ORM, no settings, no network) so list parsing, report
validation and curated vessel records all apply exactly the same rules. The
rules and worked examples are in docs/domain.md section 7.

Every ``check_*`` function returns a :class:`CheckResult` instead of raising:
a bad identifier in a source document is evidence to keep and flag, not a
reason to drop the record.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import functools
import importlib.resources
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from django_countries import data as _country_data
from django_countries.base import CountriesBase as _CountriesBase

__all__ = [
    "CheckResult",
    "PartialDate",
    "check_call_sign",
    "check_country_code",
    "check_imo",
    "check_imo_company",
    "check_mmsi",
    "check_un_reference",
    "country_code_from_name",
    "mid_country",
    "normalize_imo",
    "parse_partial_date",
]


@dataclass(frozen=True)
class CheckResult:
    value: str  # input as given (str(raw), not stripped)
    normalized: str  # canonical form, '' when it cannot be parsed
    valid: bool
    error: str = ""  # one sentence saying why it is invalid; '' when valid
    warnings: tuple[str, ...] = ()  # non-fatal observations
    # Excluded from hash() because a dict is unhashable.
    details: Mapping[str, object] = field(default_factory=dict, hash=False)


# ---------------------------------------------------------------------------
# Country names from django-countries without Django settings
# ---------------------------------------------------------------------------


def _plain(name: object) -> str:
    """The English source string of a django-countries name.

    The names are gettext_lazy proxies; str() on them would need Django
    settings, so read the untranslated message the proxy wraps instead.
    """
    if isinstance(name, str):
        return name
    args = getattr(name, "_args", None)
    if args and isinstance(args[0], str):
        return args[0]
    return str(name)  # pragma: no cover - only if django-countries changes its data format


def _country_name(alpha2: str) -> str:
    """Short English name for messages ('Russia' rather than 'Russian Federation')."""
    common = _CountriesBase.COMMON_NAMES.get(alpha2)
    if common is not None:
        return _plain(common)
    return _plain(_country_data.COUNTRIES.get(alpha2, alpha2))


# ---------------------------------------------------------------------------
# IMO numbers
# ---------------------------------------------------------------------------

# 'IMO', then optional '.', ':', spaces and 'No.' in any mix: 'IMO No. 9074729', 'imo: 9074729'.
_IMO_PREFIX = re.compile(r"^IMO(?:\s*[.:]?\s*NO\b\.?)?\s*[.:]?\s*", re.IGNORECASE)
_SEVEN_DIGITS = re.compile(r"[0-9]{7}")


def normalize_imo(raw: str) -> str:
    """Strip whitespace and a leading 'IMO' label; the rest is returned as is (even if not 7 digits)."""
    text = str(raw).strip()
    return _IMO_PREFIX.sub("", text, count=1).strip()


def _check_seven_digit_imo(
    raw: object,
    label: str,
    check_label: str,
    weights: tuple[int, ...],
    expected_check_digit: Callable[[int], int],
) -> CheckResult:
    value = str(raw)
    digits = normalize_imo(value)
    if not _SEVEN_DIGITS.fullmatch(digits):
        return CheckResult(value, "", False, f"{label} must be 7 digits, got {digits!r}")
    weighted_sum = sum(int(digit) * weight for digit, weight in zip(digits[:6], weights))
    expected = expected_check_digit(weighted_sum)
    check_digit = int(digits[6])
    details = {"weighted_sum": weighted_sum, "check_digit": check_digit, "expected_check_digit": expected}
    if check_digit != expected:
        return CheckResult(
            value, digits, False, f"{check_label} is {check_digit}, expected {expected}", details=details
        )
    return CheckResult(value, digits, True, details=details)


def check_imo(raw: str) -> CheckResult:
    """Ship IMO number: 7 digits; digits 1-6 x weights 7..2, sum mod 10 must equal digit 7.

    A passing checksum does not prove the ship exists; a failing one is
    reported as invalid but ``normalized`` still holds the digits so the
    value as reported can be kept.
    """
    return _check_seven_digit_imo(
        raw, "IMO number", "IMO check digit", (7, 6, 5, 4, 3, 2), lambda total: total % 10
    )


def check_imo_company(raw: str) -> CheckResult:
    """IMO company / registered-owner number: weights 8,6,4,2,9,7, check = (11 - sum mod 11) mod 10.

    Some numbers pass both this and the ship rule, so use the field's context
    (vessel or organisation) to decide which one applies.
    """
    return _check_seven_digit_imo(
        raw,
        "IMO company number",
        "IMO company-number check digit",
        (8, 6, 4, 2, 9, 7),
        lambda total: (11 - total % 11) % 10,
    )


# ---------------------------------------------------------------------------
# Reference tables (CSV files shipped in sanctions/reference)
# ---------------------------------------------------------------------------


def _read_reference_csv(filename: str) -> list[dict[str, str]]:
    text = importlib.resources.files("sanctions.reference").joinpath(filename).read_text(encoding="utf-8")
    # Comment lines carry the provenance note; they are not data.
    data_lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(data_lines))))


def _require_country(alpha2: str, filename: str, row: Mapping[str, str]) -> str:
    if alpha2 not in _country_data.COUNTRIES:
        raise ValueError(f"{filename}: {alpha2!r} is not an ISO 3166-1 alpha-2 code (row {dict(row)})")
    return alpha2


@functools.cache
def _mid_table() -> dict[int, tuple[str, ...]]:
    filename = "maritime_identification_digits.csv"
    table: dict[int, tuple[str, ...]] = {}
    for row in _read_reference_csv(filename):
        mid_text, alpha2 = row["mid"].strip(), row["alpha2"].strip().upper()
        in_range = re.fullmatch(r"[0-9]{3}", mid_text) and _MID_RANGE[0] <= int(mid_text) <= _MID_RANGE[1]
        if not in_range:
            raise ValueError(f"{filename}: {mid_text!r} is not a MID in {_MID_RANGE[0]}..{_MID_RANGE[1]}")
        mid = int(mid_text)
        countries = table.get(mid, ())
        if alpha2 not in countries:
            table[mid] = countries + (_require_country(alpha2, filename, row),)
    return table


def _mid_countries(mid: int) -> tuple[str, ...]:
    return _mid_table().get(mid, ())


def mid_country(mid: int) -> str | None:
    """ISO alpha-2 of a Maritime Identification Digits value, or None.

    None both when the MID is not in the table and when it is shared by
    several territories (306: Bonaire, Curacao, Sint Maarten); check_mmsi
    lists all of them in ``details['mid_countries']``.
    """
    countries = _mid_countries(mid)
    return countries[0] if len(countries) == 1 else None


# Call-sign series are written as 3-character ranges ('HMA'..'HMZ', 'P5A'..'P9Z').
# Each range is expanded into 2-character blocks with the third-character bounds.
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"


@dataclass(frozen=True)
class _CallSignBlock:
    first_two: str
    third_from: str
    third_to: str
    alpha2: str

    def matches(self, call_sign: str) -> bool:
        if call_sign[:2] != self.first_two:
            return False
        # A whole A..Z block is the whole series, whatever the third character is.
        if (self.third_from, self.third_to) == ("A", "Z"):
            return True
        return call_sign[2] in _LETTERS and self.third_from <= call_sign[2] <= self.third_to


def _expand_call_sign_range(start: str, end: str, alpha2: str, filename: str) -> list[_CallSignBlock]:
    if not (re.fullmatch(r"[A-Z0-9]{2}[A-Z]", start) and re.fullmatch(r"[A-Z0-9]{2}[A-Z]", end)):
        raise ValueError(f"{filename}: bad call-sign range {start}-{end}")
    if start[0] != end[0]:
        raise ValueError(f"{filename}: call-sign range {start}-{end} spans several first characters")
    alphabet = _LETTERS if start[1] in _LETTERS else _DIGITS
    if end[1] not in alphabet or alphabet.index(start[1]) > alphabet.index(end[1]):
        raise ValueError(f"{filename}: bad call-sign range {start}-{end}")
    seconds = alphabet[alphabet.index(start[1]) : alphabet.index(end[1]) + 1]
    blocks = []
    for position, second in enumerate(seconds):
        third_from = start[2] if position == 0 else "A"
        third_to = end[2] if position == len(seconds) - 1 else "Z"
        blocks.append(_CallSignBlock(start[0] + second, third_from, third_to, alpha2))
    return blocks


@functools.cache
def _call_sign_blocks() -> tuple[_CallSignBlock, ...]:
    filename = "call_sign_prefixes.csv"
    blocks: list[_CallSignBlock] = []
    for row in _read_reference_csv(filename):
        alpha2 = _require_country(row["alpha2"].strip().upper(), filename, row)
        start, end = row["start"].strip().upper(), row["end"].strip().upper()
        blocks.extend(_expand_call_sign_range(start, end, alpha2, filename))
    return tuple(blocks)


def _call_sign_countries(call_sign: str) -> tuple[str, ...]:
    countries: list[str] = []
    for block in _call_sign_blocks():
        if block.matches(call_sign) and block.alpha2 not in countries:
            countries.append(block.alpha2)
    return tuple(countries)


# ---------------------------------------------------------------------------
# Country codes
# ---------------------------------------------------------------------------

# Codes people use that are not ISO 3166-1 assignments, with what to use instead.
_NOT_ISO_CODES: dict[str, str] = {
    "UK": "'UK' is not an ISO 3166-1 code; use 'GB' for the United Kingdom",
    "EL": "'EL' is not an ISO 3166-1 code (it is the EU's code for Greece); use 'GR'",
    "XK": "'XK' (Kosovo) is a user-assigned code, not an ISO 3166-1 code",
    "EU": "'EU' is not an ISO 3166-1 country code",
}


@functools.cache
def _alpha3_and_numeric_index() -> tuple[dict[str, str], dict[int, str]]:
    by_alpha3: dict[str, str] = {}
    by_numeric: dict[int, str] = {}
    for alpha2, (alpha3, numeric) in _country_data.ALT_CODES.items():
        by_alpha3[alpha3] = alpha2
        by_numeric[int(numeric)] = alpha2
    return by_alpha3, by_numeric


def check_country_code(raw: str) -> CheckResult:
    """ISO 3166-1 alpha-2 (any case), alpha-3 or numeric code; normalized to upper-case alpha-2."""
    value = str(raw)
    code = value.strip().upper()
    if not code:
        return CheckResult(value, "", False, "country code is empty")
    if code in _NOT_ISO_CODES:
        return CheckResult(value, "", False, _NOT_ISO_CODES[code])
    by_alpha3, by_numeric = _alpha3_and_numeric_index()
    alpha2: str | None = None
    if re.fullmatch(r"[A-Z]{2}", code):
        alpha2 = code if code in _country_data.COUNTRIES else None
    elif re.fullmatch(r"[A-Z]{3}", code):
        alpha2 = by_alpha3.get(code)
    elif re.fullmatch(r"[0-9]{1,3}", code):
        alpha2 = by_numeric.get(int(code))
    else:
        error = f"country code must be ISO 3166-1 alpha-2, alpha-3 or numeric, got {code!r}"
        return CheckResult(value, "", False, error)
    if alpha2 is None:
        return CheckResult(value, "", False, f"{code!r} is not an ISO 3166-1 country code")
    alpha3, numeric = _country_data.ALT_CODES[alpha2]
    details = {"alpha3": alpha3, "numeric": int(numeric), "name": _plain(_country_data.COUNTRIES[alpha2])}
    return CheckResult(value, alpha2, True, details=details)


def _flag_alpha2(flag: str | None) -> tuple[str | None, tuple[str, ...]]:
    """Normalise an optional flag argument; a bad flag is a warning, not an error of the identifier."""
    if flag is None or not str(flag).strip():
        return None, ()
    result = check_country_code(flag)
    if result.valid:
        return result.normalized, ()
    return None, (f"cannot compare with the flag {str(flag).strip()!r}: {result.error}",)


# Reviewed aliases: spellings used by the UN (Security Council lists, member-state
# names) and other official lists that differ from the ISO short names in
# django-countries. Keys go through _name_key, so case, spacing, punctuation and
# apostrophes do not matter. Never add a name that could mean two countries ('Korea').
_COUNTRY_NAME_ALIASES: dict[str, str] = {
    "Democratic People's Republic of Korea": "KP",
    "Korea, Democratic People's Republic of": "KP",
    "DPRK": "KP",
    "Republic of Korea": "KR",
    "Korea, Republic of": "KR",
    "Democratic Republic of the Congo": "CD",
    "Congo, Democratic Republic of the": "CD",
    "Republic of the Congo": "CG",
    "United Republic of Tanzania": "TZ",
    "Tanzania, United Republic of": "TZ",
    "Republic of Moldova": "MD",
    "Moldova, Republic of": "MD",
    "State of Palestine": "PS",
    "United States": "US",
    "China, Hong Kong Special Administrative Region": "HK",
    "Hong Kong Special Administrative Region of China": "HK",
    "Hong Kong, China": "HK",
    "Hong Kong SAR": "HK",
    "China, Macao Special Administrative Region": "MO",
    "Macao Special Administrative Region of China": "MO",
    "Macao, China": "MO",
    "Macau": "MO",
    "Taiwan Province of China": "TW",
    "The former Yugoslav Republic of Macedonia": "MK",
    "Kingdom of Eswatini": "SZ",
    "Cape Verde": "CV",
    "Burma": "MM",
    "Libyan Arab Jamahiriya": "LY",
    "Holy See (Vatican City State)": "VA",
}

_QUOTES = "'\"`´‘’‚‛“”„ʼʹ′″"


def _name_key(name: str) -> str:
    """Comparison key: accents, case, quotes, punctuation and spacing removed; words kept in order."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    text = text.translate({ord(quote): None for quote in _QUOTES}).replace("&", " and ")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def _unambiguous_name_index(names: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Name key -> alpha-2, leaving out any key that two countries share (refuse to guess)."""
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for name, alpha2 in names:
        key = _name_key(name)
        if key in index and index[key] != alpha2:
            ambiguous.add(key)
        index[key] = alpha2
    for key in ambiguous:
        del index[key]
    return index


@functools.cache
def _country_name_index() -> dict[str, str]:
    """Name key -> alpha-2 from the reviewed aliases, then exact django-countries names."""
    library_names: list[tuple[str, str]] = []
    for alpha2, name in _country_data.COUNTRIES.items():
        library_names.append((_plain(name), alpha2))
    for alpha2, name in _CountriesBase.COMMON_NAMES.items():
        library_names.append((_plain(name), alpha2))
    for alpha2, names in _CountriesBase.OLD_NAMES.items():
        library_names.extend((_plain(name), alpha2) for name in names)
    index = _unambiguous_name_index(library_names)
    # The reviewed table wins over the library's names.
    for alias, alpha2 in _COUNTRY_NAME_ALIASES.items():
        index[_name_key(alias)] = alpha2
    return index


def country_code_from_name(name: str) -> str | None:
    """Alpha-2 for a country name as printed in the UN list; None when the name is not known exactly."""
    if name is None:
        return None
    key = _name_key(name)
    if not key:
        return None
    return _country_name_index().get(key)


# ---------------------------------------------------------------------------
# MMSI
# ---------------------------------------------------------------------------

_MID_RANGE = (201, 775)
_NINE_DIGITS = re.compile(r"[0-9]{9}")


def _classify_mmsi(mmsi: str) -> tuple[str, int | None]:
    """(kind, MID) from the leading digits (ITU-R M.585 / USCG summary)."""
    if mmsi.startswith("00"):
        return "coast", int(mmsi[2:5])
    if mmsi.startswith("0"):
        return "group", int(mmsi[1:4])
    if mmsi[0] in "234567":
        return "ship", int(mmsi[:3])
    if mmsi[0] in "89":
        return "regional", None
    return "other", None


def check_mmsi(raw: str, flag: str | None = None) -> CheckResult:
    """MMSI: 9 digits classified by leading digits; MID must be 201..775.

    A MID that does not match the declared flag is only a warning: flag and
    MMSI manipulation is an evasion tactic the analyst needs to see.
    """
    value = str(raw)
    mmsi = value.strip()
    if not _NINE_DIGITS.fullmatch(mmsi):
        return CheckResult(value, "", False, f"MMSI must be 9 digits, got {mmsi!r}")
    kind, mid = _classify_mmsi(mmsi)
    details: dict[str, object] = {"kind": kind, "mid": mid, "mid_country": None, "mid_countries": ()}
    if mid is None:
        label = "regional or national use" if kind == "regional" else f"leading digit {mmsi[0]}"
        warning = f"MMSI {mmsi} is not a ship station ({label})"
        return CheckResult(value, mmsi, True, warnings=(warning,), details=details)
    if not _MID_RANGE[0] <= mid <= _MID_RANGE[1]:
        error = f"MMSI MID {mid:03d} is outside the allocated range {_MID_RANGE[0]}-{_MID_RANGE[1]}"
        return CheckResult(value, mmsi, False, error, details=details)

    countries = _mid_countries(mid)
    details["mid_country"] = mid_country(mid)
    details["mid_countries"] = countries
    warnings: list[str] = []
    if kind != "ship":
        station = "coast station" if kind == "coast" else "group of ship stations"
        warnings.append(f"MMSI {mmsi} is a {station}, not a ship station")
    if not countries:
        warnings.append(
            f"MMSI MID {mid} is not in the MID reference table (unallocated, or the table is out of date)"
        )
    flag_alpha2, flag_warnings = _flag_alpha2(flag)
    warnings.extend(flag_warnings)
    if flag_alpha2 and countries and flag_alpha2 not in countries:
        owners = "/".join(countries)
        names = ", ".join(_country_name(code) for code in countries)
        warnings.append(f"MMSI MID {mid} is {owners} ({names}), but the flag is {flag_alpha2}")
    return CheckResult(value, mmsi, True, warnings=tuple(warnings), details=details)


# ---------------------------------------------------------------------------
# Call signs
# ---------------------------------------------------------------------------


def check_call_sign(raw: str, flag: str | None = None) -> CheckResult:
    """3-7 letters/digits once spaces and hyphens are removed; warns when the ITU prefix is not the flag's."""
    value = str(raw)
    call_sign = re.sub(r"[\s-]+", "", value).upper()
    if not re.fullmatch(r"[A-Z0-9]{3,7}", call_sign):
        return CheckResult(value, "", False, f"call sign must be 3-7 letters or digits, got {call_sign!r}")
    countries = _call_sign_countries(call_sign)
    details = {
        "prefix_country": countries[0] if len(countries) == 1 else None,
        "prefix_countries": countries,
    }
    flag_alpha2, warnings = _flag_alpha2(flag)
    if flag_alpha2 and countries and flag_alpha2 not in countries:
        owners = "/".join(countries)
        names = ", ".join(_country_name(code) for code in countries)
        prefix = call_sign[:2]
        warnings += (f"call sign prefix {prefix} is {owners} ({names}), but the flag is {flag_alpha2}",)
    return CheckResult(value, call_sign, True, warnings=warnings, details=details)


# ---------------------------------------------------------------------------
# UN permanent reference numbers
# ---------------------------------------------------------------------------

_UN_REFERENCE = re.compile(r"(?P<prefix>[A-Z]{2})(?P<letter>[ie])\.(?P<number>[0-9]{3,})")

# Committee prefixes: from the UN prefix table quoted in public code (domain.md 4.1),
# plus YE/SS/ML/HT seen in current UN lists. An unknown prefix is only a warning.
_UN_REGIME_PREFIXES: dict[str, str] = {
    "KP": "1718 (2006), DPRK",
    "QD": "1267/1989/2253, ISIL (Da'esh) and Al-Qaida",
    "TA": "1988, Taliban",
    "IQ": "1518, Iraq",
    "IR": "1737, Iran",
    "LY": "1970, Libya",
    "SO": "751, Somalia",
    "SD": "1591, Sudan",
    "CD": "1533, Democratic Republic of the Congo",
    "CF": "2127, Central African Republic",
    "CI": "1572, Cote d'Ivoire",
    "GB": "2048, Guinea-Bissau",
    "LR": "1521, Liberia",
    "YE": "2140, Yemen",
    "SS": "2206, South Sudan",
    "ML": "2374, Mali",
    "HT": "2653, Haiti",
}


def check_un_reference(raw: str) -> CheckResult:
    """UN permanent reference number ('KPe.020').

    Only surrounding whitespace is stripped: the pattern is case-sensitive and
    'kpe.020' is not the same identifier.
    """
    value = str(raw)
    reference = value.strip()
    match = _UN_REFERENCE.fullmatch(reference)
    if match is None:
        return CheckResult(
            value,
            "",
            False,
            "UN reference number must look like 'KPe.020' (2 capital letters, 'i' or 'e', '.', 3+ digits), "
            f"got {reference!r}",
        )
    prefix = match["prefix"]
    details = {
        "regime_prefix": prefix,
        "kind": "individual" if match["letter"] == "i" else "entity",
        "regime": _UN_REGIME_PREFIXES.get(prefix, ""),
    }
    warnings: tuple[str, ...] = ()
    if prefix not in _UN_REGIME_PREFIXES:
        warnings = (f"{prefix!r} is not a known UN sanctions committee prefix",)
    return CheckResult(value, reference, True, warnings=warnings, details=details)


# ---------------------------------------------------------------------------
# Partial dates (dates of birth, listing dates given as year or month only)
# ---------------------------------------------------------------------------

_YEAR_RANGE = (1850, 2100)

# Spelled out rather than taken from `calendar`, whose names follow the process locale.
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTHS: dict[str, int] = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: number for name, number in _MONTHS.items()})
_MONTHS["sept"] = 9

# xs:date may carry a time-zone offset; the calendar date is what matters.
_ISO_DATE = re.compile(
    r"(?P<year>[0-9]{4})"
    r"(?:-(?P<month>[0-9]{2})"
    r"(?:-(?P<day>[0-9]{2})(?:Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])?)?)?"
)
_DAY_FIRST_SLASHED = re.compile(r"(?P<day>[0-9]{1,2})/(?P<month>[0-9]{1,2})/(?P<year>[0-9]{4})")
_MONTH_NAME_DATE = re.compile(r"(?:(?P<day>[0-9]{1,2})\s+)?(?P<month>[A-Za-z]+)\.?\s+(?P<year>[0-9]{4})")


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not _YEAR_RANGE[0] <= self.year <= _YEAR_RANGE[1]:
            raise ValueError(f"year {self.year} is outside {_YEAR_RANGE[0]}-{_YEAR_RANGE[1]}")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day needs a month")
            return
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None:
            try:
                datetime.date(self.year, self.month, self.day)
            except ValueError as exc:
                shown = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
                raise ValueError(f"{shown} is not a real date ({exc})") from None

    @property
    def precision(self) -> Literal["year", "month", "day"]:
        if self.month is None:
            return "year"
        return "month" if self.day is None else "day"

    def earliest(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> datetime.date:
        month = self.month or 12
        return datetime.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def isoformat(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.isoformat()


def _optional_int(text: str | None) -> int | None:
    return int(text) if text is not None else None


def parse_partial_date(raw: str) -> PartialDate:
    """Read a full or partial date; raises ValueError saying why when it cannot.

    Accepts '1964', '1964-07', '1964-07-17' (optionally with an xs:date
    offset such as '-04:00' or 'Z'), day-first '17/07/1964', '17 July 1964',
    '17 Jul 1964', 'July 1964' and 'Jul. 1964'.
    """
    text = " ".join(str(raw).split()) if raw is not None else ""
    if not text:
        raise ValueError("date is empty")
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = int(match["year"]), _optional_int(match["month"]), _optional_int(match["day"])
    elif match := _DAY_FIRST_SLASHED.fullmatch(text):
        year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    elif match := _MONTH_NAME_DATE.fullmatch(text):
        month = _MONTHS.get(match["month"].lower())
        if month is None:
            raise ValueError(f"cannot read date {text!r}: {match['month']!r} is not an English month name")
        year, day = int(match["year"]), _optional_int(match["day"])
    else:
        raise ValueError(
            f"cannot read date {text!r}: expected YYYY, YYYY-MM, YYYY-MM-DD, DD/MM/YYYY, "
            "'D Month YYYY' or 'Month YYYY'"
        )
    try:
        return PartialDate(year, month, day)
    except ValueError as exc:
        raise ValueError(f"cannot read date {text!r}: {exc}") from None
