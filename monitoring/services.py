"""Writes: every change to reports, subjects, evidence and hits goes through here, in one
transaction with its audit record. Admin, API and commands all call these."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record, audited_delete, audited_save
from sanctions import identifiers

from .choices import DECISION_STATUS, REPORT_TRANSITIONS, ReviewDecision, tlp_is_at_least
from .models import Evidence, MatchReview, ReportSubject, ScreeningMatch, ViolationReport


class InvalidTransition(ValidationError):
    pass


# --- Report subjects: normalise beside what was reported, warn rather than reject --------------

def subject_normalize(subject: ReportSubject) -> None:
    """Fill the normalised fields and `validation_warnings` from the as-reported values."""
    warnings: list[str] = []

    subject.imo_normalized, subject.imo_valid = "", None
    if subject.imo.strip():
        imo = identifiers.check_imo(subject.imo)
        subject.imo_normalized = imo.normalized if len(imo.normalized) == 7 and imo.normalized.isdigit() else ""
        subject.imo_valid = imo.valid
        if not imo.valid:
            warnings.append(f"IMO: {imo.error}")

    subject.flag_code = ""
    if subject.flag.strip():
        flag = _country_code(subject.flag)
        if flag:
            subject.flag_code = flag
        else:
            warnings.append(f"Flag: '{subject.flag}' is not a known country code or name.")

    if subject.mmsi.strip():
        mmsi = identifiers.check_mmsi(subject.mmsi, flag=subject.flag_code or None)
        warnings.extend(f"MMSI: {message}" for message in ([mmsi.error] if not mmsi.valid else []) + list(mmsi.warnings))

    if subject.call_sign.strip():
        call_sign = identifiers.check_call_sign(subject.call_sign, flag=subject.flag_code or None)
        warnings.extend(
            f"Call sign: {message}"
            for message in ([call_sign.error] if not call_sign.valid else []) + list(call_sign.warnings)
        )

    subject.nationality_code = ""
    if subject.nationality.strip():
        nationality = _country_code(subject.nationality)
        if nationality:
            subject.nationality_code = nationality
        else:
            warnings.append(f"Nationality: '{subject.nationality}' is not a known country code or name.")

    subject.birth_date, subject.birth_date_precision = None, ""
    if subject.date_of_birth.strip():
        try:
            partial = identifiers.parse_partial_date(subject.date_of_birth)
        except ValueError as exc:
            warnings.append(f"Date of birth: {exc}")
        else:
            subject.birth_date, subject.birth_date_precision = partial.earliest(), partial.precision

    for index, document in enumerate(subject.documents or [], start=1):
        if not isinstance(document, dict) or not str(document.get("number", "")).strip():
            warnings.append(f"Document {index}: no document number.")
            continue
        country = str(document.get("country", "")).strip()
        if country and not _country_code(country):
            warnings.append(f"Document {index}: '{country}' is not a known country code or name.")

    if subject.kind == "vessel" and subject.date_of_birth.strip():
        warnings.append("A vessel has no date of birth; it was kept as reported.")
    subject.validation_warnings = warnings


def _country_code(value: str) -> str:
    code = identifiers.check_country_code(value)
    if code.valid:
        return code.normalized
    return identifiers.country_code_from_name(value) or ""


def _check_report_editable(report: ViolationReport, actor) -> None:
    from .selectors import can_edit_report  # selectors import models only; local import keeps layers plain

    if actor is not None and not can_edit_report(actor, report):
        raise PermissionDenied("You may not change this report.")


@transaction.atomic
def subject_save(*, subject: ReportSubject, actor, channel: str) -> ReportSubject:
    """Save a subject as reported, and screen it against the lists once the write is committed."""
    from .tasks import screening_enqueue

    _check_report_editable(subject.report, actor)
    # The admin form has checked the fields already, the API and other callers have not: aliases
    # given as a bare string would be screened one character at a time.
    subject.full_clean(validate_unique=False)
    moved_from = (ReportSubject.objects.filter(pk=subject.pk).exclude(report_id=subject.report_id)
                  .values_list("report_id", flat=True).first() if subject.pk else None)
    if moved_from is not None:
        # Moving a subject takes it out of one report and into another: both must be the actor's
        # to edit, and its hits go with it at once (they are seen where their report is).
        _check_report_editable(ViolationReport.objects.get(pk=moved_from), actor)
        ScreeningMatch.objects.filter(subject=subject).update(report_id=subject.report_id)
    subject_normalize(subject)
    # Whatever it was screened as before, it must be screened again as it is now: if the broker
    # is down, the sweep finds it by this mark.
    subject.screened_at, subject.screened_versions = None, ""
    audited_save(subject, actor=actor, channel=channel, exclude=("screened_at", "screened_versions"))
    subject_id = subject.pk
    transaction.on_commit(lambda: screening_enqueue([subject_id]))
    return subject


# --- Reports ----------------------------------------------------------------------------------

@transaction.atomic
def report_save(*, report: ViolationReport, actor, channel: str) -> ViolationReport:
    """Create or update a report's own fields (not its status: see report_transition)."""
    if report._state.adding:
        _check_may_file_for(report, actor)
        token = getattr(actor, "token", None)
        if token is not None:
            report.created_by_token = token
        elif report.created_by_id is None and getattr(actor, "is_authenticated", False):
            report.created_by = actor
    else:
        _check_report_editable(report, actor)
        stored_status = ViolationReport.objects.filter(pk=report.pk).values_list("status", flat=True).first()
        if stored_status is not None and stored_status != report.status:
            _check_transition(stored_status, report.status)
            if report.status == "submitted" and report.submitted_at is None:
                report.submitted_at = timezone.now()
    report.full_clean(exclude=["releasable_to_states", "releasable_to_partners", "recipients"], validate_unique=False)
    audited_save(report, actor=actor, channel=channel)
    # Evidence may be stricter than its report, never looser: tightening a report tightens it.
    for evidence in report.evidence.all():
        if not tlp_is_at_least(evidence.tlp, report.tlp):
            before = evidence.tlp
            evidence.tlp = report.tlp
            evidence.save(update_fields=["tlp"])
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=evidence,
                         changes={"tlp": [before, report.tlp]}, channel=channel,
                         extra={"reason": "report marking tightened"})
    return report


