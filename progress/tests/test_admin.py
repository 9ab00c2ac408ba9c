import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from progress.tests.factories import CheckInFactory, MealLogFactory, WorkoutLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("factory", "name"),
    [
        (WorkoutLogFactory, "workoutlog"),
        (MealLogFactory, "meallog"),
        (CheckInFactory, "checkin"),
    ],
)
def test_staff_browse_entries_by_trainer_and_read_them(staff_client, client_link, factory, name):
    entry = factory(client=client_link)
    changelist = reverse(f"admin:progress_{name}_changelist")

    listing = staff_client.get(changelist, {"client__trainer__id__exact": client_link.trainer_id})
    searched = staff_client.get(changelist, {"q": client_link.user.email})
    detail = staff_client.get(reverse(f"admin:progress_{name}_change", args=[entry.pk]))

    assert listing.status_code == 200
    assert (
        str(entry.pk) in listing.content.decode()
        or client_link.user.email in listing.content.decode()
    )
    assert searched.status_code == 200
    assert detail.status_code == 200
    # Read-only: no add button, no editable inputs for what the client logged.
    assert staff_client.get(reverse(f"admin:progress_{name}_add")).status_code == 403
    assert 'name="notes"' not in detail.content.decode()
