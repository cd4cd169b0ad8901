"""Query filters of the report list. They narrow a queryset that visible_reports() has already
restricted, so no filter can reach a report the caller may not see."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django_countries import countries
from rest_framework.exceptions import ValidationError

from config.api import UtcDateTimeFilter
from monitoring.choices import TLP, ReportStatus, ViolationCategory
from monitoring.models import ViolationReport


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    category = django_filters.ChoiceFilter(choices=ViolationCategory.choices)
    tlp = django_filters.ChoiceFilter(choices=TLP.choices, help_text="CLEAR, GREEN, AMBER, AMBER+STRICT or RED "
                                                                     "(encode '+' as %2B).")
    reporting_state = django_filters.CharFilter(method="filter_reporting_state",
                                                help_text="ISO 3166-1 alpha-2 code of the reporting state.")
    q = django_filters.CharFilter(method="search", help_text="Words in the title or narrative.")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte",
                                                     help_text="ISO 8601 date-time, e.g. 2025-01-31T00:00:00Z.")

    class Meta:
        model = ViolationReport
        fields = ["status", "category", "tlp", "reporting_state", "q", "created_after"]

    def __init__(self, data=None, *args, **kwargs):
        # An unencoded '+' in a query string arrives as a space: AMBER+STRICT, not AMBER STRICT.
        if data is not None and " " in (data.get("tlp") or ""):
            data = data.copy()
            data["tlp"] = data["tlp"].strip().replace(" ", "+")
        super().__init__(data, *args, **kwargs)

    def filter_reporting_state(self, queryset, name, value):
        code = value.strip().upper()
        if code not in countries:
            raise ValidationError({"reporting_state": [f"'{value}' is not an ISO 3166-1 alpha-2 country code."]})
        return queryset.filter(reporting_state__country=code)

    def search(self, queryset, name, value):
        query = Q()
        for word in value.split():
            query &= Q(title__icontains=word) | Q(narrative__icontains=word)
        return queryset.filter(query)
