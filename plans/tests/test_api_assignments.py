import datetime
import json

import pytest
from django.db import connection

from clients.tests.factories import ClientFactory
from conftest import assert_error
from plans.models import PlanAssignment
from plans.signals import plan_assigned
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/assignments/"
DAY = datetime.timedelta(days=1)


def detail(assignment) -> str:
    return f"/api/v1/assignments/{assignment.pk}/"


def end_url(assignment) -> str:
    return detail(assignment) + "end/"


@pytest.fixture
def today(trainer):
    return trainer.local_today()


@pytest.fixture
def template(trainer):
    return PlanTemplateFactory(trainer=trainer, name="Strength A")


@pytest.fixture
def diet_template(trainer):
    return PlanTemplateFactory(trainer=trainer, kind="diet", name="Cut")


@pytest.fixture
def assignment(client_link, template, today):
    return PlanAssignmentFactory(client=client_link, template=template, start_date=today)


def assign(api, client, template, start, end=None):
    body = {"client": client.pk, "template": template.pk, "start_date": start.isoformat()}
    if end is not None:
        body["end_date"] = end.isoformat()
    return api.post(LIST, body, format="json")


def raw_snapshot(assignment) -> str:
    """The snapshot as the database holds it (text), bypassing the ORM's decoding."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot FROM plans_planassignment WHERE id = %s", [assignment.pk])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


# --- isolation matrix ------------------------------------------------------------------


def test_anonymous_callers_get_401_everywhere(api_client, assignment, client_link, template):
    assert_error(api_client.get(LIST), 401, "not_authenticated")
    assert_error(api_client.get(detail(assignment)), 401, "not_authenticated")
    assert_error(assign(api_client, client_link, template, assignment.start_date), 401)
    assert_error(api_client.post(end_url(assignment)), 401, "not_authenticated")


def test_the_owner_trainer_lists_reads_assigns_and_ends(trainer_api, assignment, client_link):
    other_template = PlanTemplateFactory(trainer=client_link.trainer)
    assert [r["id"] for r in trainer_api.get(LIST).json()["results"]] == [assignment.pk]
    assert trainer_api.get(detail(assignment)).json()["id"] == assignment.pk
    new = assign(trainer_api, client_link, other_template, assignment.start_date + 7 * DAY)
    assert new.status_code == 201, new.content
    assert trainer_api.post(end_url(assignment)).status_code == 200


def test_another_trainer_sees_nothing_and_gets_404(
    other_trainer_api, other_trainer, assignment, client_link, template
):
    assert other_trainer_api.get(LIST).json()["count"] == 0
    assert other_trainer_api.get(LIST + f"?client={client_link.pk}").json()["count"] == 0
    assert_error(other_trainer_api.get(detail(assignment)), 404, "not_found")
    assert_error(other_trainer_api.post(end_url(assignment)), 404, "not_found")
    # Neither my client nor my template can be used by them, even with their own other half.
    their_template = PlanTemplateFactory(trainer=other_trainer)
    their_client = ClientFactory(trainer=other_trainer)
    response = assign(other_trainer_api, client_link, their_template, assignment.start_date)
    assert_error(response, 404, "not_found", "client")
    response = assign(other_trainer_api, their_client, template, assignment.start_date)
    assert_error(response, 404, "not_found", "template")
    assignment.refresh_from_db()
    assert assignment.status == "active"
    assert PlanAssignment.objects.count() == 1


def test_the_own_client_reads_their_assignments_but_cannot_write(
    client_api, assignment, client_link, template
):
    rows = client_api.get(LIST).json()["results"]
    assert [r["id"] for r in rows] == [assignment.pk]
    assert client_api.get(detail(assignment)).json()["snapshot"] == assignment.snapshot
    assert_error(assign(client_api, client_link, template, assignment.start_date), 403)
    assert_error(client_api.post(end_url(assignment)), 403, "permission_denied")
    assignment.refresh_from_db()
    assert assignment.status == "active"


def test_another_client_sees_nothing_and_gets_404(
    other_client_api, assignment, client_link, template
):
    assert other_client_api.get(LIST).json()["count"] == 0
    assert_error(other_client_api.get(detail(assignment)), 404, "not_found")
    assert_error(assign(other_client_api, client_link, template, assignment.start_date), 403)
    assert_error(other_client_api.post(end_url(assignment)), 403, "permission_denied")


def test_assignments_cannot_be_edited_or_deleted_through_the_api(trainer_api, assignment):
    for method in ("put", "patch", "delete"):
        response = getattr(trainer_api, method)(
            detail(assignment), {"snapshot": {"days": []}}, format="json"
        )
        assert_error(response, 405, "method_not_allowed")
    assignment.refresh_from_db()
    assert assignment.snapshot == assignment.template.content


# --- assign ----------------------------------------------------------------------------


def test_assigning_copies_the_template_into_a_snapshot(trainer_api, client_link, template, today):
    template.version = 3
    template.save()
    response = assign(trainer_api, client_link, template, today + DAY, today + 30 * DAY)
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {
        "id",
        "client",
        "template",
        "template_version",
        "kind",
        "name",
        "snapshot",
        "start_date",
        "end_date",
        "status",
        "ended_at",
        "created_at",
        "updated_at",
    }
    assert data["client"] == client_link.pk
    assert data["template"] == template.pk
    assert data["template_version"] == 3
    assert data["kind"] == "workout"
    assert data["name"] == "Strength A"
    assert data["snapshot"] == template.content
    assert data["start_date"] == (today + DAY).isoformat()
    assert data["end_date"] == (today + 30 * DAY).isoformat()
    assert data["status"] == "active"
    assert data["ended_at"] is None
    assert PlanAssignment.objects.get(pk=data["id"]).assigned_by == client_link.trainer


def test_unknown_ids_answer_exactly_like_other_tenants_ids(
    trainer_api, other_trainer, client_link, template, today
):
    foreign_client = ClientFactory(trainer=other_trainer)
    foreign = assign(trainer_api, foreign_client, template, today).json()
    missing = trainer_api.post(
        LIST,
        {"client": 987654, "template": template.pk, "start_date": today.isoformat()},
        format="json",
    ).json()
    assert foreign == missing
    assert foreign["errors"] == [
        {"code": "not_found", "detail": "Client not found.", "attr": "client"}
    ]


def test_both_missing_fields_are_reported(trainer_api, today):
    body = {"client": 10**6, "template": 10**6, "start_date": today.isoformat()}
    response = trainer_api.post(LIST, body, format="json")
    body = assert_error(response, 404)
    assert {e["attr"] for e in body["errors"]} == {"client", "template"}


def test_an_archived_template_cannot_be_assigned(trainer_api, client_link, template, today):
    template.is_archived = True
    template.save()
    response = assign(trainer_api, client_link, template, today)
    assert_error(response, 400, "archived", "template")
    assert PlanAssignment.objects.count() == 0


def test_a_deactivated_client_cannot_get_a_plan(trainer_api, client_link, template, today):
    client_link.is_active = False
    client_link.save()
    response = assign(trainer_api, client_link, template, today)
    assert_error(response, 400, "client_inactive", "client")
    assert PlanAssignment.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"template": 1, "start_date": "2026-01-01"}, "required", "client"),
        ({"client": 1, "start_date": "2026-01-01"}, "required", "template"),
        ({"client": 1, "template": 1}, "required", "start_date"),
        ({"client": "abc", "template": 1, "start_date": "2026-01-01"}, "invalid", "client"),
        ({"client": 1.5, "template": 1, "start_date": "2026-01-01"}, "invalid", "client"),
        ({"client": 10**30, "template": 1, "start_date": "2026-01-01"}, "max_value", "client"),
        ({"client": 0, "template": 1, "start_date": "2026-01-01"}, "min_value", "client"),
        ({"client": None, "template": 1, "start_date": "2026-01-01"}, "null", "client"),
        ({"client": 1, "template": [1], "start_date": "2026-01-01"}, "invalid", "template"),
        ({"client": 1, "template": 1, "start_date": "2026-13-01"}, "invalid", "start_date"),
        ({"client": 1, "template": 1, "start_date": "0001-01-01"}, "invalid", "start_date"),
        ({"client": 1, "template": 1, "start_date": "yesterday"}, "invalid", "start_date"),
        (
            {"client": 1, "template": 1, "start_date": "2026-01-10", "end_date": "2026-01-09"},
            "invalid",
            "end_date",
        ),
        (
            {"client": 1, "template": 1, "start_date": "2026-01-10", "end_date": "9999-12-31"},
            "invalid",
            "end_date",
        ),
        (
            {"client": 1, "template": 1, "start_date": "2026-01-10", "snapshot": {}},
            "unknown_field",
            "snapshot",
        ),
    ],
)
def test_it_rejects_bad_assignment_input(trainer_api, body, code, attr):
    assert_error(trainer_api.post(LIST, body, format="json"), 400, code, attr)
    assert PlanAssignment.objects.count() == 0


def test_an_open_end_date_may_be_null(trainer_api, client_link, template, today):
    body = {
        "client": client_link.pk,
        "template": template.pk,
        "start_date": today.isoformat(),
        "end_date": None,
    }
    response = trainer_api.post(LIST, body, format="json")
    assert response.status_code == 201
    assert response.json()["end_date"] is None


def test_assigning_sends_plan_assigned_inside_the_transaction(
    trainer_api, client_link, template, today
):
    seen = []

    def receiver(sender, assignment, **kwargs):
        seen.append((assignment.pk, connection.in_atomic_block))

    plan_assigned.connect(receiver, dispatch_uid="test-plan-assigned")
    try:
        response = assign(trainer_api, client_link, template, today)
    finally:
        plan_assigned.disconnect(dispatch_uid="test-plan-assigned")
    assert seen == [(response.json()["id"], True)]


# --- one active assignment per client and kind -----------------------------------------


def test_a_new_plan_ends_the_previous_one_the_day_before_it_starts(
    trainer_api, client_link, template, today
):
    previous = PlanAssignmentFactory(
        client=client_link, template=template, start_date=today - 10 * DAY
    )
    response = assign(trainer_api, client_link, template, today + 7 * DAY)
    assert response.status_code == 201
    previous.refresh_from_db()
    assert previous.end_date == today + 6 * DAY
    # It still runs until then.
    assert previous.status == "active"
    assert previous.ended_at is None


def test_a_new_plan_starting_today_ends_the_previous_one_yesterday(
    trainer_api, client_link, template, today
):
    previous = PlanAssignmentFactory(
        client=client_link, template=template, start_date=today - 10 * DAY
    )
    assign(trainer_api, client_link, template, today)
    previous.refresh_from_db()
    assert previous.end_date == today - DAY
    assert previous.status == "ended"
    assert previous.ended_at is not None


@pytest.mark.parametrize("offset", [0, 3])
def test_a_plan_that_would_start_on_or_after_the_new_one_is_cancelled(
    trainer_api, client_link, template, today, offset
):
    previous = PlanAssignmentFactory(
        client=client_link, template=template, start_date=today + offset * DAY
    )
    response = assign(trainer_api, client_link, template, today)
    assert response.status_code == 201
    previous.refresh_from_db()
    assert previous.status == "ended"
    assert previous.end_date == previous.start_date
    assert previous.ended_at is not None


def test_a_later_plan_outside_the_new_dates_is_kept(trainer_api, client_link, template, today):
    later = PlanAssignmentFactory(
        client=client_link, template=template, start_date=today + 30 * DAY
    )
    assign(trainer_api, client_link, template, today, today + 29 * DAY)
    later.refresh_from_db()
    assert later.status == "active" and later.end_date is None


def test_plans_of_the_other_kind_and_other_clients_are_untouched(
    trainer_api, trainer, client_link, template, diet_template, today
):
    diet = PlanAssignmentFactory(client=client_link, template=diet_template, start_date=today - DAY)
    sibling = ClientFactory(trainer=trainer)
    theirs = PlanAssignmentFactory(client=sibling, template=template, start_date=today - DAY)
    assign(trainer_api, client_link, template, today)
    for untouched in (diet, theirs):
        untouched.refresh_from_db()
        assert untouched.status == "active" and untouched.end_date is None


def test_exactly_one_active_plan_covers_each_day_after_reassigning(
    trainer_api, client_link, template, today
):
    for offset in (0, 5, 2, 5, 9):
        assert assign(trainer_api, client_link, template, today + offset * DAY).status_code == 201
    active = PlanAssignment.objects.filter(status="active")
    for day in range(-2, 20):
        on = today + day * DAY
        covering = [
            a for a in active if a.start_date <= on and (a.end_date is None or on <= a.end_date)
        ]
        assert len(covering) <= 1, (on, covering)


# --- end -------------------------------------------------------------------------------


def test_ending_defaults_to_today(trainer_api, client_link, template, today):
    running = PlanAssignmentFactory(
        client=client_link, template=template, start_date=today - 5 * DAY
    )
    response = trainer_api.post(end_url(running), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "ended"
    assert data["end_date"] == today.isoformat()
    assert data["ended_at"] is not None


def test_ending_on_a_past_date(trainer_api, client_link, template, today):
    running = PlanAssignmentFactory(
        client=client_link, template=template, start_date=today - 5 * DAY
    )
    body = {"end_date": (today - 2 * DAY).isoformat()}
    data = trainer_api.post(end_url(running), body, format="json").json()
    assert (data["status"], data["end_date"]) == ("ended", (today - 2 * DAY).isoformat())


def test_ending_on_a_future_date_schedules_the_end(trainer_api, assignment, today):
    body = {"end_date": (today + 3 * DAY).isoformat()}
    data = trainer_api.post(end_url(assignment), body, format="json").json()
    assert (data["status"], data["end_date"]) == ("active", (today + 3 * DAY).isoformat())
    assert data["ended_at"] is None


def test_ending_a_plan_that_has_not_started_cancels_it(trainer_api, client_link, template, today):
    future = PlanAssignmentFactory(
        client=client_link, template=template, start_date=today + 5 * DAY
    )
    data = trainer_api.post(end_url(future), format="json").json()
    assert data["status"] == "ended"
    assert data["end_date"] == (today + 5 * DAY).isoformat()


def test_ending_never_extends_a_plan(trainer_api, client_link, template, today):
    short = PlanAssignmentFactory(
        client=client_link, template=template, start_date=today - 9 * DAY, end_date=today - 3 * DAY
    )
    body = {"end_date": today.isoformat()}
    assert_error(trainer_api.post(end_url(short), body, format="json"), 400, "invalid", "end_date")
    data = trainer_api.post(end_url(short), format="json").json()
    assert (data["status"], data["end_date"]) == ("ended", (today - 3 * DAY).isoformat())


def test_ending_twice_is_a_conflict(trainer_api, assignment):
    assert trainer_api.post(end_url(assignment)).status_code == 200
    assert_error(trainer_api.post(end_url(assignment)), 409, "already_ended")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"end_date": "not-a-date"}, "invalid"),
        ({"end_date": "1999-12-31"}, "invalid"),
        ({"end_date": 20260101}, "invalid"),
    ],
)
def test_it_rejects_bad_end_input(trainer_api, assignment, body, code):
    assert_error(trainer_api.post(end_url(assignment), body, format="json"), 400, code, "end_date")


def test_the_end_date_cannot_precede_the_start(trainer_api, assignment, today):
    body = {"end_date": (today - DAY).isoformat()}
    assert_error(
        trainer_api.post(end_url(assignment), body, format="json"), 400, "invalid", "end_date"
    )


def test_the_end_action_takes_no_other_fields(trainer_api, assignment):
    response = trainer_api.post(end_url(assignment), {"snapshot": {}}, format="json")
    assert_error(response, 400, "unknown_field", "snapshot")


# --- list ------------------------------------------------------------------------------


def test_the_list_filters_by_client_kind_and_status(
    trainer_api, trainer, client_link, template, diet_template, today
):
    sibling = ClientFactory(trainer=trainer)
    a = PlanAssignmentFactory(client=client_link, template=template, start_date=today)
    b = PlanAssignmentFactory(client=client_link, template=diet_template, start_date=today)
    c = PlanAssignmentFactory(
        client=sibling,
        template=template,
        start_date=today - 9 * DAY,
        end_date=today - DAY,
        status="ended",
    )

    def ids(query):
        response = trainer_api.get(LIST + query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {a.pk, b.pk, c.pk}
    assert ids(f"?client={client_link.pk}") == {a.pk, b.pk}
    assert ids("?kind=diet") == {b.pk}
    assert ids("?status=ended") == {c.pk}
    assert ids(f"?client={sibling.pk}&status=active") == set()


@pytest.mark.parametrize(
    ("query", "attr"),
    [
        ("?client=abc", "client"),
        ("?client=1.5", "client"),
        ("?kind=x", "kind"),
        ("?status=x", "status"),
    ],
)
def test_bad_list_filters_are_a_400(trainer_api, query, attr):
    assert_error(trainer_api.get(LIST + query), 400, attr=attr)


def test_a_huge_client_filter_is_a_400_not_a_crash(trainer_api):
    assert_error(trainer_api.get(LIST + "?client=" + "9" * 30), 400, attr="client")


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("actor", ["trainer_api", "client_api"])
def test_the_list_runs_a_fixed_number_of_queries(
    request, client_link, template, django_assert_num_queries, rows, actor
):
    for _ in range(rows):
        PlanAssignmentFactory(client=client_link, template=template, status="ended")
    api = request.getfixturevalue(actor)
    # user (JWT, with a client's link), page (a last page counts its own rows)
    with django_assert_num_queries(2):
        response = api.get(LIST + "?page_size=100")
    assert len(response.json()["results"]) == rows


# --- the snapshot never changes --------------------------------------------------------


def test_editing_the_template_leaves_the_snapshot_byte_for_byte(
    trainer_api, client_link, template, today
):
    created = assign(trainer_api, client_link, template, today).json()
    assignment = PlanAssignment.objects.get(pk=created["id"])
    before = raw_snapshot(assignment)
    new_content = {
        "days": [{"name": "Other", "exercises": [{"name": "Lunge", "sets": 2, "reps": 20}]}]
    }
    response = trainer_api.put(
        f"/api/v1/templates/{template.pk}/",
        {"name": "Renamed", "content": new_content},
        format="json",
    )
    assert response.status_code == 200
    assert raw_snapshot(assignment) == before
    data = trainer_api.get(detail(assignment)).json()
    assert data["snapshot"] == created["snapshot"]
    assert data["name"] == "Strength A"
    assert data["template_version"] == 1


def test_deleting_the_template_leaves_the_snapshot_byte_for_byte(
    trainer_api, client_link, template, today
):
    created = assign(trainer_api, client_link, template, today).json()
    assignment = PlanAssignment.objects.get(pk=created["id"])
    before = raw_snapshot(assignment)
    assert trainer_api.delete(f"/api/v1/templates/{template.pk}/").status_code == 204
    assert raw_snapshot(assignment) == before
    data = trainer_api.get(detail(assignment)).json()
    assert data["template"] is None
    assert data["snapshot"] == created["snapshot"]


def test_ending_an_assignment_leaves_the_snapshot_byte_for_byte(trainer_api, assignment):
    before = raw_snapshot(assignment)
    trainer_api.post(end_url(assignment))
    assert raw_snapshot(assignment) == before
