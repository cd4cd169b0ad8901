"""Cross-checking report subjects against the lists, and keeping the hits: results are stored
per (subject, list entry) with the list and algorithm versions; re-screening replaces pending
hits, keeps decisions, and reopens a dismissed hit when its entry changed materially."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sanctions.matching import ALGORITHM_NAME, ALGORITHM_VERSION, MatchResult, Query
from sanctions.models import ListEntry
from sanctions.screening import IndexHandle, current_index
from sanctions.selectors import screening_source_slugs

from .choices import ReportStatus, ReviewDecision, ReviewStatus
from .models import MatchReview, ReportSubject, ScreeningMatch

logger = logging.getLogger(__name__)

# Subjects of these reports are kept screened; rejected and published reports are closed.
OPEN_REPORT_STATUSES = (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW, ReportStatus.ACCEPTED)
MATERIAL_FIELDS = ("names", "identifiers", "birth_dates")
SYSTEM_REVIEWER = "system (re-screening)"
SUBJECT_KIND_TO_QUERY = {"person": "person", "organization": "organization", "vessel": "vessel", "unknown": "any"}


def sources() -> tuple[str, ...]:
    return screening_source_slugs()


def version_key(handle: IndexHandle) -> str:
    """What a subject was screened with: the matching engine's version and each list's version, so
    a new engine, like a new list version, makes the sweep screen every open subject again."""
    return ",".join([_engine_key(), *(f"{slug}:{version.pk if version else '-'}"
                                      for slug, version in sorted(handle.versions.items()))])


def _engine_key() -> str:
    return f"{ALGORITHM_NAME}:{ALGORITHM_VERSION}"


def subject_query(subject: ReportSubject) -> Query:
    numbers = [str(d.get("number", "")) for d in subject.documents or [] if isinstance(d, dict)]
    numbers += [subject.mmsi, subject.call_sign]
    aliases = [str(a) for a in subject.aliases or [] if str(a).strip()]
    if subject.name_original_script.strip():
        aliases.append(subject.name_original_script)
    return Query(
        id=str(subject.pk),
        name=subject.name,
        kind=SUBJECT_KIND_TO_QUERY.get(subject.kind, "any"),
        aliases=tuple(aliases),
        birth_date=subject.birth_date.isoformat()[: {"year": 4, "month": 7}.get(subject.birth_date_precision, 10)]
        if subject.birth_date else "",
        nationality=str(subject.nationality_code or subject.nationality),
        imo=subject.imo,
        identifiers=tuple(n for n in numbers if n and n.strip()),
    )


def material_snapshot(entry: ListEntry) -> dict:
    return {field: entry.snapshot.get(field) for field in MATERIAL_FIELDS}


def hit_as_seen(match: ScreeningMatch) -> dict:
    """What a decision on `match` is taken on, for the review log (the hit itself changes with re-screening)."""
    return {
        "score": match.score, "is_match": match.is_match, "explanation": match.explanation,
        "list_version_id": match.list_version_id, "entry_delisted": match.entry_delisted,
        "algorithm": match.algorithm, "algorithm_version": match.algorithm_version,
    }


def _plain_text(value) -> str:
    return " ".join(str(value or "").split())


def _material_facts(field: str, rows: list | None) -> dict[tuple, str]:
    """What identifies in one material field of a snapshot, {key: how to say it}. Case and spacing are
    left out, and so are the notes, labels and parser warnings beside a number or a full date: a
    passport whose expiry moved from the note to its own field, or a vessel's MMSI whose note names a
    new flag, is the same passport, the same MMSI. Where there is no number or no full date, the note
    or label is what identifies ("Italian Fiscal Code: ...", "DATE: 1966-08"), so it counts."""
    facts = {}
    for row in rows or []:
        if field == "names":
            name = _plain_text(row.get("name"))
            facts.setdefault((name.casefold(),), f"“{name}”")
        elif field == "identifiers":
            number = row.get("normalized") or ""  # the parsers' uppercase letters and digits of the value
            label, note = _plain_text(row.get("type_label")), _plain_text(row.get("note"))
            country = row.get("country_code") or ""
            key = (row.get("type"), number, country, *(() if number else (label.casefold(), note.casefold())))
            kind = label or str(row.get("type", "")).replace("_", " ")
            said = f"{kind} {_plain_text(row.get('value')) or number}" if number else f"{kind}: {note or 'no number'}"
            facts.setdefault(key, said + (f" ({country})" if country else ""))
        else:  # birth_dates
            note = "" if row.get("date") else _plain_text(row.get("note"))
            key = (row.get("qualifier"), row.get("date"), row.get("year"), row.get("year_to"), note.casefold())
            when = row.get("date") or "–".join(str(y) for y in (row.get("year"), row.get("year_to")) if y)
            said = ", ".join(part for part in (when, row.get("qualifier"), note) if part)
            facts.setdefault(key, said or "no date")
    return facts


def _listed(items: list[str], most: int = 10) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def _material_changes(before: dict, after: dict) -> dict[str, str]:
    """{field label: what was added and removed} for the material fields that changed between two
    material snapshots; empty when nothing that identifies the entry changed."""
    if not before:
        return {}
    changes = {}
    for field in MATERIAL_FIELDS:
        old, new = _material_facts(field, before.get(field)), _material_facts(field, after.get(field))
        if old.keys() == new.keys():
            continue
        added = [said for key, said in new.items() if key not in old]
        removed = [said for key, said in old.items() if key not in new]
        parts = [f"added {_listed(added)}" if added else "", f"removed {_listed(removed)}" if removed else ""]
        changes[field.replace("_", " ")] = "; ".join(part for part in parts if part)
    return changes


def _results_for(subject: ReportSubject, handle: IndexHandle, entry_ids: set[int] | None) -> list[MatchResult] | None:
    """The subject's hits, as a full screening finds them. With `entry_ids` (after a sync), None
    when none of those entries is in the subject's shortlist: a full screening scores only the
    shortlist, so nothing it would find has changed."""
    query = subject_query(subject)
    index = handle.index
    if entry_ids is not None and not any(index.candidates[p].entry_id in entry_ids for p in index.shortlist(query)):
        return None
    results = index.screen(query, limit=settings.SCREENING_MAX_HITS, threshold=settings.SCREENING_THRESHOLD)
    return [r for r in results if r.match]


def subject_screen(*, subject: ReportSubject, handle: IndexHandle | None = None,
                   entry_ids: Iterable[int] | None = None) -> list[ScreeningMatch]:
    """Screen one subject and store its hits (see subjects_screen)."""
    return subjects_screen(subject_ids=[subject.pk], handle=handle, entry_ids=entry_ids).get(subject.pk, [])


@transaction.atomic
def subjects_screen(*, subject_ids: Iterable[int], handle: IndexHandle | None = None,
                    entry_ids: Iterable[int] | None = None, advance_from: str = "") -> dict[int, list[ScreeningMatch]]:
    """Screen subjects and store their hits, in one transaction with a handful of queries for the
    whole batch.

    With `entry_ids` (the entries a list version added, amended, relisted or removed), only
    subjects whose shortlist holds one of them, or who have a hit on one of them (a removed entry's
    place among their best hits may go to another), are screened, in full, so their hits are what
    a full screening gives (also when SCREENING_MAX_HITS cuts them); the others keep their hits, and
    those that were up to date with the versions `advance_from` are up to date with the current ones."""
    scope = set(entry_ids) if entry_ids is not None else None
    subjects = list(ReportSubject.objects.select_for_update().filter(pk__in=list(subject_ids)).order_by("pk"))
    # The index once the subjects are ours: a screening that waited for a post-sync re-screen to
    # finish must not write hits of the list version before it over that one's.
    handle = handle or current_index(sources())
    existing: dict[tuple[int, int], ScreeningMatch] = {
        (m.subject_id, m.list_entry_id): m
        for m in ScreeningMatch.objects.select_for_update().filter(subject__in=subjects).select_related("list_entry")
    }
    # A hit on a changed or removed entry is looked at again, whatever the shortlist holds now.
    touched = {m.subject_id for m in existing.values() if scope is not None and m.list_entry_id in scope}
    results = {subject.pk: _results_for(subject, handle, None if subject.pk in touched else scope)
               for subject in subjects}
    screened = [subject for subject in subjects if results[subject.pk] is not None]
    entries = ListEntry.objects.in_bulk({r.candidate.entry_id for pk in results for r in results[pk] or ()})
    now = timezone.now()
    created, updated, kept = [], [], {subject.pk: [] for subject in subjects}
    for subject in screened:
        for result in results[subject.pk]:
            entry = entries[result.candidate.entry_id]
            fields = {
                "score": result.score, "is_match": result.match, "explanation": result.explanation(),
                "algorithm": ALGORITHM_NAME, "algorithm_version": ALGORITHM_VERSION,
                "list_version": handle.version_for(result.candidate.source), "entry_delisted": False,
            }
            match = existing.pop((subject.pk, entry.pk), None)
            if match is None:
                match = ScreeningMatch(subject=subject, report_id=subject.report_id, list_entry=entry, **fields)
                created.append(match)
            else:
                for name, value in fields.items():
                    setattr(match, name, value)
                match.updated_at = now
                _reopen_if_entry_changed(match, entry)
                updated.append(match)
            kept[subject.pk].append(match)
    # A hit is seen where its subject's report is, also when the subject moved to another report.
    report_of = {subject.pk: subject.report_id for subject in subjects}
    for match in updated:
        match.report_id = report_of[match.subject_id]
    for match in existing.values():
        if match.report_id != report_of[match.subject_id]:
            match.report_id = report_of[match.subject_id]
            updated.append(match)
    ScreeningMatch.objects.bulk_create(created, batch_size=500)
    ScreeningMatch.objects.bulk_update(
        updated, ["report", "score", "is_match", "explanation", "algorithm", "algorithm_version", "list_version",
                  "entry_delisted", "review_status", "decided_entry_snapshot", "updated_at"], batch_size=500)
    screened_pks = {subject.pk for subject in screened}
    _retire_stale([m for m in existing.values() if m.subject_id in screened_pks], now)
    key = version_key(handle)
    ReportSubject.objects.filter(pk__in=screened_pks).update(screened_at=now, screened_versions=key)
    skipped = [subject.pk for subject in subjects if subject.pk not in screened_pks]
    if skipped and advance_from:
        ReportSubject.objects.filter(pk__in=skipped, screened_versions=advance_from).update(
            screened_at=now, screened_versions=key)
    return kept


def _retire_stale(matches: list[ScreeningMatch], now) -> None:
    """Hits a full screening did not find again.

    A hit on an entry off its list is kept, marked delisted (whether or not the post-sync task
    marked it first). Otherwise: a pending hit nobody has decided on is replaced, deleted; a pending
    one with a review log (a dismissal reopened by a list change, say) is kept as no longer a match,
    so its log stays with it, and it comes back if it matches again; a decided hit keeps its
    decision. A hit marked delisted whose entry is back on its list loses the mark."""
    pending = [m.pk for m in matches if m.review_status == ReviewStatus.PENDING]
    reviewed = set(MatchReview.objects.filter(match__in=pending).values_list("match_id", flat=True))
    changed: dict[int, ScreeningMatch] = {}
    replaced = []
    for match in matches:
        if not match.list_entry.is_active:
            if not match.entry_delisted:
                match.entry_delisted = True
                changed[match.pk] = match
            continue
        if match.entry_delisted:
            match.entry_delisted = False
            changed[match.pk] = match
        if match.review_status != ReviewStatus.PENDING:
            continue
        if match.pk not in reviewed:
            changed.pop(match.pk, None)
            replaced.append(match.pk)
        elif match.is_match:
            match.is_match = False
            changed[match.pk] = match
    for match in changed.values():
        match.updated_at = now
    ScreeningMatch.objects.bulk_update(list(changed.values()), ["entry_delisted", "is_match", "updated_at"],
                                       batch_size=500)
    ScreeningMatch.objects.filter(pk__in=replaced).delete()


def _reopen_if_entry_changed(match: ScreeningMatch, entry: ListEntry) -> None:
    if match.review_status != ReviewStatus.DISMISSED:
        return
    changed = _material_changes(match.decided_entry_snapshot, material_snapshot(entry))
    if not changed:
        return
    match.review_status = ReviewStatus.PENDING
    match.decided_entry_snapshot = material_snapshot(entry)
    fields = list(changed)
    which = " and ".join([", ".join(fields[:-1]), fields[-1]] if len(fields) > 1 else fields)
    what = " ".join(f"{field.capitalize()}: {how}." for field, how in changed.items())
    MatchReview.objects.create(
        match=match, reviewer=None, reviewer_label=SYSTEM_REVIEWER, decision=ReviewDecision.REOPEN,
        reason=f"Reopened: the list entry's {which} changed since it was dismissed. {what}",
        hit=hit_as_seen(match),
    )


def previous_version_key(handle: IndexHandle, *, source_slug: str, version_id: int) -> str:
    """The version key subjects had before `version_id` of `source_slug` was applied."""
    from sanctions.choices import VersionStatus
    from sanctions.models import ListVersion

    previous = (ListVersion.objects.filter(source__slug=source_slug, status=VersionStatus.APPLIED, pk__lt=version_id)
                .order_by("-pk").values_list("pk", flat=True).first())
    parts = [_engine_key()]
    for slug, version in sorted(handle.versions.items()):
        pk = (previous if slug == source_slug else (version.pk if version else None))
        parts.append(f"{slug}:{pk if pk else '-'}")
    return ",".join(parts)


def subjects_to_rescreen():
    return ReportSubject.objects.filter(report__status__in=OPEN_REPORT_STATUSES)


def matches_mark_delisted(*, entry_ids: Iterable[int]) -> int:
    """Hits on entries removed from their list are kept, marked delisted (never deleted)."""
    return ScreeningMatch.objects.filter(list_entry_id__in=list(entry_ids), entry_delisted=False).update(
        entry_delisted=True, updated_at=timezone.now())


def subjects_needing_screening():
    """Subjects of open reports never screened, or screened against older list versions."""
    handle = current_index(sources())
    key = version_key(handle)
    return subjects_to_rescreen().filter(~Q(screened_versions=key) | Q(screened_at__isnull=True))


def chunks(ids: list, size: int) -> list[list]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]
