"""Reads of list data for other layers (screening, the API)."""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from .choices import VersionStatus
from .matching import Candidate
from .matching.candidates import build_candidate
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
    Vessel,
    VesselIdentityPeriod,
    VesselParty,
)


# The publisher's record and our snapshot of it, kept for diffs, exports and the admin: the largest
# columns of an entry, and nothing the API's entry pages or a hit's designations show.
RECORD_COPIES = ("raw", "snapshot")


def screening_source_slugs() -> tuple[str, ...]:
    """The sources screened against by default: SCREENING_SOURCES, or when it is empty every active source."""
    configured = tuple(settings.SCREENING_SOURCES)
    return configured or tuple(ListSource.objects.filter(is_active=True).order_by("slug").values_list("slug", flat=True))


def active_entries(*, source_slugs: tuple[str, ...], entry_ids=None) -> QuerySet[ListEntry]:
    queryset = ListEntry.objects.filter(source__slug__in=source_slugs, is_active=True)
    if settings.SCREENING_PROGRAMS:
        # Entries of lists without programmes stay; those with some are kept when one is wanted.
        queryset = queryset.filter(Q(programs__code__in=settings.SCREENING_PROGRAMS) | Q(programs__isnull=True)).distinct()
    if entry_ids is not None:
        queryset = queryset.filter(pk__in=entry_ids)
    return queryset.select_related("source").prefetch_related(
        Prefetch("names", queryset=ListEntryName.objects.order_by("id")), "identifiers", "birth_dates",
        "nationalities",
    )


def entry_as_candidate(entry: ListEntry) -> Candidate:
    return build_candidate(
        entry_id=entry.pk, source=entry.source.slug, reference_number=entry.reference_number, kind=entry.kind,
        primary_name=entry.primary_name, names=entry.names.all(), identifiers=entry.identifiers.all(),
        birth_dates=entry.birth_dates.all(), nationalities=entry.nationalities.all(),
    )


def screening_candidates(*, source_slugs: tuple[str, ...], entry_ids=None) -> list[Candidate]:
    return [entry_as_candidate(e) for e in active_entries(source_slugs=source_slugs, entry_ids=entry_ids)]


def current_versions(*, source_slugs: tuple[str, ...]) -> dict[str, ListVersion | None]:
    """The last applied version of each source: what screening results are stamped with."""
    # Two queries whatever the number of sources: this runs before every screening call, to know
    # which index answers it.
    last_applied = (ListVersion.objects.filter(source=OuterRef("pk"), status=VersionStatus.APPLIED)
                    .order_by("-applied_at", "-id").values("pk")[:1])
    sources = (ListSource.objects.filter(slug__in=source_slugs).annotate(last_applied_id=Subquery(last_applied))
               .values_list("slug", "last_applied_id"))
    last = dict(sources)
    found = ListVersion.objects.select_related("source").in_bulk([pk for pk in last.values() if pk is not None])
    return {slug: found.get(pk) for slug, pk in sorted(last.items())}


# --- Reads for the REST API and the FollowTheMoney export -------------------------------------
# Each returns an ordered queryset with what its serializer reads already joined or prefetched,
# so a page costs the same few queries whatever its size. Filtering by query parameters is the
# API's FilterSets' job (sanctions.api.filters); these only shape and order.


def _last_applied_version_prefetch() -> Prefetch:
    last_applied = (ListVersion.objects.filter(source=OuterRef("source"), status=VersionStatus.APPLIED)
                    .order_by("-applied_at", "-id").values("pk")[:1])
    return Prefetch("versions", to_attr="last_applied_versions",
                    queryset=ListVersion.objects.filter(pk=Subquery(last_applied)))


def source_list() -> QuerySet[ListSource]:
    """Sources by slug; each carries `last_applied_versions` (its last applied version, or none)."""
    return ListSource.objects.prefetch_related(_last_applied_version_prefetch()).order_by("slug")


def version_list() -> QuerySet[ListVersion]:
    """Fetched versions of every source, newest first."""
    return ListVersion.objects.select_related("source").order_by("-fetched_at", "-id")


