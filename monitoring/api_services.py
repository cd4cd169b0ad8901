"""Writes the REST API needs beyond monitoring.services: a report together with its access lists
and nested citations, and the record of every ad hoc screening call. They are built on the
services (which check edit rights and audit), in one transaction each."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction

from audit.services import audited_save

from . import services
from .choices import ReportStatus
from .models import (
    MemberState,
    PartnerOrganisation,
    ResolutionCitation,
    ScreeningCall,
    SourceCitation,
    ViolationReport,
)

RESOLUTION_FIELDS = ("resolution", "paragraph")
CITATION_FIELDS = ("title", "publisher", "url", "published_on", "note")


@transaction.atomic
def report_create(*, actor, channel: str, fields: Mapping[str, Any],
                  releasable_to_states: Iterable[MemberState] = (),
                  releasable_to_partners: Iterable[PartnerOrganisation] = (),
                  resolutions: Sequence[Mapping[str, Any]] = (), citations: Sequence[Mapping[str, Any]] = (),
                  submit: bool = False) -> ViolationReport:
    """File a report (as a draft, or submitted straight away) with its access lists and citations."""
    report = ViolationReport(**fields)
    services.report_save(report=report, actor=actor, channel=channel)
    _set_relations(report, actor=actor, channel=channel, states=list(releasable_to_states),
                   partners=list(releasable_to_partners))
    _replace_children(report, actor=actor, channel=channel, model=ResolutionCitation, related="resolutions",
                      names=RESOLUTION_FIELDS, wanted=resolutions)
    _replace_children(report, actor=actor, channel=channel, model=SourceCitation, related="citations",
                      names=CITATION_FIELDS, wanted=citations)
    if submit:
        report = services.report_transition(report=report, to_status=ReportStatus.SUBMITTED, actor=actor,
                                            channel=channel)
    return report


@transaction.atomic
def report_update(*, report: ViolationReport, actor, channel: str, fields: Mapping[str, Any],
                  releasable_to_states: Iterable[MemberState] | None = None,
                  releasable_to_partners: Iterable[PartnerOrganisation] | None = None,
                  resolutions: Sequence[Mapping[str, Any]] | None = None,
                  citations: Sequence[Mapping[str, Any]] | None = None) -> ViolationReport:
    """Change a report's own fields; access lists and citations are replaced when given (None
    leaves them as they are)."""
    for name, value in fields.items():
        setattr(report, name, value)
    services.report_save(report=report, actor=actor, channel=channel)
    _set_relations(report, actor=actor, channel=channel,
                   states=None if releasable_to_states is None else list(releasable_to_states),
                   partners=None if releasable_to_partners is None else list(releasable_to_partners))
    if resolutions is not None:
        _replace_children(report, actor=actor, channel=channel, model=ResolutionCitation, related="resolutions",
                          names=RESOLUTION_FIELDS, wanted=resolutions)
    if citations is not None:
        _replace_children(report, actor=actor, channel=channel, model=SourceCitation, related="citations",
                          names=CITATION_FIELDS, wanted=citations)
    return report


def _set_relations(report: ViolationReport, *, actor, channel: str, states, partners) -> None:
    before = services.report_relations_snapshot(report)
    if states is not None:
        report.releasable_to_states.set(states)
    if partners is not None:
        report.releasable_to_partners.set(partners)
    services.report_record_relations(report=report, actor=actor, channel=channel, before=before)


def _replace_children(report: ViolationReport, *, actor, channel: str, model, related: str,
                      names: Sequence[str], wanted: Sequence[Mapping[str, Any]]) -> None:
    """Make the report's rows of `model` equal to `wanted`: rows already there are kept, the
    others deleted and the missing ones created, each change audited."""

    def key(values: Mapping[str, Any]) -> tuple:
        return tuple(values.get(name) if values.get(name) is not None else "" for name in names)

    wanted_keys = [key(values) for values in wanted]
    existing = list(getattr(report, related).all())
    stale = [row for row in existing if key({n: getattr(row, n) for n in names}) not in wanted_keys]
    services.delete_audited(instances=stale, actor=actor, channel=channel)
    kept = {key({n: getattr(row, n) for n in names}) for row in existing if row not in stale}
    for values, wanted_key in zip(wanted, wanted_keys, strict=True):
        if wanted_key in kept:
            continue
        kept.add(wanted_key)
        row = model(report=report, **{name: values[name] for name in names if values.get(name) is not None})
        row.full_clean(validate_unique=False)
        audited_save(row, actor=actor, channel=channel)


def screening_call_record(*, caller, queries: list[dict], list_versions: dict[str, int | None], algorithm: str,
                          algorithm_version: str, threshold: float, results: list[dict]) -> ScreeningCall:
    """Keep who screened what against which list and algorithm versions, and what came back."""
    token = getattr(caller, "token", None)
    return ScreeningCall.objects.create(
        user=caller if token is None and getattr(caller, "pk", None) is not None else None,
        token=token,
        caller_label=caller.get_username()[:200],
        queries=queries,
        list_versions=list_versions,
        algorithm=algorithm,
        algorithm_version=algorithm_version,
        threshold=threshold,
        results=results,
    )
