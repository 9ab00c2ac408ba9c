"""The exercise library at studio level (issue 15): the global library, the studio's library
and personal exercises. People: clients/tests/conftest.py `studio` (owner, admin, coach A
with client X, coach B, specialist S, the owner of another studio)."""

import pytest
from django.urls import reverse

from clients.tests.conftest import api_as, studio  # noqa: F401 (fixtures)
from conftest import assert_error
from exercises.tests.factories import ExerciseFactory
from plans.models import LibraryScope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library")]

URL = "/api/v1/exercises/"
TEMPLATES = "/api/v1/templates/"


def detail(exercise) -> str:
    return reverse("exercise-detail", args=[exercise.pk])


def listed(api, **params) -> set[int]:
    response = api.get(URL, {"page_size": 100, "mine": "true", **params})
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def plan_with(api, exercise_id):
    doc = {
        "days": [{"name": "Legs", "exercises": [{"exercise": exercise_id, "sets": 3, "reps": 8}]}]
    }
    return api.post(TEMPLATES, {"kind": "workout", "name": "Legs", "content": doc}, format="json")


@pytest.fixture
def moves(studio):  # noqa: F811
    """Coach B's studio-library exercise and personal one, coach A's personal one, and a
    studio-library exercise of the other studio."""
    return {
        "library": ExerciseFactory(owner=studio.coach_b, name="Sled push", scope="studio"),
        "b_own": ExerciseFactory(owner=studio.coach_b, name="Ben's secret"),
        "a_own": ExerciseFactory(owner=studio.coach_a, name="Ann's tempo squat"),
        "elsewhere": ExerciseFactory(owner=studio.outsider, name="Far away", scope="studio"),
    }


def test_the_studio_of_an_exercise_is_its_authors(studio, moves):  # noqa: F811
    assert moves["library"].studio_id == studio.studio.pk
    assert moves["elsewhere"].studio_id == studio.outsider.membership.studio_id


def test_a_coach_reads_and_plans_with_another_coachs_studio_exercise(api_as, moves):  # noqa: F811
    coach_a = api_as("coach_a")
    library = moves["library"]
    assert listed(coach_a) == {library.pk, moves["a_own"].pk}
    assert listed(coach_a, scope="studio") == {library.pk}
    response = coach_a.get(detail(library))
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "studio"
    assert response.json()["is_global"] is False
    assert plan_with(coach_a, library.pk).status_code == 201


def test_another_coachs_personal_exercise_is_not_found(api_as, moves):  # noqa: F811
    coach_a = api_as("coach_a")
    assert_error(coach_a.get(detail(moves["b_own"])), 404)
    assert_error(
        plan_with(coach_a, moves["b_own"].pk),
        400,
        "not_found",
        "content.days[0].exercises[0].exercise",
    )
    assert_error(coach_a.post(reverse("exercise-copy", args=[moves["b_own"].pk])), 404)


@pytest.mark.parametrize("target", ["library", "b_own"])
def test_another_studios_member_sees_nothing(api_as, moves, target):  # noqa: F811
    outsider = api_as("outsider")
    assert_error(outsider.get(detail(moves[target])), 404)
    assert_error(outsider.patch(detail(moves[target]), {"name": "X"}, format="json"), 404)
    assert moves[target].pk not in listed(outsider)
    assert_error(plan_with(outsider, moves[target].pk), 400, "not_found")


def test_a_client_sees_the_studio_library_and_their_coachs_own(api_as, moves):  # noqa: F811
    client_x = api_as("client_x")
    assert listed(client_x) == {moves["library"].pk, moves["a_own"].pk}
    assert client_x.get(detail(moves["library"])).status_code == 200
    assert_error(client_x.get(detail(moves["b_own"])), 404)
    assert_error(client_x.get(detail(moves["elsewhere"])), 404)


@pytest.mark.parametrize(
    ("editor", "allowed"),
    [
        ("coach_b", True),
        ("owner", True),
        ("admin", True),
        ("coach_a", False),
        ("specialist", False),
    ],
)
def test_a_studio_exercise_is_edited_by_its_author_and_the_managers(
    api_as,  # noqa: F811
    moves,
    editor,
    allowed,
):
    api = api_as(editor)
    url = detail(moves["library"])
    response = api.patch(url, {"instructions": "Low hips."}, format="json")
    if allowed:
        assert response.status_code == 200, response.content
        assert response.json()["scope"] == "studio"  # a PATCH without scope keeps it
        assert api.delete(url).status_code == 204
    else:
        assert_error(response, 403, "exercise_not_editable")
        assert_error(api.delete(url), 403, "exercise_not_editable")


def test_a_manager_cannot_edit_a_coachs_personal_exercise(api_as, moves):  # noqa: F811
    assert_error(api_as("owner").patch(detail(moves["b_own"]), {"name": "X"}, format="json"), 404)


def test_create_and_copy_into_the_studio_library(api_as):  # noqa: F811
    coach_a, coach_b = api_as("coach_a"), api_as("coach_b")
    body = {"name": "Box step-up", "category": "strength", "scope": "studio"}
    response = coach_a.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["scope"] == "studio"
    assert created["id"] in listed(coach_b)
    copy = coach_b.post(reverse("exercise-copy", args=[created["id"]]), {}, format="json")
    assert copy.status_code == 201, copy.content
    assert copy.json()["scope"] == LibraryScope.PERSONAL
    assert copy.json()["id"] not in listed(coach_a)
    moved = coach_a.patch(
        reverse("exercise-detail", args=[created["id"]]), {"scope": "personal"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["scope"] == "personal"
    assert created["id"] not in listed(coach_b)
    assert_error(coach_a.post(URL, {**body, "scope": "global"}, format="json"), 400)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_clients_list_runs_a_fixed_number_of_queries(
    studio,  # noqa: F811
    api_as,  # noqa: F811
    rows,
    django_assert_max_num_queries,
):
    for n in range(rows):
        ExerciseFactory(owner=studio.coach_b, name=f"Move {n}", scope="studio", primary=["quads"])
    client_x = api_as("client_x")
    # auth, count, page, three prefetches (primary, secondary, equipment)
    with django_assert_max_num_queries(6):
        response = client_x.get(URL, {"page_size": rows, "mine": "true"})
    assert len(response.json()["results"]) == rows


def test_a_removed_members_exercises_stay_with_the_studio(studio, api_as, moves):  # noqa: F811
    from accounts.services import member_remove

    ExerciseFactory(owner=studio.owner, name="Sled push")  # the owner has this name already
    member_remove(actor=studio.owner, member=studio.coach_b.membership)
    library, own = moves["library"], moves["b_own"]
    library.refresh_from_db()
    own.refresh_from_db()
    assert (library.owner, own.owner) == (studio.owner, studio.owner)
    assert library.name == "Sled push (Ben Coach)" and library.scope == "studio"
    assert library.pk in listed(api_as("coach_a"))
    gone = api_as("coach_b")  # now alone in a studio of their own
    assert listed(gone) == set()
    assert_error(gone.get(detail(library)), 404)
    assert_error(gone.patch(detail(own), {"name": "Mine"}, format="json"), 404)
