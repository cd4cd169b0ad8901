"""Analyst admin for list data. Everything that comes from list syncs is read-only here;
vessels are curated by analysts (with an audit trail)."""
from celery.exceptions import Retry
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count

from audit.admin import AuditedAdminMixin, ReadOnlyAdminMixin

from .fetch import FetchError
from .choices import DesigneeLinkStatus
from .models import (
    DesigneeLink,
    EntryChange,
    ListEntry,
    ListEntryAddress,
    ListEntryBirthDate,
    ListEntryIdentifier,
    ListEntryMeasure,
    ListEntryName,
    ListEntryNationality,
    ListEntryProgram,
    ListEntryRelation,
    ListSource,
    ListVersion,
    Vessel,
    VesselIdentityPeriod,
    VesselParty,
)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class NameInline(ReadOnlyInline):
    model = ListEntryName
    fields = ("name", "kind", "quality", "script", "note")


class IdentifierInline(ReadOnlyInline):
    model = ListEntryIdentifier
    fields = ("type", "type_label", "value", "normalized", "is_valid", "country", "issued_on", "expires_on", "note")


class BirthDateInline(ReadOnlyInline):
    model = ListEntryBirthDate
    fields = ("qualifier", "date", "year", "year_to", "note", "from_alias")


class NationalityInline(ReadOnlyInline):
    model = ListEntryNationality
    fields = ("value", "country_code")


class AddressInline(ReadOnlyInline):
    model = ListEntryAddress
    fields = ("kind", "street", "city", "state_province", "zip_code", "country", "note")


class ProgramInline(ReadOnlyInline):
    model = ListEntryProgram
    fields = ("code",)


class RelationInline(ReadOnlyInline):
    model = ListEntryRelation
    fk_name = "entry"
    fields = ("relation", "name", "reference", "target", "note")


class MeasureInline(ReadOnlyInline):
    model = ListEntryMeasure
    fields = ("measure", "designated_on", "basis", "note")


class EntryChangeInline(ReadOnlyInline):
    model = EntryChange
    fields = ("version", "change_type", "diff", "created_at")
    ordering = ("-id",)
    verbose_name_plural = "change history"


@admin.register(ListSource)
class ListSourceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("slug", "name", "authority", "kind", "is_active", "entry_count", "last_version")
    list_filter = ("kind", "is_active")
    search_fields = ("slug", "name", "authority")
    actions = ["sync_now"]

    def has_sync_permission(self, request):
        return request.user.has_perm("sanctions.sync_listsource")

    @admin.display(description="last version")
    def last_version(self, obj):
        version = obj.versions.order_by("-fetched_at", "-id").first()
        return str(version) if version else "—"

    @admin.action(description="Sync now", permissions=["sync"])
    def sync_now(self, request, queryset):
        from .tasks import sync_list_task

        for source in queryset:
            # With a broker this queues the sync on the `sync` queue; without one it runs here.
            try:
                result = sync_list_task.delay(source_slug=source.slug)
            except (FetchError, Retry) as exc:
                # In-process, a network failure surfaces here (as the task's retry); the failed
                # version is recorded either way.
                reason = exc.exc if isinstance(exc, Retry) and exc.exc else exc
                self.message_user(request, f"{source.slug}: could not fetch the list: {reason}", messages.ERROR)
                continue
            if settings.CELERY_TASK_ALWAYS_EAGER:
                version = ListVersion.objects.get(pk=result.result["version_id"])
                level = messages.ERROR if version.status in ("rejected", "failed") else messages.SUCCESS
                detail = f": {version.error}" if version.error else ""
                self.message_user(request, f"{source.slug}: {version.status}{detail}", level)
            else:
                self.message_user(request, f"{source.slug}: sync queued; see list versions for the outcome.",
                                  messages.INFO)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_entries=Count("entries"))

    @admin.display(ordering="_entries", description="entries")
    def entry_count(self, obj):
        return obj._entries


@admin.register(ListVersion)
class ListVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "generated_at", "fetched_at", "record_count",
                    "added_count", "amended_count", "removed_count", "relisted_count", "active_count")
    list_filter = ("source", "status")
    search_fields = ("content_sha256", "fetched_from", "error")
    date_hierarchy = "fetched_at"
    list_select_related = ("source",)


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference_number", "primary_name", "kind", "regime", "listed_on", "is_active", "delisted_on")
    list_filter = ("source", "kind", "regime", ("programs__code", admin.AllValuesFieldListFilter), "is_active")
    search_fields = ("reference_number", "cited_un_reference", "primary_name", "names__name",
                     "identifiers__normalized", "external_id")
    list_select_related = ("source",)
    inlines = [NameInline, IdentifierInline, BirthDateInline, NationalityInline, AddressInline, ProgramInline,
               RelationInline, MeasureInline, EntryChangeInline]


class ListEntryChildAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_select_related = ("entry",)


@admin.register(ListEntryName)
class ListEntryNameAdmin(ListEntryChildAdmin):
    list_display = ("name", "kind", "quality", "script", "entry")
    list_filter = ("kind", "quality", "script")
    search_fields = ("name", "entry__reference_number")


@admin.register(ListEntryIdentifier)
class ListEntryIdentifierAdmin(ListEntryChildAdmin):
    list_display = ("value", "type", "normalized", "is_valid", "country", "entry")
    list_filter = ("type", "is_valid")
    search_fields = ("value", "normalized", "entry__reference_number", "entry__primary_name")


@admin.register(ListEntryBirthDate)
class ListEntryBirthDateAdmin(ListEntryChildAdmin):
    list_display = ("entry", "qualifier", "date", "year", "year_to", "note")
    list_filter = ("qualifier", "from_alias")
    search_fields = ("entry__primary_name", "entry__reference_number", "note")


@admin.register(ListEntryNationality)
class ListEntryNationalityAdmin(ListEntryChildAdmin):
    list_display = ("value", "country_code", "entry")
    list_filter = ("country_code",)
    search_fields = ("value", "entry__primary_name", "entry__reference_number")


@admin.register(ListEntryAddress)
class ListEntryAddressAdmin(ListEntryChildAdmin):
    list_display = ("entry", "kind", "city", "country", "note")
    list_filter = ("kind", "country_code")
    search_fields = ("street", "city", "country", "entry__primary_name", "entry__reference_number")


@admin.register(EntryChange)
class EntryChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("entry", "change_type", "version", "created_at")
    list_filter = ("change_type", "version__source")
    search_fields = ("entry__primary_name", "entry__reference_number")
    list_select_related = ("entry", "version", "version__source")


class VesselIdentityInline(admin.TabularInline):
    model = VesselIdentityPeriod
    extra = 0
    fields = ("name", "flag", "flag_status", "mmsi", "call_sign", "valid_from", "valid_to", "basis", "source_note")


class VesselPartyInline(admin.TabularInline):
    model = VesselParty
    extra = 0
    autocomplete_fields = ("list_entry",)
    fields = ("role", "list_entry", "name", "valid_from", "valid_to", "source_note")


@admin.register(Vessel)
class VesselAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "imo_number", "flag", "mmsi", "call_sign", "vessel_type", "build_year")
    list_filter = ("flag", "vessel_type")
    search_fields = ("name", "imo_number", "mmsi", "call_sign", "identities__name", "identities__mmsi")
    autocomplete_fields = ("list_entries",)
    inlines = [VesselIdentityInline, VesselPartyInline]
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(VesselIdentityPeriod)
class VesselIdentityPeriodAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("vessel", "name", "flag", "flag_status", "mmsi", "valid_from", "valid_to", "basis")
    list_filter = ("basis", "flag_status", "flag")
    search_fields = ("name", "mmsi", "call_sign", "vessel__imo_number", "vessel__name")
    autocomplete_fields = ("vessel",)


@admin.register(VesselParty)
class VesselPartyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("vessel", "role", "list_entry", "name", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("name", "vessel__name", "vessel__imo_number", "list_entry__primary_name")
    autocomplete_fields = ("vessel", "list_entry")


@admin.register(DesigneeLink)
class DesigneeLinkAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Entries of different lists that are one designee. The sync makes the links a UN reference
    or an IMO number establishes; an analyst confirms or rejects the matching engine's proposals."""

    list_display = ("entry", "other", "basis", "status", "score", "decided_by", "decided_at")
    list_filter = ("status", "basis", "entry__source", "other__source")
    search_fields = ("entry__primary_name", "other__primary_name", "entry__reference_number",
                     "other__reference_number")
    list_select_related = ("entry__source", "other__source", "decided_by")
    readonly_fields = ("entry", "other", "basis", "status", "score", "decided_by", "decided_at")
    fields = ("entry", "other", "basis", "status", "score", "decided_by", "decided_at", "note")
    actions = ["confirm", "reject"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, status: str) -> None:
        from .services import designee_link_decide

        decided = 0
        for link in queryset:
            decided += designee_link_decide(link=link, status=status, actor=request.user)
        self.message_user(request, f"{decided} link(s) marked “{DesigneeLinkStatus(status).label}”; links the lists "
                                   "establish are left as they are.", messages.SUCCESS)

    @admin.action(description="Confirm: same designee", permissions=["change"])
    def confirm(self, request, queryset):
        self._decide(request, queryset, DesigneeLinkStatus.CONFIRMED)

    @admin.action(description="Reject: not the same designee", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, DesigneeLinkStatus.REJECTED)
