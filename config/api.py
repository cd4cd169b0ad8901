"""What every API endpoint shares: scope permissions, pagination, strict input, error shape.
Kept here (not in an app) because both apps' endpoints use it and neither may depend on the other."""
from __future__ import annotations

import datetime
import io
import re

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, parsers, permissions, serializers, status, throttling
from rest_framework.settings import api_settings

# For analysts' browser sessions, a scope is the Django permission that grants the same.
SCOPE_PERMISSIONS = {
    "lists:read": "sanctions.view_listentry",
    "reports:read": "monitoring.view_violationreport",
    "reports:write": "monitoring.add_violationreport",
    "screen": "sanctions.view_listentry",
    "matches:review": "monitoring.add_matchreview",
    "audit:read": "audit.view_auditrecord",  # team administrators' sessions only: no token has it
}


def has_scope(user, scope: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if hasattr(user, "has_scope"):  # a partner system's token
        return user.has_scope(scope)
    return user.has_perm(SCOPE_PERMISSIONS[scope])


class ScopePermission(permissions.BasePermission):
    """Views declare `required_scopes = {"list": "lists:read", ..., "default": "..."}` by action,
    or `required_scope = "..."` for all actions."""

    message = "Your credentials lack the scope this endpoint needs."

    def has_permission(self, request, view) -> bool:
        scope = self.scope_for(view)
        if scope is None:
            return False
        self.message = f"This endpoint needs the '{scope}' scope."
        return has_scope(request.user, scope)

    @staticmethod
    def scope_for(view) -> str | None:
        by_action = getattr(view, "required_scopes", None)
        if by_action:
            action = getattr(view, "action", None)
            return by_action.get(action, by_action.get("default"))
        return getattr(view, "required_scope", None)


def bounded_integer_parameter(request, name: str, *, minimum: int, maximum: int | None, default: int) -> int:
    """A whole-number query parameter within its bounds, or a 400 naming it and them: a bad value is
    not quietly replaced by the default (or the maximum), which would answer another question."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
    if not re.fullmatch(r"[0-9]{1,12}", raw) or int(raw) < minimum or (maximum is not None and int(raw) > maximum):
        raise exceptions.ValidationError({name: [f"Must be a whole number {bounds}; got {raw[:40]!r}."]})
    return int(raw)


def _document_bounds(parameters: list[dict], bounds: dict[str, dict]) -> list[dict]:
    for parameter in parameters:
        extra = bounds.get(parameter["name"])
        if extra:
            parameter["schema"] = {**parameter.get("schema", {}), **extra}
    return parameters


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 50
    max_limit = 500

    def get_limit(self, request):
        return bounded_integer_parameter(request, self.limit_query_param, minimum=1, maximum=self.max_limit,
                                         default=self.default_limit)

    def get_offset(self, request):
        return bounded_integer_parameter(request, self.offset_query_param, minimum=0, maximum=None, default=0)

    def get_schema_operation_parameters(self, view):
        return _document_bounds(super().get_schema_operation_parameters(view), {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit, "default": self.default_limit},
            self.offset_query_param: {"minimum": 0, "default": 0},
        })


class StrictCursorPagination(pagination.CursorPagination):
    """Cursor pages whose `limit` is checked like LimitOffsetPagination's."""

    def get_page_size(self, request):
        return bounded_integer_parameter(request, self.page_size_query_param, minimum=1, maximum=self.max_page_size,
                                         default=self.page_size)

    def get_schema_operation_parameters(self, view):
        return _document_bounds(super().get_schema_operation_parameters(view), {
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size, "default": self.page_size},
        })


class StrictFilterBackend(DjangoFilterBackend):
    """Filters, and a 400 naming every query parameter the endpoint does not know: `?search=kim`
    where `?q=kim` is meant must not answer with every entry."""

    def filter_queryset(self, request, queryset, view):
        unknown = sorted(set(request.query_params) - self.known_parameters(request, queryset, view))
        if unknown:
            raise exceptions.ValidationError({name: ["Unknown query parameter."] for name in unknown})
        return super().filter_queryset(request, queryset, view)

    def known_parameters(self, request, queryset, view) -> set[str]:
        """The filterset's, the paginator's, and those an action reads itself, which its view names
        in `action_query_parameters` ({action: (name, ...)})."""
        known = {"format"} if api_settings.URL_FORMAT_OVERRIDE == "format" else set()
        known |= set(getattr(view, "action_query_parameters", {}).get(getattr(view, "action", None), ()))
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            for name, field in filterset.form.fields.items():
                suffixes = getattr(field.widget, "suffixes", None)  # range filters: name_after, name_before
                known |= {f"{name}_{suffix}" if suffix else name for suffix in suffixes} if suffixes else {name}
        paginator = getattr(view, "paginator", None)
        for attribute in ("limit_query_param", "offset_query_param", "cursor_query_param", "page_size_query_param"):
            if getattr(paginator, attribute, None):
                known.add(getattr(paginator, attribute))
        return known


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF's CharField turns 123 into "123", which for a name to screen
    is a query that silently finds nothing."""

    default_error_messages = {"not_a_string": "Must be a string, not {type}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", type="a number" if isinstance(data, (int, float)) and not isinstance(data, bool)
                      else type(data).__name__)
        return super().to_internal_value(data)


class StrictSerializerMixin:
    """Reject fields the endpoint does not know, instead of silently ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class CallerScopeThrottle(throttling.SimpleRateThrottle):
    """Rate limits per caller (token or user) and per scope, counted in the shared cache (Redis
    in production), so all web workers see one count."""

    def __init__(self):  # the rate depends on the view's scope, known only per request
        self.scope = self.rate = None

    def allow_request(self, request, view):
        self.scope = ScopePermission.scope_for(view)
        self.rate = self.THROTTLE_RATES.get(self.scope) if self.scope else None
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not getattr(request.user, "is_authenticated", False):
            return None
        token = getattr(request.user, "token", None)
        ident = f"token:{token.pk}" if token is not None else f"user:{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class UtcDateTimeField(IsoDateTimeField):
    """Any ISO 8601 offset is read, then the value is held in UTC: PostgreSQL refuses offsets
    beyond ±15:59 that Python accepts (found by fuzzing: +23:48 was a 500)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.timezone.utc)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Enter a date-time within the years 1 to 9999.", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


# --- Hostile input ------------------------------------------------------------------------------

MAX_JSON_DEPTH = 32  # far beyond any real payload; deep enough nesting would exhaust the stack


class SafeJSONParser(parsers.JSONParser):
    """JSON that is strict UTF-8 and nested at most MAX_JSON_DEPTH deep: anything else is a 400
    before it reaches a serializer (a deeply nested body was a 500: RecursionError)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(f"JSON parse error - the body is not valid UTF-8 (byte {exc.start}).")
        if text.count("[") + text.count("{") > MAX_JSON_DEPTH and json_depth(text) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth(text: str) -> int:
    """How deep brackets nest in `text`, brackets inside strings not counted."""
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than this service accepts."
    default_code = "payload_too_large"


def exception_handler(exc, context):
    """DRF's handler, plus: an oversized body is a 413 in the API's JSON shape (Django alone
    answers an HTML 400)."""
    from rest_framework.views import exception_handler as drf_exception_handler  # imports this module's settings

    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    return drf_exception_handler(exc, context)
