from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The shared API plumbing: wires the response cache and the throttles' cache."""

    name = "fitbud.api"
    label = "fitbud_api"
    verbose_name = "API plumbing"

    def ready(self) -> None:
        from rest_framework.throttling import SimpleRateThrottle

        from fitbud.api import response_cache
        from fitbud.cache import throttle_cache

        response_cache.connect_signals()
        # Every DRF throttle (ours, ScopedRateThrottle, ...) counts in the default cache, or
        # per process while it is unavailable, instead of failing open (fitbud/cache.py).
        SimpleRateThrottle.cache = throttle_cache
