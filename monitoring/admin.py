"""The analyst's admin. Every queryset is cut down to what the TLP rules let the user see, and
every write goes through the services (which audit it)."""
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from audit.admin import AuditedAdminMixin, CsvExportMixin, ReadOnlyAdminMixin

from . import services
from .choices import ReportStatus, ReviewDecision
from .models import (
    AnalystProfile,
    Evidence,
    MatchReview,
    MemberState,
    PartnerOrganisation,
    ReportSubject,
    ResolutionCitation,
    ScreeningMatch,
    SourceCitation,
    ViolationReport,
)
from .selectors import (
    can_edit_report,
    editable_reports,
    member_state_of,
    sees_all_reports,
    visible_evidence,
    visible_matches,
    visible_report_ids,
    visible_reports,
)

CHANNEL = "admin"


def _error_message(exc: ValidationError) -> str:
    return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()) \
        if hasattr(exc, "error_dict") else " ".join(exc.messages)


# --- Reference --------------------------------------------------------------------------------

@admin.register(MemberState)
class MemberStateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "country", "joined_on", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "country")


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "country", "is_community_member", "is_active")
    list_filter = ("kind", "is_community_member", "is_active")
    search_fields = ("name",)


@admin.register(AnalystProfile)
class AnalystProfileAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "member_state")
    list_filter = ("member_state",)
    search_fields = ("user__username", "user__email", "user__last_name")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "member_state")


# --- Rows that hang off a report: visible exactly where the report is -------------------------

def _can_edit(request, report: ViolationReport) -> bool:
    # Inlines ask once per row and per permission; one answer per report and request is enough.
    cache = request.__dict__.setdefault("_editable_reports", {})
    if report.pk not in cache:
        cache[report.pk] = can_edit_report(request.user, report)
    return cache[report.pk]


class ReportChildMixin:
    """Querysets, form choices and permissions of rows that belong to a report."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(report__in=visible_report_ids(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "report":
            kwargs["queryset"] = editable_reports(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @staticmethod
    def _report_of(obj) -> ViolationReport:
        return obj if isinstance(obj, ViolationReport) else obj.report

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return _can_edit(request, self._report_of(obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return _can_edit(request, self._report_of(obj))

    def has_add_permission(self, request, obj=None):
        # Inlines are asked with the parent report; model admins without an object.
        if isinstance(self, admin.options.InlineModelAdmin):
            allowed = super().has_add_permission(request, obj)
        else:
            allowed = super().has_add_permission(request)
        if obj is None or not allowed:
            return allowed
        return _can_edit(request, self._report_of(obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Team administrators see everything, and every such read is audited.
        if request.method == "GET" and sees_all_reports(request.user):
            obj = self.get_object(request, object_id)
            if obj is not None:
                services.audit_privileged_read(instance=obj, actor=request.user, channel=CHANNEL)
        return super().change_view(request, object_id, form_url, extra_context)


class ResolutionInline(ReportChildMixin, admin.TabularInline):
    model = ResolutionCitation
    extra = 0


class CitationInline(ReportChildMixin, admin.TabularInline):
    model = SourceCitation
    extra = 0


class SubjectInline(ReportChildMixin, admin.StackedInline):
    model = ReportSubject
    extra = 0
    show_change_link = True
    fields = (("role", "kind"), ("name", "name_original_script"), ("imo", "mmsi", "call_sign", "flag"),
              ("date_of_birth", "nationality"), "documents", "notes", "warnings")
    readonly_fields = ("warnings",)

    @admin.display(description="validation warnings")
    def warnings(self, obj):
        return "; ".join(obj.validation_warnings) if obj and obj.validation_warnings else "—"


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = "__all__"

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = settings.EVIDENCE_MAX_UPLOAD_BYTES
        if upload and getattr(upload, "size", 0) > limit:
            raise forms.ValidationError(f"The file is larger than the {limit // (1024 * 1024)} MiB allowed.")
        if isinstance(upload, UploadedFile):  # a new upload, not the file already stored
            try:
                services.evidence_upload_check(upload)
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["file"]) from None
        return upload


class EvidenceInline(ReportChildMixin, admin.TabularInline):
    model = Evidence
    form = EvidenceForm

    def get_queryset(self, request):
        return visible_evidence(request.user, super().get_queryset(request))
    extra = 0
    fields = ("kind", "source", "captured_at", "url", "file", "held_at", "credit", "tlp", "sha256")
    readonly_fields = ("sha256",)


class ReportAdminForm(forms.ModelForm):
    class Meta:
        model = ViolationReport
        fields = "__all__"


def _audit_team_admin_export(request, reports) -> None:
    """A team administrator's export is a read of every report in it, audited as such."""
    if sees_all_reports(request.user):
        for report in {report.pk: report for report in reports}.values():
            services.audit_privileged_read(instance=report, actor=request.user, channel=CHANNEL)


