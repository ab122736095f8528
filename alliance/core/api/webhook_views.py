"""The partner's own webhook subscriptions and their delivery log. A key sees and manages
only the subscriptions it made; a session (the browsable API) has none."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from alliance.core.api import events as webhook_events
from alliance.core.api import webhooks
from alliance.core.api.exceptions import ApiError
from alliance.core.api.models import ApiKey, WebhookDelivery, WebhookSubscription
from alliance.core.api.schema import id_parameter
from alliance.core.api.scopes import Scope
from alliance.core.api.views import PartnerApiMixin


class WebhookEventField(serializers.ChoiceField):
    """One of the events the apps declared. Read when each serializer is made (DRF makes
    its fields again for every serializer), since the apps declare theirs once ready."""

    def __init__(self, **kwargs):
        super().__init__(choices=webhook_events.choices(), **kwargs)


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text="Identifier of the subscription.")
    target_url = serializers.CharField(help_text="Where the events are posted (http or https).")
    events = serializers.ListField(
        child=WebhookEventField(),
        help_text="The events posted to the target URL.",
    )
    # Not an EmailField: empty is a valid answer here, and not a valid "format: email".
    contact_email = serializers.CharField(
        help_text="Who is told when the subscription is paused (an email address); if "
        "empty, the authorised contacts of the key's organisation."
    )
    is_active = serializers.BooleanField(
        help_text="False once paused after repeated failures; resume to start again."
    )
    consecutive_failures = serializers.IntegerField(
        help_text="Failed deliveries in a row (reset by a success)."
    )
    paused_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was paused; null when active."
    )
    payload_format = serializers.ChoiceField(
        choices=WebhookSubscription._meta.get_field("payload_format").choices,
        help_text="alliance: the body is {id, event, created_at, data}; osdi: the body is "
        "an array of OSDI resources, as Action Network posts them (see docs/osdi.md).",
    )
    created_at = serializers.DateTimeField(help_text="When the subscription was made.")

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "target_url",
            "events",
            "contact_email",
            "payload_format",
            "is_active",
            "consecutive_failures",
            "paused_at",
            "created_at",
        ]


class NewWebhookSubscriptionSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        help_text="The signing secret, shown only in this response: keep it to verify "
        "X-Alliance-Signature."
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookSubscriptionInputSerializer(serializers.Serializer):
    target_url = serializers.URLField(
        max_length=500, help_text="Where to post the events (http or https)."
    )
    events = serializers.ListField(
        child=WebhookEventField(),
        min_length=1,
        help_text="The events to receive.",
    )
    contact_email = serializers.EmailField(
        required=False,
        default="",
        allow_blank=True,
        help_text="Who to tell when the subscription is paused after repeated failures.",
    )
    payload_format = serializers.ChoiceField(
        choices=WebhookSubscription._meta.get_field("payload_format").choices,
        required=False,
        default="alliance",
        help_text="How each delivery's body is written: alliance (default) or osdi.",
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(
        source="idempotency_id",
        help_text="The delivery's id, sent as X-Alliance-Delivery (the same on every retry).",
    )
    # A plain string here: the same choices as `events` under a second name would make a
    # second enum in the schema.
    event = serializers.CharField(help_text="The event, one of the subscription's `events`.")
    payload = serializers.JSONField(help_text="The event's data, as posted under `data`.")
    status = serializers.ChoiceField(
        choices=WebhookDelivery.Status.choices,
        help_text="pending (waiting for its next attempt), delivering, delivered or failed "
        "(given up after about a day of retries).",
    )
    attempts = serializers.IntegerField(help_text="How many times it was posted.")
    last_response_code = serializers.IntegerField(
        allow_null=True, help_text="HTTP status of the last attempt; null if none came back."
    )
    last_error = serializers.CharField(help_text="What went wrong last time; empty if none.")
    created_at = serializers.DateTimeField(help_text="When the event happened.")
    last_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was last posted."
    )
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When it will be retried; null if not waiting for a retry."
    )
    delivered_at = serializers.DateTimeField(
        allow_null=True, help_text="When the receiver answered 2xx."
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "payload",
            "status",
            "attempts",
            "last_response_code",
            "last_error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
        ]


class WebhookApiMixin(PartnerApiMixin):
    required_scopes = {"GET": Scope.READ, "POST": Scope.READ, "DELETE": Scope.READ}
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def subscriptions(self):
        if not isinstance(self.request.auth, ApiKey):
            return WebhookSubscription.objects.none()
        return WebhookSubscription.objects.owned_by(self.request.auth)

    def subscription(self) -> WebhookSubscription:
        return get_object_or_404(self.subscriptions(), pk=self.kwargs["pk"])


NOT_FOUND = {"404": "No such subscription, or not one of this key's (`not_found`)."}


@extend_schema_view(
    get=extend_schema(
        summary="List the key's webhook subscriptions",
        description="Scope read. Only the subscriptions this key made.",
    ),
    post=extend_schema(
        summary="Subscribe to events",
        description="Scope read. Events are posted as JSON with the headers "
        "`X-Alliance-Event`, `X-Alliance-Delivery` (a uuid, the same on retries), "
        "`X-Alliance-Timestamp` (Unix seconds) and `X-Alliance-Signature: sha256=<hex>`, "
        'the HMAC-SHA256 of `"<timestamp>.<body>"` with the secret returned here, once. '
        "A 2xx answer within 5 seconds delivers; anything else is retried with "
        "exponential back-off (30 s doubling to 6 h) for about a day. After 20 failures "
        "in a row the subscription is paused and its contact is emailed. Only a key "
        "(not a session) can subscribe (403 `api_key_required`).",
        request=WebhookSubscriptionInputSerializer,
        responses={201: NewWebhookSubscriptionSerializer},
    ),
)
class WebhookSubscriptionList(WebhookApiMixin, generics.ListAPIView):
    serializer_class = WebhookSubscriptionSerializer

    def get_queryset(self):
        return self.subscriptions()

    def post(self, request):
        if not isinstance(request.auth, ApiKey):
            raise ApiError(403, "api_key_required", _("Only an API key can subscribe."))
        incoming = WebhookSubscriptionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            subscription = webhooks.subscribe(api_key=request.auth, **incoming.validated_data)
        except DjangoValidationError as error:
            raise ValidationError({"target_url": error.messages}) from None
        return Response(
            NewWebhookSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    get=extend_schema(
        summary="One webhook subscription", parameters=[id_parameter("subscription")]
    ),
    delete=extend_schema(
        summary="Unsubscribe",
        parameters=[id_parameter("subscription")],
        description="Scope read. Deletes the subscription and its delivery log.",
        responses={204: OpenApiResponse(description="Deleted.")},
    ),
)
class WebhookSubscriptionDetail(WebhookApiMixin, generics.RetrieveAPIView):
    serializer_class = WebhookSubscriptionSerializer
    error_responses = NOT_FOUND

    def get_object(self):
        return self.subscription()

    def delete(self, request, pk):
        webhooks.unsubscribe(subscription=self.subscription())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    post=extend_schema(
        summary="Resume a paused subscription",
        parameters=[id_parameter("subscription")],
        description="Scope read. The deliveries kept while it was paused are sent now. "
        "Resuming an active subscription changes nothing.",
        request=None,
        responses={200: WebhookSubscriptionSerializer},
    )
)
class WebhookSubscriptionResume(WebhookApiMixin, generics.GenericAPIView):
    serializer_class = WebhookSubscriptionSerializer
    error_responses = NOT_FOUND

    def post(self, request, pk):
        subscription = webhooks.resume(subscription=self.subscription())
        return Response(WebhookSubscriptionSerializer(subscription).data)


@extend_schema_view(
    get=extend_schema(
        summary="The delivery log of a subscription",
        parameters=[id_parameter("subscription")],
        description="Scope read. Every delivery, newest first: status, response code, "
        "attempts and times.",
    )
)
class WebhookDeliveryList(WebhookApiMixin, generics.ListAPIView):
    serializer_class = WebhookDeliverySerializer
    error_responses = NOT_FOUND

    def get_queryset(self):
        return self.subscription().deliveries.all()
