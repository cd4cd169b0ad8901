"""Parser for FollowTheMoney entity files (``entities.ftm.json``): one FtM entity per JSON line.

Pure: bytes in, frozen dataclasses out (see ``sanctions.parsers.types``). No ORM, no network,
no Django settings.

The format, as the files really are (every OpenSanctions dataset is published in it, and this
service's own export, ``sanctions/api/ftm.py``, writes it):

* UTF-8, one JSON object per line (no enclosing array), ``\\n`` line ends. Each object is
  ``{"id": ..., "schema": ..., "properties": {prop: [value, ...]}}``: every property value is a
  list of strings, already in FtM's canonical form (ISO dates ``YYYY``, ``YYYY-MM`` or
  ``YYYY-MM-DD``; lower-case alpha-2 country codes such as ``kp``; ``IMO1234567``).
* OpenSanctions adds top-level keys: ``caption`` (the display name), ``datasets``, ``referents``
  (the source ids merged into this one), ``first_seen``, ``last_seen``, ``last_change`` and
  ``target`` (true for the designees themselves, false for related entities such as an owner
  that is not sanctioned). This service's export has none of them.
* The entities are flat and refer to each other by id. A designee (``Person``, ``Organization``,
  ``Company``, ``LegalEntity``, ``PublicBody``, ``Vessel``) is pointed at by one ``Sanction`` per
  designation (``entity``; ``authority``, ``authorityId``, ``unscId``, ``program``, ``programId``,
  ``provisions``, ``listingDate``, ``startDate``, ``endDate``, ``reason``, ``status``). Its
  documents are ``Identification`` / ``Passport`` entities (``holder``; OpenSanctions also copies
  the number to the holder's ``passportNumber`` / ``idNumber``), its structured addresses are
  ``Address`` entities named by its ``addressEntity`` (OpenSanctions also writes their ``full``
  text to the holder's ``address``). Relations between parties are entities of their own:
  ``Ownership`` (owner -> asset), ``UnknownLink`` (subject -> object), ``Associate`` (person ->
  associate), ``Directorship`` (director -> organization).

Which entities are records: one of the designee schemas that is marked ``"target": true``, or,
in a file that carries no ``target`` key (plain FtM, like this service's export), that a Sanction
in force points at. A designee whose every Sanction has an inactive status (Inactive, Expired,
Suspended...) is skipped and counted. Other entities are read only as parts of a record; those of
schemas this parser does not read (Event, CryptoWallet...) are counted under ``unread:<schema>``.

Each FtM id is a record's stable key (``external_id``, at most 64 characters: a longer one is
refused). Records are sorted by id, since an FtM file's line order carries no meaning.

Safety: the input is refused when it is over ``max_bytes``; ``json`` reads each line on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sanctions import identifiers
from sanctions.parsers.types import (
    ListParseError,
    ParsedAddress,
    ParsedBirthDate,
    ParsedIdentifier,
    ParsedLink,
    ParsedList,
    ParsedMeasure,
    ParsedName,
    ParsedNationality,
    ParsedRecord,
    ParsedVessel,
)
from sanctions.parsers.un_xml import classify_document_type, detect_script

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ListParseError",
    "MAX_ID_LENGTH",
    "TARGET_KINDS",
    "content_sha256",
    "parse_ftm_entities",
    "read_generated_at",
]

DEFAULT_MAX_BYTES = 512 * 1024 * 1024  # OpenSanctions' consolidated sanctions file is a few hundred MB
MAX_ID_LENGTH = 64  # ListEntry.external_id

# The schemas this parser reads, written out instead of asked of followthemoney's model: loading the
# model means reading its whole YAML schema set (slow, and a dependency the pure parsers do not
# otherwise have), and these few names and properties are all the parser needs (domain.md §5.1).
# A schema not named here is counted, not read; a subclass OpenSanctions does not use as a
# designee (e.g. Airplane) is skipped on purpose.
TARGET_KINDS: Mapping[str, str] = {
    "Person": "individual",
    "Organization": "entity",
    "Company": "entity",
    "LegalEntity": "entity",
    "PublicBody": "entity",
    "Vessel": "vessel",
}
SANCTION = "Sanction"
ADDRESS = "Address"
DOCUMENT_SCHEMAS = frozenset({"Identification", "Passport"})


@dataclass(frozen=True)
class _LinkSchema:
    """An FtM relation entity: the two properties naming its parties, and the ParsedLink relation
    each party's record states about the other one."""

    first: str
    second: str
    first_states: str  # on the first party's record, about the second
    second_states: str  # on the second party's record, about the first


