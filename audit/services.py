"""Writing audit records. Services call these inside their own transaction, so a write and its
audit record commit or roll back together."""
from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from .models import AuditAction, AuditRecord


def jsonable(value: Any) -> Any:
    """Dates, decimals, ids and containers as JSON-ready values (for audit rows and list snapshots)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    return str(value)


def model_snapshot(instance: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Concrete field values (foreign keys as ids), JSON-ready, for before/after comparison."""
    skipped = set(exclude)
    snapshot = {}
    for field in instance._meta.concrete_fields:
        if field.name in skipped:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        snapshot[field.name] = jsonable(value)
    return snapshot


def snapshot_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor,
    action: str,
    instance: models.Model,
    changes: Mapping[str, Any] | None = None,
    channel: str = "",
    extra: Mapping[str, Any] | None = None,
) -> AuditRecord:
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}")
    token = getattr(actor, "token", None)  # a partner system's API token, not a person
    user = actor if getattr(actor, "is_authenticated", False) and token is None else None
    context = {"channel": channel} if channel else {}
    if token is not None:
        context["token"] = {"id": token.pk, "prefix": token.prefix}
    if extra:
        context.update(jsonable(extra))
    return AuditRecord.objects.create(
        actor=user,
        actor_label=actor.get_username() if (user or token is not None) else (str(actor) if actor else "system"),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=jsonable(changes or {}),
        context=context,
    )


def audited_save(instance: models.Model, *, actor, channel: str, exclude: Iterable[str] = ()) -> AuditRecord | None:
    """Save `instance` and record what changed. Call inside the caller's transaction.

    Returns None when an update changed nothing (no record for a no-op save)."""
    ignored = {"created_at", "updated_at", *exclude}
    adding = instance._state.adding
    before = {}
    if not adding:
        previous = type(instance)._default_manager.filter(pk=instance.pk).first()
        before = model_snapshot(previous, exclude=ignored) if previous else {}
    instance.save()
    after = model_snapshot(instance, exclude=ignored)
    changes = snapshot_diff(before, after)
    if not adding and not changes:
        return None
    action = AuditAction.CREATE if adding else AuditAction.UPDATE
    return audit_record(actor=actor, action=action, instance=instance, changes=changes, channel=channel)


def audited_delete(instance: models.Model, *, actor, channel: str) -> AuditRecord:
    """Delete `instance`, keeping its last state in the audit record."""
    record = audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=instance,
        changes={k: [v, None] for k, v in model_snapshot(instance).items()},
        channel=channel,
    )
    instance.delete()
    return record


def audit_trail_read(*, actor, since, until, channel: str) -> AuditRecord:
    """A team administrator read the audit trail (an export): recorded like their other reads."""
    return AuditRecord.objects.create(
        actor=actor, actor_label=actor.get_username(), action=AuditAction.READ,
        object_type=AuditRecord._meta.label_lower, object_id="",
        object_repr=f"audit trail from {jsonable(since) or 'the start'} until {jsonable(until) or 'now'}"[:300],
        context={"channel": channel, "since": jsonable(since), "until": jsonable(until)},
    )
