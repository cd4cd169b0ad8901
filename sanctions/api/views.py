"""Read-only endpoints over the sanctions lists (scope `lists:read`; analysts' sessions need the
matching Django permission). Thin viewsets: the selectors shape and prefetch, the FilterSets
validate and filter, the serializers only render."""
from __future__ import annotations

import json

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, renderers, viewsets

from config.api import ScopePermission, StrictCursorPagination
from sanctions import selectors

from . import filters, ftm, serializers

LISTS_READ = "lists:read"
EXPORT_CHUNK_SIZE = 500


class ChangeFeedPagination(StrictCursorPagination):
    """Ascending by id: a partner mirrors the lists by following `next` until it is null (changes
    written meanwhile come after its cursor, so none is skipped or repeated), then catches up later
    with `?after=<last id it holds>` (EntryChangeFilterSet)."""

    ordering = ("id",)
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:  # DRF's answer to a cursor it cannot read; it is bad input
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None


_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
ERRORS = {
    400: OpenApiResponse(
        response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        description="A query parameter is invalid: each one at fault, with its messages.",
    ),
    401: OpenApiResponse(response=_DETAIL, description="No credentials, or an unknown, revoked or expired token."),
    403: OpenApiResponse(response=_DETAIL, description="The credentials lack the lists:read scope."),
    404: OpenApiResponse(response=_DETAIL, description="No such object."),
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


def read_schema(serializer_class, *, list_summary: str, list_description: str = "", retrieve_summary: str,
                retrieve_description: str = "", filtered: bool = True):
    """Schema of a read-only viewset: its summaries, and the errors each action can answer."""
    list_errors = errors(400, 401, 403) if filtered else errors(401, 403)
    return extend_schema_view(
        list=extend_schema(summary=list_summary, description=list_description,
                           responses={200: serializer_class, **list_errors}),
        retrieve=extend_schema(summary=retrieve_summary, description=retrieve_description,
                               responses={200: serializer_class, **errors(401, 403, 404)}),
    )


class ListsReadViewSet(viewsets.ReadOnlyModelViewSet):
    required_scope = LISTS_READ


@read_schema(serializers.SourceSerializer, filtered=False,
             list_summary="List sources", list_description="Each list source with its last applied version.",
             retrieve_summary="Get a source by slug")
class SourceViewSet(ListsReadViewSet):
    serializer_class = serializers.SourceSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.source_list()


@read_schema(serializers.VersionSerializer, list_summary="List fetched list versions",
             list_description="Every fetched version (applied, unchanged, rejected, failed), newest first.",
             retrieve_summary="Get a list version")
class VersionViewSet(ListsReadViewSet):
    serializer_class = serializers.VersionSerializer
    filterset_class = filters.ListVersionFilterSet

    def get_queryset(self):
        return selectors.version_list()


@extend_schema_view(
    list=extend_schema(summary="List entries",
                       description="Listed individuals, entities and vessels, ordered by source, reference "
                                   "number and id.",
                       responses={200: serializers.EntrySerializer, **errors(400, 401, 403)}),
    retrieve=extend_schema(summary="Get an entry",
                           description="An entry with everything published about it and its change history.",
                           responses={200: serializers.EntryDetailSerializer, **errors(401, 403, 404)}),
)
class EntryViewSet(ListsReadViewSet):
    filterset_class = filters.ListEntryFilterSet

    def get_queryset(self):
        return selectors.entry_detail_list() if self.action == "retrieve" else selectors.entry_list()

    def get_serializer_class(self):
        return serializers.EntryDetailSerializer if self.action == "retrieve" else serializers.EntrySerializer


@read_schema(
    serializers.EntryChangeSerializer, list_summary="Change feed",
    list_description="What each applied list version did to each entry, oldest first (by id). Follow `next` "
                     "until it is null: changes written meanwhile are not skipped nor repeated. To catch up "
                     "later, ask with `after=<the last id you hold>` and follow `next` again.",
    retrieve_summary="Get one change",
)
class EntryChangeViewSet(ListsReadViewSet):
    serializer_class = serializers.EntryChangeSerializer
    filterset_class = filters.EntryChangeFilterSet
    pagination_class = ChangeFeedPagination

    def get_queryset(self):
        return selectors.entry_change_list()


@read_schema(serializers.VesselSerializer, list_summary="List vessels",
             list_description="Vessels with their identity periods, designations and parties, by name.",
             retrieve_summary="Get a vessel")
class VesselViewSet(ListsReadViewSet):
    serializer_class = serializers.VesselSerializer
    filterset_class = filters.VesselFilterSet

    def get_queryset(self):
        return selectors.vessel_list()


# --- FollowTheMoney export --------------------------------------------------------------------

class NDJSONRenderer(renderers.BaseRenderer):
    """Lets a client ask for `application/x-ndjson`; only errors are rendered through it (as one
    JSON line), the export itself streams its lines directly."""

    media_type = "application/x-ndjson"
    format = "jsonl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return (json.dumps(data, ensure_ascii=False) + "\n").encode()


class FtMExportView(generics.GenericAPIView):
    required_scope = LISTS_READ
    renderer_classes = [renderers.JSONRenderer, NDJSONRenderer]
    pagination_class = None
    filename = ""
    export_selector = None
    project = None

    def get_queryset(self):
        return self.export_selector()

    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())  # a bad parameter is a 400 here
        lines = ftm.ftm_lines(queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE), self.project)
        response = StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


# `?format=` only picks how an error is rendered here; not worth documenting.
NDJSON_PARAMETERS = [OpenApiParameter("format", exclude=True)]
NDJSON_RESPONSES = {
    (200, "application/x-ndjson"): OpenApiResponse(
        response=OpenApiTypes.STR,
        description="One FollowTheMoney entity (JSON: id, schema, properties) per line.",
    ),
    **errors(400, 401, 403),
}


@extend_schema_view(get=extend_schema(
    summary="Export entries as FollowTheMoney", operation_id="export_entries_ftm", filters=True,
    responses=NDJSON_RESPONSES, parameters=NDJSON_PARAMETERS,
    description="A Person, Organization or Vessel per entry (`msmt-entry-<id>`), each followed by its Sanction "
                "(`msmt-entry-<id>-sanction`).",
))
class EntryFtMExportView(FtMExportView):
    filterset_class = filters.EntryExportFilterSet
    filename = "entries.ftm.jsonl"
    export_selector = staticmethod(selectors.entry_export_list)

    def get(self, request, *args, **kwargs):
        self.designee_groups = selectors.designee_groups()  # one read, not one per entry
        return super().get(request, *args, **kwargs)

    def project(self, entry):
        entry.same_designee_ids = self.designee_groups.get(entry.pk, set())
        return ftm.entry_entities(entry)


@extend_schema_view(get=extend_schema(
    summary="Export vessels as FollowTheMoney", operation_id="export_vessels_ftm", filters=True,
    responses=NDJSON_RESPONSES, parameters=NDJSON_PARAMETERS,
    description="A Vessel per vessel (`msmt-vessel-<id>`) with its past names, flags, MMSIs and call signs "
                "flattened, a Sanction per designation, and an Ownership or UnknownLink per party.",
))
class VesselFtMExportView(FtMExportView):
    filterset_class = filters.VesselExportFilterSet
    filename = "vessels.ftm.jsonl"
    export_selector = staticmethod(selectors.vessel_export_list)
    project = staticmethod(ftm.vessel_entities)
