"""Outgoing webhooks (docs/integrations.md "Webhooks"): a studio's endpoints and the
deliveries made to them. The events are the spine's (dashboard.ActivityEvent); this app is
to the left of dashboard, so deliveries hold the event's id, not a foreign key."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookEndpoint(models.Model):
    """An https URL a studio subscribed to some event types. The secret signs every delivery
    (Standard Webhooks); it is the HMAC key, so it is stored as is (like Stripe's endpoint
    secrets) and shown through the API only when created or rotated."""

    studio = models.ForeignKey(
        "accounts.Studio", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    description = models.CharField(max_length=200, blank=True)
    # The health scope: measurements, wellbeing scores, answers and the clients' free-text
    # notes travel only to endpoints that ask for them (docs/integrations.md).
    include_health = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, editable=False)
    # After a rotation the previous secret keeps signing (a second signature) until then.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Since when every real delivery failed (null after any success): auto-disable reads it.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "url"], name="webhook_endpoint_url_once")
        ]
        indexes = [
            models.Index(fields=["studio", "-created_at", "-id"], name="webhook_endpoint_list_idx")
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.studio.name})"

    def signing_secrets(self, *, now) -> list[str]:
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            secrets.append(self.previous_secret)
        return secrets


class WebhookDelivery(models.Model):
    """One message for one endpoint: an event (at most one per endpoint and event) or a
    test ping. Its `message_id` is the `webhook-id` header of every attempt, retries and
    manual redeliveries alike, so receivers deduplicate on it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # dashboard.ActivityEvent id; null for pings.
    event_id = models.BigIntegerField(null=True, blank=True)
    event_type = models.CharField(max_length=40)
    message_id = models.CharField(max_length=40, unique=True, editable=False)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When the next attempt is due (pending only); also the lease of an attempt under way.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"],
                condition=models.Q(event_id__isnull=False),
                name="webhook_delivery_once_per_event",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "succeeded", "failed"]),
                name="webhook_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_list_idx"
            ),
            # The sweep reads pending deliveries that are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint.url} ({self.status})"

    @staticmethod
    def new_message_id() -> str:
        return f"msg_{uuid.uuid4().hex}"
