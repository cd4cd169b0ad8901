"""Celery tasks of the monitoring app (queue `default`): thin wrappers over monitoring.screening.
Every task is idempotent, so redelivery after a worker dies is harmless (acks_late)."""
from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)

TASK_OPTIONS = {"acks_late": True, "soft_time_limit": 10 * 60, "time_limit": 12 * 60}


@shared_task(**TASK_OPTIONS)
def screen_subjects_task(subject_ids: list[int], entry_ids: list[int] | None = None, advance_from: str = "") -> int:
    from .screening import subjects_screen

    return len(subjects_screen(subject_ids=subject_ids, entry_ids=entry_ids, advance_from=advance_from))


@shared_task(**TASK_OPTIONS)
def rescreen_after_sync_task(version_id: int, changed_entry_ids: list[int]) -> int:
    """A list version was applied: mark hits on removed entries, then look at the added, amended,
    relisted and removed entries for every subject of an open report, in chunks over the workers."""
    from sanctions.models import EntryChange, ListVersion
    from sanctions.screening import current_index

    from .screening import (
        matches_mark_delisted,
        previous_version_key,
        sources,
        subjects_to_rescreen,
    )

    version = ListVersion.objects.select_related("source").get(pk=version_id)
    removed = list(EntryChange.objects.filter(version_id=version_id, change_type="removed")
                   .values_list("entry_id", flat=True))
    matches_mark_delisted(entry_ids=removed)
    subject_ids = list(subjects_to_rescreen().values_list("pk", flat=True).order_by("pk"))
    if not subject_ids:
        return 0  # nothing to re-screen: do not build the index for nobody
    handle = current_index(sources())
    if version.source.slug not in handle.versions:
        return 0  # a list we do not screen against
    advance_from = previous_version_key(handle, source_slug=version.source.slug, version_id=version_id)
    # Subjects with a hit on a removed entry are screened again too: its place among their best
    # hits may go to another entry.
    return fan_out(subject_ids, entry_ids=[*changed_entry_ids, *removed], advance_from=advance_from)


@shared_task(**TASK_OPTIONS)
def screening_sweep_task() -> int:
    """Screen whatever was missed (broker down, worker lost): subjects of open reports without a
    screening against the current list versions."""
    from .screening import subjects_needing_screening

    return fan_out(list(subjects_needing_screening().values_list("pk", flat=True).order_by("pk")))


def fan_out(subject_ids: list[int], entry_ids: list[int] | None = None, advance_from: str = "") -> int:
    from .screening import chunks

    for chunk in chunks(subject_ids, settings.SCREENING_CHUNK_SIZE):
        screen_subjects_task.delay(chunk, entry_ids, advance_from)
    return len(subject_ids)


def screening_enqueue(subject_ids: list[int]) -> None:
    """Queue screening after a commit. A broker outage must not fail the analyst's write: the
    subject stays unscreened and the periodic sweep picks it up."""
    try:
        screen_subjects_task.delay(subject_ids)
    except Exception:  # kombu raises many kinds of connection errors; all mean "not queued now"
        logger.warning("Screening of subjects %s not queued (broker unavailable); the sweep will do it.",
                       subject_ids, exc_info=True)
from . import webhook_tasks  # noqa: F401
