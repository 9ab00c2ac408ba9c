from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.api import webhooks
from integrations.api.key_views import ApiKeyViewSet

router = SimpleRouter()
router.register("api-keys", ApiKeyViewSet, basename="api-key")

urlpatterns: list = [
    *router.urls,
    path("webhooks/", webhooks.WebhookEndpointListView.as_view(), name="webhook-list"),
    path("webhooks/events/", webhooks.WebhookEventTypesView.as_view(), name="webhook-events"),
    path("webhooks/<int:pk>/", webhooks.WebhookEndpointDetailView.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:pk>/rotate-secret/",
        webhooks.WebhookRotateSecretView.as_view(),
        name="webhook-rotate-secret",
    ),
    path("webhooks/<int:pk>/ping/", webhooks.WebhookPingView.as_view(), name="webhook-ping"),
    path(
        "webhooks/<int:pk>/deliveries/",
        webhooks.WebhookDeliveryListView.as_view(),
        name="webhook-delivery-list",
    ),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        webhooks.WebhookRedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
