"""Parser for the EU Financial Sanctions Files (FSF): the consolidated list of persons, groups and
entities subject to EU financial sanctions, in its XML export (schema 1.1) and its older CSV export
(1.0). ``parse_eu_fsf`` tells them apart by content: XML starts with ``<`` after an optional BOM and
whitespace; anything else is read as the CSV.

Pure: bytes in, frozen dataclasses out (see ``sanctions.parsers.types``). No ORM, no network,
no Django settings.

The XML, as the XSD ``20171012-FULL-schema-1_1.xsd`` defines it (``shared/data/eu``):

* Namespace ``http://eu.europa.ec/fpi/fsd/export``; root ``export`` with ``generationDate``
  (xs:dateTime) and ``globalFileId``, both new at every generation.
* One ``sanctionEntity`` per designation. Attributes: ``logicalId`` (xs:long, the stable key),
  ``euReferenceNumber`` ("EU.27.28"), ``unitedNationId`` (the UN reference, "KPe.020"),
  ``designationDate``, ``designationDetails``, ``delistingDate``. Children, in this order:
  ``remark``*, ``additionalInformation``* (key/value), ``regulation`` (``programme`` such as PRK,
  ``publicationDate``, ``entryIntoForceDate``, ``numberTitle``, a ``publicationUrl`` child; the XSD
  allows one, files in use repeat it once per legal act), ``subjectType`` (``code`` person /
  enterprise, ``classificationCode`` P / E), ``nameAlias``+ (``wholeName``, ``firstName``,
  ``middleName``, ``lastName``, ``gender`` M/F/?, ``title``, ``function``, ``nameLanguage``,
  ``strong``), ``citizenship``*, ``birthdate``*, ``address``* (with ``contactInfo`` key/value
  children), ``identification``*.
* Every detail has its own ``logicalId``, ``regulationLanguage``, ``remark``s and a
  ``regulationSummary``: the act that introduced it. Countries are ``countryIso2Code`` and
  ``countryDescription``; published files write "00" / "UNKNOWN" when the country is not known.
* ``nameLanguage`` is the EU's two-letter language code (EL is Greek). A name in another EU
  language is a translation; a non-Latin name in a language that is not an EU one (or none) is
  the name in its original script.
* ``identificationTypeCode`` is not enumerated by the XSD. Public parsers of the real file see
  passport, id, other, regnumber, fiscalcode, imo, swiftbic, ssn, tradelic, birthcert, nationcert,
  travelcardid, electionid, residentperm, drivinglicence and NRN.

The CSV, as the partial copy in ``shared/data/eu/photoangell__SanctionsApi`` really is:

* A header row, then one row per (entity, detail) pair, ``;``-separated, 59 columns in blocks: the
  entity (``Date_file``, ``Entity_logical_id``, ``Subject_type`` P/E, the legal act ``Leba_numtitle``
  such as "2018/468 (OJ L79)", ``Leba_publication_date``, ``Leba_url``, ``Programme``,
  ``Entity_remark``), then the name alias, address, birth, identification and citizenship blocks
  (``Naal_*``, ``Addr_*``, ``Birt_*``, ``Iden_*``, ``Citi_*``), each starting with its own logical
  id, a repeat of ``Entity_logical_id`` and the legal act of the detail; ``EU_ref_num`` last.
  A row fills one detail block or none. An entity's rows follow one another, and repeat for each
  legal act of the entity block.
* ``Date_file`` is the file's date, dd/mm/yyyy, on every row. Countries are ISO alpha-3 (IRQ).
  ``Birt_date`` is YYYY-MM-DD or "N/A". ``Iden_number`` packs the number, the type code and
  description and a remark: "AD001095 (passport-National passport) ((passport))". A literal
  backslash-n in a remark stands for a line break.
* The copy was re-saved by a third party: every line is wrapped in one quoted field (inner quotes
  doubled) and padded with tabs, and every comma of the original became a tab (the file holds no
  comma; "Ulema\\t Pakistan" was "Ulema, Pakistan"), so a tab inside a value is read as a comma.
  Both the wrapped and the plain ``;`` form are read.
* It is cp1252, which cannot hold Greek or Bulgarian letters: they were written as '?'. A name
  with more '?' than letters is dropped (counted under ``skipped:name_lost_in_encoding``); one
  with a few keeps a note.

The listing date is ``designationDate`` when given, else the earliest publication date of the
legal acts the record cites (its own and those that introduced its details); ``last_updated``
holds the later publication dates of the record's own acts.

Safety: the input is refused when it is over ``max_bytes``; an XML document is refused when it
carries a DOCTYPE, and lxml runs with entity resolution, DTD loading, network access and
huge-tree support off; the csv module runs in strict mode.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from sanctions import identifiers
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
from sanctions.parsers.un_xml import detect_script, parse_xs_datetime

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MAX_BYTES",
    "FSF_NAMESPACE",
    "ListParseError",
    "content_sha256",
    "parse_eu_fsf",
    "read_generated_at",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
FSF_NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
ROOT_TAG = "export"
RECORD_TAG = "sanctionEntity"

# The CSV 1.0 header (the first column is "Date_file"; the copy has "Date_filexxxx").
CSV_COLUMNS = (
    "Date_file", "Entity_logical_id", "Subject_type", "Leba_numtitle", "Leba_publication_date",
    "Leba_url", "Programme", "Entity_remark",
    "Naal_logical_id", "Entity_logical_id", "Naal_leba_numtitle", "Naal_leba_publication_date",
    "Naal_leba_url", "Naal_programme", "Naal_lastname", "Naal_firstname", "Naal_middlename",
    "Naal_wholename", "Naal_gender", "Naal_title", "Naal_function", "Naal_language",
    "Addr_logical_id", "Entity_logical_id", "Addr_leba_numtitle", "Addr_leba_publication_date",
    "Addr_leba_url", "Addr_programme", "Addr_number", "Addr_street", "Addr_zipcode", "Addr_city",
    "Addr_country", "Addr_other",
    "Birt_logical_id", "Entity_logical_id", "Birt_leba_numtitle", "Birt_leba_publication_date",
    "Birt_leba_url", "Birt_programme", "Birt_date", "Birt_place", "Birt_country",
    "Iden_logical_id", "Entity_logical_id", "Iden_leba_numtitle", "Iden_leba_publication_date",
    "Iden_leba_url", "Iden_programme", "Iden_number", "Iden_country",
    "Citi_logical_id", "Entity_logical_id", "Citi_leba_numtitle", "Citi_leba_publication_date",
    "Citi_leba_url", "Citi_programme", "Citi_country",
    "EU_ref_num",
)  # fmt: skip
_REQUIRED_CSV_COLUMNS = ("Entity_logical_id", "Subject_type", "Programme", "Naal_wholename")
_CSV_ENTITY_COLUMNS = ("Leba_numtitle", "Leba_publication_date", "Leba_url", "Programme", "Entity_remark")
_CSV_SECTIONS = ("Naal", "Addr", "Birt", "Iden", "Citi")  # detail blocks, by column prefix
_CSV_SECTION_RAW_KEYS = {
    "Naal": "names", "Addr": "addresses", "Birt": "birth_dates", "Iden": "identifications", "Citi": "citizenships",
}

# The structure we understand below sanctionEntity: element -> the children it may have.
# Anything else is counted as unknown but still kept in ``raw``.
_DETAIL_CHILDREN = frozenset({"remark", "additionalInformation", "regulationSummary"})
KNOWN_STRUCTURE: Mapping[str, frozenset[str]] = {
    RECORD_TAG: frozenset({
        "remark", "additionalInformation", "regulation", "subjectType", "nameAlias", "citizenship",
        "birthdate", "address", "identification",
    }),
    "regulation": frozenset({"remark", "additionalInformation", "publicationUrl", "corrigendum"}),
    "nameAlias": _DETAIL_CHILDREN,
    "citizenship": _DETAIL_CHILDREN,
    "birthdate": _DETAIL_CHILDREN,
    "identification": _DETAIL_CHILDREN,
    "address": _DETAIL_CHILDREN | {"contactInfo"},
    **dict.fromkeys(
        ("remark", "additionalInformation", "publicationUrl", "corrigendum", "subjectType",
         "regulationSummary", "contactInfo"),
        frozenset(),
    ),
}  # fmt: skip

# The 24 official languages of the EU, as nameLanguage writes them.
EU_LANGUAGES = frozenset(
    "BG CS DA DE EL EN ES ET FI FR GA HR HU IT LT LV MT NL PL PT RO SK SL SV".split()
)
_SUBJECT_KINDS = {"P": "individual", "E": "entity", "PERSON": "individual", "ENTERPRISE": "entity"}
_GENDERS = {"M": "Male", "F": "Female"}
_IDENTIFIER_TYPES = {"passport": "passport", "id": "national_id", "nationcert": "national_id", "nrn": "national_id"}
_IDENTIFIER_FLAGS = (
    ("diplomatic", "diplomatic"), ("knownExpired", "known expired"), ("knownFalse", "known false"),
    ("reportedLost", "reported lost"), ("revokedByIssuer", "revoked by issuer"),
)
_UNKNOWN_COUNTRY = frozenset({"", "00", "UNKNOWN"})
_LOST_CHARACTERS_NOTE = "'?' stands for letters the file's 8-bit encoding could not hold"

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DTD_REFUSED = "document has a DOCTYPE/DTD, which is refused (entity expansion and external entity risk)"
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_ROOT_START_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + ROOT_TAG.encode() + rb"\b[^>]*>")
_VOLATILE_ROOT_ATTRIBUTES = re.compile(rb"""(\s(?:generationDate|globalFileId)\s*=\s*)(["'])([^"']*)\2""")
_GENERATION_DATE_ATTRIBUTE = re.compile(rb"""\sgenerationDate\s*=\s*(["'])([^"']*)\1""")
_SYNTAX_POSITION_SUFFIX = re.compile(r",\s*line \d+,\s*column \d+\s*$")
# The file date that opens every CSV data row, in either form (wrapped in a quote or not).
_CSV_ROW_DATE = re.compile(rb"^(\"?)([0-9]{1,4}[/.-][0-9]{1,2}[/.-][0-9]{1,4});", re.M)
_CSV_HEADER_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\"?Date_file")
_LOGICAL_ID = re.compile(r"[0-9]+")
# "AD001095 (passport-National passport) ((passport))": number, (code-description), remark.
_CSV_IDENTIFICATION = re.compile(r"(?P<number>.*?)\s*\((?P<code>[A-Za-z]+)-(?P<description>[^()]*)\)\s*(?P<rest>.*)")
_ISSUED = re.compile(r"\bissued:?\s+(?P<date>.+?)(?=\s+expires\b|\)|$)", re.I)
_EXPIRES = re.compile(r"\bexpires:?\s+(?P<date>.+?)(?=\)|$)", re.I)
_CSV_BIRTH_DATE = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")
_OFFICIAL_JOURNAL_LANGUAGE = re.compile(r"\s*\((?P<note>J\.O\. [A-Z]{2})\)\s*$")
_QUALITY_REMARK = re.compile(r"\b(?P<quality>low|lo|good|god|high)\s+quality\b", re.I)


# --------------------------------------------------------------------------- public API


def parse_eu_fsf(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedList:
    """Parse an FSF XML or CSV export, or raise ListParseError saying what is wrong and where."""
    content = _as_bytes(content)
    if len(content) > max_bytes:
        raise ListParseError(f"document is {len(content):,} bytes, over the limit of {max_bytes:,} bytes")
    if not content.strip(b" \t\r\n" + _UTF8_BOM):
        raise ListParseError("empty document")
    builder = _ListBuilder()
    if _is_xml(content):
        _read_xml(content, builder)
    else:
        _read_csv(content, builder)
    return builder.finish(read_generated_at(content), content_sha256(content))


def content_sha256(content: bytes) -> str:
    """sha256 of the bytes with the generation stamps blanked: the XML root's generationDate and
    globalFileId, the CSV's Date_file on every row. An unchanged list published again hashes the same."""
    content = _as_bytes(content)
    if _is_xml(content):
        root_tag = _ROOT_START_TAG.search(content)
        if root_tag is None:
            return hashlib.sha256(content).hexdigest()
        digest = hashlib.sha256(content[: root_tag.start()])
        digest.update(_VOLATILE_ROOT_ATTRIBUTES.sub(rb"\1\2\2", root_tag.group(0)))
        digest.update(content[root_tag.end():])
        return digest.hexdigest()
    return hashlib.sha256(_CSV_ROW_DATE.sub(rb"\1;", content)).hexdigest()


def read_generated_at(content: bytes) -> dt.datetime | None:
    """When the file was generated, read without parsing it: the XML root's generationDate, or the
    CSV's Date_file of the first data row (a day, taken as midnight UTC); None when absent or unreadable."""
    content = _as_bytes(content)
    if _is_xml(content):
        root_tag = _ROOT_START_TAG.search(content)
        attribute = _GENERATION_DATE_ATTRIBUTE.search(root_tag.group(0)) if root_tag else None
        return parse_xs_datetime(attribute.group(2).decode("ascii", "replace")) if attribute else None
    if not _CSV_HEADER_START.match(content):
        return None
    row_date = _CSV_ROW_DATE.search(content)
    day = _day(row_date.group(2).decode("ascii")) if row_date else None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc) if day else None


# --------------------------------------------------------------------------- one record, both forms


@dataclass
class _Alias:
    """One name alias as published, in either form."""

    whole_name: str
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    gender: str = ""
    title: str = ""
    function: str = ""
    language: str = ""
    strong: bool | None = None  # the CSV does not say
    remark: str = ""


@dataclass
class _Draft:
    """What one designation says, gathered from its element or rows before the record is built."""

    logical_id: str
    location: str  # "line 12" / "row 3 (line 4)", for messages
    subject_type: str
    eu_reference: str = ""
    un_reference: str = ""
    designation_date: dt.date | None = None
    regulation_dates: list[dt.date] = field(default_factory=list)  # the record's own legal acts
    detail_dates: list[dt.date] = field(default_factory=list)  # the acts that introduced its details
    programmes: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    aliases: list[_Alias] = field(default_factory=list)
    identifiers: list[ParsedIdentifier] = field(default_factory=list)
    birth_dates: list[ParsedBirthDate] = field(default_factory=list)
    nationalities: list[ParsedNationality] = field(default_factory=list)
    addresses: list[ParsedAddress] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    raw: dict[str, object] = field(default_factory=dict)


class _ListBuilder:
    def __init__(self) -> None:
        self.records: list[ParsedRecord] = []
        self.counts: Counter[str] = Counter()
        self.location_by_id: dict[str, str] = {}
        self.names_in_lossy_encoding = False

    def add(self, draft: _Draft) -> None:
        if draft.logical_id in self.location_by_id:
            raise ListParseError(
                f"duplicate logicalId {draft.logical_id} at {draft.location}"
                f" (first seen at {self.location_by_id[draft.logical_id]})"
            )
        self.location_by_id[draft.logical_id] = draft.location
        record = _build_record(draft, self.counts, self.names_in_lossy_encoding)
        if record is not None:
            self.records.append(record)

    def finish(self, generated_at: dt.datetime | None, sha256: str) -> ParsedList:
        if not self.records:
            raise ListParseError("no sanctioned entities found")
        return ParsedList(
            generated_at=generated_at,
            content_sha256=sha256,
            records=tuple(self.records),
            unknown_element_counts=dict(sorted(self.counts.items())),
        )


def _build_record(draft: _Draft, counts: Counter[str], lossy: bool) -> ParsedRecord | None:
    kind = _SUBJECT_KINDS.get(draft.subject_type.upper())
    unknown = list(draft.unknown)
    if kind is None:
        unknown.append(f"subjectType:{draft.subject_type}")
        counts[f"unknown:subjectType:{draft.subject_type}"] += 1
        kind = "entity"
    primary, names = _names(draft.aliases, lossy, counts)
    if primary is None:
        counts["skipped:record_without_name"] += 1
        return None
    primary_name = names[0].name
    name_parts = tuple(
        part for part in map(_clean, (primary.first_name, primary.middle_name, primary.last_name)) if part
    ) or (primary_name,)
    listed_on = draft.designation_date or min([*draft.regulation_dates, *draft.detail_dates], default=None)
    programmes = tuple(dict.fromkeys(draft.programmes))
    return ParsedRecord(
        external_id=draft.logical_id,
        kind=kind,
        reference_number=draft.eu_reference or f"EU-{draft.logical_id}",
        regime=programmes[0] if programmes else "",
        list_types=(),
        listed_on=listed_on,
        last_updated=tuple(
            sorted(day for day in set(draft.regulation_dates) if listed_on is None or day > listed_on)
        ),
        comments="\n".join(dict.fromkeys(remark for remark in draft.remarks if remark)),
        primary_name=primary_name,
        name_parts=name_parts,
        gender=next((_GENDERS[alias.gender] for alias in draft.aliases if alias.gender in _GENDERS), ""),
        titles=_distinct(alias.title for alias in draft.aliases),
        designations=_distinct(alias.function for alias in draft.aliases),
        names=names,
        identifiers=tuple(dict.fromkeys(draft.identifiers)),
        birth_dates=tuple(dict.fromkeys(draft.birth_dates)),
        nationalities=tuple(dict.fromkeys(draft.nationalities)),
        addresses=tuple(dict.fromkeys(draft.addresses)),
        raw=draft.raw,
        unknown_elements=tuple(dict.fromkeys(unknown)),
        programs=programmes,
        cited_un_reference=_un_reference(draft.un_reference, counts),
    )


def _names(
    aliases: list[_Alias], lossy: bool, counts: Counter[str]
) -> tuple[_Alias | None, tuple[ParsedName, ...]]:
    """(the alias taken as the primary name, every name with the primary first)."""
    readable: list[tuple[_Alias, str, str]] = []  # (alias, name, note on lost characters)
    for alias in aliases:
        name = _clean(alias.whole_name) or " ".join(
            part for part in map(_clean, (alias.first_name, alias.middle_name, alias.last_name)) if part
        )
        if not name:
            continue
        lost_note = ""
        if lossy and "?" in name:
            if name.count("?") > sum(char.isalpha() for char in name):
                counts["skipped:name_lost_in_encoding"] += 1
                continue
            lost_note = _LOST_CHARACTERS_NOTE
        readable.append((alias, name, lost_note))
    if not readable:
        return None, ()
    # The primary is a strong name in English (or no language), in Latin letters, when there is one.
    position = next(
        (index for index, (alias, name, lost) in enumerate(readable)
         if alias.strong is not False and alias.language.upper() in ("", "EN") and not lost
         and detect_script(name) == "latin"),
        next((index for index, (alias, _, _) in enumerate(readable) if alias.strong is not False), 0),
    )  # fmt: skip
    primary_alias, primary_name, _ = readable[position]
    names = {
        primary_name: ParsedName(
            name=primary_name, kind="primary", script=detect_script(primary_name), note=_clean(primary_alias.remark)
        )
    }
    for alias, name, lost_note in readable:
        if name in names:
            continue  # the same name under several legal acts or languages
        script = detect_script(name)
        language = alias.language.upper()
        quality, remark = _alias_quality(alias)
        names[name] = ParsedName(
            name=name,
            kind="original_script" if script != "latin" and language not in EU_LANGUAGES else "alias",
            quality=quality,
            script=script,
            note=_join([f"language {language}" if language else "", remark, lost_note]),
        )
    return primary_alias, tuple(names.values())


def _alias_quality(alias: _Alias) -> tuple[str, str]:
    """(quality, the remark left to show): a "low quality" / "good quality" remark says it, else ``strong``."""
    remark = _clean(alias.remark)
    if said := _QUALITY_REMARK.search(remark):
        return ("low" if said["quality"].lower() in ("low", "lo") else "good"), ""
    if alias.strong is None:
        return "", remark
    return ("good" if alias.strong else "low"), remark


def _un_reference(text: str, counts: Counter[str]) -> str:
    text = _clean(text).rstrip(".")
    if not text:
        return ""
    result = identifiers.check_un_reference(text)
    if not result.valid:
        counts["warning:unitedNationId_not_a_UN_reference"] += 1  # kept as published in raw
        return ""
    return result.normalized


def _identifier(
    code: str,
    description: str,
    number: str,
    *,
    country: str = "",
    country_code: str = "",
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    note: str = "",
) -> ParsedIdentifier:
    value = _clean(number)
    label = _clean(description) or code
    if code.lower() == "imo":
        # The EU lists ships as enterprises, so an "imo" number may be a ship's or a company's:
        # the check digit tells them apart, and a company number wins when both rules pass.
        company, ship = identifiers.check_imo_company(value), identifiers.check_imo(value)
        is_ship = ship.valid and not company.valid
        result = ship if is_ship else company
        return ParsedIdentifier(
            type="imo" if is_ship else "imo_company",
            value=value,
            normalized=result.normalized or _normalized(value),
            valid=result.valid,
            type_label=label,
            country=country,
            country_code=country_code,
            issued_on=issued_on,
            expires_on=expires_on,
            note=_join([note, result.error]),
        )
    return ParsedIdentifier(
        type=_IDENTIFIER_TYPES.get(code.lower(), "other"),
        value=value,
        normalized=_normalized(value),
        valid=None,  # no check rule for passports or national ids
        type_label=label,
        country=country,
        country_code=country_code,
        issued_on=issued_on,
        expires_on=expires_on,
        note=note,
    )


# --------------------------------------------------------------------------- XML


def _read_xml(content: bytes, builder: _ListBuilder) -> None:
    if _prolog_has_doctype(content):
        raise ListParseError(_DTD_REFUSED)
    try:
        # The root first: "not an FSF export at all" (an HTML page) says more than a syntax error.
        _event, root = next(iter(_iterparse(content, events=("start",))), (None, None))
        if root is None:
            raise ListParseError("not well-formed (no root element)")
        prefix = _check_root(root)
        record_tag = prefix + RECORD_TAG
        events = _iterparse(content, events=("end",), tag=record_tag)
        for _event, element in events:
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # not directly under the root: read with whatever holds it
            builder.add(_xml_draft(element, prefix, builder.counts))
            _free(element, parent, record_tag, builder.counts)
        for child in events.root:
            if isinstance(child.tag, str) and child.tag != record_tag:
                builder.counts[f"{ROOT_TAG}/{_local(child.tag)}"] += 1
    except etree.ParseError as exc:  # XMLSyntaxError and friends carry the position
        raise ListParseError(_describe_syntax_error(exc)) from None


def _check_root(root: etree._Element) -> str:
    """The namespace prefix ("{...}") of the document's elements; refuses anything but an FSF export."""
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ListParseError(_DTD_REFUSED)
    namespace, _, local = root.tag.rpartition("}")
    namespace = namespace.lstrip("{")
    if local != ROOT_TAG or namespace not in (FSF_NAMESPACE, ""):
        raise ListParseError(
            f"wrong root element {root.tag!r} at line {root.sourceline}: expected {ROOT_TAG}"
            f" in the namespace {FSF_NAMESPACE}"
        )
    return f"{{{namespace}}}" if namespace else ""


def _xml_draft(element: etree._Element, prefix: str, counts: Counter[str]) -> _Draft:
    unknown: list[str] = []
    raw = _as_node(_read_element(element, prefix, RECORD_TAG, "", unknown))
    for path in unknown:
        counts[f"{RECORD_TAG}/{path}"] += 1
    location = f"line {element.sourceline}"
    logical_id = _clean(element.get("logicalId"))
    if not _LOGICAL_ID.fullmatch(logical_id):
        problem = f"logicalId {logical_id!r}, not a number" if logical_id else "no logicalId"
        raise ListParseError(f"{RECORD_TAG} at {location} has {problem}")
    subject = _first(raw, "subjectType")
    notes: list[str] = []
    draft = _Draft(
        logical_id=logical_id,
        location=location,
        subject_type=_clean(subject.get("classificationCode")) or _clean(subject.get("code")),
        eu_reference=_clean(raw.get("euReferenceNumber")),
        un_reference=_clean(raw.get("unitedNationId")),
        designation_date=_full_date(raw.get("designationDate"), notes, "designationDate"),
        remarks=[
            *_texts(raw, "remark"),
            _clean(raw.get("designationDetails")),
            *_additional_information(raw),
            *notes,
        ],
        unknown=unknown,
        raw=raw,
    )
    for regulation in _nodes(raw, "regulation"):
        if programme := _clean(regulation.get("programme")):
            draft.programmes.append(programme)
        if published := _full_date(regulation.get("publicationDate")):
            draft.regulation_dates.append(published)
    for detail_tag in ("nameAlias", "citizenship", "birthdate", "address", "identification"):
        for detail in _nodes(raw, detail_tag):
            for summary in _nodes(detail, "regulationSummary"):
                if published := _full_date(summary.get("publicationDate")):
                    draft.detail_dates.append(published)
    draft.aliases = [_xml_alias(alias) for alias in _nodes(raw, "nameAlias")]
    draft.nationalities = [
        nationality for nationality in map(_xml_citizenship, _nodes(raw, "citizenship")) if nationality
    ]
    places_of_birth: list[ParsedAddress] = []
    for birth in _nodes(raw, "birthdate"):
        birth_date, place = _xml_birthdate(birth)
        if birth_date is not None:
            draft.birth_dates.append(birth_date)
        if place is not None:
            places_of_birth.append(place)
    draft.addresses = [
        *(address for address in map(_xml_address, _nodes(raw, "address")) if address),
        *places_of_birth,
    ]
    for identification in _nodes(raw, "identification"):
        draft.identifiers.extend(_xml_identifiers(identification))
    return draft


def _xml_alias(node: Mapping[str, object]) -> _Alias:
    strong = _boolean(node.get("strong"))
    return _Alias(
        whole_name=_clean(node.get("wholeName")),
        first_name=_clean(node.get("firstName")),
        middle_name=_clean(node.get("middleName")),
        last_name=_clean(node.get("lastName")),
        gender=_clean(node.get("gender")).upper(),
        title=_clean(node.get("title")),
        function=_clean(node.get("function")),
        language=_clean(node.get("nameLanguage")),
        strong=strong,
        remark=_join(_texts(node, "remark")),
    )


def _xml_country(node: Mapping[str, object]) -> tuple[str, str]:
    """(country as published, ISO alpha-2) of a detail; ('', '') when it says UNKNOWN."""
    description = _clean(node.get("countryDescription"))
    code = _clean(node.get("countryIso2Code")).upper()
    if description.upper() in _UNKNOWN_COUNTRY:
        description = ""
    return description, _country_code(code, description)


def _xml_citizenship(node: Mapping[str, object]) -> ParsedNationality | None:
    country, code = _xml_country(node)
    value = country or _clean(node.get("region"))
    return ParsedNationality(value=value, country_code=code) if value or code else None


def _xml_birthdate(node: Mapping[str, object]) -> tuple[ParsedBirthDate | None, ParsedAddress | None]:
    notes = [*_texts(node, "remark")]
    calendar = _clean(node.get("calendarType")).upper()
    if calendar and calendar != "GREGORIAN":
        notes.append(f"{calendar.lower()} calendar")
    circa = _boolean(node.get("circa")) is True
    full_date = _full_date(node.get("birthdate"), notes, "birthdate")
    year, month, day = (_integer(node.get(name), notes, name) for name in ("year", "monthOfYear", "dayOfMonth"))
    year_from, year_to = (_integer(node.get(name), notes, name) for name in ("yearRangeFrom", "yearRangeTo"))
    birth_date: ParsedBirthDate | None = None
    qualifier = "approximate" if circa else "exact"
    if full_date is None and year and month and day:
        try:
            full_date = dt.date(year, month, day)
        except ValueError:
            notes.append(f"{year:04d}-{month:02d}-{day:02d} is not a date")
    if full_date is not None:
        birth_date = ParsedBirthDate(qualifier, date=full_date, year=full_date.year, note=_join(notes))
    elif year:
        month_note = f"month {month}" if month else ""
        birth_date = ParsedBirthDate(qualifier, year=year, note=_join([month_note, *notes]))
    elif year_from or year_to:
        years = [value for value in (year_from, year_to) if value]
        low, high = min(years), max(years)  # ordered: the database checks year <= year_to
        birth_date = ParsedBirthDate("between", year=low, year_to=high, note=_join(["circa" if circa else "", *notes]))
    elif notes:
        birth_date = ParsedBirthDate("unknown", note=_join(notes))

    country, code = _xml_country(node)
    city, place = _clean(node.get("city")), _clean(node.get("place"))
    fields = {
        "city": city or place,
        "state_province": _clean(node.get("region")),
        "zip_code": _clean(node.get("zipCode")),
        "country": country,
        "note": place if city and place else "",
    }
    if not any(fields.values()) and not code:
        return birth_date, None
    return birth_date, ParsedAddress(kind="place_of_birth", country_code=code, **fields)


def _xml_address(node: Mapping[str, object]) -> ParsedAddress | None:
    country, code = _xml_country(node)
    city, place = _clean(node.get("city")), _clean(node.get("place"))
    po_box = _clean(node.get("poBox"))
    contacts = [
        f"{_clean(contact.get('key'))}: {_clean(contact.get('value'))}" for contact in _nodes(node, "contactInfo")
    ]
    fields = {
        "street": _join([_clean(node.get("street")), f"PO Box {po_box}" if po_box else ""], ", "),
        "city": city or place,
        "state_province": _clean(node.get("region")),
        "zip_code": _clean(node.get("zipCode")),
        "country": country,
        "note": _join([
            place if city and place else "",
            *contacts,
            *_texts(node, "remark"),
            "address at listing time" if _boolean(node.get("asAtListingTime")) else "",
        ]),
    }  # fmt: skip
    if not any(fields.values()) and not code:
        return None
    return ParsedAddress(kind="address", country_code=code, **fields)


def _xml_identifiers(node: Mapping[str, object]) -> Iterator[ParsedIdentifier]:
    number = _clean(node.get("number"))
    latin_number = _clean(node.get("latinNumber"))
    country, code = _xml_country(node)
    notes: list[str] = [label for attribute, label in _IDENTIFIER_FLAGS if _boolean(node.get(attribute))]
    issued_on = _full_date(node.get("issueDate"), notes, "issued")
    expires_on = _full_date(node.get("validTo"), notes, "valid to")
    if valid_from := _clean(node.get("validFrom")):
        notes.append(f"valid from {valid_from}")
    for attribute, label in (("issuedBy", "issued by"), ("nameOnDocument", "name on document"), ("region", "region")):
        if value := _clean(node.get(attribute)):
            notes.append(f"{label} {value}")
    notes.extend(_texts(node, "remark"))
    type_code = _clean(node.get("identificationTypeCode"))
    description = _clean(node.get("identificationTypeDescription"))
    for value, extra_note in ((number, ""), (latin_number if latin_number != number else "", "latin number")):
        if value:
            yield _identifier(
                type_code, description, value, country=country, country_code=code,
                issued_on=issued_on, expires_on=expires_on, note=_join([extra_note, *notes]),
            )  # fmt: skip


def _additional_information(node: Mapping[str, object]) -> list[str]:
    return [
        f"{_clean(item.get('key'))}: {_clean(item.get('value'))}".strip(": ")
        for item in _nodes(node, "additionalInformation")
    ]


# A record is read once into the plain form it is stored in (``ParsedRecord.raw``): an element is a
# dict of its attributes, with each child tag holding the list of its children's forms; an element
# with neither attributes nor children is its text. Every field is then taken from that form.
def _read_element(
    element: etree._Element, prefix: str, local: str, path: str, unknown: list[str]
) -> dict[str, object] | str:
    raw: dict[str, object] = dict(element.attrib)
    children: dict[str, list[object]] = {}
    known = KNOWN_STRUCTURE.get(local)
    for child in element:
        if not isinstance(child.tag, str):
            continue  # a comment or processing instruction left in place
        child_local = _local(child.tag)
        in_namespace = child.tag == prefix + child_local
        if known is None or child_local not in known or not in_namespace:
            unknown.append(path + (child_local if in_namespace else child.tag))
            value = _read_element(child, prefix, "", "", [])
        else:
            value = _read_element(child, prefix, child_local, f"{path}{child_local}/", unknown)
        key = child_local if in_namespace else child.tag
        if key in element.attrib:
            key = f"<{key}>"  # an element named like an attribute of its parent
        children.setdefault(key, []).append(value)
    raw.update(children)
    text = (element.text or "").strip()
    if not raw:
        return text
    if text:
        raw["#text"] = text
    return raw


def _nodes(node: Mapping[str, object], tag: str) -> list[Mapping[str, object]]:
    values = node.get(tag)
    return [_as_node(value) for value in values] if isinstance(values, list) else []


def _as_node(value: object) -> dict[str, object]:
    """An element's raw form as a dict: a text-only element becomes {"#text": text}."""
    return value if isinstance(value, dict) else {"#text": value}


def _first(node: Mapping[str, object], tag: str) -> Mapping[str, object]:
    nodes = _nodes(node, tag)
    return nodes[0] if nodes else {}


def _texts(node: Mapping[str, object], tag: str) -> list[str]:
    texts = (str(child.get("#text", "")).strip() for child in _nodes(node, tag))
    return [text for text in texts if text]


def _free(element: etree._Element, parent: etree._Element, record_tag: str, counts: Counter[str]) -> None:
    # Drop the finished record's content and every earlier sibling, counting the unknown ones.
    element.clear(keep_tail=False)
    while (first := parent[0]) is not element:
        if isinstance(first.tag, str) and first.tag != record_tag:
            counts[f"{ROOT_TAG}/{_local(first.tag)}"] += 1
        del parent[0]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _iterparse(content: bytes, **options) -> etree.iterparse:
    return etree.iterparse(
        io.BytesIO(content),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        **options,
    )


def _prolog_has_doctype(content: bytes) -> bool:
    # Cheap byte-level check before lxml sees anything; the docinfo check at the root
    # catches encodings this scan cannot read (e.g. UTF-16).
    position = len(_UTF8_BOM) if content.startswith(_UTF8_BOM) else 0
    while (item := _PROLOG_ITEM.match(content, position)) and item.end() > position:
        position = item.end()
    return content.startswith(b"<!DOCTYPE", position)


def _describe_syntax_error(exc: etree.ParseError) -> str:
    reason = " ".join(_SYNTAX_POSITION_SUFFIX.sub("", exc.msg or str(exc)).split()) or "syntax error"
    line = exc.lineno or 0
    if line <= 0:
        return f"not well-formed ({reason})"
    return f"not well-formed ({reason}) at line {line}, column {max(exc.offset or 0, 0)}"


# --------------------------------------------------------------------------- CSV


def _read_csv(content: bytes, builder: _ListBuilder) -> None:
    text, lossy = _decode(content)
    if "\x00" in text:
        raise ListParseError("document holds NUL characters: a UTF-16 or binary file, not the FSF CSV")
    builder.names_in_lossy_encoding = lossy
    rows = _csv_rows(text)
    header_line, header = next(rows, (0, []))
    columns = _column_positions(header, header_line)
    expected = len(header)
    drafts: dict[str, _CsvEntity] = {}
    row_number = 0
    for line, cells in rows:
        row_number += 1
        location = f"row {row_number} (line {line})"
        if len(cells) != expected:
            raise ListParseError(
                f"{location}: {len(cells)} columns, expected {expected} as in the header; a cut or corrupt file?"
            )
        row = _CsvRow(cells, columns)
        logical_id = row.get("Entity_logical_id")
        if not _LOGICAL_ID.fullmatch(logical_id):
            raise ListParseError(f"{location}: Entity_logical_id {logical_id!r} is not a number")
        entity = drafts.get(logical_id)
        if entity is None:
            entity = drafts[logical_id] = _CsvEntity(logical_id, location)
        entity.add_row(row)
    for name in columns.unknown:
        builder.counts[f"unknown:column:{name}"] += 1
    for entity in drafts.values():
        builder.add(entity.finish())


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each non-blank row; a row wrapped whole in one quoted field is unwrapped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    try:
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) == 1 and ";" in cells[0]:
                # The re-saved form: the line is one quoted field, padded with tabs after its last cell.
                inner = list(csv.reader(io.StringIO(cells[0].rstrip("\t"), newline=""), delimiter=";", strict=True))
                if len(inner) != 1:
                    raise ListParseError(f"line {reader.line_num}: a wrapped row holds {len(inner)} rows")
                cells = inner[0]
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ListParseError(f"line {reader.line_num}: malformed CSV ({exc}); a cut or corrupt file?") from None


