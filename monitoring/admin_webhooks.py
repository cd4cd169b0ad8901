"""Admin for partners' webhook subscriptions and their deliveries. Partners create subscriptions
through the API (which shows the secret once); here staff look at them, resume or deactivate them
and read the deliveries log. The secret is never displayed, and never copied into audit records."""
from django.contrib import admin, messages

from audit.admin import ReadOnlyAdminMixin

from . import webhooks
from .models import WebhookDelivery, WebhookSubscription

CHANNEL = "admin"


class PausedFilter(admin.SimpleListFilter):
    title = "paused"
    parameter_name = "paused"

    def lookups(self, request, model_admin):
        return (("yes", "Paused"), ("no", "Not paused"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(paused_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(paused_at__isnull=True)
        return queryset


class DeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    fields = ("created_at", "event", "status", "attempts", "last_status_code", "next_attempt_at", "delivered_at")
    readonly_fields = fields
    show_change_link = True
    ordering = ("-created_at", "-id")
    verbose_name_plural = "latest deliveries"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        recent = queryset.order_by("-created_at", "-id").values_list("pk", flat=True)[:20]
        return queryset.filter(pk__in=list(recent))


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("url", "token", "event_list", "is_active", "paused_at", "consecutive_failures", "created_at")
    list_filter = ("is_active", PausedFilter)
    search_fields = ("url", "token__name", "token__prefix")
    list_select_related = ("token",)
    fields = ("token", "url", "events", "is_active", "paused_at", "consecutive_failures", "created_at")  # no secret
    readonly_fields = fields
    inlines = [DeliveryInline]
    actions = ["resume_subscriptions", "deactivate_subscriptions"]

    @admin.display(description="events")
    def event_list(self, obj):
        return ", ".join(obj.events or [])

    def has_add_permission(self, request):
        return False  # partners subscribe through the API, which hands them the secret

    def save_model(self, request, obj, form, change):
        pass  # every field is read-only here; changes go through the actions

    def delete_model(self, request, obj):
        webhooks.webhook_subscription_delete(subscription=obj, actor=request.user, channel=CHANNEL)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            webhooks.webhook_subscription_delete(subscription=subscription, actor=request.user, channel=CHANNEL)

    @admin.action(description="Resume selected subscriptions (and retry their unfinished deliveries)",
                  permissions=["change"])
    def resume_subscriptions(self, request, queryset):
        for subscription in queryset:
            webhooks.webhook_subscription_resume(subscription=subscription, actor=request.user, channel=CHANNEL)
        self.message_user(request, f"{len(queryset)} subscription(s) resumed.", messages.SUCCESS)

    @admin.action(description="Deactivate selected subscriptions", permissions=["change"])
    def deactivate_subscriptions(self, request, queryset):
        for subscription in queryset:
            webhooks.webhook_subscription_deactivate(subscription=subscription, actor=request.user, channel=CHANNEL)
        self.message_user(request, f"{len(queryset)} subscription(s) deactivated.", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "event", "subscription", "status", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at")
    list_filter = ("status", "event")
    search_fields = ("subscription__url", "subscription__token__name", "last_error")
    list_select_related = ("subscription",)
    date_hierarchy = "created_at"
    readonly_fields = ("subscription", "event", "event_id", "status", "attempts", "last_status_code", "last_error",
                       "next_attempt_at", "delivered_at", "created_at", "payload")
    fields = readonly_fields
