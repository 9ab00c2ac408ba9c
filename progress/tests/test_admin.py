import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from progress.services import photo_thumbnail_make
from progress.tests.factories import (
    BodyStatFactory,
    CheckInFactory,
    MealLogFactory,
    MetricTypeFactory,
    ProgressPhotoFactory,
    WorkoutLogFactory,
)

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
        (ProgressPhotoFactory, "progressphoto"),
        (BodyStatFactory, "bodystat"),
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


def test_a_photo_view_page_shows_it_through_signed_urls(staff_client, client_link):
    photo = ProgressPhotoFactory(client=client_link)
    photo_thumbnail_make(photo_id=str(photo.pk))
    listing = staff_client.get(reverse("admin:progress_progressphoto_changelist")).content
    page = staff_client.get(reverse("admin:progress_progressphoto_change", args=[photo.pk]))
    assert b"/api/v1/photos/files/" in listing
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("/api/v1/photos/files/") == 2  # the thumbnail, linking the photo
    assert "Signed links, valid until" in body


def test_staff_rename_a_metric_type_but_never_add_one(staff_client, trainer):
    metric_type = MetricTypeFactory(trainer=trainer)
    listing = staff_client.get(reverse("admin:progress_metrictype_changelist"))
    assert metric_type.name in listing.content.decode()
    assert staff_client.get(reverse("admin:progress_metrictype_add")).status_code == 403
    page = staff_client.get(reverse("admin:progress_metrictype_change", args=[metric_type.pk]))
    assert 'name="name"' in page.content.decode()
