from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans"

    def ready(self) -> None:
        # Registers the OpenAPI extension that publishes the plan-content JSON Schemas.
        from plans.api import schema  # noqa: F401
