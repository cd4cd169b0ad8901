"""Webhooks: partner systems subscribe an HTTPS endpoint to events and receive each one as a
signed POST.

Events
  ``list.changed``     a list version was applied with changes. List data carries no TLP
                       marking: every subscription whose token has ``lists:read`` gets it.
  ``match.confirmed``  an analyst confirmed a screening hit. Only subscriptions whose token has
                       ``reports:read`` and may see the hit's report (``visible_reports``) get it;
                       visibility is checked again just before each attempt.

Nothing is lost
  An event writes one ``WebhookDelivery`` row per subscribed, active, unpaused subscription in
  the same transaction as the event itself (``list.changed``: the list version's signal comes
  after its commit, so the rows get a transaction of their own there), and the deliveries are
  queued once that transaction commits. If the broker is down or a worker dies, the row stays
  due (``next_attempt_at``) and the periodic ``webhook_deliveries_due_task`` queues it again.
  A delivery is at least once: receivers deduplicate on ``X-MSMT-Delivery``.

Attempts
  One POST, 10 s timeout, no redirects. 2xx: delivered. Anything else, or a network error: failed,
  retried after 30 s, 2 min, 8 min, 32 min, then every hour; after 8 attempts it is given up.
  A subscription with 5 failed attempts in a row is paused: no new deliveries are created for it
  until its owner resumes it (``POST /api/v1/webhooks/<id>/resume/``).

What a receiver gets
  Body (JSON)::

      {"id": "<event id>", "event": "list.changed", "occurred_at": "2026-01-31T12:00:00+00:00",
       "data": {...}}

  Headers::

      X-MSMT-Event: list.changed
      X-MSMT-Delivery: <event id, the same on every retry: deduplicate on it>
      X-MSMT-Timestamp: <unix seconds of this attempt>
      X-MSMT-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the secret>

  Verify the signature on the raw bytes of the body, before parsing it. This function depends on
  the standard library only; copy it into your receiver::

      import hashlib, hmac, time

      def verify_signature(secret, timestamp, body, signature, tolerance=300):
          try:
              sent_at = int(timestamp)
          except (TypeError, ValueError):
              return False
          if abs(time.time() - sent_at) > tolerance:
              return False  # too old (or from the future): a replay
          if isinstance(body, str):
              body = body.encode()
          mac = hmac.new(secret.encode(), str(sent_at).encode() + b"." + body, hashlib.sha256)
          return hmac.compare_digest(("sha256=" + mac.hexdigest()).encode(), str(signature or "").encode())

  Answer 2xx quickly (queue the work on your side); a receiver that takes more than 10 s counts
  as a failure.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from sanctions.signals import list_version_applied

from .choices import ReviewDecision, TokenScope
from .models import (
    ApiToken,
    DeliveryStatus,
    MatchReview,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
MAX_ATTEMPTS = 8
PAUSE_AFTER_FAILURES = 5
BACKOFF_FIRST_SECONDS = 30
BACKOFF_FACTOR = 4
# Below the broker's visibility timeout (2 h), or Redis would hand a scheduled retry out twice.
BACKOFF_MAX_SECONDS = 60 * 60
# While an attempt runs its row is "claimed": next_attempt_at moves this far ahead, so neither the
# sweep nor a duplicate message starts a second attempt. Longer than the task's hard time limit;
# if the worker dies mid-attempt the claim runs out and the sweep queues the delivery again.
CLAIM_SECONDS = 120
# A retry queued with a countdown may start a moment before next_attempt_at (clock skew).
DUE_GRACE = timedelta(seconds=2)
MAX_SUBSCRIPTIONS_PER_TOKEN = 10
MAX_CHANGES_IN_PAYLOAD = 1000
ERROR_TEXT_LIMIT = 1000
USER_AGENT = "MSMT-Webhooks/1"
SIGNATURE_TOLERANCE_SECONDS = 300

EVENT_SCOPES = {
    WebhookEvent.LIST_CHANGED: TokenScope.LISTS_READ,
    WebhookEvent.MATCH_CONFIRMED: TokenScope.REPORTS_READ,
}
_EVENT_ID_NAMESPACE = uuid.UUID("5b0c6f2e-3f7a-4a53-9d0e-6d3c1f1b7a10")
ACTIVE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


# --- Signatures --------------------------------------------------------------------------------

def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-MSMT-Signature value for `body` sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp, body: bytes | str, signature, tolerance: int = 300,
                     *, now: float | None = None) -> bool:
    """What a receiver runs (see the module docstring for a copy without this project's imports):
    the signature matches the raw body and the timestamp is within `tolerance` seconds."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    if isinstance(body, str):
        body = body.encode()
    return hmac.compare_digest(sign(secret, sent_at, body).encode(), str(signature or "").encode())


def secret_generate() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def backoff_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 30 s, 2 min, 8 min, 32 min, 1 h..."""
    exponent = max(attempts - 1, 0)
    seconds = BACKOFF_FIRST_SECONDS * BACKOFF_FACTOR ** min(exponent, 10)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


# --- Subscriptions -----------------------------------------------------------------------------

def token_is_usable(token: ApiToken, now=None) -> bool:
    """The same conditions token_authenticate applies: not revoked, not expired, owner active."""
    now = now or timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return False
    owner = token.member_state or token.partner
    return owner is not None and owner.is_active


def _allow_private_urls() -> bool:
    # Development and tests only (a receiver on this machine). Never in production: a partner
    # could otherwise make the workers POST to services inside the network.
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_URLS", False))


def url_check(url: str) -> None:
    """An endpoint must be an https URL on a public host, without credentials in it."""
    parts = urlsplit(url)
    allow_private = _allow_private_urls()
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise ValidationError({"url": "The endpoint must be an https:// URL."})
    host = (parts.hostname or "").lower()
    if not host:
        raise ValidationError({"url": "The endpoint URL has no host."})
    if parts.username or parts.password:
        raise ValidationError({"url": "Put no credentials in the URL: deliveries are signed instead."})
    if allow_private:
        return
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise ValidationError({"url": "The endpoint must be reachable on the public internet."})
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not address.is_global:
        raise ValidationError({"url": "The endpoint must be reachable on the public internet."})


def events_check(token: ApiToken, events) -> list[str]:
    """Known events, each allowed by the token's scopes; returned deduplicated, in a stable order."""
    if not isinstance(events, (list, tuple)) or not events:
        raise ValidationError({"events": "Name at least one event."})
    unknown = sorted({str(e) for e in events} - set(WebhookEvent.values))
    if unknown:
        raise ValidationError({"events": f"Unknown event(s): {', '.join(unknown)}."})
    missing = [f"'{e}' needs the '{EVENT_SCOPES[e]}' scope" for e in WebhookEvent.values
               if e in events and EVENT_SCOPES[e] not in token.scopes]
    if missing:
        raise ValidationError({"events": "; ".join(missing) + "."})
    return [e for e in WebhookEvent.values if e in events]


@transaction.atomic
def webhook_subscription_create(*, token: ApiToken, url: str, events, actor,
                                channel: str) -> tuple[WebhookSubscription, str]:
    """Subscribe `url` to `events` for `token`; returns the subscription and its secret, which is
    shown to the partner this once."""
    url_check(url)
    events = events_check(token, events)
    ApiToken.objects.select_for_update().get(pk=token.pk)  # serialise the count below per token
    if WebhookSubscription.objects.filter(token=token).count() >= MAX_SUBSCRIPTIONS_PER_TOKEN:
        raise ValidationError({"url": f"A token may hold at most {MAX_SUBSCRIPTIONS_PER_TOKEN} subscriptions; "
                                      "delete one first."})
    secret = secret_generate()
    subscription = WebhookSubscription(token=token, url=url, events=events, secret=secret)
    subscription.full_clean()
    subscription.save()
    audit_record(actor=actor, action=AuditAction.CREATE, instance=subscription, channel=channel,
                 changes={"url": [None, url], "events": [None, events], "token": [None, token.pk]})
    return subscription, secret


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription, actor, channel: str) -> None:
    """Delete a subscription and its deliveries log; the audit record keeps what it was (never its secret)."""
    audit_record(actor=actor, action=AuditAction.DELETE, instance=subscription, channel=channel,
                 changes={"url": [subscription.url, None], "events": [subscription.events, None],
                          "token": [subscription.token_id, None]})
    subscription.delete()


