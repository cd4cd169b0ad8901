"""Reports as FollowTheMoney entities (domain.md §5.1), as plain dicts ready for JSON lines.

- one Event per report: name, summary, dates, location (and its country when the text names one),
  the resolutions breached as `program`, public sources as `sourceUrl`;
- one Person, Organization, Vessel or (kind unknown) LegalEntity per subject, as reported;
- links: people and organisations in Event.involved (it takes LegalEntity only); vessels with an
  UnknownLink to the event; an owner with Ownership, and an operator as Vessel.operator, when the
  report names exactly one vessel (otherwise it is not said which vessel is meant);
- every entity carries the report's TLP marking (keywords and notes, or description for links),
  since a line may travel on its own: a derived product never carries a weaker marking;
- the reporting state is named (as publisher) only when the report's attribution is public.

No dependency on the followthemoney package at run time: the tests validate the output with it."""
from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone

from monitoring.choices import DatePrecision, SubjectKind, SubjectRole
from monitoring.models import ReportSubject, ViolationReport
from sanctions import identifiers

ID_PREFIX = "msmt"
SCHEMA_BY_KIND = {
    SubjectKind.PERSON: "Person",
    SubjectKind.ORGANIZATION: "Organization",
    SubjectKind.VESSEL: "Vessel",
    SubjectKind.UNKNOWN: "LegalEntity",
}
PASSPORT_TYPES = {"passport", "passport_number", "passport no", "passport number"}


def entity_id(kind: str, *parts) -> str:
    return "-".join([ID_PREFIX, kind, *(str(p) for p in parts)])


def tlp_keyword(report: ViolationReport) -> str:
    return f"TLP:{report.tlp}"


def tlp_note(report: ViolationReport) -> str:
    return (f"Handling: TLP:{report.tlp} (Traffic Light Protocol 2.0), from a report of the Multilateral "
            f"Sanctions Monitoring Team. Share only as this marking allows.")


def _entity(schema: str, id_: str, properties: dict[str, list]) -> dict:
    cleaned = {}
    for name, values in properties.items():
        kept = list(dict.fromkeys(str(v).strip() for v in values if v is not None and str(v).strip()))
        if kept:
            cleaned[name] = kept
    return {"id": id_, "schema": schema, "properties": cleaned}


def _date(value: datetime.datetime | None, precision: str) -> str | None:
    if value is None:
        return None
    value = timezone.localtime(value, datetime.UTC) if timezone.is_aware(value) else value
    if precision == DatePrecision.MINUTE:
        return value.strftime("%Y-%m-%dT%H:%M")
    return value.date().isoformat()[: {DatePrecision.YEAR: 4, DatePrecision.MONTH: 7}.get(precision, 10)]


def _location_country(text: str) -> str | None:
    """The country a location text names, when it names one exactly (whole, or after its last comma)."""
    text = text.strip()
    if not text:
        return None
    for candidate in (text, text.rsplit(",", 1)[-1]):
        code = identifiers.country_code_from_name(candidate.strip())
        if code:
            return code.lower()
    return None


def _country(code) -> str | None:
    return str(code).lower() if code else None


def _subject_entity(subject: ReportSubject, report: ViolationReport) -> dict:
    schema = SCHEMA_BY_KIND.get(subject.kind, "LegalEntity")
    notes = [tlp_note(report)]
    props: dict[str, list] = {
        "name": [subject.name],
        "alias": [*(subject.aliases or []), subject.name_original_script],
        "description": [f"{SubjectRole(subject.role).label if subject.role in SubjectRole.values else subject.role}"
                        f", as reported in: {report.title}"],
        "keywords": [tlp_keyword(report)],
    }
    imo_reported = subject.imo.strip()
    imo = f"IMO{subject.imo_normalized}" if subject.imo_valid and subject.imo_normalized else None
    if imo_reported and imo is None:
        notes.append(f"IMO number as reported, not valid: {imo_reported}")
    if schema == "Vessel":
        props.update(imoNumber=[imo], mmsi=[subject.mmsi], callSign=[subject.call_sign],
                     flag=[_country(subject.flag_code)])
    else:
        if schema == "Person":
            props.update(birthDate=[_birth_date(subject)], nationality=[_country(subject.nationality_code)])
        else:
            props["country"] = [_country(subject.nationality_code)]
        if schema == "Organization":
            props["imoNumber"] = [imo]  # the company IMO number
        elif imo:
            notes.append(f"IMO number as reported: {imo}")
        for document in subject.documents or []:
            if not isinstance(document, dict) or not str(document.get("number", "")).strip():
                continue
            kind = str(document.get("type", "")).strip().lower()
            prop = "passportNumber" if schema == "Person" and kind in PASSPORT_TYPES else "idNumber"
            props.setdefault(prop, []).append(str(document["number"]))
    props["notes"] = notes
    return _entity(schema, entity_id("subject", subject.pk), props)


def _birth_date(subject: ReportSubject) -> str | None:
    if subject.birth_date is None:
        return None
    return subject.birth_date.isoformat()[: {"year": 4, "month": 7}.get(subject.birth_date_precision, 10)]


def report_entities(report: ViolationReport) -> Iterator[dict]:
    """The entities of one report. Its subjects, resolutions and citations are read through the
    report (prefetch them for many reports)."""
    subjects = sorted(report.subjects.all(), key=lambda s: s.pk)
    event_id = entity_id("report", report.pk)
    start = _date(report.occurred_from, report.occurred_precision)
    end = _date(report.occurred_to, report.occurred_precision)
    event = {
        "name": [report.title],
        "summary": [report.narrative],
        "description": [report.assessment],
        "date": [start],
        "startDate": [start] if end and end != start else [],
        "endDate": [end] if end and end != start else [],
        "location": [report.location_text],
        "country": [_location_country(report.location_text)],
        "program": [str(r) for r in report.resolutions.all()],
        "sourceUrl": [c.url for c in report.citations.all() if c.url],
        "keywords": [tlp_keyword(report), report.get_category_display()],
        "notes": [tlp_note(report)],
    }
    if report.attribution_public:
        event["publisher"] = [str(report.reporting_state)]

    entities = [_subject_entity(subject, report) for subject in subjects]
    vessels = [s for s in subjects if s.kind == SubjectKind.VESSEL]
    event["involved"] = [entity_id("subject", s.pk) for s in subjects if s.kind != SubjectKind.VESSEL]
    yield _entity("Event", event_id, event)

    only_vessel = entity_id("subject", vessels[0].pk) if len(vessels) == 1 else None
    for subject, entity in zip(subjects, entities, strict=True):
        if only_vessel and subject.role == SubjectRole.OPERATOR and subject.kind != SubjectKind.VESSEL:
            vessel = next(e for e in entities if e["id"] == only_vessel)
            vessel["properties"].setdefault("operator", []).append(entity["id"])
    yield from entities

    handling = [tlp_note(report)]
    for subject in vessels:
        role = SubjectRole(subject.role).label if subject.role in SubjectRole.values else subject.role
        yield _entity("UnknownLink", entity_id("link", subject.pk), {
            "subject": [entity_id("subject", subject.pk)], "object": [event_id], "role": [role],
            "description": handling,
        })
    if only_vessel:
        for subject in subjects:
            if subject.role == SubjectRole.OWNER and subject.kind != SubjectKind.VESSEL:
                yield _entity("Ownership", entity_id("ownership", subject.pk), {
                    "owner": [entity_id("subject", subject.pk)], "asset": [only_vessel],
                    "role": ["Owner (as reported)"],
                    "description": handling,
                })
