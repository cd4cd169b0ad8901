"""Input and output shapes of the monitoring API. Inputs reject fields they do not know
(StrictSerializerMixin); writes are done by the views through the services, never by
`serializer.save()`."""
from __future__ import annotations

from django.conf import settings
from django.db.models.manager import BaseManager
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api import StrictCharField, StrictSerializerMixin
from monitoring.choices import (
    TLP,
    Confidence,
    DatePrecision,
    EvidenceKind,
    ReportStatus,
    ReviewDecision,
    ReviewStatus,
    SubjectKind,
    SubjectRole,
    ViolationCategory,
)
from monitoring.models import (
    Evidence,
    MatchReview,
    MemberState,
    PartnerOrganisation,
    ReportSubject,
    ResolutionCitation,
    ScreeningMatch,
    SourceCitation,
    ViolationReport,
)
from sanctions.choices import EntryKind
from sanctions.parsers.screening_queries import KINDS, NAME_OR_IDENTIFIER, has_name_or_identifier
from sanctions.models import ListEntry, ListSource
from sanctions.selectors import designating_lists, designation_ref, screening_source_slugs

MAX_SCREEN_QUERIES = 100
MAX_SCREEN_LIMIT = 50
MAX_LIST_ITEMS = 100  # aliases, identifiers, documents of one subject or query


# --- Enums in the OpenAPI schema -----------------------------------------------------------------

# Each choice set is one named schema component. Left to drf-spectacular, enums are named after
# the field ("kind", "status"), which collides across serializers (and across the apps' APIs).
NAMED_CHOICES: dict[tuple[str, ...], str] = {
    tuple(choices.values): name
    for choices, name in [
        (TLP, "TlpEnum"), (ViolationCategory, "ViolationCategoryEnum"), (ReportStatus, "ReportStatusEnum"),
        (DatePrecision, "DatePrecisionEnum"), (Confidence, "ConfidenceEnum"), (SubjectRole, "SubjectRoleEnum"),
        (SubjectKind, "SubjectKindEnum"), (EvidenceKind, "EvidenceKindEnum"), (ReviewStatus, "ReviewStatusEnum"),
        (ReviewDecision, "ReviewDecisionEnum"), (EntryKind, "ListEntryKindEnum"),
    ]
}
FILING_STATUSES = [ReportStatus.DRAFT, ReportStatus.SUBMITTED]
API_DECISIONS = [ReviewDecision.CONFIRM, ReviewDecision.DISMISS, ReviewDecision.ESCALATE]
SCREEN_KINDS = sorted(KINDS)
NAMED_CHOICES.update({
    tuple(FILING_STATUSES): "FilingStatusEnum",
    tuple(API_DECISIONS): "MatchDecisionEnum",
    tuple(SCREEN_KINDS): "ScreenQueryKindEnum",
})


class NamedEnumsMixin:
    """Gives each choice field's enum a component name of its own (see NAMED_CHOICES); an
    unlisted choice set is named after its serializer and field."""

    def get_fields(self):
        fields = super().get_fields()
        owner = type(self).__name__.removesuffix("Serializer")
        for field_name, field in fields.items():
            inner = getattr(field, "child", field)
            if not isinstance(inner, serializers.ChoiceField) or "_spectacular_annotation" in vars(inner):
                continue
            labels = {value: label for value, label in inner.choices.items() if value != ""}
            name = NAMED_CHOICES.get(tuple(labels)) or f"{owner}{field_name.title().replace('_', '')}Enum"
            schema = {"type": "string", "enum": list(labels),
                      "description": "\n".join(f"* `{value}` - {label}" for value, label in labels.items())}
            if getattr(inner, "allow_blank", False) or self._blank_in_model(field, field_name):
                schema["enum"].append("")
                name = name.removesuffix("Enum") + "OrBlankEnum"
            inner._spectacular_annotation = {"field": schema, "field_component_name": name}
        return fields

    def _blank_in_model(self, field, field_name: str) -> bool:
        """A read-only field loses allow_blank, but still shows the blank values the model holds."""
        model = getattr(getattr(self, "Meta", None), "model", None)
        source = field.source or field_name  # fields are not bound yet
        if not field.read_only or model is None or "." in source:
            return False
        try:
            return bool(model._meta.get_field(source).blank)
        except Exception:  # not a model field (a method or property): nothing to say
            return False