@dataclass(frozen=True)
class _Columns:
    position: Mapping[str, int]  # first position of each column name
    unknown: tuple[str, ...]


def _column_positions(header: list[str], line: int) -> _Columns:
    names = [cell.strip() for cell in header]
    if names and names[0].startswith("Date_file"):
        names[0] = "Date_file"
    position: dict[str, int] = {}
    for index, name in enumerate(names):
        position.setdefault(name, index)
    missing = [name for name in _REQUIRED_CSV_COLUMNS if name not in position]
    if missing:
        shown = ";".join(names[:4])[:80]
        raise ListParseError(
            f"not an EU FSF CSV: the header (line {line or 1}) lacks {', '.join(missing)}"
            f" (it starts {shown!r})"
        )
    known = set(CSV_COLUMNS)
    return _Columns(position, tuple(dict.fromkeys(name for name in names if name not in known)))


class _CsvRow:
    def __init__(self, cells: list[str], columns: _Columns) -> None:
        self.cells = cells
        self.columns = columns

    def get(self, name: str) -> str:
        """The cell as published, trimmed ('' when the file has no such column)."""
        index = self.columns.position.get(name)
        return self.cells[index].strip() if index is not None else ""

    def value(self, name: str) -> str:
        """The cell as read: tabs were commas, a literal backslash-n a line break."""
        return self.get(name).replace("\t", ",").replace("\\n", "\n")

    def section(self, prefix: str) -> dict[str, str]:
        return {
            name: self.get(name) for name in self.columns.position if name.startswith(prefix + "_")
        }


