"""Query parameters of every list endpoint are strict and documented truthfully: a bad
`page`, `page_size`, filter value, `search` or `cursor` is an error naming the parameter,
never a silently unfiltered 200 (found by schemathesis, ST201/ST202)."""

import datetime as dt

import pytest
from drf_spectacular.generators import SchemaGenerator

from conftest import assert_error
from fitbud.api.filters import MAX_ID, SEARCH_MAX_LENGTH
from plans.tests.factories import PlanTemplateFactory
from progress.models import WorkoutLog

PAGE_NUMBER_LISTS = [
    "/api/v1/invites/",
    "/api/v1/clients/",
    "/api/v1/clients/{client}/notes/",
    "/api/v1/templates/",
    "/api/v1/assignments/",
    "/api/v1/billing/plans/",
    "/api/v1/billing/subscriptions/",
    "/api/v1/billing/payments/",
]
CURSOR_LISTS = [
    "/api/v1/workout-logs/",
    "/api/v1/meal-logs/",
    "/api/v1/check-ins/",
    "/api/v1/feed/",
]
# Every filter of every trainer list endpoint, with a value outside its type or enum.
FILTERS = [
    ("/api/v1/invites/", "status", "nope"),
    ("/api/v1/clients/", "is_active", "maybe"),
    ("/api/v1/clients/", "ordering", "password"),
    ("/api/v1/invites/", "ordering", "email"),
    ("/api/v1/templates/", "ordering", "trainer__password"),
    ("/api/v1/templates/", "kind", "nope"),
    ("/api/v1/templates/", "archived", "maybe"),
    ("/api/v1/assignments/", "client", "abc"),
    ("/api/v1/assignments/", "kind", "nope"),
    ("/api/v1/assignments/", "status", "nope"),
    ("/api/v1/workout-logs/", "client", "{'a': 1}"),
    ("/api/v1/workout-logs/", "date_from", "yesterday"),
    ("/api/v1/workout-logs/", "date_to", "2026-02-30"),
    ("/api/v1/meal-logs/", "client", "1.5"),
    ("/api/v1/meal-logs/", "date_from", "20260301"),
    ("/api/v1/meal-logs/", "date_to", "tomorrow"),
    ("/api/v1/check-ins/", "client", "[]"),
    ("/api/v1/check-ins/", "date_from", "x"),
    ("/api/v1/check-ins/", "date_to", "x"),
    ("/api/v1/check-ins/", "reviewed", "\u0096n2"),
    ("/api/v1/feed/", "client", "abc"),
    ("/api/v1/feed/", "kind", "nope"),
    ("/api/v1/feed/", "after", "-1"),
    ("/api/v1/assignments/", "ordering", "-start_date,,created_at"),
    ("/api/v1/billing/plans/", "ordering", "id"),
    ("/api/v1/billing/subscriptions/", "ordering", "status"),
    ("/api/v1/billing/payments/", "ordering", "amount,client__user__password"),
    ("/api/v1/billing/subscriptions/", "client", "abc"),
    ("/api/v1/billing/subscriptions/", "status", "nope"),
    ("/api/v1/billing/subscriptions/", "date_from", "x"),
    ("/api/v1/billing/subscriptions/", "date_to", "x"),
    ("/api/v1/billing/payments/", "client", "abc"),
    ("/api/v1/billing/payments/", "status", "nope"),
    ("/api/v1/billing/payments/", "date_from", "x"),
    ("/api/v1/billing/payments/", "date_to", "x"),
]
SEARCHABLE_LISTS = ["/api/v1/invites/", "/api/v1/clients/", "/api/v1/templates/"]


def _url(path, client_link):
    return path.format(client=client_link.pk)


@pytest.mark.parametrize("path", PAGE_NUMBER_LISTS + CURSOR_LISTS)
@pytest.mark.parametrize("value", ["false", "abc", "0", "-1", "1.5", "", " 5", "0" * 40])
def test_a_page_size_that_is_not_a_positive_whole_number_is_a_400(
    trainer_api, client_link, path, value
):
    response = trainer_api.get(_url(path, client_link), {"page_size": value})
    assert_error(response, 400, "invalid", "page_size")


def test_a_page_size_is_checked_on_the_clients_own_payments_too(client_api):
    assert_error(client_api.get("/api/v1/me/payments/?page_size=0"), 400, "invalid", "page_size")
    assert client_api.get("/api/v1/me/payments/?page_size=5").status_code == 200


@pytest.mark.parametrize("path", PAGE_NUMBER_LISTS)
@pytest.mark.parametrize("value", ["0", "-3", "abc", "last", ""])
def test_a_page_that_is_not_a_positive_whole_number_is_a_400(trainer_api, client_link, path, value):
    response = trainer_api.get(_url(path, client_link), {"page": value})
    assert_error(response, 400, "invalid", "page")


def test_a_page_past_the_last_is_a_404(trainer_api):
    assert_error(trainer_api.get("/api/v1/templates/?page=2"), 404, "not_found")
    # Any whole number is valid input, however long: far past the last page, still a 404.
    assert_error(trainer_api.get("/api/v1/templates/?page=" + "9" * 40), 404, "not_found")


def test_a_huge_page_size_is_capped_not_refused(trainer_api):
    response = trainer_api.get("/api/v1/templates/?page_size=" + "9" * 40)
    assert response.status_code == 200, response.content


