"""automations/ through real URLs and JWTs: CRUD, dry run, log, catalogue, isolation."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import StudioMember
from accounts.tests.factories import TrainerFactory
from clients.tests.factories import ClientFactory
from coaching.models import Automation
from coaching.services import automations as services
from conftest import assert_error, auth_client
from plans.tests.factories import PlanTemplateFactory

pytestmark = pytest.mark.django_db

LIST = reverse("automation-list")
CATALOGUE = reverse("automation-catalogue")
BODY = {
    "name": "Nudge",
    "trigger": {"type": "no_workout", "days": 3},
    "action": {"type": "notify_client", "title": "Missing you", "body": "Go!"},
}


def detail(pk):
    return reverse("automation-detail", args=[pk])


def rule(trainer, **kw):
    return services.automation_create(
        trainer=trainer,
        name=kw.pop("name", "Rule"),
        trigger=kw.pop("trigger", BODY["trigger"]),
        action=kw.pop("action", BODY["action"]),
        **kw,
    )


def coach_of(owner):
    coach = TrainerFactory(full_name="Cody Coach")
    StudioMember.objects.filter(user=coach).update(
        studio_id=owner.membership.studio_id, role="coach"
    )
    coach.refresh_from_db()
    return coach


def test_a_trainer_creates_reads_changes_and_deletes_a_rule(trainer_api, client_link):
    response = trainer_api.post(LIST, {**BODY, "clients": [client_link.pk]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["trigger"] == BODY["trigger"]
    assert body["action"] == BODY["action"]
    assert body["clients"] == [client_link.pk]
    assert body["is_active"] is True
    pk = body["id"]
    assert trainer_api.get(detail(pk)).json()["name"] == "Nudge"
    response = trainer_api.patch(detail(pk), {"is_active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["clients"] == [client_link.pk]
    response = trainer_api.put(detail(pk), BODY, format="json")
    assert response.status_code == 200
    assert response.json()["clients"] == []
    assert trainer_api.delete(detail(pk)).status_code == 204
    assert not Automation.objects.exists()


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"trigger": {"type": "sometimes"}}, "trigger.type"),
        ({"trigger": {"type": "no_workout", "days": 0}}, "trigger.days"),
        ({"trigger": {"type": "no_workout", "days": 3, "extra": 1}}, "trigger.extra"),
        (
            {"trigger": {"type": "checkin_missing", "weekday": 7, "time": "18:00"}},
            "trigger.weekday",
        ),
        ({"trigger": {"type": "checkin_missing", "weekday": 6, "time": "24:00"}}, "trigger.time"),
        ({"trigger": {"type": "event", "event": "automation.fired"}}, "trigger.event"),
        ({"trigger": "no_workout"}, "trigger"),
        ({"action": {"type": "notify_client"}}, "action.title"),
        ({"action": {"type": "assign_template", "template": "x"}}, "action.template"),
        ({"name": 5}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_rules_are_400_naming_the_field(trainer_api, change, attr):
    response = trainer_api.post(LIST, {**BODY, **change}, format="json")
    assert_error(response, 400, attr=attr)


def test_a_template_or_client_of_another_trainer_is_refused(
    trainer_api, other_trainer, other_client_link
):
    theirs = PlanTemplateFactory(trainer=other_trainer)
    action = {"type": "assign_template", "template": theirs.pk}
    assert_error(
        trainer_api.post(LIST, {**BODY, "action": action}, format="json"),
        400,
        "not_found",
        "action.template",
    )
    body = {**BODY, "clients": [other_client_link.pk]}
    assert_error(trainer_api.post(LIST, body, format="json"), 400, "not_found", "clients")


def test_a_rule_on_plan_assigned_cannot_assign_a_template(trainer, trainer_api):
    template = PlanTemplateFactory(trainer=trainer)
    body = {
        **BODY,
        "trigger": {"type": "event", "event": "plan.assigned"},
        "action": {"type": "assign_template", "template": template.pk},
    }
    assert_error(trainer_api.post(LIST, body, format="json"), 400, "automation_loop", "action.type")


def test_other_studios_see_404_and_clients_403(
    trainer, other_trainer_api, client_api, other_client_api
):
    automation = rule(trainer)
    for url in (detail(automation.pk), reverse("automation-runs", args=[automation.pk])):
        assert_error(other_trainer_api.get(url), 404)
        assert_error(client_api.get(url), 403)
    assert_error(
        other_trainer_api.patch(detail(automation.pk), {"is_active": False}, format="json"), 404
    )
    assert_error(other_trainer_api.delete(detail(automation.pk)), 404)
    assert_error(other_trainer_api.post(reverse("automation-dry-run", args=[automation.pk])), 404)
    assert other_trainer_api.get(LIST).json()["count"] == 0
    for api in (client_api, other_client_api):
        assert_error(api.get(LIST), 403)
        assert_error(api.post(LIST, BODY, format="json"), 403)
        assert_error(api.get(CATALOGUE), 403)
        assert_error(
            api.post(reverse("automation-install", args=["welcome"]), {}, format="json"), 403
        )


def test_a_coach_sees_their_own_rules_and_the_owner_sees_the_studios(trainer):
    coach = coach_of(trainer)
    mine, theirs = rule(trainer, name="Owner's"), rule(coach, name="Coach's")
    coach_api = auth_client(coach)
    assert [r["id"] for r in coach_api.get(LIST).json()["results"]] == [theirs.pk]
    assert_error(coach_api.get(detail(mine.pk)), 404)
    owner_ids = {r["id"] for r in auth_client(trainer).get(LIST).json()["results"]}
    assert owner_ids == {mine.pk, theirs.pk}
    response = auth_client(trainer).patch(detail(theirs.pk), {"name": "Renamed"}, format="json")
    assert response.status_code == 200


def test_dry_run_says_who_and_why_without_firing(trainer):
    with time_machine.travel(dt.datetime(2028, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        ClientFactory(
            trainer=trainer,
            user__full_name="Ida Idle",
            joined_at=dt.datetime(2028, 2, 1, tzinfo=dt.UTC),
        )
        automation = rule(trainer)
        # The token is issued at the travelled-to instant.
        response = auth_client(trainer).post(reverse("automation-dry-run", args=[automation.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["audience"] == 1
    [match] = body["matches"]
    assert match["client_name"] == "Ida Idle"
    assert match["period_key"] == "no_workout:2028-02-01"
    assert "No workout for 28 days" in match["reason"]
    assert match["already_fired"] is False
    assert not automation.runs.exists()


def test_dry_run_of_an_event_rule_counts_its_audience(trainer, trainer_api, client_link):
    automation = rule(trainer, trigger={"type": "event", "event": "invite.accepted"})
    body = trainer_api.post(reverse("automation-dry-run", args=[automation.pk])).json()
    assert (body["audience"], body["matches"], body["trigger_type"]) == (1, [], "event")


@pytest.mark.parametrize("size", [2, 8])
def test_lists_run_a_fixed_number_of_queries(
    trainer, trainer_api, client_link, size, django_assert_max_num_queries
):
    for i in range(size):
        automation = rule(trainer, name=f"R{i}", clients=[client_link.pk])
    for i in range(size):
        automation.runs.create(client=client_link, period_key=f"k{i}", reason="r", action={})
    with django_assert_max_num_queries(5):
        assert len(trainer_api.get(LIST).json()["results"]) == size
    with django_assert_max_num_queries(6):
        response = trainer_api.get(reverse("automation-runs", args=[automation.pk]))
    assert len(response.json()["results"]) == size
    assert response.json()["results"][0]["client_name"] == "Cleo Client"


def test_the_catalogue_lists_and_installs_in_one_click(trainer, trainer_api):
    entries = trainer_api.get(CATALOGUE).json()
    keys = {entry["key"] for entry in entries}
    assert {"welcome", "inactivity_nudge", "checkin_reminder", "subscription_ending"} <= keys
    response = trainer_api.post(
        reverse("automation-install", args=["checkin_reminder"]), {}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["trigger"] == {"type": "checkin_missing", "weekday": 6, "time": "18:00"}
    assert Automation.objects.get().trainer == trainer
    assert_error(
        trainer_api.post(reverse("automation-install", args=["nope"]), {}, format="json"), 404
    )
    assert_error(
        trainer_api.post(reverse("automation-install", args=["welcome"]), {"x": 1}, format="json"),
        400,
        "unknown_field",
    )
