import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from dashboard.models import ActivityEvent
from progress.tests.factories import MealLogFactory

pytestmark = pytest.mark.django_db


def test_staff_read_the_feed_by_trainer_and_kind_but_cannot_edit_it(client, client_link):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    MealLogFactory(client=client_link, meal="Brunch")
    event = ActivityEvent.objects.get()
    changelist = reverse("admin:dashboard_activityevent_changelist")

    listing = client.get(
        changelist, {"trainer__id__exact": client_link.trainer_id, "kind__exact": "meal.logged"}
    )
    detail = client.get(reverse("admin:dashboard_activityevent_change", args=[event.pk]))
    edit = client.post(
        reverse("admin:dashboard_activityevent_change", args=[event.pk]), {"summary": "forged"}
    )

    assert listing.status_code == 200
    assert "Cleo logged Brunch" in listing.content.decode()
    assert detail.status_code == 200
    assert edit.status_code == 403
    event.refresh_from_db()
    assert event.summary.startswith("Cleo logged Brunch")