# --- Shared fields ----------------------------------------------------------------------------

@extend_schema_field({"type": "string", "example": "KR", "description": "ISO 3166-1 alpha-2 code of a member state."})
class MemberStateCodeField(serializers.RelatedField):
    """A member state by its ISO code (case-insensitive on input)."""

    default_error_messages = {
        "unknown": "'{value}' is not the ISO code of an active member state.",
        "invalid": "Give an ISO 3166-1 alpha-2 code as a string.",
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", MemberState.objects.filter(is_active=True))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        state = self.get_queryset().filter(country=data.strip().upper()).first()
        if state is None:
            self.fail("unknown", value=data)
        return state

    def to_representation(self, value: MemberState) -> str:
        return value.country.code


@extend_schema_field({"type": "string", "description": "The partner organisation's name."})
class PartnerNameField(serializers.RelatedField):
    """A partner organisation by its name."""

    default_error_messages = {
        "unknown": "'{value}' is not an active partner organisation.",
        "invalid": "Give the partner organisation's name as a string.",
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", PartnerOrganisation.objects.filter(is_active=True))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        partner = self.get_queryset().filter(name=data.strip()).first()
        if partner is None:
            self.fail("unknown", value=data)
        return partner

    def to_representation(self, value: PartnerOrganisation) -> str:
        return value.name


class ExplanationFeatureSerializer(NamedEnumsMixin, serializers.Serializer):
    """One feature of a score's explanation: what was compared, how, and its score."""

    score = serializers.FloatField()
    detail = serializers.CharField()
    query = serializers.CharField()
    candidate = serializers.CharField()


def _unique_items(values: list, field: str) -> list:
    seen = set()
    for value in values:
        key = tuple(sorted((k, str(v)) for k, v in value.items())) if isinstance(value, dict) else value
        if key in seen:
            raise serializers.ValidationError(f"Duplicate {field}: {value}.")
        seen.add(key)
    return values


# --- Reports ----------------------------------------------------------------------------------

class ResolutionCitationSerializer(StrictSerializerMixin, NamedEnumsMixin, serializers.ModelSerializer):
    """A UN Security Council resolution paragraph the reported conduct breaches."""

    class Meta:
        model = ResolutionCitation
        fields = ["resolution", "paragraph"]


class SourceCitationSerializer(StrictSerializerMixin, NamedEnumsMixin, serializers.ModelSerializer):
    """A published source the report cites."""

    class Meta:
        model = SourceCitation
        fields = ["title", "publisher", "url", "published_on", "note"]


REPORT_FIELDS = [
    "title", "category", "tlp", "state_reference", "releasable_to", "releasable_to_partners", "attribution_public",
    "occurred_from", "occurred_to", "occurred_precision", "location_text", "latitude", "longitude", "narrative",
    "assessment", "confidence", "committee_notified", "resolutions", "citations",
]


class ReportSerializer(NamedEnumsMixin, serializers.ModelSerializer):
    """A report as a caller who may see it sees it."""

    reporting_state = MemberStateCodeField(read_only=True)
    releasable_to = MemberStateCodeField(source="releasable_to_states", many=True, read_only=True,
                                         help_text="TLP:AMBER: member states (ISO codes) that may see it.")
    releasable_to_partners = PartnerNameField(many=True, read_only=True,
                                              help_text="TLP:AMBER: partner organisations that may see it.")
    resolutions = ResolutionCitationSerializer(many=True, read_only=True)
    citations = SourceCitationSerializer(many=True, read_only=True)

    class Meta:
        model = ViolationReport
        fields = ["id", "status", "reporting_state", *REPORT_FIELDS, "created_at", "updated_at", "submitted_at"]
        read_only_fields = fields


class ReportWriteSerializer(StrictSerializerMixin, NamedEnumsMixin, serializers.ModelSerializer):
    """Fields a client sets on a report; nested lists replace what is there when given."""

    releasable_to = MemberStateCodeField(source="releasable_to_states", many=True, required=False,
                                         help_text="TLP:AMBER: member states (ISO codes) that may see it.")
    releasable_to_partners = PartnerNameField(many=True, required=False,
                                              help_text="TLP:AMBER: partner organisations (names) that may see it.")
    resolutions = ResolutionCitationSerializer(many=True, required=False)
    citations = SourceCitationSerializer(many=True, required=False)

    class Meta:
        model = ViolationReport
        fields = REPORT_FIELDS

    def validate_resolutions(self, value):
        return _unique_items(value, "resolution paragraph")

    def validate_releasable_to(self, value):
        return list(dict.fromkeys(value))

    def validate_tlp(self, value):
        request = self.context.get("request")
        if value == TLP.RED and getattr(getattr(request, "user", None), "token", None) is not None:
            raise serializers.ValidationError(
                "A token cannot mark a report TLP:RED: RED reports are seen only by their author and named "
                "people, so no one could read it. Use AMBER+STRICT, or file it as an analyst."
            )
        return value

    def validate(self, attrs):
        def current(name):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, None)

        start, end = current("occurred_from"), current("occurred_to")
        if start and end and start > end:
            raise serializers.ValidationError({"occurred_to": ["The end of the period is before its start."]})
        latitude, longitude = current("latitude"), current("longitude")
        if (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            raise serializers.ValidationError({missing: ["Give both latitude and longitude, or neither."]})
        return attrs


class ReportCreateSerializer(ReportWriteSerializer):
    """A new report: its fields, and optionally its reporting state and whether to submit it at once."""

    reporting_state = MemberStateCodeField(
        required=False,
        help_text="Defaults to the caller's member state; only team administrators may file for another.",
    )
    status = serializers.ChoiceField(
        choices=[(status.value, status.label) for status in FILING_STATUSES], default=ReportStatus.DRAFT,
        help_text="File as a draft (default) or submit at once.",
    )

    class Meta(ReportWriteSerializer.Meta):
        fields = ["reporting_state", "status", *REPORT_FIELDS]


class ReportUpdateSerializer(ReportWriteSerializer):
    """Changes to a draft report."""

    class Meta(ReportWriteSerializer.Meta):
        fields = REPORT_FIELDS


class ReportTransitionSerializer(StrictSerializerMixin, NamedEnumsMixin, serializers.Serializer):
    """The status a report moves to."""

    status = serializers.ChoiceField(choices=ReportStatus.choices)


# --- Subjects and evidence ----------------------------------------------------------------------

class SubjectDocumentSerializer(StrictSerializerMixin, NamedEnumsMixin, serializers.Serializer):
    """An identity document of a subject, as reported."""

    type = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                 help_text="passport, national_id, …")
    number = serializers.CharField(max_length=100)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                    help_text="Issuing country, as reported.")


