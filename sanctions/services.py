"""Applying a parsed list to the database: one transaction per version, upsert by the
publisher's stable id, field-level diffs, delisting of absent entries, relisting of returning ones.

Fetching, scheduling and the command line sit on top of `list_version_apply`."""
from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import fields

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .bulk import insert_all, insert_rows, update_all
from .choices import (
    ChangeType,
    DesigneeLinkBasis,
    DesigneeLinkStatus,
    EntryKind,
    EntryRelation,
    IdentifierType,
    IdentityBasis,
    SourceKind,
    VersionStatus,
    VesselPartyRole,
)
from .models import (
    DesigneeLink,
    EntryChange,
    ListEntry,
    ListEntryAddress,
    ListEntryBirthDate,
    ListEntryIdentifier,
    ListEntryMeasure,
    ListEntryName,
    ListEntryNationality,
    ListEntryProgram,
    ListEntryRelation,
    ListSource,
    ListVersion,
    Vessel,
    VesselIdentityPeriod,
    VesselParty,
)
from .parsers.types import ParsedList, ParsedRecord
from .progress import SILENT, Progress
from .screening import prepare_index
from .selectors import screening_source_slugs
from .signals import list_version_applied

# A version that would delist more than this share of active entries is refused unless forced:
# a truncated download must never empty the list.
MAX_REMOVAL_RATIO = 0.10

