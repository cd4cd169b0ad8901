"""GET /api/v1/audit/: the audit trail by date range, for team administrators (scope `audit:read`:
a session with the view permission on audit records; no token carries it)."""
from __future__ import annotations

import datetime

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers

from config.api import StrictSerializerMixin

from .models import AuditRecord
from .selectors import audit_records_between, day_bounds
from .services import audit_trail_read


class AuditRecordSerializer(serializers.ModelSerializer):
    actor_id = serializers.IntegerField(source="actor.pk", allow_null=True, read_only=True, default=None)

    class Meta:
        model = AuditRecord
        fields = ["id", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr",
                  "changes", "context"]
        read_only_fields = fields


class DayOrDateTimeField(serializers.Field):
    """An ISO 8601 date-time (with an offset, held in UTC) or a date (a whole day, in UTC)."""

    default_error_messages = {"invalid": "Give an ISO 8601 date (2026-11-26) or date-time (2026-11-26T09:00:00Z)."}

    def to_internal_value(self, value):
        text = str(value).strip()
        try:  # a date first: parse_datetime would read a bare date as midnight
            day = parse_date(text)
            moment = None if day else parse_datetime(text)
        except ValueError:
            self.fail("invalid")
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.timezone.utc)
            try:
                return moment.astimezone(datetime.timezone.utc)
            except (OverflowError, ValueError):
                self.fail("invalid")
        if day is None:
            self.fail("invalid")
        return day

    def to_representation(self, value):
        return value.isoformat()


class AuditFilterSerializer(StrictSerializerMixin, serializers.Serializer):
    since = DayOrDateTimeField(required=False, help_text="From this moment, or from the start of this day (UTC).")
    until = DayOrDateTimeField(required=False, help_text="Before this moment, or to the end of this day (UTC).")
    limit = serializers.IntegerField(required=False)
    offset = serializers.IntegerField(required=False)

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        since_day = since if isinstance(since, datetime.date) and not isinstance(since, datetime.datetime) else None
        until_day = until if isinstance(until, datetime.date) and not isinstance(until, datetime.datetime) else None
        day_since, day_until = day_bounds(since_day, until_day)
        attrs["since"] = day_since if since_day else since
        attrs["until"] = day_until if until_day else until
        if attrs["since"] and attrs["until"] and attrs["until"] <= attrs["since"]:
            raise serializers.ValidationError({"until": "Must be after since."})
        return attrs


@extend_schema(
    summary="Audit trail by date range (team administrators)",
    description="Every write by an analyst, a reviewer or a partner token, and team administrators' reads: "
                "who (actor), when (at), what (object and changes as {field: [before, after]}), and how "
                "(context: channel, token). Oldest first. Needs the `audit:read` scope, which only team "
                "administrators' sessions have.",
    parameters=[
        OpenApiParameter("since", str, description="ISO 8601 date or date-time; a date starts at 00:00 UTC."),
        OpenApiParameter("until", str, description="ISO 8601 date or date-time, excluded; a date includes "
                                                   "that whole day (UTC)."),
    ],
    responses={200: AuditRecordSerializer(many=True), 400: OpenApiResponse(description="A bad date, named."),
               401: OpenApiResponse(description="Not authenticated."),
               403: OpenApiResponse(description="Not a team administrator.")},
)
class AuditRecordListApi(generics.ListAPIView):
    required_scope = "audit:read"
    serializer_class = AuditRecordSerializer
    filter_backends = []

    def get_queryset(self):
        filters = self.filters()
        return audit_records_between(since=filters["since"], until=filters["until"]).select_related("actor")

    def filters(self) -> dict:
        if not hasattr(self, "_filters"):
            serializer = AuditFilterSerializer(data=self.request.query_params)
            serializer.is_valid(raise_exception=True)
            self._filters = serializer.validated_data
        return self._filters

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        # Reading the whole trail is a privileged read: it is on the trail too (after this page).
        audit_trail_read(actor=request.user, since=self.filters()["since"], until=self.filters()["until"],
                         channel="api")
        return response