class _CsvEntity:
    """The rows of one Entity_logical_id, turned into a draft when all are read."""

    def __init__(self, logical_id: str, location: str) -> None:
        self.draft = _Draft(logical_id=logical_id, location=location, subject_type="")
        self.seen: set[tuple[str, str]] = set()  # (section, its logical id)
        self.entity_columns: dict[str, str] = {"Entity_logical_id": logical_id}
        self.regulations: dict[tuple[str, ...], None] = {}  # the entity block's distinct legal acts
        self.sections: dict[str, list[dict[str, str]]] = {}
        self.readers = {
            "Naal": self._add_name, "Addr": self._add_address, "Birt": self._add_birth,
            "Iden": self._add_identification, "Citi": self._add_citizenship,
        }  # fmt: skip

    def add_row(self, row: _CsvRow) -> None:
        draft = self.draft
        draft.subject_type = draft.subject_type or row.get("Subject_type")
        draft.eu_reference = draft.eu_reference or row.get("EU_ref_num")
        for name in ("Date_file", "Subject_type", "EU_ref_num"):
            self.entity_columns.setdefault(name, row.get(name))
        regulation = tuple(row.get(name) for name in _CSV_ENTITY_COLUMNS)
        if regulation not in self.regulations:
            self.regulations[regulation] = None
            if programme := row.get("Programme"):
                draft.programmes.append(programme)
            if published := _full_date(row.get("Leba_publication_date")):
                draft.regulation_dates.append(published)
            draft.remarks.append(row.value("Entity_remark").strip())
        for prefix in _CSV_SECTIONS:
            section_id = row.get(f"{prefix}_logical_id")
            if not section_id or (prefix, section_id) in self.seen:
                continue
            self.seen.add((prefix, section_id))
            self.sections.setdefault(_CSV_SECTION_RAW_KEYS[prefix], []).append(row.section(prefix))
            if published := _full_date(row.get(f"{prefix}_leba_publication_date")):
                draft.detail_dates.append(published)
            self.readers[prefix](row)

    def finish(self) -> _Draft:
        self.draft.raw = {
            **self.entity_columns,
            "regulations": [dict(zip(_CSV_ENTITY_COLUMNS, regulation)) for regulation in self.regulations],
            **self.sections,
        }
        return self.draft

    def _add_name(self, row: _CsvRow) -> None:
        self.draft.aliases.append(
            _Alias(
                whole_name=row.value("Naal_wholename"),
                first_name=row.value("Naal_firstname"),
                middle_name=row.value("Naal_middlename"),
                last_name=row.value("Naal_lastname"),
                gender=row.get("Naal_gender").upper(),
                title=row.value("Naal_title"),
                function=row.value("Naal_function"),
                language=row.get("Naal_language"),
            )
        )

    def _add_address(self, row: _CsvRow) -> None:
        country = row.get("Addr_country")
        fields = {
            "street": _join([_clean(row.value("Addr_number")), _clean(row.value("Addr_street"))], " "),
            "city": _clean(row.value("Addr_city")),
            "zip_code": _clean(row.value("Addr_zipcode")),
            "country": country,
            "note": _join(_clean(line) for line in row.value("Addr_other").split("\n")),
        }
        if any(fields.values()):
            self.draft.addresses.append(ParsedAddress(kind="address", country_code=_country_code(country), **fields))

    def _add_birth(self, row: _CsvRow) -> None:
        published = row.get("Birt_date")
        birth_date = _csv_birth_date(published)
        if birth_date is not None:
            self.draft.birth_dates.append(birth_date)
        place = _clean(row.value("Birt_place"))
        note = ""
        if journal := _OFFICIAL_JOURNAL_LANGUAGE.search(place):  # "Mossoul (J.O. FR)": the French text's spelling
            place, note = place[: journal.start()], f"spelling of the {journal['note']}"
        if place == "-":
            place = ""
        country = row.get("Birt_country")
        if place or country:
            self.draft.addresses.append(
                ParsedAddress(kind="place_of_birth", city=place, country=country,
                              country_code=_country_code(country), note=note)
            )  # fmt: skip

    def _add_identification(self, row: _CsvRow) -> None:
        published = _clean(row.value("Iden_number"))
        if not published:
            return
        country = row.get("Iden_country")
        packed = _CSV_IDENTIFICATION.fullmatch(published)
        if packed is None:
            self.draft.identifiers.append(
                _identifier("", "", published, country=country, country_code=_country_code(country))
            )
            return
        rest = packed["rest"].strip()
        if rest.startswith("(") and rest.endswith(")"):
            rest = rest[1:-1].strip()
        notes: list[str] = []
        issued = _ISSUED.search(rest)
        expires = _EXPIRES.search(rest)
        issued_on = _full_date(issued["date"]) if issued else None
        expires_on = _full_date(expires["date"]) if expires else None
        if rest and rest.strip("()").lower() != packed["code"].lower():  # "((passport))" repeats the type
            notes.append(rest)
        self.draft.identifiers.append(
            _identifier(
                packed["code"], packed["description"], packed["number"],
                country=country, country_code=_country_code(country),
                issued_on=issued_on, expires_on=expires_on, note=_join(notes),
            )
        )  # fmt: skip

    def _add_citizenship(self, row: _CsvRow) -> None:
        country = row.get("Citi_country")
        if country:
            self.draft.nationalities.append(ParsedNationality(value=country, country_code=_country_code(country)))


