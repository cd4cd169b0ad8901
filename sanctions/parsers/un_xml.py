"""Streaming parser for the UN Security Council Consolidated List XML (``consolidated.xml``).

Pure: bytes in, frozen dataclasses out (see ``sanctions.parsers.types``). No ORM, no network,
no Django settings. The format as it really is, quirks included, is described in
``shared/docs/un-list-format.md``; section numbers below refer to that document.

Safety: the document is refused before parsing when it is over ``max_bytes`` or carries a
DOCTYPE, and lxml runs with entity resolution, DTD loading, network access and huge-tree
support all off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
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

__all__ = [
    "DEFAULT_MAX_BYTES", "ListParseError", "content_sha256", "detect_script", "parse_un_consolidated",
    "read_date_generated",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
IMO_FROM_COMMENTS_LABEL = "IMO number (from comments)"
_DTD_REFUSED = "document has a DOCTYPE/DTD, which is refused (entity expansion and external entity risk)"

ROOT_TAG = "CONSOLIDATED_LIST"
RECORD_CONTAINERS = frozenset({"INDIVIDUALS", "ENTITIES"})
RECORD_KINDS = {"INDIVIDUAL": "individual", "ENTITY": "entity"}
NAME_PART_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")

# The element tree we understand, per record kind: tag -> children (None for a text leaf).
# Anything else is counted as unknown but still kept in ``raw`` (the schema drifts, §2).
_VALUES: Mapping[str, None] = {"VALUE": None}
_ADDRESS_CHILDREN: Mapping[str, None] = dict.fromkeys(
    ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY", "NOTE")
)
_COMMON_CHILDREN: Mapping[str, Mapping[str, None] | None] = {
    **dict.fromkeys(
        (
            "DATAID", "VERSIONNUM", *NAME_PART_TAGS, "UN_LIST_TYPE", "REFERENCE_NUMBER", "LISTED_ON",
            "GENDER", "SUBMITTED_BY", "SUBMITTED_ON", "NAME_ORIGINAL_SCRIPT", "COMMENTS1",
            "HAS_INTERPOL_LINK", "INTERPOL_LINK", "SORT_KEY", "SORT_KEY_LAST_MOD",
        )
    ),
    **dict.fromkeys(("TITLE", "DESIGNATION", "NATIONALITY", "LIST_TYPE", "LAST_DAY_UPDATED"), _VALUES),
}
KNOWN_STRUCTURE: Mapping[str, Mapping[str, Mapping[str, None] | None]] = {
    "INDIVIDUAL": {
        **_COMMON_CHILDREN,
        "INDIVIDUAL_ALIAS": dict.fromkeys(
            ("QUALITY", "ALIAS_NAME", "DATE_OF_BIRTH", "CITY_OF_BIRTH", "COUNTRY_OF_BIRTH", "NOTE")
        ),
        "INDIVIDUAL_ADDRESS": _ADDRESS_CHILDREN,
        "INDIVIDUAL_DATE_OF_BIRTH": dict.fromkeys(("TYPE_OF_DATE", "DATE", "YEAR", "FROM_YEAR", "TO_YEAR", "NOTE")),
        "INDIVIDUAL_PLACE_OF_BIRTH": _ADDRESS_CHILDREN,
        "INDIVIDUAL_DOCUMENT": dict.fromkeys(
            (
                "TYPE_OF_DOCUMENT", "TYPE_OF_DOCUMENT2", "NUMBER", "ISSUING_COUNTRY", "COUNTRY_OF_ISSUE",
                "CITY_OF_ISSUE", "DATE_OF_ISSUE", "DATE_OF_EXPIRY", "NOTE",
            )
        ),
    },
    "ENTITY": {
        **_COMMON_CHILDREN,
        "ENTITY_ALIAS": dict.fromkeys(("QUALITY", "ALIAS_NAME", "NOTE")),
        "ENTITY_ADDRESS": _ADDRESS_CHILDREN,
    },
}

_ALIAS_QUALITIES = {"good": "good", "low": "low", "a.k.a.": "aka", "aka": "aka", "f.k.a.": "fka", "fka": "fka"}
_DOB_QUALIFIERS = {"EXACT": "exact", "APPROXIMATELY": "approximate", "APPROXIMATE": "approximate", "BETWEEN": "between"}

_XS_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?"
)
_YEAR = re.compile(r"\d{4}")
_YEAR_RANGE = re.compile(r"(\d{4})\s*-\s*(\d{4})")
# §5: "IMO Number: 5342883.", "Company Number IMO 5434358.", "(IMO) Number: 1790183." ...
_IMO_IN_TEXT = re.compile(r"(?<![A-Za-z])IMO\b[^0-9]{0,40}?(?<!\d)(\d{7})(?!\d)")
_SYNTAX_POSITION_SUFFIX = re.compile(r",\s*line \d+,\s*column \d+\s*$")

_ROOT_START_TAG = re.compile(rb"<" + ROOT_TAG.encode() + rb"\b[^>]*>")
_DATE_GENERATED_ATTR = re.compile(rb"""(\sdateGenerated\s*=\s*)(["'])([^"']*)\2""")
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_UTF8_BOM = b"\xef\xbb\xbf"

_SCRIPT_BY_NAME_WORD = (
    ("CJK", "han"), ("IDEOGRAPH", "han"), ("HANGUL", "hangul"), ("HIRAGANA", "kana"),
    ("KATAKANA", "kana"), ("LATIN", "latin"), ("CYRILLIC", "cyrillic"), ("ARABIC", "arabic"),
    ("GREEK", "greek"), ("HEBREW", "hebrew"), ("THAI", "thai"), ("ETHIOPIC", "ethiopic"),
)


# --------------------------------------------------------------------------- public API


def parse_un_consolidated(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedList:
    """Parse a whole consolidated list, or raise ListParseError saying what is wrong and where."""
    data = _as_bytes(data)
    _refuse_unsafe_input(data, max_bytes)
    builder = _ListBuilder()
    events = _iterparse(data, events=("end",), tag=tuple(RECORD_KINDS))
    try:
        # The root first: "not a UN list at all" (an HTML error page) says more than a syntax error.
        _event, root = next(iter(_iterparse(data, events=("start",))), (None, None))
        if root is None:
            raise ListParseError("not well-formed (no root element)")
        builder.check_root(root)
        for _event, element in events:
            builder.record_end(element)
        builder.document_end(events.root)
    except etree.ParseError as exc:  # XMLSyntaxError and friends carry the position
        raise ListParseError(_describe_syntax_error(exc)) from None
    return builder.finish(content_sha256(data))


def content_sha256(data: bytes) -> str:
    """sha256 of the bytes with the root's dateGenerated value blanked.

    The UN regenerates the file daily with only that timestamp changed (§6), so identical
    content must hash the same whatever its generation time.
    """
    data = _as_bytes(data)
    digest = hashlib.sha256()
    root_tag = _ROOT_START_TAG.search(data)
    if root_tag is None:
        digest.update(data)
    else:
        digest.update(data[: root_tag.start()])
        digest.update(_DATE_GENERATED_ATTR.sub(rb"\1\2\2", root_tag.group(0), count=1))
        digest.update(data[root_tag.end():])
    return digest.hexdigest()


def read_date_generated(data: bytes) -> dt.datetime | None:
    """The root's dateGenerated, read from its start tag without parsing the document (for a
    version recorded as unchanged, which is never parsed); None when it is absent or unreadable."""
    root_tag = _ROOT_START_TAG.search(_as_bytes(data))
    attribute = _DATE_GENERATED_ATTR.search(root_tag.group(0)) if root_tag else None
    return parse_xs_datetime(attribute.group(3).decode("ascii", "replace")) if attribute else None


def detect_script(text: str) -> str:
    """The dominant writing system of the letters in ``text``.

    A non-Latin script wins over Latin when both occur ("Jin Tiesan (金铁三)" is 'han'),
    because the non-Latin part is what needs special handling downstream.
    """
    if text.isascii():
        return "latin"  # every ASCII letter is Latin (and no letters at all counts as Latin too)
    counts = Counter(script for script in map(_char_script, text) if script)
    non_latin = [(count, script) for script, count in counts.items() if script != "latin"]
    if non_latin:
        return max(non_latin, key=lambda pair: pair[0])[1]
    return "latin"


# --------------------------------------------------------------------------- input safety


def _as_bytes(data: bytes) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"expected bytes, got {type(data).__name__}")


def _refuse_unsafe_input(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise ListParseError(f"document is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    if not data.strip():
        raise ListParseError("empty document")
    if _prolog_has_doctype(data):
        raise ListParseError(_DTD_REFUSED)


def _prolog_has_doctype(data: bytes) -> bool:
    # Cheap byte-level check before lxml sees anything; the docinfo check at the root
    # catches encodings this scan cannot read (e.g. UTF-16).
    position = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    while (item := _PROLOG_ITEM.match(data, position)) and item.end() > position:
        position = item.end()
    return data.startswith(b"<!DOCTYPE", position)


def _iterparse(data: bytes, **options) -> etree.iterparse:
    return etree.iterparse(
        io.BytesIO(data),
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


def _describe_syntax_error(exc: etree.ParseError) -> str:
    reason = " ".join(_SYNTAX_POSITION_SUFFIX.sub("", exc.msg or str(exc)).split()) or "syntax error"
    line = exc.lineno or 0
    if line <= 0:
        return f"not well-formed ({reason})"
    # 0-based column, as Python's xml.etree/expat reports it ("line 53, column 10"), so the
    # message matches the one documented for the known corrupt copies.
    column = max(exc.offset or 0, 0)
    return f"not well-formed ({reason}) at line {line}, column {column}"


# --------------------------------------------------------------------------- streaming


# A record is read into the plain form it is stored in (``ParsedRecord.raw``), in one pass over its
# elements, and every field is then taken from that form: dict lookups are far cheaper than
# lxml's find() or a second walk over lxml's element proxies. In that form an element is its text
# ('' for a <X/> placeholder) or, when it has child elements, a dict {tag: value | [values]}
# whose "#text" holds any non-blank text of its own; a repeated tag's values form a list.
def _read_element(
    element: etree._Element, known: Mapping[str, Mapping | None] | None, prefix: str, unknown: list[str]
) -> dict[str, object] | None:
    """The children of ``element`` as a raw dict (None when it has no child elements); the paths of
    children the format does not have (``known``) are appended to ``unknown``."""
    raw: dict[str, object] = {}
    for child in element:
        tag = child.tag
        if type(tag) is not str:
            continue  # an entity reference left unresolved
        if known is None or tag not in known:
            unknown.append(prefix + tag)
            value = _read_element(child, None, "", []) if len(child) else None
        else:
            value = _read_element(child, known[tag], f"{prefix}{tag}/", unknown) if len(child) else None
        if value is None:
            value = child.text or ""
        previous = raw.get(tag)
        if previous is None:
            raw[tag] = value
        elif type(previous) is list:  # values themselves are never lists
            previous.append(value)
        else:
            raw[tag] = [previous, value]
    if not raw:
        return None
    text = element.text
    if text and not text.isspace():  # mixed content is not expected; keep it rather than lose it
        raw["#text"] = text
    return raw


def _each(node: object, tag: str) -> list:
    """The values of every ``tag`` child of a raw element, in document order."""
    if type(node) is not dict:
        return []
    value = node.get(tag)
    if value is None:
        return []
    return value if type(value) is list else [value]


def _text(value: object) -> str:
    """An element's own text: a leaf's whole value, or a parent's "#text"."""
    return value if type(value) is str else value.get("#text", "")


def _first_text(node: object, tag: str) -> str:
    """The text of the first ``tag`` child of a raw element; '' when there is none."""
    if type(node) is not dict:
        return ""
    value = node.get(tag)
    if value is None:
        return ""
    return _text(value[0] if type(value) is list else value)


class _ListBuilder:
    """Receives the end of each INDIVIDUAL and ENTITY element and turns each record into a ParsedRecord.

    A record is read once into its raw form, every field is taken from that, and the record is then
    freed with everything before it: memory stays flat."""

    def __init__(self) -> None:
        self.generated_at: dt.datetime | None = None
        self.records: list[ParsedRecord] = []
        self.unknown_counts: Counter[str] = Counter()
        self.line_by_external_id: dict[str, int | None] = {}

    def record_end(self, element: etree._Element) -> None:
        container = element.getparent()
        root = container.getparent() if container is not None else None
        if root is None or root.getparent() is not None or container.tag not in RECORD_CONTAINERS:
            return  # not a record but part of one (or misplaced): read with whatever holds it
        unknown: list[str] = []
        raw = _read_element(element, KNOWN_STRUCTURE[element.tag], "", unknown) or {}
        self._add_record(element.tag, raw, unknown, element.sourceline)
        self._free(element, container)

    def document_end(self, root: etree._Element) -> None:
        # What is left besides records: elements the format does not have, at the top two levels.
        for child in root:
            if not isinstance(child.tag, str):
                continue
            if child.tag not in RECORD_CONTAINERS:
                self.unknown_counts[f"{ROOT_TAG}/{child.tag}"] += 1
            self._count_unknown_children(child)

    def finish(self, sha256: str) -> ParsedList:
        if not self.records:
            raise ListParseError("no INDIVIDUAL or ENTITY records found")
        return ParsedList(
            generated_at=self.generated_at,
            content_sha256=sha256,
            records=tuple(self.records),
            unknown_element_counts=dict(sorted(self.unknown_counts.items())),
        )

    def check_root(self, root: etree._Element) -> None:
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
            raise ListParseError(_DTD_REFUSED)
        if root.tag != ROOT_TAG:
            raise ListParseError(
                f"wrong root element {root.tag!r} at line {root.sourceline}: expected {ROOT_TAG}"
            )
        self.generated_at = parse_xs_datetime(root.get("dateGenerated", ""))

    def _count_unknown_children(self, parent: etree._Element) -> None:
        for child in parent:
            if isinstance(child.tag, str) and not (parent.tag in RECORD_CONTAINERS and child.tag in RECORD_KINDS):
                self.unknown_counts[f"{parent.tag}/{child.tag}"] += 1

    def _add_record(self, tag: str, raw: dict[str, object], unknown: list[str], line: int | None) -> None:
        record = _build_record(tag, raw, tuple(dict.fromkeys(unknown)), line)
        if record.external_id in self.line_by_external_id:
            raise ListParseError(
                f"duplicate DATAID {record.external_id} at line {line}"
                f" (first seen at line {self.line_by_external_id[record.external_id]})"
            )
        self.line_by_external_id[record.external_id] = line
        self.records.append(record)
        for path in unknown:
            self.unknown_counts[f"{tag}/{path}"] += 1

    def _free(self, element: etree._Element, container: etree._Element) -> None:
        # Drop the finished record's content and every earlier sibling, counting the unknown ones.
        element.clear(keep_tail=False)
        while (first := container[0]) is not element:
            if isinstance(first.tag, str) and first.tag not in RECORD_KINDS:
                self.unknown_counts[f"{container.tag}/{first.tag}"] += 1
            del container[0]


# --------------------------------------------------------------------------- one record


def _build_record(tag: str, element: dict[str, object], unknown: tuple[str, ...], line: int | None) -> ParsedRecord:
    """Turn one INDIVIDUAL or ENTITY element (``tag``, read into its raw form) into a ParsedRecord."""
    external_id = _clean(_first_text(element, "DATAID"))
    reference_number = _clean(_first_text(element, "REFERENCE_NUMBER"))
    if not external_id:
        raise ListParseError(
            f"{tag} without DATAID at line {line}"
            + (f" (REFERENCE_NUMBER {reference_number})" if reference_number else "")
        )
    name_parts = tuple(part for part in (_clean(_first_text(element, part_tag)) for part_tag in NAME_PART_TAGS) if part)
    primary_name = " ".join(name_parts)
    comments = _first_text(element, "COMMENTS1").strip()
    is_entity = tag == "ENTITY"
    regime = _clean(_first_text(element, "UN_LIST_TYPE"))
    return ParsedRecord(
        external_id=external_id,
        kind=RECORD_KINDS[tag],
        reference_number=reference_number,
        regime=regime,
        programs=(regime,) if regime else (),
        list_types=_values(element, "LIST_TYPE"),
        listed_on=_full_date(_first_text(element, "LISTED_ON")),
        last_updated=tuple(
            day for day in map(_full_date, _values(element, "LAST_DAY_UPDATED")) if day is not None
        ),
        comments=comments,
        primary_name=primary_name,
        name_parts=name_parts,
        gender=_clean(_first_text(element, "GENDER")),
        titles=_values(element, "TITLE"),
        designations=_values(element, "DESIGNATION"),
        names=tuple(_names(tag, element, primary_name)),
        identifiers=(
            *_documents(element),
            # Only companies carry IMO company numbers (§5); individuals never do.
            *(_imo_company_numbers(comments) if is_entity else ()),
        ),
        birth_dates=tuple(_birth_dates(element)),
        nationalities=tuple(
            ParsedNationality(value=value, country_code=_country_code(value))
            for value in _values(element, "NATIONALITY")
        ),
        addresses=tuple(_addresses(tag, element)),
        raw=element,
        unknown_elements=unknown,
    )


def _names(tag: str, element: dict[str, object], primary_name: str) -> Iterator[ParsedName]:
    if primary_name:
        yield ParsedName(name=primary_name, kind="primary", script=detect_script(primary_name))
    for original in _each(element, "NAME_ORIGINAL_SCRIPT"):
        name = _clean(_text(original))
        if name:  # a lone space was published once (§4.4)
            yield ParsedName(name=name, kind="original_script", script=detect_script(name))
    for alias in _each(element, f"{tag}_ALIAS"):
        name = _clean(_first_text(alias, "ALIAS_NAME"))
        if name:  # <QUALITY/><ALIAS_NAME/> placeholders (§4.2)
            yield ParsedName(
                name=name,
                kind="alias",
                quality=_ALIAS_QUALITIES.get(_clean(_first_text(alias, "QUALITY")).lower(), ""),
                script=detect_script(name),
                note=_clean(_first_text(alias, "NOTE")),
            )


def _birth_dates(element: object) -> Iterator[ParsedBirthDate]:
    for dob in _each(element, "INDIVIDUAL_DATE_OF_BIRTH"):
        parsed = _birth_date(dob)
        if parsed is not None:
            yield parsed
    for alias in _each(element, "INDIVIDUAL_ALIAS"):
        parsed = _alias_birth_date(alias)
        if parsed is not None:
            yield parsed


def _birth_date(dob: object) -> ParsedBirthDate | None:
    qualifier = _DOB_QUALIFIERS.get(_clean(_first_text(dob, "TYPE_OF_DATE")).upper(), "unknown")
    note = _clean(_first_text(dob, "NOTE"))
    leftovers: list[str] = []
    full_date, date_year = _date_or_year(_first_text(dob, "DATE"), leftovers, "DATE")
    plain_year = _year(_first_text(dob, "YEAR"), leftovers, "YEAR")
    from_year = _year(_first_text(dob, "FROM_YEAR"), leftovers, "FROM_YEAR")
    year_to = _year(_first_text(dob, "TO_YEAR"), leftovers, "TO_YEAR")
    year = next((candidate for candidate in (date_year, plain_year, from_year) if candidate is not None), None)
    if full_date is None and year is None and year_to is None and note:
        # Month-year DOBs exist only as NOTE ("August 1961", "Nov. 1973", §4.1); the note is kept too.
        full_date, year = _date_or_year(note, [], "NOTE")
    if year is not None and year_to is not None and year_to < year:
        year, year_to = year_to, year  # keep ranges ordered (the database checks year <= year_to)
    note = _join_notes([note, *leftovers])
    if full_date is None and year is None and year_to is None and not note:
        return None  # <TYPE_OF_DATE/> placeholder, or a qualifier with nothing to qualify
    return ParsedBirthDate(qualifier=qualifier, date=full_date, year=year, year_to=year_to, note=note)


def _alias_birth_date(alias: object) -> ParsedBirthDate | None:
    text = _clean(_first_text(alias, "DATE_OF_BIRTH"))
    if not text or text.lower() == "null":  # "null" was published on a few 2024 aliases
        return None
    alias_note = f"for alias {_clean(_first_text(alias, 'ALIAS_NAME'))}".rstrip()
    if year_range := _YEAR_RANGE.fullmatch(text):  # "1958 - 1964"
        low, high = sorted((int(year_range[1]), int(year_range[2])))
        return ParsedBirthDate("between", year=low, year_to=high, note=alias_note, from_alias=True)
    leftovers: list[str] = []
    full_date, year = _date_or_year(text, leftovers, "DATE_OF_BIRTH")
    qualifier = "exact" if year is not None else "unknown"
    return ParsedBirthDate(
        qualifier, date=full_date, year=year, note=_join_notes([*leftovers, alias_note]), from_alias=True
    )


def _addresses(tag: str, element: dict[str, object]) -> Iterator[ParsedAddress]:
    for address in _each(element, f"{tag}_ADDRESS"):
        parsed = _address(address, "address")
        if parsed is not None:
            yield parsed
    for place in _each(element, "INDIVIDUAL_PLACE_OF_BIRTH"):
        parsed = _address(place, "place_of_birth")
        if parsed is not None:
            yield parsed
    for alias in _each(element, "INDIVIDUAL_ALIAS"):
        city = _clean(_first_text(alias, "CITY_OF_BIRTH"))
        country = _clean(_first_text(alias, "COUNTRY_OF_BIRTH"))
        if city or country:
            yield ParsedAddress(
                kind="place_of_birth",
                city=city,
                country=country,
                country_code=_country_code(country),
                note=f"for alias {_clean(_first_text(alias, 'ALIAS_NAME'))}".rstrip(),
            )


def _address(element: object, kind: str) -> ParsedAddress | None:
    country = _clean(_first_text(element, "COUNTRY"))
    fields = {
        "street": _clean(_first_text(element, "STREET")),
        "city": _clean(_first_text(element, "CITY")),
        "state_province": _clean(_first_text(element, "STATE_PROVINCE")),
        "zip_code": _clean(_first_text(element, "ZIP_CODE")),
        "country": country,
        "note": _clean(_first_text(element, "NOTE")),
    }
    if not any(fields.values()):
        return None  # <COUNTRY/> placeholder (§4.5)
    return ParsedAddress(kind=kind, country_code=_country_code(country), **fields)


def _documents(element: object) -> Iterator[ParsedIdentifier]:
    for document in _each(element, "INDIVIDUAL_DOCUMENT"):
        parsed = _document(document)
        if parsed is not None:
            yield parsed


def _document(document: object) -> ParsedIdentifier | None:
    type_label = " / ".join(
        label for label in (_clean(_first_text(document, tag)) for tag in ("TYPE_OF_DOCUMENT", "TYPE_OF_DOCUMENT2"))
        if label
    )
    value = _first_text(document, "NUMBER").strip()
    # Two country fields are in use (§2); ISSUING_COUNTRY is the more common one.
    country = _clean(_first_text(document, "ISSUING_COUNTRY")) or _clean(_first_text(document, "COUNTRY_OF_ISSUE"))
    notes = [_clean(_first_text(document, "NOTE"))]
    issued_on = _full_date(_first_text(document, "DATE_OF_ISSUE"), notes, "issued")
    expires_on = _full_date(_first_text(document, "DATE_OF_EXPIRY"), notes, "expires")
    city = _clean(_first_text(document, "CITY_OF_ISSUE"))
    if city:
        notes.append(f"city of issue: {city}")
    note = _join_notes(notes)
    if not (type_label or value or country or issued_on or expires_on or note):
        return None  # <INDIVIDUAL_DOCUMENT/> placeholder
    return ParsedIdentifier(
        type=_document_type(document),
        value=value,
        normalized="".join(char for char in value.upper() if char.isalnum()),
        valid=None,  # no check rule for passports or national ids
        type_label=type_label,
        country=country,
        country_code=_country_code(country),
        issued_on=issued_on,
        expires_on=expires_on,
        note=note,
    )


def _document_type(document: object) -> str:
    # TYPE_OF_DOCUMENT is the structured one; TYPE_OF_DOCUMENT2 is free text that refines it.
    for tag in ("TYPE_OF_DOCUMENT", "TYPE_OF_DOCUMENT2"):
        kind = classify_document_type(_first_text(document, tag))
        if kind != "other":
            return kind
    return "other"


def classify_document_type(label: str) -> str:
    """'passport' | 'national_id' | 'other' for a published document type label."""
    text = " ".join(label.lower().split())
    if any(word in text for word in ("passport", "passeport", "pasaporte")):
        return "passport"
    if re.search(r"\bnational (identification|identity|id)\b", text) or any(
        phrase in text for phrase in ("identity card", "identity document", "tazkira", "civil identification")
    ):
        return "national_id"
    return "other"


def _imo_company_numbers(comments: str) -> Iterator[ParsedIdentifier]:
    for digits in dict.fromkeys(match[1] for match in _IMO_IN_TEXT.finditer(comments)):
        yield ParsedIdentifier(
            type="imo_company",
            value=digits,
            normalized=digits,
            valid=bool(identifiers.check_imo_company(digits).valid),
            type_label=IMO_FROM_COMMENTS_LABEL,
        )


# --------------------------------------------------------------------------- small helpers


def _values(element: object, wrapper_tag: str) -> tuple[str, ...]:
    texts = (_clean(_text(value)) for wrapper in _each(element, wrapper_tag) for value in _each(wrapper, "VALUE"))
    return tuple(text for text in texts if text)


def _clean(text: str | None) -> str:
    """Trim and collapse whitespace runs, newlines included (§4.3)."""
    return " ".join(text.split()) if text else ""


def _join_notes(notes: Iterable[str]) -> str:
    return "; ".join(note for note in notes if note)


def _date_or_year(text: str, leftovers: list[str], label: str) -> tuple[dt.date | None, int | None]:
    """(full date, year) from a full or partial date; text that is not a full date goes to leftovers."""
    text = _clean(text)
    if not text:
        return None, None
    partial = _partial_date(text)
    if partial is None:
        leftovers.append(f"{label}: {text}")  # unparseable: keep it readable instead of dropping it
        return None, None
    if partial.precision == "day":
        return partial.earliest(), partial.year
    if partial.precision == "month":
        leftovers.append(f"{label}: {text}")  # the month would be lost otherwise
    return None, partial.year


def _full_date(text: str | None, leftovers: list[str] | None = None, label: str = "") -> dt.date | None:
    text = _clean(text)
    if not text:
        return None
    partial = _partial_date(text)
    if partial is not None and partial.precision == "day":
        return partial.earliest()
    if leftovers is not None:
        leftovers.append(f"{label}: {text}")
    return None


@lru_cache(maxsize=8192)
def _partial_date(text: str) -> identifiers.PartialDate | None:
    # The same listing and update dates repeat thousands of times per file; PartialDate is frozen.
    # Handles xs:date offsets ("2008-12-16-04:00", §2 LISTED_ON) and month-name forms.
    try:
        return identifiers.parse_partial_date(text)
    except ValueError:
        return None


def _year(text: str, leftovers: list[str], label: str) -> int | None:
    text = _clean(text)
    if not text:
        return None
    if _YEAR.fullmatch(text):
        return int(text)
    leftovers.append(f"{label}: {text}")
    return None


def parse_xs_datetime(text: str | None) -> dt.datetime | None:
    """xs:dateTime with any fraction length and Z or ±hh:mm; no zone is taken as UTC."""
    match = _XS_DATETIME.fullmatch(_clean(text))
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match[index]) for index in range(1, 7))
    microsecond = int((match[7] or "0").ljust(6, "0")[:6])
    try:
        return dt.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=_timezone(match[8]))
    except ValueError:
        return None


def _timezone(designator: str | None) -> dt.timezone:
    if not designator or designator == "Z":
        return dt.timezone.utc
    sign = -1 if designator[0] == "-" else 1
    hours, minutes = int(designator[1:3]), int(designator[4:6])
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


@lru_cache(maxsize=4096)
def _country_code(name: str) -> str:
    # The same few hundred country names repeat thousands of times per file.
    if not name:
        return ""
    return identifiers.country_code_from_name(name) or ""


@lru_cache(maxsize=8192)
def _char_script(char: str) -> str:
    if not char.isalpha():
        return ""
    name = unicodedata.name(char, "")
    for word, script in _SCRIPT_BY_NAME_WORD:
        if word in name:
            return script
    return "other"