def _check_may_file_for(report: ViolationReport, actor) -> None:
    """Analysts file reports for their own member state only; team administrators for any."""
    from .selectors import member_state_of, sees_all_reports

    if actor is None or sees_all_reports(actor):
        return
    state = member_state_of(actor)
    if state is None or report.reporting_state_id != state.pk:
        raise PermissionDenied("Analysts can only file reports for their own member state.")


def _check_transition(current: str, target: str) -> None:
    if target not in REPORT_TRANSITIONS[current]:
        allowed = ", ".join(sorted(REPORT_TRANSITIONS[current])) or "none (published reports are frozen)"
        raise InvalidTransition({"status": f"A {current} report cannot become {target}; allowed: {allowed}."})


@transaction.atomic
def report_transition(*, report: ViolationReport, to_status: str, actor, channel: str) -> ViolationReport:
    report = ViolationReport.objects.select_for_update().get(pk=report.pk)
    _check_report_editable(report, actor)
    _check_transition(report.status, to_status)
    before = report.status
    report.status = to_status
    if to_status == "submitted" and report.submitted_at is None:
        report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=report,
                 changes={"status": [before, to_status]}, channel=channel)
    return report


def report_record_relations(*, report: ViolationReport, actor, channel: str, before: dict[str, list[str]]) -> None:
    """Audit changes to a report's many-to-many access lists (releasable-to, recipients)."""
    after = report_relations_snapshot(report)
    changes = {name: [before.get(name, []), ids] for name, ids in after.items() if before.get(name, []) != ids}
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=report, changes=changes, channel=channel)


def report_relations_snapshot(report: ViolationReport) -> dict[str, list[str]]:
    if report._state.adding:
        return {}
    return {
        "releasable_to_states": sorted(str(pk) for pk in report.releasable_to_states.values_list("pk", flat=True)),
        "releasable_to_partners": sorted(str(pk) for pk in report.releasable_to_partners.values_list("pk", flat=True)),
        "recipients": sorted(str(pk) for pk in report.recipients.values_list("pk", flat=True)),
    }


