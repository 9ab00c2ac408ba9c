import pytest

from conftest import assert_error
from plans.content import EXAMPLE_DIET_CONTENT, EXAMPLE_WORKOUT_CONTENT
from plans.models import PlanAssignment, PlanTemplate
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/templates/"


def detail(template) -> str:
    return f"/api/v1/templates/{template.pk}/"


@pytest.fixture
def template(trainer):
    return PlanTemplateFactory(trainer=trainer, name="Strength A", description="Base")


# --- isolation matrix ------------------------------------------------------------------

ENDPOINTS = [
    ("get", "list", None),
    ("post", "list", {"kind": "workout", "name": "X", "content": EXAMPLE_WORKOUT_CONTENT}),
    ("get", "detail", None),
    ("put", "detail", {"name": "X", "content": EXAMPLE_WORKOUT_CONTENT}),
    ("patch", "detail", {"name": "X"}),
    ("delete", "detail", None),
    ("post", "duplicate", {}),
]


def _url(kind, template):
    return {"list": LIST, "detail": detail(template), "duplicate": detail(template) + "duplicate/"}[
        kind
    ]


@pytest.mark.parametrize(("method", "kind", "body"), ENDPOINTS)
def test_anonymous_callers_get_401(api_client, template, method, kind, body):
    response = getattr(api_client, method)(_url(kind, template), body, format="json")
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(("method", "kind", "body"), ENDPOINTS)
@pytest.mark.parametrize("actor", ["client_api", "other_client_api"])
def test_clients_get_403(request, template, method, kind, body, actor):
    api = request.getfixturevalue(actor)
    response = getattr(api, method)(_url(kind, template), body, format="json")
    assert_error(response, 403, "permission_denied")
    assert PlanTemplate.objects.count() == 1


@pytest.mark.parametrize(("method", "kind", "body"), [e for e in ENDPOINTS if e[1] != "list"])
def test_another_trainer_gets_404_for_my_template(other_trainer_api, template, method, kind, body):
    response = getattr(other_trainer_api, method)(_url(kind, template), body, format="json")
    assert_error(response, 404, "not_found")
    template.refresh_from_db()
    assert template.name == "Strength A"
    assert PlanTemplate.objects.count() == 1


def test_another_trainer_does_not_see_my_templates_in_their_list(other_trainer_api, template):
    response = other_trainer_api.get(LIST)
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_the_owner_can_use_every_endpoint(trainer_api, template):
    assert trainer_api.get(LIST).json()["results"][0]["id"] == template.pk
    assert trainer_api.get(detail(template)).json()["name"] == "Strength A"
    assert trainer_api.patch(detail(template), {"name": "B"}, format="json").status_code == 200
    put = {"name": "C", "content": EXAMPLE_WORKOUT_CONTENT}
    assert trainer_api.put(detail(template), put, format="json").status_code == 200
    assert trainer_api.post(detail(template) + "duplicate/").status_code == 201
    assert trainer_api.delete(detail(template)).status_code == 204


# --- create and read -------------------------------------------------------------------


def test_a_trainer_creates_a_workout_template(trainer_api, trainer):
    body = {
        "kind": "workout",
        "name": "Upper / lower",
        "description": "Three days",
        "content": EXAMPLE_WORKOUT_CONTENT,
    }
    response = trainer_api.post(LIST, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {
        "id",
        "scope",
        "kind",
        "name",
        "description",
        "content",
        "version",
        "archived",
        "created_at",
        "updated_at",
    }
    assert data["kind"] == "workout"
    assert data["name"] == "Upper / lower"
    assert data["description"] == "Three days"
    assert data["content"] == EXAMPLE_WORKOUT_CONTENT
    assert data["version"] == 1
    assert data["archived"] is False
    assert PlanTemplate.objects.get(pk=data["id"]).trainer == trainer


def test_a_trainer_creates_a_diet_template_without_a_description(trainer_api):
    body = {"kind": "diet", "name": "Cut", "content": EXAMPLE_DIET_CONTENT}
    response = trainer_api.post(LIST, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["description"] == ""
    assert response.json()["content"] == EXAMPLE_DIET_CONTENT


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"kind": "yoga", "name": "X", "content": {}}, "invalid_choice", "kind"),
        ({"name": "X", "content": EXAMPLE_WORKOUT_CONTENT}, "required", "kind"),
        ({"kind": "workout", "content": EXAMPLE_WORKOUT_CONTENT}, "required", "name"),
        ({"kind": "workout", "name": "", "content": EXAMPLE_WORKOUT_CONTENT}, "blank", "name"),
        ({"kind": "workout", "name": None, "content": EXAMPLE_WORKOUT_CONTENT}, "null", "name"),
        (
            {"kind": "workout", "name": "x" * 201, "content": EXAMPLE_WORKOUT_CONTENT},
            "max_length",
            "name",
        ),
        (
            {"kind": "workout", "name": "X", "description": "d" * 5001, "content": {}},
            "max_length",
            "description",
        ),
        (
            {"kind": "workout", "name": "X", "content": EXAMPLE_WORKOUT_CONTENT, "version": 9},
            "unknown_field",
            "version",
        ),
        (
            {"kind": "workout", "name": "X", "content": EXAMPLE_WORKOUT_CONTENT, "archived": 1},
            "unknown_field",
            "archived",
        ),
        ({"kind": ["workout"], "name": "X", "content": {}}, "invalid_choice", "kind"),
    ],
)
def test_it_rejects_bad_template_input(trainer_api, body, code, attr):
    response = trainer_api.post(LIST, body, format="json")
    assert_error(response, 400, code, attr)
    assert PlanTemplate.objects.count() == 0


