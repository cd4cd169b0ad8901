"""The monitoring API's OpenAPI description generates without a warning and validates
(`manage.py spectacular --validate --fail-on-warn` for these routes)."""
from __future__ import annotations

from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from monitoring.api import urls as monitoring_urls

OWN_ROUTES = ("reports", "matches", "screen", "export")


def own_patterns():
    # Other parts of the API register on the same router (webhooks): described by their own tests.
    return [p for p in monitoring_urls.urlpatterns if str(p.pattern).lstrip("^").startswith(OWN_ROUTES)]


def test_schema_of_the_monitoring_routes_has_no_warnings_and_validates(db):
    GENERATOR_STATS.reset()
    patterns = [path("api/v1/", include((own_patterns(), "monitoring-api")))]

    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)

    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    validate_schema(schema)
    paths = set(schema["paths"])
    assert {"/api/v1/reports/", "/api/v1/reports/{id}/transition/", "/api/v1/reports/{report_pk}/subjects/",
            "/api/v1/reports/{report_pk}/evidence/", "/api/v1/reports/{report_pk}/matches/",
            "/api/v1/matches/{id}/decision/", "/api/v1/screen/", "/api/v1/export/reports.ftm.jsonl"} <= paths
    create = schema["paths"]["/api/v1/reports/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
