"""The analyst's desk in the admin: the home dashboard, the report page's subjects-and-hits
panel with one-step decisions, and the vessel page. Reads go through the selectors (access
rules), decisions through services.match_review (audited, appended to the review log)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Prefetch
from django.utils import timezone

from audit.admin import CsvExportMixin
from sanctions import selectors as list_selectors
from sanctions.admin import ListEntryAdmin, VesselAdmin
from sanctions.admin_desk import change_fields, change_summary, identity_timeline, vessel_warnings
from sanctions.models import ListEntry, ListEntryIdentifier, ListEntryName, Vessel

from .choices import ReportStatus, ReviewDecision, ReviewStatus, ViolationCategory
from .models import MatchReview, ReportSubject, ScreeningMatch, ViolationReport
from .selectors import (
    pending_hits,
    pending_hits_by_age,
    reports_by_status_and_category,
    sees_all_reports,
    vessel_report_subjects,
    visible_matches,
)

# --- Home dashboard ------------------------------------------------------------------------------

RECENT_CHANGES = 10
OLDEST_PENDING = 5


def _freshness_rows(now) -> list[dict]:
    from django.conf import settings

    rows = list_selectors.source_freshness()
    for row in rows:
        success = row["last_success"]
        # Stale after twice the source's sync interval without a successful sync.
        interval = settings.LIST_SYNC_INTERVALS.get(row["source"].slug, settings.LIST_SYNC_INTERVAL_MINUTES)
        row["stale"] = success is None or success.fetched_at < now - datetime.timedelta(minutes=2 * interval)
        failure = row["last_failure"]
        row["failing"] = failure is not None and (success is None or failure.fetched_at > success.fetched_at)
        change = row["last_change"]
        if change is not None:
            counts = (("added", change.added_count), ("amended", change.amended_count),
                      ("removed", change.removed_count), ("relisted", change.relisted_count))
            row["change_summary"] = ", ".join(f"{n} {what}" for what, n in counts if n) or "no entry changed"
    return rows


def dashboard_context(request) -> dict:
    """What the home page shows above the app list. Every count is of what the user may see."""
    user = request.user
    if not user.has_perm("monitoring.view_violationreport"):
        return {}
    now = timezone.now()
    counts = reports_by_status_and_category(user)
    statuses = list(ReportStatus.choices)
    categories = []
    for value, label in ViolationCategory.choices:
        cells = [counts.get((value, status), 0) for status, _ in statuses]
        if any(cells):
            categories.append({"value": value, "label": label, "cells": cells, "total": sum(cells)})
    status_totals = [sum(counts.get((c, s), 0) for c, _ in ViolationCategory.choices) for s, _ in statuses]
    buckets = pending_hits_by_age(user, now=now)
    oldest = list(pending_hits(user).select_related("subject", "list_entry", "report")
                  .order_by("created_at", "id")[:OLDEST_PENDING])
    return {
        "desk": True,
        "desk_now": now,
        "desk_sees_all": sees_all_reports(user),
        "pending_buckets": buckets,
        "pending_total": sum(b["count"] for b in buckets),
        "oldest_pending": oldest,
        "escalated_total": visible_matches(user).filter(review_status=ReviewStatus.ESCALATED).count(),
        "report_statuses": statuses,
        "report_categories": categories,
        "report_status_totals": status_totals,
        "report_total": sum(status_totals),
        "freshness": _freshness_rows(now),
        "recent_changes": list_selectors.recent_entry_changes(limit=RECENT_CHANGES),
    }


# --- A hit's explanation in words ------------------------------------------------------------------

FEATURE_LABELS = {"name": "Name", "identifiers": "Identifier", "birth_date": "Date of birth",
                  "nationality": "Nationality", "kind": "Kind"}


@dataclass
class ExplanationLine:
    label: str
    text: str
    score: float
    effect: str  # "agrees", "differs" or "neutral"


def explanation_lines(explanation: dict) -> list[ExplanationLine]:
    """The engine's per-feature explanation as sentences an analyst reads at a glance."""
    lines = []
    for key in sorted(explanation or {}, key=lambda k: list(FEATURE_LABELS).index(k) if k in FEATURE_LABELS else 99):
        feature = explanation[key] or {}
        detail = str(feature.get("detail", ""))
        query, candidate = str(feature.get("query", "")), str(feature.get("candidate", ""))
        score = float(feature.get("score") or 0)
        if key == "name":
            kind, _, how = detail.partition(": ")
            listed = {"name": "listed name", "alias": "listed alias", "original script": "name in original script"}
            text = (f"Reported “{query}” matched the {listed.get(kind, kind or 'listed name')} “{candidate}”"
                    + (f": {how}." if how else "."))
            effect = "agrees" if score >= 0.85 else "neutral"
        else:
            text = f"{detail[:1].upper()}{detail[1:]}"
            if query or candidate:
                text += f" (reported {query or '—'}; listed {candidate or '—'})."
            effect = "differs" if score < 0 or "differ" in detail else ("agrees" if score > 0 else "neutral")
        lines.append(ExplanationLine(label=FEATURE_LABELS.get(key, key.replace("_", " ").capitalize()), text=text,
                                     score=score, effect=effect))
    return lines


