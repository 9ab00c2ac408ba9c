import sys

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

from fitbud.api.exceptions import (
    DATABASE_RETRY_AFTER_SECONDS,
    DATABASE_UNAVAILABLE,
    is_database_outage,
)

# ReDoc's bundle shows Redocly's logo from cdn.redoc.ly in its menu (no option turns it off):
# the page's policy keeps images, fonts, styles and fetches on this server, so the browser
# never makes that request (the logo hides itself when it cannot load).
REDOC_CONTENT_SECURITY_POLICY = (
    "img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'"
)


class RedocView(SpectacularRedocView):
    """ReDoc with every asset served here: our template (no Google Fonts), sidecar script."""

    template_name = "fitbud/redoc.html"

    @extend_schema(exclude=True)  # as on the parent's get: a page, not an API operation
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = REDOC_CONTENT_SECURITY_POLICY
        return response


def _error(status: int, code: str, detail: str) -> JsonResponse:
    error_type = "server_error" if status >= 500 else "client_error"
    return JsonResponse(
        {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": None}]},
        status=status,
    )


@require_GET
def landing(request):
    """`/` (and the admin's "View site"): where to go next, with no outside assets."""
    return render(
        request, "fitbud/landing.html", {"version": settings.SPECTACULAR_SETTINGS["VERSION"]}
    )


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers. Touches no database."""
    return JsonResponse({"status": "ok"})


def broker_status() -> str:
    """ "ok", "down", or "not_configured" (tasks run eagerly in this process)."""
    if not settings.CELERY_BROKER_URL:
        return "not_configured"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception:
        return "down"
    return "ok"


@never_cache
@require_GET
def readyz(request):
    """Readiness: the database answers a query (503 if not). The broker is reported but
    does not fail readiness: with it down the API still serves and commits, and the sweeps
    deliver the background work once it is back (docs/architecture.md)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return _error(503, "database_unavailable", "The database is not reachable.")
    return JsonResponse({"status": "ok", "database": "ok", "broker": broker_status()})


# JSON instead of HTML error pages for anything Django answers outside DRF views.
def not_found(request, exception=None):
    return _error(404, "not_found", "Not found.")


def server_error(request):
    # Django calls this while handling the exception, so it can still be looked at: a lost
    # database connection (admin, session middleware, ...) is a 503 the caller may retry,
    # like DRF views answer it (fitbud.api.exceptions.DatabaseUnavailable).
    if is_database_outage(sys.exc_info()[1]):
        response = _error(503, "database_unavailable", DATABASE_UNAVAILABLE)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return _error(500, "error", "A server error occurred.")


def bad_request(request, exception=None):
    return _error(400, "bad_request", "Bad request.")


def permission_denied(request, exception=None):
    return _error(403, "permission_denied", "You do not have permission to perform this action.")
