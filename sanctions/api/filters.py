"""Query-parameter filters of the list endpoints. A value that does not parse (a date that is not
ISO 8601, an unknown kind or source) is a 400 naming the parameter, never an empty result."""
from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from config.api import UtcDateTimeFilter
from sanctions.choices import ChangeType, EntryKind, VersionStatus
from sanctions.identifiers import normalize_imo
from sanctions.models import (
    EntryChange,
    ListEntry,
    ListEntryName,
    ListEntryProgram,
    ListSource,
    ListVersion,
    Vessel,
    VesselIdentityPeriod,
)

_SEVEN_DIGITS = re.compile(r"[0-9]{7}")

TRUE_FALSE_HELP = "true or false."


class SourceFilter(django_filters.ModelChoiceFilter):
    """`source=<slug>`; an unknown slug is a 400, not an empty page."""

    def __init__(self, field_name: str = "source", **kwargs):
        kwargs.setdefault("help_text", "Slug of a list source, e.g. un-sc or ofac-sdn.")
        super().__init__(field_name=field_name, to_field_name="slug", queryset=ListSource.objects.all(), **kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.BooleanFilter):
    """true/false (also 1/0); anything else is a 400 (django-filter's default ignores it)."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", TRUE_FALSE_HELP)
        super().__init__(*args, **kwargs)
        self.extra.update(choices=[("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")],
                          coerce=lambda value: value in ("true", "1"), empty_value=None)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{self.field_name: value})


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ListVersionFilterSet(django_filters.FilterSet):
    source = SourceFilter()
    status = django_filters.ChoiceFilter(choices=VersionStatus.choices)

    class Meta:
        model = ListVersion
        fields = ["source", "status"]


class ListEntryFilterSet(django_filters.FilterSet):
    source = SourceFilter()
    regime = django_filters.CharFilter(lookup_expr="iexact", help_text="UN list type or program, e.g. DPRK.")
    program = django_filters.CharFilter(
        method="filter_program",
        help_text="A sanctions programme the entry is listed under (any of its programmes), e.g. DPRK3 or "
                  "RUSSIA-EO14024; case-insensitive.")
    un_reference = django_filters.CharFilter(
        method="filter_un_reference",
        help_text="A UN reference number, e.g. KPe.020: the UN entry and every entry citing it.")
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices)
    is_active = StrictBooleanFilter(field_name="is_active")
    changed_since = UtcDateTimeFilter(
        method="filter_changed_since",
        help_text="ISO 8601 date-time: only entries with a change recorded at or after it.",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Part of a name or alias (any script, case-insensitive), or a reference number (exact).",
    )

    class Meta:
        model = ListEntry
        fields = ["source", "regime", "program", "un_reference", "kind", "is_active", "changed_since", "q"]

    def filter_program(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=ListEntryProgram.objects.filter(code__iexact=value.strip()).values("entry_id"))

    def filter_un_reference(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(cited_un_reference=value) | Q(reference_number=value, source__kind="un_consolidated"))

    def filter_changed_since(self, queryset: QuerySet, name: str, value) -> QuerySet:
        changed = EntryChange.objects.filter(created_at__gte=value).values("entry_id")
        return queryset.filter(pk__in=changed)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        # A subquery rather than a join: an entry with two matching aliases is still one row. One
        # set of ids, not "named OR reference": each half is answered by its own index (migration
        # 0005), where an OR would read every entry.
        named = ListEntryName.objects.filter(name__icontains=value).values("entry_id")
        referenced = ListEntry.objects.filter(reference_number__iexact=value).values("id")
        return queryset.filter(pk__in=named.order_by().union(referenced.order_by()))


class EntryChangeFilterSet(django_filters.FilterSet):
    source = SourceFilter(field_name="version__source")
    change_type = django_filters.ChoiceFilter(choices=ChangeType.choices)
    version = IntegerFilter(field_name="version_id", help_text="A list version id.")
    after = IntegerFilter(
        field_name="id", lookup_expr="gt",
        help_text="Only changes with a greater id: resume a mirror from the last change id it holds.",
    )

    class Meta:
        model = EntryChange
        fields = ["source", "change_type", "version", "after"]


class CountryCodeField(forms.ChoiceField):
    def to_python(self, value):
        return super().to_python(value).strip().upper()


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2}$"})
class CountryFilter(django_filters.ChoiceFilter):
    """An ISO 3166-1 alpha-2 code, in either case; an unknown code is a 400."""

    field_class = CountryCodeField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=[(code, name) for code, name in countries], **kwargs)


class ImoField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return value
        digits = normalize_imo(value)
        if not _SEVEN_DIGITS.fullmatch(digits):
            raise forms.ValidationError("An IMO number is 7 digits, optionally after 'IMO'.", code="invalid")
        return digits


class ImoFilter(django_filters.CharFilter):
    field_class = ImoField


class VesselFilterSet(django_filters.FilterSet):
    imo = ImoFilter(field_name="imo_number", help_text="IMO number: 7 digits, 'IMO' prefix allowed.")
    flag = CountryFilter(help_text="Current flag, ISO 3166-1 alpha-2 code.")
    q = django_filters.CharFilter(
        method="filter_q", help_text="Part of a current or past name (case-insensitive), or an IMO number."
    )

    class Meta:
        model = Vessel
        fields = ["imo", "flag", "q"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        past_names = VesselIdentityPeriod.objects.filter(name__icontains=value).values("vessel_id")
        condition = Q(name__icontains=value) | Q(pk__in=past_names)
        digits = normalize_imo(value)
        if _SEVEN_DIGITS.fullmatch(digits):
            condition |= Q(imo_number=digits)
        return queryset.filter(condition)


class EntryExportFilterSet(django_filters.FilterSet):
    source = SourceFilter()
    is_active = StrictBooleanFilter(field_name="is_active")

    class Meta:
        model = ListEntry
        fields = ["source", "is_active"]


class VesselExportFilterSet(django_filters.FilterSet):
    source = SourceFilter(field_name="list_entries__source", method="filter_source",
                          help_text="Only vessels designated in this source (by slug).")
    is_active = StrictBooleanFilter(
        field_name="is_active", method="filter_is_active",
        help_text="true: vessels with an active designation; false: vessels with none.",
    )

    class Meta:
        model = Vessel
        fields = ["source", "is_active"]

    def filter_source(self, queryset: QuerySet, name: str, value: ListSource) -> QuerySet:
        designated = Vessel.list_entries.through.objects.filter(listentry__source=value).values("vessel_id")
        return queryset.filter(pk__in=designated)

    def filter_is_active(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        active = Vessel.list_entries.through.objects.filter(listentry__is_active=True).values("vessel_id")
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)
