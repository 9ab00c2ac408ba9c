"""Exercise history and personal records: the arithmetic, the endpoints, the spine."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import assert_error
from dashboard.models import ActivityEvent
from exercises.tests.factories import ExerciseFactory, global_exercise
from progress import records
from progress.models import ExerciseSession

LOGS = "/api/v1/workout-logs/"
RECORDS = "/api/v1/me/records/"


def history(exercise) -> str:
    return reverse("exercise-history", args=[exercise.pk])


# Arithmetic ----------------------------------------------------------------------------------


def test_epley_estimates_a_one_rep_max():
    assert records.epley(Decimal("100"), 5) == Decimal("116.7")  # 100 x (1 + 5/30)
    assert records.epley(Decimal("100"), 1) == Decimal("100.0")  # a single is itself
    assert records.epley(Decimal("60"), 10) == Decimal("80.0")
    assert records.epley(Decimal("0"), 10) is None  # bodyweight


def test_a_session_has_a_top_set_volume_and_best_estimate():
    [(exercise_id, summary)] = records.summarize(
        [
            {
                "exercise": 7,
                "sets": [
                    {"reps": 10, "weight_kg": 60, "done": True},
                    {"reps": 5, "weight_kg": 80, "done": True},
                    {"reps": 8, "weight_kg": 80, "done": True},
                    {"reps": 3, "weight_kg": 120, "done": False},  # not done: ignored
                    {"reps": 0, "weight_kg": 90, "done": True},  # no reps: ignored
                ],
            },
            {"name": "Free text", "sets": [{"reps": 5, "weight_kg": 500, "done": True}]},
        ]
    ).items()
    assert exercise_id == 7
    assert (summary.top_weight_kg, summary.top_reps) == (Decimal("80.00"), 8)
    assert summary.volume_kg == Decimal("1640.0")  # 600 + 400 + 640
    assert summary.e1rm_kg == Decimal("101.3")  # 80 x (1 + 8/30) = 101.33
    assert summary.set_count == 3
    assert summary.rep_bests == {"60.00": 10, "80.00": 8}


def test_bodyweight_sets_have_volume_zero_and_no_estimate():
    summary = records.summarize([{"exercise": 1, "sets": [{"reps": 12, "done": True}]}])[1]
    assert (summary.top_reps, summary.volume_kg, summary.e1rm_kg) == (12, Decimal("0.0"), None)


def test_records_keep_the_first_day_and_the_rep_frontier():
    d1, d2, d3 = (datetime.date(2026, 1, d) for d in (5, 12, 19))

    def row(on, weight, reps, e1rm, bests):
        return {
            "exercise_id": 1,
            "date": on,
            "top_weight_kg": Decimal(weight),
            "top_reps": reps,
            "e1rm_kg": Decimal(e1rm),
            "rep_bests": bests,
        }

    found = records.records(
        [
            row(d1, "100", 5, "116.7", {"100.00": 5, "80.00": 10}),
            row(d2, "100", 6, "120.0", {"100.00": 6, "90.00": 6}),
            row(d3, "100", 6, "120.0", {"100.00": 6, "60.00": 15}),
        ]
    )
    assert [(r.kind, r.value, r.date, r.weight_kg) for r in found] == [
        ("weight", Decimal("100"), d1, None),
        ("e1rm", Decimal("120.0"), d2, None),
        ("reps", 6, d2, Decimal("100")),
        ("reps", 10, d1, Decimal("80")),  # 90 kg x 6 is beaten by 100 kg x 6
        ("reps", 15, d3, Decimal("60")),
    ]


# Through the API -----------------------------------------------------------------------------


def log(api, day, exercise_id, *sets, **extra):
    body = {
        "date": day.isoformat(),
        "exercises": [
            {
                "exercise": exercise_id,
                "sets": [{"reps": r, "weight_kg": w, "done": True} for r, w in sets],
            }
        ],
        **extra,
    }
    response = api.post(LOGS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_history_lists_sessions_newest_first(client_api, trainer_api, client_link, today):
    squat = global_exercise()
    first = log(client_api, today - datetime.timedelta(days=7), squat.pk, (5, 100), (5, 100))
    assert first["exercises"][0]["name"] == "Back squat"  # named after the library
    log(client_api, today, squat.pk, (3, 110), (8, 90))

    response = client_api.get(history(squat))
    assert response.status_code == 200, response.content
    assert response.json()["results"] == [
        {
            "date": today.isoformat(),
            "log": response.json()["results"][0]["log"],
            "top_set": {"reps": 3, "weight_kg": 110.0},
            "volume_kg": 1050.0,
            "e1rm_kg": 121.0,  # the best set: 110 x (1 + 3/30); 90 x 8 estimates 114
            "sets": 2,
        },
        {
            "date": (today - datetime.timedelta(days=7)).isoformat(),
            "log": first["id"],
            "top_set": {"reps": 5, "weight_kg": 100.0},
            "volume_kg": 1000.0,
            "e1rm_kg": 116.7,
            "sets": 2,
        },
    ]
    trainer_view = trainer_api.get(history(squat), {"client": client_link.pk})
    assert trainer_view.json()["results"] == response.json()["results"]


@pytest.mark.django_db
def test_records_and_their_event_on_the_spine(client_api, trainer_api, client_link, today):
    bench = global_exercise("Barbell bench press")
    log(client_api, today - datetime.timedelta(days=3), bench.pk, (5, 80), (10, 60))
    # The first session is where records start: no event yet.
    assert not ActivityEvent.objects.filter(kind="record.set").exists()
    second = log(client_api, today, bench.pk, (3, 85), (12, 60))

    event = ActivityEvent.objects.get(kind="record.set")
    assert event.object_id == second["id"]
    assert event.summary == (
        "Cleo set a record on Barbell bench press: 85 kg x 3, estimated 1RM 93.5 kg, "
        "12 reps at 60 kg"
    )
    response = client_api.get(RECORDS)
    assert response.status_code == 200, response.content
    items = [(r["kind"], r["value"], r["date"], r["weight_kg"]) for r in response.json()["results"]]
    assert items == [
        ("weight", 85.0, today.isoformat(), None),
        ("e1rm", 93.5, today.isoformat(), None),  # 85 x (1 + 3/30) beats 80 x (1 + 5/30)
        ("reps", 3, today.isoformat(), 85.0),
        ("reps", 5, (today - datetime.timedelta(days=3)).isoformat(), 80.0),
        ("reps", 12, today.isoformat(), 60.0),
    ]
    assert response.json()["results"][0]["exercise"] == bench.pk
    assert response.json()["results"][0]["exercise_name"] == "Barbell bench press"
    trainer_view = trainer_api.get(RECORDS, {"client": client_link.pk})
    assert trainer_view.json()["results"] == response.json()["results"]

    # Deleting the log takes its session, its records and its event with it.
    assert client_api.delete(f"{LOGS}{second['id']}/").status_code == 204
    assert not ActivityEvent.objects.filter(kind="record.set").exists()
    assert [r["value"] for r in client_api.get(RECORDS).json()["results"]][:1] == [80.0]


@pytest.mark.django_db
def test_editing_a_log_rewrites_its_session(client_api, today):
    squat = global_exercise()
    entry = log(client_api, today, squat.pk, (5, 100))
    response = client_api.patch(
        f"{LOGS}{entry['id']}/",
        {"exercises": [{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}]},
        format="json",
    )
    assert response.status_code == 200
    assert not ExerciseSession.objects.exists()  # now free text: no history


@pytest.mark.django_db
def test_a_log_cannot_reference_another_trainers_exercise(client_api, other_trainer, today):
    theirs = ExerciseFactory(owner=other_trainer)
    body = {
        "date": today.isoformat(),
        "exercises": [
            {"name": "Squat", "sets": [{"reps": 5, "done": True}]},
            {"exercise": theirs.pk, "sets": [{"reps": 5, "done": True}]},
        ],
    }
    assert_error(
        client_api.post(LOGS, body, format="json"), 400, "not_found", "exercises[1].exercise"
    )
    body["exercises"][1] = {"sets": [{"reps": 5, "done": True}]}
    assert_error(client_api.post(LOGS, body, format="json"), 400, "required", "exercises[1].name")
    body["exercises"][1] = {"exercise": "7", "sets": [{"reps": 5, "done": True}]}
    assert_error(client_api.post(LOGS, body, format="json"), 400, attr="exercises[1].exercise")


@pytest.mark.django_db
def test_a_log_may_reference_the_trainers_private_exercise(client_api, trainer, today):
    mine = ExerciseFactory(owner=trainer, name="Coach's carry")
    entry = log(client_api, today, mine.pk, (1, 40))
    assert entry["exercises"][0] == {
        "name": "Coach's carry",
        "exercise": mine.pk,
        "sets": [{"reps": 1, "weight_kg": 40.0, "duration_s": None, "done": True}],
    }
    # Logged history protects the exercise from deletion.
    trainer_api = __import__("conftest").auth_client(trainer)
    assert_error(trainer_api.delete(f"/api/v1/exercises/{mine.pk}/"), 409, "exercise_in_use")


@pytest.mark.django_db
def test_history_and_records_are_scoped(
    client_api, other_client_api, other_trainer_api, trainer_api, client_link, trainer, today
):
    squat = global_exercise()
    log(client_api, today, squat.pk, (5, 100))
    private = ExerciseFactory(owner=trainer)
    # Other clients read their own (empty) history; another trainer cannot name our client.
    assert other_client_api.get(history(squat)).json()["results"] == []
    assert_error(other_client_api.get(history(private)), 404)
    assert_error(
        other_trainer_api.get(history(squat), {"client": client_link.pk}), 404, attr="client"
    )
    assert_error(other_trainer_api.get(RECORDS, {"client": client_link.pk}), 404, attr="client")
    assert_error(trainer_api.get(history(squat)), 400, "required", "client")
    assert_error(trainer_api.get(history(squat), {"client": "abc"}), 400, attr="client")
    assert_error(trainer_api.get(reverse("exercise-history", args=[2**63])), 404)


@pytest.mark.django_db
@pytest.mark.parametrize("sessions", [3, 30])
def test_history_and_records_run_fixed_queries(
    client_api, client_link, today, sessions, django_assert_max_num_queries
):
    from progress.tests.factories import WorkoutLogFactory

    squat = global_exercise()
    for n in range(sessions):
        entry = WorkoutLogFactory(client=client_link, date=today - datetime.timedelta(days=n))
        ExerciseSession.objects.create(
            log=entry,
            client=client_link,
            exercise=squat,
            date=entry.date,
            top_reps=5,
            top_weight_kg=100 + n,
            volume_kg=500,
            e1rm_kg=116,
            set_count=1,
            rep_bests={f"{100 + n:.2f}": 5},
        )
    # auth, exercise visible, client, count, page
    with django_assert_max_num_queries(5):
        response = client_api.get(history(squat), {"page_size": sessions})
    assert len(response.json()["results"]) == sessions
    # auth, client, sessions, exercise names
    with django_assert_max_num_queries(4):
        response = client_api.get(RECORDS, {"page_size": 100})
    # weight, e1rm, and one reps record: each heavier day's 5 reps beat the lighter ones
    assert response.json()["count"] == 3
