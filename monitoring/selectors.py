"""Reads, with access rules applied. Every query that returns reports, or rows hanging off a
report (subjects, evidence, matches, citations), goes through `visible_reports` so the TLP rules
hold the same in lists, details, searches and counts."""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .choices import TLP, ReportStatus
from .models import AnalystProfile, MemberState, PartnerOrganisation, ViolationReport

VIEW_ALL_REPORTS_PERM = "monitoring.view_all_reports"
VIEW_REPORT_PERM = "monitoring.view_violationreport"


def member_state_of(user) -> MemberState | None:
    """The member state a caller acts for: an analyst's, or a member-state token's."""
    if not getattr(user, "is_authenticated", False):
        return None
    token = getattr(user, "token", None)
    if token is not None:
        state = token.member_state
        return state if state is not None and state.is_active else None
    try:
        profile = user.analyst_profile
    except AnalystProfile.DoesNotExist:
        return None
    return profile.member_state if profile.member_state.is_active else None


def partner_of(caller) -> PartnerOrganisation | None:
    token = getattr(caller, "token", None)
    partner = token.partner if token is not None else None
    return partner if partner is not None and partner.is_active else None


def sees_all_reports(user) -> bool:
    """Team administrators: they see everything, and their reads are audited."""
    return bool(getattr(user, "is_active", False) and user.has_perm(VIEW_ALL_REPORTS_PERM))


def _marking_rule_q(user, *, tlp_field: str, report: str = "") -> Q:
    """Who may see a row marked `tlp_field`, given the report it belongs to (`report` is the
    lookup prefix to that report: "" for the report itself, "report__" for rows under it).
    The caller is an analyst (a user) or a token of a member state or a partner organisation."""
    report_pk = OuterRef(f"{report}pk")

    def marked(value: str) -> Q:
        return Q(**{tlp_field: value})

    rule = marked(TLP.CLEAR)
    if getattr(user, "pk", None) is not None:  # RED names people, never tokens
        through_recipients = ViolationReport.recipients.through
        named_recipient = Q(Exists(through_recipients.objects.filter(violationreport_id=report_pk, user_id=user.pk)))
        rule |= marked(TLP.RED) & (Q(**{f"{report}created_by": user}) | named_recipient)
    state = member_state_of(user)
    if state is not None:
        through_states = ViolationReport.releasable_to_states.through
        released_to_state = Q(Exists(
            through_states.objects.filter(violationreport_id=report_pk, memberstate_id=state.pk)
        ))
        own_state = Q(**{f"{report}reporting_state": state})
        rule |= (
            marked(TLP.GREEN)
            | marked(TLP.AMBER) & (own_state | released_to_state)
            | marked(TLP.AMBER_STRICT) & own_state
        )
    partner = partner_of(user)
    if partner is not None:
        through_partners = ViolationReport.releasable_to_partners.through
        released_to_partner = Q(Exists(
            through_partners.objects.filter(violationreport_id=report_pk, partnerorganisation_id=partner.pk)
        ))
        if partner.is_community_member:
            rule |= marked(TLP.GREEN)
        rule |= marked(TLP.AMBER) & released_to_partner
    return rule


def _may_read_reports(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(VIEW_REPORT_PERM))


def report_visibility_q(user) -> Q:
    """The TLP rules of DESIGN.md as one filter over ViolationReport, for an analyst `user`.

    Drafts stay inside the originating state (and with their author) until submitted."""
    if not _may_read_reports(user):
        return Q(pk__in=[])
    if sees_all_reports(user):
        return Q()
    state = member_state_of(user)
    authored = Q(created_by=user) if getattr(user, "pk", None) is not None else Q(pk__in=[])
    draft_rule = (Q(reporting_state=state) | authored) if state is not None else authored
    return _marking_rule_q(user, tlp_field="tlp") & (~Q(status=ReportStatus.DRAFT) | draft_rule)


def evidence_visibility_q(user) -> Q:
    """Evidence shows where its report shows, unless its own (stricter) marking hides it."""
    if not _may_read_reports(user):
        return Q(pk__in=[])
    if sees_all_reports(user):
        return Q()
    return Q(report__in=visible_report_ids(user)) & _marking_rule_q(user, tlp_field="tlp", report="report__")


def visible_evidence(user, queryset=None):
    from .models import Evidence

    queryset = Evidence.objects.all() if queryset is None else queryset
    return queryset.filter(evidence_visibility_q(user))


