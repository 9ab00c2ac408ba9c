"""Api-Key authentication: the same tenant rules as the owner's JWT; revoked, expired and
orphaned keys refused at once; last_used_at written at most once a minute."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StudioRole
from accounts.services import member_remove
from accounts.tests.studio import studio_member
from clients.tests.factories import ClientFactory
from conftest import assert_error, auth_client
from integrations.models import ApiKey
from integrations.tests.factories import key_client, make_key

CLIENTS = reverse("client-list")


def client_detail(link) -> str:
    return reverse("client-detail", args=[link.pk])


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key nonsense",
        "Api-Key fbk_000000000000_wrong",
        "Api-Key",
        "Api-Key two parts",
        "api-key fbk_",
        "Api-Key fbk_\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00_secret",
        "Api-Key fbk_0123456789ab_" + "x" * 5000,
    ],
)
def test_a_malformed_or_unknown_key_is_a_401(header, trainer, api_client):
    make_key(trainer)
    api_client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(api_client.get(CLIENTS), 401, "api_key_invalid")


def test_a_wrong_secret_with_a_real_prefix_is_a_401(trainer):
    _, raw = make_key(trainer)
    assert_error(key_client(raw[:-2] + "xx").get(CLIENTS), 401, "api_key_invalid")


def test_the_keyword_is_case_insensitive(trainer, client_link):
    _, raw = make_key(trainer)
    api = key_client(raw)
    api.credentials(HTTP_AUTHORIZATION=f"api-key {raw}")
    assert ids(api.get(CLIENTS)) == [client_link.pk]


def test_a_key_expires_on_its_expiry(trainer, client_link):
    expires = timezone.now() + dt.timedelta(days=1)
    _, raw = make_key(trainer, expires_at=expires)
    api = key_client(raw)
    assert api.get(CLIENTS).status_code == 200
    with time_machine.travel(expires + dt.timedelta(seconds=1)):
        assert_error(api.get(CLIENTS), 401, "api_key_expired")


def test_a_deactivated_owner_s_keys_stop_working(trainer, client_link):
    _, raw = make_key(trainer)
    trainer.is_active = False
    trainer.save()
    assert_error(key_client(raw).get(CLIENTS), 401, "api_key_owner_inactive")


def test_a_removed_member_s_keys_stop_working(trainer, client_link):
    coach = studio_member(trainer, role=StudioRole.COACH)
    _, raw = make_key(coach)
    assert key_client(raw).get(CLIENTS).status_code == 200

    member_remove(actor=trainer, member=coach.membership)
    # Their account lives on in a studio of its own; the key was made for the old one.
    assert_error(key_client(raw).get(CLIENTS), 401, "api_key_owner_inactive")


def test_a_key_sees_what_its_owner_sees_and_no_other_studio(
    trainer, client_link, other_client_link
):
    _, raw = make_key(trainer, scopes=["write:clients"])
    api = key_client(raw)
    assert ids(api.get(CLIENTS)) == ids(auth_client(trainer).get(CLIENTS)) == [client_link.pk]
    assert_error(api.get(client_detail(other_client_link)), 404)
    assert_error(api.patch(client_detail(other_client_link), {"goals": "x"}, format="json"), 404)
    assert_error(api.get(reverse("client-note-list", args=[other_client_link.pk])), 404)
    assert api.get(client_detail(client_link)).status_code == 200


def test_a_coach_s_key_sees_only_the_coach_s_clients(trainer, client_link):
    coach = studio_member(trainer, role=StudioRole.COACH)
    own = ClientFactory(trainer=coach)
    _, raw = make_key(coach, scopes=["read:clients"])
    api = key_client(raw)

    assert ids(api.get(CLIENTS)) == ids(auth_client(coach).get(CLIENTS)) == [own.pk]
    assert_error(api.get(client_detail(client_link)), 404)


def test_a_key_writes_as_its_owner(trainer, client_link):
    _, raw = make_key(trainer, scopes=["write:clients"])
    response = key_client(raw).patch(
        client_detail(client_link), {"goals": "Run 10k"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["goals"] == "Run 10k"


def test_last_used_is_written_at_most_once_a_minute(trainer, client_link):
    key, raw = make_key(trainer)
    api = key_client(raw)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get(CLIENTS)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == start

    with (
        time_machine.travel(start + dt.timedelta(seconds=30), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        api.get(CLIENTS)
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]
    assert ApiKey.objects.get(pk=key.pk).last_used_at == start

    later = start + dt.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api.get(CLIENTS)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == later


def test_a_keyed_read_costs_one_query_more_than_a_jwt_read(
    trainer, client_link, django_assert_num_queries
):
    _, raw = make_key(trainer)
    api, jwt = key_client(raw), auth_client(trainer)
    api.get(CLIENTS), jwt.get(CLIENTS)  # warm: last_used_at written, responses cached
    with CaptureQueriesContext(connection) as by_jwt:
        assert jwt.get(CLIENTS).status_code == 200
    with CaptureQueriesContext(connection) as by_key:
        assert api.get(CLIENTS).status_code == 200
    assert len(by_key) == len(by_jwt) + 1  # the key's row


def test_jwt_responses_carry_no_rate_limit_headers(trainer_api):
    assert "RateLimit-Limit" not in trainer_api.get(CLIENTS)


ALL_WRITES = [
    "write:clients",
    "write:plans",
    "write:progress",
    "write:coaching",
    "write:billing",
    "write:messages",
]


def _objects_of(link):
    from billing.tests.factories import SubscriptionPlanFactory
    from coaching.tests.factories import HabitFactory
    from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory
    from progress.tests.factories import WorkoutLogFactory

    return {
        "template-detail": PlanTemplateFactory(trainer=link.trainer).pk,
        "assignment-detail": PlanAssignmentFactory(client=link).pk,
        "workout-log-detail": WorkoutLogFactory(client=link).pk,
        "billing-plan-detail": SubscriptionPlanFactory(trainer=link.trainer).pk,
        "habit-detail": HabitFactory(client=link).pk,
        "client-detail": link.pk,
    }


def test_another_studio_s_objects_are_404_to_a_key_with_every_scope(
    trainer, client_link, other_client_link
):
    _, raw = make_key(trainer, scopes=ALL_WRITES)
    api = key_client(raw)
    for name, pk in _objects_of(other_client_link).items():
        url = reverse(name, args=[pk])
        assert_error(api.get(url), 404)
        # Assignments are never edited, logs are written by clients only (403 to trainers).
        if name not in ("assignment-detail", "workout-log-detail"):
            assert_error(api.patch(url, {}, format="json"), 404)
    for name, pk in _objects_of(client_link).items():
        assert api.get(reverse(name, args=[pk])).status_code == 200, name
