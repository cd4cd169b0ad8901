"""Partner systems manage their webhook subscriptions: `POST /api/v1/webhooks/` (the signing
secret is in that answer only), list, retrieve, delete, `POST .../<id>/resume/` (re-activate a
paused subscription and retry its unfinished deliveries now), `GET .../<id>/deliveries/` (the
deliveries log). A subscription belongs to the calling token: other tokens' subscriptions are 404,
and analysts' browser sessions (no token) are 403. How deliveries are signed and retried:
monitoring.webhooks."""
from __future__ import annotations


from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, throttling, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import StrictSerializerMixin
from monitoring import webhooks
from monitoring.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription

CHANNEL = "api"


# Inline in the schema: a second enum component for the same choices as WebhookDelivery.event
# would make drf-spectacular warn (W001), which `check --deploy` treats as a failure.
@extend_schema_field({"type": "string", "enum": WebhookEvent.values})
class WebhookEventField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=WebhookEvent.choices, **kwargs)


class WebhookSubscriptionCreateSerializer(StrictSerializerMixin, serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="An https:// endpoint on a public host.")
    events = serializers.ListField(
        child=WebhookEventField(), allow_empty=False,
        max_length=len(WebhookEvent.values),
        help_text="list.changed needs the lists:read scope; match.confirmed needs reports:read.",
    )


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    paused = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSubscription
        fields = ("id", "url", "events", "is_active", "paused", "paused_at", "consecutive_failures", "created_at")
        read_only_fields = fields

    def get_paused(self, obj) -> bool:
        return obj.paused_at is not None


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.SerializerMethodField(
        help_text="The key of the X-MSMT-Signature HMAC. Shown in this answer only: store it now.")

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = WebhookSubscriptionSerializer.Meta.fields + ("secret",)
        read_only_fields = fields

    def get_secret(self, obj) -> str:
        return self.context["secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ("id", "event", "event_id", "status", "attempts", "last_status_code", "last_error",
                  "next_attempt_at", "delivered_at", "created_at", "payload")
        read_only_fields = fields


class IsTokenCaller(permissions.BasePermission):
    message = "Webhook subscriptions belong to an API token: call with a partner system's token."

    def has_permission(self, request, view) -> bool:
        return getattr(request.user, "token", None) is not None


class WebhookManagementThrottle(throttling.SimpleRateThrottle):
    """Per token, in the shared cache like config.api.CallerScopeThrottle (which needs a scope:
    these endpoints have none, the calling token's own subscriptions are the resource)."""

    scope = "webhooks"
    rate = "60/min"

    def get_cache_key(self, request, view):
        token = getattr(request.user, "token", None)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"token:{token.pk}"}


def _bad_request(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})


class WebhookSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, IsTokenCaller]
    throttle_classes = [WebhookManagementThrottle]
    serializer_class = WebhookSubscriptionSerializer
    action_query_parameters = {"deliveries": ("status",)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return WebhookSubscription.objects.filter(token=self.request.user.token).order_by("-created_at", "-id")

    @extend_schema(request=WebhookSubscriptionCreateSerializer,
                   responses={201: WebhookSubscriptionCreatedSerializer})
    def create(self, request):
        data = WebhookSubscriptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            subscription, secret = webhooks.webhook_subscription_create(
                token=request.user.token, url=data.validated_data["url"], events=data.validated_data["events"],
                actor=request.user, channel=CHANNEL)
        except DjangoValidationError as exc:
            raise _bad_request(exc) from None
        body = WebhookSubscriptionCreatedSerializer(subscription, context={"secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        webhooks.webhook_subscription_delete(subscription=self.get_object(), actor=request.user, channel=CHANNEL)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: WebhookSubscriptionSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Re-activate a subscription paused after repeated failures; unfinished deliveries are retried now."""
        subscription = webhooks.webhook_subscription_resume(subscription=self.get_object(), actor=request.user,
                                                            channel=CHANNEL)
        return Response(WebhookSubscriptionSerializer(subscription).data)

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=DeliveryStatus.values, required=False)],
        responses={200: WebhookDeliverySerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The subscription's deliveries, newest first, with each one's last attempt's outcome."""
        queryset = WebhookDelivery.objects.filter(subscription=self.get_object()).order_by("-created_at", "-id")
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in DeliveryStatus.values:
                raise serializers.ValidationError({"status": [f"One of: {', '.join(DeliveryStatus.values)}."]})
            queryset = queryset.filter(status=wanted)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
