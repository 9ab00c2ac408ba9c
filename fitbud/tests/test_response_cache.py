"""The response cache (fitbud/api/response_cache.py): hits, what invalidates, what does not."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.cache import cache

from clients.models import Client, ClientNote
from clients.tests.factories import ClientFactory
from conftest import auth_client, write_left_open
from fitbud.api import response_cache
from fitbud.api.models import TenantGeneration
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory

CLIENTS = "/api/v1/clients/"
TEMPLATES = "/api/v1/templates/"
FEED = "/api/v1/feed/"
DASHBOARD = "/api/v1/dashboard/"
TODAY = "/api/v1/me/today/"
HOME = "/api/v1/me/dashboard/"
WORKOUTS = "/api/v1/workout-logs/"


def workout(**overrides):
    return {
        "id": str(uuid.uuid4()),
        "date": dt.date.today().isoformat(),
        "exercises": [{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}],
        **overrides,
    }


def test_every_tenant_model_invalidates():
    # A new model that belongs to a trainer or a client must be listed here, so that
    # nobody adds one whose writes the cache would not notice.
    assert {model._meta.label for model in response_cache.tenant_models()} == {
        "accounts.User",
        "accounts.Studio",
        "accounts.StudioMember",
        "accounts.StudioInvite",
        "clients.ClientAccess",
        "clients.ClientAccessChange",
        "clients.Invite",
        "clients.Client",
        "clients.ClientStatusChange",
        "clients.ClientNote",
        "clients.HealthProfile",
        "plans.PlanTemplate",
        "plans.PlanAssignment",
        "progress.WorkoutLog",
        "progress.MealLog",
        "progress.CheckIn",
        "coaching.Habit",
        "coaching.HabitCheck",
        "coaching.CheckInForm",
        "coaching.FormVersion",
        "coaching.FormAssignment",
        "coaching.FormResponse",
        "coaching.Automation",
        "coaching.AutomationRun",
        "progress.ExerciseSession",
        "progress.ProgressPhoto",
        "progress.MetricType",
        "progress.BodyStat",
        "billing.SubscriptionPlan",
        "billing.Subscription",
        "billing.Payment",
        "dashboard.ActivityEvent",
    }


# The home screens add their unread counts fresh, in one query of their own
# (docs/messaging.md): a notification or a read position is no tenant write.
FRESH_COUNTS = {DASHBOARD: 1, HOME: 1}


@pytest.mark.parametrize("url", [CLIENTS, TEMPLATES, FEED, DASHBOARD])
def test_a_repeated_trainer_read_is_served_from_the_cache(
    url, trainer_api, client_link, django_assert_num_queries
):
    first = trainer_api.get(url)
    assert first.status_code == 200
    # The authentication's: user, tenant, generation (+ the unread counts).
    with django_assert_num_queries(1 + FRESH_COUNTS.get(url, 0)):
        again = trainer_api.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", [TODAY, HOME])
def test_a_repeated_client_read_is_served_from_the_cache(
    url, client_api, django_assert_num_queries
):
    first = client_api.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1 + FRESH_COUNTS.get(url, 0)):
        assert client_api.get(url).content == first.content


def test_a_clients_log_shows_at_once_in_the_trainers_feed_and_dashboard(
    trainer_api, client_api, client_link
):
    PlanAssignmentFactory(client=client_link)
    before = {url: trainer_api.get(url).json() for url in (FEED, DASHBOARD)}
    today_before = client_api.get(TODAY).json()

    assert client_api.post(WORKOUTS, workout(), format="json").status_code == 201

    assert trainer_api.get(FEED).json()["results"][0]["kind"] == "workout.logged"
    assert trainer_api.get(FEED).json() != before[FEED]
    assert trainer_api.get(DASHBOARD).json() != before[DASHBOARD]
    assert len(client_api.get(TODAY).json()["logged"]["workouts"]) == (
        len(today_before["logged"]["workouts"]) + 1
    )


def test_a_trainer_write_shows_at_once_to_the_client(trainer_api, client_api, client_link):
    assert client_api.get(TODAY).json()["workout"] is None
    template = PlanTemplateFactory(trainer=client_link.trainer)
    response = trainer_api.post(
        "/api/v1/assignments/",
        {"client": client_link.pk, "template": template.pk, "start_date": str(dt.date.today())},
        format="json",
    )
    assert response.status_code == 201
    assert client_api.get(TODAY).json()["workout"] is not None


def test_writes_outside_the_api_invalidate_too(trainer_api, client_link):
    # The admin, management commands and webhooks write through the ORM, not the API.
    assert trainer_api.get(CLIENTS).json()["results"][0]["goals"] == ""
    link = Client.objects.get(pk=client_link.pk)
    link.goals = "Run a marathon"
    link.save()
    assert trainer_api.get(CLIENTS).json()["results"][0]["goals"] == "Run a marathon"

    ClientNote.objects.create(client=link, body="private", author=link.trainer)
    assert trainer_api.get(CLIENTS).json()["results"][0]["notes_count"] == 1

    link.user.full_name = "Cleo Renamed"
    link.user.save()
    assert trainer_api.get(CLIENTS).json()["results"][0]["user"]["full_name"] == "Cleo Renamed"

    ClientNote.objects.filter(client=link).get().delete()
    assert trainer_api.get(CLIENTS).json()["results"][0]["notes_count"] == 0


def test_a_write_in_one_tenant_keeps_the_other_tenants_cache(
    trainer_api, other_trainer_api, other_client_link, client_link, django_assert_num_queries
):
    other_trainer_api.get(CLIENTS)
    PlanTemplateFactory(trainer=client_link.trainer)
    with django_assert_num_queries(1):
        other_trainer_api.get(CLIENTS)


def test_users_of_one_tenant_never_share_an_entry(client_api, client_link):
    second = ClientFactory(trainer=client_link.trainer)
    PlanAssignmentFactory(client=client_link)
    mine = client_api.get(HOME).json()
    theirs = auth_client(second.user).get(HOME).json()
    assert mine != theirs
    assert auth_client(second.user).get(HOME).json() == theirs


def test_a_login_does_not_invalidate(trainer_api, trainer, django_assert_num_queries):
    trainer_api.get(TEMPLATES)
    trainer.last_login = dt.datetime.now(tz=dt.UTC)
    trainer.save(update_fields=["last_login"])
    with django_assert_num_queries(1):
        trainer_api.get(TEMPLATES)


def test_a_read_that_raced_a_write_is_not_served_afterwards(
    trainer_api, client_link, monkeypatch, django_assert_num_queries
):
    """The generation is read before the database: a write landing between the two leaves
    the racing read's copy under a generation nobody asks for again."""
    from dashboard import selectors

    original = selectors.trainer_dashboard

    def racing(*, trainer):
        figures = original(trainer=trainer)  # read the rows as they were...
        PlanTemplateFactory(trainer=trainer)  # ...then a write commits before we store
        return figures

    monkeypatch.setattr(selectors, "trainer_dashboard", racing)
    raced = trainer_api.get(DASHBOARD).json()
    monkeypatch.setattr(selectors, "trainer_dashboard", original)
    fresh = trainer_api.get(DASHBOARD).json()  # computed afresh, not the raced copy
    assert fresh != raced
    with django_assert_num_queries(1 + FRESH_COUNTS[DASHBOARD]):
        assert trainer_api.get(DASHBOARD).json() == fresh  # and the fresh copy is cached


