"""Writes through the services: normalisation beside reported values, warnings instead of
rejections, evidence marking, the report lifecycle, hit reviews, and an audit record for each."""
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditRecord
from monitoring import services
from monitoring.models import Evidence, MatchReview, ReportSubject, ScreeningMatch, ViolationReport
from sanctions.models import ListEntry, ListSource


def test_subject_keeps_reported_values_and_explains_what_is_wrong(analyst_kr, make_report, make_subject):
    report = make_report(author=analyst_kr)

    subject = make_subject(report=report, actor=analyst_kr, imo="IMO 9074728", mmsi="273456789", flag="KP",
                           call_sign="HMYZ", date_of_birth="")

    assert subject.imo == "IMO 9074728"  # as reported, untouched
    assert subject.imo_normalized == "9074728" and subject.imo_valid is False
    assert subject.flag_code == "KP"
    assert any(w.startswith("IMO:") and "check digit" in w for w in subject.validation_warnings)
    assert any(w.startswith("MMSI:") and "RU" in w and "KP" in w for w in subject.validation_warnings)


def test_clean_subject_has_no_warnings_and_parsed_partial_birth_date(analyst_kr, make_report, make_subject):
    report = make_report(author=analyst_kr)

    vessel = make_subject(report=report, actor=analyst_kr, imo="IMO9074729", flag="North Korea")
    person = make_subject(report=report, actor=analyst_kr, kind="person", role="commander", name="Kim Yong Chol",
                          date_of_birth="Jul. 1946", nationality="Democratic People's Republic of Korea",
                          documents=[{"type": "passport", "number": "745310010", "country": "KP"}])

    assert vessel.validation_warnings == [] and vessel.flag_code == "KP"
    assert vessel.imo_valid is True
    assert person.validation_warnings == []
    assert str(person.birth_date) == "1946-07-01" and person.birth_date_precision == "month"
    assert person.nationality_code == "KP"


def test_unreadable_values_become_warnings_not_errors(analyst_kr, make_report, make_subject):
    report = make_report(author=analyst_kr)

    subject = make_subject(report=report, actor=analyst_kr, kind="person", role="worker", name="X",
                           date_of_birth="sometime in the 1980s", nationality="UK", documents=[{"type": "passport"}])

    assert subject.pk is not None
    joined = " | ".join(subject.validation_warnings)
    assert "Date of birth" in joined and "Nationality" in joined and "Document 1: no document number" in joined


@pytest.mark.parametrize(("aliases", "message"), [
    ("Pak Yong Sik", 'Give the aliases as a list of names, e.g. ["Pak Yong Sik"], not a string.'),
    ({"name": "Pak Yong Sik"}, "not an object"),
    (["Pak Yong Sik", ""], "Alias 2 is not a name"),
    (["   "], "Alias 1 is not a name"),
    (["Pak Yong Sik", 7], "Alias 2 is not a name"),
])
def test_aliases_must_be_a_list_of_names(analyst_kr, make_report, make_subject, aliases, message):
    # A bare string would be screened one character at a time: refused, whoever calls the service.
    report = make_report(author=analyst_kr)
    subject = make_subject(report=report, actor=analyst_kr, aliases=["Pak Yong Sik"])
    audits_before = AuditRecord.objects.count()

    with pytest.raises(ValidationError) as error:
        make_subject(report=report, actor=analyst_kr, name="NEW", aliases=aliases)
    subject.aliases = aliases
    with pytest.raises(ValidationError):
        services.subject_save(subject=subject, actor=analyst_kr, channel="test")

    assert message in " ".join(error.value.message_dict["aliases"])
    assert list(ReportSubject.objects.filter(report=report).values_list("aliases", flat=True)) == [["Pak Yong Sik"]]
    assert AuditRecord.objects.count() == audits_before


def test_aliases_left_empty_are_no_aliases(analyst_kr, make_report, make_subject):
    # The admin's JSON box left empty gives None (it was a database error).
    subject = make_subject(report=make_report(author=analyst_kr), actor=analyst_kr, aliases=None)

    subject.refresh_from_db()
    assert subject.aliases == []


def test_every_write_leaves_an_audit_record(analyst_kr, make_report, make_subject):
    report = make_report(author=analyst_kr, status="draft")
    subject = make_subject(report=report, actor=analyst_kr)
    subject.name = "SAEBYOL 2"
    services.subject_save(subject=subject, actor=analyst_kr, channel="test")

    records = AuditRecord.objects.filter(actor=analyst_kr).order_by("id")
    assert [(r.object_type, r.action) for r in records] == [
        ("monitoring.violationreport", "create"),
        ("monitoring.reportsubject", "create"),
        ("monitoring.reportsubject", "update"),
    ]
    assert records.last().changes["name"] == ["SAEBYOL", "SAEBYOL 2"]


