"""Staff see every email we tried to send, filter the failed ones and send resets again."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import EmailDelivery, User
from accounts.tests.factories import TrainerFactory

CHANGELIST = reverse("admin:accounts_emaildelivery_changelist")

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    admin = User.objects.create_superuser(
        email="admin@example.com", password="admin-pass-123", full_name="Ada Admin"
    )
    client.force_login(admin)
    return client


def delivery(**fields) -> EmailDelivery:
    defaults = {"kind": "password_reset", "recipient": "x@example.com", "subject": "s"}
    return EmailDelivery.objects.create(**{**defaults, **fields})


def test_the_list_filters_failed_emails_and_shows_the_error(staff):
    failed = delivery(recipient="failed@example.com", status="failed", last_error="SMTP timed out")
    delivery(recipient="sent@example.com", status="sent")

    response = staff.get(CHANGELIST, {"status__exact": "failed"})

    assert response.status_code == 200
    assert b"failed@example.com" in response.content
    assert b"SMTP timed out" in response.content
    assert b"sent@example.com" not in response.content
    change = staff.get(reverse("admin:accounts_emaildelivery_change", args=[failed.pk]))
    assert change.status_code == 200 and b"SMTP timed out" in change.content


def test_staff_cannot_add_a_delivery_by_hand(staff):
    assert staff.get(reverse("admin:accounts_emaildelivery_add")).status_code == 403


def test_staff_send_failed_password_resets_again(staff):
    user = TrainerFactory(email="tess@example.com")
    failed = delivery(recipient=user.email, user=user, status="failed", attempts=1)
    invite = delivery(kind="invite", status="failed")

    response = staff.post(
        CHANGELIST,
        {"action": "send_password_resets_again", "_selected_action": [failed.pk, invite.pk]},
        follow=True,
    )

    assert b"Sent 1, failed again 0, skipped 1" in response.content
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 2)
    assert [m.to for m in mail.outbox] == [["tess@example.com"]]
    invite.refresh_from_db()
    assert invite.status == "failed"
