"""Content validation: one test per rule, each asserting the exact error path through the API."""

import copy
import json

import pytest

from conftest import assert_error
from plans.content import (
    EXAMPLE_DIET_CONTENT,
    EXAMPLE_WORKOUT_CONTENT,
    MAX_CONTENT_BYTES,
    content_errors,
)

URL = "/api/v1/templates/"


def workout(**exercise_overrides):
    content = copy.deepcopy(EXAMPLE_WORKOUT_CONTENT)
    content["days"][2]["exercises"][0].update(exercise_overrides)
    return content


def diet():
    return copy.deepcopy(EXAMPLE_DIET_CONTENT)


def post(api, kind, content):
    return api.post(URL, {"kind": kind, "name": "Plan", "content": content}, format="json")


def only_error(response, code, attr):
    body = assert_error(response, 400, code, attr)
    assert [(e["code"], e["attr"]) for e in body["errors"]] == [(code, attr)], body
    return body


def test_the_example_documents_are_valid():
    assert content_errors("workout", EXAMPLE_WORKOUT_CONTENT) == []
    assert content_errors("diet", EXAMPLE_DIET_CONTENT) == []


@pytest.mark.django_db
class TestWorkoutRules:
    def test_it_accepts_a_valid_workout_and_keeps_unknown_keys(self, trainer_api):
        content = workout(tempo="3-1-1")
        content["days"][0]["focus"] = {"muscles": ["chest"]}
        response = post(trainer_api, "workout", content)
        assert response.status_code == 201, response.content
        assert response.json()["content"] == content

    @pytest.mark.parametrize("sets", [0, 101, -1])
    def test_it_rejects_sets_out_of_bounds(self, trainer_api, sets):
        response = post(trainer_api, "workout", workout(sets=sets))
        code = "min_value" if sets < 1 else "max_value"
        only_error(response, code, "content.days[2].exercises[0].sets")

    @pytest.mark.parametrize("sets", ["4", "abc", 4.0, True, None])
    def test_it_never_coerces_sets(self, trainer_api, sets):
        response = post(trainer_api, "workout", workout(sets=sets))
        code = "null" if sets is None else "invalid"
        only_error(response, code, "content.days[2].exercises[0].sets")

    def test_it_requires_sets(self, trainer_api):
        content = workout()
        del content["days"][2]["exercises"][0]["sets"]
        only_error(
            post(trainer_api, "workout", content), "required", "content.days[2].exercises[0].sets"
        )

    @pytest.mark.parametrize("reps", [10, "8-12", "5-5", " 6 - 8 "])
    def test_it_accepts_reps_as_a_number_or_a_range(self, trainer_api, reps):
        assert post(trainer_api, "workout", workout(reps=reps)).status_code == 201

    @pytest.mark.parametrize(
        ("reps", "code"),
        [
            ("abc", "invalid"),
            ("12", "invalid"),
            (True, "invalid"),
            (8.5, "invalid"),
            (0, "out_of_range"),
            (1001, "out_of_range"),
            ("12-8", "out_of_range"),
            ("0-5", "out_of_range"),
        ],
    )
    def test_it_rejects_bad_reps(self, trainer_api, reps, code):
        response = post(trainer_api, "workout", workout(reps=reps))
        only_error(response, code, "content.days[2].exercises[0].reps")

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("weight_kg", -1, "min_value"),
            ("weight_kg", 1001, "max_value"),
            ("weight_kg", "60", "invalid"),
            ("duration_s", -5, "min_value"),
            ("rest_s", 3601, "max_value"),
            ("notes", "x" * 2001, "max_length"),
            ("name", "", "blank"),
            ("name", "   ", "blank"),
            ("name", "x" * 201, "max_length"),
        ],
    )
    def test_it_bounds_exercise_fields(self, trainer_api, field, value, code):
        response = post(trainer_api, "workout", workout(**{field: value}))
        only_error(response, code, f"content.days[2].exercises[0].{field}")

    def test_optional_exercise_fields_may_be_null(self, trainer_api):
        content = workout(weight_kg=None, duration_s=None, rest_s=None, notes=None)
        assert post(trainer_api, "workout", content).status_code == 201

    def test_it_needs_at_least_one_day(self, trainer_api):
        only_error(post(trainer_api, "workout", {"days": []}), "min_length", "content.days")

    def test_it_allows_at_most_31_days(self, trainer_api):
        content = {"days": [{"name": "Rest", "rest": True}] * 32}
        only_error(post(trainer_api, "workout", content), "max_length", "content.days")

    def test_it_allows_at_most_50_exercises_a_day(self, trainer_api):
        exercise = {"name": "Curl", "sets": 3, "reps": 10}
        content = {"days": [{"name": "Arms", "exercises": [exercise] * 51}]}
        only_error(post(trainer_api, "workout", content), "max_length", "content.days[0].exercises")

    def test_a_training_day_needs_an_exercise(self, trainer_api):
        content = {"days": [{"name": "Rest", "rest": True}, {"name": "Legs", "exercises": []}]}
        only_error(post(trainer_api, "workout", content), "empty_day", "content.days[1]")

    def test_rest_must_be_a_boolean(self, trainer_api):
        content = {"days": [{"name": "Rest", "rest": "yes"}]}
        only_error(post(trainer_api, "workout", content), "invalid", "content.days[0].rest")

    def test_it_requires_a_day_name(self, trainer_api):
        content = {"days": [{"rest": True}]}
        only_error(post(trainer_api, "workout", content), "required", "content.days[0].name")

    def test_a_day_must_be_an_object(self, trainer_api):
        content = {"days": [{"name": "Rest", "rest": True}, "legs"]}
        only_error(post(trainer_api, "workout", content), "invalid", "content.days[1]")

    def test_days_must_be_a_list(self, trainer_api):
        only_error(post(trainer_api, "workout", {"days": {"0": {}}}), "invalid", "content.days")

    def test_it_reports_every_error_at_once(self, trainer_api):
        content = workout(sets=0, reps="x")
        content["days"][0]["name"] = ""
        body = assert_error(post(trainer_api, "workout", content), 400)
        assert {e["attr"] for e in body["errors"]} == {
            "content.days[0].name",
            "content.days[2].exercises[0].sets",
            "content.days[2].exercises[0].reps",
        }
        assert body["type"] == "validation_error"

    def test_a_diet_document_is_not_a_workout(self, trainer_api):
        body = assert_error(post(trainer_api, "workout", diet()), 400)
        assert [(e["code"], e["attr"]) for e in body["errors"]] == [
            ("empty_day", "content.days[0]"),
            ("empty_day", "content.days[1]"),
        ]


