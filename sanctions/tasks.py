"""Celery tasks of the sanctions app; all routed to the `sync` queue (settings.CELERY_TASK_ROUTES)."""
from celery import shared_task

from .fetch import TransientFetchError


@shared_task(
    bind=True,
    acks_late=True,  # idempotent: a redelivered sync re-fetches and finds the version applied or not
    autoretry_for=(TransientFetchError,),  # network trouble only; a bad list is recorded, not retried
    retry_backoff=60,
    retry_backoff_max=30 * 60,  # stays below the broker's visibility timeout
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
)
def sync_list_task(self, source_slug: str = "un-sc", location: str | None = None, force: bool = False) -> dict:
    from .models import ListSource
    from .services import list_sync

    version = list_sync(source=ListSource.objects.get(slug=source_slug), location=location, force=force)
    return {"version_id": version.pk, "status": version.status}


@shared_task(acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def designee_links_propose_task(entry_ids: list[int]) -> int:
    """After a sync: the matching engine's proposals of the same designee on other lists, for the
    entries the version added, amended or relisted (idempotent: a pair is proposed once)."""
    from .services import designee_links_propose

    return designee_links_propose(entry_ids)