def test_a_body_that_is_not_an_object_is_a_400(trainer_api):
    assert_error(trainer_api.post(LIST, [1, 2], format="json"), 400)
    response = trainer_api.post(LIST, "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_malformed_and_unknown_ids_are_404(trainer_api):
    assert_error(trainer_api.get("/api/v1/templates/abc/"), 404)
    assert_error(trainer_api.get("/api/v1/templates/99999999999999999999999/"), 404)
    assert_error(trainer_api.get("/api/v1/templates/424242/"), 404, "not_found")


# --- list: filters, search, ordering, pagination -----------------------------------------


def test_the_list_filters_by_kind_and_archived_and_searches_by_name(trainer_api, trainer):
    push = PlanTemplateFactory(trainer=trainer, name="Push day")
    pull = PlanTemplateFactory(trainer=trainer, name="Pull day", is_archived=True)
    cut = PlanTemplateFactory(trainer=trainer, name="Summer cut", kind="diet")

    def ids(query):
        response = trainer_api.get(LIST + query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {push.pk, pull.pk, cut.pk}
    assert ids("?kind=workout") == {push.pk, pull.pk}
    assert ids("?kind=diet") == {cut.pk}
    assert ids("?archived=true") == {pull.pk}
    assert ids("?archived=false") == {push.pk, cut.pk}
    assert ids("?search=DAY") == {push.pk, pull.pk}
    assert ids("?kind=workout&archived=false&search=push") == {push.pk}


def test_the_list_orders_by_name_or_recency(trainer_api, trainer):
    b = PlanTemplateFactory(trainer=trainer, name="B")
    a = PlanTemplateFactory(trainer=trainer, name="A")
    c = PlanTemplateFactory(trainer=trainer, name="C")
    names = lambda q: [r["name"] for r in trainer_api.get(LIST + q).json()["results"]]  # noqa: E731
    assert names("?ordering=name") == ["A", "B", "C"]
    assert names("?ordering=-name") == ["C", "B", "A"]
    assert names("") == [c.name, a.name, b.name]  # most recently changed first


@pytest.mark.parametrize(
    ("query", "attr"), [("?kind=yoga", "kind"), ("?archived=maybe", "archived")]
)
def test_bad_filter_values_are_a_400(trainer_api, query, attr):
    assert_error(trainer_api.get(LIST + query), 400, attr=attr)


def test_unknown_ordering_is_a_400_and_pages_are_bounded(trainer_api, trainer):
    PlanTemplateFactory.create_batch(3, trainer=trainer)
    assert_error(trainer_api.get(LIST + "?ordering=trainer__password"), 400, attr="ordering")
    page = trainer_api.get(LIST + "?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert_error(trainer_api.get(LIST + "?page=99"), 404)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    trainer_api, trainer, django_assert_num_queries, rows
):
    PlanTemplateFactory.create_batch(rows, trainer=trainer)
    # user (JWT), page (a last page counts its own rows)
    with django_assert_num_queries(2):
        response = trainer_api.get(LIST + "?page_size=100")
    assert len(response.json()["results"]) == rows


# --- update, versions, archive ---------------------------------------------------------


def test_changing_content_bumps_the_version(trainer_api, template):
    content = {
        "days": [{"name": "Full body", "exercises": [{"name": "Row", "sets": 3, "reps": 8}]}]
    }
    response = trainer_api.patch(detail(template), {"content": content}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["content"] == content


def test_renaming_bumps_the_version_but_archiving_does_not(trainer_api, template):
    assert (
        trainer_api.patch(detail(template), {"name": "New"}, format="json").json()["version"] == 2
    )
    archived = trainer_api.patch(detail(template), {"archived": True}, format="json").json()
    assert archived["archived"] is True
    assert archived["version"] == 2
    unarchived = trainer_api.patch(detail(template), {"archived": False}, format="json").json()
    assert unarchived["archived"] is False
    assert unarchived["version"] == 2


def test_saving_the_same_values_keeps_the_version(trainer_api, template):
    body = {"name": template.name, "content": template.content, "kind": "workout"}
    response = trainer_api.put(detail(template), body, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_put_replaces_name_description_and_content(trainer_api, template):
    body = {"name": "Renamed", "description": "", "content": EXAMPLE_WORKOUT_CONTENT}
    data = trainer_api.put(detail(template), body, format="json").json()
    assert (data["name"], data["description"], data["content"]) == (
        "Renamed",
        "",
        EXAMPLE_WORKOUT_CONTENT,
    )
    assert data["version"] == 2


def test_put_requires_name_and_content(trainer_api, template):
    response = trainer_api.put(detail(template), {"name": "X"}, format="json")
    assert_error(response, 400, "required", "content")


def test_kind_cannot_change(trainer_api, template):
    response = trainer_api.patch(
        detail(template), {"kind": "diet", "content": EXAMPLE_DIET_CONTENT}, format="json"
    )
    assert_error(response, 409, "immutable", "kind")
    template.refresh_from_db()
    assert template.kind == "workout" and template.version == 1


def test_an_update_validates_content_against_the_templates_kind(trainer_api, template):
    bad = {"days": [{"name": "Legs", "exercises": [{"name": "Squat", "sets": "5", "reps": 5}]}]}
    response = trainer_api.patch(detail(template), {"content": bad}, format="json")
    body = assert_error(response, 400, "invalid", "content.days[0].exercises[0].sets")
    assert len(body["errors"]) == 1
    template.refresh_from_db()
    assert template.version == 1


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"name": ""}, "blank", "name"),
        ({"archived": "maybe"}, "invalid", "archived"),
        ({"is_archived": True}, "unknown_field", "is_archived"),
        ({"version": 7}, "unknown_field", "version"),
        ({"content": None}, "null", "content"),
    ],
)
def test_it_rejects_bad_updates(trainer_api, template, body, code, attr):
    assert_error(trainer_api.patch(detail(template), body, format="json"), 400, code, attr)


