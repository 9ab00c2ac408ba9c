"""studio/dashboard/: the dashboard figures for the whole studio and per coach (owners and
admins only), in a fixed number of queries."""

import datetime as dt

import pytest
import time_machine

from accounts.models import StudioRole
from accounts.tests.factories import TrainerFactory
from accounts.tests.studio import studio_member
from billing.models import Payment
from billing.tests.factories import PaymentFactory, SubscriptionFactory
from clients.tests.factories import ClientFactory
from conftest import assert_error, auth_client
from dashboard.tests.test_trainer_dashboard import populate
from progress.tests.factories import CheckInFactory, WorkoutLogFactory

URL = "/api/v1/studio/dashboard/"
TRAINER_URL = "/api/v1/dashboard/"
NOW = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)


def get(user, url=URL):
    with time_machine.travel(NOW, tick=False):
        return auth_client(user).get(url)


@pytest.fixture
def studio(trainer):
    """The owner (`trainer`) with two clients, a coach with three, a specialist with none."""
    coach = studio_member(trainer, StudioRole.COACH, full_name="Cora Coach")
    specialist = studio_member(trainer, StudioRole.SPECIALIST, full_name="Sam Physio")
    owner_clients = [
        ClientFactory(trainer=trainer, joined_at=NOW - dt.timedelta(days=60)) for _ in range(2)
    ]
    coach_clients = [
        ClientFactory(trainer=coach, joined_at=NOW - dt.timedelta(days=5)) for _ in range(3)
    ]
    for client, amount, currency in [
        (owner_clients[0], 5000, "EUR"),
        (coach_clients[0], 7000, "EUR"),
        (coach_clients[1], 3000, "USD"),
    ]:
        subscription = SubscriptionFactory(client=client)
        PaymentFactory(
            subscription=subscription,
            amount=amount,
            currency=currency,
            paid_at=NOW - dt.timedelta(days=3),
        )
    # Not revenue: failed.
    PaymentFactory(
        subscription=SubscriptionFactory(client=coach_clients[2]),
        status=Payment.Status.FAILED,
        paid_at=NOW - dt.timedelta(days=3),
    )
    CheckInFactory(client=coach_clients[0], date=dt.date(2026, 3, 18))
    WorkoutLogFactory(client=coach_clients[1], date=dt.date(2026, 3, 19))
    WorkoutLogFactory(client=owner_clients[0], date=dt.date(2026, 3, 19))
    return {"owner": trainer, "coach": coach, "specialist": specialist}


def test_owner_sees_studio_totals_and_each_coach(studio, other_client_link):
    response = get(studio["owner"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["studio"]["id"] == studio["owner"].membership.studio_id
    assert body["total_clients"] == 5  # the other studio's client is not counted
    assert body["active_clients"] == 5
    assert body["new_clients_this_month"] == 3
    assert body["revenue_this_month"] == [
        {"currency": "EUR", "amount": 12000},
        {"currency": "USD", "amount": 3000},
    ]
    assert body["revenue_last_month"] == [
        {"currency": "EUR", "amount": 0},
        {"currency": "USD", "amount": 0},
    ]
    assert body["checkins_awaiting_review"] == 1
    assert body["workouts_last_7_days"] == 2
    assert body["needs_attention_total"] == 5  # nobody has a workout plan
    coaches = {coach["name"]: coach for coach in body["coaches"]}
    # Owners, admins and coaches; the specialist coaches nobody.
    assert [c["role"] for c in body["coaches"]] == ["owner", "coach"]
    cora = coaches["Cora Coach"]
    assert cora["member"] == studio["coach"].membership.pk
    assert cora["total_clients"] == 3
    assert cora["revenue_this_month"] == [
        {"currency": "EUR", "amount": 7000},
        {"currency": "USD", "amount": 3000},
    ]
    assert cora["checkins_awaiting_review"] == 1
    assert cora["workouts_last_7_days"] == 1
    assert cora["needs_attention_total"] == 3
    owner = coaches[studio["owner"].full_name]
    assert owner["total_clients"] == 2
    assert owner["revenue_this_month"] == [{"currency": "EUR", "amount": 5000}]
    # The per-coach figures add up to the studio's.
    assert sum(c["total_clients"] for c in body["coaches"]) == body["total_clients"]


def test_the_trainer_dashboard_stays_over_the_users_primary_clients(studio):
    owner = get(studio["owner"], TRAINER_URL).json()
    coach = get(studio["coach"], TRAINER_URL).json()
    assert owner["total_clients"] == 2
    assert coach["total_clients"] == 3
    assert coach["revenue_this_month"] == [
        {"currency": "EUR", "amount": 7000},
        {"currency": "USD", "amount": 3000},
    ]


def test_an_admin_reads_it(studio):
    admin = studio_member(studio["owner"], StudioRole.ADMIN)
    body = get(admin).json()
    assert body["total_clients"] == 5
    assert [c["role"] for c in body["coaches"]] == ["owner", "coach", "admin"]
    assert body["coaches"][2]["total_clients"] == 0
    assert body["coaches"][2]["revenue_this_month"] == []


@pytest.mark.parametrize("role", ["coach", "specialist"])
def test_coaches_and_specialists_are_refused(studio, role):
    assert_error(get(studio[role]), 403, "studio_role_forbidden")


def test_clients_are_refused(client_user):
    assert get(client_user).status_code == 403


def test_anonymous_is_refused(db):
    with time_machine.travel(NOW, tick=False):
        from rest_framework.test import APIClient

        assert APIClient().get(URL).status_code == 401


def test_a_solo_trainer_sees_the_same_figures_as_on_their_dashboard(trainer):
    populate(trainer, 4)
    studio = get(trainer).json()
    own = get(trainer, TRAINER_URL).json()
    for key, value in own.items():
        # The unread counts are the trainer's own, on their dashboard only.
        if key not in ("as_of", "unread_messages", "unread_notifications"):
            assert studio[key] == value, key
    assert len(studio["coaches"]) == 1


def test_a_write_is_seen_after_the_cache(studio):
    assert get(studio["owner"]).json()["total_clients"] == 5
    ClientFactory(trainer=studio["coach"])
    assert get(studio["owner"]).json()["total_clients"] == 6


@pytest.mark.django_db
@pytest.mark.parametrize(("coaches", "clients"), [(1, 3), (6, 40)])
def test_it_runs_a_fixed_number_of_queries(coaches, clients, django_assert_num_queries):
    owner = TrainerFactory(timezone="Europe/Berlin")
    populate(owner, clients)
    for _ in range(coaches):
        populate(studio_member(owner, StudioRole.COACH), clients)
    with time_machine.travel(NOW, tick=False):
        api = auth_client(owner)
        # auth user (+ membership), studio name, client rows, revenue, assignments, habits,
        # coaches
        with django_assert_num_queries(7):
            response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["total_clients"] == clients * (coaches + 1)
    assert len(body["coaches"]) == coaches + 1
    assert body["habits"] == {"active": 2 * clients * (coaches + 1), "completion_7d": 40}
    assert [coach["habits"]["active"] for coach in body["coaches"]] == [2 * clients] * (coaches + 1)
