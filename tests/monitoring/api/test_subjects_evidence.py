"""Subjects and evidence of a report through the API: through the services, so subjects are
normalised, warned about and screened, and every write is audited and allowed only to the
originating state."""
from __future__ import annotations

import pytest

from audit.models import AuditRecord
from monitoring.models import Evidence, ReportSubject, ScreeningMatch

from .conftest import API


@pytest.fixture
def draft(analyst_kr, make_report):
    return make_report(author=analyst_kr, tlp="GREEN", status="draft", title="KR draft")


@pytest.fixture
def green(analyst_kr, make_report):
    return make_report(author=analyst_kr, tlp="GREEN", title="KR green")


VESSEL = {"role": "receiving_vessel", "kind": "vessel", "name": "SAEBYOL", "imo": "IMO 8916293", "flag": "KP",
          "mmsi": "445118000", "aliases": ["SAE BYOL"]}


def test_subject_is_normalised_with_warnings_and_audited(draft, kr):
    response = kr.post(f"{API}/reports/{draft.pk}/subjects/", {**VESSEL, "imo": "1234568", "flag": "Atlantis"},
                       format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["imo"] == "1234568" and body["imo_valid"] is False
    assert body["flag"] == "Atlantis" and body["flag_code"] == ""
    assert any(w.startswith("IMO") for w in body["validation_warnings"])
    assert any(w.startswith("Flag") for w in body["validation_warnings"])
    assert AuditRecord.objects.filter(object_type="monitoring.reportsubject", object_id=str(body["id"]),
                                      action="create", context__channel="api").exists()


def test_subject_is_screened_once_committed(draft, kr, seed_list, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = kr.post(f"{API}/reports/{draft.pk}/subjects/",
                           {"role": "facilitator", "kind": "person", "name": "RI WON HO"}, format="json")

    subject = ReportSubject.objects.get(pk=response.json()["id"])
    assert subject.screened_at is not None
    assert ScreeningMatch.objects.filter(subject=subject, list_entry__reference_number="KPi.033").exists()


def test_subject_update_and_delete(draft, kr):
    subject_id = kr.post(f"{API}/reports/{draft.pk}/subjects/", VESSEL, format="json").json()["id"]

    response = kr.patch(f"{API}/reports/{draft.pk}/subjects/{subject_id}/", {"flag": "PA"}, format="json")
    assert response.status_code == 200 and response.json()["flag_code"] == "PA"
    assert kr.delete(f"{API}/reports/{draft.pk}/subjects/{subject_id}/").status_code == 204
    assert not ReportSubject.objects.filter(pk=subject_id).exists()
    assert AuditRecord.objects.filter(object_type="monitoring.reportsubject", object_id=str(subject_id),
                                      action="delete").exists()


def test_subjects_list_and_documents_round_trip(draft, kr):
    documents = [{"type": "passport", "number": "PD123", "country": "KP"}]
    kr.post(f"{API}/reports/{draft.pk}/subjects/",
            {"role": "facilitator", "kind": "person", "name": "KIM", "documents": documents}, format="json")

    body = kr.get(f"{API}/reports/{draft.pk}/subjects/").json()

    assert body["count"] == 1 and body["results"][0]["documents"] == documents


def test_another_state_may_read_but_not_write_subjects(green, kr, jp):
    subject_id = kr.post(f"{API}/reports/{green.pk}/subjects/", VESSEL, format="json").json()["id"]

    assert jp.get(f"{API}/reports/{green.pk}/subjects/").json()["count"] == 1
    assert jp.post(f"{API}/reports/{green.pk}/subjects/", VESSEL, format="json").status_code == 403
    assert jp.patch(f"{API}/reports/{green.pk}/subjects/{subject_id}/", {"name": "x"},
                    format="json").status_code == 403
    assert jp.delete(f"{API}/reports/{green.pk}/subjects/{subject_id}/").status_code == 403
    assert ReportSubject.objects.get(pk=subject_id).name == "SAEBYOL"


def test_a_subject_must_belong_to_the_report_in_the_path(draft, green, kr):
    subject_id = kr.post(f"{API}/reports/{green.pk}/subjects/", VESSEL, format="json").json()["id"]

    assert kr.get(f"{API}/reports/{draft.pk}/subjects/{subject_id}/").status_code == 404
    assert kr.delete(f"{API}/reports/{draft.pk}/subjects/{subject_id}/").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({**VESSEL, "tonnage": 5000}, "tonnage"),
    ({**VESSEL, "kind": "submarine"}, "kind"),
    ({**VESSEL, "role": None}, "role"),
    ({"kind": "vessel", "role": "owner"}, "name"),
    ({**VESSEL, "aliases": "SAE BYOL"}, "aliases"),
    ({**VESSEL, "aliases": ["SAE BYOL", " "]}, "aliases"),
    ({**VESSEL, "aliases": {"name": "SAE BYOL"}}, "aliases"),
    ({**VESSEL, "documents": [{"type": "passport"}]}, "documents"),
    ({**VESSEL, "documents": [{"number": "1", "issued": "2020"}]}, "documents"),
    ({**VESSEL, "imo_valid": True}, "imo_valid"),
])
def test_bad_subject_input_is_400_naming_the_field(draft, kr, body, field):
    response = kr.post(f"{API}/reports/{draft.pk}/subjects/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()


def test_evidence_metadata_is_created_through_the_service(green, kr):
    response = kr.post(f"{API}/reports/{green.pk}/evidence/",
                       {"kind": "satellite_image", "source": "Planet", "url": "https://example.org/scene/1",
                        "credit": "Source: Planet Labs"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["tlp"] == "GREEN" and body["has_file"] is False
    assert AuditRecord.objects.filter(object_type="monitoring.evidence", object_id=str(body["id"]),
                                      action="create").exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "document", "source": "Customs"}, "url"),
    ({"kind": "document", "source": "Customs", "held_at": "archive", "tlp": "CLEAR"}, "tlp"),
    ({"kind": "document", "source": "Customs", "held_at": "archive", "file": "x.pdf"}, "file"),
    ({"kind": "document", "source": "Customs", "url": "ftp//nope"}, "url"),
])
def test_bad_evidence_is_400_naming_the_field(green, kr, body, field):
    response = kr.post(f"{API}/reports/{green.pk}/evidence/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Evidence.objects.count() == 0


def test_another_state_cannot_add_evidence(green, jp):
    response = jp.post(f"{API}/reports/{green.pk}/evidence/",
                       {"kind": "document", "source": "x", "held_at": "y"}, format="json")

    assert response.status_code == 403
