"""default_locale_activated: the defaults, active during a request only."""

import asyncio

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone, translation

from fitbud.middleware import default_locale_activated


def _seen(request):
    return HttpResponse(f"{timezone.get_current_timezone_name()}|{translation.get_language()}")


def test_a_request_sees_the_defaults_and_leaves_nothing_active():
    before = (timezone.get_current_timezone_name(), translation.get_language())
    response = default_locale_activated(_seen)(RequestFactory().get("/"))
    assert response.content.decode() == f"{settings.TIME_ZONE}|{settings.LANGUAGE_CODE}"
    assert (timezone.get_current_timezone_name(), translation.get_language()) == before
    assert not hasattr(timezone._active, "value")


def test_it_deactivates_when_the_view_fails():
    def boom(request):
        raise RuntimeError

    with pytest.raises(RuntimeError):
        default_locale_activated(boom)(RequestFactory().get("/"))
    assert not hasattr(timezone._active, "value")


def test_async_views_stay_async():
    async def view(request):
        return _seen(request)

    middleware = default_locale_activated(view)
    assert asyncio.iscoroutinefunction(middleware)
    response = asyncio.run(middleware(RequestFactory().get("/")))
    assert response.content.decode() == f"{settings.TIME_ZONE}|{settings.LANGUAGE_CODE}"
