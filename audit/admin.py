import csv
import json

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from .models import AuditRecord
from .selectors import EXPORT_FIELDS, audit_records_between, day_bounds
from .services import audit_trail_read, audited_delete, audited_save


class ReadOnlyAdminMixin:
    """For data written only by the system (list syncs, logs): visible, never editable here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """Admin writes of models without a domain service still leave an audit record."""

    def save_model(self, request, obj, form, change):
        audited_save(obj, actor=request.user, channel="admin")

    def delete_model(self, request, obj):
        audited_delete(obj, actor=request.user, channel="admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audited_delete(obj, actor=request.user, channel="admin")

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audited_delete(obj, actor=request.user, channel="admin")
        for obj in instances:
            audited_save(obj, actor=request.user, channel="admin")
        formset.save_m2m()


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_label", "object_repr", "object_id")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditRecord._meta.fields]

    def get_urls(self):
        export = path("export/", self.admin_site.admin_view(self.export_view), name="audit_auditrecord_export")
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The audit trail between two days (both included, UTC) as CSV, oldest first."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = AuditExportForm(request.GET or None)
        if form.is_bound and form.is_valid():
            since, until = day_bounds(form.cleaned_data["since"], form.cleaned_data["until"])
            rows = audit_records_between(since=since, until=until).values_list(*EXPORT_FIELDS)
            audit_trail_read(actor=request.user, since=since, until=until, channel="admin")
            response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
            name = f"audit-{form.cleaned_data['since']}-{form.cleaned_data['until']}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "Export the audit trail"}
        return TemplateResponse(request, "admin/audit/auditrecord/export.html", context)


class AuditExportForm(forms.Form):
    since = forms.DateField(help_text="First day (UTC), e.g. 2026-11-01.")
    until = forms.DateField(help_text="Last day (UTC), included.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["until"] < cleaned["since"]:
            self.add_error("until", "The last day comes before the first.")
        return cleaned


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return csv_cell(value)


def _csv_lines(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        yield writer.writerow([_cell(value) for value in row])

# --- CSV exports from changelists -----------------------------------------------------------------

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A value as a CSV cell; text a spreadsheet would run as a formula is quoted with a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text


class CsvExportMixin:
    """"Export CSV" on a changelist: the rows the changelist shows (its filters, search and the
    user's access rules, since it reads through `get_queryset`), all pages of it, or the selected
    rows through the action. `csv_columns` is ((header, attribute path or callable), ...)."""

    csv_columns: tuple = ()
    change_list_template = "admin/desk/change_list_export.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path("export.csv", self.admin_site.admin_view(self.csv_export_view),
                 name=f"{opts.app_label}_{opts.model_name}_export_csv"),
        ] + super().get_urls()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_view_or_change_permission(request):
            actions["export_csv"] = (CsvExportMixin.export_csv, "export_csv", "Export selected as CSV")
        return actions

    def export_csv(self, request, queryset):
        return self.csv_response(request, queryset)

    def csv_export_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
            queryset = changelist.get_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("Unknown filter in the export's address.", content_type="text/plain")
        return self.csv_response(request, queryset)

    def csv_value(self, obj, accessor):
        if callable(accessor):
            return accessor(obj)
        value = obj
        for part in accessor.split("__"):
            value = getattr(value, part, None) if value is not None else None
            if callable(value) and not hasattr(value, "all"):
                value = value()
        return value

    def csv_exported(self, request, rows: list) -> None:
        """Hook: called with the exported rows (e.g. to audit privileged reads)."""

    def csv_response(self, request, queryset):
        rows = list(queryset)
        self.csv_exported(request, rows)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="{self.model._meta.model_name}-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow([header for header, _ in self.csv_columns])
        for obj in rows:
            writer.writerow([csv_cell(self.csv_value(obj, accessor)) for _, accessor in self.csv_columns])
        return response
