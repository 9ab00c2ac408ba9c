"""The isolation matrix over every endpoint of the home screens and the trainer dashboard:
owner trainer, other trainer, own client, other client, anonymous; no foreign data leaks."""

import datetime as dt

import pytest
import time_machine

from accounts.tests.factories import ClientUserFactory
from billing.tests.factories import PaymentFactory
from clients.tests.factories import ClientNoteFactory, HealthProfileFactory
from conftest import assert_error, auth_client
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory
from progress.tests.factories import CheckInFactory, MealLogFactory, WorkoutLogFactory

CLIENT_URLS = ["/api/v1/me/today/", "/api/v1/me/streaks/", "/api/v1/me/dashboard/"]
CLIENT_URLS += ["/api/v1/me/export/"]
TRAINER_URL = "/api/v1/dashboard/"
NOW = dt.datetime(2026, 3, 18, 12, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def give_data(link, mark: str):
    """Rows for `link` that carry `mark` wherever text can be shown."""
    template = PlanTemplateFactory(trainer=link.trainer, name=f"{mark}-plan")
    PlanAssignmentFactory(
        client=link, template=template, name=f"{mark}-plan", start_date=TODAY - dt.timedelta(9)
    )
    WorkoutLogFactory(client=link, date=TODAY, notes=f"{mark}-workout")
    WorkoutLogFactory(client=link, date=TODAY - dt.timedelta(days=12), notes=f"{mark}-old")
    MealLogFactory(client=link, date=TODAY, meal=f"{mark}-meal")
    CheckInFactory(
        client=link,
        date=TODAY - dt.timedelta(days=7),
        notes=f"{mark}-checkin",
        feedback=f"{mark}-feedback",
        reviewed_at=NOW,
    )
    CheckInFactory(client=link, date=TODAY, notes=f"{mark}-pending")
    HealthProfileFactory(client=link, injuries=f"{mark}-injury")
    PaymentFactory(subscription__client=link, subscription__plan__name=f"{mark}-billing")
    ClientNoteFactory(client=link, body=f"{mark}-private-note")


@pytest.fixture
def data(client_link, other_client_link):
    give_data(client_link, "CLEO")
    give_data(other_client_link, "OTTO")


@pytest.mark.parametrize("url", CLIENT_URLS)
def test_the_own_client_sees_only_their_own_data(data, client_user, url):
    response = auth_client(client_user).get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "OTTO" not in content
    assert "otto@example.com" not in content
    assert "oscar@example.com" not in content
    assert "private-note" not in content


def test_the_own_client_sees_the_plan_and_logs_of_today(data, client_user):
    body = auth_client(client_user).get("/api/v1/me/dashboard/").json()
    assert body["today"]["workout"]["assignment"]["name"] == "CLEO-plan"
    assert body["today"]["logged"]["workouts"][0]["notes"] == "CLEO-workout"
    assert body["subscription"]["plan"]["name"] == "CLEO-billing"
    assert body["latest_feedback"]["feedback"] == "CLEO-feedback"


@pytest.mark.parametrize("url", CLIENT_URLS)
def test_another_client_sees_only_their_own_data(data, other_client, url):
    response = auth_client(other_client).get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "CLEO" not in content
    assert "cleo@example.com" not in content
    assert "tess@example.com" not in content


@pytest.mark.parametrize("url", CLIENT_URLS)
@pytest.mark.parametrize("actor", ["trainer", "other_trainer"])
def test_client_endpoints_refuse_trainers(data, request, url, actor):
    response = auth_client(request.getfixturevalue(actor)).get(url)
    body = assert_error(response, 403, "permission_denied")
    assert "CLEO" not in str(body)


@pytest.mark.parametrize("url", [*CLIENT_URLS, TRAINER_URL])
def test_anonymous_callers_must_authenticate(data, api_client, url):
    assert_error(api_client.get(url), 401, "not_authenticated")


@pytest.mark.parametrize("url", [*CLIENT_URLS, TRAINER_URL])
def test_a_bad_token_is_a_401(api_client, url):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert_error(api_client.get(url), 401)


def test_the_owner_trainer_sees_their_clients_figures(data, trainer):
    body = auth_client(trainer).get(TRAINER_URL).json()
    assert body["total_clients"] == 1
    assert body["checkins_awaiting_review"] == 1
    assert body["workouts_last_7_days"] == 1
    assert body["revenue_this_month"] == [{"currency": "EUR", "amount": 9900}]
    assert "OTTO" not in str(body)
    assert "otto@example.com" not in str(body)


def test_the_other_trainer_sees_only_their_own_clients(data, other_trainer):
    body = auth_client(other_trainer).get(TRAINER_URL).json()
    assert body["total_clients"] == 1
    assert body["checkins_awaiting_review"] == 1
    assert "CLEO" not in str(body)
    assert "cleo@example.com" not in str(body)


@pytest.mark.parametrize("actor", ["client_user", "other_client"])
def test_the_trainer_dashboard_refuses_clients(data, request, actor):
    response = auth_client(request.getfixturevalue(actor)).get(TRAINER_URL)
    assert_error(response, 403, "permission_denied")


@pytest.mark.parametrize("url", [*CLIENT_URLS, TRAINER_URL])
def test_the_endpoints_are_read_only(trainer, client_user, url):
    user = trainer if url == TRAINER_URL else client_user
    assert_error(auth_client(user).post(url, {}), 405, "method_not_allowed")


@pytest.mark.parametrize("url", CLIENT_URLS)
def test_a_client_account_without_a_trainer_link_is_a_404(db, url):
    orphan = ClientUserFactory()
    assert_error(auth_client(orphan).get(url), 404, "not_found")
