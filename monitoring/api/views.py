"""The monitoring API: reports and what hangs off them, decisions on hits, ad hoc screening and
the FollowTheMoney export. Thin views: visibility comes from the selectors (every queryset starts
at visible_reports / visible_evidence, so an object outside a caller's access is a 404), writes
go through the services (which check edit rights and audit)."""
from __future__ import annotations

import json
from functools import cached_property

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import SafeJSONParser
from monitoring import api_services, services
from monitoring.choices import REPORT_TRANSITIONS, ReportStatus
from monitoring.models import Evidence, MatchReview, ReportSubject, ScreeningMatch, ViolationReport
from monitoring.selectors import (
    can_edit_report,
    member_state_of,
    partner_of,
    sees_all_reports,
    visible_evidence,
    visible_report_ids,
    visible_reports,
)
from sanctions.selectors import with_designations
from sanctions.matching import ALGORITHM_NAME, ALGORITHM_VERSION, Query
from sanctions.parsers.screening_queries import query_warnings
from sanctions.screening import current_index

from . import ftm
from .filters import ReportFilter
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import MAX_KEY_LENGTH as IDEMPOTENCY_KEY_LENGTH
from .idempotency import idempotent
from .serializers import (
    EvidenceSerializer,
    MatchDecisionSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    ReportSubjectSerializer,
    ReportTransitionSerializer,
    ReportUpdateSerializer,
    ScreenBatchRequestSerializer,
    ScreeningMatchSerializer,
    ScreenResponseSerializer,
    ScreenSingleRequestSerializer,
)

CHANNEL = "api"
READ, WRITE, REVIEW, SCREEN = "reports:read", "reports:write", "matches:review", "screen"

REPORT_PK = OpenApiParameter("report_pk", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The report's id.")
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_LENGTH, "pattern": r"^\S(.*\S)?$"},
    OpenApiParameter.HEADER, required=False,
    description="A key of your choice (a UUID, say): a repeat with the same key and body replays the first "
                "response instead of filing the report again; the same key with another body is a 422.",
)
ERRORS = {
    400: OpenApiResponse(description="Invalid input: the fields at fault, each with a message."),
    401: OpenApiResponse(description="No credentials, or an unknown, revoked or expired token."),
    403: OpenApiResponse(description="The credentials lack the scope, or may not change this object."),
    404: OpenApiResponse(description="No such object, or not one the caller may see."),
}


def _errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


class ApiViewMixin:
    """JSON in; errors of the services as the API's errors: a Django ValidationError is a 400 with
    its fields, a PermissionDenied a 403 with its message (objects are looked up through the
    visibility selectors first, so a caller only ever gets a 403 for an object it may see)."""

    parser_classes = [SafeJSONParser]

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            detail = serializers.as_serializer_error(exc)
            if "__all__" in detail:
                detail["non_field_errors"] = detail.pop("__all__")
            exc = exceptions.ValidationError(detail)
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)


