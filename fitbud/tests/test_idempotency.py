"""Idempotency-Key on every create (fitbud/api/idempotency.py): a retry replays the first
answer and creates nothing; the same key with another body is a 422; keys are per user and
last 24 hours."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import StudioInvite
from billing.models import SubscriptionPlan
from clients.models import ClientAccess, ClientNote, Invite
from clients.tests.factories import studio_member
from coaching.models import Automation, CheckInForm, FormAssignment, Habit
from coaching.tests.factories import QUESTIONS, CheckInFormFactory
from conftest import assert_error, auth_client, url_routes
from exercises.models import Exercise
from exercises.tests.factories import ExerciseFactory
from fitbud.api.idempotency import purge_expired
from fitbud.api.models import IdempotencyRecord
from messaging.models import Broadcast, Conversation, Message
from messaging.services import conversation_for
from plans.models import PlanAssignment, PlanTemplate
from plans.tests.factories import PlanTemplateFactory
from progress.models import MetricType

pytestmark = pytest.mark.django_db

V1 = "/api/v1/"
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "Squat", "sets": 3, "reps": 5}]}]}


def _grant(c):
    coach = studio_member(c.trainer.membership.studio, role="coach")
    return f"clients/{c.pk}/access/", {"member": coach.membership.pk, "domains": ["notes"]}


def _global_exercise(c):
    return f"exercises/{ExerciseFactory(owner=None, studio=None).pk}/copy/", {}


# handler: (setup(client_link) -> (path, body), model counted). Every create the trainer sends.
CASES = {
    "InviteViewSet.create": (
        lambda c: ("invites/", {"email": "new@example.com", "full_name": "Nia New"}),
        Invite,
    ),
    "ClientNoteViewSet.create": (lambda c: (f"clients/{c.pk}/notes/", {"body": "Hi"}), ClientNote),
    "ClientAccessViewSet.create": (_grant, ClientAccess),
    "TemplateViewSet.create": (
        lambda c: ("templates/", {"kind": "workout", "name": "Legs", "content": WORKOUT}),
        PlanTemplate,
    ),
    "TemplateViewSet.duplicate": (
        lambda c: (f"templates/{PlanTemplateFactory(trainer=c.trainer).pk}/duplicate/", {}),
        PlanTemplate,
    ),
    "AssignmentViewSet.create": (
        lambda c: (
            "assignments/",
            {
                "template": PlanTemplateFactory(trainer=c.trainer).pk,
                "client": c.pk,
                "start_date": str(timezone.localdate()),
            },
        ),
        PlanAssignment,
    ),
    "PlanViewSet.create": (
        lambda c: (
            "billing/plans/",
            {"name": "Monthly", "price": 9900, "currency": "EUR", "interval": "month"},
        ),
        SubscriptionPlan,
    ),
    "HabitViewSet.create": (
        lambda c: (
            "habits/",
            {
                "client": c.pk,
                "title": "Drink water",
                "frequency": "daily",
                "start_date": "2026-03-01",
            },
        ),
        Habit,
    ),
    "FormViewSet.create": (
        lambda c: ("forms/", {"name": "Weekly", "kind": "weekly", "questions": QUESTIONS}),
        CheckInForm,
    ),
    "FormViewSet.assign": (
        lambda c: (
            f"forms/{CheckInFormFactory(trainer=c.trainer).pk}/assign/",
            {"client": c.pk},
        ),
        FormAssignment,
    ),
    "AutomationViewSet.create": (
        lambda c: (
            "automations/",
            {
                "name": "Nudge",
                "trigger": {"type": "no_workout", "days": 3},
                "action": {"type": "notify_client", "title": "Missing you", "body": "Go!"},
            },
        ),
        Automation,
    ),
    "CatalogueInstallView.post": (
        lambda c: ("automations/templates/checkin_reminder/install/", {}),
        Automation,
    ),
    "ExerciseViewSet.create": (
        lambda c: (
            "exercises/",
            {"name": "Paused bench", "category": "strength"},
        ),
        Exercise,
    ),
    "ExerciseViewSet.copy": (_global_exercise, Exercise),
    "MetricTypeViewSet.create": (
        lambda c: ("metric-types/", {"name": "Resting pulse", "unit": "bpm", "kind": "number"}),
        MetricType,
    ),
    "ConversationListView.post": (lambda c: ("conversations/", {"client": c.pk}), Conversation),
    "MessageListView.post": (
        lambda c: (
            f"conversations/{conversation_for(trainer=c.trainer, client=c)[0].pk}/messages/",
            {"body": "See you Monday"},
        ),
        Message,
    ),
    "BroadcastListView.post": (
        lambda c: ("broadcasts/", {"body": "Gym closed Friday", "all_active": True}),
        Broadcast,
    ),
    "MemberListView.post": (
        lambda c: (
            "studio/members/",
            {"email": "coach@example.com", "full_name": "Cody Coach", "role": "coach"},
        ),
        StudioInvite,
    ),
}


def _post(api, path, body, key):
    return api.post(V1 + path, body, format="json", headers={"Idempotency-Key": key})


def _idempotent_handlers() -> set[str]:
    found = set()
    for _route, callback in url_routes():
        cls = getattr(callback, "cls", None)
        if cls is None:
            continue
        names = (getattr(callback, "actions", None) or {}).values() or ["post"]
        for name in {*names, "post"}:
            if getattr(getattr(cls, name, None), "idempotent", False):
                found.add(f"{cls.__name__}.{name}")
    return found


def test_every_idempotent_create_is_tested_here():
    assert _idempotent_handlers() == set(CASES)


@pytest.mark.parametrize("handler", sorted(CASES))
def test_a_retry_replays_the_first_answer_and_creates_nothing(handler, client_link, trainer_api):
    setup, model = CASES[handler]
    path, body = setup(client_link)
    before = model.objects.count()

    first = _post(trainer_api, path, body, "key-1")
    assert first.status_code in (200, 201, 202), first.content
    assert "Idempotent-Replayed" not in first
    retry = _post(trainer_api, path, body, "key-1")

    assert retry.status_code == first.status_code
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert model.objects.count() == before + 1

    mismatch = _post(trainer_api, path, {**body, "other": 1}, "key-1")
    assert_error(mismatch, 422, "idempotency_key_mismatch")
    assert model.objects.count() == before + 1


def test_without_a_key_every_post_creates(client_link, trainer_api):
    body = {"kind": "workout", "name": "Legs", "content": WORKOUT}
    trainer_api.post(f"{V1}templates/", body, format="json")
    trainer_api.post(f"{V1}templates/", body, format="json")
    assert PlanTemplate.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_the_same_key_on_another_endpoint_is_a_mismatch(client_link, trainer_api):
    notes = f"clients/{client_link.pk}/notes/"
    assert _post(trainer_api, notes, {"body": "Hi"}, "k").status_code == 201
    assert_error(
        _post(trainer_api, "billing/plans/", {"body": "Hi"}, "k"), 422, "idempotency_key_mismatch"
    )


def test_another_user_s_key_never_replays_their_answer(trainer, other_trainer_api, trainer_api):
    body = {"name": "Monthly", "price": 9900, "currency": "EUR", "interval": "month"}
    mine = _post(trainer_api, "billing/plans/", body, "shared-key")
    theirs = _post(other_trainer_api, "billing/plans/", body, "shared-key")

    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != mine.json()["id"]
    assert SubscriptionPlan.objects.count() == 2


def test_an_error_is_not_stored_and_the_key_can_be_used_again(client_link, trainer_api):
    bad = _post(trainer_api, "billing/plans/", {"name": ""}, "k")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    body = {"name": "Monthly", "price": 9900, "currency": "EUR", "interval": "month"}
    assert _post(trainer_api, "billing/plans/", body, "k").status_code == 201


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "clé"])
def test_a_malformed_key_is_a_400(trainer_api, key):
    response = trainer_api.post(
        f"{V1}billing/plans/", {}, format="json", headers={"Idempotency-Key": key}
    )
    assert_error(response, 400, "invalid_idempotency_key")


def test_a_key_is_kept_24_hours_then_free_again_and_purged(trainer):
    body = {"name": "Monthly", "price": 9900, "currency": "EUR", "interval": "month"}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = _post(auth_client(trainer), "billing/plans/", body, "day-key")
    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        retry = _post(auth_client(trainer), "billing/plans/", body, "day-key")
        assert retry.json() == first.json()
        assert purge_expired() == 0
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        # Past 24 h the key is new again (the purge may not have run yet).
        again = _post(auth_client(trainer), "billing/plans/", body, "day-key")
        assert again.status_code == 201
        assert again.json()["id"] != first.json()["id"]
        assert IdempotencyRecord.objects.count() == 1
    with time_machine.travel(start + timedelta(hours=48, seconds=2), tick=False):
        assert purge_expired() == 1
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_object_and_answer_the_same(client_link):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    trainer = client_link.trainer
    body = {"kind": "workout", "name": "Legs", "content": WORKOUT}
    barrier = threading.Barrier(4)
    responses = []

    def send() -> None:
        api = auth_client(trainer)
        barrier.wait()
        try:
            responses.append(_post(api, "templates/", body, "race-key"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert PlanTemplate.objects.filter(trainer=trainer).count() == 1
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 3


def test_a_key_costs_a_few_statements_and_a_replay_only_a_lookup(client_link, trainer_api):
    body = {"name": "Monthly", "price": 9900, "currency": "EUR", "interval": "month"}
    url = f"{V1}billing/plans/"

    def count(send) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert send().status_code == 201
        return len(queries)

    plain = count(lambda: trainer_api.post(url, body, format="json"))
    keyed = count(lambda: _post(trainer_api, "billing/plans/", body, "cost-key"))
    replay = count(lambda: _post(trainer_api, "billing/plans/", body, "cost-key"))
    # Look the key up, insert it (in a savepoint), store the answer; a replay only looks up.
    # (+2 for the savepoint the outer transaction becomes inside a test's transaction.)
    assert keyed - plain == 5 + 2
    assert replay == 1 + 3  # the authentication's query, the lookup (+ that savepoint)
