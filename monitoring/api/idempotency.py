"""`Idempotency-Key` for creating requests (the Zulip design, style-examples §2.3).

The first successful response to a (caller, key) is stored and replayed for every repeat. The
record is inserted in the same transaction as the work it guards, under a unique constraint: a
concurrent duplicate waits on that insert and then replays the stored response, or, when the
first attempt failed and rolled back, does the work itself. So two requests with one key never
create two objects. A repeat with another body, or to another endpoint, is refused (422).
Failures (4xx raised as errors) are not stored: the client may correct the request and retry
with the same key."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from monitoring.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = IdempotencyRecord._meta.get_field("key").max_length
REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request."


class IdempotencyInFlight(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_in_flight"
    default_detail = "A request with this Idempotency-Key is still being processed; retry later."


def caller_key(user) -> str:
    token = getattr(user, "token", None)
    return f"token:{token.pk}" if token is not None else f"user:{user.pk}"


def key_from(request) -> str | None:
    """The request's key, None without one; 400 for a blank or over-long key."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [f"Give a non-empty key of at most {MAX_KEY_LENGTH} characters (a UUID, for example)."]}
        )
    return key


def request_fingerprint(request) -> str:
    """sha256 of the body as parsed, so key order and whitespace do not make two requests differ."""
    canonical = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, *, fingerprint: str, request) -> Response:
    if record.request_hash != fingerprint or record.method != request.method or record.path != request.path:
        raise IdempotencyKeyReused(
            f"The Idempotency-Key '{record.key}' was already used with a different request "
            f"({record.method} {record.path}); use a new key for a new request."
        )
    if record.response_status is None:
        raise IdempotencyInFlight()
    return Response(record.response_body, status=record.response_status, headers={REPLAY_HEADER: "true"})


def idempotent(request, work: Callable[[], Response]) -> Response:
    """Run `work()` at most once per (caller, Idempotency-Key); without a key, just run it."""
    key = key_from(request)
    if key is None:
        return work()
    caller = caller_key(request.user)
    fingerprint = request_fingerprint(request)
    existing = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
    if existing is not None:
        return _replay(existing, fingerprint=fingerprint, request=request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(caller=caller, key=key, method=request.method,
                                                          path=request.path[:300], request_hash=fingerprint)
        except IntegrityError:
            # Another request with this key committed first (we waited on its insert): replay it.
            existing = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
            if existing is None:  # it rolled back after all; the client may simply retry
                raise IdempotencyInFlight() from None
            return _replay(existing, fingerprint=fingerprint, request=request)
        response = work()
        if not 200 <= response.status_code < 300:
            transaction.set_rollback(True)  # keep nothing, so a corrected retry may reuse the key
            return response
        record.response_status = response.status_code
        record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
        record.save(update_fields=["response_status", "response_body"])
    return response
