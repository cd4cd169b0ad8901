"""Read-only output of the list endpoints. Every related row a serializer reads is prefetched by
the selector behind its view (sanctions.selectors), so no serializer causes a query per row."""
from __future__ import annotations

from django.db.models import TextChoices
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sanctions.selectors import designating_lists

from sanctions.choices import (
    AddressKind,
    AliasQuality,
    BirthDateQualifier,
    ChangeType,
    EntryKind,
    EntryRelation,
    FlagStatus,
    IdentifierType,
    IdentityBasis,
    Measure,
    NameKind,
    SourceKind,
    VersionStatus,
    VesselPartyRole,
)


class ChoiceOutputField(serializers.CharField):
    """A read-only value of one of our TextChoices, documented as a named enum component."""

    def __init__(self, choices_class: type[TextChoices], **kwargs):
        self.choices_class = choices_class
        super().__init__(read_only=True, **kwargs)


class ChoiceOutputFieldExtension(OpenApiSerializerFieldExtension):
    """Names each enum after its TextChoices class (EntryKindEnum, SourceKindEnum, …). Left to
    drf-spectacular, the many `kind`/`status`/`type` fields of both apps collide by field name."""

    target_class = ChoiceOutputField

    def map_serializer_field(self, auto_schema, direction):
        choices = self.target.choices_class
        name = f"{choices.__name__}Enum"
        schema = {"type": "string", "enum": list(choices.values),
                  "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices)}
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=choices, schema=schema)
        auto_schema.registry.register_on_missing(component)
        return component.ref


def choice(choices: type[TextChoices], **kwargs) -> ChoiceOutputField:
    return ChoiceOutputField(choices, **kwargs)


@extend_schema_field({"type": "string", "description": "ISO 3166-1 alpha-2 code, or empty when unknown."})
class CountryCodeField(serializers.CharField):
    def to_representation(self, value) -> str:
        return str(getattr(value, "code", value) or "")


def source_slug() -> serializers.CharField:
    return serializers.CharField(source="source.slug", read_only=True, help_text="Slug of the list source.")


# --- Sources and versions ---------------------------------------------------------------------

class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    source = source_slug()
    status = choice(VersionStatus)
    content_sha256 = serializers.CharField(read_only=True)
    generated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    fetched_at = serializers.DateTimeField(read_only=True)
    applied_at = serializers.DateTimeField(read_only=True, allow_null=True)
    size_bytes = serializers.IntegerField(read_only=True, allow_null=True)
    record_count = serializers.IntegerField(read_only=True)
    individual_count = serializers.IntegerField(read_only=True)
    entity_count = serializers.IntegerField(read_only=True)
    vessel_count = serializers.IntegerField(read_only=True)
    added_count = serializers.IntegerField(read_only=True)
    amended_count = serializers.IntegerField(read_only=True)
    removed_count = serializers.IntegerField(read_only=True)
    relisted_count = serializers.IntegerField(read_only=True)
    active_count = serializers.IntegerField(read_only=True)
    error = serializers.CharField(read_only=True)


class SourceSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    authority = serializers.CharField(read_only=True)
    kind = choice(SourceKind)
    url = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    last_applied_version = serializers.SerializerMethodField()

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_last_applied_version(self, source) -> dict | None:
        versions = source.last_applied_versions  # prefetched by selectors.source_list
        return VersionSerializer(versions[0]).data if versions else None


# --- Entries ----------------------------------------------------------------------------------

class EntryNameSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    kind = choice(NameKind)
    quality = choice(AliasQuality)
    script = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)


class EntryIdentifierSerializer(serializers.Serializer):
    type = choice(IdentifierType)
    type_label = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True)
    normalized = serializers.CharField(read_only=True)
    is_valid = serializers.BooleanField(read_only=True, allow_null=True)
    country = serializers.CharField(read_only=True)
    country_code = CountryCodeField(read_only=True)
    issued_on = serializers.DateField(read_only=True, allow_null=True)
    expires_on = serializers.DateField(read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True)


class EntryBirthDateSerializer(serializers.Serializer):
    qualifier = choice(BirthDateQualifier)
    date = serializers.DateField(read_only=True, allow_null=True)
    year = serializers.IntegerField(read_only=True, allow_null=True)
    year_to = serializers.IntegerField(read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True)
    from_alias = serializers.BooleanField(read_only=True)


class EntryNationalitySerializer(serializers.Serializer):
    value = serializers.CharField(read_only=True)
    country_code = CountryCodeField(read_only=True)


class EntryAddressSerializer(serializers.Serializer):
    kind = choice(AddressKind)
    street = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    state_province = serializers.CharField(read_only=True)
    zip_code = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    country_code = CountryCodeField(read_only=True)
    note = serializers.CharField(read_only=True)


class VersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    source = source_slug()
    generated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class EntryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    source = source_slug()
    external_id = serializers.CharField(read_only=True)
    reference_number = serializers.CharField(read_only=True)
    primary_name = serializers.CharField(read_only=True)


@extend_schema_field({
    "type": "object",
    "description": 'Field-level changes: {"field": {"before": …, "after": …}}; empty for an added entry.',
    "additionalProperties": {"type": "object", "properties": {"before": {}, "after": {}}},
})
class DiffField(serializers.JSONField):
    pass


class EntryHistorySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    version = VersionRefSerializer(read_only=True)
    change_type = choice(ChangeType)
    diff = DiffField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class VesselRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    imo_number = serializers.CharField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    source = source_slug()
    external_id = serializers.CharField(read_only=True)
    reference_number = serializers.CharField(read_only=True)
    kind = choice(EntryKind)
    primary_name = serializers.CharField(read_only=True)
    regime = serializers.CharField(read_only=True)
    programs = serializers.SerializerMethodField(help_text="The sanctions programmes the entry is listed under.")
    cited_un_reference = serializers.CharField(read_only=True,
                                               help_text="The UN reference number the record cites ('' if none).")
    listed_on = serializers.DateField(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    delisted_on = serializers.DateField(read_only=True, allow_null=True)
    names = EntryNameSerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_programs(self, entry) -> list[str]:
        return [program.code for program in entry.programs.all()]


class EntryRelationSerializer(serializers.Serializer):
    relation = choice(EntryRelation)
    name = serializers.CharField(read_only=True)
    reference = serializers.CharField(read_only=True)
    target = serializers.IntegerField(source="target_id", read_only=True, allow_null=True,
                                      help_text="Id of the entry named, when found.")


class EntryMeasureSerializer(serializers.Serializer):
    measure = choice(Measure)
    basis = serializers.CharField(read_only=True)
    designated_on = serializers.DateField(read_only=True, allow_null=True)


class AlsoListedBySerializer(serializers.Serializer):
    source = source_slug()
    authority = serializers.CharField(source="source.authority", read_only=True)
    id = serializers.IntegerField(read_only=True)
    reference_number = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


class EntryDetailSerializer(EntrySerializer):
    list_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    amended_on = serializers.ListField(child=serializers.DateField(), read_only=True)
    comments = serializers.CharField(read_only=True)
    gender = serializers.CharField(read_only=True)
    titles = serializers.ListField(child=serializers.CharField(), read_only=True)
    designations = serializers.ListField(child=serializers.CharField(), read_only=True)
    identifiers = EntryIdentifierSerializer(many=True, read_only=True)
    birth_dates = EntryBirthDateSerializer(many=True, read_only=True)
    nationalities = EntryNationalitySerializer(many=True, read_only=True)
    addresses = EntryAddressSerializer(many=True, read_only=True)
    vessels = VesselRefSerializer(many=True, read_only=True)
    relations = EntryRelationSerializer(many=True, read_only=True,
                                        help_text="Relations the record states, e.g. OFAC's Linked To.")
    measures = EntryMeasureSerializer(many=True, read_only=True, help_text="Measures, each with its own date.")
    also_listed_by = serializers.SerializerMethodField(help_text="The same designee on the other lists held.")
    history = EntryHistorySerializer(source="changes", many=True, read_only=True)
    first_seen_in = serializers.IntegerField(source="first_seen_in_id", read_only=True, allow_null=True,
                                             help_text="Id of the version the entry first appeared in.")
    last_seen_in = serializers.IntegerField(source="last_seen_in_id", read_only=True, allow_null=True,
                                            help_text="Id of the last version that listed the entry.")

    @extend_schema_field(AlsoListedBySerializer(many=True))
    def get_also_listed_by(self, entry) -> list[dict]:
        return AlsoListedBySerializer(designating_lists([entry.pk])[entry.pk][1:], many=True).data


# --- Change feed ------------------------------------------------------------------------------

class EntryChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    version = VersionRefSerializer(read_only=True)
    entry = EntryRefSerializer(read_only=True)
    change_type = choice(ChangeType)
    diff = DiffField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


# --- Vessels ----------------------------------------------------------------------------------

class VesselIdentitySerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    flag = CountryCodeField(read_only=True)
    flag_status = choice(FlagStatus)
    mmsi = serializers.CharField(read_only=True)
    call_sign = serializers.CharField(read_only=True)
    valid_from = serializers.DateField(read_only=True, allow_null=True)
    valid_to = serializers.DateField(read_only=True, allow_null=True)
    basis = choice(IdentityBasis)
    source_note = serializers.CharField(read_only=True)


class VesselDesignationSerializer(EntryRefSerializer):
    kind = choice(EntryKind)
    regime = serializers.CharField(read_only=True)
    listed_on = serializers.DateField(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    delisted_on = serializers.DateField(read_only=True, allow_null=True)


class VesselPartySerializer(serializers.Serializer):
    role = choice(VesselPartyRole)
    list_entry = EntryRefSerializer(read_only=True, allow_null=True)
    name = serializers.SerializerMethodField()
    valid_from = serializers.DateField(read_only=True, allow_null=True)
    valid_to = serializers.DateField(read_only=True, allow_null=True)

    def get_name(self, party) -> str:
        """The party's name: the list entry's primary name when it is one."""
        return party.list_entry.primary_name if party.list_entry_id else party.name


class VesselSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    imo_number = serializers.CharField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    mmsi = serializers.CharField(read_only=True)
    call_sign = serializers.CharField(read_only=True)
    flag = CountryCodeField(read_only=True)
    vessel_type = serializers.CharField(read_only=True)
    gross_tonnage = serializers.IntegerField(read_only=True, allow_null=True)
    deadweight_tonnage = serializers.IntegerField(read_only=True, allow_null=True)
    build_year = serializers.IntegerField(read_only=True, allow_null=True)
    notes = serializers.CharField(read_only=True)
    identities = VesselIdentitySerializer(many=True, read_only=True)
    designations = VesselDesignationSerializer(source="list_entries", many=True, read_only=True)
    parties = VesselPartySerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
