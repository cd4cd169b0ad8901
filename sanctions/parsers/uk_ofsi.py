"""Parser for the UK Consolidated List of Financial Sanctions Targets in OFSI's CSV form (``ConList.csv``).

Pure: bytes in, frozen dataclasses out (see ``sanctions.parsers.types``). No ORM, no network,
no Django settings.

The format, as the files really are (checked against the 2018 copy in ``shared/data/uk``; the
newer "2022 format" is read by the same code, its columns being found by name):

* Line 1 is ``Last Updated,13/04/2018`` padded with empty cells: the publication date, day first.
  Line 2 is the header. Comma separated, double quotes around cells holding commas, LF line ends.
* The 2018 copy is Windows-1252, not UTF-8 (``\\x91PK5\\x92`` for curly quotes); UTF-8 (with or
  without a BOM) is read too. Anything else is refused rather than guessed at.
* One row per NAME of a designee, and one per date of birth and per address as well: a group of
  2 names, 2 dates of birth and 2 addresses has 8 rows. The rows of a group share ``Group ID``
  (OFSI's stable key) but are not contiguous (the file is sorted by name). A designee listed under
  several regimes has its rows repeated per regime, each with that regime's ``Listed On``.
* ``Name 1`` .. ``Name 5`` are given names, ``Name 6`` the surname (an entity's whole name is in
  ``Name 6``). Cells carry stray leading and trailing spaces (`` AL-QAHTANI``, ``Kim Kyong ``).
* ``Alias Type``: the 2018 copy writes ``Prime Alias`` for the primary name, ``AKA`` and ``FKA``;
  the 2022 format writes ``Primary name``, ``Primary name variation``, ``AKA``, ``FKA`` and grades
  aliases ``Good`` or ``Low`` in ``Alias Quality``.
* ``Group Type`` is ``Individual`` or ``Entity``; the 2022 format adds ``Ship``. The 2018 copy
  publishes ships as entities whose ``Other Information`` opens with their number (``IMO:
  8937675. MMSI: 445539000.``, ``(IMO number: 7303803).``); such an entity is read as a vessel
  when its labelled number passes the ship check digit. Shipping companies give company numbers
  (``IMO Number: 5342883``, ``Company Number IMO 5434358``), which fail it.
* ``DOB`` is ``dd/mm/yyyy`` with ``00`` for an unknown day or month (``00/00/1980``, ``00/08/1961``).
* ``Nationality``, ``Title``, ``Position``, ``Town of Birth``, ``Country of Birth`` and the document
  cells enumerate several values as ``1) Saudi Arabia 2) Qatar``, ``(1) Afghan (2) Pakistani``,
  ``a) General b)Major General``, and share one value out as ``(1) to (6) Algeria (7) Morocco``.
  Nationalities are mostly demonyms (``Afghan``, ``Saudi Arabian``).
* ``Passport Details`` and ``NI Number`` are free text around the number (``Passport No: 592667
  (Qatari passport issued on 3 May 2007).``); the 2022 format has the number alone in ``Passport
  Number`` / ``National Identification Number`` and the rest in the ``... Details`` columns.
* ``Address 1`` .. ``Address 6``: free lines, the last usually the town or province (``Baghdad``,
  ``Helmand Province``), read as the city; then ``Post/Zip Code`` and ``Country``. Country cells
  carry notes: ``Afghanistan (since 2009)``.
* ``Other Information`` is free text; the 2022 format writes labelled spans into it:
  ``(UK Sanctions List Ref):AFG0100. (UN Ref):TAi.130. ...``, ``(Gender):Male``, and on ships
  ``(IMO number):7408873 (Current owners):... (Flag of ship):... (Type of ship):...``.
* The UN reference of a UN designee sits in ``Other Information`` in many spellings: ``UN Ref
  QDe.004``, ``UN REF:QE.A.146.14``, ``UN Ref.KPI. 076``, ``UN Ref.KPe 070``, ``UN Ref KPe.23``,
  ``UN. REF.KPI.073``, ``UN Ref: QD1.410``, ``UN Reference KPi.048``, ``(UN Ref):TAi.130``, a bare
  ``KPi.023.`` sentence, and ``UN Ref.077`` (no prefix) on DPRK records. See ``cited_un_reference``.

Safety: the content is refused when it is over ``max_bytes``; the csv module runs in strict mode
with its default field size limit.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest

from sanctions import identifiers
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
from sanctions.parsers.un_xml import detect_script

__all__ = [
    "COLUMNS_2018",
    "COLUMNS_2022",
    "DEFAULT_MAX_BYTES",
    "ListParseError",
    "REQUIRED_COLUMNS",
    "cited_un_reference",
    "content_sha256",
    "parse_uk_ofsi_csv",
    "read_generated_at",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024

GIVEN_NAME_COLUMNS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5")
STREET_COLUMNS = ("Address 1", "Address 2", "Address 3", "Address 4", "Address 5")
REQUIRED_COLUMNS = ("Name 6", "Group Type", "Alias Type", "Regime", "Group ID")
COLUMNS_2018 = (
    "Name 6", *GIVEN_NAME_COLUMNS, "Title", "DOB", "Town of Birth", "Country of Birth", "Nationality",
    "Passport Details", "NI Number", "Position", *STREET_COLUMNS, "Address 6", "Post/Zip Code", "Country",
    "Other Information", "Group Type", "Alias Type", "Regime", "Listed On", "Last Updated", "Group ID",
)  # fmt: skip
COLUMNS_2022 = (
    "Name 6", *GIVEN_NAME_COLUMNS, "Title", "Name Non-Latin Script", "Non-Latin Script Type",
    "Non-Latin Script Language", "DOB", "Town of Birth", "Country of Birth", "Nationality", "Passport Number",
    "Passport Details", "National Identification Number", "National Identification Details", "Position",
    *STREET_COLUMNS, "Address 6", "Post/Zip Code", "Country", "Other Information", "Group Type", "Alias Type",
    "Alias Quality", "Regime", "Listed On", "UK Sanctions List Date Designated", "Last Updated", "Group ID",
)  # fmt: skip
_KNOWN_COLUMNS = frozenset(COLUMNS_2018) | frozenset(COLUMNS_2022)

_GROUP_KINDS = {"individual": "individual", "entity": "entity", "ship": "vessel"}
_PRIMARY_ALIAS_TYPES = frozenset({"prime alias", "primary name"})
_ALIAS_QUALITIES = {"good": "good", "low": "low"}

_UTF8_BOM = b"\xef\xbb\xbf"
_BANNER_BYTES = re.compile(rb'\A(?:\xef\xbb\xbf)?[ \t]*"?Last Updated:?"?[ \t]*,[ \t]*"?(?P<date>[^,"\r\n]*)')
_BANNER_LABEL = re.compile(r"last updated:?")
_DAY_FIRST = re.compile(r"(?P<day>[0-9]{2}|--)/(?P<month>[0-9]{2}|--)/(?P<year>[0-9]{4})")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKUP_START = re.compile(r"\A\s*<")

# "1) X 2) Y", "(1) X (b) Y", "a) X b)Y", "(1)-(2) X": a number or a letter closed by ")" after a
# space, "(" or "-".
_ENUMERATOR = re.compile(r"(?<![^\s(-])\(?(?P<mark>[0-9]{1,2}|[A-Za-z])\)")
_CONNECTORS = frozenset({"", "-", "–", "to", "and"})  # "(1) to (6) Algeria": items 1-6 share the value
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*\Z")

# --------------------------------------------------------------------------- UN references

# "UN Ref", "UN REF:", "UN Ref.", "Un Ref:", "UN. REF.", "UN Reference", "UN Ref No.", "(UN Ref):".
_UN_REF_MARKER = re.compile(r"\bUN\.?\s*Ref(?:erence)?\b\)?(?:\s*No\b)?[\s.:]*", re.I)
# The old Al-Qaida and Taliban form: list letter, name initial, number, year of listing.
# QI.A.146.14 -> QDi.146, QE.A.146.14 -> QDe.146, TI.Q.130.01 -> TAi.130, TE.H.10.12 -> TAe.010
# (each rule checked against the UN list: QDe.146 is Ansar al Charia Benghazi, TAe.010 has the alias
# Haji Alim Hawala, and OFSI's own 2022 form gives TAi.130 for group 7405, TI.Q.130.01 in 2018).
_OLD_UN_REFERENCE = re.compile(r"(?P<list>Q\.?[IE]|T\.?[IE])\.[A-Z]\.(?P<number>[0-9]{1,4})\.[0-9]{2}(?![0-9])")
_OLD_UN_PREFIXES = {"QI": "QDi", "QE": "QDe", "TI": "TAi", "TE": "TAe"}
# The current form with the slips OFSI makes: "KPI.067", "KPE.054", "QD1.410", "KPI. 076",
# "KPe 070", "KPe.23". "DPe.012" is KPe.012 (the Korean Committee for Space Technology).
_UN_REFERENCE = re.compile(r"(?P<prefix>[A-Z]{2})\s*(?P<letter>[ieIE1])\s*\.?\s*(?P<number>[0-9]{1,4})(?![0-9])")
_UN_PREFIX_SLIPS = {"DP": "KP"}
# DPRK records only: "UN Ref.062" is KPe.062 (Korea Ansan Shipping), "UN Ref.067" KPe.067 (Koti Corp).
_BARE_UN_NUMBER = re.compile(r"(?P<number>[0-9]{1,3})(?![0-9]|\.[0-9])")
_DPRK_REGIME = re.compile(r"North Korea|Democratic People's Republic of Korea|\bDPRK\b", re.I)
# A reference standing as a sentence of its own, without the "UN Ref" label: "UN listing. KPi.023. Has".
# A reference in brackets names another designee: "the Haqqani Network (TAe.012)".
_STANDALONE_UN_REFERENCE = re.compile(r"(?:\A|(?<=[.;]))\s*(?P<reference>[A-Z]{2}[ie]\.[0-9]{3})\s*(?:[.;]|\Z)")

# --------------------------------------------------------------------------- Other Information

_UK_REFERENCE = re.compile(r"\(UK Sanctions List Ref\)\s*:\s*(?P<reference>[A-Z]{2,4}[0-9]{3,5})")
_GENDER = re.compile(r"\(?\bGender\)?\s*:\s*(?P<gender>male|female)\b", re.I)
# "(IMO number):7408873" (2022), "IMO: 8937675.", "(IMO number: 7303803)", "IMO Number: 5342883",
# "Company Number IMO 5434358". Not "vessels with IMO Number: ((a) Chol Ryong ... 8606173": a list
# of the ships an entity runs, whose numbers are not its own.
_IMO = re.compile(
    r"(?P<company>Company Number\s+)?(?<![A-Za-z])IMO(?:\s+(?:number|no\.?))?\)?\s*:?\s*(?P<number>[0-9]{7})(?![0-9])",
    re.I,
)
_MMSI = re.compile(r"\bMMSI\)?\s*:?\s*(?P<number>[0-9]{9})(?![0-9])")
# 2022 labelled spans: "(Label):value" up to the next label.
_LABEL = re.compile(r"\((?P<label>[A-Za-z][A-Za-z /&'-]*(?:\([A-Za-z ]+\))?[A-Za-z /&'-]*)\)\s*:")

# --------------------------------------------------------------------------- documents

# The number inside a document's free text: letters and digits with at least one digit, perhaps
# after a one-to-three-letter series ("L 191609", "BN 4196361", "E-189935", "1990/345751",
# "SSYBLK62T26Z336L").
_DOCUMENT_NUMBER = re.compile(r"(?<![\w.-])(?:[A-Z]{1,3}[ -])?(?=[A-Z0-9/-]*[0-9])[A-Z0-9][A-Z0-9/-]*(?<![/-])(?![\w])")
_DOCUMENT_WORDS = re.compile(
    r"\b(?:passport|passports|number|numbers|no|nos|national|identification|identity|id|card|ni)\b[\s.:]*", re.I
)
_DOCUMENT_DATE = r"(?P<date>[0-9]{1,2}(?:\s+[A-Za-z]+\.?\s+|[./][0-9]{1,2}[./])[0-9]{4})"
_ISSUED = re.compile(rf"\bissued(?:\s+in\s+[^,;()0-9]+?)?(?:\s+on)?\s*:?\s*{_DOCUMENT_DATE}", re.I)
_EXPIRES = re.compile(rf"\b(?:expires|expired|expiry|date of expiration)(?:\s+on)?\s*:?\s*{_DOCUMENT_DATE}", re.I)

# Demonyms and spellings of the UK list that country_code_from_name does not know (every
# nationality, birth country and address country of the 2018 copy was checked). Deliberately
# absent, because they name more than one country: Congolese (CD or CG), Korean, Dominican.
_UK_COUNTRY_NAMES: Mapping[str, str] = {
    "afghan": "AF", "afgan": "AF", "afganistan": "AF", "algerian": "DZ", "american": "US",
    "australian": "AU", "british": "GB", "british virgin islands": "VG", "burundian": "BI",
    "canadian": "CA", "chinese": "CN", "drc": "CD", "egyptian": "EG", "filipino": "PH", "french": "FR",
    "georgian": "GE", "german": "DE", "indian": "IN", "indonesian": "ID", "iranian": "IR", "iraqi": "IQ",
    "jordanian": "JO", "kuwaiti": "KW", "libyan": "LY", "malaysian": "MY", "malian": "ML",
    "mauritanian": "MR", "moroccan": "MA", "nigerian": "NG", "north korean": "KP", "norwegian": "NO",
    "pakistani": "PK", "palestinian": "PS", "palestinian territories": "PS", "qatari": "QA",
    "qatarian": "QA", "russian": "RU", "rwandan": "RW", "saudi arabian": "SA", "senegalese": "SN",
    "somali": "SO", "sudanese": "SD", "sultanate of oman": "OM", "swedish": "SE", "syrian": "SY",
    "the netherlands": "NL", "trinadad and tobago": "TT", "tunisian": "TN", "turkish": "TR",
    "ugandan": "UG", "union of the comoros": "KM", "uzbek": "UZ", "yemeni": "YE",
}  # fmt: skip


# --------------------------------------------------------------------------- public API


def parse_uk_ofsi_csv(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedList:
    """Parse OFSI's consolidated list CSV (2018 or 2022 form), or raise ListParseError saying what is
    wrong and where. One record per Group ID, in the order the groups first appear."""
    content = _as_bytes(content)
    if len(content) > max_bytes:
        raise ListParseError(f"document is {len(content):,} bytes, over the limit of {max_bytes:,} bytes")
    table = _read_table(_decode(content))
    counts: Counter[str] = Counter()
    for column in table.columns:
        if column and column not in _KNOWN_COLUMNS:
            counts[f"column:{column}"] = sum(1 for row in table.rows if row[column].strip())
    groups: dict[str, list[Mapping[str, str]]] = {}
    for row in table.rows:
        groups.setdefault(row["Group ID"].strip(), []).append(row)
    # Files that know no Ship group type publish ships as entities (the 2018 copy does).
    ships_published = any(_clean(row["Group Type"]).lower() == "ship" for row in table.rows)
    records = tuple(_build_record(group_id, rows, ships_published, counts) for group_id, rows in groups.items())
    return ParsedList(
        generated_at=table.generated_at,
        content_sha256=content_sha256(content),
        records=records,
        unknown_element_counts=dict(sorted(counts.items())),
    )


def content_sha256(content: bytes) -> str:
    """sha256 of the bytes with the date of the ``Last Updated`` line left out: OFSI republishes an
    unchanged list with a new date, which must hash the same."""
    content = _as_bytes(content)
    banner = _BANNER_BYTES.match(content)
    if banner is None:
        return hashlib.sha256(content).hexdigest()
    digest = hashlib.sha256(content[: banner.start("date")])
    digest.update(content[banner.end("date"):])
    return digest.hexdigest()


def read_generated_at(content: bytes) -> dt.datetime | None:
    """The date of the ``Last Updated`` line as midnight UTC, read without parsing the file; None when
    the line is absent or its date unreadable."""
    banner = _BANNER_BYTES.match(_as_bytes(content))
    return _publication_time(banner["date"].decode("ascii", "replace")) if banner else None


def cited_un_reference(other_information: str, *, kind: str, dprk: bool) -> tuple[str, str]:
    """(reference, problem) for the UN reference an ``Other Information`` text cites, in the UN's
    current form ("KPi.067", "QDe.146"), or ('', why not) / ('', '') when it cites none.

    ``kind`` is the record's kind: a reference of the other kind (an individual citing "QDe.004",
    Al-Qaida itself) is not the record's own and is refused. ``dprk`` allows the bare "UN Ref.077"
    that only DPRK records use."""
    found, unreadable = "", False
    for marker in _UN_REF_MARKER.finditer(other_information):
        found = _reference_after(other_information, marker.end(), kind, dprk)
        if found:
            break
        unreadable = True
    if not found and (standalone := _STANDALONE_UN_REFERENCE.search(other_information)):
        found = _known_un_reference(standalone["reference"])
    if not found:
        return "", "unreadable" if unreadable else ""
    if (found[2] == "i") != (kind == "individual"):
        return "", "other_kind"
    return found, ""


# --------------------------------------------------------------------------- reading the file


@dataclass(frozen=True)
class _Table:
    generated_at: dt.datetime | None
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]  # {column: cell as published}


def _as_bytes(data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"expected bytes, got {type(data).__name__}")


def _decode(content: bytes) -> str:
    if not content.strip():
        raise ListParseError("empty document")
    if (nul := content.find(b"\x00")) >= 0:
        raise ListParseError(f"NUL byte at offset {nul:,}: binary data or UTF-16, not an OFSI CSV text file")
    if content.startswith(_UTF8_BOM):
        content = content[len(_UTF8_BOM):]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ListParseError(
                f"neither UTF-8 nor Windows-1252 text: byte 0x{content[exc.start]:02x} at offset {exc.start:,}"
            ) from None
    if control := _CONTROL.search(text):
        line = text.count("\n", 0, control.start()) + 1
        raise ListParseError(f"line {line}: control character U+{ord(control.group()):04X}: a corrupt file")
    if _MARKUP_START.match(text):
        raise ListParseError(
            f"looks like an HTML or XML document, not the OFSI CSV (starts with {text.lstrip()[:40]!r})"
        )
    return text


def _read_table(text: str) -> _Table:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    generated_at: dt.datetime | None = None
    columns: tuple[str, ...] | None = None
    rows: list[dict[str, str]] = []
    first_line = True
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, or one of empty cells
            line = reader.line_num
            if first_line:
                first_line = False
                if _BANNER_LABEL.fullmatch(cells[0].strip().lower()):
                    generated_at = _publication_time(cells[1] if len(cells) > 1 else "")
                    continue
            if columns is None:
                columns = _header(cells, line)
            else:
                rows.append(_row(cells, columns, line))
    except csv.Error as exc:
        raise ListParseError(f"line {reader.line_num}: malformed CSV ({exc}): a truncated or corrupt file?") from None
    if columns is None:
        raise ListParseError("no header line: not the OFSI consolidated list CSV")
    if not rows:
        raise ListParseError("no records: the file holds only its header")
    return _Table(generated_at, columns, tuple(rows))


def _header(cells: list[str], line: int) -> tuple[str, ...]:
    columns = tuple(cell.strip() for cell in cells)
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise ListParseError(
            f"line {line}: the header lacks {', '.join(missing)} (starts {', '.join(columns[:4])}): "
            "not the OFSI consolidated list CSV"
        )
    named = [column for column in columns if column]
    if repeated := sorted({column for column in named if named.count(column) > 1}):
        raise ListParseError(f"line {line}: the header repeats {', '.join(repeated)}")
    return columns


def _row(cells: list[str], columns: tuple[str, ...], line: int) -> dict[str, str]:
    if len(cells) > len(columns) and not any(cell.strip() for cell in cells[len(columns):]):
        cells = cells[: len(columns)]  # trailing empty cells, as spreadsheets write them
    if len(cells) != len(columns):
        raise ListParseError(
            f"line {line}: {len(cells)} columns, expected {len(columns)}: a truncated or corrupt file?"
        )
    row = {column: cell for column, cell in zip(columns, cells) if column}
    group_id = row["Group ID"].strip()
    if not group_id:
        raise ListParseError(f"line {line}: no Group ID")
    if len(group_id) > 64:
        raise ListParseError(f"line {line}: Group ID {group_id[:20]!r}... is over 64 characters")
    return row


def _publication_time(text: str) -> dt.datetime | None:
    day = _date(text)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc) if day else None


# --------------------------------------------------------------------------- one designee


def _build_record(
    group_id: str, rows: Sequence[Mapping[str, str]], ships_published: bool, counts: Counter[str]
) -> ParsedRecord:
    first = rows[0]
    group_type = _clean(first["Group Type"])
    unknown: list[str] = []
    kind = _GROUP_KINDS.get(group_type.lower())
    if kind is None:
        kind = "entity"
        unknown.append(f"Group Type:{group_type}")
    if len({_clean(row["Group Type"]).lower() for row in rows}) > 1:
        counts["warning:group_type_varies_within_group"] += 1
    texts = (row.get("Other Information", "").strip() for row in rows)
    other_information = "\n".join(_distinct(text for text in texts if text))  # as published, only trimmed
    labelled = _labelled_spans(other_information)
    imo_numbers = list(_imo_numbers(other_information))
    if kind == "entity" and not ships_published and _is_ship_number(imo_numbers):
        kind = "vessel"

    names, primary_row = _names(rows, unknown, counts)
    regimes = _cells(rows, "Regime")
    reference, problem = cited_un_reference(
        other_information, kind=kind, dprk=any(_DPRK_REGIME.search(regime) for regime in regimes)
    )
    if problem:
        counts[f"warning:un_reference_{problem}"] += 1
    uk_reference = _UK_REFERENCE.search(other_information)
    listed = _days(rows, "Listed On")
    gender = _GENDER.search(other_information)
    vessel = _vessel(imo_numbers, labelled, other_information) if kind == "vessel" else None
    for label in unknown:
        counts[f"unknown:{label}"] += 1

    return ParsedRecord(
        external_id=group_id,
        kind=kind,
        reference_number=uk_reference["reference"] if uk_reference else f"UK-{group_id}",
        regime=regimes[0] if regimes else "",
        list_types=tuple(regimes),
        listed_on=min(listed) if listed else None,
        last_updated=tuple(_days(rows, "Last Updated")),
        comments=other_information,
        primary_name=names[0].name,
        name_parts=_name_parts(primary_row),
        gender=gender["gender"].capitalize() if gender else "",
        titles=tuple(_cell_items(rows, "Title")),
        designations=tuple(_cell_items(rows, "Position")),
        names=names,
        identifiers=tuple(_distinct([*_documents(rows), *_imo_identifiers(imo_numbers, kind), *_mmsi(vessel)])),
        birth_dates=tuple(_distinct(map(_birth_date, _cells(rows, "DOB")))),
        nationalities=tuple(
            ParsedNationality(value=value, country_code=_country_code(value))
            for value in _cell_items(rows, "Nationality")
        ),
        addresses=tuple(_distinct([*_addresses(rows), *_places_of_birth(rows)])),
        raw={"Group ID": group_id, "rows": [dict(row) for row in rows]},
        unknown_elements=tuple(unknown),
        vessel=vessel,
        programs=tuple(regimes),
        cited_un_reference=reference,
        links=(ParsedLink(relation="owner", name=vessel.owner),) if vessel and vessel.owner else (),
    )


def _reference_after(text: str, position: int, kind: str, dprk: bool) -> str:
    """The UN reference right after a "UN Ref" label, in the current form; '' when none can be read."""
    if old := _OLD_UN_REFERENCE.match(text, position):
        return f"{_OLD_UN_PREFIXES[old['list'].replace('.', '')]}.{int(old['number']):03d}"
    if current := _UN_REFERENCE.match(text, position):
        prefix = _UN_PREFIX_SLIPS.get(current["prefix"], current["prefix"])
        letter = "e" if current["letter"] in "eE" else "i"
        return _known_un_reference(f"{prefix}{letter}.{int(current['number']):03d}")
    if dprk and (bare := _BARE_UN_NUMBER.match(text, position)):
        return f"KP{'i' if kind == 'individual' else 'e'}.{int(bare['number']):03d}"
    return ""


def _known_un_reference(reference: str) -> str:
    """The reference when it is well formed and of a known committee; '' otherwise."""
    check = identifiers.check_un_reference(reference)
    return reference if check.valid and not check.warnings else ""


def _names(
    rows: Sequence[Mapping[str, str]], unknown: list[str], counts: Counter[str]
) -> tuple[tuple[ParsedName, ...], Mapping[str, str]]:
    """The names, the primary first, and the row of the primary name."""
    primary_rows = [row for row in rows if _alias_type(row) in _PRIMARY_ALIAS_TYPES]
    if not primary_rows:
        counts["warning:no_primary_name"] += 1
    primary_row = primary_rows[0] if primary_rows else rows[0]
    primary_name = _full_name(primary_row)
    names = [ParsedName(name=primary_name, kind="primary", script=detect_script(primary_name))]
    seen = {primary_name}
    for row in rows:
        for name in _row_names(row, unknown):
            if name.name and name.name not in seen:
                seen.add(name.name)
                names.append(name)
    return tuple(names), primary_row


def _row_names(row: Mapping[str, str], unknown: list[str]) -> Iterator[ParsedName]:
    name = _full_name(row)
    alias_type = _alias_type(row)
    graded = _ALIAS_QUALITIES.get(_clean(row.get("Alias Quality", "")).lower(), "")
    if alias_type in _PRIMARY_ALIAS_TYPES:
        yield ParsedName(name=name, kind="alias", script=detect_script(name), note="published as a primary name too")
    elif alias_type == "primary name variation":
        yield ParsedName(
            name=name, kind="alias", quality=graded, script=detect_script(name), note="primary name variation"
        )
    elif alias_type in ("aka", "fka"):
        quality = "fka" if alias_type == "fka" else graded or "aka"
        yield ParsedName(name=name, kind="alias", quality=quality, script=detect_script(name))
    else:
        label = _clean(row["Alias Type"])
        unknown.append(f"Alias Type:{label}")
        yield ParsedName(
            name=name, kind="alias", quality=graded, script=detect_script(name), note=f"alias type {label}"
        )
    original = _clean(row.get("Name Non-Latin Script", ""))
    if original:
        note = _join([_clean(row.get("Non-Latin Script Type", "")), _clean(row.get("Non-Latin Script Language", ""))])
        yield ParsedName(name=original, kind="original_script", script=detect_script(original), note=note)


def _alias_type(row: Mapping[str, str]) -> str:
    return _clean(row["Alias Type"]).lower().replace(".", "")


def _full_name(row: Mapping[str, str]) -> str:
    """Given names, then the surname: the order the UN list writes names in."""
    return " ".join(_name_parts(row))


def _name_parts(row: Mapping[str, str]) -> tuple[str, ...]:
    parts = (_clean(row.get(column, "")) for column in (*GIVEN_NAME_COLUMNS, "Name 6"))
    return tuple(part for part in parts if part)


def _birth_date(text: str) -> ParsedBirthDate:
    """'01/08/1979', '00/00/1980' (the year only), '00/08/1961' (the month is kept in the note)."""
    match = _DAY_FIRST.fullmatch(_clean(text))
    if match is None:
        return ParsedBirthDate("unknown", note=f"DOB {text}")
    day, month = (None if part in ("00", "--") else int(part) for part in match.group("day", "month"))
    year = int(match["year"])
    try:
        if day is None:
            partial = identifiers.PartialDate(year, month)
            return ParsedBirthDate("exact", year=partial.year, note=f"DOB {text}" if month else "")
        return ParsedBirthDate("exact", date=identifiers.PartialDate(year, month, day).earliest(), year=year)
    except ValueError:  # a day without a month, 31/02, a year out of range
        return ParsedBirthDate("unknown", note=f"DOB {text}")


# --------------------------------------------------------------------------- addresses


def _addresses(rows: Iterable[Mapping[str, str]]) -> Iterator[ParsedAddress]:
    for row in rows:
        country = _clean(row.get("Country", ""))
        fields = {
            "street": ", ".join(line for line in (_clean(row.get(column, "")) for column in STREET_COLUMNS) if line),
            "city": _clean(row.get("Address 6", "")),
            "zip_code": _clean(row.get("Post/Zip Code", "")),
            "country": country,
        }
        if any(fields.values()):
            yield ParsedAddress(kind="address", country_code=_country_code(country), **fields)


def _places_of_birth(rows: Iterable[Mapping[str, str]]) -> Iterator[ParsedAddress]:
    cells = _distinct((row.get("Town of Birth", ""), row.get("Country of Birth", "")) for row in rows)
    for town_cell, country_cell in cells:
        towns, countries = _items(town_cell), _items(country_cell)
        if len(countries) == 1:  # "(1) Bashali, Masisi (2) Goma" born in one country
            countries = countries * max(len(towns), 1)
        for town, country in zip_longest(towns, countries, fillvalue=""):
            if town or country:
                yield ParsedAddress(
                    kind="place_of_birth", city=town, country=country, country_code=_country_code(country)
                )


# --------------------------------------------------------------------------- identifiers


def _documents(rows: Iterable[Mapping[str, str]]) -> Iterator[ParsedIdentifier]:
    for row in rows:
        yield from _document_cells(row, "passport", "Passport Number", "Passport Details")
        yield from _document_cells(
            row, "national_id", "National Identification Number", "National Identification Details"
        )
        if "NI Number" in row:
            yield from _document_cells(row, "national_id", "", "NI Number")


def _document_cells(
    row: Mapping[str, str], kind: str, number_column: str, details_column: str
) -> Iterator[ParsedIdentifier]:
    """A document column pair of the 2022 form (number, details), or the 2018 form's one free-text
    column (``number_column`` not in the row): '(1) L 191609 (Tunisian). Issued on 28 Feb 1996 (2) ...'."""
    prefix, details = _enumeration(row.get(details_column, ""))
    if number_column not in row:
        for text in details:
            if (found := _DOCUMENT_NUMBER.search(text)) is not None:
                leading = _join([prefix, text[: found.start()]])
                yield _document(kind, found.group(), details_column, _join([prefix, text]), leading=leading)
        return
    numbers = _items(row[number_column])
    if len(details) != len(numbers):  # no telling which details go with which number
        details = [_join(details)] * len(numbers)
    for number, text in zip(numbers, details):
        yield _document(kind, number, number_column, text, leading="")


def _document(kind: str, number: str, label: str, text: str, leading: str) -> ParsedIdentifier:
    """One document: its number, and what the rest of its text says of its country and dates."""
    notes: list[str] = []
    country = ""
    for candidate in (*re.findall(r"\(([^()]*)\)", text), _DOCUMENT_WORDS.sub(" ", leading)):
        candidate = _clean(candidate).strip(" ,.;:")
        if _country_code(candidate):
            country = candidate
            break
    issued_on = _document_date(_ISSUED, text, notes, "issued")
    expires_on = _document_date(_EXPIRES, text, notes, "expires")
    if _clean(text) != number:
        notes.insert(0, _clean(text))
    return ParsedIdentifier(
        type=kind,
        value=number,
        normalized=_normalized(number),
        valid=None,  # no check rule for passports or national ids
        type_label=label,
        country=country,
        country_code=_country_code(country),
        issued_on=issued_on,
        expires_on=expires_on,
        note=_join(dict.fromkeys(notes)),
    )


def _document_date(pattern: re.Pattern[str], text: str, notes: list[str], label: str) -> dt.date | None:
    match = pattern.search(text)
    if match is None:
        return None
    day = _date(re.sub(r"(?<=[0-9])\.(?=[0-9])", "/", match["date"]))  # "27.5.2002" is day first too
    if day is None:
        notes.append(f"{label} {match['date']}")
    return day


def _imo_numbers(text: str) -> Iterator[tuple[str, bool]]:
    """(7 digits, labelled as a company number) for each IMO number the text gives as its own."""
    for match in _IMO.finditer(text):
        yield match["number"], bool(match["company"])


def _is_ship_number(imo_numbers: list[tuple[str, bool]]) -> bool:
    return bool(imo_numbers) and not imo_numbers[0][1] and identifiers.check_imo(imo_numbers[0][0]).valid


def _imo_identifiers(imo_numbers: Iterable[tuple[str, bool]], kind: str) -> Iterator[ParsedIdentifier]:
    if kind == "individual":
        return
    for number, _company in dict.fromkeys(imo_numbers):
        # A ship's own number on a vessel; on an entity the IMO company (registered owner) number.
        is_ship = kind == "vessel"
        result = identifiers.check_imo(number) if is_ship else identifiers.check_imo_company(number)
        yield ParsedIdentifier(
            type="imo" if is_ship else "imo_company",
            value=number,
            normalized=result.normalized,
            valid=result.valid,
            type_label="IMO number (from Other Information)",
            note=result.error,
        )


def _mmsi(vessel: ParsedVessel | None) -> Iterator[ParsedIdentifier]:
    if vessel is None or not vessel.mmsi:
        return
    result = identifiers.check_mmsi(vessel.mmsi, flag=vessel.flag_code or None)
    yield ParsedIdentifier(
        type="mmsi",
        value=vessel.mmsi,
        normalized=result.normalized or vessel.mmsi,
        valid=result.valid,
        type_label="MMSI (from Other Information)",
        note=_join([result.error, *result.warnings]),
    )


def _vessel(imo_numbers: list[tuple[str, bool]], labelled: Mapping[str, str], text: str) -> ParsedVessel:
    ship_numbers = [number for number, company in imo_numbers if not company]
    imo = identifiers.check_imo(ship_numbers[0]) if ship_numbers else None
    flag = _labelled(labelled, "flag")
    mmsi = _MMSI.search(text)
    return ParsedVessel(
        imo=imo.normalized if imo else "",
        imo_valid=imo.valid if imo else None,
        mmsi=mmsi["number"] if mmsi else "",
        flag=flag,
        flag_code=_country_code(flag),
        vessel_type=_labelled(labelled, "type of ship"),
        tonnage=_int(_labelled(labelled, "tonnage")),
        owner=_labelled(labelled, "current owner"),
    )


def _labelled_spans(text: str) -> dict[str, str]:
    """The 2022 form's "(Label):value" spans of Other Information, by lower-case label."""
    spans: dict[str, str] = {}
    labels = list(_LABEL.finditer(text))
    for label, following in zip(labels, [*labels[1:], None]):
        value = text[label.end(): following.start() if following else len(text)]
        spans.setdefault(_clean(label["label"]).lower(), _clean(value).rstrip(" .;"))
    return spans