# --- The report page: subjects and their hits side by side ---------------------------------------

REVIEW_CHOICES = [(value, label) for value, label in ReviewDecision.choices if value != ReviewDecision.REOPEN]


@dataclass
class HitCard:
    match: ScreeningMatch
    lines: list[ExplanationLine]
    entry: ListEntry
    names: list[str]
    identifiers: list[str]
    birth_dates: list[str]
    nationalities: list[str]
    reviews: list[MatchReview]
    decisions: list[tuple[str, str]]
    designated_by: list[ListEntry] = field(default_factory=list)  # the entry's own first

    @property
    def percent(self) -> int:
        return round(self.match.score * 100)


@dataclass
class SubjectRow:
    subject: ReportSubject
    hits: list[HitCard] = field(default_factory=list)


def report_hits_panel(report: ViolationReport) -> list[SubjectRow]:
    """Each subject of `report` with its hits (best first), the list entry's key facts and the review log.
    The caller has checked that the user may see the report: its subjects and hits share its visibility."""
    entries = ListEntry.objects.select_related("source").prefetch_related(
        Prefetch("names", queryset=ListEntryName.objects.order_by("id")),
        Prefetch("identifiers", queryset=ListEntryIdentifier.objects.order_by("type", "id")),
        "birth_dates", "nationalities",
    )
    matches = (ScreeningMatch.objects.filter(report=report).select_related("list_version")
               .prefetch_related(Prefetch("list_entry", queryset=entries),
                                 Prefetch("reviews", queryset=MatchReview.objects.order_by("created_at", "id")))
               .order_by("-score", "id"))
    matches = list(matches)
    designated = list_selectors.designating_lists({match.list_entry_id for match in matches})
    by_subject: dict[int, list[HitCard]] = {}
    for match in matches:
        entry = match.list_entry
        decisions = list(REVIEW_CHOICES) if match.review_status == ReviewStatus.PENDING else (
            [(ReviewDecision.REOPEN.value, ReviewDecision.REOPEN.label)] + [
                (value, label) for value, label in REVIEW_CHOICES
                if value != {"confirmed": "confirm", "dismissed": "dismiss", "escalated": "escalate"}.get(
                    match.review_status)])
        by_subject.setdefault(match.subject_id, []).append(HitCard(
            match=match, lines=explanation_lines(match.explanation), entry=entry,
            names=[name.name for name in entry.names.all() if name.name != entry.primary_name][:8],
            identifiers=[f"{i.get_type_display()} {i.value}" + ("" if i.is_valid is not False else " (invalid)")
                         for i in entry.identifiers.all()],
            birth_dates=[str(b) for b in entry.birth_dates.all()],
            nationalities=[n.value for n in entry.nationalities.all()],
            reviews=list(match.reviews.all()), decisions=decisions, designated_by=designated[entry.pk],
        ))
    subjects = report.subjects.order_by("id")
    return [SubjectRow(subject=subject, hits=by_subject.get(subject.pk, [])) for subject in subjects]


