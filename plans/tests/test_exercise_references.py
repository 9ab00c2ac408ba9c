"""Plan content may reference library exercises; the snapshot keeps its own copy of them."""

import copy

import pytest

from conftest import assert_error
from exercises.tests.factories import ExerciseFactory, global_exercise
from plans.models import PlanTemplate

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/v1/templates/"
ASSIGNMENTS = "/api/v1/assignments/"


def content(*exercises):
    return {"days": [{"name": "Legs", "exercises": list(exercises)}]}


def create(api, doc):
    return api.post(TEMPLATES, {"kind": "workout", "name": "Legs", "content": doc}, format="json")


@pytest.fixture
def mine(trainer):
    return ExerciseFactory(
        owner=trainer,
        name="Tempo squat",
        instructions="Three seconds down.",
        video_url="https://videos.example.com/tempo.mp4",
    )


def test_a_template_references_global_and_own_exercises(trainer_api, mine):
    squat = global_exercise()
    doc = content(
        {"exercise": squat.pk, "sets": 5, "reps": 5},
        {"exercise": mine.pk, "name": "Tempo squat, light", "sets": 3, "reps": "8-10"},
        {"name": "Free-text walk", "sets": 1, "reps": 1},
    )
    response = create(trainer_api, doc)
    assert response.status_code == 201, response.content
    assert response.json()["content"] == doc  # stored as sent


def test_another_trainers_exercise_cannot_be_referenced(trainer_api, other_trainer):
    theirs = ExerciseFactory(owner=other_trainer)
    doc = content(
        {"name": "Squat", "sets": 5, "reps": 5},
        {"exercise": theirs.pk, "sets": 3, "reps": 8},
    )
    body = assert_error(create(trainer_api, doc), 400, "not_found")
    assert [e["attr"] for e in body["errors"]] == ["content.days[0].exercises[1].exercise"]
    missing = content({"exercise": 2**40, "sets": 3, "reps": 8})
    assert_error(
        create(trainer_api, missing), 400, "not_found", "content.days[0].exercises[0].exercise"
    )


@pytest.mark.parametrize(
    "item,code,attr",
    [
        ({"sets": 3, "reps": 8}, "required", "content.days[0].exercises[0].name"),
        ({"exercise": None, "sets": 3, "reps": 8}, "required", "content.days[0].exercises[0].name"),
        (
            {"exercise": "12", "sets": 3, "reps": 8},
            "invalid",
            "content.days[0].exercises[0].exercise",
        ),
        (
            {"exercise": 0, "sets": 3, "reps": 8},
            "min_value",
            "content.days[0].exercises[0].exercise",
        ),
        (
            {"exercise": True, "sets": 3, "reps": 8},
            "invalid",
            "content.days[0].exercises[0].exercise",
        ),
    ],
)
def test_bad_references_are_400_at_the_path(trainer_api, item, code, attr):
    assert_error(create(trainer_api, content(item)), 400, code, attr)


def test_editing_a_template_checks_references_too(trainer_api, other_trainer, mine):
    template = create(trainer_api, content({"exercise": mine.pk, "sets": 3, "reps": 8})).json()
    theirs = ExerciseFactory(owner=other_trainer)
    response = trainer_api.patch(
        f"{TEMPLATES}{template['id']}/",
        {"content": content({"exercise": theirs.pk, "sets": 3, "reps": 8})},
        format="json",
    )
    assert_error(response, 400, "not_found", "content.days[0].exercises[0].exercise")


def test_the_snapshot_embeds_the_exercise_and_never_changes(trainer_api, client_link, mine):
    squat = global_exercise()
    doc = content(
        {"exercise": mine.pk, "sets": 3, "reps": 8},
        {"exercise": squat.pk, "name": "Heavy squat", "sets": 5, "reps": 3},
    )
    template = create(trainer_api, doc).json()
    response = trainer_api.post(
        ASSIGNMENTS,
        {"client": client_link.pk, "template": template["id"], "start_date": "2026-01-05"},
        format="json",
    )
    assert response.status_code == 201, response.content
    snapshot = response.json()["snapshot"]
    first, second = snapshot["days"][0]["exercises"]
    assert first["name"] == "Tempo squat"
    assert first["exercise_info"] == {
        "id": mine.pk,
        "name": "Tempo squat",
        "instructions": "Three seconds down.",
        "video_url": "https://videos.example.com/tempo.mp4",
        "image_url": "",
    }
    assert second["name"] == "Heavy squat"  # the trainer's name wins
    assert second["exercise_info"]["name"] == "Back squat"
    before = copy.deepcopy(snapshot)

    edited = trainer_api.patch(
        f"/api/v1/exercises/{mine.pk}/",
        {"name": "Renamed", "instructions": "New cues", "video_url": ""},
        format="json",
    )
    assert edited.status_code == 200
    assert trainer_api.delete(f"/api/v1/exercises/{mine.pk}/").status_code == 204
    again = trainer_api.get(f"{ASSIGNMENTS}{response.json()['id']}/").json()
    assert again["snapshot"] == before
    assert PlanTemplate.objects.get(pk=template["id"]).content == doc


def test_assigning_a_template_whose_exercise_was_deleted_is_400(trainer_api, client_link, mine):
    template = create(trainer_api, content({"exercise": mine.pk, "sets": 3, "reps": 8})).json()
    mine.delete()
    response = trainer_api.post(
        ASSIGNMENTS,
        {"client": client_link.pk, "template": template["id"], "start_date": "2026-01-05"},
        format="json",
    )
    body = assert_error(response, 400, "exercise_not_found", "template")
    assert "content.days[0].exercises[0].exercise" in body["errors"][0]["detail"]