def test_a_new_local_day_is_a_fresh_read(client_link):
    with time_machine.travel(dt.datetime(2026, 3, 2, 23, 55, tzinfo=dt.UTC), tick=False):
        api = auth_client(client_link.user)
        assert api.get(TODAY).json()["date"] == "2026-03-02"
    with time_machine.travel(dt.datetime(2026, 3, 3, 0, 5, tzinfo=dt.UTC), tick=False):
        assert api.get(TODAY).json()["date"] == "2026-03-03"


def test_the_host_is_part_of_the_key(trainer_api, client_link, settings):
    settings.ALLOWED_HOSTS = ["api.fitbud.test", "testserver"]
    # Pagination links are absolute: another host must not get this host's links.
    ClientFactory.create_batch(2, trainer=client_link.trainer)
    first = trainer_api.get(CLIENTS, {"page_size": 1}, HTTP_HOST="api.fitbud.test").json()
    second = trainer_api.get(CLIENTS, {"page_size": 1}, HTTP_HOST="testserver").json()
    assert first["next"].startswith("http://api.fitbud.test/")
    assert second["next"].startswith("http://testserver/")


def test_errors_are_not_cached(client_api, django_assert_num_queries):
    assert client_api.get(TODAY, {"date": "not-a-date"}).status_code == 400
    assert client_api.get(TODAY, {"date": "not-a-date"}).status_code == 400
    assert not [key for key in cache._cache if ":rc:" in key]


