"""The whole test run at a chosen instant (FITBUD_TEST_NOW / --fitbud-now, root conftest)."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import _parse_test_now, run_clock


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-01-31T23:30:00Z", dt.datetime(2027, 1, 31, 23, 30, tzinfo=dt.UTC)),
        (" 2028-02-29T12:00:00+01:00 ", dt.datetime(2028, 2, 29, 11, tzinfo=dt.UTC)),
    ],
)
def test_an_iso_instant_with_an_offset_is_understood(value, expected):
    assert _parse_test_now(value) == expected


@pytest.mark.parametrize("value", ["2027-01-31T23:30:00", "tomorrow", "2027-02-30T00:00:00Z"])
def test_a_naive_or_impossible_instant_stops_the_run(value):
    with pytest.raises(pytest.UsageError, match="FITBUD_TEST_NOW"):
        _parse_test_now(value)


def test_the_clock_starts_at_the_instant_and_keeps_ticking():
    instant = dt.datetime(2028, 2, 29, 23, 59, 30, tzinfo=dt.UTC)
    with run_clock(instant):
        first = timezone.now()
        second = timezone.now()
        assert instant <= first < second < instant + dt.timedelta(seconds=20)
        assert timezone.localdate(first, timezone=dt.UTC) == dt.date(2028, 2, 29)


def test_without_an_instant_the_clock_is_left_alone():
    before = dt.datetime.now(dt.UTC)
    with run_clock(None):
        inside = timezone.now()
    assert before <= inside <= dt.datetime.now(dt.UTC)


def test_this_run_started_at_the_chosen_instant_if_any(request):
    # Under FITBUD_TEST_NOW this test, like every other, starts at that instant.
    instant = request.config.fitbud_test_now
    start = instant or dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert start <= timezone.now() < start + dt.timedelta(seconds=60)
