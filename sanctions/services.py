"""Applying a parsed list to the database: one transaction per version, upsert by the
publisher's stable id, field-level diffs, delisting of absent entries, relisting of returning ones.

Fetching, scheduling and the command line sit on top of `list_version_apply`."""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from .choices import ChangeType, EntryKind, VersionStatus
from .models import (
    EntryChange,
    ListEntry,
    ListEntryAddress,
    ListEntryBirthDate,
    ListEntryIdentifier,
    ListEntryName,
    ListEntryNationality,
    ListSource,
    ListVersion,
)
from .parsers.types import ParsedList, ParsedRecord
from .signals import list_version_applied

# A version that would delist more than this share of active entries is refused unless forced:
# a truncated download must never empty the list.
MAX_REMOVAL_RATIO = 0.10

ENTRY_KIND = {"individual": EntryKind.INDIVIDUAL, "entity": EntryKind.ENTITY, "vessel": EntryKind.VESSEL}


def _jsonable(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def record_snapshot(record: ParsedRecord) -> dict:
    """The content that counts for "did this entry change": everything but formatting and order."""
    def rows(items: Iterable) -> list:
        return sorted((_jsonable(asdict(item)) for item in items), key=lambda row: repr(sorted(row.items())))

    return {
        "reference_number": record.reference_number,
        "kind": record.kind,
        "primary_name": record.primary_name,
        "regime": record.regime,
        "list_types": sorted(record.list_types),
        "listed_on": _jsonable(record.listed_on),
        "amended_on": sorted(_jsonable(list(record.last_updated))),
        "comments": " ".join(record.comments.split()),
        "gender": record.gender,
        "titles": list(record.titles),
        "designations": [" ".join(d.split()) for d in record.designations],
        "names": rows(record.names),
        "identifiers": rows(record.identifiers),
        "birth_dates": rows(record.birth_dates),
        "nationalities": rows(record.nationalities),
        "addresses": rows(record.addresses),
    }


def snapshot_diff(before: dict, after: dict) -> dict:
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _entry_fields(record: ParsedRecord) -> dict:
    return {
        "reference_number": record.reference_number,
        "kind": ENTRY_KIND[record.kind],
        "primary_name": record.primary_name[:500],
        "regime": record.regime,
        "list_types": list(record.list_types),
        "listed_on": record.listed_on,
        "amended_on": [d.isoformat() for d in record.last_updated],
        "comments": record.comments,
        "gender": record.gender,
        "titles": list(record.titles),
        "designations": list(record.designations),
        "raw": _jsonable(dict(record.raw)),
        "snapshot": record_snapshot(record),
    }


def _child_rows(entry: ListEntry, record: ParsedRecord) -> dict[type, list]:
    return {
        ListEntryName: [ListEntryName(entry=entry, **asdict(n)) for n in record.names],
        ListEntryIdentifier: [
            ListEntryIdentifier(
                entry=entry, type=i.type, type_label=i.type_label[:200], value=i.value[:200],
                normalized=i.normalized[:200], is_valid=i.valid, country=i.country[:200],
                country_code=i.country_code, issued_on=i.issued_on, expires_on=i.expires_on, note=i.note[:500],
            )
            for i in record.identifiers
        ],
        ListEntryBirthDate: [ListEntryBirthDate(entry=entry, **asdict(b)) for b in record.birth_dates],
        ListEntryNationality: [ListEntryNationality(entry=entry, **asdict(n)) for n in record.nationalities],
        ListEntryAddress: [ListEntryAddress(entry=entry, **asdict(a)) for a in record.addresses],
    }


def _replace_children(pairs: list[tuple[ListEntry, ParsedRecord]], *, fresh: bool) -> None:
    if not pairs:
        return
    if not fresh:
        entry_ids = [entry.pk for entry, _ in pairs]
        for model in (ListEntryName, ListEntryIdentifier, ListEntryBirthDate, ListEntryNationality, ListEntryAddress):
            model.objects.filter(entry_id__in=entry_ids).delete()
    batches: dict[type, list] = {}
    for entry, record in pairs:
        for model, rows in _child_rows(entry, record).items():
            batches.setdefault(model, []).extend(rows)
    for model, rows in batches.items():
        model.objects.bulk_create(rows, batch_size=1000)


def list_version_record_failure(
    *, source: ListSource, status: str, error: str, fetched_from: str = "", size_bytes: int | None = None,
    content_sha256: str = "", generated_at: datetime.datetime | None = None,
) -> ListVersion:
    """Keep a trace of a version that was not applied (bad download, refused change)."""
    return ListVersion.objects.create(
        source=source, status=status, error=error, fetched_from=fetched_from, size_bytes=size_bytes,
        content_sha256=content_sha256, generated_at=generated_at, fetched_at=timezone.now(),
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
) -> ListVersion:
    """Apply `parsed` as the next version of `source`, all or nothing. Returns the version row,
    whose status says whether it was applied, unchanged or rejected."""
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

    last_applied = source.versions.filter(status=VersionStatus.APPLIED).order_by("-applied_at", "-id").first()
    if last_applied and last_applied.content_sha256 == parsed.content_sha256:
        version.status = VersionStatus.UNCHANGED
        version.active_count = source.entries.filter(is_active=True).count()
        version.save()
        return version

    existing = {entry.external_id: entry for entry in source.entries.all()}
    incoming_ids = {record.external_id for record in parsed.records}
    active_ids = {ext_id for ext_id, entry in existing.items() if entry.is_active}
    to_remove = active_ids - incoming_ids
    if active_ids and not force and len(to_remove) > MAX_REMOVAL_RATIO * len(active_ids):
        version.status = VersionStatus.REJECTED
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
    untouched: list[ListEntry] = []
    for record in parsed.records:
        fields = _entry_fields(record)
        entry = existing.get(record.external_id)
        if entry is None:
            entry = ListEntry(source=source, external_id=record.external_id, first_seen_in=version,
                              last_seen_in=version, **fields)
            new_pairs.append((entry, record))
            continue
        diff = snapshot_diff(entry.snapshot, fields["snapshot"])
        change_type = ChangeType.RELISTED if not entry.is_active else (ChangeType.AMENDED if diff else None)
        entry.last_seen_in = version
        if change_type is None:
            untouched.append(entry)
            continue
        for name, value in fields.items():
            setattr(entry, name, value)
        entry.is_active, entry.delisted_on = True, None
        entry.save()
        updated_pairs.append((entry, record))
        changes.append(EntryChange(version=version, entry=entry, change_type=change_type, diff=diff))

    ListEntry.objects.bulk_create([entry for entry, _ in new_pairs], batch_size=500)
    changes.extend(EntryChange(version=version, entry=entry, change_type=ChangeType.ADDED) for entry, _ in new_pairs)
    ListEntry.objects.bulk_update(untouched, ["last_seen_in"], batch_size=1000)
    _replace_children(new_pairs, fresh=True)
    _replace_children(updated_pairs, fresh=False)

    removed = [existing[ext_id] for ext_id in sorted(to_remove)]
    for entry in removed:
        entry.is_active, entry.delisted_on, entry.updated_at = False, effective_date, now
        changes.append(EntryChange(version=version, entry=entry, change_type=ChangeType.REMOVED,
                                   diff={"is_active": {"before": True, "after": False}}))
    ListEntry.objects.bulk_update(removed, ["is_active", "delisted_on", "updated_at"], batch_size=1000)
    EntryChange.objects.bulk_create(changes, batch_size=1000)

    tally = {t: 0 for t in ChangeType.values}
    for change in changes:
        tally[change.change_type] += 1
    version.added_count = tally[ChangeType.ADDED]
    version.amended_count = tally[ChangeType.AMENDED]
    version.removed_count = tally[ChangeType.REMOVED]
    version.relisted_count = tally[ChangeType.RELISTED]
    version.active_count = source.entries.filter(is_active=True).count()
    version.save()

    changed_ids = [c.entry_id for c in changes if c.change_type != ChangeType.REMOVED]
    transaction.on_commit(
        lambda: list_version_applied.send(sender=ListVersion, version=version, changed_entry_ids=changed_ids)
    )
    return version
