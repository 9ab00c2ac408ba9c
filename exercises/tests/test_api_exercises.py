import pytest
from django.db import connection
from django.urls import reverse

from conftest import assert_error
from exercises.models import Exercise
from exercises.tests.factories import ExerciseFactory, global_exercise

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library")]

URL = "/api/v1/exercises/"
GLOBAL_COUNT = 193


def detail(exercise) -> str:
    return reverse("exercise-detail", args=[exercise.pk])


@pytest.fixture
def mine(trainer):
    return ExerciseFactory(owner=trainer, name="Tempo goblet squat", primary=["quads"])


@pytest.fixture
def theirs(other_trainer):
    return ExerciseFactory(owner=other_trainer, name="Secret sled complex", primary=["quads"])


BODY = {
    "name": "Paused bench press",
    "category": "strength",
    "primary_muscles": ["chest"],
    "secondary_muscles": ["triceps", "front-delts"],
    "equipment": ["barbell", "bench"],
    "mechanics": "compound",
    "force": "push",
    "level": "intermediate",
    "instructions": "Two-second pause on the chest.",
    "video_url": "https://videos.example.com/paused-bench.mp4",
    "aliases": ["pause bench", " pause bench ", "Pause Bench"],
}


# Reading ------------------------------------------------------------------------------------


def test_a_trainer_sees_the_global_library_and_their_own(trainer_api, mine, theirs):
    response = trainer_api.get(URL, {"page_size": 100, "mine": "true"})
    assert response.status_code == 200
    assert [e["name"] for e in response.json()["results"]] == ["Tempo goblet squat"]
    response = trainer_api.get(URL)
    assert response.json()["count"] == GLOBAL_COUNT + 1


def test_a_client_sees_the_global_library_and_their_trainers(client_api, mine, theirs):
    response = client_api.get(URL, {"mine": "true"})
    assert [e["id"] for e in response.json()["results"]] == [mine.pk]
    assert client_api.get(detail(mine)).json()["primary_muscles"] == ["quads"]


@pytest.mark.parametrize("actor", ["trainer_api", "client_api"])
def test_another_trainers_private_exercise_is_404(request, actor, theirs):
    api = request.getfixturevalue(actor)
    assert_error(api.get(detail(theirs)), 404)
    if actor == "trainer_api":
        copy = api.post(reverse("exercise-copy", args=[theirs.pk]), {}, format="json")
        assert_error(copy, 404)


def test_the_outsiders_cannot_change_or_delete_my_exercise(other_trainer_api, mine):
    assert_error(other_trainer_api.patch(detail(mine), {"name": "X"}, format="json"), 404)
    assert_error(other_trainer_api.delete(detail(mine)), 404)
    assert Exercise.objects.filter(pk=mine.pk, name="Tempo goblet squat").exists()


def test_filters_by_muscle_equipment_category_and_level(trainer_api):
    rows = trainer_api.get(
        URL, {"muscle": "hamstrings", "equipment": "barbell", "level": "intermediate"}
    ).json()["results"]
    names = {r["name"] for r in rows}
    assert {"Romanian deadlift", "Good morning", "Conventional deadlift"} <= names
    assert all("barbell" in r["equipment"] for r in rows)
    cardio = trainer_api.get(URL, {"category": "cardio", "page_size": 100}).json()["results"]
    assert cardio and all(r["category"] == "cardio" for r in cardio)
    secondary = trainer_api.get(URL, {"muscle": "triceps", "page_size": 100}).json()["results"]
    assert "Barbell bench press" in {r["name"] for r in secondary}  # a secondary muscle


