import datetime
import uuid

import pytest
from django.urls import reverse

from conftest import assert_error
from dashboard.models import ActivityEvent
from progress.models import CheckIn
from progress.tests.conftest import days_ago
from progress.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/check-ins/"


def detail(check_in) -> str:
    return reverse("check-in-detail", args=[check_in.pk])


def review_url(check_in) -> str:
    return reverse("check-in-review", args=[check_in.pk])


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def payload(day, **extra):
    body = {
        "date": day.isoformat(),
        "weight_kg": 81.4,
        "measurements": {"waist_cm": 86, "chest_cm": 102.5, "hips_cm": 98},
        "sleep": 7,
        "energy": 6,
        "stress": 4,
        "adherence": 8,
        "notes": "Good week.",
    }
    body.update(extra)
    return body


def test_a_client_submits_a_weekly_check_in(client_api, client_link, today):
    response = client_api.post(URL, payload(today), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client"] == client_link.pk
    assert body["week_start"] == monday_of(today).isoformat()
    assert body["weight_kg"] == 81.4
    assert body["measurements"]["waist_cm"] == 86.0
    assert body["measurements"]["chest_cm"] == 102.5
    assert (body["sleep"], body["energy"], body["stress"], body["adherence"]) == (7, 6, 4, 8)
    assert body["feedback"] == "" and body["reviewed_at"] is None


def test_a_minimal_check_in_needs_only_a_date(client_api, today):
    response = client_api.post(URL, {"date": today.isoformat()}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["weight_kg"] is None


def test_weight_is_rounded_to_ten_grams(client_api, today):
    response = client_api.post(URL, payload(today, weight_kg=81.237), format="json")
    assert response.json()["weight_kg"] == 81.24


def test_it_rejects_a_second_check_in_in_the_same_week(client_api, client_link, today):
    CheckInFactory(client=client_link, date=monday_of(today))

    response = client_api.post(URL, payload(today), format="json")

    assert_error(response, 409, "checkin_exists")
    assert CheckIn.objects.count() == 1


def test_a_retry_of_this_weeks_check_in_is_a_200_not_a_409(client_api, today):
    check_in_id = str(uuid.uuid4())
    first = client_api.post(URL, payload(today, id=check_in_id), format="json")
    retry = client_api.post(URL, payload(today, id=check_in_id), format="json")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()


def test_an_id_used_by_another_client_is_a_409(client_api, other_client_link, today):
    theirs = CheckInFactory(client=other_client_link)
    response = client_api.post(URL, payload(today, id=str(theirs.pk)), format="json")
    assert_error(response, 409, "id_in_use")


def test_last_weeks_check_in_can_still_be_sent(client_api, client_link, today):
    CheckInFactory(client=client_link, date=today)
    response = client_api.post(URL, payload(today - datetime.timedelta(days=7)), format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"sleep": 0}, "sleep"),
        ({"energy": 11}, "energy"),
        ({"stress": -3}, "stress"),
        ({"adherence": "high"}, "adherence"),
        ({"weight_kg": 5}, "weight_kg"),
        ({"weight_kg": 9999}, "weight_kg"),
        ({"weight_kg": "heavy"}, "weight_kg"),
        ({"weight_kg": "1e40"}, "weight_kg"),
        ({"weight_kg": "NaN"}, "weight_kg"),
        ({"measurements": {"waist_cm": 0}}, "measurements.waist_cm"),
        ({"measurements": {"waist_cm": 900}}, "measurements.waist_cm"),
        ({"measurements": {"waist_in": 34}}, "measurements.waist_in"),
        ({"measurements": {"body_fat_pct": 90}}, "measurements.body_fat_pct"),
        ({"measurements": [86]}, "measurements"),
        ({"notes": "n" * 5001}, "notes"),
        ({"date": "2026-02-30"}, "date"),
    ],
)
def test_it_rejects_out_of_bounds_or_malformed_values(client_api, today, change, attr):
    response = client_api.post(URL, payload(today, **change), format="json")
    assert_error(response, 400, attr=attr)
    assert not CheckIn.objects.exists()


def test_null_measurements_are_not_stored(client_api, today):
    response = client_api.post(
        URL, payload(today, measurements={"waist_cm": 80, "hips_cm": None}), format="json"
    )
    check_in = CheckIn.objects.get(pk=response.json()["id"])
    assert check_in.measurements == {"waist_cm": 80.0}


