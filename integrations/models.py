"""Integrations (docs/integrations.md): API keys and outgoing webhooks."""
