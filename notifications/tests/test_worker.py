"""The real-worker path of a push (a Celery worker thread on a real Redis broker; see
fitbud/tests/test_celery_worker.py): review → spine relay → notification → push task,
retried through a provider outage, sent once."""

import pytest
from django.urls import reverse

from fitbud.tests.test_celery_worker import BROKER_URL, run_on_worker, wait_for, worker  # noqa: F401
from notifications.models import Notification, PushDelivery
from notifications.push import test as test_provider
from notifications.push.base import TransientPushError
from notifications.tasks import push_send_task
from notifications.tests.helpers import device
from progress.tests.factories import CheckInFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]


@pytest.fixture
def provider_fails_twice(monkeypatch):
    real = test_provider.TestPushProvider.send
    calls = {"n": 0}

    def flaky(self, *, target, message):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise TransientPushError("FCM 503 UNAVAILABLE")
        return real(self, target=target, message=message)

    monkeypatch.setattr(test_provider.TestPushProvider, "send", flaky)
    test_provider.outbox.clear()
    yield calls
    test_provider.outbox.clear()


def test_a_review_reaches_the_client_s_phone_through_a_provider_outage_once(
    worker,  # noqa: F811
    provider_fails_twice,
    trainer_api,
    client_link,
):
    device(client_link.user, token="fcm-worker-phone")
    check_in = CheckInFactory(client=client_link)
    response = trainer_api.post(
        reverse("check-in-review", args=[check_in.pk]), {"feedback": "Strong week"}, format="json"
    )
    assert response.status_code == 200
    row = wait_for(
        lambda: PushDelivery.objects.filter(status="sent").first(), "the push sent after retries"
    )
    assert row.attempts == 3 and row.last_error == ""
    assert Notification.objects.get().kind == "checkin_reviewed"
    assert [t.token for t, _ in test_provider.outbox] == ["fcm-worker-phone"]
    # The task delivered again (a redelivery after a lost ack): nothing sent twice.
    assert run_on_worker(push_send_task, delivery_id=row.pk) == "skipped"
    assert len(test_provider.outbox) == 1
