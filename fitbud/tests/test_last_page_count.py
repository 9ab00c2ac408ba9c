"""Page-number lists count their rows with COUNT(*) only when a page has more after it."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger

from accounts.models import User
from clients.tests.factories import ClientFactory
from fitbud.api.pagination import LastPageCountPaginator

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def _counts(captured) -> int:
    # Django's count() of the list (the roster's own per-row note counts are not it).
    return sum('AS "__count"' in query["sql"] for query in captured)


@pytest.fixture
def five(trainer):
    return ClientFactory.create_batch(5, trainer=trainer)


@pytest.mark.parametrize(
    ("params", "count", "results", "next_page", "previous_page", "count_queries"),
    [
        ({}, 5, 5, None, None, 0),  # one page: the page is the count
        ({"page_size": 5}, 5, 5, None, None, 0),  # exactly full, nothing after it
        ({"page_size": 2}, 5, 2, 2, None, 1),  # more after it: COUNT(*)
        ({"page_size": 2, "page": 2}, 5, 2, 3, 1, 1),
        ({"page_size": 2, "page": 3}, 5, 1, None, 2, 0),  # the last page
    ],
)
def test_the_answer_is_djangos_with_fewer_queries(
    trainer_api, five, params, count, results, next_page, previous_page, count_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        body = trainer_api.get(CLIENTS, params).json()
    assert body["count"] == count
    assert len(body["results"]) == results
    assert (body["next_page"], body["previous_page"]) == (next_page, previous_page)
    assert _counts(captured) == count_queries


def test_past_the_last_page_is_still_a_404(trainer_api, five):
    assert trainer_api.get(CLIENTS, {"page_size": 2, "page": 4}).status_code == 404
    assert trainer_api.get(CLIENTS, {"page": 2}).status_code == 404


def test_an_empty_list_has_one_empty_page(trainer_api):
    body = trainer_api.get(CLIENTS).json()
    assert (body["count"], body["results"], body["next"]) == (0, [], None)


def test_the_paginator_validates_like_djangos(db):
    paginator = LastPageCountPaginator(User.objects.order_by("pk"), 2)
    with pytest.raises(PageNotAnInteger):
        paginator.page("x")
    with pytest.raises(EmptyPage):
        paginator.page(0)
    with pytest.raises(EmptyPage):
        paginator.page(2)
    assert paginator.page(1).object_list == []
    assert paginator.count == 0
