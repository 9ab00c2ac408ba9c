"""The studio isolation matrix (issue 15), over every client-data endpoint of the API.

People (clients/tests/conftest.py `studio`): the owner and an admin (every client of the
studio), coach A (client X's primary coach), coach B (same studio, no grant), specialist S
(grant on X: nutrition + check-ins), specialist E (a grant on X that has ended), and the
owner of another studio.

The rule: a client a member cannot see at all is 404 (another studio, or no grant in force);
a client they see, but a part of the record no grant of theirs covers, is 403
`access_not_granted` for the client's sub-resources (notes, health) and absent from lists /
404 for objects (a workout log of X is simply not theirs to find).
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from billing.tests.factories import PaymentFactory, SubscriptionFactory
from clients.tests.factories import ClientNoteFactory
from conftest import assert_error
from dashboard.feed import event_record
from dashboard.models import ActivityEvent
from plans.models import PlanKind
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory
from progress.tests.factories import CheckInFactory, MealLogFactory, WorkoutLogFactory

pytestmark = pytest.mark.django_db

READERS = ["owner", "admin", "coach_a", "coach_b", "specialist", "expired", "outsider"]


@pytest.fixture
def data(studio):
    """One of everything for client X (and a personal template of coach A)."""
    x = studio.x
    workout = WorkoutLogFactory(client=x)
    meal = MealLogFactory(client=x)
    subscription = SubscriptionFactory(client=x)
    return {
        "client": x,
        "note": ClientNoteFactory(client=x),
        "workout": workout,
        "meal": meal,
        "checkin": CheckInFactory(client=x),
        "workout_plan": PlanAssignmentFactory(
            client=x, template=PlanTemplateFactory(trainer=studio.coach_a)
        ),
        "diet_plan": PlanAssignmentFactory(
            client=x, template=PlanTemplateFactory(trainer=studio.coach_a, kind=PlanKind.DIET)
        ),
        "subscription": subscription,
        "payment": PaymentFactory(subscription=subscription),
        "workout_event": event_record(
            client=x, kind=ActivityEvent.Kind.WORKOUT_LOGGED, summary="Squats", obj=workout
        ),
        "meal_event": event_record(
            client=x, kind=ActivityEvent.Kind.MEAL_LOGGED, summary="Lunch", obj=meal
        ),
        "template": PlanTemplateFactory(trainer=studio.coach_a, name="Ann's own"),
    }


def row(default_specialist, **overrides):
    """Expected status per reader: managers and the primary coach 200, coach B, the expired
    grant and the other studio 404, the specialist as given."""
    table = dict.fromkeys(["owner", "admin", "coach_a"], 200)
    table |= dict.fromkeys(["coach_b", "expired", "outsider"], 404)
    table["specialist"] = default_specialist
    return table | overrides


NOT_GRANTED = (403, "access_not_granted")
NOT_MANAGER = (403, "not_primary_coach")
TEMPLATE_OF_A = row(404, owner=404, admin=404)

# (endpoint, method, URL name, object of `data` whose pk is in the URL, expected per reader)
OBJECTS = [
    ("client", "get", "client-detail", "client", row(200)),
    ("client: change goals", "patch", "client-detail", "client", row(NOT_MANAGER)),
    ("notes", "get", "client-note-list", "client", row(NOT_GRANTED)),
    ("notes: add", "post", "client-note-list", "client", row(NOT_GRANTED)),
    ("note", "get", "client-note-detail", ("client", "note"), row(NOT_GRANTED)),
    ("health", "get", "client-health", "client", row(NOT_GRANTED)),
    ("health: change", "patch", "client-health", "client", row(NOT_GRANTED)),
    ("access grants", "get", "client-access-list", "client", row(NOT_MANAGER)),
    ("transfer", "post", "client-transfer", "client", row(NOT_MANAGER, coach_a=200)),
    ("workout plan", "get", "assignment-detail", "workout_plan", row(404)),
    ("diet plan", "get", "assignment-detail", "diet_plan", row(200)),
    ("workout log", "get", "workout-log-detail", "workout", row(404)),
    ("meal log", "get", "meal-log-detail", "meal", row(200)),
    ("check-in", "get", "check-in-detail", "checkin", row(200)),
    ("check-in review", "post", "check-in-review", "checkin", row(200)),
    ("subscription", "get", "billing-subscription-detail", "subscription", row(404)),
    ("payment", "get", "billing-payment-detail", "payment", row(404)),
    ("template of coach A", "get", "template-detail", "template", TEMPLATE_OF_A),
]

# What each write sends (a transfer goes to coach B; POSTs that create answer 201).
BODIES = {
    "client-detail": {"goals": "Run 10k"},
    "client-note-list": {"body": "Prefers mornings"},
    "client-health": {"allergies": "peanuts"},
    "check-in-review": {"feedback": "Good week"},
}
CREATED = {"client-note-list"}


def _url(name, data, target):
    names = target if isinstance(target, tuple) else (target,)
    return reverse(name, args=[data[n].pk for n in names])


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    ("method", "name", "target", "expected"),
    [pytest.param(*o[1:], id=o[0]) for o in OBJECTS],
)
def test_object_endpoints(studio, api_as, data, reader, method, name, target, expected):
    api = api_as(reader)
    url = _url(name, data, target)
    if name == "client-transfer":
        body = {"coach": studio.coach_b.membership.pk}
    else:
        body = BODIES.get(name)
    response = getattr(api, method)(url, body, format="json") if body else api.get(url)
    want = expected[reader]
    if isinstance(want, tuple):
        assert_error(response, *want)
    elif want == 200:
        ok = 201 if name in CREATED and method == "post" else 200
        assert response.status_code == ok, (reader, url, response.content)
    else:
        assert_error(response, want)


def seen(expected_readers):
    return {reader: reader in expected_readers for reader in READERS}


MANAGERS_AND_A = {"owner", "admin", "coach_a"}
WITH_S = MANAGERS_AND_A | {"specialist"}

# (list, URL name, object of X that may be in it, readers who see it)
LISTS = [
    ("clients", "client-list", "client", WITH_S),
    ("assignments: workout plan", "assignment-list", "workout_plan", MANAGERS_AND_A),
    ("assignments: diet plan", "assignment-list", "diet_plan", WITH_S),
    ("workout logs", "workout-log-list", "workout", MANAGERS_AND_A),
    ("meal logs", "meal-log-list", "meal", WITH_S),
    ("check-ins", "check-in-list", "checkin", WITH_S),
    ("subscriptions", "billing-subscription-list", "subscription", MANAGERS_AND_A),
    ("payments", "billing-payment-list", "payment", MANAGERS_AND_A),
    ("feed: workout event", "feed", "workout_event", MANAGERS_AND_A),
    ("feed: meal event", "feed", "meal_event", WITH_S),
    ("templates: coach A's own", "template-list", "template", {"coach_a"}),
]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    ("name", "target", "readers"), [pytest.param(*item[1:], id=item[0]) for item in LISTS]
)
def test_list_endpoints(api_as, data, reader, name, target, readers):
    response = api_as(reader).get(reverse(name), {"page_size": 100})
    assert response.status_code == 200, response.content
    ids = {str(item["id"]) for item in response.json()["results"]}
    assert (str(data[target].pk) in ids) is (reader in readers), (reader, name)


@pytest.mark.parametrize(
    ("reader", "total"),
    [
        ("owner", 0),  # the figures are over the reader's primary clients
        ("coach_a", 1),
        ("coach_b", 0),
        ("specialist", 0),
        ("outsider", 1),  # their own client Y
    ],
)
def test_dashboard_counts_only_primary_clients(api_as, data, reader, total):
    response = api_as(reader).get(reverse("trainer-dashboard"))
    assert response.status_code == 200, response.content
    assert response.json()["total_clients"] == total


ME = [
    "me-health",
    "me-trainer",
    "me-team",
    "me-team-changes",
    "me-today",
    "me-streaks",
    "me-dashboard",
]


@pytest.mark.parametrize("name", ME)
def test_me_endpoints_are_the_clients_own(api_as, data, name):
    assert api_as("client_x").get(reverse(name)).status_code == 200
    for staff in ("owner", "coach_a", "specialist"):
        assert_error(api_as(staff).get(reverse(name)), 403)


def test_the_client_sees_only_their_own_records(studio, api_as, data):
    other = WorkoutLogFactory(client=studio.y)
    client_x = api_as("client_x")
    assert_error(client_x.get(reverse("workout-log-detail", args=[other.pk])), 404)
    assert_error(client_x.get(reverse("client-detail", args=[studio.x.pk])), 403)


# --- a grant that ends, or is revoked, stops at once -----------------------------------------


def _list_ids(api, name):
    response = api.get(reverse(name))
    assert response.status_code == 200, response.content
    return {str(item["id"]) for item in response.json()["results"]}


def test_an_expired_grant_stops_at_once_even_from_the_cache(studio, api_as, data, settings):
    assert settings.RESPONSE_CACHE_SECONDS > 0
    ends = timezone.now() + datetime.timedelta(days=3)
    studio.grant.ends_at = ends
    studio.grant.save()
    meal = reverse("meal-log-detail", args=[data["meal"].pk])
    # 20 s before the end: without the grant-end rule the entry would live 40 s past it.
    with time_machine.travel(ends - datetime.timedelta(seconds=20), tick=False):
        specialist = api_as("specialist")  # a token of the moment
        assert str(studio.x.pk) in _list_ids(specialist, "client-list")  # stored
        assert str(studio.x.pk) in _list_ids(specialist, "client-list")  # served from cache
        assert specialist.get(meal).status_code == 200
    with time_machine.travel(ends + datetime.timedelta(seconds=1), tick=False):
        specialist = api_as("specialist")
        assert str(studio.x.pk) not in _list_ids(specialist, "client-list")
        assert_error(specialist.get(meal), 404)
        assert_error(specialist.get(reverse("client-detail", args=[studio.x.pk])), 404)
        assert str(data["meal_event"].pk) not in _list_ids(specialist, "feed")


def test_a_revoked_grant_stops_at_once(studio, api_as, data):
    specialist = api_as("specialist")
    assert str(studio.x.pk) in _list_ids(specialist, "client-list")  # cached now
    response = api_as("coach_a").delete(
        reverse("client-access-detail", args=[studio.x.pk, studio.grant.pk])
    )
    assert response.status_code == 204
    assert str(studio.x.pk) not in _list_ids(specialist, "client-list")
    assert_error(specialist.get(reverse("meal-log-detail", args=[data["meal"].pk])), 404)
    assert str(data["meal_event"].pk) not in _list_ids(specialist, "feed")


def test_a_granted_domain_appears_at_once(studio, api_as, data):
    specialist = api_as("specialist")
    assert str(data["workout"].pk) not in _list_ids(specialist, "workout-log-list")
    response = api_as("owner").patch(
        reverse("client-access-detail", args=[studio.x.pk, studio.grant.pk]),
        {"domains": ["nutrition", "checkins", "workouts", "notes"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert str(data["workout"].pk) in _list_ids(specialist, "workout-log-list")
    assert specialist.get(reverse("client-note-list", args=[studio.x.pk])).status_code == 200


def test_a_transfer_moves_visibility_at_once(studio, api_as, data):
    coach_a, coach_b = api_as("coach_a"), api_as("coach_b")
    assert str(studio.x.pk) in _list_ids(coach_a, "client-list")
    assert str(studio.x.pk) not in _list_ids(coach_b, "client-list")
    response = coach_a.post(
        reverse("client-transfer", args=[studio.x.pk]),
        {"coach": studio.coach_b.membership.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert str(studio.x.pk) not in _list_ids(coach_a, "client-list")
    assert str(studio.x.pk) in _list_ids(coach_b, "client-list")
    assert str(data["workout"].pk) in _list_ids(coach_b, "workout-log-list")
