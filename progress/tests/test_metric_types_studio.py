"""Custom metric types belong to the studio (issue 15). People: clients/tests/conftest.py
`studio` (owner, admin, coach A with client X, coach B, specialist S, another studio)."""

import pytest
from django.urls import reverse

from clients.tests.conftest import api_as, studio  # noqa: F401 (fixtures)
from conftest import assert_error
from progress.tests.factories import MetricTypeFactory

pytestmark = pytest.mark.django_db

TYPES = reverse("metric-type-list")
STATS = reverse("body-stat-list")
SERIES = reverse("metric-series")


def detail(metric_type) -> str:
    return reverse("metric-type-detail", args=[metric_type.pk])


def slugs(api) -> list[str]:
    response = api.get(TYPES)
    assert response.status_code == 200, response.content
    return [t["slug"] for t in response.json()["results"]]


def test_a_second_coach_of_the_studio_sees_and_uses_the_type(studio, api_as):  # noqa: F811
    created = api_as("coach_b").post(
        TYPES, {"name": "Resting heart rate", "kind": "number", "unit": "bpm"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert slugs(api_as("coach_a")) == ["resting_heart_rate"]
    assert slugs(api_as("client_x")) == ["resting_heart_rate"]
    assert api_as("coach_a").get(reverse("metric-type-detail", args=[created.json()["id"]]))
    # Client X (coach A's) logs it; coach A reads the series.
    day = studio.x.user.local_today().isoformat()
    logged = api_as("client_x").post(
        STATS, {"date": day, "metric": "resting_heart_rate", "value": 52}, format="json"
    )
    assert logged.status_code == 201, logged.content
    series = api_as("coach_a").get(
        SERIES, {"client": studio.x.pk, "metric": "resting_heart_rate", "from": day, "to": day}
    )
    assert series.status_code == 200, series.content
    assert [p["value"] for p in series.json()["points"]] == [52.0]
    # One slug per studio: coach A cannot define it again.
    again = api_as("coach_a").post(
        TYPES, {"name": "Resting heart rate", "kind": "number", "unit": "bpm"}, format="json"
    )
    assert_error(again, 409, "slug_taken")


def test_another_studios_type_is_not_found(studio, api_as):  # noqa: F811
    theirs = MetricTypeFactory(trainer=studio.outsider, slug="grip")
    for reader in ("owner", "coach_a", "client_x"):
        api = api_as(reader)
        assert "grip" not in slugs(api)
        assert_error(api.get(detail(theirs)), 404)
    assert_error(api_as("owner").patch(detail(theirs), {"name": "X"}, format="json"), 404)
    body = {"date": studio.x.user.local_today().isoformat(), "metric": "grip", "value": 1}
    assert_error(api_as("client_x").post(STATS, body, format="json"), 400, "unknown_metric")


@pytest.mark.parametrize(
    ("editor", "allowed"),
    [
        ("coach_b", True),
        ("owner", True),
        ("admin", True),
        ("coach_a", False),
        ("specialist", False),
    ],
)
def test_the_author_and_the_managers_change_a_type(studio, api_as, editor, allowed):  # noqa: F811
    custom = MetricTypeFactory(trainer=studio.coach_b)
    assert custom.studio_id == studio.studio.pk
    api = api_as(editor)
    response = api.patch(detail(custom), {"name": "Grip strength"}, format="json")
    if allowed:
        assert response.status_code == 200, response.content
        assert api.delete(detail(custom)).status_code == 204
    else:
        assert_error(response, 403, "metric_type_not_editable")
        assert_error(api.delete(detail(custom)), 403, "metric_type_not_editable")


def test_a_removed_members_types_stay_with_the_studio(studio, api_as):  # noqa: F811
    from accounts.services import member_remove

    custom = MetricTypeFactory(trainer=studio.coach_b, slug="grip")
    member_remove(actor=studio.owner, member=studio.coach_b.membership)
    custom.refresh_from_db()
    assert (custom.trainer, custom.studio) == (studio.owner, studio.studio)
    assert "grip" in slugs(api_as("coach_a"))
    assert slugs(api_as("coach_b")) == []
    assert_error(api_as("coach_b").get(detail(custom)), 404)
