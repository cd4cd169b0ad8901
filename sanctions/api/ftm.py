"""FollowTheMoney projection of list entries and vessels, one entity per JSON line.

Plain dictionaries in FtM's own form (`{"id", "schema", "properties": {prop: [values]}}`), with
values already in FtM's canonical form (lower-case country codes, ISO dates, `IMO1234567`), so
`followthemoney.model.get_proxy(line)` accepts every line unchanged. Nothing here queries the
database: it reads what the export selectors prefetched.

Ids are stable across exports: `msmt-entry-<id>` for a list entry, `msmt-entry-<id>-sanction` for
its designation, `msmt-vessel-<id>` for a vessel, `msmt-vessel-<id>-sanction-<entry id>` for each
designation of it, `msmt-vessel-party-<id>` for a party named without a list entry, and
`msmt-vessel-party-<id>-link` for the Ownership / UnknownLink tying a party to its vessel. A party
that is a list entry is referred to by its `msmt-entry-<id>`, so the two exports join up."""
from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Iterator

from sanctions.choices import AddressKind, EntryKind, IdentifierType, NameKind, SourceKind, VesselPartyRole
from sanctions.identifiers import check_imo, check_un_reference
from sanctions.models import ListEntry, Vessel

ENTRY_SCHEMAS = {EntryKind.INDIVIDUAL: "Person", EntryKind.ENTITY: "Organization", EntryKind.VESSEL: "Vessel"}
# The list's alias quality decides the FtM name property (domain.md §4.1, as OpenSanctions does).
ALIAS_PROPERTIES = {"good": "alias", "aka": "alias", "": "alias", "low": "weakAlias", "fka": "previousName"}
OWNERSHIP_ROLES = {VesselPartyRole.OWNER, VesselPartyRole.REGISTERED_OWNER}
GENDERS = {"male", "female", "other"}
# A BETWEEN date of birth becomes one birthDate per year; a wider range only its two ends.
MAX_BIRTH_YEAR_SPAN = 10


def entry_ref(pk: int) -> str:
    return f"msmt-entry-{pk}"


def vessel_ref(pk: int) -> str:
    return f"msmt-vessel-{pk}"


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _date(value) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, datetime.date) else ""


def _country(code) -> str:
    code = str(code or "").strip()
    return code.lower() if len(code) == 2 and code.isalpha() else ""


class _Properties:
    """Collects property values in order, skipping empty ones and repeats."""

    def __init__(self):
        self.values: dict[str, list[str]] = {}

    def add(self, prop: str, *values) -> None:
        for value in values:
            value = _text(value)
            if value and value not in self.values.setdefault(prop, []):
                self.values[prop].append(value)
        if not self.values.get(prop):
            self.values.pop(prop, None)


def _entity(entity_id: str, schema: str, props: _Properties) -> dict:
    return {"id": entity_id, "schema": schema, "properties": props.values}


def _imo(value: str) -> str:
    result = check_imo(value)
    return f"IMO{result.normalized}" if result.valid else ""


def _company_imo(identifier) -> str:
    digits = identifier.normalized
    return f"IMO{digits}" if identifier.is_valid and len(digits) == 7 and digits.isdigit() else ""


def _birth_dates(entry: ListEntry) -> list[str]:
    dates = []
    for birth in entry.birth_dates.all():
        if birth.date:
            dates.append(birth.date.isoformat())
        elif birth.year and birth.year_to:
            span = range(birth.year, birth.year_to + 1)
            years = span if len(span) <= MAX_BIRTH_YEAR_SPAN else (birth.year, birth.year_to)
            dates.extend(str(year) for year in years)
        elif birth.year:
            dates.append(str(birth.year))
    return dates


def _address_text(address) -> str:
    return ", ".join(part for part in (_text(address.street), _text(address.city), _text(address.state_province),
                                       _text(address.zip_code), _text(address.country)) if part)


def _modified_at(entry: ListEntry) -> str:
    dates = sorted(d for d in entry.amended_on or [] if isinstance(d, str) and len(d) == 10)
    return dates[-1] if dates else ""


def _sanction(entity_id: str, sanction_id: str, entry: ListEntry) -> dict:
    props = _Properties()
    props.add("entity", entity_id)
    props.add("authority", entry.source.authority)
    props.add("program", entry.regime, *(program.code for program in entry.programs.all()))
    reference = entry.reference_number.strip()
    if entry.source.kind == SourceKind.UN_CONSOLIDATED and check_un_reference(reference).valid:
        props.add("unscId", reference)
    else:
        props.add("authorityId", reference)
        props.add("unscId", entry.cited_un_reference)
    props.add("recordId", entry.external_id)
    props.add("listingDate", _date(entry.listed_on))
    props.add("startDate", _date(entry.listed_on))
    props.add("endDate", _date(entry.delisted_on))
    props.add("status", "Active" if entry.is_active else "Inactive")
    props.add("sourceUrl", entry.source.url)
    return _entity(sanction_id, "Sanction", props)


