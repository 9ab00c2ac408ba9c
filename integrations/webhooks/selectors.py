"""Reads of outgoing webhooks, scoped to the caller's studio (others' are 404)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import StudioMember
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, member: StudioMember) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(studio_id=member.studio_id).order_by("-created_at", "-id")


def delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
