"""Integrations (docs/integrations.md): API keys and outgoing webhooks."""

from integrations.models.api_keys import ApiKey

__all__ = ["ApiKey"]