class SubjectDocumentsField(serializers.ListField):
    """Documents as reported: validated on input, shown exactly as stored."""

    def to_representation(self, data):
        return data


class ReportSubjectSerializer(StrictSerializerMixin, NamedEnumsMixin, serializers.ModelSerializer):
    """A person, organisation or vessel named in a report, as reported, with the normalised values
    and warnings found while checking them."""

    aliases = serializers.ListField(child=serializers.CharField(max_length=500), required=False,
                                    max_length=MAX_LIST_ITEMS)
    documents = SubjectDocumentsField(child=SubjectDocumentSerializer(), required=False, max_length=MAX_LIST_ITEMS)
    flag_code = serializers.CharField(read_only=True)
    nationality_code = serializers.CharField(read_only=True)
    validation_warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ReportSubject
        fields = [
            "id", "report", "role", "kind", "name", "name_original_script", "aliases", "imo", "imo_normalized",
            "imo_valid", "mmsi", "flag", "flag_code", "call_sign", "date_of_birth", "birth_date",
            "birth_date_precision", "nationality", "nationality_code", "documents", "notes", "validation_warnings",
            "screened_at", "screened_versions", "created_at", "updated_at",
        ]
        read_only_fields = [
            "id", "report", "imo_normalized", "imo_valid", "birth_date", "birth_date_precision", "screened_at",
            "screened_versions", "created_at", "updated_at",
        ]


class EvidenceSerializer(StrictSerializerMixin, NamedEnumsMixin, serializers.ModelSerializer):
    """Evidence metadata: where the item is (a URL, or where it is held), never the item itself."""

    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "report", "kind", "source", "captured_at", "url", "held_at", "caption", "credit", "tlp",
                  "has_file", "original_filename", "sha256", "created_at"]
        read_only_fields = ["id", "report", "original_filename", "sha256", "created_at"]
        extra_kwargs = {"tlp": {"required": False, "help_text": "Defaults to the report's; never weaker than it."}}

    def get_has_file(self, evidence: Evidence) -> bool:
        return bool(evidence.file)

    def validate(self, attrs):
        if not attrs.get("url") and not attrs.get("held_at"):
            raise serializers.ValidationError(
                {"url": ["Give a URL, or say where the item is held (held_at)."]}
            )
        return attrs