# --- The vessel page: its identity over time, designations, the reports it appears in ------------

admin.site.unregister(Vessel)


@admin.register(Vessel)
class DeskVesselAdmin(CsvExportMixin, VesselAdmin):
    """The vessel admin of `sanctions`, with the reports the vessel appears in: those are
    monitoring data, shown under the user's access rules."""

    change_form_template = "admin/desk/vessel_change_form.html"
    csv_columns = (("IMO", "imo_number"), ("name", "name"), ("flag", "flag__code"), ("MMSI", "mmsi"),
                   ("call sign", "call_sign"), ("type", "vessel_type"), ("built", "build_year"),
                   ("designations", lambda v: "; ".join(str(e) for e in v.list_entries.all())))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        vessel = self.get_object(request, unquote(object_id))
        if vessel is not None:
            extra_context = {**(extra_context or {}), **self.desk_context(request, vessel)}
        return super().change_view(request, object_id, form_url, extra_context)

    def desk_context(self, request, vessel: Vessel) -> dict:
        entries = vessel.list_entries.select_related("source").order_by("source__slug", "reference_number")
        subjects = list(vessel_report_subjects(request.user, vessel))
        return {
            "desk_vessel": vessel,
            "desk_timeline": identity_timeline(list_selectors.vessel_identities(vessel)),
            "desk_warnings": vessel_warnings(vessel),
            "desk_designations": list(entries),
            "desk_parties": list(vessel.parties.select_related("list_entry").order_by("role", "id")),
            "desk_subjects": subjects,
            "desk_subject_warnings": [s for s in subjects if s.imo_valid is False],
        }



# --- The list entry page: names in every script, identifiers, dates of birth, its history --------

admin.site.unregister(ListEntry)


@admin.register(ListEntry)
class DeskListEntryAdmin(CsvExportMixin, ListEntryAdmin):
    """The read-only list entry page of `sanctions`, laid out for reading: everything published
    about the entry, its changes across list versions, and the hits on it in reports the user may see."""

    change_form_template = "admin/desk/entry_change_form.html"
    inlines = []  # the page shows names, identifiers, dates and history itself
    csv_columns = (("list", "source__slug"), ("reference number", "reference_number"), ("name", "primary_name"),
                   ("kind", "kind"), ("regime", "regime"), ("listed on", "listed_on"), ("active", "is_active"),
                   ("delisted on", "delisted_on"), ("external id", "external_id"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, unquote(object_id))
        if entry is not None:
            extra_context = {**(extra_context or {}), **self.desk_context(request, entry)}
        return super().change_view(request, object_id, form_url, extra_context)

    def desk_context(self, request, entry: ListEntry) -> dict:
        names_by_script: dict[str, list] = {}
        for name in entry.names.order_by("id"):
            names_by_script.setdefault(name.script or "latin", []).append(name)
        timeline = [{"change": change, "summary": change_summary(change), "fields": change_fields(change)}
                    for change in list_selectors.entry_changes(entry)]
        hits = (visible_matches(request.user).filter(list_entry=entry)
                .select_related("subject", "report", "report__reporting_state").order_by("-score", "id"))
        return {
            "desk_entry": entry,
            "desk_names": sorted(names_by_script.items(), key=lambda item: item[0] != "latin"),
            "desk_identifiers": list(entry.identifiers.order_by("type", "id")),
            "desk_birth_dates": list(entry.birth_dates.order_by("year", "id")),
            "desk_nationalities": list(entry.nationalities.order_by("id")),
            "desk_addresses": list(entry.addresses.order_by("id")),
            "desk_timeline": timeline,
            "desk_vessels": list(entry.vessels.order_by("name")),
            "desk_hits": list(hits),
            "desk_programs": [program.code for program in entry.programs.all()],
            "desk_relations": list(entry.relations.select_related("target__source")),
            "desk_measures": list(entry.measures.all()),
            "desk_also_listed_by": list_selectors.designating_lists([entry.pk])[entry.pk][1:],
        }
