"""Cache faults (fitbud/cache.py, fitbud/api/response_cache.py, accounts/authentication.py).

With the project's Redis backend for real: a Redis that refuses connections (down), one that
accepts and never answers (hung, or partitioned: packets dropped), and a real Redis that
comes back with the entries it had before a write (restarted from an old dump). In none of
them may a committed write be hidden by a cached read, or a revoked credential be accepted;
a hung Redis costs one timeout, after which the circuit breaker skips it.
"""

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD
from clients.models import Client
from conftest import assert_error, auth_client, closed_port, use_redis_cache
from fitbud import cache as fitbud_cache
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory

CLIENTS = reverse("client-list")
ME = reverse("auth-me")
TODAY = reverse("me-today")
CHANGE = reverse("auth-password-change")
WORKOUTS = reverse("workout-log-list")
NEW = "glacier-mango-trumpet-7"


def workout():
    return {
        "id": str(uuid.uuid4()),
        "date": dt.date.today().isoformat(),
        "exercises": [{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}],
    }


def goals_of_first_client(api) -> str:
    response = api.get(CLIENTS)
    assert response.status_code == 200, response.content
    return response.json()["results"][0]["goals"]


def set_goals(client_link, goals: str) -> None:
    link = Client.objects.get(pk=client_link.pk)
    link.goals = goals
    link.save()


# --- down: nothing listens ----------------------------------------------------------------


def test_a_down_cache_serves_from_the_database_and_opens_the_breaker(
    settings, trainer_api, client_link
):
    use_redis_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")
    assert goals_of_first_client(trainer_api) == ""
    assert cache.breaker.is_open
    set_goals(client_link, "Deadlift 200")
    assert goals_of_first_client(trainer_api) == "Deadlift 200"


def test_a_write_while_the_cache_is_down_answers_normally(settings, client_api, client_link):
    PlanAssignmentFactory(client=client_link)
    use_redis_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")
    assert client_api.post(WORKOUTS, workout(), format="json").status_code == 201
    assert len(client_api.get(TODAY).json()["logged"]["workouts"]) == 1


# --- hung (or partitioned): accepts, never answers ----------------------------------------


def test_a_hung_cache_costs_one_timeout_then_is_skipped(
    settings, trainer_api, client_link, hung_server
):
    use_redis_cache(settings, f"redis://127.0.0.1:{hung_server.port}/0")
    breaker = cache.breaker
    assert goals_of_first_client(trainer_api) == ""  # one get timed out: from the database
    assert breaker.is_open
    assert breaker.attempts == 1
    accepted = hung_server.accepted

    set_goals(client_link, "Deadlift 200")
    for _ in range(5):
        assert goals_of_first_client(trainer_api) == "Deadlift 200"
        assert trainer_api.get(ME).status_code == 200
    # No further attempt reached the network: no call, no new connection.
    assert breaker.attempts == 1
    assert hung_server.accepted == accepted


def test_after_the_pause_one_probe_goes_through(
    settings, trainer_api, client_link, hung_server, monkeypatch
):
    use_redis_cache(settings, f"redis://127.0.0.1:{hung_server.port}/0")
    now = fitbud_cache.clock()
    monkeypatch.setattr(fitbud_cache, "clock", lambda: now)
    breaker = cache.breaker
    goals_of_first_client(trainer_api)
    assert breaker.attempts == 1

    later = now + settings.CACHE_BREAKER_SECONDS + 1
    monkeypatch.setattr(fitbud_cache, "clock", lambda: later)
    goals_of_first_client(trainer_api)  # the probe (a get) times out: open again
    assert breaker.attempts == 2
    assert breaker.is_open
    goals_of_first_client(trainer_api)  # ... and skipped again for the next pause
    assert breaker.attempts == 2


def test_a_write_never_waits_for_a_hung_cache(settings, client_api, client_link, hung_server):
    PlanAssignmentFactory(client=client_link)
    use_redis_cache(settings, f"redis://127.0.0.1:{hung_server.port}/0")
    assert client_api.post(WORKOUTS, workout(), format="json").status_code == 201
    assert cache.breaker.attempts == 0  # the breaker is still closed: nothing was asked
    assert hung_server.accepted == 0


