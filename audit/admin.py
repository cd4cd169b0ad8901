from django.contrib import admin

from .models import AuditRecord
from .services import audited_delete, audited_save


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