def audit_privileged_read(*, instance, actor, channel: str) -> None:
    """A team administrator opened a report or a row under one: their reads are audited."""
    audit_record(actor=actor, action=AuditAction.READ, instance=instance, channel=channel)


# --- Evidence ---------------------------------------------------------------------------------

def _sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def evidence_upload_check(upload, *, name: str | None = None) -> None:
    """Refuse an evidence file whose content, extension and declared type do not agree on an
    allowed type (monitoring.uploads). Forms call it to show the error beside the field."""
    from .uploads import UploadRejected, check_upload

    name = name if name is not None else upload.name.replace("\\", "/").rsplit("/", 1)[-1]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    try:
        # The uploaded file itself, or the model's FieldFile wrapping it: the declared type is on the former.
        declared = getattr(upload, "content_type", None) or getattr(getattr(upload, "file", None), "content_type", "")
        check_upload(name=name, declared_type=declared or "", head=head)
    except UploadRejected as exc:
        raise ValidationError({"file": str(exc)}) from None


@transaction.atomic
def evidence_save(*, evidence: Evidence, actor, channel: str) -> Evidence:
    from django.conf import settings

    _check_report_editable(evidence.report, actor)
    if not evidence.tlp:
        evidence.tlp = evidence.report.tlp
    upload = evidence.file if evidence.file and not getattr(evidence.file, "_committed", True) else None
    if upload is not None:
        if upload.size > settings.EVIDENCE_MAX_UPLOAD_BYTES:
            raise ValidationError({"file": f"The file is larger than {settings.EVIDENCE_MAX_UPLOAD_BYTES} bytes."})
        evidence.original_filename = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:255]
        evidence_upload_check(upload, name=evidence.original_filename)
        evidence.sha256 = _sha256_of(upload)
    evidence.full_clean(validate_unique=False)
    audited_save(evidence, actor=actor, channel=channel)
    return evidence


# --- Screening hits ---------------------------------------------------------------------------

@transaction.atomic
def match_review(*, match: ScreeningMatch, reviewer, decision: str, reason: str, channel: str) -> MatchReview:
    """Confirm, dismiss, escalate or reopen a hit. Concurrent decisions serialise on the row, and
    each one stays in the log."""
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": f"Unknown decision '{decision}'."})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for the decision."})
    from .screening import hit_as_seen, material_snapshot

    locked = ScreeningMatch.objects.select_for_update().select_related("list_entry").filter(pk=match.pk).first()
    if locked is None:  # replaced by a re-screening since the reviewer loaded it
        raise ValidationError({"match": "This hit is gone: a re-screening found the subject no longer hits this "
                                        "entry, and nobody had decided on it. Nothing was recorded."})
    before = locked.review_status
    locked.review_status = DECISION_STATUS[decision]
    # What the entry said when decided: a later material change to it reopens a dismissal.
    locked.decided_entry_snapshot = material_snapshot(locked.list_entry)
    locked.save(update_fields=["review_status", "decided_entry_snapshot", "updated_at"])
    person = reviewer if getattr(reviewer, "pk", None) is not None else None  # a token is not a person
    review = MatchReview.objects.create(
        match=locked, reviewer=person, reviewer_label=reviewer.get_username(), decision=decision, reason=reason,
        hit=hit_as_seen(locked),
    )
    audit_record(actor=reviewer, action=AuditAction.DECIDE, instance=locked,
                 changes={"review_status": [before, locked.review_status]}, channel=channel,
                 extra={"decision": decision, "reason": reason})
    match.review_status = locked.review_status
    return review


# --- Deletion ---------------------------------------------------------------------------------

@transaction.atomic
def delete_audited(*, instances: Iterable, actor, channel: str) -> int:
    count = 0
    for instance in instances:
        report = instance if isinstance(instance, ViolationReport) else getattr(instance, "report", None)
        if report is not None:
            _check_report_editable(report, actor)
        audited_delete(instance, actor=actor, channel=channel)
        count += 1
    return count
