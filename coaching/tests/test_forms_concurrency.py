"""Concurrent weekly responses (PostgreSQL: real unique indexes)."""

import uuid

import pytest
from django.urls import reverse

from coaching.models import FormResponse
from coaching.tests.factories import FormAssignmentFactory
from conftest import auth_client
from progress.tests.test_concurrency import THREADS, run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_weekly_responses_leave_exactly_one(client_link):
    assignment = FormAssignmentFactory(client=client_link)
    answers = [{"key": "weight", "value": 80}, {"key": "energy", "value": 6}]
    url = reverse("form-response-list")
    apis = [auth_client(client_link.user) for _ in range(THREADS)]

    responses = run_concurrently(
        lambda i: apis[i].post(
            url,
            {"id": str(uuid.uuid4()), "form_assignment": assignment.pk, "answers": answers},
            format="json",
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (THREADS - 1), [r.content for r in responses]
    assert FormResponse.objects.count() == 1