@admin.register(ViolationReport)
class ViolationReportAdmin(ReportChildMixin, CsvExportMixin, admin.ModelAdmin):
    form = ReportAdminForm
    change_form_template = "admin/desk/report_change_form.html"
    csv_columns = (("id", "pk"), ("title", "title"), ("category", "get_category_display"),
                   ("reporting state", "reporting_state"), ("TLP", "tlp"), ("status", "get_status_display"),
                   ("occurred from", "occurred_from"), ("occurred to", "occurred_to"), ("location", "location_text"),
                   ("subjects", "_subjects"), ("hits to review", "_pending"), ("created at", "created_at"),
                   ("submitted at", "submitted_at"))
    list_display = ("title", "category", "reporting_state", "tlp", "status", "occurred_from", "subject_count",
                    "pending_hits", "created_at")
    list_filter = ("status", "category", "tlp", "reporting_state")
    search_fields = ("title", "narrative", "state_reference", "location_text", "subjects__name", "subjects__imo")
    date_hierarchy = "created_at"
    list_select_related = ("reporting_state",)
    filter_horizontal = ("releasable_to_states", "releasable_to_partners", "recipients")
    readonly_fields = ("status", "created_by", "created_at", "updated_at", "submitted_at")
    # Screening hits are shown above the form, beside their subjects (admin/desk/report_change_form.html).
    inlines = [ResolutionInline, CitationInline, SubjectInline, EvidenceInline]
    actions = ["submit_reports", "start_review", "accept_reports", "reject_reports", "publish_reports"]
    fieldsets = (
        (None, {"fields": ("title", "category", "reporting_state", "state_reference", "status")}),
        ("Handling", {"fields": ("tlp", "releasable_to_states", "releasable_to_partners", "recipients",
                                 "attribution_public", "committee_notified")}),
        ("When and where", {"fields": (("occurred_from", "occurred_to", "occurred_precision"), "location_text",
                                       ("latitude", "longitude"))}),
        ("Account", {"fields": ("narrative", "assessment", "confidence")}),
        ("Record", {"fields": ("created_by", "created_at", "updated_at", "submitted_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        qs = visible_reports(request.user, super(ReportChildMixin, self).get_queryset(request))
        return qs.annotate(
            _subjects=Count("subjects", distinct=True),
            _pending=Count("matches", filter=Q(matches__review_status="pending", matches__is_match=True), distinct=True),
        )

    @admin.display(ordering="_subjects", description="subjects")
    def subject_count(self, obj):
        return obj._subjects

    @admin.display(ordering="_pending", description="hits to review")
    def pending_hits(self, obj):
        return obj._pending

    def csv_exported(self, request, rows):
        _audit_team_admin_export(request, rows)

    def get_urls(self):
        opts = self.model._meta
        return [
            path("<path:object_id>/hits/<int:match_id>/review/", self.admin_site.admin_view(self.review_hit_view),
                 name=f"{opts.app_label}_{opts.model_name}_review_hit"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from .admin_desk import REVIEW_CHOICES, report_hits_panel

        report = self.get_object(request, unquote(object_id)) if object_id else None
        if report is not None:
            extra_context = {
                **(extra_context or {}),
                "desk_subjects": report_hits_panel(report),
                "desk_can_review": request.user.has_perm("monitoring.add_matchreview"),
                "desk_review_choices": REVIEW_CHOICES,
                "desk_pending": report.matches.filter(is_match=True, review_status="pending").count(),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_hit_view(self, request, object_id, match_id):
        """Confirm, dismiss, escalate or reopen one hit from the report page, with a reason."""
        report = self.get_object(request, unquote(object_id))  # None unless the user may see it
        if report is None:
            raise Http404("No such report.")
        back = reverse(f"{self.admin_site.name}:monitoring_violationreport_change", args=[quote(report.pk)])
        if request.method != "POST":
            return redirect(back)
        if not request.user.has_perm("monitoring.add_matchreview"):
            raise PermissionDenied
        match = get_object_or_404(ScreeningMatch, pk=match_id, report=report)
        decision, reason = request.POST.get("decision", ""), request.POST.get("reason", "")
        try:
            services.match_review(match=match, reviewer=request.user, decision=decision, reason=reason,
                                  channel=CHANNEL)
        except ValidationError as exc:
            self.message_user(request, f"{match.subject.name} ~ {match.list_entry}: {_error_message(exc)}",
                              messages.ERROR)
        else:
            self.message_user(request, f"{match.subject.name} ~ {match.list_entry}: "
                                       f"{match.get_review_status_display().lower()}.", messages.SUCCESS)
        return redirect(f"{back}#hit-{match.pk}")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "recipients":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reporting_state" and not sees_all_reports(request.user):
            state = member_state_of(request.user)
            kwargs["queryset"] = MemberState.objects.filter(pk=getattr(state, "pk", None))
            kwargs["initial"] = state
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        # Only analysts of a member state (or team administrators) can file reports.
        return super(ReportChildMixin, self).has_add_permission(request) and (
            member_state_of(request.user) is not None or sees_all_reports(request.user)
        )

    def save_model(self, request, obj, form, change):
        self._relations_before = services.report_relations_snapshot(obj) if change else {}
        services.report_save(report=obj, actor=request.user, channel=CHANNEL)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.report_record_relations(report=form.instance, actor=request.user, channel=CHANNEL,
                                         before=getattr(self, "_relations_before", {}))

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        services.delete_audited(instances=formset.deleted_objects, actor=request.user, channel=CHANNEL)
        for obj in instances:
            if isinstance(obj, ReportSubject):
                services.subject_save(subject=obj, actor=request.user, channel=CHANNEL)
            elif isinstance(obj, Evidence):
                if not obj.pk:
                    obj.created_by = request.user
                services.evidence_save(evidence=obj, actor=request.user, channel=CHANNEL)
            else:
                services.audited_save(obj, actor=request.user, channel=CHANNEL)
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.delete_audited(instances=[obj], actor=request.user, channel=CHANNEL)

    def delete_queryset(self, request, queryset):
        services.delete_audited(instances=list(queryset), actor=request.user, channel=CHANNEL)

    def _transition(self, request, queryset, to_status: str):
        done = 0
        for report in queryset:
            try:
                services.report_transition(report=report, to_status=to_status, actor=request.user, channel=CHANNEL)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                detail = _error_message(exc) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{report}: {detail}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} report(s) now {to_status.replace('_', ' ')}.", messages.SUCCESS)

    @admin.action(description="Submit selected reports", permissions=["change"])
    def submit_reports(self, request, queryset):
        self._transition(request, queryset, ReportStatus.SUBMITTED)

    @admin.action(description="Start review of selected reports", permissions=["change"])
    def start_review(self, request, queryset):
        self._transition(request, queryset, ReportStatus.UNDER_REVIEW)

    @admin.action(description="Accept selected reports", permissions=["change"])
    def accept_reports(self, request, queryset):
        self._transition(request, queryset, ReportStatus.ACCEPTED)

    @admin.action(description="Reject selected reports", permissions=["change"])
    def reject_reports(self, request, queryset):
        self._transition(request, queryset, ReportStatus.REJECTED)

    @admin.action(description="Publish selected reports", permissions=["change"])
    def publish_reports(self, request, queryset):
        self._transition(request, queryset, ReportStatus.PUBLISHED)


@admin.register(ReportSubject)
class ReportSubjectAdmin(ReportChildMixin, CsvExportMixin, admin.ModelAdmin):
    csv_columns = (("report id", "report_id"), ("report", "report__title"), ("name", "name"),
                   ("original script", "name_original_script"), ("kind", "kind"), ("role", "role"),
                   ("IMO (as reported)", "imo"), ("IMO valid", "imo_valid"), ("MMSI", "mmsi"), ("flag", "flag"),
                   ("call sign", "call_sign"), ("date of birth", "date_of_birth"), ("nationality", "nationality"),
                   ("warnings", lambda s: "; ".join(s.validation_warnings or [])))
    list_display = ("name", "kind", "role", "report", "imo", "imo_valid", "flag", "has_warnings")
    list_filter = ("kind", "role", "imo_valid", "report__category")
    search_fields = ("name", "name_original_script", "imo", "imo_normalized", "mmsi", "call_sign", "report__title")
    list_select_related = ("report",)
    autocomplete_fields = ("vessel", "list_entry")
    readonly_fields = ("imo_normalized", "imo_valid", "flag_code", "nationality_code", "birth_date",
                       "birth_date_precision", "validation_warnings", "created_at", "updated_at")

    @admin.display(boolean=True, description="warnings")
    def has_warnings(self, obj):
        return bool(obj.validation_warnings)

    def save_model(self, request, obj, form, change):
        services.subject_save(subject=obj, actor=request.user, channel=CHANNEL)

    def delete_model(self, request, obj):
        services.delete_audited(instances=[obj], actor=request.user, channel=CHANNEL)

    def delete_queryset(self, request, queryset):
        services.delete_audited(instances=list(queryset), actor=request.user, channel=CHANNEL)


@admin.register(Evidence)
class EvidenceAdmin(ReportChildMixin, admin.ModelAdmin):
    form = EvidenceForm

    def get_queryset(self, request):
        return visible_evidence(request.user, super().get_queryset(request))
    list_display = ("__str__", "kind", "report", "captured_at", "tlp", "credit")
    list_filter = ("kind", "tlp")
    search_fields = ("source", "caption", "credit", "url", "held_at", "sha256", "report__title")
    list_select_related = ("report",)
    readonly_fields = ("original_filename", "sha256", "created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        services.evidence_save(evidence=obj, actor=request.user, channel=CHANNEL)

    def delete_model(self, request, obj):
        services.delete_audited(instances=[obj], actor=request.user, channel=CHANNEL)

    def delete_queryset(self, request, queryset):
        services.delete_audited(instances=list(queryset), actor=request.user, channel=CHANNEL)


@admin.register(ResolutionCitation)
class ResolutionCitationAdmin(ReportChildMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "report")
    list_filter = ("resolution",)
    search_fields = ("=resolution", "paragraph", "report__title")


@admin.register(SourceCitation)
class SourceCitationAdmin(ReportChildMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "publisher", "published_on", "report")
    search_fields = ("title", "publisher", "url", "report__title")


# --- Screening hits and their review --------------------------------------------------------

@admin.display(description="score then")
def score_at_decision(review: MatchReview) -> str:
    """The hit's score when the decision was taken (re-screening may have changed it since)."""
    score = (review.hit or {}).get("score")
    return f"{score:.2f}" if isinstance(score, (int, float)) else "—"


class MatchReviewInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MatchReview
    extra = 0
    fields = ("created_at", "reviewer_label", "decision", "reason", score_at_decision)
    readonly_fields = fields
    verbose_name_plural = "review log"


class MatchReviewForm(forms.ModelForm):
    decision = forms.ChoiceField(choices=[("", "—")] + list(ReviewDecision.choices), required=False)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    class Meta:
        model = ScreeningMatch
        fields = ()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give a reason for the decision.")
        return cleaned


class BulkDecisionForm(ActionForm):
    """The changelist's action bar, with the reason a bulk decision needs."""

    reason = forms.CharField(required=False, label="Reason",
                             widget=forms.TextInput(attrs={"size": 50, "placeholder": "Reason (needed to decide)"}))


def _age(delta) -> str:
    days = delta.days
    if days >= 1:
        return f"{days} d"
    hours = delta.seconds // 3600
    return f"{hours} h" if hours else f"{delta.seconds // 60} min"


@admin.register(ScreeningMatch)
class ScreeningMatchAdmin(ReportChildMixin, CsvExportMixin, admin.ModelAdmin):
    """Every hit the user may see; with review_status=pending (the site's review-queue/ address) it
    is the review queue, decided in bulk with a reason or one by one on the report page."""

    form = MatchReviewForm
    action_form = BulkDecisionForm
    list_display = ("score_bar", "subject_name", "entry", "report_link", "origin", "review_status", "age")
    list_display_links = ("subject_name",)
    list_filter = ("review_status", "report__category", "list_entry__regime", "report__reporting_state",
                   "report__tlp", "entry_delisted")
    search_fields = ("subject__name", "list_entry__primary_name", "list_entry__reference_number", "report__title")
    list_select_related = ("subject", "list_entry", "report", "report__reporting_state")
    actions = ["dismiss_hits", "escalate_hits"]
    list_per_page = 50
    csv_columns = (("report id", "report_id"), ("report", "report__title"), ("category", "report__category"),
                   ("reporting state", "report__reporting_state"), ("TLP", "report__tlp"), ("subject", "subject__name"),
                   ("list", "list_entry__source__slug"), ("reference number", "list_entry__reference_number"),
                   ("listed name", "list_entry__primary_name"), ("regime", "list_entry__regime"), ("score", "score"),
                   ("review status", "review_status"), ("entry delisted", "entry_delisted"),
                   ("explanation", lambda m: " | ".join(f"{k}: {v.get('detail', '')}"
                                                        for k, v in (m.explanation or {}).items())),
                   ("found at", "created_at"))

    def changelist_view(self, request, extra_context=None):
        queue = request.GET.get("review_status__exact") == "pending"
        extra_context = {**(extra_context or {}), **({"title": "Review queue: hits waiting for a decision"}
                                                      if queue else {})}
        return super().changelist_view(request, extra_context)

    def csv_exported(self, request, rows):
        _audit_team_admin_export(request, [row.report for row in rows])

    @admin.display(ordering="score", description="score")
    def score_bar(self, obj):
        return format_html('<span class="desk-score"><span class="desk-bar"><span style="width:{}%"></span></span>'
                           ' {}</span>', round(obj.score * 100), f"{obj.score:.2f}")

    @admin.display(ordering="subject__name", description="subject")
    def subject_name(self, obj):
        return format_html('{}<span class="desk-sub">{}</span>', obj.subject.name, obj.subject.get_role_display())

    @admin.display(ordering="list_entry__reference_number", description="list entry")
    def entry(self, obj):
        return format_html('{}<span class="desk-sub">{}</span>', obj.list_entry.reference_number,
                           obj.list_entry.primary_name)

    @admin.display(ordering="report__title", description="report")
    def report_link(self, obj):
        url = reverse(f"{self.admin_site.name}:monitoring_violationreport_change", args=[quote(obj.report_id)])
        return format_html('<a href="{}#hit-{}">{}</a><span class="desk-sub">{}</span>', url, obj.pk,
                           obj.report.title, obj.report.get_category_display())

    @admin.display(ordering="report__tlp", description="from")
    def origin(self, obj):
        state = obj.report.reporting_state
        return format_html('<span title="{}">{}</span> <span class="desk-tlp desk-tlp-{}">{}</span>', state,
                           state.country.code, obj.report.tlp.replace("+", "-").lower(), obj.report.tlp)

    @admin.display(ordering="created_at", description="age")
    def age(self, obj):
        return _age(timezone.now() - obj.created_at)

    def has_review_permission(self, request):
        return request.user.has_perm("monitoring.add_matchreview")

    def _bulk_decide(self, request, queryset, decision: str):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, "Nothing was decided: give a reason for the decision.", messages.ERROR)
            return
        # Only hits still waiting are decided in bulk: a decided one is changed on its own page.
        selected = visible_matches(request.user, queryset)
        waiting = list(selected.filter(review_status="pending").select_related("subject", "list_entry"))
        decided = gone = 0
        for match in waiting:
            try:
                services.match_review(match=match, reviewer=request.user, decision=decision, reason=reason,
                                      channel=CHANNEL)
                decided += 1
            except ValidationError:  # replaced by a re-screening since the page loaded
                gone += 1
        verb = {"dismiss": "dismissed", "escalate": "escalated"}[decision]
        skipped = selected.count() - decided  # the gone ones are no longer there to count
        note = f" {skipped} already decided, left as they were." if skipped else ""
        note += f" {gone} no longer existed (replaced by a re-screening)." if gone else ""
        self.message_user(request, f"{decided} hit(s) {verb}, with the reason “{reason}”.{note}",
                          messages.SUCCESS if decided else messages.WARNING)

    @admin.action(description="Dismiss selected hits (with the reason given)", permissions=["review"])
    def dismiss_hits(self, request, queryset):
        self._bulk_decide(request, queryset, "dismiss")

    @admin.action(description="Escalate selected hits (with the reason given)", permissions=["review"])
    def escalate_hits(self, request, queryset):
        self._bulk_decide(request, queryset, "escalate")
    readonly_fields = ("report", "subject", "list_entry", "score", "is_match", "explanation", "algorithm",
                       "algorithm_version", "list_version", "review_status", "entry_delisted", "created_at",
                       "updated_at")
    fields = readonly_fields + ("decision", "reason")
    inlines = [MatchReviewInline]

    def has_add_permission(self, request, obj=None):
        return False  # hits come from screening only

    def has_delete_permission(self, request, obj=None):
        return False  # decisions are kept; a hit is never deleted by hand

    def has_change_permission(self, request, obj=None):
        # Reviewing a hit needs the reviewer's right and sight of the report, not edit rights on it.
        if not request.user.has_perm("monitoring.add_matchreview"):
            return False
        return obj is None or visible_reports(request.user).filter(pk=obj.report_id).exists()

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if decision:
            services.match_review(match=obj, reviewer=request.user, decision=decision,
                                  reason=form.cleaned_data["reason"], channel=CHANNEL)


@admin.register(MatchReview)
class MatchReviewAdmin(ReadOnlyAdminMixin, CsvExportMixin, admin.ModelAdmin):
    list_display = ("created_at", "reviewer_label", "decision", "match", score_at_decision)
    csv_columns = (("at", "created_at"), ("reviewer", "reviewer_label"), ("decision", "decision"),
                   ("reason", "reason"), ("subject", "match__subject__name"),
                   ("reference number", "match__list_entry__reference_number"),
                   ("listed name", "match__list_entry__primary_name"), ("report id", "match__report_id"))

    def csv_exported(self, request, rows):
        _audit_team_admin_export(request, [row.match.report for row in rows])
    list_filter = ("decision",)
    search_fields = ("reviewer_label", "reason", "match__subject__name", "match__list_entry__primary_name")
    list_select_related = ("match", "match__subject", "match__list_entry")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(match__report__in=visible_report_ids(request.user))
from . import admin_desk  # noqa: E402,F401  (the vessel page, with the reports a vessel appears in)
from . import admin_tokens  # noqa: E402,F401
from . import admin_webhooks  # noqa: E402,F401