LINK_SCHEMAS: Mapping[str, _LinkSchema] = {
    # ParsedLink has no "owns" relation: the owner's record says it is linked to its asset.
    "Ownership": _LinkSchema("owner", "asset", first_states="linked_to", second_states="owner"),
    "UnknownLink": _LinkSchema("subject", "object", first_states="linked_to", second_states="linked_to"),
    "Associate": _LinkSchema("person", "associate", first_states="associate", second_states="associate"),
    "Directorship": _LinkSchema("director", "organization", first_states="linked_to", second_states="linked_to"),
}
# Schemas read only as parts of a record, never records themselves.
PART_SCHEMAS = frozenset({SANCTION, ADDRESS, *DOCUMENT_SCHEMAS, *LINK_SCHEMAS})
READ_SCHEMAS = frozenset({*TARGET_KINDS, *PART_SCHEMAS})

# Sanction.status values saying the designation is no longer in force (FtM leaves the vocabulary
# open; domain.md §5.1 lists Active / Inactive / Expired / Suspended).
INACTIVE_STATUSES = frozenset({"inactive", "expired", "suspended", "revoked", "lifted", "delisted", "removed"})
# OpenSanctions rewrites last_seen on every run, even when nothing changed.
VOLATILE_KEYS = ("last_seen",)

NAME_PART_PROPERTIES = ("firstName", "secondName", "middleName", "fatherName", "lastName")
ALIAS_PROPERTIES = (("alias", "good"), ("weakAlias", "low"), ("previousName", "fka"))
# Identifier properties of the party schemas -> ParsedIdentifier.type, by record kind.
_LEGAL_ENTITY_NUMBERS = {
    "registrationNumber": "other", "taxNumber": "other", "innCode": "other", "ogrnCode": "other",
    "leiCode": "other", "swiftBic": "other",
}  # fmt: skip
IDENTIFIER_PROPERTIES: Mapping[str, Mapping[str, str]] = {
    "individual": {"passportNumber": "passport", "idNumber": "national_id", **_LEGAL_ENTITY_NUMBERS},
    "entity": {"idNumber": "other", **_LEGAL_ENTITY_NUMBERS},
    "vessel": {"registrationNumber": "other"},
}
GENDERS = {"male": "Male", "female": "Female", "other": "Other"}

# Recognisable Sanction.provisions texts; anything else is measure 'other' (port entry before
# travel, since "port entry ban" also says "entry ban").
_MEASURE_WORDS = (
    ("asset_freeze", ("asset freeze", "assets freeze", "freezing of assets", "freezing of funds", "funds freeze",
                      "blocking of property", "資産凍結")),
    ("port_entry_ban", ("port entry", "entry into port", "port ban", "port access")),
    ("travel_ban", ("travel ban", "entry ban", "ban on entry", "travel restriction", "visa ban")),
    ("deflagging", ("deflag", "de-flag")),
    ("redirection", ("redirect",)),
)  # fmt: skip

_UTF8_BOM = b"\xef\xbb\xbf"
_SEVEN_DIGITS = re.compile(r"[0-9]{7}")


# --------------------------------------------------------------------------- public API