def _labelled(spans: Mapping[str, str], keyword: str) -> str:
    """The first span whose label contains ``keyword`` ("flag" finds "Flag of ship", not "Previous flags")."""
    return next(
        (value for label, value in spans.items() if keyword in label and not label.startswith(("previous", "former"))),
        "",
    )


# --------------------------------------------------------------------------- small helpers


def _items(text: str) -> list[str]:
    """The values of a cell: '1) Saudi Arabia 2) Qatar' -> ['Saudi Arabia', 'Qatar'];
    '(1) to (3) Algeria (4) Morocco' -> ['Algeria'] * 3 + ['Morocco']; 'Afghan' -> ['Afghan']."""
    return _enumeration(text)[1]


def _enumeration(text: str) -> tuple[str, list[str]]:
    """(the text before the first mark, the values): 'Jordanian passport numbers (1) K048787 (2) 486298'
    -> ('Jordanian passport numbers', ['K048787', '486298']).

    Marks must count up from 1 (digits and letters mixed: '(1) Germany (b) Algeria'); a cell whose
    marks do not is one value. A value of '-' stands for an unknown item and is dropped."""
    text = _clean(text)
    marks = list(_ENUMERATOR.finditer(text))
    ordinals = [int(mark["mark"]) if mark["mark"].isdigit() else ord(mark["mark"].lower()) - 96 for mark in marks]
    if not marks or ordinals[0] != 1 or any(later <= earlier for earlier, later in zip(ordinals, ordinals[1:])):
        value = text.strip(" ,;")
        return "", [value] if value.lower() not in _CONNECTORS else []
    items: list[str] = []
    for mark, following, ordinal in zip(marks, [*marks[1:], None], ordinals):
        value = text[mark.end(): following.start() if following else len(text)].strip(" ,;")
        if value.lower() in _CONNECTORS:
            continue  # shares the next value
        items.extend([value.rstrip(".").strip()] * (ordinal - len(items)))
    return text[: marks[0].start()].strip(" ,;:"), items


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _join(notes: Iterable[str]) -> str:
    return "; ".join(note for note in notes if note)


