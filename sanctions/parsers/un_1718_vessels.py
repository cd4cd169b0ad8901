"""Parser for the UN 1718 Committee's Designated Vessels List, in its CSV transcription.

Pure: bytes in, frozen dataclasses out (see ``sanctions.parsers.types``). No ORM, no network,
no Django settings.

The Committee publishes the list as a table (a PDF linked from
https://main.un.org/securitycouncil/en/sanctions/1718/materials/1718-Designated-Vessels-List), not
as data; no raw copy of it is stored anywhere we could read. What is read here is the table as it is
commonly transcribed into a spreadsheet and exported as CSV: OpenSanctions' crawler
(``datasets/_global/un_1718_vessels``) reads a Google-Sheets export with exactly these columns, and
``shared/docs/domain.md`` section 4.2 describes them. The format:

* UTF-8 (a BOM is allowed), comma separated, double quotes around cells that need them, one header
  row first. A spreadsheet export is rectangular: every row has as many cells as the header.
* The columns, in the canonical spellings of ``COLUMNS`` (OpenSanctions' spellings), and what is
  done with each:

  ``#``                   the table's row number; the key only of a vessel without an IMO number
  ``vessel_name``         the name; ``1: A 2: B`` lists several (the first is the primary name)
  ``imo_number``          the ship's IMO number (the list's key)
  ``mmsi``                MMSI, possibly numbered ``1: ... 2: ...``
  ``flag``                flag state, as a country name
  ``call_sign``           call sign, possibly numbered
  ``type``                vessel type
  ``other_information``   free text; "Former name: X" / "formerly known as X" gives an f.k.a. alias
  ``image_url``           the table's picture link (optional; kept in ``raw`` only)
  ``date_of_designation`` one date, or several as ``1: 03-Oct-17 2: 30-Mar-18``
  then one column per measure (``MEASURE_COLUMNS``), each holding the date(s) the measure was
  granted, or ``X`` / ``Yes`` for "from the date of designation", or nothing / ``NA``:

  ``Paragraph 8 (d) of resolution 1718 (2006) and paragraph 12 of resolution 2270 (2016)``  asset freeze
  ``Paragraph 12 (a) of resolution 2321 (2016)``                                              de-flagging
  ``Paragraph 12 (d) of resolution 2321 (2016)``                                              asset freeze
  ``Paragraph 6 of resolution 2371 (2017) and paragraph 6 of resolution 2375 (2017)``       port-entry ban
  ``Economic resources controlled or operated by Ocean Maritime Management (KPe.020)``      asset freeze
                                                                              (as economic resources of OMM)
  ``designated_owner``    "designated as economic resources of": the entity, optionally with its UN
                          reference, e.g. ``Ocean Maritime Management Company, Limited (KPe.020)``

* Headers are matched ignoring case, spacing, punctuation, the word "resolution" and years in
  parentheses, so ``Vessel Name``, ``IMO number`` and the short forms
  ``paragraph 8(d) of 1718 and paragraph 12 of 2270`` are the same columns; ``picture link`` and
  ``designated as economic resources of`` are accepted for the two columns OpenSanctions renamed.
  Every column but ``image_url`` is required, so a transcription that lost one is refused instead of
  silently losing its measures or links. Columns the list does not have are kept in ``raw`` and
  counted under ``unknown_column:<header>``.
* Dates are day-first with a month name and a two-digit year (``03-Oct-17``, as OpenSanctions
  reads them with ``%d-%b-%y``); ISO dates, ``3 October 2017`` and ``03/10/2017`` are read too.

Each row is one record of kind 'vessel'. ``external_id`` is the IMO number's 7 digits (the row number
changes whenever the Committee inserts rows); a row without a 7-digit IMO number is keyed
``row-<#>``, which no IMO number can equal. Each measure, and each date of it, is a ParsedMeasure of
its own: the Committee grants a vessel's measures separately, on different days (a port-entry ban in
October 2017, an asset freeze in March 2018). ``listed_on`` is the earliest date of designation and
``last_updated`` holds the later ones. No column of the list grants redirection (resolution 2321
paragraph 12 (b)), so no measure read here is 'redirection'.

The table carries no publication date, so ``read_generated_at`` is always None, and
``content_sha256`` hashes the whole content (only a BOM and trailing whitespace left out).

The sample ``seeds/un_1718_vessels_sample.csv`` holds the vessels named in ``shared/docs/domain.md``
section 4.2 (the four port-entry bans of October 2017, dated 03-Oct-17 by deduction from the
transcription cell that section quotes; the four of 28 December 2017) and the OMM vessel CHOL RYONG,
IMO 8606173 (section 7.1), with names, IMO numbers, flags and types only from that document and the
OFAC ``sdn.csv`` and UN XML copies in ``shared/data``; cells no source fills are empty, and the row
numbers are the sample's own. The fact-by-fact provenance heads its tests,
``tests/sanctions/test_parsers_un_1718_vessels.py``.

Safety: input over ``max_bytes`` is refused before decoding; the csv module runs in strict mode with
its default field size limit.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from sanctions import identifiers
from sanctions.parsers.types import (
    ListParseError,
    ParsedIdentifier,
    ParsedLink,
    ParsedList,
    ParsedMeasure,
    ParsedName,
    ParsedRecord,
    ParsedVessel,
)
from sanctions.parsers.un_xml import detect_script

__all__ = [
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "LIST_TYPE",
    "ListParseError",
    "MEASURE_COLUMNS",
    "content_sha256",
    "parse_un_1718_vessels_csv",
    "read_generated_at",
]

DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # the list has a few hundred rows; a real export is tens of KB

REGIME = "DPRK"
LIST_TYPE = "1718 Designated Vessels List"
OMM_NAME = "Ocean Maritime Management"
OMM_REFERENCE = "KPe.020"


@dataclass(frozen=True)
class Column:
    key: str  # the name used in the code and in ``raw``
    header: str  # the canonical spelling
    other_spellings: tuple[str, ...] = ()
    required: bool = True
    measure: str = ""  # for a measure column: the ParsedMeasure.measure it grants
    note: str = ""  # for a measure column: what the measure's note says about it


MEASURE_COLUMNS = (
    Column(
        "asset_freeze_1718_2270",
        "Paragraph 8 (d) of resolution 1718 (2006) and paragraph 12 of resolution 2270 (2016)",
        measure="asset_freeze",
    ),
    Column("deflagging_2321", "Paragraph 12 (a) of resolution 2321 (2016)", measure="deflagging"),
    Column("asset_freeze_2321", "Paragraph 12 (d) of resolution 2321 (2016)", measure="asset_freeze"),
    Column(
        "port_entry_ban_2371_2375",
        "Paragraph 6 of resolution 2371 (2017) and paragraph 6 of resolution 2375 (2017)",
        measure="port_entry_ban",
    ),
    Column(
        "omm_economic_resources",
        f"Economic resources controlled or operated by {OMM_NAME} ({OMM_REFERENCE})",
        measure="asset_freeze",
        note=f"as economic resources of {OMM_NAME} ({OMM_REFERENCE})",
    ),
)

COLUMNS = (
    Column("row_number", "#"),
    Column("vessel_name", "vessel_name"),
    Column("imo_number", "imo_number"),
    Column("mmsi", "mmsi"),
    Column("flag", "flag"),
    Column("call_sign", "call_sign"),
    Column("type", "type"),
    Column("other_information", "other_information"),
    Column("image_url", "image_url", ("picture link", "picture"), required=False),
    Column("date_of_designation", "date_of_designation"),
    *MEASURE_COLUMNS,
    Column("designated_owner", "designated_owner", ("designated as economic resources of",)),
)

_UTF8_BOM = b"\xef\xbb\xbf"
_ROW_NUMBER = re.compile(r"(?P<number>[0-9]+)\.?")
_NOT_APPLIED = frozenset({"", "na", "n/a", "no", "none", "-", "\u2013", "\u2014"})
_APPLIED_MARKS = frozenset({"x", "yes", "y", "\u2713", "\u2714"})

# "Former name: X", "formerly known as X, Y", "f.k.a. X"; the names end at a sentence end, ";" or "(".
_FORMER_NAMES = re.compile(
    r"(?<![A-Za-z])(?:former\s+names?|formerly\s+(?:known\s+as|named|called)|previous\s+names?|"
    r"previously\s+(?:known\s+as|named|called)|f\.\s?k\.\s?a\.?|fka)(?![A-Za-z])\s*[:\-]?\s*"
    r"(?P<names>[^;()]+?)\s*(?=\.(?:\s|$)|[;()]|$)",
    re.IGNORECASE,
)
_NAME_SEPARATOR = re.compile(r"\s*(?:,|/|&|\band\b)\s*", re.IGNORECASE)
_QUOTES = "\"'\u2018\u2019\u201c\u201d"
_UN_REFERENCE_IN_PARENS = re.compile(
    r"\s*\(\s*(?:UN\s+Ref(?:erence)?(?:\s+No)?\.?\s*:?\s*)?(?P<reference>[A-Z]{2}[ie]\.[0-9]{3,})\s*\)", re.IGNORECASE
)
_DATE_TOKEN = re.compile(
    r"(?P<day>[0-9]{1,2})[-\s./](?P<month>[A-Za-z]{3,9})\.?[-\s./](?P<year>[0-9]{4}|[0-9]{2})(?![0-9])"
    r"|(?P<iso>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"|(?P<slashed>[0-9]{1,2}/[0-9]{1,2}/[0-9]{4})"
)
_HEADER_NOISE = re.compile(r"\(\s*[0-9]{4}\s*\)|\bresolutions?\b")


# --------------------------------------------------------------------------- public API


def parse_un_1718_vessels_csv(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedList:
    """Parse the CSV transcription of the Designated Vessels List, or raise ListParseError saying
    what is wrong and where."""
    data = _as_bytes(content)
    text = _decode(data, max_bytes)
    counts: Counter[str] = Counter()
    records: list[ParsedRecord] = []
    where_by_imo: dict[str, str] = {}
    where_by_row_number: dict[int, str] = {}
    rows = _read_rows(text)
    header = next(rows, None)
    if header is None:
        raise ListParseError("no header row: the file holds only empty rows")
    layout = _Layout.from_header(*header)
    for row_index, (line, cells) in enumerate(rows, start=1):
        where = f"row {row_index} (line {line})"
        if len(cells) != len(layout.headers):
            raise ListParseError(
                f"{where}: {len(cells)} cells, expected {len(layout.headers)} like the header"
                + (" (a truncated file?)" if len(cells) < len(layout.headers) else "")
            )
        row, extra = layout.read(cells)
        row_number_match = _ROW_NUMBER.fullmatch(row["row_number"])
        if row_number_match is None:
            raise ListParseError(f"{where}: '#' is {row['row_number']!r}, not a row number")
        row_number = int(row_number_match["number"])
        if row_number in where_by_row_number:
            raise ListParseError(f"{where}: '#' {row_number} is also on {where_by_row_number[row_number]}")
        where_by_row_number[row_number] = where
        record = _build_record(row, extra, row_number, where, counts)
        if record.vessel and record.vessel.imo:
            if record.vessel.imo in where_by_imo:
                raise ListParseError(f"{where}: IMO {record.vessel.imo} is also on {where_by_imo[record.vessel.imo]}")
            where_by_imo[record.vessel.imo] = where
        records.append(record)
    if not records:
        raise ListParseError("no vessel rows after the header: an empty or truncated list")
    return ParsedList(
        generated_at=None,  # the table carries no publication date
        content_sha256=content_sha256(data),
        records=tuple(records),
        unknown_element_counts=dict(sorted(counts.items())),
    )


def content_sha256(content: bytes) -> str:
    """sha256 of the content without a UTF-8 BOM and trailing whitespace (a re-save may add or drop
    them). The table has no volatile publication date to leave out."""
    data = _as_bytes(content)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    return hashlib.sha256(data.rstrip()).hexdigest()


def read_generated_at(content: bytes) -> dt.datetime | None:
    """Always None: the table (and so its transcription) carries no publication date."""
    _as_bytes(content)
    return None


# --------------------------------------------------------------------------- reading the file


def _as_bytes(data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"expected bytes, got {type(data).__name__}")


def _decode(data: bytes, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise ListParseError(f"file is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    if not data.strip():
        raise ListParseError("empty file")
    start = data.lstrip()[:8]
    if start.startswith(b"%PDF"):
        raise ListParseError("a PDF (the UN's own publication of the list), not its CSV transcription")
    if start.startswith(b"PK\x03\x04"):
        raise ListParseError("a ZIP archive (a spreadsheet workbook?), not a CSV file: export the sheet as CSV")
    if start.startswith((b"<", _UTF8_BOM + b"<")):
        raise ListParseError(f"an HTML or XML document, not a CSV file (starts with {data.lstrip()[:40]!r})")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ListParseError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02X} at line {line} (offset {exc.start:,})"
        ) from None
    if (nul := text.find("\0")) >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ListParseError(f"a NUL character at line {line}: a corrupt or binary file, not CSV text")
    return text


def _read_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each non-blank row, the header first; the line is where the row ends."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, cells
    except csv.Error as exc:
        raise ListParseError(f"line {reader.line_num}: malformed CSV ({exc})") from None


def _header_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[^0-9a-z#]+", "", _HEADER_NOISE.sub(" ", folded))


_COLUMN_BY_KEY: Mapping[str, Column] = {
    _header_key(spelling): column for column in COLUMNS for spelling in (column.header, *column.other_spellings)
}


@dataclass(frozen=True)
class _Layout:
    """Which cell of a row holds which column."""

    headers: tuple[str, ...]
    columns: tuple[Column | None, ...]  # None: a column the list does not have

    @classmethod
    def from_header(cls, line: int, cells: list[str]) -> _Layout:
        headers = tuple(cell.strip() for cell in cells)
        columns: list[Column | None] = []
        seen: dict[str, str] = {}
        for header in headers:
            column = _COLUMN_BY_KEY.get(_header_key(header)) if header else None
            if column is not None:
                if column.key in seen:
                    raise ListParseError(
                        f"header (line {line}): {seen[column.key]!r} and {header!r} are the same column "
                        f"{column.header!r}"
                    )
                seen[column.key] = header
            columns.append(column)
        missing = [column.header for column in COLUMNS if column.required and column.key not in seen]
        if missing:
            raise ListParseError(
                f"not the 1718 Designated Vessels List CSV: the header (line {line}) lacks the required "
                f"column{'s' if len(missing) > 1 else ''} " + ", ".join(repr(header) for header in missing)
            )
        return cls(headers, tuple(columns))

    def read(self, cells: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """({column key: cell} for the columns the file has, {unknown column header: cell}), cells
        stripped; unnamed columns dropped while empty, and kept as 'column <n>' otherwise."""
        row: dict[str, str] = {}
        extra: dict[str, str] = {}
        for position, (header, column, cell) in enumerate(zip(self.headers, self.columns, cells), start=1):
            value = cell.strip()
            if column is not None:
                row[column.key] = value
            elif header or value:
                extra[header or f"column {position}"] = value
        return row, extra


# --------------------------------------------------------------------------- one record


def _build_record(
    row: Mapping[str, str], extra: Mapping[str, str], row_number: int, where: str, counts: Counter[str]
) -> ParsedRecord:
    vessel_names = _numbered_items(row["vessel_name"])
    imo_text = _clean(row["imo_number"])
    if not vessel_names and not imo_text:
        raise ListParseError(f"{where}: neither a vessel name nor an IMO number")

    flag = _clean(row["flag"])
    flags = _numbered_items(flag)
    flag_code = _country_code(flags[0]) if len(flags) == 1 else ""
    found: list[ParsedIdentifier] = []
    imo = ""
    imo_valid: bool | None = None
    if imo_text:
        result = identifiers.check_imo(imo_text)
        imo, imo_valid = result.normalized, (result.valid if result.normalized else None)
        if not result.valid:
            counts["warning:imo_invalid"] += 1
        found.append(
            ParsedIdentifier(
                type="imo", value=imo_text, normalized=result.normalized or _normalized(imo_text),
                valid=result.valid, type_label="IMO number", note=result.error,
            )
        )
    mmsi_found = [_mmsi(value, flag_code) for value in _numbered_items(row["mmsi"])]
    found.extend(mmsi_found)
    call_signs = _numbered_items(row["call_sign"])
    found.extend(_call_sign(value, flag_code) for value in call_signs)

    designation_dates, unread = _read_dates(row["date_of_designation"])
    if unread:
        counts["warning:date_of_designation_not_read"] += 1
    distinct_dates = sorted(set(designation_dates))
    measures = [
        measure
        for column in MEASURE_COLUMNS
        for measure in _measures(column, row[column.key], distinct_dates, counts)
    ]
    unknown = tuple(f"column:{header}" for header, value in extra.items() if value)
    counts.update(f"unknown_{name}" for name in unknown)

    primary_name = vessel_names[0] if vessel_names else ""
    comments = row["other_information"].strip()
    raw: dict[str, object] = {column.header: row[column.key] for column in COLUMNS if column.key in row}
    raw.update(extra)
    return ParsedRecord(
        external_id=imo or f"row-{row_number}",
        kind="vessel",
        reference_number=f"1718-IMO {imo}" if imo else f"1718-#{row_number}",
        regime=REGIME,
        list_types=(LIST_TYPE,),
        listed_on=distinct_dates[0] if distinct_dates else None,
        last_updated=tuple(distinct_dates[1:]),
        comments=comments,
        primary_name=primary_name,
        name_parts=(primary_name,) if primary_name else (),
        gender="",
        titles=(),
        designations=(),
        names=tuple(_names(vessel_names, _former_names(comments))),
        identifiers=tuple(dict.fromkeys(found)),
        birth_dates=(),
        nationalities=(),
        addresses=(),
        raw=raw,
        unknown_elements=unknown,
        vessel=ParsedVessel(
            imo=imo,
            imo_valid=imo_valid,
            mmsi=next((identifier.normalized for identifier in mmsi_found if identifier.valid), ""),
            call_sign=call_signs[0] if call_signs else "",
            flag=flag,
            flag_code=flag_code,
            vessel_type=_clean(row["type"]),
        ),
        programs=(REGIME,),
        links=tuple(dict.fromkeys(_links(row))),
        measures=tuple(dict.fromkeys(measures)),
    )


def _names(vessel_names: list[str], former_names: Iterable[str]) -> Iterator[ParsedName]:
    seen: set[str] = set()

    def first_time(name: str) -> bool:
        key = name.casefold()
        if key in seen:
            return False
        seen.add(key)
        return True

    for position, name in enumerate(vessel_names):
        if not first_time(name):
            continue
        if position == 0:
            yield ParsedName(name=name, kind="primary", script=detect_script(name))
        else:
            yield ParsedName(
                name=name, kind="alias", quality="aka", script=detect_script(name), note="also in the vessel name cell"
            )
    for name in former_names:
        if first_time(name):
            yield ParsedName(
                name=name, kind="alias", quality="fka", script=detect_script(name),
                note="former name, from other information",
            )


def _former_names(text: str) -> Iterator[str]:
    for match in _FORMER_NAMES.finditer(text):
        for name in _NAME_SEPARATOR.split(match["names"]):
            name = _clean(name).strip(_QUOTES + " ")
            if name:
                yield name


def _links(row: Mapping[str, str]) -> Iterator[ParsedLink]:
    references: set[str] = set()
    for item in _numbered_items(row["designated_owner"]):
        reference = ""
        name = item
        if match := _UN_REFERENCE_IN_PARENS.search(item):
            candidate = match["reference"]
            if identifiers.check_un_reference(candidate).valid:
                reference = candidate
                name = _clean(item[: match.start()] + item[match.end():])
        references.add(reference)
        yield ParsedLink(relation="economic_resource_of", name=name, reference=reference)
    omm_column = MEASURE_COLUMNS[-1]
    if OMM_REFERENCE not in references and _clean(row[omm_column.key]).casefold() not in _NOT_APPLIED:
        # The column names the owner itself: its vessels are OMM's economic resources.
        yield ParsedLink(
            relation="economic_resource_of", name=OMM_NAME, reference=OMM_REFERENCE,
            note=f"from the column {omm_column.header!r}",
        )


def _measures(
    column: Column, cell: str, designation_dates: list[dt.date], counts: Counter[str]
) -> list[ParsedMeasure]:
    text = _clean(cell)
    if text.casefold() in _NOT_APPLIED:
        return []

    def measure(day: dt.date | None, *notes: str) -> ParsedMeasure:
        note = _join([column.note, *notes])
        return ParsedMeasure(measure=column.measure, basis=column.header, designated_on=day, note=note)

    if text.casefold() in _APPLIED_MARKS:
        if len(designation_dates) == 1:
            return [measure(designation_dates[0], f"marked {text!r}: from the date of designation")]
        counts["warning:measure_date_unknown"] += 1
        if designation_dates:
            shown = ", ".join(day.isoformat() for day in designation_dates)
            return [measure(None, f"marked {text!r}; the row has several dates of designation ({shown})")]
        return [measure(None, f"marked {text!r}; the row has no date of designation")]
    dates, unread = _read_dates(text)
    if not dates:
        counts["warning:measure_date_not_read"] += 1
        return [measure(None, f"cell not read as a date: {text!r}")]
    leftover = f"also in the cell: {'; '.join(unread)!r}" if unread else ""
    if unread:
        counts["warning:measure_date_not_read"] += 1
    return [measure(day, leftover) for day in dates]


def _mmsi(value: str, flag_code: str) -> ParsedIdentifier:
    result = identifiers.check_mmsi(value, flag=flag_code or None)
    return ParsedIdentifier(
        type="mmsi", value=value, normalized=result.normalized or _normalized(value), valid=result.valid,
        type_label="MMSI", note=_join([result.error, *result.warnings]),
    )


def _call_sign(value: str, flag_code: str) -> ParsedIdentifier:
    result = identifiers.check_call_sign(value, flag=flag_code or None)
    return ParsedIdentifier(
        type="call_sign", value=value, normalized=result.normalized or _normalized(value), valid=result.valid,
        type_label="call sign", note=_join([result.error, *result.warnings]),
    )


# --------------------------------------------------------------------------- cells


def _numbered_items(text: str) -> list[str]:
    """'1: A 2: B' -> ['A', 'B'] (labels must run 1, 2, 3...); any other text is one item."""
    text = _clean(text)
    first = re.match(r"1\s*:\s*", text)
    if first is None:
        return [text] if text else []
    items: list[str] = []
    rest = text[first.end():]
    label = 2
    while match := re.search(rf"\s{label}\s*:\s*", rest):
        items.append(rest[: match.start()])
        rest = rest[match.end():]
        label += 1
    items.append(rest)
    return [item for item in (item.strip(" ;,") for item in items) if item]


def _read_dates(text: str) -> tuple[list[dt.date], list[str]]:
    """The dates of a cell in published order, and the pieces of text that are not dates."""
    dates: list[dt.date] = []
    unread: list[str] = []
    for item in _numbered_items(text):
        position = 0
        for match in _DATE_TOKEN.finditer(item):
            _keep_leftover(item[position: match.start()], unread)
            position = match.end()
            day = _token_date(match)
            if day is None:
                unread.append(match.group(0))
            else:
                dates.append(day)
        _keep_leftover(item[position:], unread)
    return dates, unread


def _keep_leftover(text: str, unread: list[str]) -> None:
    text = text.strip(" ;,")
    if text:
        unread.append(text)


def _token_date(match: re.Match[str]) -> dt.date | None:
    if match["day"]:
        year = match["year"]
        # Two-digit years are of this century: the first vessel was designated in 2016.
        text = f"{match['day']} {match['month']} {'20' + year if len(year) == 2 else year}"
    else:
        text = match["iso"] or match["slashed"]
    try:
        partial = identifiers.parse_partial_date(text)
    except ValueError:
        return None
    return partial.earliest() if partial.precision == "day" else None


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _join(notes: Iterable[str]) -> str:
    return "; ".join(note for note in notes if note)


def _normalized(value: str) -> str:
    return "".join(char for char in value.upper() if char.isalnum())


def _country_code(name: str) -> str:
    return (identifiers.country_code_from_name(name) or "") if name else ""
