import csv
import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path

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
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (dict, list)) else str(value)
    # A cell starting with a formula character would be run by a spreadsheet: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_lines(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        yield writer.writerow([_cell(value) for value in row])