def test_a_page_size_above_the_maximum_is_capped_to_100(trainer_api, trainer):
    PlanTemplateFactory.create_batch(101, trainer=trainer)
    body = trainer_api.get("/api/v1/templates/?page_size=500").json()
    assert body["count"] == 101
    assert len(body["results"]) == 100
    assert body["next"] is not None


def test_a_cursor_page_size_above_the_maximum_is_capped_to_100(trainer_api, client_link):
    day = dt.date(2026, 3, 1)
    WorkoutLog.objects.bulk_create(
        WorkoutLog(client=client_link, date=day - dt.timedelta(days=n)) for n in range(101)
    )
    body = trainer_api.get("/api/v1/workout-logs/?page_size=500").json()
    assert len(body["results"]) == 100
    assert body["next"] is not None


@pytest.mark.parametrize(("path", "param", "_bad"), FILTERS)
@pytest.mark.parametrize("blank", ["", "  "])
def test_a_filter_given_without_a_value_is_a_400(trainer_api, path, param, _bad, blank):
    assert_error(trainer_api.get(path, {param: blank}), 400, attr=param)


@pytest.mark.parametrize(("path", "param", "bad"), FILTERS)
def test_a_filter_value_outside_its_type_or_enum_is_a_400(trainer_api, path, param, bad):
    assert_error(trainer_api.get(path, {param: bad}), 400, attr=param)


@pytest.mark.parametrize(
    "path", [p for p, param, _ in FILTERS if param == "client"] + ["/api/v1/feed/"]
)
@pytest.mark.parametrize("value", ["0", str(MAX_ID + 1)])
def test_a_client_id_outside_the_documented_range_is_a_400(trainer_api, path, value):
    assert_error(trainer_api.get(path, {"client": value}), 400, attr="client")


@pytest.mark.parametrize("path", [p for p, param, _ in FILTERS if param == "client"])
def test_the_largest_documented_client_id_is_accepted(trainer_api, path):
    response = trainer_api.get(path, {"client": str(MAX_ID)})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", SEARCHABLE_LISTS)
def test_a_search_term_over_100_characters_is_a_400(trainer_api, path):
    response = trainer_api.get(path, {"search": "a" * (SEARCH_MAX_LENGTH + 1)})
    assert_error(response, 400, "max_length", "search")


@pytest.mark.parametrize("path", SEARCHABLE_LISTS)
def test_a_search_term_of_100_characters_or_an_empty_one_is_fine(trainer_api, path):
    assert trainer_api.get(path, {"search": "a" * SEARCH_MAX_LENGTH}).status_code == 200
    assert trainer_api.get(path, {"search": ""}).status_code == 200


@pytest.mark.parametrize("path", CURSOR_LISTS)
@pytest.mark.parametrize("cursor", ["not-a-cursor", "a" * 501])
def test_an_invalid_or_overlong_cursor_is_a_404(trainer_api, path, cursor):
    assert_error(trainer_api.get(path, {"cursor": cursor}), 404, "not_found")


@pytest.mark.parametrize("path", CURSOR_LISTS)
def test_an_empty_cursor_is_the_first_page(trainer_api, path):
    assert trainer_api.get(path, {"cursor": ""}).status_code == 200


def _query_schemas(path):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = schema["paths"][path]["get"]["parameters"]
    return {p["name"]: p["schema"] for p in parameters if p["in"] == "query"}


def test_the_schema_documents_the_enforced_bounds():
    assignments = _query_schemas("/api/v1/assignments/")
    assert assignments["page"] == {"type": "integer", "minimum": 1}
    assert assignments["page_size"] == {"type": "integer", "minimum": 1}
    assert assignments["client"]["minimum"] == 1
    assert assignments["client"]["maximum"] == MAX_ID
    assert "search" not in assignments  # nothing to search there
    assert _query_schemas("/api/v1/feed/")["after"]["minimum"] == 0
    assert _query_schemas("/api/v1/templates/")["search"]["maxLength"] == SEARCH_MAX_LENGTH
    cursor_list = _query_schemas("/api/v1/workout-logs/")
    assert cursor_list["page_size"] == {"type": "integer", "minimum": 1}
    assert cursor_list["cursor"]["maxLength"] == 500
    assert _query_schemas("/api/v1/check-ins/")["reviewed"] == {"type": "boolean"}
    assert assignments["ordering"]["pattern"] == (
        "^-?(start_date|created_at)(,-?(start_date|created_at))*$"
    )


def test_ordering_takes_several_documented_fields_with_a_stable_tie_breaker(trainer_api, trainer):
    first, second = PlanTemplateFactory.create_batch(2, trainer=trainer, name="Same")
    response = trainer_api.get("/api/v1/templates/?ordering=name,-created_at")
    assert response.status_code == 200, response.content
    assert {row["id"] for row in response.json()["results"]} == {first.pk, second.pk}
    ids = [
        row["id"] for row in trainer_api.get("/api/v1/templates/?ordering=-name").json()["results"]
    ]
    assert ids == [second.pk, first.pk]


def test_a_search_term_with_a_nul_character_is_a_400_as_documented(trainer_api):
    assert_error(trainer_api.get("/api/v1/clients/", {"search": "ab\x00c"}), 400)
    schema = trainer_api.get("/api/schema/?format=json").json()
    search = next(
        p for p in schema["paths"]["/api/v1/clients/"]["get"]["parameters"] if p["name"] == "search"
    )
    assert search["schema"]["pattern"] == "^[^\\u0000]*$"
