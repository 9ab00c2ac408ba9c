from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The shared API plumbing; its one job at start-up is wiring the response cache."""

    name = "fitbud.api"
    label = "fitbud_api"
    verbose_name = "API plumbing"

    def ready(self) -> None:
        from fitbud.api import response_cache

        response_cache.connect_signals()
