"""forms/, form-assignments/ and form-responses/ through real URLs and JWTs."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from coaching.models import CheckInForm, FormAssignment, FormResponse, FormVersion
from coaching.tests.factories import QUESTIONS, CheckInFormFactory, FormAssignmentFactory
from conftest import auth_client
from dashboard.models import ActivityEvent

pytestmark = pytest.mark.django_db

FORMS = reverse("form-list")
ASSIGNMENTS = reverse("form-assignment-list")
RESPONSES = reverse("form-response-list")
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def codes(response) -> list[tuple[str, str]]:
    return [(e["attr"], e["code"]) for e in response.json()["errors"]]


def form_body(**overrides):
    return {"name": "Weekly check-in", "kind": "weekly", "questions": QUESTIONS, **overrides}


def answers(**values):
    base = {"weight": 81.5, "energy": 7, "mood": "good", "wins": "Slept well"}
    base.update(values)
    return [{"key": k, "value": v} for k, v in base.items()]


def test_a_trainer_creates_a_form_at_version_1(trainer_api):
    response = trainer_api.post(FORMS, form_body(), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert response.json()["questions"][0] == QUESTIONS[0]
    assert FormVersion.objects.get().questions == QUESTIONS


def q(**overrides):
    return {"key": "k", "type": "short_text", "label": "L", "required": False, **overrides}


@pytest.mark.parametrize(
    "question, attr, code",
    [
        (q(type="single_choice"), "questions[2].options", "required"),
        (q(type="multi_choice", options=["a", "a"]), "questions[2].options", "duplicate"),
        (q(options=["a", "b"]), "questions[2].options", "not_allowed"),
        (q(type="scale", min=1), "questions[2].min", "not_allowed"),
        (q(type="number", min=5, max=1), "questions[2].max", "invalid"),
        (q(key="Bad Key"), "questions[2].key", "invalid"),
        (q(key="weight"), "questions[2].key", "duplicate"),
        (q(type="video"), "questions[2].type", "invalid_choice"),
        (q(colour="red"), "questions[2].colour", "unknown_field"),
        ({"key": "k", "type": "yes_no", "label": "L"}, "questions[2].required", "required"),
    ],
)
def test_question_lists_are_validated_with_precise_paths(trainer_api, question, attr, code):
    body = form_body(questions=[QUESTIONS[0], QUESTIONS[1], question])

    response = trainer_api.post(FORMS, body, format="json")

    assert response.status_code == 400
    assert (attr, code) in codes(response), codes(response)


def test_an_empty_question_list_is_refused(trainer_api):
    response = trainer_api.post(FORMS, form_body(questions=[]), format="json")
    assert codes(response) == [("questions", "min_length")]


def test_editing_questions_makes_a_new_version_and_old_responses_keep_theirs(
    trainer_api, client_api, client_link
):
    form_id = trainer_api.post(FORMS, form_body(), format="json").json()["id"]
    assign = trainer_api.post(
        reverse("form-assign", args=[form_id]), {"client": client_link.pk}, format="json"
    )
    assert assign.status_code == 201, assign.content
    old = client_api.post(
        RESPONSES, {"form_assignment": assign.json()["id"], "answers": answers()}, format="json"
    )
    assert old.status_code == 201, old.content

    # The trainer drops "mood" and turns "energy" into yes/no.
    new_questions = [QUESTIONS[0], {**QUESTIONS[1], "type": "yes_no"}]
    edit = trainer_api.patch(
        reverse("form-detail", args=[form_id]), {"questions": new_questions}, format="json"
    )
    rename_only = trainer_api.patch(
        reverse("form-detail", args=[form_id]), {"scope": "personal"}, format="json"
    )

    assert edit.json()["version"] == 2
    assert rename_only.json()["version"] == 2
    assert FormVersion.objects.filter(form_id=form_id).count() == 2
    stored = client_api.get(reverse("form-response-detail", args=[old.json()["id"]])).json()
    assert stored["form_version"]["version"] == 1
    assert stored["answers"][2] == {"key": "mood", "value": "good"}
    assert stored["form_version"]["questions"] == QUESTIONS
    # A new assignment answers version 2: energy is now yes/no.
    reassigned = trainer_api.post(
        reverse("form-assign", args=[form_id]), {"client": client_link.pk}, format="json"
    ).json()
    assert reassigned["form_version"]["version"] == 2
    assert FormAssignment.objects.get(pk=assign.json()["id"]).status == "ended"


@pytest.mark.parametrize(
    "given, attr, code",
    [
        ({"weight": "heavy"}, "answers[0].value", "invalid"),
        ({"weight": 10}, "answers[0].value", "min_value"),
        ({"weight": 500}, "answers[0].value", "max_value"),
        ({"weight": True}, "answers[0].value", "invalid"),
        ({"energy": 11}, "answers[1].value", "invalid"),
        ({"energy": 7.5}, "answers[1].value", "invalid"),
        ({"mood": "great"}, "answers[2].value", "invalid_choice"),
        ({"wins": 42}, "answers[3].value", "invalid"),
        ({"wins": "x" * 5001}, "answers[3].value", "max_length"),
        ({"weight": None}, "answers[0].value", "null"),
        ({"weight": ""}, "answers", "required"),
        ({"nope": 1}, "answers[4].key", "unknown_question"),
    ],
)
def test_answers_are_validated_against_the_snapshot(client_api, client_link, given, attr, code):
    assignment = FormAssignmentFactory(client=client_link)

    response = client_api.post(
        RESPONSES, {"form_assignment": assignment.pk, "answers": answers(**given)}, format="json"
    )

    assert response.status_code == 400
    assert (attr, code) in codes(response), codes(response)


ALL_TYPES = [
    {"key": "n", "type": "number", "label": "N", "required": True},
    {"key": "s", "type": "scale", "label": "S", "required": True},
    {"key": "one", "type": "single_choice", "label": "O", "required": True, "options": ["a", "b"]},
    {"key": "many", "type": "multi_choice", "label": "M", "required": True, "options": ["a", "b"]},
    {"key": "short", "type": "short_text", "label": "T", "required": True},
    {"key": "long", "type": "long_text", "label": "L", "required": True},
    {"key": "yn", "type": "yes_no", "label": "Y", "required": True},
    {"key": "pic", "type": "photo", "label": "P", "required": True},
]
GOOD = {
    "n": 1.5,
    "s": 10,
    "one": "a",
    "many": ["a", "b"],
    "short": "ok",
    "long": "fine",
    "yn": False,
    "pic": "8d0f6b1c-photo",
}
BAD = {
    "n": "1",
    "s": 0,
    "one": ["a"],
    "many": ["a", "a"],
    "short": "x" * 201,
    "long": None,
    "yn": "yes",
    "pic": "../etc/passwd",
}


@pytest.mark.parametrize("key", list(GOOD))
def test_every_question_type_takes_good_values_and_refuses_bad_ones(client_api, client_link, key):
    form = CheckInFormFactory(trainer=client_link.trainer, kind="once", questions=ALL_TYPES)
    assignment = FormAssignmentFactory(client=client_link, form=form)
    bad = [{"key": k, "value": BAD[k] if k == key else v} for k, v in GOOD.items()]

    refused = client_api.post(
        RESPONSES, {"form_assignment": assignment.pk, "answers": bad}, format="json"
    )
    good = [{"key": k, "value": v} for k, v in GOOD.items()]
    accepted = client_api.post(
        RESPONSES, {"form_assignment": assignment.pk, "answers": good}, format="json"
    )

    assert refused.status_code == 400
    index = list(GOOD).index(key)
    expected = "answers" if BAD[key] == "" else f"answers[{index}].value"
    assert [attr for attr, _ in codes(refused)] == [expected]
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["answers"] == good


def test_one_weekly_response_per_iso_week_and_ids_are_idempotent(client_api, client_link):
    assignment = FormAssignmentFactory(client=client_link)
    body = {"id": str(uuid.uuid4()), "form_assignment": assignment.pk, "answers": answers()}

    first = client_api.post(RESPONSES, body, format="json")
    retry = client_api.post(RESPONSES, {**body, "answers": []}, format="json")
    second = client_api.post(RESPONSES, {**body, "id": str(uuid.uuid4())}, format="json")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == body["id"]
    assert second.status_code == 409
    assert codes(second) == [(None, "form_response_exists")]
    assert first.json()["week_start"] == "2026-03-02"
    # Next ISO week in the client's timezone: a new response is welcome.
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        api = auth_client(client_link.user)
        later = api.post(RESPONSES, {**body, "id": str(uuid.uuid4())}, format="json")
    assert later.status_code == 201
    assert ActivityEvent.objects.filter(kind="form.submitted").count() == 2


def test_a_once_form_is_answered_once(client_api, client_link):
    form = CheckInFormFactory(trainer=client_link.trainer, kind="once")
    assignment = FormAssignmentFactory(client=client_link, form=form)
    body = {"form_assignment": assignment.pk, "answers": answers()}

    assert client_api.post(RESPONSES, body, format="json").status_code == 201
    again = client_api.post(RESPONSES, body, format="json")
    assert codes(again) == [(None, "form_already_answered")]


def test_the_trainer_reviews_a_response(trainer_api, client_api, client_link):
    assignment = FormAssignmentFactory(client=client_link)
    created = client_api.post(
        RESPONSES, {"form_assignment": assignment.pk, "answers": answers()}, format="json"
    ).json()

    response = trainer_api.post(
        reverse("form-response-review", args=[created["id"]]),
        {"feedback": "Great week"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["feedback"] == "Great week"
    assert (
        client_api.get(RESPONSES, {"reviewed": "true"}).json()["results"][0]["id"] == created["id"]
    )
    assert ActivityEvent.objects.filter(kind="form.reviewed").count() == 1
    assert (
        client_api.post(
            reverse("form-response-review", args=[created["id"]]), {"feedback": "x"}, format="json"
        ).status_code
        == 403
    )


def test_forms_follow_the_studio_library_rule(trainer, trainer_api, coach):
    personal = CheckInFormFactory(trainer=trainer)
    library = CheckInFormFactory(trainer=trainer, scope="studio")
    api = auth_client(coach)

    assert [f["id"] for f in api.get(FORMS).json()["results"]] == [library.pk]
    assert api.get(reverse("form-detail", args=[personal.pk])).status_code == 404
    edit = api.patch(reverse("form-detail", args=[library.pk]), {"name": "x"}, format="json")
    assert codes(edit) == [(None, "template_not_editable")]


# Isolation ---------------------------------------------------------------------------------


def test_every_form_endpoint_is_a_404_for_outsiders(trainer, outsiders, client_api, client_link):
    form = CheckInFormFactory(trainer=trainer)
    assignment = FormAssignmentFactory(client=client_link, form=form)
    response_id = client_api.post(
        RESPONSES, {"form_assignment": assignment.pk, "answers": answers()}, format="json"
    ).json()["id"]
    for name, api in outsiders.items():
        statuses = [
            api.get(reverse("form-assignment-detail", args=[assignment.pk])).status_code,
            api.get(reverse("form-response-detail", args=[response_id])).status_code,
        ]
        if "client" in name:
            answer = api.post(
                RESPONSES, {"form_assignment": assignment.pk, "answers": answers()}, format="json"
            )
            statuses.append(answer.status_code)
        else:
            statuses += [
                api.post(
                    reverse("form-response-review", args=[response_id]),
                    {"feedback": "x"},
                    format="json",
                ).status_code,
                api.post(
                    reverse("form-assign", args=[form.pk]),
                    {"client": client_link.pk},
                    format="json",
                ).status_code,
            ]
            if "other studio" in name:
                statuses += [
                    api.get(reverse("form-detail", args=[form.pk])).status_code,
                    api.patch(
                        reverse("form-detail", args=[form.pk]), {"name": "x"}, format="json"
                    ).status_code,
                    api.delete(reverse("form-detail", args=[form.pk])).status_code,
                ]
        assert set(statuses) == {404}, (name, statuses)
        assert api.get(RESPONSES).json()["results"] == [], name
        assert api.get(ASSIGNMENTS).json()["results"] == [], name
    assert CheckInForm.objects.filter(pk=form.pk, name=form.name).exists()
    assert not FormResponse.objects.filter(reviewed_at__isnull=False).exists()


def test_a_coach_cannot_send_a_form_to_a_client_they_do_not_see(trainer, coach, client_link):
    library = CheckInFormFactory(trainer=trainer, scope="studio")
    response = auth_client(coach).post(
        reverse("form-assign", args=[library.pk]), {"client": client_link.pk}, format="json"
    )
    assert codes(response) == [("client", "not_found")]


@pytest.mark.parametrize("count", [2, 8])
def test_the_lists_run_a_fixed_number_of_queries(
    trainer, trainer_api, client_link, count, django_assert_num_queries
):
    for _ in range(count):
        form = CheckInFormFactory(trainer=trainer, kind="once")
        assignment = FormAssignmentFactory(client=client_link, form=form)
        FormResponse.objects.create(
            client=client_link,
            assignment=assignment,
            form_version=assignment.form_version,
            date=dt.date(2026, 3, 4),
            answers=[],
        )
    for url in (FORMS, ASSIGNMENTS, RESPONSES):
        # auth user, page (a last page counts its own rows)
        with django_assert_num_queries(2):
            response = trainer_api.get(url, {"page_size": 100})
        assert len(response.json()["results"]) == count, url
