"""The daily purge of finished push delivery rows (PUSH_DELIVERY_RETENTION_DAYS)."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Q

from fitbud.background import purge_finished
from notifications.delivery import push_deliveries_purge
from notifications.models import Notification, PushDelivery
from notifications.tasks import push_deliveries_purge_task
from notifications.tests.helpers import device

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC)  # the day after a 28-day February


def _delivery(user, status, days_old, token):
    note = Notification.objects.create(user=user, kind="automation", title="Hi")
    return PushDelivery.objects.create(
        notification=note,
        device=device(user, token=token),
        platform="android",
        status=status,
        created_at=NOW - dt.timedelta(days=days_old),
    )


def test_finished_rows_past_the_retention_go_and_the_rest_stay(client_user, settings):
    settings.PUSH_DELIVERY_RETENTION_DAYS = 7
    old_sent = _delivery(client_user, "sent", 8, "t1")
    old_dropped = _delivery(client_user, "dropped", 30, "t2")
    old_pending = _delivery(client_user, "pending", 30, "t3")  # not finished: never purged
    recent = _delivery(client_user, "failed", 6, "t4")
    with time_machine.travel(NOW, tick=False):
        assert push_deliveries_purge_task() == 2
    left = set(PushDelivery.objects.values_list("pk", flat=True))
    assert left == {old_pending.pk, recent.pk}
    assert old_sent.notification_id in set(Notification.objects.values_list("pk", flat=True))
    assert old_dropped.pk not in left


def test_the_purge_walks_in_batches_and_stops_at_the_cutoff(client_user, settings):
    settings.PUSH_DELIVERY_RETENTION_DAYS = 1
    for n in range(7):
        _delivery(client_user, "sent", 10 - n, f"b{n}")  # 10 .. 4 days old
    newest = _delivery(client_user, "sent", 0, "fresh")
    with time_machine.travel(NOW, tick=False):
        before = NOW - dt.timedelta(days=1)
        finished = ~Q(status="pending")
        assert purge_finished(PushDelivery, before=before, finished=finished, batch=3) == 7
        assert push_deliveries_purge() == 0
    assert list(PushDelivery.objects.values_list("pk", flat=True)) == [newest.pk]