def visible_reports(user, queryset: QuerySet[ViolationReport] | None = None) -> QuerySet[ViolationReport]:
    queryset = ViolationReport.objects.all() if queryset is None else queryset
    return queryset.filter(report_visibility_q(user))


def visible_report_ids(user):
    """A subquery of visible report ids, for filtering rows that hang off a report."""
    return visible_reports(user).values("pk")


def editable_reports(user) -> QuerySet[ViolationReport]:
    """Reports the user may change or add rows to; the same rule as can_edit_report, as a queryset."""
    if not user.has_perm("monitoring.change_violationreport"):
        return ViolationReport.objects.none()
    queryset = ViolationReport.objects.exclude(status=ReportStatus.PUBLISHED)
    if sees_all_reports(user):
        return queryset
    state = member_state_of(user)
    own = Q(reporting_state=state) if state is not None else Q(pk__in=[])
    if getattr(user, "pk", None) is not None:
        own |= Q(created_by=user)
    return visible_reports(user, queryset).filter(own)


def can_edit_report(user, report: ViolationReport) -> bool:
    """Only the originating state edits its reports (team administrators too); published ones are frozen for all."""
    if not user.has_perm("monitoring.change_violationreport"):
        return False
    if report.status == ReportStatus.PUBLISHED:
        return False
    if sees_all_reports(user):
        return True
    if not visible_reports(user).filter(pk=report.pk).exists():
        return False
    state = member_state_of(user)
    if state is not None and report.reporting_state_id == state.pk:
        return True
    return getattr(user, "pk", None) is not None and report.created_by_id == user.pk


# --- The analyst's desk: the same rules, for the dashboard, the review queue and vessel pages ----

# Ages of hits waiting for review, as the dashboard groups them: (label, lower bound in days).
PENDING_AGE_BUCKETS = (("under a day", 0), ("1 to 7 days", 1), ("7 to 30 days", 7), ("over 30 days", 30))


def visible_matches(user, queryset=None):
    """Screening hits of reports the user may see."""
    from .models import ScreeningMatch

    queryset = ScreeningMatch.objects.all() if queryset is None else queryset
    return queryset.filter(report__in=visible_report_ids(user))


def pending_hits(user, queryset=None):
    """Hits waiting for a decision, on reports the user may see: the review queue."""
    from .choices import ReviewStatus

    return visible_matches(user, queryset).filter(is_match=True, review_status=ReviewStatus.PENDING)


def pending_hits_by_age(user, *, now) -> list[dict]:
    """The pending hits the user may see, counted by how long they have waited (oldest bucket last)."""
    import datetime

    from django.db.models import Count

    bounds = [now - datetime.timedelta(days=days) for _, days in PENDING_AGE_BUCKETS] + [None]
    aggregates = {}
    for index, (label, _) in enumerate(PENDING_AGE_BUCKETS):
        # The first bucket has no upper bound: a hit stamped a moment ahead of `now` still counts.
        window = Q(created_at__lte=bounds[index]) if index else Q()
        if bounds[index + 1] is not None:
            window &= Q(created_at__gt=bounds[index + 1])
        aggregates[f"b{index}"] = Count("pk", filter=window) if window else Count("pk")
    counts = pending_hits(user).aggregate(**aggregates)
    return [
        {"label": label, "min_days": days, "max_days": PENDING_AGE_BUCKETS[i + 1][1] if i + 1 < len(PENDING_AGE_BUCKETS)
         else None, "count": counts[f"b{i}"]}
        for i, (label, days) in enumerate(PENDING_AGE_BUCKETS)
    ]


def reports_by_status_and_category(user) -> dict[tuple[str, str], int]:
    """{(category, status): count} over the reports the user may see."""
    from django.db.models import Count

    rows = visible_reports(user).order_by().values("category", "status").annotate(n=Count("pk"))
    return {(row["category"], row["status"]): row["n"] for row in rows}


def vessel_report_subjects(user, vessel) -> QuerySet:
    """Subjects of reports the user may see that name `vessel`: resolved to it, or reported with its IMO number."""
    from .models import ReportSubject

    named = Q(vessel=vessel)
    if vessel.imo_number:
        named |= Q(imo_normalized=vessel.imo_number)
    return (ReportSubject.objects.filter(named, report__in=visible_report_ids(user))
            .select_related("report", "report__reporting_state").order_by("-report__created_at", "id"))