def _distinct(values: Iterable) -> list:
    return list(dict.fromkeys(values))


def _cells(rows: Iterable[Mapping[str, str]], column: str) -> list[str]:
    """The distinct non-empty values of a column over the rows of a group, cleaned, in published order."""
    return _distinct(value for value in (_clean(row.get(column, "")) for row in rows) if value)


def _cell_items(rows: Iterable[Mapping[str, str]], column: str) -> list[str]:
    return _distinct(item for cell in _cells(rows, column) for item in _items(cell))


def _days(rows: Iterable[Mapping[str, str]], column: str) -> list[dt.date]:
    return _distinct(day for day in map(_date, _cells(rows, column)) if day)


def _normalized(value: str) -> str:
    return "".join(char for char in value.upper() if char.isalnum())


def _int(text: str) -> int | None:
    digits = re.sub(r"[,\s.]", "", text)
    return int(digits) if digits.isdigit() else None


@lru_cache(maxsize=4096)
def _date(text: str) -> dt.date | None:
    """A full day-first date ('13/04/2018', '3 May 2007'); None for anything less or unreadable."""
    try:
        partial = identifiers.parse_partial_date(_clean(text))
    except ValueError:
        return None
    return partial.earliest() if partial.precision == "day" else None


@lru_cache(maxsize=4096)
def _country_code(name: str) -> str:
    """Alpha-2 for a country or demonym, notes in brackets left out ('Afghanistan (since 2009)')."""
    name = _clean(name).strip(" .,;")
    while name:
        code = identifiers.country_code_from_name(name) or _UK_COUNTRY_NAMES.get(name.lower(), "")
        if code or not _TRAILING_NOTE.search(name):
            return code
        name = _TRAILING_NOTE.sub("", name).strip(" .,;")
    return ""
