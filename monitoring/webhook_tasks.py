"""Celery tasks of the webhooks: thin wrappers over monitoring.webhooks. They run on the `default`
queue (CELERY_TASK_DEFAULT_QUEUE; only sanctions.tasks.* are routed to `sync`).

Delivery is idempotent (a delivered or given-up row is left alone; a row being attempted is
claimed), so acks_late is safe and a redelivered message does nothing twice. Retries of a failed
delivery are not Celery retries: the outcome and the next attempt's time are written on the row,
a countdown message is queued for that time, and `webhook_deliveries_due_task` (beat, every
minute) queues whatever is due and was not queued (broker down, worker lost), so nothing is lost.

Beat entry (config/settings/base.py, CELERY_BEAT_SCHEDULE)::

    "webhook-deliveries-due": {
        "task": "monitoring.webhook_tasks.webhook_deliveries_due_task",
        "schedule": 60,
        "options": {"expires": 50},
    },
"""
from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError

from . import webhooks  # noqa: F401  (importing it connects the event receivers)

logger = logging.getLogger(__name__)

DUE_BATCH_SIZE = 500
SWEEP_MESSAGE_EXPIRES_SECONDS = 50  # a sweep's message unstarted by the next sweep is dropped, not piled up

# The request is bounded by its 10 s timeouts; the hard limit stays below the row's claim
# (webhooks.CLAIM_SECONDS), so an attempt cut off by it is retried once the claim has run out.
DELIVERY_TASK_OPTIONS = {
    "acks_late": True,
    "ignore_result": True,
    "soft_time_limit": 60,
    "time_limit": 90,
    # Only a lost database connection is retried by Celery; the endpoint's failures are recorded
    # on the row and retried on the row's schedule.
    "autoretry_for": (DatabaseOperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 3,
}


@shared_task(**DELIVERY_TASK_OPTIONS)
def deliver_webhook_task(delivery_id: int) -> str:
    result = webhooks.delivery_attempt(delivery_id)
    if result.retry_in is not None:
        retry_enqueue(delivery_id, countdown=result.retry_in)
    return result.outcome


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=150)
def webhook_deliveries_due_task(limit: int = DUE_BATCH_SIZE) -> int:
    """Queue the deliveries that are due: never queued (broker down when the event happened),
    lost with a worker, or whose retry message went missing."""
    ids = list(webhooks.deliveries_due().values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        try:
            deliver_webhook_task.apply_async((delivery_id,), expires=SWEEP_MESSAGE_EXPIRES_SECONDS)
        except Exception:  # kombu raises many kinds of connection errors; all mean "not queued now"
            logger.warning("Webhook deliveries not queued (broker unavailable); the next sweep tries again.",
                           exc_info=True)
            break
    return len(ids)


def deliveries_enqueue(delivery_ids: list[int]) -> None:
    """Queue deliveries after the event's commit. A broker outage must not fail the event's write:
    the rows stay due and the sweep queues them."""
    for delivery_id in delivery_ids:
        try:
            deliver_webhook_task.delay(delivery_id)
        except Exception:  # kombu raises many kinds of connection errors; all mean "not queued now"
            logger.warning("Webhook deliveries %s not queued (broker unavailable); the sweep will do it.",
                           delivery_ids, exc_info=True)
            return


def retry_enqueue(delivery_id: int, *, countdown: float) -> None:
    try:
        deliver_webhook_task.apply_async((delivery_id,), countdown=countdown)
    except Exception:  # the sweep queues it once it is due
        logger.warning("Retry of webhook delivery %s not queued; the sweep will do it.", delivery_id, exc_info=True)