ENTRY_KIND = {"individual": EntryKind.INDIVIDUAL, "entity": EntryKind.ENTITY, "vessel": EntryKind.VESSEL}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _plain(value):
    """A parsed field value as JSON: the parsers' fields are str, bool, int, None, dates or tuples of str."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _row(item) -> dict:
    # A flat, JSON-ready copy of one parsed dataclass (dataclasses.asdict deep-copies: 5x slower).
    return {name: _plain(getattr(item, name)) for name in _field_names(type(item))}


def _row_order(row: dict) -> str:
    return repr(sorted(row.items()))


def record_snapshot(record: ParsedRecord) -> dict:
    """The content that counts for "did this entry change": everything but formatting and order."""
    def rows(items: Iterable) -> list:
        plain = list(map(_row, items))
        if len(plain) > 1:  # most records have one name, date or address of a kind: no sort key to build
            plain.sort(key=_row_order)
        return plain

    return {
        "reference_number": record.reference_number,
        "kind": record.kind,
        "primary_name": record.primary_name,
        "regime": record.regime,
        "list_types": sorted(record.list_types),
        "listed_on": _plain(record.listed_on),
        "amended_on": sorted(_plain(record.last_updated)),
        "comments": " ".join(record.comments.split()),
        "gender": record.gender,
        "titles": list(record.titles),
        "designations": [" ".join(d.split()) for d in record.designations],
        "names": rows(record.names),
        "identifiers": rows(record.identifiers),
        "birth_dates": rows(record.birth_dates),
        "nationalities": rows(record.nationalities),
        "addresses": rows(record.addresses),
        "vessel": _row(record.vessel) if record.vessel else None,
        "programs": list(record.programs),
        "cited_un_reference": record.cited_un_reference,
        "links": rows(record.links),
        "measures": rows(record.measures),
    }


def snapshot_diff(before: dict, after: dict) -> dict:
    # A key the stored snapshot lacks was not recorded yet when it was stored (the snapshot grew a
    # field since): filling it in is not a change the publisher made.
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if key in before and before.get(key) != after.get(key)
    }


def _snapshot_grew(before: dict, after: dict) -> bool:
    return not set(after) <= set(before)


@functools.cache
def _text_limits(model: type) -> tuple[tuple[str, int], ...]:
    return tuple((field.attname, field.max_length) for field in model._meta.concrete_fields
                 if isinstance(field, models.CharField) and field.max_length)


def _fit(model: type, row: dict) -> dict:
    """`row` with its texts cut to their columns' lengths. A list publishes what it likes (OFAC: a
    250-character city); the record as published (raw) keeps the whole text."""
    for name, limit in _text_limits(model):
        value = row.get(name)
        if type(value) is str and len(value) > limit:
            row[name] = value[:limit]
    return row


def _entry_fields(record: ParsedRecord, snapshot: dict) -> dict:
    return _fit(ListEntry, {
        "reference_number": record.reference_number,
        "kind": ENTRY_KIND[record.kind],
        "primary_name": record.primary_name,
        "regime": record.regime,
        "cited_un_reference": record.cited_un_reference,
        "list_types": list(record.list_types),
        "listed_on": record.listed_on,
        "amended_on": [d.isoformat() for d in record.last_updated],
        "comments": record.comments,
        "gender": record.gender,
        "titles": list(record.titles),
        "designations": list(record.designations),
        "raw": record.raw,  # plain JSON by the parsers' contract (ParsedRecord.raw)
        "snapshot": snapshot,
    })


# Columns rewritten when an entry is amended or relisted. last_seen_in is set in the same write (each
# rewrite of a row is a new row version with an entry in every index of the table: once, not twice);
# the entries a version leaves alone get theirs in one statement at the end.
_ENTRY_REWRITTEN_FIELDS = (
    "reference_number", "kind", "primary_name", "regime", "cited_un_reference", "list_types", "listed_on", "amended_on", "comments",
    "gender", "titles", "designations", "raw", "snapshot", "is_active", "delisted_on", "updated_at", "last_seen_in",
)


def _child_rows(entry_id: int, record: ParsedRecord) -> dict[type, list[dict]]:
    return {
        ListEntryName: [_fit(ListEntryName, {"entry_id": entry_id, **_fields_of(n)}) for n in record.names],
        ListEntryIdentifier: [
            _fit(ListEntryIdentifier, {
                "entry_id": entry_id, "type": i.type, "type_label": i.type_label, "value": i.value,
                "normalized": i.normalized, "is_valid": i.valid, "country": i.country,
                "country_code": i.country_code, "issued_on": i.issued_on, "expires_on": i.expires_on, "note": i.note,
            })
            for i in record.identifiers
        ],
        ListEntryBirthDate: [_fit(ListEntryBirthDate, {"entry_id": entry_id, **_fields_of(b)})
                             for b in record.birth_dates],
        ListEntryNationality: [_fit(ListEntryNationality, {"entry_id": entry_id, **_fields_of(n)})
                               for n in record.nationalities],
        ListEntryAddress: [_fit(ListEntryAddress, {"entry_id": entry_id, **_fields_of(a)}) for a in record.addresses],
        ListEntryProgram: [_fit(ListEntryProgram, {"entry_id": entry_id, "code": code})
                           for code in dict.fromkeys(record.programs) if code],
        ListEntryRelation: [_fit(ListEntryRelation, {"entry_id": entry_id, "target_id": None, **_fields_of(link)})
                            for link in dict.fromkeys(record.links)],
        ListEntryMeasure: [_fit(ListEntryMeasure, {"entry_id": entry_id, **_fields_of(m)}) for m in record.measures],
    }


def _fields_of(item) -> dict:
    return {name: getattr(item, name) for name in _field_names(type(item))}


_CHILD_MODELS = (ListEntryName, ListEntryIdentifier, ListEntryBirthDate, ListEntryNationality, ListEntryAddress,
                 ListEntryProgram, ListEntryRelation, ListEntryMeasure)


def _replace_children(pairs: list[tuple[ListEntry, ParsedRecord]], *, fresh: bool) -> None:
    if not pairs:
        return
    if not fresh:
        entry_ids = [entry.pk for entry, _ in pairs]
        for model in _CHILD_MODELS:
            model.objects.filter(entry_id__in=entry_ids).delete()
    batches: dict[type, list[dict]] = {}
    for entry, record in pairs:
        for model, rows in _child_rows(entry.pk, record).items():
            batches.setdefault(model, []).extend(rows)
    for model, rows in batches.items():
        insert_rows(model, rows)


def last_applied_version(source: ListSource) -> ListVersion | None:
    return source.versions.filter(status=VersionStatus.APPLIED).order_by("-applied_at", "-id").first()


def list_version_record_failure(
    *, source: ListSource, status: str, error: str, fetched_from: str = "", size_bytes: int | None = None,
    content_sha256: str = "", generated_at: datetime.datetime | None = None,
) -> ListVersion:
    """Keep a trace of a version that was not applied (bad download, refused change)."""
    return ListVersion.objects.create(
        source=source, status=status, error=error, fetched_from=fetched_from, size_bytes=size_bytes,
        content_sha256=content_sha256, generated_at=generated_at, fetched_at=timezone.now(),
        active_count=source.entries.filter(is_active=True).count(),  # what stays in force
    )


@transaction.atomic
def list_version_apply(
    *,
    source: ListSource,
    parsed: ParsedList,
    fetched_from: str = "",
    size_bytes: int | None = None,
    etag: str = "",
    last_modified: str = "",
    force: bool = False,
    progress: Progress = SILENT,
) -> ListVersion:
    """Apply `parsed` as the next version of `source`, all or nothing. Returns the version row,
    whose status says whether it was applied, unchanged or rejected. `progress` shows the records
    compared and the rows written (on a terminal; silent by default)."""
    # Serialise syncs of one source: the second waits here, then sees the first one's result.
    ListSource.objects.select_for_update().get(pk=source.pk)
    now = timezone.now()
    counts = {
        "record_count": len(parsed.records),
        "individual_count": parsed.individuals,
        "entity_count": parsed.entities,
        "vessel_count": sum(1 for r in parsed.records if r.kind == "vessel"),
    }
    version = ListVersion(
        source=source, content_sha256=parsed.content_sha256, generated_at=parsed.generated_at, fetched_at=now,
        fetched_from=fetched_from, size_bytes=size_bytes, etag=etag, last_modified=last_modified,
        unknown_elements=dict(parsed.unknown_element_counts), **counts,
    )

    last_applied = last_applied_version(source)
    if last_applied and last_applied.content_sha256 == parsed.content_sha256:
        version.status = VersionStatus.UNCHANGED
        version.active_count = source.entries.filter(is_active=True).count()
        version.save()
        return version

    key_length = ListEntry._meta.get_field("external_id").max_length
    if overlong := next((r.external_id for r in parsed.records if len(r.external_id) > key_length), None):
        # The publisher's stable key cannot be cut short: two records could become one.
        version.status = VersionStatus.REJECTED
        version.active_count = source.entries.filter(is_active=True).count()
        version.error = (f"Refused: the record id {overlong[:40]!r}… is {len(overlong)} characters long, over the "
                         f"{key_length} a stable key may have here.")
        version.save()
        return version

    # The records as published (raw) are compared apart, a batch at a time (_republished).
    existing = {entry.external_id: entry for entry in source.entries.defer("raw")}
    incoming_ids = {record.external_id for record in parsed.records}
    active_ids = {ext_id for ext_id, entry in existing.items() if entry.is_active}
    to_remove = active_ids - incoming_ids
    if active_ids and not force and len(to_remove) > MAX_REMOVAL_RATIO * len(active_ids):
        version.status = VersionStatus.REJECTED
        version.active_count = len(active_ids)
        version.error = (
            f"Refused: this version would delist {len(to_remove)} of {len(active_ids)} active entries "
            f"(more than {MAX_REMOVAL_RATIO:.0%}); re-run with force to apply it."
        )
        version.save()
        return version

    version.status = VersionStatus.APPLIED
    version.applied_at = now
    version.save()
    effective_date = (parsed.generated_at or now).date()

    changes: list[EntryChange] = []
    new_pairs: list[tuple[ListEntry, ParsedRecord]] = []
    updated_pairs: list[tuple[ListEntry, ParsedRecord]] = []
    previous_snapshots: dict[int, dict] = {}  # of updated entries, to unlink hulls no longer named
    unchanged: list[tuple[ListEntry, ParsedRecord]] = []
    with progress.stage(f"{source.slug}: compare", total=len(parsed.records), unit="record") as bar:
        for record in parsed.records:
            bar.update(1)
            snapshot = record_snapshot(record)
            entry = existing.get(record.external_id)
            if entry is None:
                entry = ListEntry(source=source, external_id=record.external_id, first_seen_in=version,
                                  last_seen_in=version, **_entry_fields(record, snapshot))
                new_pairs.append((entry, record))
                continue
            diff = snapshot_diff(entry.snapshot, snapshot)
            change_type = ChangeType.RELISTED if not entry.is_active else (ChangeType.AMENDED if diff else None)
            if change_type is None and not _snapshot_grew(entry.snapshot, snapshot):
                unchanged.append((entry, record))
                continue
            previous_snapshots[entry.pk] = entry.snapshot
            for name, value in _entry_fields(record, snapshot).items():
                setattr(entry, name, value)
            entry.is_active, entry.delisted_on, entry.updated_at, entry.last_seen_in = True, None, now, version
            updated_pairs.append((entry, record))
            if change_type is not None:  # else only rewritten with the fields the snapshot gained
                changes.append(EntryChange(version=version, entry=entry, change_type=change_type, diff=diff))

    with progress.stage(f"{source.slug}: write", total=4, unit="step") as bar:
        insert_all([entry for entry, _ in new_pairs])
        changes.extend(EntryChange(version=version, entry=entry, change_type=ChangeType.ADDED)
                       for entry, _ in new_pairs)
        update_all([entry for entry, _ in updated_pairs], _ENTRY_REWRITTEN_FIELDS)
        update_all(_republished(unchanged, now=now, version=version), ("raw", "updated_at", "last_seen_in"))
        bar.update(1)
        _replace_children(new_pairs, fresh=True)
        bar.update(1)
        _replace_children(updated_pairs, fresh=False)
        bar.update(1)
        relations_resolve(source)
        vessels_from_list_sync(pairs=new_pairs + updated_pairs, version=version, effective_date=effective_date,
                               previous_snapshots=previous_snapshots)
        bar.update(1)

    removed = [existing[ext_id] for ext_id in sorted(to_remove)]
    for entry in removed:
        entry.is_active, entry.delisted_on, entry.updated_at = False, effective_date, now
        changes.append(EntryChange(version=version, entry=entry, change_type=ChangeType.REMOVED,
                                   diff={"is_active": {"before": True, "after": False}}))
    ListEntry.objects.bulk_update(removed, ["is_active", "delisted_on", "updated_at"], batch_size=1000)
    # Every entry still active was in this version: one statement instead of one per entry.
    source.entries.filter(is_active=True).exclude(last_seen_in=version).update(last_seen_in=version)
    insert_all(changes)

    tally = {t: 0 for t in ChangeType.values}
    for change in changes:
        tally[change.change_type] += 1
    version.added_count = tally[ChangeType.ADDED]
    version.amended_count = tally[ChangeType.AMENDED]
    version.removed_count = tally[ChangeType.REMOVED]
    version.relisted_count = tally[ChangeType.RELISTED]
    version.active_count = source.entries.filter(is_active=True).count()
    version.save()
    designee_links_refresh()

    if source.slug in screening_source_slugs():
        # Built before the commit, as this transaction sees the lists: when any process learns of the
        # version, its index is there to load.
        prepare_index()
    changed_ids = [c.entry_id for c in changes if c.change_type != ChangeType.REMOVED]
    transaction.on_commit(
        lambda: list_version_applied.send(sender=ListVersion, version=version, changed_entry_ids=changed_ids)
    )
    return version


# Stored records compared per batch: an OFAC list's records would take tens of MB as Python objects.
REPUBLISHED_BATCH = 500


def _republished(pairs: list[tuple[ListEntry, ParsedRecord]], *, now: datetime.datetime,
                 version: ListVersion) -> list[ListEntry]:
    """The entries of `pairs` (unchanged by their snapshots) whose record as published changed all the
    same: formatting, or a field the snapshot does not count, such as the INTERPOL links the UN added
    to 864 records in 2026. Their stored record is brought up to date, without a change row, so the
    record kept is always the one last published."""
    republished = []
    for start in range(0, len(pairs), REPUBLISHED_BATCH):
        batch = pairs[start:start + REPUBLISHED_BATCH]
        stored = dict(ListEntry.objects.filter(pk__in=[entry.pk for entry, _ in batch]).values_list("pk", "raw"))
        for entry, record in batch:
            if stored[entry.pk] != record.raw:
                entry.raw, entry.updated_at, entry.last_seen_in = record.raw, now, version
                republished.append(entry)
    return republished


# --- Relations and designees across lists ----------------------------------------------------

def relations_resolve(source: ListSource) -> None:
    """Point each relation an entry of `source` states (OFAC "Linked To", a vessel's owner) at the
    entry it names: by reference number (the UN list's entry for a UN reference), else by a name of
    an entry of the same list. A name found on several entries is left unresolved, as it is."""
    pending = list(ListEntryRelation.objects.filter(entry__source=source, target__isnull=True)
                   .only("id", "name", "reference"))
    if not pending:
        return
    by_reference: dict[str, int] = {}
    references = {r.reference for r in pending if r.reference}
    for pk, reference, kind in (ListEntry.objects.filter(reference_number__in=references)
                                .order_by("id").values_list("id", "reference_number", "source__kind")):
        if kind == SourceKind.UN_CONSOLIDATED or reference not in by_reference:
            by_reference[reference] = pk
    by_name: dict[str, set[int]] = {}
    for entry_id, name in ListEntryName.objects.filter(entry__source=source).values_list("entry_id", "name"):
        by_name.setdefault(name.casefold(), set()).add(entry_id)
    resolved = []
    for relation in pending:
        named = by_name.get(relation.name.casefold(), set())
        target = by_reference.get(relation.reference) or (next(iter(named)) if len(named) == 1 else None)
        if target is not None:
            relation.target_id = target
            resolved.append(relation)
    ListEntryRelation.objects.bulk_update(resolved, ["target"], batch_size=1000)


def designee_links_refresh() -> None:
    """Keep the links the lists themselves establish between their entries, in step with them:
    a record citing a UN reference number is that UN entry's designee, and vessel entries of two
    lists with one valid IMO number are one hull. Links an analyst confirmed or rejected stay."""
    un_entries = dict(ListEntry.objects.filter(source__kind=SourceKind.UN_CONSOLIDATED)
                      .exclude(reference_number="").values_list("reference_number", "id"))
    wanted: dict[tuple[int, int], str] = {}
    citing = dict(ListEntry.objects.exclude(cited_un_reference="").exclude(source__kind=SourceKind.UN_CONSOLIDATED)
                  .values_list("id", "cited_un_reference"))
    for entry_id, reference in citing.items():
        if (un_id := un_entries.get(reference)) is not None:
            wanted[_pair(entry_id, un_id)] = DesigneeLinkBasis.UN_REFERENCE
    # A list can cite the wrong number (the UK's 2018 list gives KPe.023 to six companies that are
    # not Daedong Credit Bank): a citation whose names agree with no name of the UN entry is only
    # proposed, for an analyst to settle.
    doubtful = _names_disagree([pair for pair, basis in wanted.items() if basis == DesigneeLinkBasis.UN_REFERENCE])
    hulls: dict[str, list[tuple[int, int]]] = {}
    for entry_id, source_id, number in (ListEntryIdentifier.objects.filter(type=IdentifierType.IMO, is_valid=True,
                                                                            entry__kind=EntryKind.VESSEL)
                                        .values_list("entry_id", "entry__source_id", "normalized").distinct()):
        hulls.setdefault(number, []).append((entry_id, source_id))
    for holders in hulls.values():
        for position, (entry_id, source_id) in enumerate(holders):
            for other_id, other_source in holders[position + 1:]:
                if other_source != source_id:
                    wanted.setdefault(_pair(entry_id, other_id), DesigneeLinkBasis.IMO)

    automatic = (DesigneeLinkBasis.UN_REFERENCE, DesigneeLinkBasis.IMO)
    existing = {(link.entry_id, link.other_id): link for link in DesigneeLink.objects.all()}
    stale = [link.pk for pair, link in existing.items() if link.basis in automatic and pair not in wanted]
    DesigneeLink.objects.filter(pk__in=stale).delete()
    DesigneeLink.objects.bulk_create([
        DesigneeLink(entry_id=pair[0], other_id=pair[1], basis=basis,
                     status=DesigneeLinkStatus.PROPOSED if pair in doubtful else DesigneeLinkStatus.CONFIRMED,
                     note=doubtful.get(pair, ""))
        for pair, basis in wanted.items() if pair not in existing
    ], batch_size=1000)
    # A pair the matching engine had proposed is settled by the list itself.
    for pair, link in existing.items():
        if pair in wanted and link.basis == DesigneeLinkBasis.MATCHING and link.status == DesigneeLinkStatus.PROPOSED:
            link.basis, link.status = wanted[pair], DesigneeLinkStatus.CONFIRMED
            link.save(update_fields=["basis", "status", "updated_at"])


@transaction.atomic
def designee_link_decide(*, link: DesigneeLink, status: str, actor, note: str = "") -> bool:
    """An analyst's decision on a proposed link (the matching engine's, or a citation whose names
    disagree), or on one decided before: the same designee or not. A link a list establishes and
    nobody doubted is a fact of the lists, not decided here. Audited. Returns whether it changed."""
    from audit.services import audited_save

    locked = DesigneeLink.objects.select_for_update().get(pk=link.pk)
    decidable = (locked.basis == DesigneeLinkBasis.MATCHING or locked.status == DesigneeLinkStatus.PROPOSED
                 or locked.decided_by_id is not None)
    if not decidable or locked.status == status:
        return False
    locked.status, locked.decided_by, locked.decided_at = status, actor, timezone.now()
    locked.note = note or locked.note
    audited_save(locked, actor=actor, channel="admin")
    return True


def designee_link_propose(*, entry: ListEntry, other: ListEntry, score: float) -> DesigneeLink | None:
    """Record the matching engine's proposal that two entries of different lists are one designee,
    unless the pair is linked or decided already."""
    if other.source_id is not None and entry.source_id == other.source_id:
        return None
    first, second = _pair(entry.pk, other.pk)
    link, created = DesigneeLink.objects.get_or_create(
        entry_id=first, other_id=second,
        defaults={"basis": DesigneeLinkBasis.MATCHING, "status": DesigneeLinkStatus.PROPOSED, "score": score})
    return link if created else None


# A proposal needs the engine's near-certainty: a wrong link would show a list designating the wrong
# person on every hit until an analyst rejects it.
PROPOSAL_THRESHOLD = 0.90
QUERY_KINDS = {EntryKind.INDIVIDUAL: "person", EntryKind.ENTITY: "organization", EntryKind.VESSEL: "vessel"}


def designee_links_propose(entry_ids) -> int:
    """Screen each entry (of `entry_ids`) against every other active list, and propose a link to the
    entries that score at PROPOSAL_THRESHOLD or more with the same kind, unless the two are already
    one designee. Returns the number of proposals recorded."""
    from .screening import screen
    from .selectors import same_designee_ids

    entries = list(ListEntry.objects.filter(pk__in=entry_ids, is_active=True).select_related("source")
                   .prefetch_related("names", "identifiers", "birth_dates"))
    if not entries:
        return 0
    # The index of every active list, the one screening uses by default: one index per process, not one
    # per "all lists but this one" (each of those would hold its own 100 MiB).
    active_slugs = tuple(ListSource.objects.filter(is_active=True).order_by("slug").values_list("slug", flat=True))
    groups = same_designee_ids([entry.pk for entry in entries])
    proposed = 0
    for entry in entries:
        results, _ = screen(_entry_query(entry), source_slugs=active_slugs, limit=6, threshold=PROPOSAL_THRESHOLD)
        for result in results:
            candidate = result.candidate
            if (result.match and result.score >= PROPOSAL_THRESHOLD and candidate.entry_id not in groups[entry.pk]
                    and candidate.kind == entry.kind and candidate.source != entry.source.slug):
                # The candidate is of another list (others): no need to read its row.
                if designee_link_propose(entry=entry, other=ListEntry(pk=candidate.entry_id), score=result.score):
                    proposed += 1
    return proposed


def _entry_query(entry: ListEntry):
    from .matching import Query

    names = [name for name in entry.names.all() if name.quality != "low"]
    dates = [b for b in entry.birth_dates.all() if b.date or b.year]
    imo = next((i.normalized for i in entry.identifiers.all() if i.type == IdentifierType.IMO and i.is_valid), "")
    documents = tuple(i.normalized for i in entry.identifiers.all()
                      if i.type in (IdentifierType.PASSPORT, IdentifierType.NATIONAL_ID))
    birth = dates[0].date.isoformat() if dates and dates[0].date else (str(dates[0].year) if dates else "")
    return Query(name=entry.primary_name, kind=QUERY_KINDS.get(entry.kind, "any"),
                 aliases=tuple(dict.fromkeys(n.name for n in names if n.name != entry.primary_name))[:20],
                 birth_date=birth, imo=imo, identifiers=documents[:10], id=str(entry.pk))


# The best agreement between a citing record's names and the UN entry's under which the citation
# is taken on trust: a spelling or romanisation apart, not another designee.
CITATION_NAME_AGREEMENT = 0.75


def _names_disagree(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The pairs (of `pairs`) whose two entries share no name the matching engine scores at
    CITATION_NAME_AGREEMENT or more, each with a note saying so."""
    from .matching.names import compare_names

    names: dict[int, list[str]] = {}
    # Weak aliases count here: they cannot make a screening hit, but they do tell one designee from another.
    for entry_id, name in (ListEntryName.objects.filter(entry_id__in={pk for pair in pairs for pk in pair})
                           .values_list("entry_id", "name")):
        names.setdefault(entry_id, []).append(name)
    kinds = dict(ListEntry.objects.filter(pk__in={pk for pair in pairs for pk in pair}).values_list("id", "kind"))
    doubtful = {}
    for one, other in pairs:
        organization = kinds.get(one) != EntryKind.INDIVIDUAL
        best = max((compare_names(a, b, organization=organization).score
                    for a in names.get(one, [])[:20] for b in names.get(other, [])[:20]), default=0.0)
        if best < CITATION_NAME_AGREEMENT:
            doubtful[(one, other)] = (f"Cites the UN reference, but no name agrees (best name score {best:.2f}): "
                                      "check before confirming.")
    return doubtful


def _pair(one: int, other: int) -> tuple[int, int]:
    return (one, other) if one < other else (other, one)


def list_sources_from_registry(**kwargs) -> None:
    """Create or update the ListSource row of each source of settings.LIST_SOURCES (after migrate).
    Whether a source is active is the team's choice, made in the admin: only a new row is set active."""
    for spec in settings.LIST_SOURCES:
        source, created = ListSource.objects.get_or_create(
            slug=spec.slug, defaults={"name": spec.name, "authority": spec.authority, "kind": spec.kind,
                                      "url": spec.url[:500]})
        if not created:
            source.name, source.authority, source.kind, source.url = spec.name, spec.authority, spec.kind, spec.url[:500]
            source.save(update_fields=["name", "authority", "kind", "url", "updated_at"])


# --- Vessels named by a list (OFAC SDN): curated Vessel rows follow the list ------------------

LIST_NOTE = "from list sync"


def vessels_from_list_sync(*, pairs: list[tuple[ListEntry, ParsedRecord]], version: ListVersion,
                           effective_date: datetime.date, previous_snapshots: dict[int, dict] | None = None) -> None:
    """Create or update the Vessel of each listed vessel with a valid IMO number, link it to its
    entry, and keep its identity history: a changed name, flag, MMSI or call sign closes the
    current list-based identity period and opens a new one.

    A hull the entry's previous record named and its record no longer names (IMO corrected, no
    longer a valid IMO, not a vessel any more) is unlinked from the entry (`previous_snapshots`:
    entry id -> snapshot before this version). Links an analyst made by hand are left alone."""
    previous_snapshots = previous_snapshots or {}
    for entry, record in pairs:
        named = _named_imo(entry.snapshot)
        named_before = _named_imo(previous_snapshots.get(entry.pk))
        if named_before and named_before != named:
            _vessel_unlink(entry, imo_number=named_before, effective_date=effective_date,
                           listed_as=previous_snapshots[entry.pk].get("reference_number", ""))
        if not named:
            continue  # without a valid IMO there is no hull to pin a curated record on
        particulars = record.vessel
        # A list may designate a hull by its IMO number alone (the 1718 Committee's 9191773).
        listed_name = record.primary_name[:200]
        vessel, created = Vessel.objects.get_or_create(imo_number=named, defaults={"name": listed_name or f"IMO {named}"})
        vessel.name = listed_name or vessel.name
        vessel.flag = particulars.flag_code or vessel.flag
        vessel.mmsi = particulars.mmsi or vessel.mmsi
        vessel.call_sign = particulars.call_sign[:10] or vessel.call_sign
        vessel.vessel_type = particulars.vessel_type[:100] or vessel.vessel_type
        # OFAC's GRT column is the gross tonnage; its Tonnage column is another measure, the deadweight
        # (SABITI: Tonnage 159,681, GRT 81,479, a Suezmax tanker's deadweight and gross tonnage).
        vessel.gross_tonnage = particulars.gross_registered_tonnage or vessel.gross_tonnage
        vessel.deadweight_tonnage = particulars.tonnage or vessel.deadweight_tonnage
        vessel.save()
        vessel.list_entries.add(entry)
        _identity_period_follow(vessel, record, effective_date=None if created else effective_date,
                                note=f"{version.source.name}, {entry.reference_number}")
        _parties_from_list(vessel, entry, record)


def _named_imo(snapshot: dict | None) -> str:
    """The IMO number by which a record (as its snapshot) names a hull; '' when it names none."""
    particulars = (snapshot or {}).get("vessel") or {}
    return particulars.get("imo", "") if particulars.get("imo_valid") else ""


def _vessel_unlink(entry: ListEntry, *, imo_number: str, listed_as: str, effective_date: datetime.date) -> None:
    """The entry no longer names this hull: drop the link and the parties the list gave the hull
    through the entry. Its list-based identity period is closed, not deleted, unless another
    linked entry still names the hull."""
    vessel = entry.vessels.filter(imo_number=imo_number).first()
    if vessel is None:
        return  # already unlinked by hand
    vessel.list_entries.remove(entry)
    vessel.parties.filter(source_note=_party_note(listed_as)).delete()
    if not any(_named_imo(other.snapshot) == imo_number for other in vessel.list_entries.only("snapshot")):
        vessel.identities.filter(basis=IdentityBasis.LIST, valid_to__isnull=True).update(valid_to=effective_date)


def _identity_period_follow(vessel: Vessel, record: ParsedRecord, *, effective_date, note: str) -> None:
    particulars = record.vessel
    wanted = {
        "name": record.primary_name[:200] or vessel.name,
        "flag": particulars.flag_code,
        "mmsi": particulars.mmsi,
        "call_sign": particulars.call_sign[:10],
    }
    current = vessel.identities.filter(basis=IdentityBasis.LIST, valid_to__isnull=True).order_by("-id").first()
    if current is not None:
        if all(str(getattr(current, k) or "") == str(v or "") for k, v in wanted.items()):
            return
        if effective_date and current.valid_from and effective_date < current.valid_from:
            # Another list, published before the identity now open began (the UK's of 2018 after
            # OFAC's of today), does not say what the hull is called now.
            return
        current.valid_to = effective_date
        current.save(update_fields=["valid_to"])
    VesselIdentityPeriod.objects.create(vessel=vessel, basis=IdentityBasis.LIST, valid_from=effective_date,
                                        source_note=note[:500], **wanted)


def _parties_from_list(vessel: Vessel, entry: ListEntry, record: ParsedRecord) -> None:
    """Owner and "linked to" parties as the list states them; replaced whenever the entry changes."""
    note = _party_note(entry.reference_number)
    vessel.parties.filter(source_note=note).delete()
    particulars = record.vessel
    named = [(VesselPartyRole.OWNER, particulars.owner, "")] if particulars.owner else []
    named += [(VesselPartyRole.LINKED_TO, name, "") for name in particulars.linked_to]
    named += [(VesselPartyRole.ECONOMIC_RESOURCE_OF, link.name, link.reference) for link in record.links
              if link.relation == EntryRelation.ECONOMIC_RESOURCE_OF]
    for role, name, reference in named:
        listed = _entry_named(entry.source, name=name, reference=reference)
        VesselParty.objects.create(vessel=vessel, role=role, list_entry=listed, name="" if listed else name[:300],
                                   source_note=note)


def _entry_named(source: ListSource, *, name: str, reference: str) -> ListEntry | None:
    """The entry a record names: by reference number (a UN one means the UN list's entry), else by
    primary name within the record's own list."""
    if reference:
        found = (ListEntry.objects.filter(reference_number=reference)
                 .order_by(models.Case(models.When(source__kind=SourceKind.UN_CONSOLIDATED, then=0), default=1), "id")
                 .first())
        if found:
            return found
    return ListEntry.objects.filter(source=source, primary_name__iexact=name).first() if name else None


def _party_note(reference_number: str) -> str:
    return f"{LIST_NOTE}: {reference_number}"[:500]


# --- Sync: fetch, check, parse, apply ---------------------------------------------------------

def list_sync(*, source: ListSource, location: str | None = None, force: bool = False,
              fetch_options: dict | None = None, progress: Progress = SILENT) -> ListVersion:
    """Fetch the source's list (URL or file), and apply it unless it is unchanged or unusable.

    Raises FetchError when the list could not be downloaded, after recording a "failed" version
    (the exception's `version`): TransientFetchError for reasons worth retrying (the task retries
    those), PermanentFetchError otherwise. Every other outcome is a ListVersion whose status and
    error say what happened. Nothing in the active list changes unless the version is applied, in
    full."""
    from .fetch import FetchError, PermanentFetchError
    from .parsers.types import ListParseError
    from .sources import ADAPTERS, default_location

    adapter = ADAPTERS[source.kind]
    location = location or default_location(source.slug) or source.url
    if not location:
        exc = PermanentFetchError(f"{source.name} has no address to fetch it from: set its URL variable "
                                  f"(see README, Environment variables) or give a file.")
        exc.version = list_version_record_failure(source=source, status=VersionStatus.FAILED, error=str(exc))
        raise exc
    options = {"max_bytes": settings.LIST_SYNC_MAX_BYTES, "timeout": settings.LIST_SYNC_TIMEOUT_SECONDS,
               **(fetch_options or {})}
    previous = (source.versions.filter(fetched_from=location, status__in=[VersionStatus.APPLIED, VersionStatus.UNCHANGED])
                .order_by("-fetched_at", "-id").first())
    last_applied = last_applied_version(source)
    # A 304 only means "unchanged" if what is applied now is what that URL gave last time.
    conditional = ({"etag": previous.etag, "last_modified": previous.last_modified}
                   if previous and last_applied and previous.content_sha256 == last_applied.content_sha256
                   and adapter.conditional and not force else {})
    try:
        with progress.stage(f"{source.slug}: fetch", total=1) as bar:
            download = adapter.download(location, **conditional, **options)
            bar.update(1)
    except FetchError as exc:
        exc.version = list_version_record_failure(source=source, status=VersionStatus.FAILED, error=str(exc),
                                                  fetched_from=location)
        raise

    if download.main.not_modified and last_applied is not None:
        # 304: the very file fetched from this URL last time.
        return _record_unchanged(source, last_applied, location=location, download=download,
                                 generated_at=previous.generated_at if previous else None)
    if not download.main.content or not download.main.content.strip():
        return list_version_record_failure(source=source, status=VersionStatus.REJECTED, fetched_from=location,
                                           error="The download is empty.", size_bytes=download.size_bytes)
    try:
        content_hash = adapter.content_hash(download)
    except ListParseError as exc:
        return list_version_record_failure(source=source, status=VersionStatus.REJECTED, error=str(exc),
                                           fetched_from=location, size_bytes=download.size_bytes)
    if last_applied is not None and last_applied.content_sha256 == content_hash and not force:
        return _record_unchanged(source, last_applied, location=location, download=download,
                                 generated_at=adapter.generated_at(download))
    try:
        with progress.stage(f"{source.slug}: parse", total=1) as bar:
            parsed = adapter.parse(download)
            bar.update(1)
    except ListParseError as exc:
        # Dated when its root says so, even if what follows is broken: which day's file was refused.
        return list_version_record_failure(source=source, status=VersionStatus.REJECTED, error=str(exc),
                                           fetched_from=location, size_bytes=download.size_bytes,
                                           content_sha256=content_hash, generated_at=adapter.generated_at(download))
    return list_version_apply(source=source, parsed=parsed, fetched_from=location, size_bytes=download.size_bytes,
                              etag=download.main.etag, last_modified=download.main.last_modified, force=force,
                              progress=progress)


@transaction.atomic
def _record_unchanged(source: ListSource, last_applied: ListVersion, *, location: str, download,
                      generated_at: datetime.datetime | None) -> ListVersion:
    # Same content as the version applied, so the same counts; the generation time is the file's own.
    counts = {name: getattr(last_applied, name) for name in
              ("record_count", "individual_count", "entity_count", "vessel_count", "content_sha256")}
    return ListVersion.objects.create(
        source=source, status=VersionStatus.UNCHANGED, generated_at=generated_at, fetched_at=timezone.now(),
        fetched_from=location, size_bytes=download.size_bytes or None, etag=download.main.etag,
        last_modified=download.main.last_modified,
        active_count=source.entries.filter(is_active=True).count(), **counts,
    )