# --- Screening hits -----------------------------------------------------------------------------

class MatchReviewSerializer(NamedEnumsMixin, serializers.ModelSerializer):
    """One entry of a hit's review log."""

    class Meta:
        model = MatchReview
        fields = ["decision", "reason", "reviewer_label", "hit", "created_at"]
        read_only_fields = fields


class MatchSubjectSerializer(NamedEnumsMixin, serializers.ModelSerializer):
    """The report subject a hit is about."""

    class Meta:
        model = ReportSubject
        fields = ["id", "name", "kind", "role"]
        read_only_fields = fields


class DesignationSerializer(serializers.Serializer):
    """One list's entry for the designee: the hit's own entry, or the same designee on another list."""

    source = serializers.CharField()
    authority = serializers.CharField()
    entry_id = serializers.IntegerField()
    reference_number = serializers.CharField()
    is_active = serializers.BooleanField()


class MatchListEntrySerializer(NamedEnumsMixin, serializers.ModelSerializer):
    """The list entry a subject hit."""

    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    designated_by = serializers.SerializerMethodField(
        help_text="Every list that designates this designee, the entry's own list first (UN, US, UK, ...).")

    class Meta:
        model = ListEntry
        fields = ["id", "source", "reference_number", "primary_name", "kind", "is_active", "designated_by"]
        read_only_fields = fields

    @extend_schema_field(DesignationSerializer(many=True))
    def get_designated_by(self, entry) -> list[dict]:
        designations = self.context.get("designations") or {}
        if entry.pk not in designations:
            designations = designating_lists([entry.pk])
        return [designation_ref(other) for other in designations[entry.pk]]


class ScreeningMatchListSerializer(serializers.ListSerializer):
    """A page of hits reads the designations of all its entries at once, not once per hit."""

    def to_representation(self, data):
        matches = list(data.all() if isinstance(data, BaseManager) else data)  # as ListSerializer reads it
        self.context["designations"] = designating_lists({match.list_entry_id for match in matches})
        return super().to_representation(matches)


class ScreeningMatchSerializer(NamedEnumsMixin, serializers.ModelSerializer):
    """A hit of a report subject on a list entry: score, explanation, versions, review status and log."""

    subject = MatchSubjectSerializer(read_only=True)
    list_entry = MatchListEntrySerializer(read_only=True)
    explanation = serializers.DictField(child=ExplanationFeatureSerializer(), read_only=True,
                                        help_text="Per feature: its score, what was compared and how.")
    reviews = MatchReviewSerializer(many=True, read_only=True, help_text="The review log, oldest first.")

    class Meta:
        model = ScreeningMatch
        fields = ["id", "report", "subject", "list_entry", "list_version", "score", "is_match", "explanation",
                  "algorithm", "algorithm_version", "review_status", "entry_delisted", "reviews", "created_at",
                  "updated_at"]
        read_only_fields = fields
        list_serializer_class = ScreeningMatchListSerializer


class MatchDecisionSerializer(StrictSerializerMixin, NamedEnumsMixin, serializers.Serializer):
    """A reviewer's decision on a hit, with the reason for it."""

    decision = serializers.ChoiceField(
        choices=[(decision.value, decision.label) for decision in API_DECISIONS]
    )
    reason = serializers.CharField(max_length=5000, help_text="Why: kept in the review log.")


# --- Ad hoc screening ---------------------------------------------------------------------------

