"""Email: a timeout on SMTP, a record of every send, failures visible and never a 500, and
a password-reset request that does the same work for known and unknown addresses."""

import re
import socket
import threading

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import EmailDelivery
from accounts.services import password_reset_delivery_send
from accounts.tests.factories import TrainerFactory
from accounts.tests.test_production_settings import run_with_production_settings

RESET = reverse("auth-password-reset")
RESET_BODY = {
    "detail": "If an account exists for this email, we have sent a link to reset its password."
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_down(monkeypatch):
    def refuse(self, messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)


@pytest.fixture
def silent_smtp_server():
    """An SMTP server that accepts connections and never says a word (the outage seen in
    production: threads held for 380 s)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for conn in accepted:
        conn.close()


def reset_link_parts(message) -> tuple[str, str]:
    return re.search(r"/reset-password/([^/\s]+)/([^/\s]+)", message.body).groups()


# --- EMAIL_TIMEOUT ------------------------------------------------------------------------


def test_the_smtp_backend_gets_the_email_timeout(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_TIMEOUT = 7
    assert get_connection().timeout == 7


def test_the_email_timeout_has_a_default_and_comes_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.core.mail import get_connection; "
        "print(settings.EMAIL_TIMEOUT, get_connection().timeout)"
    )
    default = run_with_production_settings(["-c", code], EMAIL_URL="smtp://mail.internal:25")
    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == ["10", "10"]
    configured = run_with_production_settings(
        ["-c", code], EMAIL_URL="smtp://mail.internal:25", EMAIL_TIMEOUT="3"
    )
    assert configured.stdout.split() == ["3", "3"], configured.stderr


def test_a_silent_smtp_server_fails_the_send_after_the_timeout_and_records_it(
    api_client, trainer, settings, silent_smtp_server, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent_smtp_server
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 0.2

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": "tess@example.com"})

    assert response.status_code == 202
    assert response.json() == RESET_BODY
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert delivery.attempts == 1
    assert "timed out" in delivery.last_error


# --- password reset: recorded, failures visible, same answer ----------------------------


def test_a_sent_reset_is_recorded_without_its_link(
    api_client, trainer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(RESET, {"email": "TESS@example.com"})

    delivery = EmailDelivery.objects.get()
    assert (delivery.kind, delivery.recipient, delivery.user) == (
        "password_reset",
        "tess@example.com",
        trainer,
    )
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None
    assert delivery.subject == mail.outbox[0].subject == "Reset your Fitbud password"
    uid, token = reset_link_parts(mail.outbox[0])
    stored = " ".join(str(getattr(delivery, f.attname)) for f in EmailDelivery._meta.fields)
    assert token not in stored and f"{uid}/" not in stored


def test_a_failed_reset_is_recorded_and_logged_and_the_answer_is_unchanged(
    api_client, trainer, smtp_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": "tess@example.com"})

    assert response.status_code == 202
    assert response.json() == RESET_BODY
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "ConnectionRefusedError: smtp down"
    assert delivery.sent_at is None
    assert f"delivery {delivery.pk}" in caplog.text and "smtp down" in caplog.text


def test_a_failed_reset_can_be_sent_again_by_its_id_with_a_fresh_working_link(
    api_client, trainer, monkeypatch, django_capture_on_commit_callbacks
):
    from django.contrib.auth.tokens import default_token_generator

    def refuse(self, messages):
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            api_client.post(RESET, {"email": "tess@example.com"})
    delivery = EmailDelivery.objects.get()

    assert password_reset_delivery_send(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert default_token_generator.check_token(trainer, reset_link_parts(mail.outbox[0])[1])
    # Sending a sent one again sends nothing: a retry never duplicates the email.
    assert password_reset_delivery_send(delivery_id=delivery.pk) is True
    assert len(mail.outbox) == 1


def test_known_and_unknown_addresses_get_the_same_answer_from_the_same_work(
    api_client, django_capture_on_commit_callbacks
):
    TrainerFactory(email="known@example.com")
    seen = {}
    for email in ("known@example.com", "unknown@example.com"):
        with (
            django_capture_on_commit_callbacks() as deferred,
            CaptureQueriesContext(connection) as queries,
        ):
            response = api_client.post(RESET, {"email": email})
        seen[email] = (response.status_code, response.content, len(queries), len(deferred))

    # Same status and bytes, no SQL at all on the request path (the lookup, the record and
    # the send all happen after the response), and one deferred job each.
    assert seen["known@example.com"] == seen["unknown@example.com"]
    status, _body, query_count, jobs = seen["known@example.com"]
    assert (status, query_count, jobs) == (202, 0, 1)
    assert mail.outbox == [] and not EmailDelivery.objects.exists()


@pytest.mark.parametrize("email", ["nobody@example.com", "gone@example.com"])
def test_an_unknown_or_inactive_address_gets_no_email_and_no_record(
    api_client, email, django_capture_on_commit_callbacks
):
    TrainerFactory(email="gone@example.com", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": email})
    assert (response.status_code, response.json()) == (202, RESET_BODY)
    assert mail.outbox == [] and not EmailDelivery.objects.exists()


# --- on a Celery task ----------------------------------------------------------------------


def test_a_reset_request_enqueues_one_task_after_commit_and_does_no_lookup(
    api_client, django_capture_on_commit_callbacks, monkeypatch
):
    published = []
    monkeypatch.setattr(
        "accounts.tasks.password_reset_email_send_task.apply_async",
        lambda kwargs: published.append(kwargs),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": "Nobody@Example.com"})
    assert response.status_code == 202
    assert len(published) == 1 and published[0]["email"] == "nobody@example.com"
    assert not EmailDelivery.objects.exists()


def test_a_broker_that_cannot_be_reached_is_logged_not_raised(
    api_client, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("accounts.tasks.password_reset_email_send_task.apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": "a@example.com"})
    assert (response.status_code, response.json()) == (202, RESET_BODY)
    assert "Could not enqueue accounts.password_reset_email_send" in caplog.text


def test_the_reset_task_run_twice_records_and_sends_one_email():
    from accounts.tasks import password_reset_email_send_task

    TrainerFactory(email="twice@example.com")
    kwargs = {"email": "twice@example.com", "request_id": "9b2f4c1e-2d7a-4a8e-9a55-0c1d2e3f4a5b"}
    password_reset_email_send_task.apply(kwargs=kwargs)
    password_reset_email_send_task.apply(kwargs=kwargs)
    assert len(mail.outbox) == 1
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_the_sweep_resends_a_lost_reset_and_fails_a_lost_invite(
    settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tasks import LOST, email_deliveries_sweep_task

    user = TrainerFactory(email="lost@example.com")
    old = timezone.now() - timedelta(minutes=settings.EMAIL_STALE_MINUTES + 1)
    reset = EmailDelivery.objects.create(
        kind="password_reset", recipient=user.email, subject="s", user=user, created_at=old
    )
    invite = EmailDelivery.objects.create(
        kind="invite", recipient="i@example.com", subject="s", created_at=old
    )
    fresh = EmailDelivery.objects.create(kind="invite", recipient="f@example.com", subject="s")

    with django_capture_on_commit_callbacks(execute=True):
        assert email_deliveries_sweep_task.apply().get() == {"resent": 1, "failed": 1}
    reset.refresh_from_db(), invite.refresh_from_db(), fresh.refresh_from_db()
    assert (reset.status, len(mail.outbox), mail.outbox[0].to) == ("sent", 1, [user.email])
    assert (invite.status, invite.last_error) == ("failed", LOST)
    assert fresh.status == "pending"

    # Run again: nothing is stale any more, nothing is sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert email_deliveries_sweep_task.apply().get() == {"resent": 0, "failed": 0}
    assert len(mail.outbox) == 1