@pytest.mark.parametrize(
    "params,attr",
    [
        ({"muscle": "wings"}, "muscle"),
        ({"equipment": "spaceship"}, "equipment"),
        ({"category": "yoga-ish"}, "category"),
        ({"level": "godlike"}, "level"),
        ({"muscle": ""}, "muscle"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_bad_filters_are_400s(trainer_api, params, attr):
    assert_error(trainer_api.get(URL, params), 400, attr=attr)


def test_search_matches_names_and_aliases(trainer_api, mine):
    names = [r["name"] for r in trainer_api.get(URL, {"search": "ohp"}).json()["results"]]
    assert "Overhead press" in names
    names = [r["name"] for r in trainer_api.get(URL, {"search": "goblet"}).json()["results"]]
    assert {"Goblet squat", "Tempo goblet squat"} <= set(names)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram search is PostgreSQL's")
def test_search_tolerates_typos_on_postgresql(trainer_api):
    names = [
        r["name"] for r in trainer_api.get(URL, {"search": "romanain deadlift"}).json()["results"]
    ]
    assert names[0] == "Romanian deadlift"
    names = [r["name"] for r in trainer_api.get(URL, {"search": "benchpres"}).json()["results"]]
    assert "Barbell bench press" in names[:5]


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    trainer_api, trainer, rows, django_assert_max_num_queries
):
    for n in range(rows):
        ExerciseFactory(owner=trainer, name=f"Move {n}", primary=["quads", "glutes"])
    # auth, count, page, three prefetches (primary, secondary, equipment)
    with django_assert_max_num_queries(6):
        response = trainer_api.get(URL, {"page_size": rows, "mine": "true"})
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("url", ["/api/v1/exercises/muscles/", "/api/v1/exercises/equipment/"])
def test_muscles_and_equipment_are_listed(client_api, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client_api.get(url, {"page_size": 100})
    assert response.status_code == 200
    assert {"chest", "barbell"} & {r["slug"] for r in response.json()["results"]}


# Writing -------------------------------------------------------------------------------------


def test_a_trainer_creates_a_private_exercise(trainer_api, client_api):
    response = trainer_api.post(URL, BODY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "paused-bench-press"
    assert body["is_global"] is False
    assert body["aliases"] == ["pause bench"]
    assert set(body["secondary_muscles"]) == {"triceps", "front-delts"}
    assert client_api.get(reverse("exercise-detail", args=[body["id"]])).status_code == 200


def test_a_name_is_unique_among_a_trainers_exercises(trainer_api, other_trainer_api):
    assert trainer_api.post(URL, BODY, format="json").status_code == 201
    again = trainer_api.post(URL, {**BODY, "name": "PAUSED bench  press"}, format="json")
    assert_error(again, 409, "exercise_exists")
    assert other_trainer_api.post(URL, BODY, format="json").status_code == 201


@pytest.mark.parametrize(
    "change,attr",
    [
        ({"primary_muscles": ["wings"]}, "primary_muscles[0]"),
        ({"equipment": [1]}, "equipment[0]"),
        ({"category": "nap"}, "category"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
        ({"name": "!!!"}, "name"),
        ({"name": ""}, "name"),
        ({"aliases": "ohp"}, "aliases"),
        ({"owner": 1}, "owner"),
    ],
)
def test_bad_input_is_400(trainer_api, change, attr):
    assert_error(trainer_api.post(URL, {**BODY, **change}, format="json"), 400, attr=attr)


def test_clients_cannot_write(client_api):
    assert_error(client_api.post(URL, BODY, format="json"), 403)


def test_a_trainer_edits_and_deletes_their_own(trainer_api, mine):
    response = trainer_api.patch(
        detail(mine), {"name": "Slow goblet squat", "equipment": ["kettlebell"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["slug"] == "slow-goblet-squat"
    assert response.json()["equipment"] == ["kettlebell"]
    assert trainer_api.delete(detail(mine)).status_code == 204


def test_the_global_library_is_read_only_for_trainers(trainer_api):
    squat = global_exercise()
    assert_error(trainer_api.patch(detail(squat), {"name": "Mine"}, format="json"), 403)
    assert_error(trainer_api.delete(detail(squat)), 403, "global_exercise")


def test_a_trainer_copies_a_global_exercise_and_edits_it(trainer_api):
    squat = global_exercise()
    response = trainer_api.post(reverse("exercise-copy", args=[squat.pk]), {}, format="json")
    assert response.status_code == 201, response.content
    copy = response.json()
    assert copy["name"] == "Back squat" and copy["is_global"] is False
    assert copy["copied_from"] == squat.pk
    assert set(copy["primary_muscles"]) == {"glutes", "quads"}
    assert copy["instructions"] == squat.instructions
    edited = trainer_api.patch(
        reverse("exercise-detail", args=[copy["id"]]), {"instructions": "My cues."}, format="json"
    )
    assert edited.json()["instructions"] == "My cues."
    squat.refresh_from_db()
    assert squat.instructions != "My cues."
    again = trainer_api.post(reverse("exercise-copy", args=[squat.pk]), {}, format="json")
    assert_error(again, 409, "exercise_exists")
