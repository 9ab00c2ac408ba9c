"""Concurrent checks of the same habit and date (PostgreSQL: real unique indexes)."""

import pytest
from django.urls import reverse

from coaching.models import HabitCheck
from coaching.tests.factories import HabitFactory
from conftest import auth_client
from dashboard.models import ActivityEvent
from progress.tests.test_concurrency import THREADS, run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_checks_of_one_date_create_one_row(client_link):
    habit = HabitFactory(client=client_link, start_date=client_link.user.local_today())
    today = client_link.user.local_today().isoformat()
    url = reverse("habit-check", args=[habit.pk])
    apis = [auth_client(client_link.user) for _ in range(THREADS)]

    responses = run_concurrently(lambda i: apis[i].post(url, {"date": today}, format="json"))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (THREADS - 1) + [201], [r.content for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert HabitCheck.objects.count() == 1
    assert ActivityEvent.objects.filter(kind="habit.completed").count() == 1
