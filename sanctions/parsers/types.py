"""Plain, framework-free result types shared by the list parsers.

Everything here is a frozen dataclass so parsed data can be compared, hashed
(except the JSON-able ``raw``/count mappings) and passed between processes
without touching the ORM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import datetime as dt


class ListParseError(ValueError):
    """The document is not a usable sanctions list; the message says why and where."""


@dataclass(frozen=True)
class ParsedName:
    name: str
    kind: str  # 'primary' | 'alias' | 'original_script'
    quality: str = ""  # '' | 'good' | 'low' | 'aka' | 'fka'
    script: str = "latin"  # latin, cyrillic, arabic, han, hangul, kana, greek, hebrew, thai, ethiopic, other
    note: str = ""


@dataclass(frozen=True)
class ParsedIdentifier:
    type: str  # 'passport' | 'national_id' | 'imo' | 'imo_company' | 'other'
    value: str  # as published, whitespace-trimmed
    normalized: str  # uppercase, no spaces/punctuation (IMO: the 7 digits)
    valid: bool | None  # None when the type has no validity rule
    type_label: str = ""
    country: str = ""
    country_code: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class ParsedBirthDate:
    qualifier: str  # 'exact' | 'approximate' | 'between' | 'unknown'
    date: dt.date | None = None
    year: int | None = None
    year_to: int | None = None
    note: str = ""
    from_alias: bool = False


@dataclass(frozen=True)
class ParsedAddress:
    kind: str  # 'address' | 'place_of_birth'
    street: str = ""
    city: str = ""
    state_province: str = ""
    zip_code: str = ""
    country: str = ""
    country_code: str = ""
    note: str = ""


@dataclass(frozen=True)
class ParsedNationality:
    value: str
    country_code: str = ""


@dataclass(frozen=True)
class ParsedVessel:
    """Ship particulars of a 'vessel' record (OFAC SDN publishes them; the UN list does not)."""

    imo: str = ""  # the 7 digits when found (normalised), '' otherwise
    imo_valid: bool | None = None  # ship check digit; None exactly when imo is ''
    mmsi: str = ""
    call_sign: str = ""
    flag: str = ""  # as published, e.g. "Korea, North"
    flag_code: str = ""  # ISO 3166-1 alpha-2 when known
    vessel_type: str = ""
    tonnage: int | None = None
    gross_registered_tonnage: int | None = None
    owner: str = ""  # as published
    linked_to: tuple[str, ...] = ()  # names from "Linked To: ..." remarks, in published order


@dataclass(frozen=True)
class ParsedLink:
    """A relation the record states to another designee: OFAC's "Linked To: NAME", the entity whose
    economic resources a UN 1718 vessel is, an FtM Ownership. Resolved to an entry at sync time."""

    relation: str  # 'linked_to' | 'economic_resource_of' | 'owner' | 'operator' | 'associate'
    name: str = ""  # the other party as the record names it
    reference: str = ""  # its reference number, when the record gives one (e.g. KPe.020)
    note: str = ""


@dataclass(frozen=True)
class ParsedMeasure:
    """One measure a designation imposes, with its own date: the UN 1718 Committee grants a vessel an
    asset freeze, a port-entry ban, de-flagging or redirection separately, on different days."""

    measure: str  # 'asset_freeze' | 'port_entry_ban' | 'deflagging' | 'redirection' | 'travel_ban' | 'other'
    basis: str = ""  # the legal basis as published, e.g. "paragraph 12(a) of resolution 2321"
    designated_on: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class ParsedRecord:
    external_id: str
    kind: str  # 'individual' | 'entity' | 'vessel'
    reference_number: str
    regime: str
    list_types: tuple[str, ...]
    listed_on: dt.date | None
    last_updated: tuple[dt.date, ...]
    comments: str
    primary_name: str
    name_parts: tuple[str, ...]
    gender: str
    titles: tuple[str, ...]
    designations: tuple[str, ...]
    names: tuple[ParsedName, ...]
    identifiers: tuple[ParsedIdentifier, ...]
    birth_dates: tuple[ParsedBirthDate, ...]
    nationalities: tuple[ParsedNationality, ...]
    addresses: tuple[ParsedAddress, ...]
    # A plain dict so it stays JSON-serialisable; excluded from hash() because dicts are unhashable.
    raw: Mapping[str, object] = field(hash=False)
    unknown_elements: tuple[str, ...] = ()
    vessel: ParsedVessel | None = None  # set for kind 'vessel' only
    # The sanctions programmes or regimes the record is listed under, as the publisher codes them
    # (OFAC: DPRK3, RUSSIA-EO14024; UN: DPRK; UK: its regime name; EU: PRK).
    programs: tuple[str, ...] = ()
    # The UN Security Council reference number the record cites (UK, EU, OFAC and FtM records of UN
    # designees do), in the UN's current form, e.g. "KPi.033"; '' when it cites none.
    cited_un_reference: str = ""
    links: tuple[ParsedLink, ...] = ()
    measures: tuple[ParsedMeasure, ...] = ()


@dataclass(frozen=True)
class ParsedList:
    generated_at: dt.datetime | None
    content_sha256: str
    records: tuple[ParsedRecord, ...]
    unknown_element_counts: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def individuals(self) -> int:
        return sum(1 for record in self.records if record.kind == "individual")

    @property
    def entities(self) -> int:
        return sum(1 for record in self.records if record.kind == "entity")

    @property
    def vessels(self) -> int:
        return sum(1 for record in self.records if record.kind == "vessel")
