"""The studio isolation matrix (issue 15), grown by the second release's client-data
endpoints: progress photos, body stats and metric series, habits and form responses
(check-ins domain), exercise history and personal records (workouts domain).

People: the `studio` fixture (clients/tests/conftest.py) plus specialist D, whose grant on
client X covers nutrition only. The helpers and expectations are test_studio_isolation's.
"""

import datetime

import pytest
from django.urls import reverse

from accounts.models import StudioRole
from clients.tests.factories import ClientAccessFactory, studio_member
from clients.tests.test_studio_isolation import READERS as STUDIO_READERS
from clients.tests.test_studio_isolation import WITH_S, row
from coaching.models import FormResponse
from coaching.tests.factories import FormAssignmentFactory, HabitFactory
from conftest import assert_error
from exercises.tests.factories import global_exercise
from progress.tests.factories import BodyStatFactory, ProgressPhotoFactory

pytestmark = pytest.mark.django_db

READERS = [*STUDIO_READERS, "dietitian"]
DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def data(studio):
    """One of each record of client X, and specialist D (nutrition only) in `studio`."""
    x = studio.x
    studio.dietitian = studio_member(
        studio.studio, role=StudioRole.SPECIALIST, title="Dietitian", full_name="Dora Diet"
    )
    ClientAccessFactory(client=x, grantee=studio.dietitian, nutrition=True, granted_by=studio.owner)
    assignment = FormAssignmentFactory(client=x)
    return {
        "client": x,
        "before": ProgressPhotoFactory(client=x, date=DAY),
        "after": ProgressPhotoFactory(client=x, date=DAY + datetime.timedelta(days=28)),
        "stat": BodyStatFactory(client=x, date=DAY),
        "habit": HabitFactory(client=x),
        "response": FormResponse.objects.create(
            client=x,
            assignment=assignment,
            form_version=assignment.form_version,
            date=DAY,
            answers={},
        ),
        "exercise": global_exercise(),
    }


CHECKINS = row(200, dietitian=404)  # the specialist's grant covers check-ins
WORKOUTS = row(404, dietitian=404)  # no specialist's grant covers workouts


def _photo_compare(data):
    return reverse("photo-compare"), {"before": data["before"].pk, "after": data["after"].pk}


def _series(data):
    return reverse("metric-series"), {"client": data["client"].pk, "metric": "weight"}


def _history(data):
    url = reverse("exercise-history", args=[data["exercise"].pk])
    return url, {"client": data["client"].pk}


def _records(data):
    return reverse("records"), {"client": data["client"].pk}


def _detail(name, target):
    return lambda data: (reverse(name, args=[data[target].pk]), None)


# (endpoint, (URL, query) of `data`, expected per reader)
OBJECTS = [
    ("photo", _detail("photo-detail", "before"), CHECKINS),
    ("photos: compare", _photo_compare, CHECKINS),
    ("body stat", _detail("body-stat-detail", "stat"), CHECKINS),
    ("metric series", _series, CHECKINS),
    ("habit", _detail("habit-detail", "habit"), CHECKINS),
    ("form response", _detail("form-response-detail", "response"), CHECKINS),
    ("exercise history", _history, WORKOUTS),
    ("personal records", _records, WORKOUTS),
]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(("target", "expected"), [pytest.param(*o[1:], id=o[0]) for o in OBJECTS])
def test_object_endpoints(api_as, data, reader, target, expected):
    url, query = target(data)
    response = api_as(reader).get(url, query)
    if expected[reader] == 200:
        assert response.status_code == 200, (reader, url, response.content)
    else:
        assert_error(response, expected[reader])


# (list, URL name, object of X that may be in it); readers: managers, coach A, specialist S
LISTS = [
    ("photos", "photo-list", "before"),
    ("body stats", "body-stat-list", "stat"),
    ("habits", "habit-list", "habit"),
    ("form responses", "form-response-list", "response"),
]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(("name", "target"), [pytest.param(*i[1:], id=i[0]) for i in LISTS])
def test_list_endpoints(api_as, data, reader, name, target):
    response = api_as(reader).get(reverse(name), {"page_size": 100})
    assert response.status_code == 200, response.content
    ids = {str(item["id"]) for item in response.json()["results"]}
    assert (str(data[target].pk) in ids) is (reader in WITH_S), (reader, name)
