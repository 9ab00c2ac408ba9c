"""The whole product in one story, through the real routes with real JWTs: a trainer signs
up, invites a client, builds and assigns a plan; the client accepts, reads today's plan,
logs, checks in and pays; the trainer sees it all in the feed and on the dashboard."""

import datetime

import pytest
from rest_framework.test import APIClient

from clients.models import Invite
from plans.tests.factories import DIET_CONTENT, WORKOUT_CONTENT

PASSWORD = "a-long-and-unusual-passphrase-42"


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.mark.django_db
def test_a_trainer_and_a_client_use_fitbud_end_to_end(django_capture_on_commit_callbacks):
    anonymous = APIClient()

    # The trainer signs up (email in odd letter case) and logs in.
    response = anonymous.post(
        "/api/v1/auth/register/",
        {"email": "Coach@Example.com", "password": PASSWORD, "full_name": "Coach Carla"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["user"]["role"] == "trainer"
    response = anonymous.post(
        "/api/v1/auth/token/", {"email": "coach@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    trainer = bearer(response.json()["access"])

    # Invite: the token is in the create response once, and in the email.
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer.post(
            "/api/v1/invites/", {"email": "dana@example.com", "full_name": "Dana Doe"}
        )
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    assert token in mail.outbox[-1].body
    assert "token" not in trainer.get(f"/api/v1/invites/{response.json()['id']}/").json()

    # The client previews and accepts, getting JWTs straight away.
    preview = anonymous.get(f"/api/v1/auth/invites/{token}/")
    assert preview.status_code == 200
    assert preview.json()["trainer"]["full_name"] == "Coach Carla"
    response = anonymous.post(
        "/api/v1/auth/invites/accept/", {"token": token, "password": PASSWORD}
    )
    assert response.status_code == 201, response.content
    assert response.json()["user"]["role"] == "client"
    client = bearer(response.json()["access"])
    assert Invite.objects.get().status == Invite.Status.ACCEPTED

    roster = trainer.get("/api/v1/clients/").json()
    assert roster["count"] == 1
    client_id = roster["results"][0]["id"]

    # Plans: a workout and a diet template, both assigned from today.
    today = datetime.date.today()
    for kind, content in (("workout", WORKOUT_CONTENT), ("diet", DIET_CONTENT)):
        response = trainer.post(
            "/api/v1/templates/", {"kind": kind, "name": f"{kind} plan", "content": content}
        )
        assert response.status_code == 201, response.content
        response = trainer.post(
            "/api/v1/assignments/",
            {"client": client_id, "template": response.json()["id"], "start_date": str(today)},
        )
        assert response.status_code == 201, response.content
        assert response.json()["snapshot"] == content

    # The client's home screen shows today's day of each plan.
    today_plan = client.get("/api/v1/me/today/").json()
    assert today_plan["date"] == str(today)
    assert today_plan["workout"]["day"] == WORKOUT_CONTENT["days"][0]
    assert today_plan["diet"]["day"] == DIET_CONTENT["days"][0]

    # The client logs a workout (retried once, as a flaky network would) and checks in.
    log = {
        "id": "6f1c1f47-6a7e-4a65-9d0e-1c1e2b3c4d5e",
        "date": str(today),
        "exercises": [
            {"name": "Bench press", "sets": [{"reps": 10, "weight_kg": 60, "done": True}]}
        ],
        "duration_minutes": 50,
        "effort": 8,
    }
    assert client.post("/api/v1/workout-logs/", log).status_code == 201
    assert client.post("/api/v1/workout-logs/", log).status_code == 200
    response = client.post("/api/v1/check-ins/", {"date": str(today), "weight_kg": 71.5})
    assert response.status_code == 201, response.content
    check_in_id = response.json()["id"]
    assert client.get("/api/v1/me/streaks/").json()["current"] == 1

    # The client pays the trainer's plan with the built-in test provider.
    response = trainer.post(
        "/api/v1/billing/plans/",
        {"name": "Monthly", "price": 4900, "currency": "EUR", "interval": "month"},
    )
    assert response.status_code == 201, response.content
    response = client.post(
        "/api/v1/me/subscription/checkout/",
        {"plan": response.json()["id"]},
        HTTP_IDEMPOTENCY_KEY="first-checkout",
    )
    assert response.status_code == 201, response.content
    assert client.get("/api/v1/me/subscription/").json()["status"] == "active"

    # The trainer sees every step in the feed, newest first, and reviews the check-in.
    kinds = [event["kind"] for event in trainer.get("/api/v1/feed/").json()["results"]]
    assert kinds == [
        "payment.received",
        "checkin.submitted",
        "workout.logged",
        "plan.assigned",
        "plan.assigned",
        "invite.accepted",
    ]
    response = trainer.post(
        f"/api/v1/check-ins/{check_in_id}/review/", {"feedback": "Great week, keep it up!"}
    )
    assert response.status_code == 200, response.content

    home = client.get("/api/v1/me/dashboard/").json()
    assert home["subscription"]["status"] == "active"
    assert home["latest_feedback"]["feedback"] == "Great week, keep it up!"

    figures = trainer.get("/api/v1/dashboard/").json()
    assert figures["active_clients"] == 1
    assert figures["new_clients_this_month"] == 1
    assert figures["revenue_this_month"] == [{"currency": "EUR", "amount": 4900}]
    assert figures["workouts_last_7_days"] == 1

    # The client's export holds their data, never the trainer's private notes.
    trainer.post(f"/api/v1/clients/{client_id}/notes/", {"body": "Knee is a worry"})
    export = client.get("/api/v1/me/export/")
    assert export.status_code == 200
    assert "Knee is a worry" not in export.content.decode()
    assert len(export.json()["workout_logs"]) == 1
