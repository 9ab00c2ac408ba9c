import datetime

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from plans.tests.factories import PlanAssignmentFactory


@pytest.fixture
def today(client_user) -> datetime.date:
    return client_user.local_today()


@pytest.fixture
def assignment(client_link, today):
    """A 3-day workout plan (Push, Rest, Legs) started today for the client."""
    return PlanAssignmentFactory(client=client_link, start_date=today)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def photo_storage(settings, tmp_path):
    """Every progress test stores photos in its own temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "photos")},
        },
    }
    return storages["photos"]