class AuditedRetrieveMixin:
    """Team administrators see everything, and each read of one object is audited (as in the admin)."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if sees_all_reports(request.user):
            services.audit_privileged_read(instance=instance, actor=request.user, channel=CHANNEL)
        return Response(self.get_serializer(instance).data)


def _is_schema_generation(view) -> bool:
    return getattr(view, "swagger_fake_view", False)


def _report_queryset(user):
    return (
        visible_reports(user)
        .select_related("reporting_state")
        .prefetch_related("releasable_to_states", "releasable_to_partners", "resolutions", "citations")
        .order_by("-created_at", "-pk")
    )


# --- Reports ----------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Reports the caller may see",
                       responses={200: ReportSerializer, **_errors(400, 401, 403)}),
    retrieve=extend_schema(summary="One report", responses={200: ReportSerializer, **_errors(401, 403, 404)}),
)
class ReportViewSet(ApiViewMixin, AuditedRetrieveMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    required_scopes = {"list": READ, "retrieve": READ, "create": WRITE, "update": WRITE, "partial_update": WRITE,
                       "transition": WRITE, "default": READ}

    def get_queryset(self):
        if _is_schema_generation(self):
            return ViolationReport.objects.none()
        return _report_queryset(self.request.user)

    @extend_schema(
        summary="File a report",
        description="Reporting state: the token's member state or the analyst's (partner organisations cannot "
                    "file reports). Filed as a draft unless `status` is `submitted`.",
        request=ReportCreateSerializer, parameters=[IDEMPOTENCY_KEY],
        responses={201: ReportSerializer, 409: OpenApiResponse(description="A request with this key is in flight."),
                   422: OpenApiResponse(description="The Idempotency-Key was used for another request."),
                   **_errors(400, 401, 403)},
    )
    def create(self, request, *args, **kwargs):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        user = request.user
        serializer = ReportCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        state = self._filing_state(user, data.pop("reporting_state", None))
        report = api_services.report_create(
            actor=user, channel=CHANNEL,
            fields={**_report_fields(data), "reporting_state": state},
            releasable_to_states=data.get("releasable_to_states", ()),
            releasable_to_partners=data.get("releasable_to_partners", ()),
            resolutions=data.get("resolutions", ()), citations=data.get("citations", ()),
            submit=data["status"] == ReportStatus.SUBMITTED,
        )
        report = _report_queryset_unrestricted().get(pk=report.pk)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED,
                        headers={"Location": f"{request.path.rstrip('/')}/{report.pk}/"})

    @staticmethod
    def _filing_state(user, requested):
        if partner_of(user) is not None:
            raise exceptions.PermissionDenied("Partner organisations cannot file reports; member states do.")
        own = member_state_of(user)
        if sees_all_reports(user):
            if requested is None and own is None:
                raise exceptions.ValidationError(
                    {"reporting_state": ["Give the reporting state's ISO code: you act for no member state."]})
            return requested or own
        if own is None:
            raise exceptions.PermissionDenied("Only analysts and tokens of a member state can file reports.")
        if requested is not None and requested != own:
            raise exceptions.ValidationError(
                {"reporting_state": [f"You file reports for {own.country.code} only."]})
        return own

    @extend_schema(summary="Change a draft report", request=ReportUpdateSerializer,
                   responses={200: ReportSerializer, **_errors(400, 401, 403, 404)})
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(summary="Change some fields of a draft report", request=ReportUpdateSerializer,
                   responses={200: ReportSerializer, **_errors(400, 401, 403, 404)})
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool) -> Response:
        report = self.get_object()
        if report.status == ReportStatus.PUBLISHED:
            raise exceptions.ValidationError({"status": ["Published reports are frozen."]})
        if not can_edit_report(request.user, report):
            raise exceptions.PermissionDenied("Only the originating member state may change this report.")
        if report.status != ReportStatus.DRAFT:
            raise exceptions.ValidationError({"status": [
                f"Only draft reports can be changed; this one is {report.status}. "
                f"Move it back to draft first, where allowed ({', '.join(sorted(REPORT_TRANSITIONS[report.status]))})."
            ]})
        serializer = ReportUpdateSerializer(report, data=request.data, partial=partial,
                                            context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        api_services.report_update(
            report=report, actor=request.user, channel=CHANNEL, fields=_report_fields(data),
            releasable_to_states=data.get("releasable_to_states"),
            releasable_to_partners=data.get("releasable_to_partners"),
            resolutions=data.get("resolutions"), citations=data.get("citations"),
        )
        return Response(ReportSerializer(_report_queryset_unrestricted().get(pk=report.pk)).data)

    @extend_schema(
        summary="Move a report along its lifecycle",
        description="draft → submitted → under_review → accepted or rejected → published; submitted and rejected "
                    "reports may go back to draft. Another move is a 400 listing the allowed ones.",
        request=ReportTransitionSerializer, responses={200: ReportSerializer, **_errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        report = self.get_object()
        serializer = ReportTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = serializer.validated_data["status"]
        if report.status == ReportStatus.PUBLISHED:
            raise exceptions.ValidationError({"status": ["Published reports are frozen."], "allowed": []})
        try:
            services.report_transition(report=report, to_status=target, actor=request.user, channel=CHANNEL)
        except services.InvalidTransition as exc:
            allowed = sorted(REPORT_TRANSITIONS[report.status])
            raise exceptions.ValidationError({"status": exc.message_dict["status"], "allowed": allowed}) from None
        return Response(ReportSerializer(_report_queryset_unrestricted().get(pk=report.pk)).data)


def _report_fields(data: dict) -> dict:
    nested = {"releasable_to_states", "releasable_to_partners", "resolutions", "citations", "status"}
    return {name: value for name, value in data.items() if name not in nested}


def _report_queryset_unrestricted():
    """For answering a write the caller just made (a write-only token may not be able to read)."""
    return ViolationReport.objects.select_related("reporting_state").prefetch_related(
        "releasable_to_states", "releasable_to_partners", "resolutions", "citations")


class ReportChildMixin(ApiViewMixin):
    """Rows under /reports/{report_pk}/: the report must be one the caller sees (else 404)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, scope, throttling first: 401/403 before 404
        self.report  # noqa: B018 -- a report the caller may not see is a 404 whatever the request says

    @cached_property
    def report(self) -> ViolationReport:
        return get_object_or_404(visible_reports(self.request.user), pk=self.kwargs["report_pk"])