def entry_entities(entry: ListEntry) -> list[dict]:
    """The entry as a Person, Organization or Vessel, followed by its Sanction."""
    schema = ENTRY_SCHEMAS[entry.kind]
    props = _Properties()
    props.add("name", entry.primary_name)
    for name in entry.names.all():
        if name.kind == NameKind.PRIMARY:
            props.add("name", name.name)
        elif name.kind == NameKind.ORIGINAL_SCRIPT:
            props.add("alias", name.name)
        else:
            props.add(ALIAS_PROPERTIES.get(name.quality, "alias"), name.name)
    props.add("notes", entry.comments)
    if entry.is_active:
        props.add("topics", "sanction")
    props.add("sourceUrl", entry.source.url)
    props.add("modifiedAt", _modified_at(entry))

    identifiers = list(entry.identifiers.all())
    if schema == "Vessel":
        particulars = (entry.snapshot or {}).get("vessel") or {}
        props.add("imoNumber", *(_imo(i.normalized) for i in identifiers if i.type == IdentifierType.IMO))
        props.add("mmsi", particulars.get("mmsi"),
                  *(i.normalized for i in identifiers if i.type == IdentifierType.MMSI))
        props.add("callSign", particulars.get("call_sign"),
                  *(i.value for i in identifiers if i.type == IdentifierType.CALL_SIGN))
        props.add("flag", _country(particulars.get("flag_code")))
        props.add("type", particulars.get("vessel_type"))
        if particulars.get("tonnage"):
            props.add("tonnage", particulars["tonnage"])
        if particulars.get("gross_registered_tonnage"):
            props.add("grossRegisteredTonnage", particulars["gross_registered_tonnage"])
    else:
        id_types = (IdentifierType.NATIONAL_ID, IdentifierType.OTHER)
        props.add("idNumber", *(i.value for i in identifiers if i.type in id_types))
        for address in entry.addresses.all():
            if address.kind == AddressKind.ADDRESS:
                props.add("address", _address_text(address))
                props.add("country", _country(address.country_code))
    if schema == "Organization":
        props.add("imoNumber", *(_company_imo(i) for i in identifiers if i.type == IdentifierType.IMO_COMPANY))
    if schema == "Person":
        props.add("passportNumber", *(i.value for i in identifiers if i.type == IdentifierType.PASSPORT))
        props.add("birthDate", *_birth_dates(entry))
        props.add("nationality", *(_country(n.country_code) for n in entry.nationalities.all()))
        for place in (a for a in entry.addresses.all() if a.kind == AddressKind.PLACE_OF_BIRTH):
            props.add("birthPlace", _address_text(place))
            props.add("birthCountry", _country(place.country_code))
        gender = entry.gender.strip().lower()
        props.add("gender", gender if gender in GENDERS else "")
        props.add("title", *entry.titles)
        props.add("position", *entry.designations)

    entity_id = entry_ref(entry.pk)
    entity = _entity(entity_id, schema, props)
    # The same designee on other lists, as OpenSanctions names the records merged into one entity.
    if same := sorted(set(getattr(entry, "same_designee_ids", ())) - {entry.pk}):
        entity["referents"] = [entry_ref(pk) for pk in same]
    return [entity, _sanction(entity_id, f"{entity_id}-sanction", entry)]


def vessel_entities(vessel: Vessel) -> list[dict]:
    """The vessel with its dated identities projected flat (FtM keeps no periods), then a Sanction
    per designation and an Ownership or UnknownLink per party."""
    identities = list(vessel.identities.all())  # ordered by valid_from
    designations = list(vessel.list_entries.all())
    current_name = _text(vessel.name)
    current_flag = _country(vessel.flag) or next(
        (_country(i.flag) for i in reversed(identities) if i.valid_to is None and _country(i.flag)), "")

    props = _Properties()
    props.add("name", current_name)
    props.add("previousName", *(i.name for i in identities if _text(i.name) != current_name))
    props.add("flag", current_flag)
    props.add("pastFlags", *(_country(i.flag) for i in identities if _country(i.flag) != current_flag))
    props.add("mmsi", vessel.mmsi, *(i.mmsi for i in identities))
    props.add("callSign", vessel.call_sign, *(i.call_sign for i in identities))
    props.add("imoNumber", _imo(vessel.imo_number) if vessel.imo_number else "")
    if any(_text(i.name) != current_name for i in identities):
        renamed = [i.valid_from for i in identities if _text(i.name) == current_name and i.valid_from]
        props.add("nameChangeDate", _date(min(renamed)) if renamed else "")
    props.add("type", vessel.vessel_type)
    props.add("grossRegisteredTonnage", vessel.gross_tonnage or "")
    props.add("deadweightTonnage", vessel.deadweight_tonnage or "")
    props.add("buildDate", vessel.build_year or "")
    props.add("notes", vessel.notes)
    if any(entry.is_active for entry in designations):
        props.add("topics", "sanction")

    vessel_id = vessel_ref(vessel.pk)
    entities = [_entity(vessel_id, "Vessel", props)]
    entities.extend(_sanction(vessel_id, f"{vessel_id}-sanction-{entry.pk}", entry) for entry in designations)
    for party in vessel.parties.all():
        party_id = f"msmt-vessel-party-{party.pk}"
        if party.list_entry_id:
            party_ref = entry_ref(party.list_entry_id)
        else:
            party_ref = party_id
            named = _Properties()
            named.add("name", party.name)
            entities.append(_entity(party_id, "LegalEntity", named))
        link = _Properties()
        ownership = party.role in OWNERSHIP_ROLES
        link.add("owner" if ownership else "subject", party_ref)
        link.add("asset" if ownership else "object", vessel_id)
        link.add("role", str(party.get_role_display()))
        link.add("startDate", _date(party.valid_from))
        link.add("endDate", _date(party.valid_to))
        entities.append(_entity(f"{party_id}-link", "Ownership" if ownership else "UnknownLink", link))
    return entities


def ftm_lines(objects: Iterable, project: Callable[[object], list[dict]]) -> Iterator[str]:
    """One JSON document per line (NDJSON), for a streaming response."""
    for obj in objects:
        for entity in project(obj):
            yield json.dumps(entity, ensure_ascii=False, separators=(",", ":")) + "\n"
