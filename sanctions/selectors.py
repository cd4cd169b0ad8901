"""Reads of list data for other layers (screening, the API)."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .choices import VersionStatus
from .matching import Candidate, CandidateBirthDate, CandidateIdentifier, CandidateName
from .models import ListEntry, ListEntryName, ListSource, ListVersion


def active_entries(*, source_slugs: tuple[str, ...], entry_ids=None) -> QuerySet[ListEntry]:
    queryset = ListEntry.objects.filter(source__slug__in=source_slugs, is_active=True)
    if entry_ids is not None:
        queryset = queryset.filter(pk__in=entry_ids)
    return queryset.select_related("source").prefetch_related(
        Prefetch("names", queryset=ListEntryName.objects.order_by("id")), "identifiers", "birth_dates",
        "nationalities",
    )


def entry_as_candidate(entry: ListEntry) -> Candidate:
    names = [CandidateName(n.name, n.quality, n.kind) for n in entry.names.all()]
    if not any(n.kind == "primary" for n in names):
        names.insert(0, CandidateName(entry.primary_name))
    return Candidate(
        entry_id=entry.pk,
        source=entry.source.slug,
        reference_number=entry.reference_number,
        kind=entry.kind,
        primary_name=entry.primary_name,
        names=tuple(names),
        identifiers=tuple(CandidateIdentifier(i.type, i.value, i.normalized) for i in entry.identifiers.all()),
        birth_dates=tuple(
            CandidateBirthDate(
                year=b.date.year if b.date else b.year, year_to=b.year_to,
                month=b.date.month if b.date else None, day=b.date.day if b.date else None,
            )
            for b in entry.birth_dates.all() if b.date or b.year
        ),
        nationalities=tuple(sorted({str(n.country_code) for n in entry.nationalities.all() if n.country_code})),
    )


def screening_candidates(*, source_slugs: tuple[str, ...], entry_ids=None) -> list[Candidate]:
    return [entry_as_candidate(e) for e in active_entries(source_slugs=source_slugs, entry_ids=entry_ids)]


def current_versions(*, source_slugs: tuple[str, ...]) -> dict[str, ListVersion | None]:
    """The last applied version of each source: what screening results are stamped with."""
    versions = {}
    for source in ListSource.objects.filter(slug__in=source_slugs).order_by("slug"):
        versions[source.slug] = (source.versions.filter(status=VersionStatus.APPLIED)
                                 .order_by("-applied_at", "-id").first())
    return versions