@transaction.atomic
def webhook_subscription_resume(*, subscription: WebhookSubscription, actor, channel: str) -> WebhookSubscription:
    """Re-activate a paused or deactivated subscription; its unfinished deliveries are tried again now."""
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = {"is_active": locked.is_active, "paused_at": locked.paused_at,
              "consecutive_failures": locked.consecutive_failures}
    locked.is_active, locked.paused_at, locked.consecutive_failures = True, None, 0
    locked.save(update_fields=["is_active", "paused_at", "consecutive_failures"])
    after = {"is_active": True, "paused_at": None, "consecutive_failures": 0}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, changes=changes, channel=channel)
    pending = WebhookDelivery.objects.filter(subscription=locked, status__in=ACTIVE_STATUSES)
    pending.update(next_attempt_at=timezone.now())
    _enqueue_on_commit(list(pending.values_list("pk", flat=True)))
    return locked


@transaction.atomic
def webhook_subscription_deactivate(*, subscription: WebhookSubscription, actor, channel: str) -> WebhookSubscription:
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.is_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, changes={"is_active": [True, False]},
                     channel=channel)
    return locked


# --- Emitting events ---------------------------------------------------------------------------

def _subscribers(event: str) -> list[WebhookSubscription]:
    """Active, unpaused subscriptions to `event` whose token is usable and has the event's scope."""
    now = timezone.now()
    candidates = (
        WebhookSubscription.objects.filter(is_active=True, paused_at__isnull=True, token__revoked_at__isnull=True)
        .filter(Q(token__expires_at__isnull=True) | Q(token__expires_at__gt=now))
        .select_related("token", "token__member_state", "token__partner")
        .order_by("pk")
    )
    # `events` is a JSON list; filtered here because SQLite has no JSON containment lookup.
    scope = EVENT_SCOPES[event]
    return [s for s in candidates
            if event in (s.events or []) and scope in (s.token.scopes or []) and token_is_usable(s.token, now)]


