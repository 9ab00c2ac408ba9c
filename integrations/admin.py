from integrations.webhooks import admin as webhooks_admin  # noqa: F401  (registers the screens)