def entry_list() -> QuerySet[ListEntry]:
    """List entries with their names, in a stable order (source, reference number, id)."""
    return (ListEntry.objects.select_related("source")
            .prefetch_related(Prefetch("names", queryset=ListEntryName.objects.order_by("id")), "programs")
            .defer(*RECORD_COPIES).order_by("source__slug", "reference_number", "id"))


def entry_detail_list() -> QuerySet[ListEntry]:
    """Entries with everything published about them, the vessels they designate and their history."""
    return entry_list().prefetch_related(
        Prefetch("identifiers", queryset=ListEntryIdentifier.objects.order_by("type", "id")),
        Prefetch("birth_dates", queryset=ListEntryBirthDate.objects.order_by("year", "id")),
        Prefetch("nationalities", queryset=ListEntryNationality.objects.order_by("id")),
        Prefetch("addresses", queryset=ListEntryAddress.objects.order_by("id")),
        Prefetch("vessels", queryset=Vessel.objects.order_by("name", "id")),
        "relations", "measures",
        Prefetch("changes", queryset=EntryChange.objects.select_related("version__source").order_by("id")),
    )


def entry_change_list() -> QuerySet[EntryChange]:
    """The change feed: every EntryChange in the order it was written (ascending id)."""
    return (EntryChange.objects.select_related("version__source", "entry__source")
            .defer(*(f"entry__{field}" for field in RECORD_COPIES)).order_by("id"))


def vessel_list() -> QuerySet[Vessel]:
    """Vessels with their identity timeline, designations and parties."""
    return Vessel.objects.prefetch_related(
        Prefetch("identities", queryset=VesselIdentityPeriod.objects.order_by(
            F("valid_from").asc(nulls_first=True), "id")),
        Prefetch("list_entries", queryset=ListEntry.objects.select_related("source").order_by(
            "source__slug", "reference_number", "id")),
        Prefetch("parties", queryset=VesselParty.objects.select_related("list_entry__source").order_by("role", "id")),
    ).order_by("name", "id")


def designee_groups() -> dict[int, set[int]]:
    """Every entry with a confirmed link, and the entries of its designee (itself included): the
    links' connected groups, read in one query (for exports)."""
    from .choices import DesigneeLinkStatus
    from .models import DesigneeLink

    groups: dict[int, set[int]] = {}
    for one, other in DesigneeLink.objects.filter(status=DesigneeLinkStatus.CONFIRMED).values_list("entry_id", "other_id"):
        merged = groups.get(one, {one}) | groups.get(other, {other})
        for member in merged:
            groups[member] = merged
    return groups


def entry_export_list() -> QuerySet[ListEntry]:
    """Entries as the FollowTheMoney export reads them (iterate with `.iterator(chunk_size=…)`)."""
    return (ListEntry.objects.select_related("source")
            .prefetch_related(
                Prefetch("names", queryset=ListEntryName.objects.order_by("id")),
                Prefetch("identifiers", queryset=ListEntryIdentifier.objects.order_by("type", "id")),
                Prefetch("birth_dates", queryset=ListEntryBirthDate.objects.order_by("year", "id")),
                Prefetch("nationalities", queryset=ListEntryNationality.objects.order_by("id")),
                Prefetch("addresses", queryset=ListEntryAddress.objects.order_by("id")),
                "programs",
            )
            .order_by("id"))


def vessel_export_list() -> QuerySet[Vessel]:
    """Vessels as the FollowTheMoney export reads them, in id order."""
    return vessel_list().order_by("id")


# --- Reads for the analyst's desk in the admin ----------------------------------------------------