def test_it_can_be_turned_off(trainer_api, client_link, settings, django_assert_num_queries):
    settings.RESPONSE_CACHE_SECONDS = 0
    trainer_api.get(CLIENTS)
    # user (auth) + page (a last page counts its own rows)
    with django_assert_num_queries(2):
        trainer_api.get(CLIENTS)


def test_a_client_account_without_a_trainer_is_not_cached(db):
    from accounts.tests.factories import ClientUserFactory

    assert response_cache.tenant_of_user(ClientUserFactory())[0] is None


def test_a_client_moved_to_another_studio_reads_the_new_tenant(
    client_api, client_link, other_trainer
):
    assert client_api.get(HOME).status_code == 200
    assert response_cache.tenant_of_user(client_link.user)[0] == client_link.studio_id
    link = Client.objects.get(pk=client_link.pk)
    link.trainer = other_trainer  # staff do this in the admin
    link.studio = other_trainer.membership.studio
    link.save()
    assert response_cache.tenant_of_user(link.user)[0] == other_trainer.membership.studio_id
    assert client_api.get(HOME).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_during_a_transaction_is_not_served_after_its_commit(client_link):
    """A read that runs while another connection's write is uncommitted sees the old rows
    (and may store them); the commit moves the generation on, so the next read is fresh."""
    trainer_api = auth_client(client_link.trainer)

    def write():
        link = Client.objects.get(pk=client_link.pk)
        link.goals = "Deadlift 200"
        link.save()

    with write_left_open(write):
        assert trainer_api.get(CLIENTS).json()["results"][0]["goals"] == ""  # not committed
    assert trainer_api.get(CLIENTS).json()["results"][0]["goals"] == "Deadlift 200"


def test_the_redis_backend_keeps_one_client_per_pool():
    from fitbud.cache import RedisCache

    backend = RedisCache("redis://127.0.0.1:6379/9", {})
    client = backend._cache.get_client("key")
    assert backend._cache.get_client("other", write=True) is client
    assert client.connection_pool is backend._cache._get_connection_pool(False)


class CacheCalls:
    """Counts the calls the code under test makes to the default cache."""

    def __init__(self, monkeypatch):
        self.calls = []
        self.depth = 0  # local memory's get_many calls get: count the outer call only
        for method in ("get", "get_many", "set", "add", "incr", "delete"):
            original = getattr(cache, method)

            def counted(*args, _method=method, _original=original, **kwargs):
                if not self.depth:
                    self.calls.append(_method)
                self.depth += 1
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.depth -= 1

            monkeypatch.setattr(cache, method, counted)


@pytest.mark.parametrize("url", [CLIENTS, TEMPLATES, FEED, DASHBOARD, TODAY, HOME])
def test_a_cached_read_is_one_cache_get(url, trainer_api, client_api, client_link, monkeypatch):
    api = client_api if url in (TODAY, HOME) else trainer_api
    first = api.get(url)
    calls = CacheCalls(monkeypatch)
    again = api.get(url)
    assert again.content == first.content
    assert calls.calls == ["get"]  # the generation came with the user row, from the database


def test_a_write_never_touches_the_cache(client_api, client_link, monkeypatch):
    PlanAssignmentFactory(client=client_link)
    before = TenantGeneration.objects.get(tenant_id=client_link.studio_id).generation
    calls = CacheCalls(monkeypatch)
    assert client_api.post(WORKOUTS, workout(), format="json").status_code == 201
    assert calls.calls == []
    assert TenantGeneration.objects.get(tenant_id=client_link.studio_id).generation > before


def test_a_write_moves_the_generation_in_its_own_transaction(trainer, client_link):
    from django.db import transaction

    before = TenantGeneration.objects.get(tenant_id=trainer.membership.studio_id).generation
    with pytest.raises(RuntimeError), transaction.atomic():
        PlanTemplateFactory(trainer=trainer)
        assert (
            TenantGeneration.objects.get(tenant_id=trainer.membership.studio_id).generation > before
        )
        raise RuntimeError("roll back")
    # Rolled back with the write: nothing to invalidate, and nothing was.
    assert TenantGeneration.objects.get(tenant_id=trainer.membership.studio_id).generation == before