# --- restarted with old data (a real Redis) -----------------------------------------------


@pytest.mark.redis
def test_the_breaker_closes_when_redis_answers_again(
    real_redis, settings, trainer_api, client_link, monkeypatch
):
    now = fitbud_cache.clock()
    monkeypatch.setattr(fitbud_cache, "clock", lambda: now)
    breaker = cache.breaker
    breaker.failed(ConnectionError("as if Redis had been down"))
    assert cache.get("anything", "missed") == "missed"  # skipped, not asked
    monkeypatch.setattr(fitbud_cache, "clock", lambda: now + settings.CACHE_BREAKER_SECONDS + 1)
    goals_of_first_client(trainer_api)
    assert not breaker.is_open
    assert real_redis.keys()  # the response was stored again


@pytest.mark.redis
def test_redis_back_with_old_entries_does_not_hide_a_write(
    real_redis, settings, trainer_api, client_link, django_assert_num_queries
):
    assert goals_of_first_client(trainer_api) == ""
    with django_assert_num_queries(1):  # a hit in the real Redis
        assert goals_of_first_client(trainer_api) == ""
    before_the_write = real_redis.snapshot()
    assert before_the_write

    use_redis_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")  # Redis goes away
    link = Client.objects.get(pk=client_link.pk)
    response = trainer_api.patch(
        reverse("client-detail", args=[link.pk]), {"goals": "Deadlift 200"}, format="json"
    )
    assert response.status_code == 200, response.content

    use_redis_cache(settings, real_redis.url, prefix=real_redis.prefix)  # back, with old data
    real_redis.restore(before_the_write)
    assert goals_of_first_client(trainer_api) == "Deadlift 200"


@pytest.mark.redis
def test_redis_back_with_old_entries_does_not_hide_a_write_from_the_client(
    real_redis, settings, trainer, client_api, client_link
):
    assert client_api.get(TODAY).json()["workout"] is None
    before_the_write = real_redis.snapshot()

    use_redis_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")
    template = PlanTemplateFactory(trainer=trainer)
    response = auth_client(trainer).post(
        reverse("assignment-list"),
        {"client": client_link.pk, "template": template.pk, "start_date": str(dt.date.today())},
        format="json",
    )
    assert response.status_code == 201, response.content

    use_redis_cache(settings, real_redis.url, prefix=real_redis.prefix)
    real_redis.restore(before_the_write)
    assert client_api.get(TODAY).json()["workout"] is not None


@pytest.mark.redis
def test_a_password_change_during_an_outage_refuses_the_old_token_after_recovery(
    real_redis, settings, trainer, client_link
):
    old = auth_client(trainer)
    assert goals_of_first_client(old) == ""  # cached, with whatever Redis knows of the user
    before_the_change = real_redis.snapshot()

    use_redis_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")
    response = old.post(CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW})
    assert response.status_code == 200, response.content
    assert_error(old.get(CLIENTS), 401, "password_changed")  # during the outage

    use_redis_cache(settings, real_redis.url, prefix=real_redis.prefix)
    real_redis.restore(before_the_change)
    assert_error(old.get(CLIENTS), 401, "password_changed")
    assert_error(old.post(WORKOUTS, workout(), format="json"), 401, "password_changed")
    assert goals_of_first_client(auth_client(User.objects.get(pk=trainer.pk))) == ""


@pytest.mark.redis
def test_a_deactivation_during_an_outage_refuses_the_token_after_recovery(
    real_redis, settings, client_link, client_api
):
    assert client_api.get(TODAY).status_code == 200
    before = real_redis.snapshot()

    use_redis_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")
    user = User.objects.get(pk=client_link.user_id)
    user.is_active = False
    user.save()  # staff, in the admin

    use_redis_cache(settings, real_redis.url, prefix=real_redis.prefix)
    real_redis.restore(before)
    assert_error(client_api.get(TODAY), 401, "user_inactive")
    assert_error(client_api.post(WORKOUTS, workout(), format="json"), 401, "user_inactive")