# --- duplicate and delete --------------------------------------------------------------


def test_duplicate_makes_a_fresh_copy(trainer_api, template, trainer):
    template.version = 4
    template.is_archived = True
    template.save()
    response = trainer_api.post(detail(template) + "duplicate/", format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"] != template.pk
    assert data["name"] == "Strength A (copy)"
    assert data["version"] == 1
    assert data["archived"] is False
    assert data["content"] == template.content
    assert data["description"] == "Base"
    assert PlanTemplate.objects.get(pk=data["id"]).trainer == trainer


def test_duplicate_takes_an_optional_name_and_rejects_unknown_fields(trainer_api, template):
    url = detail(template) + "duplicate/"
    assert trainer_api.post(url, {"name": "Mine"}, format="json").json()["name"] == "Mine"
    assert_error(
        trainer_api.post(url, {"kind": "diet"}, format="json"), 400, "unknown_field", "kind"
    )


def test_duplicating_a_long_name_stays_within_the_limit(trainer_api, trainer):
    template = PlanTemplateFactory(trainer=trainer, name="n" * 200)
    data = trainer_api.post(detail(template) + "duplicate/").json()
    assert len(data["name"]) == 200 and data["name"].endswith(" (copy)")


def test_deleting_a_template_keeps_its_assignments(trainer_api, template, client_link):
    assignment = PlanAssignmentFactory(client=client_link, template=template)
    assert trainer_api.delete(detail(template)).status_code == 204
    assert not PlanTemplate.objects.filter(pk=template.pk).exists()
    assignment = PlanAssignment.objects.get(pk=assignment.pk)
    assert assignment.template is None
    assert assignment.snapshot == template.content