@pytest.mark.django_db
class TestDietRules:
    def test_it_accepts_a_valid_diet_and_keeps_unknown_keys(self, trainer_api):
        content = diet()
        content["days"][0]["meals"][0]["items"][0]["brand"] = "Acme"
        response = post(trainer_api, "diet", content)
        assert response.status_code == 201, response.content
        assert response.json()["content"] == content

    def test_targets_are_optional(self, trainer_api):
        content = diet()
        del content["targets"]
        assert post(trainer_api, "diet", content).status_code == 201

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("calories", -1, "min_value"),
            ("calories", 20001, "max_value"),
            ("protein_g", -0.5, "min_value"),
            ("carbs_g", "200", "invalid"),
            ("fat_g", 5001, "max_value"),
        ],
    )
    def test_it_bounds_targets(self, trainer_api, field, value, code):
        content = diet()
        content["targets"][field] = value
        only_error(post(trainer_api, "diet", content), code, f"content.targets.{field}")

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("quantity", 0, "min_value"),
            ("quantity", "80", "invalid"),
            ("unit", "", "blank"),
            ("food", " ", "blank"),
            ("calories", -10, "min_value"),
            ("protein_g", True, "invalid"),
        ],
    )
    def test_it_bounds_meal_items(self, trainer_api, field, value, code):
        content = diet()
        content["days"][0]["meals"][1]["items"][0][field] = value
        path = f"content.days[0].meals[1].items[0].{field}"
        only_error(post(trainer_api, "diet", content), code, path)

    def test_it_requires_item_food_quantity_and_unit(self, trainer_api):
        content = diet()
        content["days"][1]["meals"][0]["items"] = [{}]
        body = assert_error(post(trainer_api, "diet", content), 400)
        assert sorted((e["code"], e["attr"]) for e in body["errors"]) == [
            ("required", "content.days[1].meals[0].items[0].food"),
            ("required", "content.days[1].meals[0].items[0].quantity"),
            ("required", "content.days[1].meals[0].items[0].unit"),
        ]

    @pytest.mark.parametrize("time", ["25:00", "8am", "08:60", 800])
    def test_meal_time_is_a_24_hour_time(self, trainer_api, time):
        content = diet()
        content["days"][0]["meals"][0]["time"] = time
        only_error(post(trainer_api, "diet", content), "invalid", "content.days[0].meals[0].time")

    def test_it_needs_at_least_one_day(self, trainer_api):
        only_error(post(trainer_api, "diet", {"days": []}), "min_length", "content.days")

    def test_targets_must_be_an_object(self, trainer_api):
        content = diet()
        content["targets"] = [2000]
        only_error(post(trainer_api, "diet", content), "invalid", "content.targets")