def _csv_birth_date(text: str) -> ParsedBirthDate | None:
    """'1937-04-28', '1937' or '1937-00-00' (unknown parts); 'N/A' and blanks give None."""
    text = _clean(text)
    if not text or text.upper() == "N/A":
        return None
    match = _CSV_BIRTH_DATE.fullmatch(text)
    if match is None:
        return ParsedBirthDate("unknown", note=f"Birt_date {text}")
    year, month, day = int(match["year"]), int(match["month"] or 0), int(match["day"] or 0)
    if month and day:
        try:
            return ParsedBirthDate("exact", date=dt.date(year, month, day), year=year)
        except ValueError:
            return ParsedBirthDate("unknown", note=f"Birt_date {text}")
    return ParsedBirthDate("exact", year=year, note=f"month {month}" if month else "")


def _decode(content: bytes) -> tuple[str, bool]:
    """(text, whether it was read as an 8-bit encoding, which loses letters it cannot hold)."""
    if content.startswith(_UTF8_BOM):
        try:
            return content[len(_UTF8_BOM):].decode("utf-8"), False
        except UnicodeDecodeError as exc:
            raise ListParseError(f"document starts with a UTF-8 BOM but is not UTF-8 (byte {exc.start})") from None
    try:
        return content.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), True
    except UnicodeDecodeError:
        return content.decode("latin-1"), True  # cannot fail: every byte is a character


