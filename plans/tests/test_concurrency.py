import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from conftest import auth_client
from plans.models import PlanAssignment
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory

DAY = datetime.timedelta(days=1)


def _race(bodies, user):
    """POST each body to assignments/ from its own thread, all released at once."""
    barrier = threading.Barrier(len(bodies))
    responses = [None] * len(bodies)

    def worker(index, body):
        api = auth_client(user)
        try:
            barrier.wait()
            responses[index] = api.post("/api/v1/assignments/", body, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_assignments_leave_one_active_plan_per_day(
    trainer, client_link, monkeypatch
):
    today = trainer.local_today()
    first = PlanTemplateFactory(trainer=trainer, name="First")
    second = PlanTemplateFactory(trainer=trainer, name="Second")
    running = PlanAssignmentFactory(client=client_link, template=first, start_date=today - 7 * DAY)

    # Widen the race window: each request pauses after taking (or waiting for) the client
    # lock and before reading the overlapping plans. Without the lock both would read
    # "nothing to end" and the second insert would break the rule.
    real_now = timezone.now

    def slow_now():
        time.sleep(0.3)
        return real_now()

    monkeypatch.setattr("plans.services.timezone.now", slow_now)

    responses = _race(
        [
            {"client": client_link.pk, "template": first.pk, "start_date": today.isoformat()},
            {
                "client": client_link.pk,
                "template": second.pk,
                "start_date": (today + 2 * DAY).isoformat(),
            },
        ],
        trainer,
    )
    assert [r.status_code for r in responses] == [201, 201], [r.content for r in responses]

    active = list(PlanAssignment.objects.filter(client=client_link, status="active"))
    for offset in range(-10, 30):
        day = today + offset * DAY
        covering = [
            a for a in active if a.start_date <= day and (a.end_date is None or day <= a.end_date)
        ]
        # The old plan ended yesterday (status ended); from today on exactly one covers.
        assert len(covering) == (1 if day >= today else 0), (day, covering)
    running.refresh_from_db()
    assert running.end_date == today - DAY
    # Whichever request came second decided the future: it covers from its start onwards.
    latest = max(PlanAssignment.objects.exclude(pk=running.pk), key=lambda a: (a.created_at, a.pk))
    assert latest.status == "active" and latest.end_date is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_assignments_of_different_kinds_both_stay_active(trainer, client_link):
    today = trainer.local_today()
    workout = PlanTemplateFactory(trainer=trainer)
    diet = PlanTemplateFactory(trainer=trainer, kind="diet")
    responses = _race(
        [
            {"client": client_link.pk, "template": t.pk, "start_date": today.isoformat()}
            for t in (workout, diet)
        ],
        trainer,
    )
    assert [r.status_code for r in responses] == [201, 201]
    assert PlanAssignment.objects.filter(client=client_link, status="active").count() == 2