def test_analyst_cannot_file_for_another_state_or_edit_its_reports(analyst_kr, analyst_jp, make_report,
                                                                     make_subject):
    with pytest.raises(PermissionDenied):
        services.report_save(
            report=ViolationReport(title="x", category="wmd", reporting_state=analyst_jp.analyst_profile.member_state),
            actor=analyst_kr, channel="test",
        )
    jp_report = make_report(author=analyst_jp, tlp="GREEN")
    with pytest.raises(PermissionDenied):
        make_subject(report=jp_report, actor=analyst_kr)
    assert not jp_report.subjects.exists()


def test_lifecycle_allows_only_its_transitions_and_freezes_published(analyst_kr, make_report):
    report = make_report(author=analyst_kr, status="draft")

    with pytest.raises(ValidationError) as error:
        services.report_transition(report=report, to_status="accepted", actor=analyst_kr, channel="test")
    assert "cannot become accepted" in str(error.value)

    report = services.report_transition(report=report, to_status="submitted", actor=analyst_kr, channel="test")
    assert report.submitted_at is not None
    for step in ("under_review", "accepted", "published"):
        report = services.report_transition(report=report, to_status=step, actor=analyst_kr, channel="test")
    report.title = "changed after publication"
    with pytest.raises(PermissionDenied):
        services.report_save(report=report, actor=analyst_kr, channel="test")
    assert ViolationReport.objects.get(pk=report.pk).title != "changed after publication"


def test_evidence_never_weaker_than_its_report_and_files_are_hashed(analyst_kr, make_report):
    report = make_report(author=analyst_kr, tlp="AMBER")

    with pytest.raises(ValidationError) as error:
        services.evidence_save(evidence=Evidence(report=report, kind="document", source="x", url="https://e.org/a",
                                                 tlp="GREEN"), actor=analyst_kr, channel="test")
    assert "tlp" in error.value.message_dict

    upload = SimpleUploadedFile("../../etc/passwd.png", b"\x89PNG\r\n\x1a\n fake image bytes", content_type="image/png")
    evidence = services.evidence_save(
        evidence=Evidence(report=report, kind="satellite_image", source="provider", file=upload, tlp="RED"),
        actor=analyst_kr, channel="test")
    assert evidence.sha256 == hashlib.sha256(b"\x89PNG\r\n\x1a\n fake image bytes").hexdigest()
    assert evidence.original_filename == "passwd.png"
    assert ".." not in evidence.file.name and evidence.file.name.startswith(f"evidence/{report.pk}/")


def test_tightening_a_report_tightens_weaker_evidence(analyst_kr, make_report):
    report = make_report(author=analyst_kr, tlp="GREEN")
    evidence = services.evidence_save(evidence=Evidence(report=report, kind="document", source="x",
                                                        url="https://e.org/a", tlp="GREEN"),
                                      actor=analyst_kr, channel="test")

    report.tlp = "AMBER+STRICT"
    services.report_save(report=report, actor=analyst_kr, channel="test")

    evidence.refresh_from_db()
    assert evidence.tlp == "AMBER+STRICT"


@pytest.fixture
def hit(analyst_kr, make_report, make_subject):
    report = make_report(author=analyst_kr)
    subject = make_subject(report=report, actor=analyst_kr)
    entry = ListEntry.objects.create(source=ListSource.objects.get(slug="un-sc"), external_id="1",
                                     kind="entity", primary_name="OCEAN MARITIME MANAGEMENT")
    return ScreeningMatch.objects.create(subject=subject, report=report, list_entry=entry, score=0.91,
                                         is_match=True, algorithm="test", algorithm_version="1")


def test_review_decisions_are_logged_in_order_and_need_a_reason(hit, analyst_kr):
    with pytest.raises(ValidationError):
        services.match_review(match=hit, reviewer=analyst_kr, decision="dismiss", reason="  ", channel="test")
    assert not MatchReview.objects.exists()

    services.match_review(match=hit, reviewer=analyst_kr, decision="dismiss", reason="Different hull", channel="test")
    services.match_review(match=hit, reviewer=analyst_kr, decision="reopen", reason="New AIS data", channel="test")

    hit.refresh_from_db()
    assert hit.review_status == "pending"
    assert list(hit.reviews.values_list("decision", "reason")) == [("dismiss", "Different hull"),
                                                                   ("reopen", "New AIS data")]
    assert AuditRecord.objects.filter(action="decide", object_id=str(hit.pk)).count() == 2


def test_a_decision_on_a_hit_replaced_meanwhile_is_a_clear_error_and_records_nothing(hit, analyst_kr):
    ScreeningMatch.objects.filter(pk=hit.pk).delete()  # a re-screening replaced it after the page loaded

    with pytest.raises(ValidationError, match="This hit is gone"):
        services.match_review(match=hit, reviewer=analyst_kr, decision="dismiss", reason="Other hull", channel="test")

    assert not MatchReview.objects.exists()
    assert not AuditRecord.objects.filter(action="decide").exists()


def test_review_log_is_append_only(hit, analyst_kr):
    review = services.match_review(match=hit, reviewer=analyst_kr, decision="confirm", reason="Same IMO",
                                   channel="test")
    review.reason = "rewritten"
    with pytest.raises(ValueError):
        review.save()