def _event_id(event: str, key) -> uuid.UUID:
    """Stable per event occurrence, so a repeated signal never creates a second delivery."""
    return uuid.uuid5(_EVENT_ID_NAMESPACE, f"{event}:{key}")


def _deliveries_create(*, event: str, event_id: uuid.UUID, data: dict,
                       subscriptions: list[WebhookSubscription]) -> list[int]:
    """One pending, due row per subscription, in the caller's transaction; queued after commit."""
    if not subscriptions:
        return []
    now = timezone.now()
    envelope = {"id": str(event_id), "event": event, "occurred_at": now.isoformat(), "data": data}
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription=s, event=event, event_id=event_id, payload=envelope, next_attempt_at=now)
         for s in subscriptions],
        ignore_conflicts=True,  # the same event again (a replayed signal): the first rows stand
    )
    ids = list(WebhookDelivery.objects.filter(event_id=event_id, subscription__in=subscriptions,
                                              status=DeliveryStatus.PENDING, attempts=0)
               .values_list("pk", flat=True))
    _enqueue_on_commit(ids)
    return ids


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        from .webhook_tasks import deliveries_enqueue

        transaction.on_commit(lambda: deliveries_enqueue(delivery_ids))


@transaction.atomic
def list_changed_emit(*, version) -> list[int]:
    """`list.changed` for an applied list version with changes; returns the delivery ids."""
    from sanctions.models import EntryChange

    if version.status != "applied":
        return []
    counts = {"added": version.added_count, "amended": version.amended_count,
              "removed": version.removed_count, "relisted": version.relisted_count}
    if not any(counts.values()):
        return []
    subscriptions = _subscribers(WebhookEvent.LIST_CHANGED)
    if not subscriptions:
        return []
    changes = list(
        EntryChange.objects.filter(version=version).order_by("id")
        .values("entry_id", "entry__external_id", "entry__reference_number", "change_type")[:MAX_CHANGES_IN_PAYLOAD + 1]
    )
    data = {
        "source": version.source.slug,
        "version_id": version.pk,
        "generated_at": version.generated_at.isoformat() if version.generated_at else None,
        "applied_at": version.applied_at.isoformat() if version.applied_at else None,
        "counts": counts,
        "changes": [{"entry_id": c["entry_id"], "external_id": c["entry__external_id"],
                     "reference_number": (c["entry__reference_number"] or "").strip(), "change": c["change_type"]}
                    for c in changes[:MAX_CHANGES_IN_PAYLOAD]],
        # The full list of a large version: GET /api/v1/changes/ (paged) gives every one.
        "changes_truncated": len(changes) > MAX_CHANGES_IN_PAYLOAD,
    }
    return _deliveries_create(event=WebhookEvent.LIST_CHANGED, event_id=_event_id("list.changed", version.pk),
                              data=data, subscriptions=subscriptions)


