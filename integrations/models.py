"""Integrations (docs/integrations.md): API keys and outgoing webhooks."""

from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = ["WebhookDelivery", "WebhookEndpoint"]
