import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent after a list version's transaction commits, with `version` and `changed_entry_ids`
# (added, amended and relisted entries). Screening listens here; sanctions never imports it.
list_version_applied = Signal()


def propose_designee_links(sender, version, changed_entry_ids, **kwargs):
    from .tasks import designee_links_propose_task

    if not changed_entry_ids:
        return
    try:
        designee_links_propose_task.delay(list(changed_entry_ids))
    except Exception:  # broker down: the next sync of either list proposes them
        logger.warning("Designee link proposals after list version %s not queued.", version.pk, exc_info=True)


list_version_applied.connect(propose_designee_links, dispatch_uid="sanctions.propose_designee_links")