def _may_see_report(token: ApiToken, report_id) -> bool:
    from .selectors import visible_reports
    from .tokens import TokenCaller

    return (TokenScope.REPORTS_READ in (token.scopes or [])
            and visible_reports(TokenCaller(token)).filter(pk=report_id).exists())


def match_confirmed_emit(*, review: MatchReview) -> list[int]:
    """`match.confirmed` for a confirming review, to the subscriptions whose token may see the
    hit's report. Runs in the review's transaction (called from its post_save)."""
    previous = (MatchReview.objects.filter(match_id=review.match_id).exclude(pk=review.pk)
                .order_by("-created_at", "-id").values_list("decision", flat=True).first())
    if previous == ReviewDecision.CONFIRM:
        return []  # confirmed again: partners were told already
    subscriptions = _subscribers(WebhookEvent.MATCH_CONFIRMED)
    if not subscriptions:
        return []
    match = review.match
    entry = match.list_entry
    visible = [s for s in subscriptions if _may_see_report(s.token, match.report_id)]
    data = {
        "match_id": match.pk,
        "report_id": str(match.report_id),
        "subject_name": match.subject.name,
        "list_entry_id": entry.pk,
        "list_entry_reference": (entry.reference_number or "").strip(),
        "list_source": entry.source.slug,
        "score": match.score,
        "confirmed_at": review.created_at.isoformat() if review.created_at else None,
    }
    return _deliveries_create(event=WebhookEvent.MATCH_CONFIRMED,
                              event_id=_event_id("match.confirmed", review.pk), data=data, subscriptions=visible)


@receiver(list_version_applied, dispatch_uid="monitoring.webhooks.list_changed")
def _on_list_version_applied(sender, version, changed_entry_ids=(), **kwargs):
    # Sent after the version's commit: the sync has happened whatever we do here, and the other
    # receivers (re-screening) must still run, so a failure is logged, never raised.
    try:
        list_changed_emit(version=version)
    except Exception:
        logger.exception("list.changed webhooks for list version %s were not created.", version.pk)


@receiver(post_save, sender=MatchReview, dispatch_uid="monitoring.webhooks.match_confirmed")
def _on_match_review_saved(sender, instance: MatchReview, created: bool, raw: bool = False, **kwargs):
    if created and not raw and instance.decision == ReviewDecision.CONFIRM:
        match_confirmed_emit(review=instance)


# --- Delivering --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttemptResult:
    outcome: str  # delivered, failed, gave_up, refused, paused, not_due, busy, done, missing
    retry_in: float | None = None  # seconds until the next attempt, when one is scheduled


def delivery_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def _refusal(delivery: WebhookDelivery, now) -> str:
    """Why a delivery may no longer be sent to its subscriber ("" when it may)."""
    token = delivery.subscription.token
    if not token_is_usable(token, now):
        return "The subscription's token is revoked, expired or its organisation inactive."
    scope = EVENT_SCOPES.get(delivery.event)
    if scope is None or scope not in (token.scopes or []):
        return f"The subscription's token no longer has the '{scope}' scope."
    if delivery.event == WebhookEvent.MATCH_CONFIRMED:
        report_id = (delivery.payload.get("data") or {}).get("report_id")
        if not report_id or not _may_see_report(token, report_id):
            return "The report is no longer visible to the subscription's token."
    return ""


