"""FilterBackend: django-filter's backend, not built for a request without its parameters."""

import pytest
from django_filters.rest_framework import DjangoFilterBackend

from clients.tests.factories import ClientFactory
from conftest import assert_error, url_routes
from fitbud.api.filters import FilterBackend, _names_any

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


@pytest.fixture
def built(monkeypatch):
    """How many FilterSets the requests built."""
    calls = []
    original = DjangoFilterBackend.get_filterset

    def counting(self, request, queryset, view):
        calls.append(view)
        return original(self, request, queryset, view)

    monkeypatch.setattr(DjangoFilterBackend, "get_filterset", counting)
    return calls


def test_no_filter_parameter_builds_no_filterset(trainer_api, trainer, built):
    ClientFactory(trainer=trainer)
    ClientFactory(trainer=trainer, is_active=False)
    body = trainer_api.get(CLIENTS, {"page_size": 50, "ordering": "name"}).json()
    assert body["count"] == 2
    assert built == []


def test_a_filter_parameter_filters_and_is_validated(trainer_api, trainer, built):
    ClientFactory(trainer=trainer)
    ClientFactory(trainer=trainer, is_active=False)
    assert trainer_api.get(CLIENTS, {"is_active": "false"}).json()["count"] == 1
    assert_error(trainer_api.get(CLIENTS, {"is_active": ""}), 400, attr="is_active")
    assert_error(trainer_api.get(CLIENTS, {"is_active": "maybe"}), 400, attr="is_active")
    assert len(built) == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, False),
        ({"page": "2", "ordering": "name", "search": "x"}, False),
        ({"status": ""}, True),  # present, even empty: django-filter's path says 400
        ({"date_after": "2026-01-01"}, True),  # a range widget's suffixed key
        ({"dates": "x"}, False),  # only a name or the name and an underscore
    ],
)
def test_which_parameters_take_django_filters_path(params, expected):
    assert _names_any(params, {"status": None, "date": None}) is expected


def _views():
    for _route, callback in url_routes():
        view = getattr(callback, "cls", None)
        if view is not None:
            yield view


def test_every_view_uses_the_skipping_backend():
    plain = {
        view.__name__
        for view in _views()
        for backend in getattr(view, "filter_backends", [])
        if backend is DjangoFilterBackend
    }
    assert plain == set()
    assert any(FilterBackend in getattr(view, "filter_backends", []) for view in _views())