def test_a_tenants_first_write_starts_its_generation(db):
    from accounts.tests.factories import TrainerFactory

    trainer = TrainerFactory()
    assert TenantGeneration.objects.get(tenant_id=trainer.membership.studio_id).generation > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reads_racing_writes_never_serve_a_committed_write_late(client_link):
    """A writer thread commits goals v1..vN while this thread reads the roster as fast as
    it can: every read shows at least the last write committed before it started, and the
    racing reads' copies are never served as current."""
    import threading

    from django.db import connection, transaction

    trainer_api = auth_client(client_link.trainer)
    writes = 30
    committed = [0]
    done = threading.Event()

    def writer():
        try:
            for version in range(1, writes + 1):
                with transaction.atomic():
                    link = Client.objects.select_for_update().get(pk=client_link.pk)
                    link.goals = f"v{version}"
                    link.save()
                committed[0] = version
        finally:
            done.set()
            connection.close()

    thread = threading.Thread(target=writer)
    reads = 0
    thread.start()
    try:
        while not done.is_set() or reads < 3:
            floor = committed[0]
            goals = trainer_api.get(CLIENTS).json()["results"][0]["goals"]
            assert (int(goals[1:]) if goals else 0) >= floor, (goals, floor)
            reads += 1
    finally:
        thread.join(10)
    assert trainer_api.get(CLIENTS).json()["results"][0]["goals"] == f"v{writes}"


def test_the_admin_shows_generations_read_only(admin_client, trainer):
    from django.urls import reverse

    changelist = reverse("admin:fitbud_api_tenantgeneration_changelist")
    studio_id = trainer.membership.studio_id
    response = admin_client.get(changelist, {"q": str(studio_id)})
    assert response.status_code == 200
    shown = response.context["cl"].result_list
    assert [row.tenant_id for row in shown] == [studio_id]
    assert admin_client.get(reverse("admin:fitbud_api_tenantgeneration_add")).status_code == 403


# --- one bump per tenant and transaction --------------------------------------------------


def _generation(studio_id):
    return TenantGeneration.objects.get(tenant_id=studio_id).generation


def _bumps(run) -> int:
    from django.db import connection

    seen = []

    def record(execute, sql, params, many, context):
        if "fitbud_api_tenantgeneration" in sql and sql.startswith("INSERT"):
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    return len(seen)


def test_a_transaction_moves_a_tenants_generation_once(trainer):
    from django.db import transaction

    studio = trainer.membership.studio_id

    def two_writes():
        with transaction.atomic():
            PlanTemplateFactory(trainer=trainer)
            PlanTemplateFactory(trainer=trainer)

    before = _generation(studio)
    assert _bumps(two_writes) == 1
    assert _generation(studio) > before


def test_a_bump_rolled_back_with_its_savepoint_does_not_count(trainer):
    from django.db import transaction

    studio = trainer.membership.studio_id

    def rolled_back_then_written():
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():
                PlanTemplateFactory(trainer=trainer)
                raise RuntimeError
            before = _generation(studio)
            PlanTemplateFactory(trainer=trainer)
            assert _generation(studio) > before

    assert _bumps(rolled_back_then_written) == 2


def test_a_generation_read_in_between_makes_the_next_write_bump_again(trainer):
    from django.db import transaction

    studio = trainer.membership.studio_id

    def write_read_write():
        with transaction.atomic():
            PlanTemplateFactory(trainer=trainer)
            read = response_cache.load_user(type(trainer), trainer.pk)
            PlanTemplateFactory(trainer=trainer)
            assert _generation(studio) > getattr(read, response_cache.GENERATION_ATTR)

    assert _bumps(write_read_write) == 2


def test_a_clients_link_comes_with_the_user_row(client_link, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = response_cache.load_user(type(client_link.user), client_link.user_id)
        assert user.client_link.pk == client_link.pk
        assert user.client_link.studio_id == client_link.studio_id
        assert user.client_link.user is user


def test_a_client_account_without_a_link_reads_none(db, django_assert_num_queries):
    from accounts.tests.factories import ClientUserFactory

    account = ClientUserFactory()
    with django_assert_num_queries(1):
        user = response_cache.load_user(type(account), account.pk)
        assert getattr(user, "client_link", None) is None
