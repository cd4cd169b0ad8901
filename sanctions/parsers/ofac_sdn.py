"""Parser for OFAC's legacy SDN CSV files (``sdn.csv`` with ``alt.csv``, ``add.csv`` and
``sdn_comments.csv``).

Pure: bytes in, frozen dataclasses out (see ``sanctions.parsers.types``). No ORM, no network,
no Django settings.

The format, as the files really are (checked against the copies in ``shared/data/ofac``):

* No header row, comma separated, double-quoted text, CRLF line ends, ASCII in practice.
* ``-0-`` (usually followed by a space) means "no value".
* Each file ends with a line holding a lone Ctrl-Z (0x1A).
* ``sdn.csv`` has 12 columns (``SDN_COLUMNS``). ``SDN_Type`` is ``individual``, ``vessel``,
  ``aircraft`` or ``-0-`` for entities. ``Program`` holds one program or several as
  ``DPRK3] [DPRK4``. Vessel particulars (call sign, type, tonnage, GRT, flag, owner) are columns;
  the IMO number, MMSI and everything else are ``;``-separated facts in ``Remarks``:
  ``DOB 17 Jul 1964``, ``DOB circa 1964``, ``DOB 1960 to 1962``, ``POB Tehran, Iran``,
  ``nationality Korea, North``, ``citizen Mexico``, ``Passport 123 (Iran) issued 01 Jan 2010
  expires 01 Jan 2020``, ``Vessel Registration Identification IMO 7937317``, ``MMSI 445123456``,
  ``Linked To: OCEAN MARITIME MANAGEMENT COMPANY LIMITED``, ``a.k.a. 'X'``. The last fact ends
  with a period that is not part of it.
* Aliases in ``alt.csv`` (aka / fka / nka) are OFAC's normal ("strong") aliases. The aliases
  quoted in ``Remarks`` are OFAC's *weak* aliases: they never repeat an ``alt.csv`` alias, and
  each one is an ``isLowQuality`` name in OFAC's enhanced XML. They are kept with quality 'low'.
* ``Remarks`` is cut at 1,000 characters; the rest of a long remark is in ``sdn_comments.csv``
  (ent_num, continuation), to be appended without a separator.

Safety: every input is refused when it is over ``max_bytes``; the csv module runs in strict mode
with its default field size limit.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

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
    "ADD_COLUMNS",
    "ALT_COLUMNS",
    "COMMENTS_COLUMNS",
    "DEFAULT_MAX_BYTES",
    "DPRK_PROGRAMS",
    "ListParseError",
    "SDN_COLUMNS",
    "content_sha256",
    "parse_ofac_sdn",
    "split_programs",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024

SDN_COLUMNS = (
    "ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign",
    "Vess_type", "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks",
)  # fmt: skip
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks")
COMMENTS_COLUMNS = ("ent_num", "Remarks")

# The programs of the North Korea sanctions (31 CFR 510 and the executive orders under it).
DPRK_PROGRAMS = frozenset({"DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"})

NULL_MARKER = "-0-"
REMARKS_LIMIT = 1000  # OFAC cuts Remarks here and continues them in sdn_comments.csv

_RECORD_KINDS = {"": "entity", "individual": "individual", "vessel": "vessel"}
_SKIPPED_KINDS = frozenset({"aircraft"})

_TRAILER_TEXT = re.compile(r"[\x1a\s]+\Z")
_TRAILER_BYTES = re.compile(rb"[\x1a\s]+\Z")
_UTF8_BOM = b"\xef\xbb\xbf"
_MARKUP_START = re.compile(r"\A\s*<")
_ENT_NUM = re.compile(r"[0-9]+")

# Country names as OFAC writes them that country_code_from_name does not know (checked against
# every nationality, passport country, address country and vessel flag in both copies).
# Deliberately absent: Kosovo (XK is not ISO 3166-1), Netherlands Antilles (withdrawn code),
# "Region: Crimea", "undetermined", "None Identified", "possibly Palestinian".
_OFAC_COUNTRY_NAMES: Mapping[str, str] = {
    "korea, north": "KP",
    "korea, south": "KR",
    "palestinian": "PS",
    "west bank": "PS",
    "region: gaza": "PS",
    "the gambia": "GM",
    "north macedonia, the republic of": "MK",
    "st. vincent and the grenadines": "VC",
    "st. kitts and nevis": "KN",
    "st. kitts & nevis": "KN",
    "cote d ivoire": "CI",
    "congo, republic of the": "CG",
    "british virgin islands": "VG",
    "bosnia-herzegovina": "BA",
    "gaza strip": "PS",
}

# --------------------------------------------------------------------------- remark patterns

_WEAK_ALIAS = re.compile(r"(?P<type>[afn])\.k\.a\.\s*'(?P<name>.*)'(?P<rest>[^']*)", re.S)
_LINKED_TO = re.compile(r"Linked To:\s*(?P<name>.+)", re.S)
_DOB = re.compile(r"(?:alt\.\s+)?DOB\s+(?P<text>.+)")
_POB = re.compile(r"(?:alt\.\s+)?POB\s+(?P<text>.+)")
_NATIONALITY = re.compile(r"(?:alt\.\s+)?(?:nationality|citizen):?\s+(?P<text>.+)")
_GENDER = re.compile(r"Gender\s+(?P<text>Male|Female)")
_MMSI = re.compile(r"(?:alt\.\s+)?MMSI\s+(?P<value>\S+)(?P<rest>.*)")
_IMO = re.compile(r"(?:alt\.\s+)?(?P<label>[A-Za-z][A-Za-z .]*?\s+)?IMO\s+(?P<number>[0-9]+)\b(?P<rest>.*)")
_VESSEL_REGISTRATION = re.compile(r"(?:alt\.\s+)?(?P<label>Vessel Registration Identification)\s+(?P<rest>.+)")
_PASSPORT_LABEL = (
    r"(?:Diplomatic |Official |Service |Stateless Person |British National Overseas |U\.S\.A\. )?"
    r"Passport(?: No\.?| Number)?"
)
_NATIONAL_ID_LABEL = "|".join(
    re.escape(label)
    for label in (  # longest first so the alternation takes the whole label
        "Tazkira National ID Card", "National Foreign ID Number", "National Identification Number",
        "Turkish Identification Number", "Moroccan Personal ID No.", "Bosnian Personal ID No.",
        "National ID Number", "National ID Card", "National ID No.", "Stateless Person ID Card",
        "Citizen's Card Number", "Numero de Identidad", "UAE Identification", "Personal ID Card",
        "Identity Card No.", "Refugee ID Card", "Identity Card", "Kenyan ID No.", "National ID",
        "Cedula No.", "C.U.R.P.", "D.N.I.",
    )
)
_DOCUMENT = re.compile(
    rf"(?:alt\.\s+)?(?:(?P<passport>{_PASSPORT_LABEL})|(?P<national_id>{_NATIONAL_ID_LABEL}))\s+(?P<rest>.+)"
)
# What follows a document or registration label: the number, then optionally "(Country)",
# "issued <date>" and "expires <date>", in that order.
_DOCUMENT_TAIL = re.compile(
    r"(?P<value>.+?)(?:\s*\((?P<country>[^()]*)\))?(?:\s+issued\s+(?P<issued>.+?))?"
    r"(?:\s+expires\s+(?P<expires>.+?))?\s*"
)
_PAREN_COUNTRY = re.compile(r"\s*\((?P<country>[^()]*)\)\s*")
_CIRCA = re.compile(r"circa\s+(?P<text>.+)", re.I)
_YEAR_SPAN = re.compile(r"(?P<low>[0-9]{4})\s*-\s*(?P<high>[0-9]{4})")
_DATE_RANGE = re.compile(r"(?P<low>.+?)\s+to\s+(?P<high>.+)")
_THOUSANDS = re.compile(r"[,\s.]")
_SEVEN_DIGITS = re.compile(r"[0-9]{7}")

_ALT_TYPES = {  # alt_type -> (quality, note)
    "aka": ("aka", ""),
    "fka": ("fka", ""),
    "nka": ("aka", "now known as"),
}
_WEAK_ALIAS_NOTES = {
    "a": "weak alias (a.k.a. in remarks)",
    "f": "weak alias (f.k.a. in remarks)",
    "n": "weak alias (n.k.a. in remarks, now known as)",
}


# --------------------------------------------------------------------------- public API


def parse_ofac_sdn(
    sdn: bytes,
    *,
    alt: bytes | None = None,
    add: bytes | None = None,
    sdn_comments: bytes | None = None,
    programs: Collection[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedList:
    """Parse OFAC's legacy SDN CSV set, or raise ListParseError saying what is wrong and where.

    ``programs`` keeps only the records listed under at least one of these programs (compared
    case-insensitively), e.g. ``DPRK_PROGRAMS``; None keeps all. Aircraft records are skipped and
    counted under ``skipped:aircraft`` (only those the program filter would have kept).
    ``sdn_comments`` is the optional continuation file of remarks longer than 1,000 characters.
    """
    wanted = _wanted_programs(programs)
    sdn_rows = _read_csv(sdn, "sdn.csv", SDN_COLUMNS, max_bytes)
    alt_rows = _read_csv(alt, "alt.csv", ALT_COLUMNS, max_bytes) if alt is not None else []
    add_rows = _read_csv(add, "add.csv", ADD_COLUMNS, max_bytes) if add is not None else []
    comment_rows = (
        _read_csv(sdn_comments, "sdn_comments.csv", COMMENTS_COLUMNS, max_bytes, may_be_empty=True)
        if sdn_comments is not None else []
    )
    if not sdn_rows:
        raise ListParseError("sdn.csv has no records")
    if sdn_comments is not None and not comment_rows:
        cut = sum(1 for _, row in sdn_rows if len(row["Remarks"]) >= REMARKS_LIMIT)
        if cut:  # an empty continuation file is only right while no remark runs over
            raise ListParseError(f"sdn_comments.csv is empty, but {cut} remarks of sdn.csv are cut at "
                                 f"{REMARKS_LIMIT:,} characters: a broken download?")

    counts: Counter[str] = Counter()
    rows_by_ent: dict[str, dict[str, str]] = {}
    line_by_ent: dict[str, int] = {}
    for line, row in sdn_rows:
        ent_num = row["ent_num"]
        if ent_num in rows_by_ent:
            raise ListParseError(
                f"sdn.csv line {line}: duplicate ent_num {ent_num} (first seen at line {line_by_ent[ent_num]})"
            )
        rows_by_ent[ent_num] = row
        line_by_ent[ent_num] = line

    aliases = _group(alt_rows, rows_by_ent, "alt.csv", counts)
    addresses = _group(add_rows, rows_by_ent, "add.csv", counts)
    continuations: dict[str, str] = {}
    for ent_num, rows in _group(comment_rows, rows_by_ent, "sdn_comments.csv", counts).items():
        continuations[ent_num] = "".join(row["Remarks"] for row in rows)

    known_names = frozenset(_clean(row["SDN_Name"]) for row in rows_by_ent.values())
    records: list[ParsedRecord] = []
    for ent_num, row in rows_by_ent.items():
        record_programs = split_programs(row["Program"])
        if wanted is not None and not wanted.intersection(program.upper() for program in record_programs):
            continue
        sdn_type = row["SDN_Type"].lower()
        if sdn_type in _SKIPPED_KINDS:
            counts[f"skipped:{sdn_type}"] += 1
            continue
        unknown: tuple[str, ...] = ()
        if sdn_type not in _RECORD_KINDS:
            unknown = (f"SDN_Type:{row['SDN_Type']}",)
            counts[f"unknown:SDN_Type:{row['SDN_Type']}"] += 1
        continuation = continuations.get(ent_num)
        if continuation is None and len(row["Remarks"]) >= REMARKS_LIMIT:
            counts["warning:remarks_cut_at_1000_chars"] += 1
        records.append(
            _build_record(
                row,
                kind=_RECORD_KINDS.get(sdn_type, "entity"),
                programs=record_programs,
                aliases=aliases.get(ent_num, ()),
                addresses=addresses.get(ent_num, ()),
                continuation=continuation,
                known_names=known_names,
                unknown=unknown,
            )
        )

    if not records:
        shown = ", ".join(sorted(wanted or ()))
        raise ListParseError(
            f"no records left: {len(rows_by_ent):,} records in sdn.csv, none under the programs {shown}"
            if wanted is not None
            else "no individual, entity or vessel records in sdn.csv (only skipped types)"
        )
    return ParsedList(
        generated_at=None,  # the legacy CSV carries no publication date
        content_sha256=content_sha256(sdn, alt=alt, add=add, sdn_comments=sdn_comments, programs=programs),
        records=tuple(records),
        unknown_element_counts=dict(sorted(counts.items())),
    )


def content_sha256(
    sdn: bytes,
    *,
    alt: bytes | None = None,
    add: bytes | None = None,
    sdn_comments: bytes | None = None,
    programs: Collection[str] | None = None,
) -> str:
    """sha256 over the given files, each with its trailing Ctrl-Z/whitespace stripped.

    Each file is framed by its name and length so bytes cannot shift from one file to the next
    unnoticed. The program filter is part of the digest when given: the same files parsed with
    another filter give other records, and must not look "unchanged" to the sync.
    """
    digest = hashlib.sha256()
    for name, data in (("sdn.csv", sdn), ("alt.csv", alt), ("add.csv", add), ("sdn_comments.csv", sdn_comments)):
        if data is None:
            continue
        body = _TRAILER_BYTES.sub(b"", _as_bytes(data))
        digest.update(f"{name}\0{len(body)}\0".encode())
        digest.update(body)
    wanted = _wanted_programs(programs)
    if wanted is not None:
        digest.update(("programs\0" + ",".join(sorted(wanted))).encode())
    return digest.hexdigest()


def split_programs(text: str) -> tuple[str, ...]:
    """'DPRK3] [DPRK4' (or '[DPRK3] [DPRK4]', or 'DPRK') -> ('DPRK3', 'DPRK4'), in published order."""
    parts = (part.strip(" []") for part in re.split(r"\]\s*\[", text or ""))
    return tuple(dict.fromkeys(part for part in parts if part))


# --------------------------------------------------------------------------- reading the files


def _as_bytes(data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"expected bytes, got {type(data).__name__}")


def _decode(data: bytes) -> str:
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # cannot fail: every byte is a character


def _wanted_programs(programs: Collection[str] | None) -> frozenset[str] | None:
    if programs is None:
        return None
    if isinstance(programs, str):  # a lone program, not its letters
        programs = (programs,)
    return frozenset(program.strip().upper() for program in programs if program.strip())


def _read_csv(
    data: bytes,
    label: str,
    columns: tuple[str, ...],
    max_bytes: int,
    may_be_empty: bool = False,
) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: value}) per data row; '-0-' becomes '' and values are trimmed.

    An empty file is refused (a broken download of sdn.csv, alt.csv or add.csv would otherwise
    strip every record of its names or addresses), unless ``may_be_empty``: sdn_comments.csv only
    has rows while some remarks run over 1,000 characters."""
    data = _as_bytes(data)
    if len(data) > max_bytes:
        raise ListParseError(f"{label} is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    text = _TRAILER_TEXT.sub("", _decode(data))
    if not text.strip():
        if may_be_empty:
            return []
        raise ListParseError(f"{label} is empty")
    if _MARKUP_START.match(text):
        raise ListParseError(
            f"{label} looks like an HTML or XML document, not an OFAC legacy CSV file "
            f"(starts with {text.lstrip()[:40]!r})"
        )
    rows: list[tuple[int, dict[str, str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row_number = 0
    try:
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # blank line
            row_number += 1
            line = reader.line_num
            if row_number == 1 and cells[0].strip().lower() == "ent_num":
                continue  # a header row added by whoever re-saved the file
            problem = _row_problem(cells, columns)
            if problem:
                raise ListParseError(f"{label} row {row_number} (line {line}): {problem}")
            rows.append((line, {name: _value(cell) for name, cell in zip(columns, cells)}))
    except csv.Error as exc:
        raise ListParseError(f"{label} line {reader.line_num}: malformed CSV ({exc})") from None
    return rows


def _row_problem(cells: list[str], columns: tuple[str, ...]) -> str:
    if len(cells) != len(columns):
        return f"{len(cells)} columns, expected {len(columns)} ({', '.join(columns)}); is this the right file?"
    ent_num = cells[0].strip()
    if not _ENT_NUM.fullmatch(ent_num):
        return f"ent_num {ent_num!r} is not a number; is this an OFAC legacy CSV file?"
    return ""


def _value(cell: str) -> str:
    value = cell.strip()
    return "" if value == NULL_MARKER else value


def _group(
    rows: list[tuple[int, dict[str, str]]],
    records: Mapping[str, object],
    label: str,
    counts: Counter[str],
) -> dict[str, tuple[dict[str, str], ...]]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for _, row in rows:
        if row["ent_num"] not in records:
            counts[f"orphan:{label}"] += 1  # points at no sdn.csv record (files from different days?)
            continue
        grouped.setdefault(row["ent_num"], []).append(row)
    return {ent_num: tuple(group) for ent_num, group in grouped.items()}


# --------------------------------------------------------------------------- one record


@dataclass
class _Facts:
    """What the Remarks say, read fact by fact."""

    gender: str = ""
    birth_dates: list[ParsedBirthDate] = field(default_factory=list)
    places_of_birth: list[ParsedAddress] = field(default_factory=list)
    nationalities: list[ParsedNationality] = field(default_factory=list)
    identifiers: list[ParsedIdentifier] = field(default_factory=list)
    weak_aliases: list[ParsedName] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    imo: ParsedIdentifier | None = None  # the first well-formed ship IMO number (vessels)
    mmsi: str = ""


def _build_record(
    row: Mapping[str, str],
    *,
    kind: str,
    programs: tuple[str, ...],
    aliases: Iterable[Mapping[str, str]],
    addresses: Iterable[Mapping[str, str]],
    continuation: str | None,
    known_names: frozenset[str],
    unknown: tuple[str, ...],
) -> ParsedRecord:
    ent_num = row["ent_num"]
    remarks = row["Remarks"] + (continuation or "")
    flag_code = _country_code(row["Vess_flag"]) if kind == "vessel" else ""
    facts = _read_remarks(remarks, kind, known_names, flag_code)
    primary_name = _clean(row["SDN_Name"])
    name_parts = tuple(_clean(part) for part in primary_name.split(",")) if kind == "individual" else (primary_name,)
    alias_rows = tuple(aliases)
    address_rows = tuple(addresses)

    identifiers_found = list(facts.identifiers)
    vessel = None
    if kind == "vessel":
        vessel, vessel_identifiers = _vessel(row, facts, flag_code)
        identifiers_found.extend(vessel_identifiers)

    raw: dict[str, object] = dict(row)
    if continuation is not None:
        raw["Remarks_continued"] = continuation
    raw["aliases"] = [dict(alias) for alias in alias_rows]
    raw["addresses"] = [dict(address) for address in address_rows]

    return ParsedRecord(
        external_id=ent_num,
        kind=kind,
        reference_number=f"OFAC-{ent_num}",
        regime=programs[0] if programs else "",
        list_types=programs,
        listed_on=None,
        last_updated=(),
        comments=remarks.strip(),
        primary_name=primary_name,
        name_parts=tuple(part for part in name_parts if part),
        gender=facts.gender,
        titles=(_clean(row["Title"]),) if row["Title"] else (),
        designations=(),
        names=tuple(dict.fromkeys(_names(primary_name, kind, alias_rows, facts.weak_aliases))),
        identifiers=tuple(dict.fromkeys(identifiers_found)),
        birth_dates=tuple(dict.fromkeys(facts.birth_dates)),
        nationalities=tuple(dict.fromkeys(facts.nationalities)),
        addresses=tuple(dict.fromkeys([*_addresses(address_rows), *facts.places_of_birth])),
        raw=raw,
        unknown_elements=unknown,
        vessel=vessel,
        programs=programs,
        links=tuple(ParsedLink(relation="linked_to", name=name) for name in dict.fromkeys(facts.linked_to)),
    )


def _names(
    primary_name: str, kind: str, alias_rows: Iterable[Mapping[str, str]], weak_aliases: Iterable[ParsedName]
) -> Iterator[ParsedName]:
    if not primary_name:
        return
    yield ParsedName(name=primary_name, kind="primary", script=detect_script(primary_name))
    if kind == "individual":
        reordered = _given_name_first(primary_name)
        if reordered and reordered != primary_name:
            yield ParsedName(
                name=reordered, kind="alias", quality="aka", script=detect_script(reordered),
                note="name order reversed",
            )
    for alias in alias_rows:
        name = _clean(alias["alt_name"])
        if not name:
            continue
        alt_type = alias["alt_type"].strip().lower().replace(".", "")
        quality, note = _ALT_TYPES.get(alt_type, ("", f"alias type {alias['alt_type']}" if alt_type else ""))
        remarks = _clean(alias["alt_remarks"])
        if "weak" in remarks.lower():
            quality = "low"
            note = _join([note or f"{alt_type or 'alias'}", "weak alias"])
        yield ParsedName(
            name=name, kind="alias", quality=quality, script=detect_script(name), note=_join([note, remarks])
        )
    yield from weak_aliases


def _given_name_first(name: str) -> str:
    """'DELOS REYES, Feliciano Semborio, Jr.' -> 'Feliciano Semborio DELOS REYES Jr.'."""
    parts = [part.strip() for part in name.split(",")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return ""
    return " ".join([parts[1], parts[0], *(part for part in parts[2:] if part)])


def _addresses(rows: Iterable[Mapping[str, str]]) -> Iterator[ParsedAddress]:
    for row in rows:
        fields = {
            "street": _clean(row["address"]),
            "city": _clean(row["city_state_postal"]),  # OFAC's one "City/State/Province/Postal Code" field
            "country": _clean(row["country"]),
            "note": _clean(row["add_remarks"]),
        }
        if any(fields.values()):
            yield ParsedAddress(kind="address", country_code=_country_code(fields["country"]), **fields)


def _vessel(
    row: Mapping[str, str], facts: _Facts, flag_code: str
) -> tuple[ParsedVessel, list[ParsedIdentifier]]:
    extra: list[ParsedIdentifier] = []
    call_sign = _clean(row["Call_Sign"])
    if call_sign:
        result = identifiers.check_call_sign(call_sign, flag=flag_code or None)
        extra.append(
            ParsedIdentifier(
                type="call_sign",
                value=call_sign,
                normalized=result.normalized or _normalized(call_sign),
                valid=result.valid,
                type_label="Call_Sign",
                note=_join([result.error, *result.warnings]),
            )
        )
    imo = facts.imo
    vessel = ParsedVessel(
        imo=imo.normalized if imo else "",
        imo_valid=imo.valid if imo else None,
        mmsi=facts.mmsi,
        call_sign=call_sign,
        flag=_clean(row["Vess_flag"]),
        flag_code=flag_code,
        vessel_type=_clean(row["Vess_type"]),
        tonnage=_int(row["Tonnage"]),
        gross_registered_tonnage=_int(row["GRT"]),
        owner=_clean(row["Vess_owner"]),
        linked_to=tuple(dict.fromkeys(facts.linked_to)),
    )
    return vessel, extra


# --------------------------------------------------------------------------- remarks


def _read_remarks(remarks: str, kind: str, known_names: frozenset[str], flag_code: str) -> _Facts:
    facts = _Facts()
    parts = [part.strip() for part in remarks.split(";")]
    parts = [part for part in parts if part]
    for position, part in enumerate(parts):
        is_last = position == len(parts) - 1
        if match := _WEAK_ALIAS.fullmatch(part):
            name = _clean(match["name"])
            if name:
                rest = _clean(match["rest"].strip(" ."))
                facts.weak_aliases.append(
                    ParsedName(
                        name=name, kind="alias", quality="low", script=detect_script(name),
                        note=_join([_WEAK_ALIAS_NOTES[match["type"]], rest]),
                    )
                )
            continue
        if match := _LINKED_TO.fullmatch(part):
            name = _clean(match["name"])
            if is_last and name not in known_names:
                name = _drop_final_period(name)  # the period closes the remarks, not the name
            if name:
                facts.linked_to.append(name)
            continue
        fact = _drop_final_period(part) if is_last else part
        if not fact:
            continue
        if match := _DOB.fullmatch(fact):
            facts.birth_dates.append(_birth_date(match["text"]))
        elif match := _POB.fullmatch(fact):
            facts.places_of_birth.append(_place_of_birth(match["text"]))
        elif match := _NATIONALITY.fullmatch(fact):
            value = _clean(match["text"]).rstrip(" .")
            facts.nationalities.append(ParsedNationality(value=value, country_code=_country_code(value)))
        elif match := _GENDER.fullmatch(fact):
            facts.gender = facts.gender or match["text"]
        elif match := _MMSI.fullmatch(fact):
            _add_mmsi(facts, match["value"], _clean(match["rest"]), flag_code)
        elif match := _IMO.fullmatch(fact):
            label = _clean(f"{match['label'] or ''} IMO")
            _add_imo(facts, match["number"], label, match["rest"], kind, note="")
        elif match := _VESSEL_REGISTRATION.fullmatch(fact):
            _add_vessel_registration(facts, match["label"], match["rest"], kind)
        elif match := _DOCUMENT.fullmatch(fact):
            document = _document(match)
            if document is not None:
                facts.identifiers.append(document)
    return facts


def _drop_final_period(text: str) -> str:
    return text[:-1].rstrip() if text.endswith(".") else text


def _add_imo(facts: _Facts, number: str, label: str, rest: str, kind: str, note: str) -> None:
    # A ship's number on a vessel; on an entity (or person) it is the IMO company /
    # registered-owner number, whatever the label says (OFAC labels a few companies'
    # numbers "Vessel Registration Identification IMO").
    is_ship = kind == "vessel"
    result = identifiers.check_imo(number) if is_ship else identifiers.check_imo_company(number)
    country = ""
    if country_match := _PAREN_COUNTRY.fullmatch(rest or ""):
        country = _clean(country_match["country"])
    elif rest.strip(" ."):
        note = _join([note, _clean(rest)])
    identifier = ParsedIdentifier(
        type="imo" if is_ship else "imo_company",
        value=number,
        normalized=result.normalized or number,
        valid=result.valid,
        type_label=label,
        country=country,
        country_code=_country_code(country),
        note=_join([note, result.error]),
    )
    facts.identifiers.append(identifier)
    if is_ship and facts.imo is None and result.normalized:
        facts.imo = identifier


def _add_vessel_registration(facts: _Facts, label: str, rest: str, kind: str) -> None:
    tail = _DOCUMENT_TAIL.fullmatch(rest)
    value = _clean(tail["value"]) if tail else _clean(rest)
    country = _clean(tail["country"] or "") if tail else ""
    if kind == "vessel" and _SEVEN_DIGITS.fullmatch(value):
        # "Vessel Registration Identification 8606173": the IMO number without its label.
        country_text = f" ({country})" if country else ""
        _add_imo(facts, value, label, country_text, kind, note="published without the 'IMO' label")
        return
    facts.identifiers.append(
        ParsedIdentifier(
            type="other",
            value=value,
            normalized=_normalized(value),
            valid=None,
            type_label=label,
            country=country,
            country_code=_country_code(country),
        )
    )


def _add_mmsi(facts: _Facts, value: str, rest: str, flag_code: str) -> None:
    value = value.strip(" .")
    result = identifiers.check_mmsi(value, flag=flag_code or None)
    facts.identifiers.append(
        ParsedIdentifier(
            type="mmsi",
            value=value,
            normalized=result.normalized or _normalized(value),
            valid=result.valid,
            type_label="MMSI",
            note=_join([rest.strip(" ."), result.error, *result.warnings]),
        )
    )
    if not facts.mmsi and result.normalized:
        facts.mmsi = result.normalized


def _document(match: re.Match[str]) -> ParsedIdentifier | None:
    label = match["passport"] or match["national_id"]
    tail = _DOCUMENT_TAIL.fullmatch(match["rest"])
    if tail is None:  # pragma: no cover - the tail pattern accepts any non-empty text
        return None
    value = _clean(tail["value"])
    country = _clean(tail["country"] or "")
    notes: list[str] = []
    issued_on = _day(tail["issued"], notes, "issued")
    expires_on = _day(tail["expires"], notes, "expires")
    return ParsedIdentifier(
        type="passport" if match["passport"] else "national_id",
        value=value,
        normalized=_normalized(value),
        valid=None,  # no check rule for passports or national ids
        type_label=label,
        country=country,
        country_code=_country_code(country),
        issued_on=issued_on,
        expires_on=expires_on,
        note=_join(notes),
    )


def _birth_date(text: str) -> ParsedBirthDate:
    """'17 Jul 1964', 'Jul 1964', '1964', 'circa 1964', '1960 to 1962', '01 Jan 1960 to 31 Dec 1962'."""
    published = _clean(text)
    body = published.rstrip(" .")
    approximate = False
    if circa := _CIRCA.fullmatch(body):
        approximate, body = True, circa["text"]
    span = _YEAR_SPAN.fullmatch(body) or _DATE_RANGE.fullmatch(body)
    if span:
        low, high = _partial(span["low"]), _partial(span["high"])
        if low is not None and high is not None:
            if high.earliest() < low.earliest():
                low, high = high, low
            whole_years = low.earliest() == dt.date(low.year, 1, 1) and high.latest() == dt.date(high.year, 12, 31)
            if whole_years and low.year == high.year and not approximate:
                return ParsedBirthDate("exact", year=low.year)  # "01 Jan 1953 to 31 Dec 1953": born in 1953
            note = _join(["circa" if approximate else "", "" if whole_years else f"DOB {published}"])
            return ParsedBirthDate("between", year=low.year, year_to=high.year, note=note)
    else:
        partial = _partial(body)
        if partial is not None:
            qualifier = "approximate" if approximate else "exact"
            if partial.precision == "day":
                return ParsedBirthDate(qualifier, date=partial.earliest(), year=partial.year)
            note = f"DOB {published}" if partial.precision == "month" else ""  # keep the month
            return ParsedBirthDate(qualifier, year=partial.year, note=note)
    return ParsedBirthDate("unknown", note=f"DOB {published}")


def _place_of_birth(text: str) -> ParsedAddress:
    """'Tehran, Iran' -> city + country; 'Pyongyang, Korea, North' too (the country has a comma)."""
    place = _clean(text)
    if code := _country_code(place):
        return ParsedAddress(kind="place_of_birth", country=place, country_code=code)
    segments = place.split(",")
    for size in (2, 1):  # "Korea, North", "Congo, Republic of the" before "Iran"
        if len(segments) > size:
            country = ",".join(segments[-size:]).strip()
            if code := _country_code(country):
                city = ",".join(segments[:-size]).strip()
                return ParsedAddress(kind="place_of_birth", city=city, country=country, country_code=code)
    return ParsedAddress(kind="place_of_birth", city=place)


# --------------------------------------------------------------------------- small helpers


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _join(notes: Iterable[str]) -> str:
    return "; ".join(note for note in notes if note)


def _normalized(value: str) -> str:
    return "".join(char for char in value.upper() if char.isalnum())


def _int(text: str) -> int | None:
    digits = _THOUSANDS.sub("", text or "")
    return int(digits) if digits.isdigit() else None


def _partial(text: str) -> identifiers.PartialDate | None:
    try:
        return identifiers.parse_partial_date(text)
    except ValueError:
        return None


def _day(text: str | None, notes: list[str], label: str) -> dt.date | None:
    text = _clean(text)
    if not text:
        return None
    partial = _partial(text)
    if partial is not None and partial.precision == "day":
        return partial.earliest()
    notes.append(f"{label} {text}")
    return None


@lru_cache(maxsize=4096)
def _country_code(name: str) -> str:
    name = _clean(name).rstrip(".")
    if not name:
        return ""
    return identifiers.country_code_from_name(name) or _OFAC_COUNTRY_NAMES.get(name.lower(), "")