def test_a_client_moves_a_check_in_to_a_week_that_is_free(client_api, client_link, today):
    check_in = CheckInFactory(client=client_link, date=today)
    last_week = today - datetime.timedelta(days=7)

    response = client_api.patch(detail(check_in), {"date": last_week.isoformat()}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["week_start"] == monday_of(last_week).isoformat()
    assert ActivityEvent.objects.filter(
        object_id=str(check_in.pk), kind=ActivityEvent.Kind.CHECKIN_UPDATED
    ).exists()


def test_moving_a_check_in_into_a_taken_week_is_a_409(client_api, client_link, today):
    last_week = today - datetime.timedelta(days=7)
    CheckInFactory(client=client_link, date=last_week)
    check_in = CheckInFactory(client=client_link, date=today)

    response = client_api.patch(detail(check_in), {"date": last_week.isoformat()}, format="json")

    assert_error(response, 409, "checkin_exists")


# Review -------------------------------------------------------------------------------------


def test_the_trainer_reviews_and_the_client_sees_the_feedback(
    trainer_api, client_api, trainer, client_link
):
    check_in = CheckInFactory(client=client_link)

    response = trainer_api.post(review_url(check_in), {"feedback": "Great week!"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["feedback"] == "Great week!"
    assert response.json()["reviewed_at"] is not None
    check_in.refresh_from_db()
    assert check_in.reviewed_by == trainer
    seen = client_api.get(detail(check_in)).json()
    assert seen["feedback"] == "Great week!"
    assert "reviewed_by" not in seen


def test_a_review_is_not_reported_as_a_client_update(trainer_api, client_link):
    check_in = CheckInFactory(client=client_link)
    trainer_api.post(review_url(check_in), {"feedback": "Nice"}, format="json")
    kinds = list(ActivityEvent.objects.order_by("id").values_list("kind", flat=True))
    # The review is its own event (the client's notification), never `checkin.updated`.
    assert kinds == [ActivityEvent.Kind.CHECKIN_SUBMITTED, ActivityEvent.Kind.CHECKIN_REVIEWED]


@pytest.mark.parametrize(
    "body", [{}, {"feedback": ""}, {"feedback": "   "}, {"feedback": "f" * 5001}]
)
def test_a_review_needs_feedback(trainer_api, client_link, body):
    check_in = CheckInFactory(client=client_link)
    assert_error(trainer_api.post(review_url(check_in), body, format="json"), 400, attr="feedback")


def test_a_review_with_unknown_fields_is_a_400(trainer_api, client_link):
    check_in = CheckInFactory(client=client_link)
    response = trainer_api.post(
        review_url(check_in), {"feedback": "ok", "rating": 5}, format="json"
    )
    assert_error(response, 400, "unknown_field", "rating")


def test_a_reviewed_check_in_can_no_longer_change(client_api, trainer_api, client_link):
    check_in = CheckInFactory(client=client_link)
    trainer_api.post(review_url(check_in), {"feedback": "Nice"}, format="json")

    assert_error(
        client_api.patch(detail(check_in), {"sleep": 2}, format="json"), 409, "checkin_reviewed"
    )
    assert_error(client_api.delete(detail(check_in)), 409, "checkin_reviewed")


def test_an_old_check_in_can_no_longer_change(client_api, client_link):
    check_in = CheckInFactory(client=client_link)
    CheckIn.objects.filter(pk=check_in.pk).update(created_at=days_ago(10))
    assert_error(
        client_api.patch(detail(check_in), {"sleep": 2}, format="json"), 409, "edit_window_closed"
    )


def test_the_trainer_filters_check_ins_awaiting_review(trainer_api, client_link, today):
    waiting = CheckInFactory(client=client_link, date=today)
    CheckInFactory(
        client=client_link,
        date=today - datetime.timedelta(days=7),
        feedback="ok",
        reviewed_at=days_ago(1),
    )

    response = trainer_api.get(URL, {"reviewed": "false"})

    assert [row["id"] for row in response.json()["results"]] == [str(waiting.pk)]


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    trainer_api, client_link, today, rows, django_assert_num_queries
):
    for week in range(rows):
        CheckInFactory(client=client_link, date=today - datetime.timedelta(weeks=week))

    with django_assert_num_queries(2):
        response = trainer_api.get(URL, {"page_size": 100})

    assert len(response.json()["results"]) == rows
