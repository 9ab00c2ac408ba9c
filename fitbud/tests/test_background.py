"""Background work without a broker (eager after commit), settings per module, the beat
schedule, retries, failure logs and /readyz's broker line."""

import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tests.test_production_settings import ROOT
from fitbud.background import backoff
from fitbud.celery import app

pytestmark = pytest.mark.django_db


def _eager_under(module: str, **env) -> str:
    code = (
        "import django; django.setup(); from fitbud.celery import app; "
        "print(app.conf.task_always_eager, repr(app.conf.broker_url))"
    )
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": "x" * 60}
    base.update(ALLOWED_HOSTS="api.example.com", **env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    "module", ["fitbud.settings.local", "fitbud.settings.test", "fitbud.settings.production"]
)
def test_without_a_broker_tasks_run_eagerly_and_with_one_they_go_to_it(module):
    assert _eager_under(module) == "True ''"
    url = "redis://broker.internal:6379/5"
    assert _eager_under(module, CELERY_BROKER_URL=url) == f"False '{url}'"


def test_every_scheduled_task_exists_and_tasks_are_named_app_entity_action():
    app.loader.import_default_modules()
    ours = {name for name in app.tasks if not name.startswith(("celery.", "fitbud.test_"))}
    assert {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()} <= ours
    assert ours >= {
        "accounts.password_reset_email_send",
        "accounts.tokens_flush",
        "accounts.email_deliveries_sweep",
        "accounts.password_reset_delivery_send",
        "clients.invite_email_send",
        "clients.invites_expire",
        "billing.subscriptions_renew",
        "dashboard.event_relay",
        "dashboard.events_sweep",
        "coaching.automations_sweep",
        "progress.photo_thumbnail_make",
        "notifications.push_send",
        "notifications.push_deliveries_sweep",
        "notifications.habit_reminders_send",
        "integrations.webhook_delivery_send",
        "integrations.webhook_deliveries_sweep",
        "sync.tombstones_purge",
        "api.idempotency_records_purge",
    }
    for name in ours:
        app_label, _, action = name.partition(".")
        assert app_label in {
            "api",
            "accounts",
            "clients",
            "progress",
            "coaching",
            "messaging",
            "billing",
            "notifications",
            "integrations",
            "dashboard",
            "sync",
        }
        assert "_" in action
    # Losing a task matters: acknowledged after it ran, one at a time per process.
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1


def test_retries_back_off_exponentially_up_to_a_cap(settings):
    settings.CELERY_RETRY_BACKOFF_BASE, settings.CELERY_RETRY_BACKOFF_MAX = 10, 600
    assert 5 <= backoff(0) <= 10 and 20 <= backoff(2) <= 40
    assert all(300 <= backoff(retry) <= 600 for retry in (6, 10, 30))


def test_a_task_failure_is_logged_with_its_task_id(caplog):
    @app.task(name="fitbud.test_always_fails")
    def always_fails():
        raise RuntimeError("boom")

    result = always_fails.apply()
    assert f"Task fitbud.test_always_fails failed for good (task id {result.id})" in caplog.text
    assert "RuntimeError: boom" in caplog.text


def test_a_broker_down_at_commit_does_not_fail_the_request(
    client_api, client_link, django_capture_on_commit_callbacks, caplog
):
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.update(broker_url="redis://127.0.0.1:1/12", task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_api.post(
                reverse("workout-log-list"),
                {
                    "date": timezone.localdate().isoformat(),
                    "exercises": [{"name": "Squat", "sets": [{"reps": 5, "done": True}]}],
                },
                format="json",
            )
    finally:
        app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
        app._pool = None
        app.amqp._producer_pool = None
    assert response.status_code == 201, response.content
    assert "Could not enqueue dashboard.event_relay; a sweep will pick the work up" in caplog.text


def test_readyz_reports_no_broker_in_the_embedded_default(client):
    assert client.get("/readyz").json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not_configured",
    }


def test_readyz_stays_ready_with_the_broker_down_and_says_so(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/12"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["broker"] == "down"


def test_readyz_reports_a_reachable_broker(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://broker.internal:6379/12"
    monkeypatch.setattr("redis.Redis.ping", lambda self: True)
    assert client.get("/readyz").json()["broker"] == "ok"
