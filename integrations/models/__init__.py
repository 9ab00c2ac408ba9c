"""Integrations (docs/integrations.md): API keys and outgoing webhooks."""

from integrations.models.api_keys import ApiKey
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = ["ApiKey", "WebhookDelivery", "WebhookEndpoint"]
