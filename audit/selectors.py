"""Reads of the audit trail. Only team administrators reach these (the view permission on audit
records, or the `audit:read` scope); rows are not filtered by report marking."""
from __future__ import annotations

import datetime

from django.db.models import QuerySet

from .models import AuditRecord


def audit_records_between(*, since: datetime.datetime | None = None,
                          until: datetime.datetime | None = None) -> QuerySet[AuditRecord]:
    """Records with since <= at < until, oldest first (an export reads in the order things happened)."""
    queryset = AuditRecord.objects.all()
    if since is not None:
        queryset = queryset.filter(at__gte=since)
    if until is not None:
        queryset = queryset.filter(at__lt=until)
    return queryset.order_by("at", "id")


def day_bounds(since: datetime.date | None, until: datetime.date | None):
    """A range of whole days (both included) as [since 00:00 UTC, the day after until 00:00 UTC)."""
    def midnight(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.timezone.utc)

    return (midnight(since) if since else None,
            midnight(until + datetime.timedelta(days=1)) if until else None)


EXPORT_FIELDS = ("id", "at", "actor_label", "action", "object_type", "object_id", "object_repr", "changes",
                 "context")
