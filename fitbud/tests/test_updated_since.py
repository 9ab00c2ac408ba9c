"""`?updated_since=` on every list endpoint (fitbud.api.filters.UpdatedSinceFilter): only rows
changed at or after the instant, oldest change first (updated_at, id), a 400 for a value that
is not an ISO 8601 instant. The routes are found by walking the URL patterns: a new list is
tested here without anyone adding it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import mixins, viewsets

from coaching.services.automations import automation_create
from conftest import assert_error, url_routes
from exercises.tests.factories import ExerciseFactory
from integrations.tests.factories import WebhookEndpointFactory
from messaging.services import conversation_for
from plans.tests.factories import PlanTemplateFactory
from progress.tests.factories import WorkoutLogFactory

pytestmark = pytest.mark.django_db

# Not filterable, and why (docs/api.md, "Changed since"): records are computed from every log.
NOT_FILTERABLE = {"me/records/": "not_supported"}


def _list_routes() -> list[str]:
    """Every paginated GET route under api/v1/, as a path with `<arg>` placeholders."""

    routes = []
    for route, callback in url_routes():
        cls = getattr(callback, "cls", None)
        if not route.startswith("api/v1/") or cls is None:
            continue
        action = (getattr(callback, "actions", None) or {}).get("get")
        if issubclass(cls, viewsets.ViewSetMixin):
            handler = getattr(cls, action, None) if action else None
            paginated_action = (
                handler is not None
                and hasattr(handler, "mapping")
                and handler.kwargs.get("pagination_class", cls.pagination_class) is not None
            )
            if action != "list" and not paginated_action:
                continue
        elif not issubclass(cls, mixins.ListModelMixin):
            continue
        path = route.removeprefix("api/v1/").replace("^", "").replace("$", "")
        for name in ("(?P<pk>[0-9]+)", "(?P<pk>[^/.]+)"):
            path = path.replace(name, "<pk>")
        routes.append(path.replace("<int:pk>", "<pk>").replace("<int:client_id>", "<client>"))
    return sorted(set(routes))


LIST_ROUTES = _list_routes()


def _url(route: str, client_link) -> str:
    trainer = client_link.trainer
    pk = None
    if route.startswith("automations/"):
        pk = automation_create(
            trainer=trainer,
            name="Nudge",
            trigger={"type": "no_workout", "days": 3},
            action={"type": "notify_client", "title": "Hi", "body": "Go"},
        ).pk
    elif route.startswith("exercises/<pk>"):
        pk = ExerciseFactory(owner=trainer).pk
    elif route.startswith("conversations/<pk>"):
        pk = conversation_for(trainer=trainer, client=client_link)[0].pk
    elif route.startswith("webhooks/<pk>"):
        pk = WebhookEndpointFactory(created_by=trainer).pk
    return "/api/v1/" + route.replace("<client>", str(client_link.pk)).replace("<pk>", str(pk))


def _get(route, url, params, trainer_api, client_api):
    # The client's own lists; a trainer reads an exercise's history with ?client= (not
    # relevant here).
    client_only = route.startswith("me/") or route == "exercises/<pk>/history/"
    return (client_api if client_only else trainer_api).get(url, params)


def test_the_walk_finds_the_lists():
    assert {
        "templates/",
        "workout-logs/",
        "feed/",
        "me/payments/",
        "automations/<pk>/runs/",
    } <= set(LIST_ROUTES)
    assert "habits/summary/" not in LIST_ROUTES  # not paginated: not a list of rows
    assert len(LIST_ROUTES) >= 30


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_every_list_takes_updated_since(route, client_link, trainer_api, client_api):
    url = _url(route, client_link)
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = _get(route, url, {"updated_since": future}, trainer_api, client_api)
    if route in NOT_FILTERABLE:
        if NOT_FILTERABLE[route]:
            assert_error(response, 400, NOT_FILTERABLE[route], "updated_since")
        return
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []

    bad = _get(route, url, {"updated_since": "yesterday"}, trainer_api, client_api)
    assert_error(bad, 400, "invalid", "updated_since")
    past = _get(route, url, {"updated_since": "2000-01-01T00:00:00Z"}, trainer_api, client_api)
    assert past.status_code == 200


def test_the_schema_documents_it_on_every_paginated_list():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paginated = [
        path
        for path, operations in schema["paths"].items()
        if "get" in operations
        and "Paginated"
        in str(
            operations["get"]["responses"].get("200", {}).get("content", {}).get("application/json")
        )
    ]
    assert len(paginated) >= 30
    for path in paginated:
        names = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
        route = path.removeprefix("/api/v1/")
        assert ("updated_since" in names) == (route not in NOT_FILTERABLE), path


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-01",
        "2026-03-01T08:00:00",
        "2026-03-01T08:00:00 00:00",
        "\uff12\uff10\uff12\uff16-03-01T08:00Z",
        "",
    ],
)
def test_a_date_without_time_or_offset_is_a_400(trainer_api, value):
    response = trainer_api.get("/api/v1/templates/", {"updated_since": value})
    assert_error(response, 400, None, "updated_since")


def test_with_ordering_the_changes_still_come_oldest_first(trainer, trainer_api):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        zed = PlanTemplateFactory(trainer=trainer, name="Zed")
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        PlanTemplateFactory(trainer=trainer, name="Abe")
    response = trainer_api.get(
        "/api/v1/templates/",
        {"updated_since": (start - timedelta(seconds=1)).isoformat(), "ordering": "name"},
    )
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == [zed.name, "Abe"]


@pytest.mark.parametrize(
    "value", ["2103-04-02T20:16:23+19:44", "4171-07-17T12:36:06+17:32", "0001-01-01T00:10:00+23:00"]
)
def test_offsets_python_accepts_but_postgresql_does_not_are_no_500(trainer_api, value):
    response = trainer_api.get("/api/v1/automations/", {"updated_since": value})
    assert response.status_code in (200, 400), response.content


def test_a_page_number_list_pages_through_changes_oldest_first(trainer, trainer_api):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = PlanTemplateFactory(trainer=trainer, name="Old")
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        a = PlanTemplateFactory(trainer=trainer, name="A")
        b = PlanTemplateFactory(trainer=trainer, name="B")
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        old.name = "Old, edited"
        old.save()

    since = (start + timedelta(seconds=30)).isoformat()
    first = trainer_api.get("/api/v1/templates/", {"updated_since": since, "page_size": 2}).json()
    second = trainer_api.get(
        "/api/v1/templates/", {"updated_since": since, "page_size": 2, "page": 2}
    ).json()

    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == [a.pk, b.pk, old.pk]  # same instant: by id; the edit moved `old` last


def test_a_cursor_list_orders_by_change_too(client_link, client_api):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = WorkoutLogFactory(client=client_link)
        second = WorkoutLogFactory(client=client_link)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        first.effort = 9
        first.save()

    since = start.isoformat()
    page = client_api.get("/api/v1/workout-logs/", {"updated_since": since, "page_size": 1}).json()
    assert [row["id"] for row in page["results"]] == [str(second.pk)]
    rest = client_api.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == [str(first.pk)]
    later = client_api.get(
        "/api/v1/workout-logs/", {"updated_since": (start + timedelta(seconds=1)).isoformat()}
    ).json()
    assert [row["id"] for row in later["results"]] == [str(first.pk)]