@extend_schema_view(
    list=extend_schema(summary="Subjects of a report", parameters=[REPORT_PK],
                       responses={200: ReportSubjectSerializer, **_errors(401, 403, 404)}),
    retrieve=extend_schema(summary="One subject", parameters=[REPORT_PK],
                           responses={200: ReportSubjectSerializer, **_errors(401, 403, 404)}),
    create=extend_schema(summary="Add a subject (normalised, checked and screened)", parameters=[REPORT_PK],
                         responses={201: ReportSubjectSerializer, **_errors(400, 401, 403, 404)}),
    update=extend_schema(summary="Change a subject", parameters=[REPORT_PK],
                         responses={200: ReportSubjectSerializer, **_errors(400, 401, 403, 404)}),
    partial_update=extend_schema(summary="Change some fields of a subject", parameters=[REPORT_PK],
                                 responses={200: ReportSubjectSerializer, **_errors(400, 401, 403, 404)}),
    destroy=extend_schema(summary="Remove a subject", parameters=[REPORT_PK],
                          responses={204: None, **_errors(401, 403, 404)}),
)
class ReportSubjectViewSet(ReportChildMixin, AuditedRetrieveMixin, viewsets.ModelViewSet):
    serializer_class = ReportSubjectSerializer
    required_scopes = {"list": READ, "retrieve": READ, "default": WRITE}

    def get_queryset(self):
        if _is_schema_generation(self):
            return ReportSubject.objects.none()
        return ReportSubject.objects.filter(report=self.report).order_by("pk")

    def perform_create(self, serializer):
        subject = ReportSubject(report=self.report, **serializer.validated_data)
        serializer.instance = services.subject_save(subject=subject, actor=self.request.user, channel=CHANNEL)

    def perform_update(self, serializer):
        subject = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(subject, name, value)
        serializer.instance = services.subject_save(subject=subject, actor=self.request.user, channel=CHANNEL)

    def perform_destroy(self, instance):
        services.delete_audited(instances=[instance], actor=self.request.user, channel=CHANNEL)