class ScreenQuerySerializer(StrictSerializerMixin, NamedEnumsMixin, serializers.Serializer):
    """One query, with the fields of the `screen` command's input lines: a name, or at least one
    identifier (a vessel by its IMO number alone, a person by a passport number alone), or both."""

    id = serializers.CharField(max_length=200, required=False,
                               help_text="Your reference, echoed in the results (default: the query's position).")
    name = StrictCharField(max_length=500, required=False, allow_blank=True, default="",
                           help_text="Required unless `imo` or `identifiers` is given.")
    kind = serializers.ChoiceField(choices=SCREEN_KINDS, default="any", allow_blank=True,
                                   help_text="Blank means any.")
    birth_date = StrictCharField(max_length=100, required=False, allow_blank=True, default="",
                                 help_text="1964, 1964-07 or 1964-07-17.")
    nationality = StrictCharField(max_length=100, required=False, allow_blank=True, default="",
                                  help_text="Alpha-2 code or country name.")
    imo = StrictCharField(max_length=50, required=False, allow_blank=True, default="",
                          help_text="A ship's IMO number. One whose check digit fails is screened as given, "
                                    "with a warning in the results.")
    identifiers = serializers.ListField(child=StrictCharField(max_length=200), required=False, default=list,
                                        max_length=MAX_LIST_ITEMS,
                                        help_text="Passport, national ID, MMSI or other numbers, any format.")
    aliases = serializers.ListField(child=StrictCharField(max_length=500), required=False, default=list,
                                    max_length=MAX_LIST_ITEMS)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not has_name_or_identifier(name=attrs.get("name", ""), imo=attrs.get("imo", ""),
                                      identifiers=attrs.get("identifiers", ())):
            raise serializers.ValidationError({"name": [NAME_OR_IDENTIFIER[0].upper() + NAME_OR_IDENTIFIER[1:] + "."]})
        return attrs


class ScreenOptionsSerializer(NamedEnumsMixin, serializers.Serializer):
    """How to screen: results per query, threshold, and which lists."""

    limit = serializers.IntegerField(min_value=1, max_value=MAX_SCREEN_LIMIT, default=5,
                                     help_text="Results per query.")
    threshold = serializers.FloatField(min_value=0, max_value=1, required=False,
                                       help_text="Score from which a result is a match (default: the service's).")
    sources = serializers.ListField(child=serializers.SlugField(), required=False, min_length=1,
                                    help_text="List source slugs (default: every screening source).")

    def validate_sources(self, value):
        known = set(ListSource.objects.values_list("slug", flat=True))
        unknown = sorted(set(value) - known)
        if unknown:
            raise serializers.ValidationError(
                f"Unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}."
            )
        return list(dict.fromkeys(value))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs.setdefault("threshold", settings.SCREENING_THRESHOLD)
        attrs.setdefault("sources", list(screening_source_slugs()))
        return attrs


class ScreenSingleRequestSerializer(ScreenOptionsSerializer, ScreenQuerySerializer):
    """One query object, its options beside its fields."""


class ScreenBatchRequestSerializer(StrictSerializerMixin, ScreenOptionsSerializer):
    """Up to 100 queries, screened with the same options."""

    queries = ScreenQuerySerializer(many=True, allow_empty=False, max_length=MAX_SCREEN_QUERIES)


class ScreenHitSerializer(NamedEnumsMixin, serializers.Serializer):
    """A scored, explained result (the `screen` command's result shape)."""

    source = serializers.CharField()
    reference_number = serializers.CharField()
    entry_id = serializers.IntegerField()
    name = serializers.CharField()
    matched_name = serializers.CharField()
    score = serializers.FloatField()
    match = serializers.BooleanField()
    explanation = serializers.DictField(child=ExplanationFeatureSerializer())
    designated_by = DesignationSerializer(many=True, help_text="Every list that designates this designee.")


class ScreenQueryResultSerializer(NamedEnumsMixin, serializers.Serializer):
    """The results of one query (one line of the `screen` command's output)."""

    id = serializers.CharField()
    results = ScreenHitSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField(),
                                     help_text="What is doubtful in the query, screened as given all the same "
                                               "(an IMO number whose check digit fails).")


class ScreenResponseSerializer(NamedEnumsMixin, serializers.Serializer):
    """The results of a screening call, with the versions that produced them."""

    screening_call = serializers.IntegerField(help_text="The id of the record kept of this call.")
    algorithm = serializers.CharField()
    algorithm_version = serializers.CharField()
    threshold = serializers.FloatField()
    limit = serializers.IntegerField()
    list_versions = serializers.DictField(child=serializers.IntegerField(allow_null=True),
                                          help_text="The list version screened against, per source (null: none).")
    results = ScreenQueryResultSerializer(many=True, help_text="One item per query, in the order given.")