# --------------------------------------------------------------------------- small helpers


def _as_bytes(content: object) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, (bytearray, memoryview)):
        return bytes(content)
    raise TypeError(f"expected bytes, got {type(content).__name__}")


def _is_xml(content: bytes) -> bool:
    if content.startswith(_UTF16_BOMS):
        return content[2:4] in (b"<\x00", b"\x00<")
    body = content[len(_UTF8_BOM):] if content.startswith(_UTF8_BOM) else content
    return body.lstrip(b" \t\r\n").startswith(b"<")


def _clean(text: object) -> str:
    """Trim and collapse whitespace runs, newlines included."""
    return " ".join(str(text).split()) if text else ""


def _join(notes: Iterable[str], separator: str = "; ") -> str:
    return separator.join(note for note in notes if note)


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in map(_clean, values) if value))


def _normalized(value: str) -> str:
    return "".join(char for char in value.upper() if char.isalnum())


def _boolean(text: object) -> bool | None:
    value = _clean(text).lower()
    return True if value in ("true", "1") else False if value in ("false", "0") else None


def _integer(text: object, notes: list[str], label: str) -> int | None:
    value = _clean(text)
    if not value:
        return None
    if value.lstrip("-").isdigit() and int(value) > 0:
        return int(value)
    if value != "0":
        notes.append(f"{label} {value}")
    return None


@lru_cache(maxsize=4096)
def _partial_date(text: str) -> identifiers.PartialDate | None:
    # The same few hundred publication dates repeat thousands of times per file.
    try:
        return identifiers.parse_partial_date(text)
    except ValueError:
        return None


def _day(text: str) -> dt.date | None:
    partial = _partial_date(text)
    return partial.earliest() if partial is not None and partial.precision == "day" else None


def _full_date(text: object, notes: list[str] | None = None, label: str = "") -> dt.date | None:
    value = _clean(text)
    if not value:
        return None
    day = _day(value)
    if day is None and notes is not None:
        notes.append(f"{label} {value}")
    return day


@lru_cache(maxsize=4096)
def _country_code(code: str, description: str = "") -> str:
    """ISO alpha-2 from an alpha-2 or alpha-3 code, else from the country's name; '' when unknown."""
    if code and code.upper() not in _UNKNOWN_COUNTRY:
        result = identifiers.check_country_code(code)
        if result.valid:
            return result.normalized
    if not description:
        return ""
    return identifiers.country_code_from_name(description) or ""