@extend_schema_view(
    list=extend_schema(summary="Evidence of a report (metadata)", parameters=[REPORT_PK],
                       responses={200: EvidenceSerializer, **_errors(401, 403, 404)}),
    retrieve=extend_schema(summary="One evidence item (metadata)", parameters=[REPORT_PK],
                           responses={200: EvidenceSerializer, **_errors(401, 403, 404)}),
    create=extend_schema(summary="Add evidence: a URL, or where the item is held", parameters=[REPORT_PK],
                         responses={201: EvidenceSerializer, **_errors(400, 401, 403, 404)}),
)
class EvidenceViewSet(ReportChildMixin, AuditedRetrieveMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = EvidenceSerializer
    required_scopes = {"list": READ, "retrieve": READ, "default": WRITE}

    def get_queryset(self):
        if _is_schema_generation(self):
            return Evidence.objects.none()
        # Evidence may be marked stricter than its report: visible_evidence hides what the caller may not see.
        return visible_evidence(self.request.user, Evidence.objects.filter(report=self.report)).order_by(
            "captured_at", "pk")

    def perform_create(self, serializer):
        person = self.request.user if getattr(self.request.user, "pk", None) is not None else None
        evidence = Evidence(report=self.report, created_by=person, **serializer.validated_data)
        serializer.instance = services.evidence_save(evidence=evidence, actor=self.request.user, channel=CHANNEL)


def _match_queryset(queryset):
    return queryset.select_related("subject", "list_entry__source").prefetch_related(
        Prefetch("reviews", queryset=MatchReview.objects.order_by("created_at", "pk"))
    ).order_by("-score", "pk")


@extend_schema_view(
    list=extend_schema(summary="Screening hits of a report, with explanations and review logs",
                       parameters=[REPORT_PK], responses={200: ScreeningMatchSerializer, **_errors(401, 403, 404)}),
)
class ReportMatchViewSet(ReportChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ScreeningMatchSerializer
    required_scopes = {"default": READ}

    def get_queryset(self):
        if _is_schema_generation(self):
            return ScreeningMatch.objects.none()
        return _match_queryset(ScreeningMatch.objects.filter(report=self.report))


@extend_schema_view(
    retrieve=extend_schema(summary="One screening hit", responses={200: ScreeningMatchSerializer,
                                                                   **_errors(401, 403, 404)}),
)
class MatchViewSet(ApiViewMixin, AuditedRetrieveMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ScreeningMatchSerializer
    required_scopes = {"retrieve": READ, "decision": REVIEW, "default": READ}

    def get_queryset(self):
        if _is_schema_generation(self):
            return ScreeningMatch.objects.none()
        # A hit is visible exactly where its report is.
        return _match_queryset(ScreeningMatch.objects.filter(report__in=visible_report_ids(self.request.user)))

    @extend_schema(
        summary="Confirm, dismiss or escalate a hit",
        description="Appends to the hit's review log (with the reason) and sets its review status. Needs the "
                    "`matches:review` scope and sight of the report, not edit rights on it.",
        request=MatchDecisionSerializer, responses={200: ScreeningMatchSerializer, **_errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        match = self.get_object()
        serializer = MatchDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.match_review(match=match, reviewer=request.user, channel=CHANNEL, **serializer.validated_data)
        return Response(ScreeningMatchSerializer(self.get_queryset().get(pk=match.pk)).data)


# --- Ad hoc screening ---------------------------------------------------------------------------

SCREEN_EXAMPLE = {"name": "Ri Won Ho", "kind": "person", "birth_date": "1964-07-17", "nationality": "KP"}


class ScreenViewSet(ApiViewMixin, viewsets.GenericViewSet):
    required_scopes = {"default": SCREEN}
    serializer_class = ScreenResponseSerializer
    pagination_class = None

    @extend_schema(
        summary="Screen names, identifiers or whole entities against the lists",
        description="One query object (its fields beside `limit`, `threshold` and `sources`), or "
                    "`{\"queries\": [...]}` with up to 100. The query fields are those of the `screen` command. "
                    "Every call is recorded (caller, queries, list and algorithm versions, threshold, results).",
        request=PolymorphicProxySerializer(
            component_name="ScreenRequest",
            serializers=[ScreenSingleRequestSerializer, ScreenBatchRequestSerializer],
            resource_type_field_name=None,
        ),
        examples=[
            OpenApiExample("One query", value=SCREEN_EXAMPLE, request_only=True),
            OpenApiExample("Batch", value={"queries": [{"id": "q1", **SCREEN_EXAMPLE},
                                                       {"id": "q2", "name": "CHON MYONG", "kind": "vessel",
                                                        "imo": "8712362"}], "limit": 3},
                           request_only=True),
        ],
        responses={200: ScreenResponseSerializer, **_errors(400, 401, 403)},
    )
    def create(self, request, *args, **kwargs):
        data = request.data
        batch = isinstance(data, dict) and "queries" in data
        serializer = (ScreenBatchRequestSerializer if batch else ScreenSingleRequestSerializer)(data=data)
        serializer.is_valid(raise_exception=True)
        options = serializer.validated_data
        queries = options["queries"] if batch else [options]
        queries = [
            {"id": str(query.get("id", position)), "name": query["name"], "kind": query["kind"] or "any",
             "birth_date": query["birth_date"], "nationality": query["nationality"], "imo": query["imo"],
             "identifiers": list(query["identifiers"]), "aliases": list(query["aliases"])}
            for position, query in enumerate(queries, start=1)
        ]
        sources, limit, threshold = tuple(options["sources"]), options["limit"], options["threshold"]
        handle = current_index(sources)  # one index, so every query of a call meets the same list versions
        results = []
        for query in queries:
            screened = Query(**{**query, "identifiers": tuple(query["identifiers"]), "aliases": tuple(query["aliases"])})
            hits = handle.index.screen(screened, limit=limit, threshold=threshold)
            results.append({"id": query["id"], "results": [r.as_dict() for r in hits],
                            "warnings": query_warnings(screened)})
        with_designations([hit for result in results for hit in result["results"]])
        versions = {slug: (version.pk if version else None) for slug, version in sorted(handle.versions.items())}
        call = api_services.screening_call_record(
            caller=request.user, queries=queries, list_versions=versions, algorithm=ALGORITHM_NAME,
            algorithm_version=ALGORITHM_VERSION, threshold=threshold, results=results,
        )
        return Response({
            "screening_call": call.pk, "algorithm": ALGORITHM_NAME, "algorithm_version": ALGORITHM_VERSION,
            "threshold": threshold, "limit": limit, "list_versions": versions, "results": results,
        })


# --- FollowTheMoney export ---------------------------------------------------------------------

class ReportExportView(ApiViewMixin, APIView):
    required_scope = READ
    EXPORT_CHUNK = 200

    @extend_schema(
        summary="Reports the caller may see, as FollowTheMoney entities (JSON lines)",
        description="An Event per report, a Person, Organization, Vessel or LegalEntity per subject, and the "
                    "links between them (Event.involved, UnknownLink for vessels, Ownership). Each entity notes "
                    "its report's TLP marking; the reporting state is named only when attribution is public.",
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR, **_errors(401, 403)},
    )
    def get(self, request):
        user = request.user
        audited = sees_all_reports(user)
        reports = (
            visible_reports(user)
            .select_related("reporting_state")
            .prefetch_related(Prefetch("subjects", queryset=ReportSubject.objects.order_by("pk")),
                              "resolutions", "citations")
            .order_by("created_at", "pk")
        )

        def lines():
            for report in reports.iterator(chunk_size=self.EXPORT_CHUNK):
                if audited:
                    services.audit_privileged_read(instance=report, actor=user, channel=CHANNEL)
                for entity in ftm.report_entities(report):
                    yield json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n"

        response = StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="reports.ftm.jsonl"'
        return response