def _post(url: str, headers: dict[str, str], body: bytes) -> tuple[int | None, str]:
    """(status code, error text). Never reads more of the answer than a short excerpt."""
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            with client.stream("POST", url, content=body, headers=headers) as response:
                if 200 <= response.status_code < 300:
                    return response.status_code, ""
                excerpt = b""
                for chunk in response.iter_bytes(chunk_size=200):
                    excerpt = chunk[:200]
                    break
                text = excerpt.decode("utf-8", "replace").strip()
                return response.status_code, f"HTTP {response.status_code}" + (f": {text}" if text else "")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def delivery_attempt(delivery_id: int) -> AttemptResult:
    """One attempt at one delivery. Idempotent: a delivery already delivered or given up, not due,
    or being attempted by another worker is left alone. No lock is held during the request: the
    row is claimed (next_attempt_at moved ahead) in a short transaction, then the outcome is
    written in a second one."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription", "subscription__token", "subscription__token__member_state",
                            "subscription__token__partner")
            .filter(pk=delivery_id).first()
        )
        if delivery is None:
            exists = WebhookDelivery.objects.filter(pk=delivery_id).exists()
            return AttemptResult("busy" if exists else "missing")
        if delivery.status not in ACTIVE_STATUSES:
            return AttemptResult("done")
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + DUE_GRACE:
            return AttemptResult("not_due")
        subscription = delivery.subscription
        if not subscription.is_active or subscription.paused_at is not None:
            return AttemptResult("paused")  # kept as it is; resuming the subscription queues it again
        refusal = _refusal(delivery, now)
        if refusal:
            delivery.status, delivery.last_error, delivery.next_attempt_at = DeliveryStatus.GAVE_UP, refusal, None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            logger.info("Webhook delivery %s not sent: %s", delivery.pk, refusal)
            return AttemptResult("refused")
        delivery.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
        delivery.save(update_fields=["next_attempt_at"])
        url, secret, body = subscription.url, subscription.secret, delivery_body(delivery)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-MSMT-Event": delivery.event,
                   "X-MSMT-Delivery": str(delivery.event_id)}

    timestamp = str(int(time.time()))
    headers.update({"X-MSMT-Timestamp": timestamp, "X-MSMT-Signature": sign(secret, timestamp, body)})
    started = time.monotonic()
    status_code, error = _post(url, headers, body)
    elapsed = time.monotonic() - started
    return _outcome_record(delivery_id, status_code=status_code, error=error, elapsed=elapsed)


def _outcome_record(delivery_id: int, *, status_code: int | None, error: str, elapsed: float) -> AttemptResult:
    now = timezone.now()
    ok = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update(of=("self",)).filter(pk=delivery_id).first()
        if delivery is None:
            return AttemptResult("missing")  # deleted with its subscription meanwhile
        if delivery.status == DeliveryStatus.DELIVERED:
            return AttemptResult("done")  # a slower duplicate attempt: the delivery stands
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = status_code, error[:ERROR_TEXT_LIMIT]
        subscriptions = WebhookSubscription.objects.filter(pk=delivery.subscription_id)
        retry_in = None
        if ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
            subscriptions.update(consecutive_failures=0)
        else:
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.GAVE_UP, None
            else:
                delay = backoff_delay(delivery.attempts)
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, now + delay
                retry_in = delay.total_seconds()
            subscriptions.update(consecutive_failures=F("consecutive_failures") + 1)
            paused = subscriptions.filter(paused_at__isnull=True,
                                          consecutive_failures__gte=PAUSE_AFTER_FAILURES).update(paused_at=now)
            if paused:
                logger.warning("Webhook subscription %s paused after %s failed attempts in a row.",
                               delivery.subscription_id, PAUSE_AFTER_FAILURES)
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at",
                                     "next_attempt_at"])
    logger.info("Webhook delivery %s (%s) attempt %s: %s in %.2fs%s", delivery.pk, delivery.event, delivery.attempts,
                status_code if status_code is not None else "no answer", elapsed, f" ({error})" if error else "")
    if delivery.status == DeliveryStatus.GAVE_UP:
        logger.warning("Webhook delivery %s given up after %s attempts: %s", delivery.pk, delivery.attempts, error)
    return AttemptResult(delivery.status, retry_in)


def deliveries_due(now=None):
    """Deliveries to attempt now: unfinished, due, of an active and unpaused subscription."""
    now = now or timezone.now()
    return (
        WebhookDelivery.objects.filter(status__in=ACTIVE_STATUSES, next_attempt_at__lte=now,
                                       subscription__is_active=True, subscription__paused_at__isnull=True)
        .order_by("next_attempt_at", "pk")
    )