def source_freshness() -> list[dict]:
    """For each active source: the last successful sync (applied or unchanged), the last version
    that changed the list, and the last failure (rejected or failed) with its reason."""
    ok = (VersionStatus.APPLIED, VersionStatus.UNCHANGED)
    bad = (VersionStatus.REJECTED, VersionStatus.FAILED)
    rows = []
    # The UN list first: it is the one the team monitors; other sources follow by slug.
    sources = sorted(ListSource.objects.filter(is_active=True), key=lambda s: (s.slug != "un-sc", s.slug))
    for source in sources:
        versions = source.versions.order_by("-fetched_at", "-id")
        rows.append({
            "source": source,
            "last_success": versions.filter(status__in=ok).first(),
            "last_change": source.versions.filter(status=VersionStatus.APPLIED).order_by("-applied_at", "-id").first(),
            "last_failure": versions.filter(status__in=bad).first(),
            "active_entries": source.entries.filter(is_active=True).count(),
        })
    return rows


def recent_entry_changes(*, limit: int = 10) -> list[EntryChange]:
    """The latest changes to list entries, newest first."""
    return list(EntryChange.objects.select_related("entry", "entry__source", "version", "version__source")
                .order_by("-version__fetched_at", "-id")[:limit])


def entry_changes(entry: ListEntry) -> QuerySet[EntryChange]:
    """One entry's history, oldest first: added, amended, removed, relisted."""
    return entry.changes.select_related("version", "version__source").order_by("version__fetched_at", "id")


def vessel_identities(vessel: Vessel) -> QuerySet[VesselIdentityPeriod]:
    """A vessel's names, flags, MMSIs and call signs over time, oldest first (undated first)."""
    return vessel.identities.order_by(F("valid_from").asc(nulls_first=True), "id")


def same_designee_ids(entry_ids) -> dict[int, set[int]]:
    """For each entry, every entry of any list confirmed to be the same designee (itself included),
    following links from list to list: a UK entry and an OFAC entry both linked to one UN entry."""
    from .choices import DesigneeLinkStatus
    from .models import DesigneeLink

    entry_ids = list(entry_ids)
    # Breadth first over every entry at once: one query per link of the longest chain, whatever
    # the number of entries (a page of hits, a page of matches).
    linked: dict[int, set[int]] = defaultdict(set)
    reached, frontier = set(entry_ids), set(entry_ids)
    while frontier:
        pairs = list(DesigneeLink.objects.filter(Q(entry_id__in=frontier) | Q(other_id__in=frontier),
                                                 status=DesigneeLinkStatus.CONFIRMED).values_list("entry_id", "other_id"))
        for one, other in pairs:
            linked[one].add(other)
            linked[other].add(one)
        frontier = {pk for pair in pairs for pk in pair} - reached
        reached = reached | frontier
    groups: dict[int, set[int]] = {}
    for entry_id in entry_ids:
        if entry_id in groups:
            continue
        group, unvisited = {entry_id}, [entry_id]
        while unvisited:
            for other in linked[unvisited.pop()] - group:
                group.add(other)
                unvisited.append(other)
        for member in group:
            groups[member] = group
    return {entry_id: groups[entry_id] for entry_id in entry_ids}


def designating_lists(entry_ids) -> dict[int, list[ListEntry]]:
    """For each entry, the entries that designate the same designee, one per list, the entry's own
    first, then by source slug: what "also listed by" and a hit's "designated by" show."""
    groups = same_designee_ids(list(entry_ids))
    members = {entry.pk: entry for entry in ListEntry.objects.filter(
        pk__in={pk for group in groups.values() for pk in group}).select_related("source").defer(*RECORD_COPIES)}
    result = {}
    for entry_id, group in groups.items():
        own = members.get(entry_id)
        others = sorted((members[pk] for pk in group if pk != entry_id and pk in members),
                        key=lambda e: (e.source.slug, e.reference_number, e.pk))
        result[entry_id] = ([own] if own else []) + others
    return result


def designation_ref(entry: ListEntry) -> dict:
    return {"source": entry.source.slug, "authority": entry.source.authority, "entry_id": entry.pk,
            "reference_number": entry.reference_number, "is_active": entry.is_active}


def with_designations(results: list[dict]) -> list[dict]:
    """Screening results (MatchResult.as_dict()), each given `designated_by`: every list that
    designates its entry's designee, the entry's own first."""
    designated = designating_lists({result["entry_id"] for result in results})
    for result in results:
        result["designated_by"] = [designation_ref(entry) for entry in designated[result["entry_id"]]]
    return results
