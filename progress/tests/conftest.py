import datetime

import pytest
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
def photo_storage(tmp_photo_storage):
    """Every progress test stores photos in its own temporary directory."""
    return tmp_photo_storage
