import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from clients.models import ClientStatusChange, HealthProfileChange, Invite
from clients.tests.factories import (
    ClientFactory,
    ClientNoteFactory,
    ClientStatusChangeFactory,
    HealthProfileChangeFactory,
    HealthProfileFactory,
    InviteFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True, email="staff@example.com")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["invite", "client", "clientnote", "healthprofile"])
def test_every_admin_list_and_change_page_renders(staff, model):
    objects = {
        "invite": InviteFactory,
        "client": ClientFactory,
        "clientnote": ClientNoteFactory,
        "healthprofile": HealthProfileFactory,
    }
    obj = objects[model]()
    if model == "client":  # inlines render rows too
        ClientNoteFactory(client=obj)
        HealthProfileFactory(client=obj)
        ClientStatusChangeFactory(client=obj)
    if model == "healthprofile":
        HealthProfileChangeFactory(profile=obj)
    assert staff.get(reverse(f"admin:clients_{model}_changelist")).status_code == 200
    assert staff.get(reverse(f"admin:clients_{model}_changelist"), {"q": "x"}).status_code == 200
    assert staff.get(reverse(f"admin:clients_{model}_change", args=[obj.pk])).status_code == 200


def test_the_invite_admin_filters_by_status(staff):
    InviteFactory(status=Invite.Status.REVOKED, email="gone@example.com")
    InviteFactory(email="live@example.com")
    response = staff.get(reverse("admin:clients_invite_changelist"), {"status__exact": "revoked"})
    assert b"gone@example.com" in response.content
    assert b"live@example.com" not in response.content


def test_staff_resend_and_revoke_invites_from_the_list(staff, django_capture_on_commit_callbacks):
    invite = InviteFactory()
    url = reverse("admin:clients_invite_changelist")
    old_hash = invite.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url, {"action": "resend_invites", "_selected_action": [invite.pk]})
    invite.refresh_from_db()
    assert invite.token_hash != old_hash and invite.send_count == 1
    assert len(mail.outbox) == 1

    staff.post(url, {"action": "revoke_invites", "_selected_action": [invite.pk]})
    invite.refresh_from_db()
    assert invite.status == Invite.Status.REVOKED


def test_deactivating_in_the_admin_keeps_the_history(staff):
    client = ClientFactory()
    url = reverse("admin:clients_client_change", args=[client.pk])
    form = {
        "user": client.user.pk,
        "trainer": client.trainer.pk,
        "joined_at_0": client.joined_at.strftime("%Y-%m-%d"),
        "joined_at_1": client.joined_at.strftime("%H:%M:%S"),
        "goals": "",
        "health-TOTAL_FORMS": 0,
        "health-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
    }
    response = staff.post(url, form)  # is_active unchecked
    assert response.status_code == 302, response.content[:2000]
    client.refresh_from_db()
    assert client.is_active is False and client.deactivated_at is not None
    change = ClientStatusChange.objects.get(client=client)
    assert change.is_active is False and change.changed_by.email == "staff@example.com"


def test_health_edits_in_the_admin_are_recorded(staff):
    profile = HealthProfileFactory(allergies="")
    url = reverse("admin:clients_healthprofile_change", args=[profile.pk])
    response = staff.post(
        url,
        {
            "client": profile.client.pk,
            "height_cm": "172.0",
            "allergies": "nuts",
            "changes-TOTAL_FORMS": 0,
            "changes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    change = HealthProfileChange.objects.get()
    assert change.fields == ["allergies"]
    assert change.changed_by.email == "staff@example.com"