@pytest.mark.django_db
class TestWholeDocument:
    @pytest.mark.parametrize("content", [[], "plan", 3, True])
    def test_content_must_be_an_object(self, trainer_api, content):
        only_error(post(trainer_api, "workout", content), "invalid", "content")

    def test_content_may_not_be_null(self, trainer_api):
        only_error(post(trainer_api, "workout", None), "null", "content")

    def test_content_is_required(self, trainer_api):
        response = trainer_api.post(URL, {"kind": "workout", "name": "Plan"}, format="json")
        only_error(response, "required", "content")

    def test_it_rejects_a_document_over_the_size_limit(self, trainer_api):
        content = workout()
        content["filler"] = "x" * MAX_CONTENT_BYTES
        assert len(json.dumps(content)) > MAX_CONTENT_BYTES
        only_error(post(trainer_api, "workout", content), "too_large", "content")

    def test_huge_numbers_are_rejected_not_crashed_on(self, trainer_api):
        response = post(trainer_api, "workout", workout(sets=10**30, weight_kg=1e308))
        body = assert_error(response, 400)
        assert {e["attr"] for e in body["errors"]} == {
            "content.days[2].exercises[0].sets",
            "content.days[2].exercises[0].weight_kg",
        }

    def test_it_rejects_absurdly_deep_documents(self, trainer_api):
        content = workout()
        nested: list = []
        content["deep"] = nested
        for _ in range(200):
            nested.append([])
            nested = nested[0]
        only_error(post(trainer_api, "workout", content), "too_deep", "content")

    def test_it_rejects_null_characters_anywhere_in_the_document(self, trainer_api):
        content = workout(name="Squat\x00")
        code = "null_characters_not_allowed"
        only_error(post(trainer_api, "workout", content), code, "content.days[2].exercises[0].name")
        content = workout()
        content["days"][0]["bad\x00key"] = 1
        only_error(post(trainer_api, "workout", content), code, "content.days[0]")

    def test_deeply_nested_extra_keys_are_kept(self, trainer_api):
        content = workout()
        content["meta"] = {"a": {"b": {"c": [1, 2, {"d": None}]}}}
        response = post(trainer_api, "workout", content)
        assert response.status_code == 201
        assert response.json()["content"]["meta"] == content["meta"]


def test_a_null_exercise_name_is_an_error_at_its_path_not_a_crash(trainer_api):
    # Found by the fuzzer: `name: null` with `exercise: null` reached the blank-name check.
    exercise = {"name": None, "exercise": None, "sets": 3, "reps": 5}
    content = {"days": [{"name": "A", "exercises": [exercise]}]}
    errors = content_errors("workout", content)
    assert [error.path for error in errors] == ["content.days[0].exercises[0].name"]
    response = trainer_api.post(
        URL, {"kind": "workout", "name": "x", "content": content}, format="json"
    )
    assert response.status_code == 400
