"""Reacting to list changes: monitoring listens to sanctions (never the reverse)."""
import logging

from django.dispatch import receiver

from sanctions.signals import list_version_applied

logger = logging.getLogger(__name__)


@receiver(list_version_applied, dispatch_uid="monitoring.rescreen_after_sync")
def rescreen_after_sync(sender, version, changed_entry_ids, **kwargs):
    from .tasks import rescreen_after_sync_task

    try:
        rescreen_after_sync_task.delay(version.pk, list(changed_entry_ids))
    except Exception:  # broker down: the sweep screens against the new version later
        logger.warning("Re-screening after list version %s not queued; the sweep will catch up.", version.pk,
                       exc_info=True)