def parse_ftm_entities(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedList:
    """Parse an FtM JSON-lines file, or raise ListParseError saying what is wrong and on which line."""
    entities = _read_entities(content, max_bytes)
    graph = _Graph(entities)
    records: list[ParsedRecord] = []
    for entity in entities:
        if not graph.is_record(entity):
            continue
        if len(entity.id) > MAX_ID_LENGTH:
            raise ListParseError(
                f"line {entity.line}: the id of this {entity.schema} is {len(entity.id)} characters, over the "
                f"{MAX_ID_LENGTH} a record's stable key may have ({entity.id[:40]!r}...)"
            )
        record = _build_record(entity, graph)
        if record is None:
            graph.counts[f"skipped:{entity.schema} without a name"] += 1
            continue
        records.append(record)
    if not records:
        raise ListParseError(
            f"no designated {', '.join(TARGET_KINDS)} among the {len(entities):,} entities of the file"
        )
    records.sort(key=lambda record: record.external_id)
    return ParsedList(
        generated_at=None,  # see read_generated_at
        content_sha256=_digest(_canonical(entity.published) for entity in entities),
        records=tuple(records),
        unknown_element_counts=dict(sorted(graph.counts.items())),
    )


def content_sha256(content: bytes) -> str:
    """sha256 over the file's entities, each without its volatile keys (OpenSanctions' last_seen),
    written canonically (sorted keys) and sorted, so that a re-run that changed nothing, or a file
    whose lines come in another order, hashes the same. Never fails: a line that is not a JSON
    object is hashed as its text, and bytes that are not UTF-8 are hashed as they are."""
    data = _without_bom(_as_bytes(content))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return hashlib.sha256(data).hexdigest()
    return _digest(_canonical_line(line) for line in text.split("\n") if line.strip())


def read_generated_at(content: bytes) -> dt.datetime | None:
    """Always None: FtM lines carry no publication date of the file. OpenSanctions' per-entity
    last_change moves with each entity's content (the newest one dates the latest change, not the
    publication) and last_seen with every run; the run time is in the dataset's index.json, which
    is another file."""
    _as_bytes(content)
    return None


# --------------------------------------------------------------------------- reading the lines


@dataclass(frozen=True)
class _Entity:
    line: int
    id: str
    schema: str
    properties: Mapping[str, tuple[str, ...]]  # values whitespace-collapsed, empty ones dropped
    target: bool | None  # OpenSanctions' "target"; None when the line has no such key
    caption: str
    published: Mapping[str, object]  # the line as published, without VOLATILE_KEYS

    def values(self, prop: str) -> tuple[str, ...]:
        return self.properties.get(prop, ())

    def first(self, prop: str) -> str:
        values = self.properties.get(prop, ())
        return values[0] if values else ""

    @property
    def label(self) -> str:
        """How another record names this one: its caption, else its first name, else its id."""
        return self.caption or self.first("name") or self.id


def _as_bytes(data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"expected bytes, got {type(data).__name__}")


def _without_bom(data: bytes) -> bytes:
    return data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data


def _read_entities(content: bytes, max_bytes: int) -> list[_Entity]:
    data = _as_bytes(content)
    if len(data) > max_bytes:
        raise ListParseError(f"file is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    data = _without_bom(data)
    if not data.strip():
        raise ListParseError("empty file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        number = data.count(b"\n", 0, exc.start) + 1
        raise ListParseError(f"line {number}: not UTF-8 (byte 0x{data[exc.start]:02x}); FtM files are UTF-8") from None
    _refuse_other_formats(text)

    lines = text.split("\n")
    last = max(index for index, line in enumerate(lines) if line.strip())
    entities: list[_Entity] = []
    line_by_id: dict[str, int] = {}
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        number = index + 1
        entity = _entity(_load_line(line, number, is_last=index == last), number)
        if entity.id in line_by_id:
            raise ListParseError(
                f"line {number}: duplicate id {entity.id!r} (first at line {line_by_id[entity.id]}); "
                "FtM fragments must be merged first (e.g. with `ftm aggregate`)"
            )
        line_by_id[entity.id] = number
        entities.append(entity)
    return entities


def _refuse_other_formats(text: str) -> None:
    start = text.lstrip()
    if start.startswith("<"):
        raise ListParseError(f"looks like an HTML or XML document, not FtM JSON lines (starts with {start[:40]!r})")
    if start.startswith("["):
        raise ListParseError("a JSON array, not FtM JSON lines (one entity object per line)")
    if not start.startswith("{"):
        raise ListParseError(
            f"line 1 does not start a JSON object: not FtM JSON lines (starts with {start.splitlines()[0][:40]!r})"
        )


def _load_line(line: str, number: int, *, is_last: bool) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        if is_last and not line.rstrip().endswith("}"):
            raise ListParseError(
                f"line {number}: truncated, the file ends inside an entity ({exc.msg}); a broken download?"
            ) from None
        raise ListParseError(f"line {number}: malformed JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ListParseError(f"line {number}: JSON nested too deeply to be an FtM entity") from None


def _entity(data: object, number: int) -> _Entity:
    if not isinstance(data, dict):
        raise ListParseError(f"line {number}: a JSON {_json_kind(data)}, not an entity object")
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise ListParseError(f"line {number}: entity without an id")
    schema = data.get("schema")
    if not isinstance(schema, str) or not schema.strip():
        raise ListParseError(f"line {number}: entity {entity_id!r} without a schema")
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        raise ListParseError(f"line {number}: the properties of entity {entity_id!r} are not an object")
    cleaned: dict[str, tuple[str, ...]] = {}
    for prop, values in properties.items():
        if not isinstance(values, list) or not all(isinstance(value, (str, int, float)) for value in values):
            raise ListParseError(f"line {number}: property {prop!r} of entity {entity_id!r} is not a list of strings")
        kept = tuple(dict.fromkeys(text for text in (_clean(str(value)) for value in values) if text))
        if kept:
            cleaned[prop] = kept
    target = data.get("target")
    caption = data.get("caption")
    return _Entity(
        line=number,
        id=entity_id.strip(),
        schema=schema.strip(),
        properties=cleaned,
        target=target if isinstance(target, bool) else None,
        caption=_clean(caption) if isinstance(caption, str) else "",
        published={key: value for key, value in data.items() if key not in VOLATILE_KEYS},
    )


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "boolean" if isinstance(value, bool) else "number"


def _canonical(data: Mapping[str, object]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _canonical_line(line: str) -> str:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return line.strip()
    if not isinstance(data, dict):
        return line.strip()
    return _canonical({key: value for key, value in data.items() if key not in VOLATILE_KEYS})


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- who refers to whom


class _Graph:
    """The file's entities by id, with what refers to each: its Sanctions, documents and links."""

    def __init__(self, entities: list[_Entity]) -> None:
        self.by_id = {entity.id: entity for entity in entities}
        self.counts: Counter[str] = Counter()
        self.sanctions: dict[str, list[_Entity]] = defaultdict(list)
        self.documents: dict[str, list[_Entity]] = defaultdict(list)
        self.links: dict[str, list[tuple[_Entity, bool]]] = defaultdict(list)  # (link, record is its first party)
        for entity in entities:
            if entity.schema == SANCTION:
                for ref in self._references(entity, "entity"):
                    self.sanctions[ref].append(entity)
            elif entity.schema in DOCUMENT_SCHEMAS:
                for ref in self._references(entity, "holder"):
                    self.documents[ref].append(entity)
            elif entity.schema in LINK_SCHEMAS:
                spec = LINK_SCHEMAS[entity.schema]
                firsts, seconds = self._references(entity, spec.first), self._references(entity, spec.second)
                if firsts and seconds:
                    for ref in firsts:
                        self.links[ref].append((entity, True))
                    for ref in seconds:
                        self.links[ref].append((entity, False))
            elif entity.schema not in READ_SCHEMAS:
                self.counts[f"unread:{entity.schema}"] += 1

    def _references(self, entity: _Entity, prop: str) -> list[str]:
        """The ids ``prop`` names that are in the file; the others are counted."""
        found = []
        for ref in entity.values(prop):
            if ref in self.by_id:
                found.append(ref)
            else:
                self.counts[f"unknown_reference:{entity.schema}.{prop}"] += 1
        return found

    def referenced(self, entity: _Entity, prop: str, schema: str | None = None) -> list[_Entity]:
        found = [self.by_id[ref] for ref in self._references(entity, prop)]
        return [other for other in found if schema is None or other.schema == schema]

    def is_record(self, entity: _Entity) -> bool:
        if entity.schema in PART_SCHEMAS:
            return False
        sanctions = self.sanctions.get(entity.id, ())
        if entity.target is not None:
            designee = entity.target  # the publisher says
        else:
            designee = any(not _inactive(sanction) for sanction in sanctions)
            if sanctions and not designee and entity.schema in TARGET_KINDS:
                self.counts["skipped:inactive designation"] += 1
        if designee and entity.schema not in TARGET_KINDS:
            self.counts[f"skipped:{entity.schema}"] += 1
            return False
        return designee


def _inactive(sanction: _Entity) -> bool:
    statuses = [status.lower() for status in sanction.values("status")]
    return bool(statuses) and all(status in INACTIVE_STATUSES for status in statuses)


# --------------------------------------------------------------------------- one record


def _build_record(entity: _Entity, graph: _Graph) -> ParsedRecord | None:
    primary_name = entity.first("name") or entity.caption
    if not primary_name:
        return None
    kind = TARGET_KINDS[entity.schema]
    sanctions = graph.sanctions.get(entity.id, [])
    documents = graph.documents.get(entity.id, [])
    addresses = graph.referenced(entity, "addressEntity", ADDRESS)
    links = _links(entity, graph)

    programs = tuple(dict.fromkeys(
        program for sanction in sanctions for prop in ("programId", "program") for program in sanction.values(prop)
    ))
    un_references = [value for sanction in sanctions for value in sanction.values("unscId")]
    authority_ids = [value for sanction in sanctions for value in sanction.values("authorityId")]
    checked = map(identifiers.check_un_reference, un_references)
    cited = next((result.normalized for result in checked if result.valid), "")
    name_parts = tuple(part for prop in NAME_PART_PROPERTIES for part in entity.values(prop))

    record_identifiers = _identifiers(entity, kind, documents)
    datasets = entity.published.get("datasets")
    raw: dict[str, object] = {"entity": dict(entity.published)}
    for key, related in (("sanctions", sanctions), ("documents", documents), ("addresses", addresses),
                         ("links", [link for link, _ in graph.links.get(entity.id, [])])):
        if related:
            raw[key] = [dict(other.published) for other in related]

    return ParsedRecord(
        external_id=entity.id,
        kind=kind,
        reference_number=(authority_ids or un_references or [entity.id])[0],
        regime=programs[0] if programs else "",
        list_types=tuple(value for value in datasets if isinstance(value, str)) if isinstance(datasets, list) else (),
        listed_on=(_earliest_day(sanctions, "listingDate") or _earliest_day(sanctions, "startDate")),
        last_updated=tuple(dict.fromkeys(
            day for source in (entity, *sanctions) for day in map(_day, source.values("modifiedAt")) if day
        )),
        comments="\n".join(entity.values("notes")),
        primary_name=primary_name,
        name_parts=name_parts if kind == "individual" and name_parts else (primary_name,),
        gender=GENDERS.get(entity.first("gender").lower(), "") if kind == "individual" else "",
        titles=entity.values("title"),
        designations=entity.values("position"),
        names=tuple(dict.fromkeys(_names(entity, primary_name))),
        identifiers=record_identifiers,
        birth_dates=tuple(dict.fromkeys(map(_birth_date, entity.values("birthDate")))),
        nationalities=tuple(dict.fromkeys(
            _nationality(value) for prop in ("nationality", "citizenship") for value in entity.values(prop)
        )),
        addresses=tuple(dict.fromkeys(_addresses(entity, addresses))),
        raw=raw,
        vessel=_vessel(entity, record_identifiers, links) if kind == "vessel" else None,
        programs=programs,
        cited_un_reference=cited,
        links=links,
        measures=tuple(dict.fromkeys(_measures(sanctions))),
    )


def _names(entity: _Entity, primary_name: str) -> Iterator[ParsedName]:
    primary_script = detect_script(primary_name)
    yield ParsedName(name=primary_name, kind="primary", script=primary_script)
    # Further `name` values are as strong as an alias ('good').
    others = [(name, "good") for name in entity.values("name") if name != primary_name]
    for prop, quality in ALIAS_PROPERTIES:
        others.extend((name, quality) for name in entity.values(prop))
    for name, quality in others:
        script = detect_script(name)
        # FtM has no original-script property: OpenSanctions (and this service's export) write a
        # UN NAME_ORIGINAL_SCRIPT as one more alias, wholly in another script than the name.
        if quality == "good" and script != primary_script and _wholly_non_latin(name):
            yield ParsedName(name=name, kind="original_script", script=script)
        else:
            yield ParsedName(name=name, kind="alias", quality=quality, script=script)


def _wholly_non_latin(text: str) -> bool:
    return detect_script(text) != "latin" and not any(char.isascii() and char.isalpha() for char in text)


def _identifiers(entity: _Entity, kind: str, documents: list[_Entity]) -> tuple[ParsedIdentifier, ...]:
    found: list[ParsedIdentifier] = []
    for prop, id_type in IDENTIFIER_PROPERTIES[kind].items():
        for value in entity.values(prop):
            found.append(ParsedIdentifier(type=id_type, value=value, normalized=_normalized(value), valid=None,
                                          type_label=prop))
    if kind == "vessel":
        flag_code = _country(entity.first("flag"))[1]
        found.extend(_imo(value, ship=True) for value in entity.values("imoNumber"))
        found.extend(_checked("mmsi", "mmsi", value, identifiers.check_mmsi, flag_code)
                     for value in entity.values("mmsi"))
        found.extend(_checked("call_sign", "callSign", value, identifiers.check_call_sign, flag_code)
                     for value in entity.values("callSign"))
    elif kind == "entity":
        found.extend(_imo(value, ship=False) for value in entity.values("imoNumber"))
    for document in documents:
        parsed = _document(document)
        if parsed is None:
            continue
        # OpenSanctions copies a document's number to its holder's passportNumber / idNumber: the
        # document, which has the dates and country, takes that bare number's place.
        same = next((index for index, known in enumerate(found)
                     if known.normalized == parsed.normalized and known.type in ("passport", "national_id", "other")),
                    None)
        if same is None:
            found.append(parsed)
        else:
            known_type = found[same].type
            found[same] = dataclasses.replace(parsed, type=parsed.type if parsed.type != "other" else known_type)
    return tuple(dict.fromkeys(found))


def _imo(value: str, *, ship: bool) -> ParsedIdentifier:
    """A ship's IMO number on a Vessel; on an organisation, the IMO company number. Both "IMO1234567"
    (FtM's form) and the bare 7 digits are read."""
    result = identifiers.check_imo(value) if ship else identifiers.check_imo_company(value)
    return ParsedIdentifier(
        type="imo" if ship else "imo_company",
        value=value,
        normalized=result.normalized or _normalized(identifiers.normalize_imo(value)),
        valid=result.valid,
        type_label="imoNumber",
        note=result.error,
    )


def _checked(
    id_type: str, prop: str, value: str, check: Callable[..., identifiers.CheckResult], flag_code: str
) -> ParsedIdentifier:
    result = check(value, flag=flag_code or None)
    return ParsedIdentifier(
        type=id_type,
        value=value,
        normalized=result.normalized or _normalized(value),
        valid=result.valid,
        type_label=prop,
        note=_join([result.error, *result.warnings]),
    )


def _document(document: _Entity) -> ParsedIdentifier | None:
    number = document.first("number")
    if not number:
        return None
    label = document.first("type")
    if document.schema == "Passport":
        id_type = "passport"
    else:
        id_type = classify_document_type(label)
    country, country_code = _country(document.first("country"))
    notes = [*document.values("summary")]
    if authority := document.first("authority"):
        notes.append(f"issued by {authority}")
    return ParsedIdentifier(
        type=id_type,
        value=number,
        normalized=_normalized(number),
        valid=None,  # no check rule for passports or national ids
        type_label=label or document.schema,
        country=country,
        country_code=country_code,
        issued_on=_day(document.first("startDate")),
        expires_on=_day(document.first("endDate")),
        note=_join(notes),
    )


def _birth_date(value: str) -> ParsedBirthDate:
    partial = _partial(value)
    if partial is None:
        return ParsedBirthDate("unknown", note=f"birthDate {value}")
    if partial.precision == "day":
        return ParsedBirthDate("exact", date=partial.earliest(), year=partial.year)
    # the month of a YYYY-MM date has no field of its own: it is kept in the note
    note = f"birthDate {value}" if partial.precision == "month" else ""
    return ParsedBirthDate("exact", year=partial.year, note=note)


def _nationality(value: str) -> ParsedNationality:
    name, code = _country(value)
    return ParsedNationality(value=name or value, country_code=code)


def _addresses(entity: _Entity, address_entities: list[_Entity]) -> Iterator[ParsedAddress]:
    written_out: set[str] = set()
    for address in address_entities:
        written_out.update(full.casefold() for full in address.values("full"))
        parsed = _structured_address(address)
        if parsed is not None:
            yield parsed
    for text in entity.values("address"):
        if text.casefold() not in written_out:  # the full text of an Address entity read above
            yield _address_from_text(text, "address")
    birth_countries = entity.values("birthCountry")
    for text in entity.values("birthPlace"):
        place = _address_from_text(text, "place_of_birth")
        if not place.country_code and len(birth_countries) == 1:
            country, code = _country(birth_countries[0])
            place = dataclasses.replace(place, country=country, country_code=code)
        yield place


def _structured_address(address: _Entity) -> ParsedAddress | None:
    country, country_code = _country(address.first("country"))
    fields = {
        "street": ", ".join((*address.values("street"), *address.values("street2"))),
        "city": address.first("city"),
        "state_province": address.first("region") or address.first("state"),
        "zip_code": address.first("postalCode"),
    }
    note = _join(address.values("remarks"))
    if not any(fields.values()):
        full = address.first("full")
        if not full and not country:
            return None
        if not full:
            return ParsedAddress(kind="address", country=country, country_code=country_code, note=note)
        parsed = _address_from_text(full, "address")
        if not parsed.country_code and country_code:
            parsed = dataclasses.replace(parsed, country=country, country_code=country_code)
        return dataclasses.replace(parsed, note=note)
    return ParsedAddress(kind="address", country=country, country_code=country_code, note=note, **fields)


def _address_from_text(text: str, kind: str) -> ParsedAddress:
    """A one-line address or place: a trailing country name ("..., Pyongyang, North Korea") is read
    as the country; the rest is the street (an address) or the city (a place of birth)."""
    rest_field = "city" if kind == "place_of_birth" else "street"
    if code := _country_code_from_name(text):
        return ParsedAddress(kind=kind, country=text, country_code=code)
    segments = text.split(",")
    for size in (2, 1):  # "Korea, North" before "North"
        if len(segments) > size:
            country = ",".join(segments[-size:]).strip()
            if code := _country_code_from_name(country):
                rest = ",".join(segments[:-size]).strip()
                return ParsedAddress(kind=kind, country=country, country_code=code, **{rest_field: rest})
    return ParsedAddress(kind=kind, **{rest_field: text})


def _links(entity: _Entity, graph: _Graph) -> tuple[ParsedLink, ...]:
    found: list[ParsedLink] = []
    if entity.schema == "Vessel":
        for prop in ("owner", "operator"):
            found.extend(ParsedLink(relation=prop, name=other.label, reference=other.id, note=f"Vessel.{prop}")
                         for other in graph.referenced(entity, prop))
    for link, record_is_first in graph.links.get(entity.id, []):
        spec = LINK_SCHEMAS[link.schema]
        other_prop, relation = (spec.second, spec.first_states) if record_is_first else (spec.first, spec.second_states)
        role = link.first("role")
        note = f"{link.schema}: {other_prop}" + (f" ({role})" if role else "")
        for ref in link.values(other_prop):
            other = graph.by_id.get(ref)
            if other is not None and other.id != entity.id:
                found.append(ParsedLink(relation=relation, name=other.label, reference=other.id, note=note))
    return tuple(dict.fromkeys(found))


def _vessel(
    entity: _Entity, record_identifiers: tuple[ParsedIdentifier, ...], links: tuple[ParsedLink, ...]
) -> ParsedVessel:
    imo = next((i for i in record_identifiers if i.type == "imo" and _SEVEN_DIGITS.fullmatch(i.normalized)), None)
    mmsi = next((i.normalized for i in record_identifiers if i.type == "mmsi" and i.valid), "")
    flag, flag_code = _country(entity.first("flag"))
    # ParsedVessel.tonnage is read as the deadweight (OFAC's Tonnage column is one); FtM's bare
    # "tonnage" is used only when the deadweight is not given.
    tonnage = _int(entity.first("deadweightTonnage")) or _int(entity.first("tonnage"))
    return ParsedVessel(
        imo=imo.normalized if imo else "",
        imo_valid=imo.valid if imo else None,
        mmsi=mmsi,
        call_sign=entity.first("callSign"),
        flag=flag or entity.first("flag"),
        flag_code=flag_code,
        vessel_type=entity.first("type"),
        tonnage=tonnage,
        gross_registered_tonnage=_int(entity.first("grossRegisteredTonnage")),
        owner=next((link.name for link in links if link.relation == "owner"), ""),
        linked_to=tuple(dict.fromkeys(link.name for link in links if link.relation == "linked_to")),
    )


def _measures(sanctions: list[_Entity]) -> Iterator[ParsedMeasure]:
    for sanction in sanctions:
        designated_on = _earliest_day([sanction], "startDate") or _earliest_day([sanction], "listingDate")
        for provision in sanction.values("provisions"):
            yield ParsedMeasure(measure=_measure_kind(provision), designated_on=designated_on, note=provision)


def _measure_kind(provision: str) -> str:
    text = provision.casefold()
    return next((measure for measure, words in _MEASURE_WORDS if any(word in text for word in words)), "other")


# --------------------------------------------------------------------------- small helpers


def _clean(text: str) -> str:
    return " ".join(text.split())


def _join(notes: Iterable[str]) -> str:
    return "; ".join(note for note in notes if note)


def _normalized(value: str) -> str:
    return "".join(char for char in value.upper() if char.isalnum())


@lru_cache(maxsize=8192)
def _partial(value: str) -> identifiers.PartialDate | None:
    # FtM dates are ISO, partial or with a time ("2023-06-29T10:00:00"): the calendar part is read.
    try:
        return identifiers.parse_partial_date(value.split("T", 1)[0])
    except ValueError:
        return None


def _day(value: str) -> dt.date | None:
    partial = _partial(value) if value else None
    return partial.earliest() if partial is not None and partial.precision == "day" else None


def _earliest_day(entities: Iterable[_Entity], prop: str) -> dt.date | None:
    days = [day for entity in entities for day in map(_day, entity.values(prop)) if day]
    return min(days) if days else None


def _int(text: str) -> int | None:
    try:
        number = float(text.replace(",", "").replace(" ", ""))
    except ValueError:
        return None
    return round(number) if math.isfinite(number) and number >= 0 else None


@lru_cache(maxsize=1024)
def _country(code: str) -> tuple[str, str]:
    """(English name, upper-case alpha-2) of an FtM country code; ('', '') when it is not ISO 3166-1
    (FtM also has codes such as 'suhh' for the Soviet Union)."""
    if not code:
        return "", ""
    result = identifiers.check_country_code(code)
    if not result.valid:
        return "", ""
    return str(result.details.get("name", "")), result.normalized


@lru_cache(maxsize=4096)
def _country_code_from_name(name: str) -> str:
    name = name.strip().rstrip(".")
    return (identifiers.country_code_from_name(name) or "") if name else ""
