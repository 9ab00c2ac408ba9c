"""notifications/preferences/ and quiet hours: pushes held until they end, in the user's
timezone, across both DST changes (frozen clocks)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from conftest import assert_error, auth_client
from notifications.models import Notification, NotificationPreference, PushDelivery
from notifications.quiet_hours import quiet_until
from notifications.services import notification_create, preference_update
from notifications.tasks import push_deliveries_sweep_task
from notifications.tests.helpers import device

pytestmark = pytest.mark.django_db

URL = reverse("notification-preferences")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = datetime.UTC


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_defaults_have_every_channel_on_and_no_quiet_hours(client_api, client_user):
    body = client_api.get(URL).json()
    assert set(body["kinds"]) == set(Notification.Kind.values)
    assert all(c == {"in_app": True, "push": True} for c in body["kinds"].values())
    assert body["quiet_hours"] is None
    assert body["habit_reminder_time"] == "19:00"
    assert body["timezone"] == client_user.timezone
    assert not NotificationPreference.objects.exists()  # reading writes nothing


def test_patch_merges_kinds_and_sets_or_clears_quiet_hours(client_api):
    response = client_api.patch(
        URL,
        {"kinds": {"message": {"push": False}}, "quiet_hours": {"start": "22:00", "end": "07:00"}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["kinds"]["message"] == {"in_app": True, "push": False}
    assert body["quiet_hours"] == {"start": "22:00", "end": "07:00"}
    body = client_api.patch(
        URL, {"kinds": {"plan_assigned": {"in_app": False}}}, format="json"
    ).json()
    assert body["kinds"]["message"] == {"in_app": True, "push": False}
    assert body["kinds"]["plan_assigned"] == {"in_app": False, "push": True}
    assert body["quiet_hours"] == {"start": "22:00", "end": "07:00"}
    body = client_api.patch(
        URL, {"quiet_hours": None, "kinds": {"message": {"push": True}}}, format="json"
    ).json()
    assert body["quiet_hours"] is None
    assert body["kinds"]["message"] == {"in_app": True, "push": True}
    assert NotificationPreference.objects.get().channels == {"plan_assigned": {"in_app": False}}


def test_each_user_changes_only_their_own(client_api, trainer_api):
    client_api.patch(URL, {"kinds": {"message": {"push": False}}}, format="json")
    assert trainer_api.get(URL).json()["kinds"]["message"]["push"] is True


@pytest.mark.parametrize(
    "body, attr",
    [
        ({"kinds": {"gossip": {"push": False}}}, "kinds.gossip"),
        ({"kinds": {"message": {"email": False}}}, "kinds.message.email"),
        ({"kinds": {"message": {"push": "no"}}}, "kinds.message.push"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours.end"),
        ({"timezone": "UTC"}, "timezone"),
    ],
)
def test_bad_preferences_are_400_naming_the_field(client_api, body, attr):
    assert_error(client_api.patch(URL, body, format="json"), 400, attr=attr)


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401


# Quiet hours -------------------------------------------------------------------------------

NIGHT = (datetime.time(22), datetime.time(7))


@pytest.mark.parametrize(
    "now, expected",
    [
        # Spring forward (2027-03-28, 02:00 CET -> 03:00 CEST): 07:00 local is 05:00 UTC.
        (utc(2027, 3, 27, 22, 0), utc(2027, 3, 28, 5, 0)),
        # Fall back (2027-10-31, 03:00 CEST -> 02:00 CET): 07:00 local is 06:00 UTC.
        (utc(2027, 10, 30, 21, 0), utc(2027, 10, 31, 6, 0)),
        # After midnight, before the end: same local morning.
        (utc(2027, 10, 31, 1, 30), utc(2027, 10, 31, 6, 0)),
        # Outside them: nothing held.
        (utc(2027, 3, 27, 12, 0), None),
        (utc(2027, 10, 31, 6, 0), None),
    ],
)
def test_quiet_hours_end_at_the_local_wall_time_across_dst(now, expected):
    assert quiet_until(now=now, start=NIGHT[0], end=NIGHT[1], tz=BERLIN) == expected


def test_an_end_inside_the_spring_gap_releases_just_after_it():
    # 02:30 does not exist on 2027-03-28 in Berlin: released at 03:30 CEST (01:30 UTC).
    until = quiet_until(
        now=utc(2027, 3, 27, 23, 0), start=datetime.time(23), end=datetime.time(2, 30), tz=BERLIN
    )
    assert until == utc(2027, 3, 28, 1, 30)


def test_daytime_quiet_hours_do_not_span_midnight():
    start, end = datetime.time(9), datetime.time(17)
    assert quiet_until(now=utc(2027, 6, 1, 10), start=start, end=end, tz=BERLIN) == utc(
        2027, 6, 1, 15
    )
    assert quiet_until(now=utc(2027, 6, 1, 20), start=start, end=end, tz=BERLIN) is None


@pytest.mark.parametrize(
    "night_utc, release_utc",
    [
        (utc(2027, 3, 27, 22, 30), utc(2027, 3, 28, 5, 0)),
        (utc(2027, 10, 30, 22, 30), utc(2027, 10, 31, 6, 0)),
    ],
)
def test_a_push_in_quiet_hours_waits_until_they_end_but_the_entry_shows_at_once(
    client_user, outbox, django_capture_on_commit_callbacks, night_utc, release_utc
):
    client_user.timezone = "Europe/Berlin"
    client_user.save(update_fields=["timezone"])
    preference_update(user=client_user, quiet_hours={"start": NIGHT[0], "end": NIGHT[1]})
    device(client_user)
    with time_machine.travel(night_utc, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            notification_create(user=client_user, kind="automation", title="Late news")
        # (A token issued at the frozen instant: the fixture's would not be valid yet.)
        listed = auth_client(client_user).get(reverse("notification-list")).json()
        assert listed["count"] == 1
        row = PushDelivery.objects.get()
        assert (row.status, row.not_before) == ("pending", release_utc)
        assert outbox == []
    with time_machine.travel(release_utc - datetime.timedelta(minutes=1), tick=False):
        assert push_deliveries_sweep_task.apply().get() == 0
    # The ETA task may be lost (broker restart): the sweep sends it after the end.
    with time_machine.travel(release_utc + datetime.timedelta(minutes=2), tick=False):
        assert push_deliveries_sweep_task.apply().get() == 1
    row.refresh_from_db()
    assert row.status == "sent" and len(outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_changes_make_one_preference_row_with_every_change(client_user):
    import threading

    from django.db import connection

    kinds = ["message", "plan_assigned", "form_reviewed", "habit_reminder"]
    apis = [auth_client(client_user) for _ in kinds]
    barrier = threading.Barrier(len(kinds))
    statuses = [None] * len(kinds)

    def worker(index):
        try:
            barrier.wait()
            body = {"kinds": {kinds[index]: {"push": False}}}
            statuses[index] = apis[index].patch(URL, body, format="json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(kinds))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(kinds)
    preference = NotificationPreference.objects.get(user=client_user)
    assert preference.channels == {kind: {"push": False} for kind in kinds}
