"""The timestamp a pull returns never skips a row that commits later with an earlier
`updated_at` (a transaction still in flight during the pull)."""

import datetime as dt

import pytest
import time_machine

from clients.models import Client
from conftest import auth_client, write_left_open
from progress.tests.factories import WorkoutLogFactory
from sync.selectors import to_ms
from sync.tests.helpers import ids, pull


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_committed_after_a_pull_with_an_earlier_updated_at_comes_in_the_next_pull(
    client_user, client_link, settings
):
    # No margin: only the in-flight rule can keep the row (with the clock alone, the pull's
    # timestamp would be later than the row's updated_at, and the row lost for this device).
    settings.SYNC_CLOCK_MARGIN_MS = 0
    api = auth_client(client_user)
    _, first = pull(api)
    written = {}

    def write():
        Client.objects.get(pk=client_link.pk)  # the transaction starts before the row's stamp
        written["log"] = WorkoutLogFactory(client=client_link)

    with write_left_open(write):
        _, during = pull(api, first["timestamp"])
        log = written["log"]
        assert str(log.pk) not in ids(during, "workout_logs", "created")  # not committed
        assert during["timestamp"] <= to_ms(log.updated_at)
    _, after = pull(api, during["timestamp"])
    assert str(log.pk) in ids(after, "workout_logs", "created")


@pytest.mark.django_db
def test_without_transactions_in_flight_the_timestamp_is_the_clock_minus_the_margin(
    client_user, settings
):
    settings.SYNC_CLOCK_MARGIN_MS = 250
    now = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        _, body = pull(auth_client(client_user))
    assert body["timestamp"] == to_ms(now) - 250
