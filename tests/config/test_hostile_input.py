"""Hostile input against the API and the admin: oversized and deeply nested bodies, bytes that are
not UTF-8, NUL and surrogate characters, SQL and script injection in every text field. Each gets
a clear 4xx (or is stored as plain text and shown escaped), never a 500, and nothing is stored
half-way. Evidence files and list files have their own tests (tests/monitoring/test_uploads.py,
tests/sanctions/test_sync_bad_feeds.py)."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from rest_framework import serializers as drf_serializers

from audit.models import AuditRecord
from config.api import MAX_JSON_DEPTH, json_depth
from monitoring.api.serializers import EvidenceSerializer, ReportCreateSerializer, ReportSubjectSerializer
from monitoring.models import Evidence, ReportSubject, ViolationReport
from tests.monitoring.api.conftest import (  # noqa: F401 - fixtures
    API,
    client_for,
    fresh_throttles,
    issue_token,
    kr,
)

SQL = "Robert'); DROP TABLE monitoring_violationreport;--"
SCRIPT = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
HOSTILE = f"{SQL} {SCRIPT}"


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _stored():
    return ViolationReport.objects.count(), ReportSubject.objects.count(), AuditRecord.objects.count()


@pytest.fixture
def draft(analyst_kr, make_report):
    return make_report(author=analyst_kr, tlp="GREEN", status="draft", title="KR draft")


HOSTILE_BODIES = {
    "oversized": (lambda: json.dumps({"title": "x" * (6 * 1024 * 1024), "category": "wmd"}).encode(), 413),
    "nested-array": (lambda: ('{"title": "t", "category": "wmd", "narrative": ' + _deep(50_000) + "}").encode(), 400),
    "nested-object": (lambda: ('{"a":' * 5_000 + "1" + "}" * 5_000).encode(), 400),
    "invalid-utf8": (lambda: b'{"title": "\xff\xfe\xc3(", "category": "wmd"}', 400),
    "utf16": (lambda: '{"title": "t", "category": "wmd"}'.encode("utf-16"), 400),
    "nul-character": (lambda: b'{"title": "a\\u0000b", "category": "wmd"}', 400),
    "lone-surrogate": (lambda: b'{"title": "a\\ud800b", "category": "wmd"}', 400),
    "not-an-object": (lambda: b"[1, 2, 3]", 400),
    "truncated": (lambda: b'{"title": "t", "categ', 400),
    "nan": (lambda: b'{"title": "t", "category": "wmd", "narrative": NaN}', 400),
    "infinite-number": (lambda: b'{"title": "t", "category": "wmd", "tlp": 1e999999}', 400),
}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
@pytest.mark.parametrize("path", ["reports", "subjects", "screen", "webhooks"])
def test_hostile_bodies_get_a_clear_4xx_and_store_nothing(kr, draft, name, path):
    body, expected = HOSTILE_BODIES[name]
    url = {"reports": f"{API}/reports/", "subjects": f"{API}/reports/{draft.pk}/subjects/",
           "screen": f"{API}/screen/", "webhooks": f"{API}/webhooks/"}[path]
    before = _stored()

    response = kr.generic("POST", url, body(), content_type="application/json")

    assert response.status_code == expected, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()  # says what was wrong
    assert _stored() == before


@pytest.mark.parametrize("content_type", ["application/xml", "text/html", "application/x-www-form-urlencoded"])
def test_other_media_types_are_415(kr, content_type):
    before = _stored()
    response = kr.generic("POST", f"{API}/reports/", b"<report><title>t</title></report>", content_type=content_type)

    assert response.status_code == 415 and _stored() == before


def test_nesting_is_measured_outside_strings():
    assert json_depth('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "b": [1, {"c": 2}]}') == 3
    assert json_depth(r'{"a": "\"[[[[", "b": []}') == 2
    assert json_depth(_deep(MAX_JSON_DEPTH + 1)) == MAX_JSON_DEPTH + 1


def test_a_body_nested_up_to_the_limit_is_still_read(kr, draft):
    documents = json.loads(_deep(MAX_JSON_DEPTH - 3))  # inside {"documents": [ ... ]} in the body
    response = kr.post(f"{API}/reports/{draft.pk}/subjects/",
                       {"role": "facilitator", "kind": "person", "name": "AB", "documents": documents}, format="json")

    assert response.status_code in (201, 400)  # a document list of empty lists may be refused, never a 500


def _text_fields(serializer_class) -> list[str]:
    """Every free-text field the serializer writes (choice, date and id fields excluded)."""
    names = []
    for name, field in serializer_class().fields.items():
        if field.read_only or isinstance(field, (drf_serializers.ChoiceField, drf_serializers.RelatedField)):
            continue
        if type(field) in (drf_serializers.CharField,):
            names.append(name)
    return names


def test_injection_in_every_report_subject_and_evidence_text_field_is_stored_as_plain_text(kr, client, analyst_kr):
    report_fields = _text_fields(ReportCreateSerializer)
    subject_fields = _text_fields(ReportSubjectSerializer)
    assert {"title", "narrative"} <= set(report_fields) and "name" in subject_fields

    body = {field: HOSTILE[: ReportCreateSerializer().fields[field].max_length or None] for field in report_fields}
    created = kr.post(f"{API}/reports/", {**body, "category": "wmd", "tlp": "GREEN"}, format="json")
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    subject_body = {field: HOSTILE[: ReportSubjectSerializer().fields[field].max_length or None]
                    for field in subject_fields}
    subject = kr.post(f"{API}/reports/{report_id}/subjects/", {**subject_body, "role": "facilitator",
                                                                "kind": "person"}, format="json")
    assert subject.status_code == 201, subject.content

    # Stored and returned exactly as sent; the SQL was data, not a statement.
    report = kr.get(f"{API}/reports/{report_id}/").json()
    assert all(report[field] == body[field] for field in report_fields)
    stored_subject = ReportSubject.objects.get(pk=subject.json()["id"])
    assert all(getattr(stored_subject, field) == subject_body[field] for field in subject_fields)
    assert "monitoring_violationreport" in connection.introspection.table_names()
    assert ViolationReport.objects.filter(title=body["title"]).count() == 1
    # Searching for it is a search, not an injection.
    assert kr.get(f"{API}/reports/", {"q": SQL}).status_code == 200

    evidence_fields = _text_fields(EvidenceSerializer)
    assert {"source", "caption"} <= set(evidence_fields)
    evidence_body = {field: HOSTILE[: EvidenceSerializer().fields[field].max_length or None]
                     for field in evidence_fields}
    evidence = kr.post(f"{API}/reports/{report_id}/evidence/", {**evidence_body, "kind": "document",
                                                                "held_at": HOSTILE}, format="json")
    assert evidence.status_code == 201, evidence.content
    stored_evidence = Evidence.objects.get(pk=evidence.json()["id"])
    assert all(getattr(stored_evidence, field) == evidence_body[field] for field in evidence_fields)

    # The admin shows it escaped, in the lists and on the pages.
    client.force_login(analyst_kr)
    for page in ("/admin/monitoring/violationreport/", f"/admin/monitoring/violationreport/{report_id}/change/",
                 f"/admin/monitoring/reportsubject/{stored_subject.pk}/change/",
                 "/admin/monitoring/evidence/", f"/admin/monitoring/evidence/{stored_evidence.pk}/change/"):
        response = client.get(page)
        html = response.content.decode()
        assert response.status_code == 200, page
        assert "<script>alert(" not in html and "<img src=x onerror" not in html, page
        assert "&lt;script&gt;alert(" in html, page


@pytest.mark.parametrize("query", ["%00", "%25", "_", "%27%20OR%20%271%27%3D%271", "%5C", "a" * 5000,
                                   "%ff%fe%ed%a0%80", "%E2%80%AE%3Cscript%3E"])
def test_hostile_search_and_filter_values_are_answered_not_crashed(kr, draft, query):
    for url in (f"{API}/reports/", f"{API}/entries/"):
        response = kr.get(f"{url}?q={query}")
        assert response.status_code in (200, 400), (url, response.status_code)
