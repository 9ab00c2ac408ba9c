"""Concurrent grants and transfers of one client (PostgreSQL: real row locks). The client
row lock serialises them; the partial unique constraint is the last word on grants."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from clients.models import ClientAccess, ClientAccessChange
from conftest import auth_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(requests):
    """Run each (user, url, body) POST in its own thread, released together."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def worker(index, user, url, body):
        api = auth_client(user)
        try:
            barrier.wait()
            responses[index] = api.post(url, body, format="json")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def test_two_simultaneous_grants_for_one_member_make_one(studio):
    url = reverse("client-access-list", args=[studio.x.pk])
    body = {"member": studio.coach_b.membership.pk, "domains": ["workouts"]}
    responses = _race([(studio.owner, url, body), (studio.coach_a, url, body)] * 2)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409, 409, 409], [r.content for r in responses]
    assert all(
        r.json()["errors"][0]["code"] == "grant_exists" for r in responses if r.status_code == 409
    )
    live = ClientAccess.objects.filter(client=studio.x, member=studio.coach_b.membership)
    assert live.filter(revoked_at__isnull=True).count() == 1
    assert ClientAccessChange.objects.filter(client=studio.x, action="granted").count() == 1


def test_two_simultaneous_transfers_leave_one_primary_coach_and_a_true_trail(studio):
    url = reverse("client-transfer", args=[studio.x.pk])
    # Coach A gives X to coach B while the owner gives X to the admin.
    responses = _race(
        [
            (studio.coach_a, url, {"coach": studio.coach_b.membership.pk}),
            (studio.owner, url, {"coach": studio.admin.membership.pk}),
        ]
    )
    codes = [r.status_code for r in responses]
    # The second may find coach A no longer primary under the lock (403 not_primary_coach).
    assert 200 in codes and set(codes) <= {200, 403}, [r.content for r in responses]
    studio.x.refresh_from_db()
    trail = list(ClientAccessChange.objects.filter(action="transferred").order_by("id"))
    assert len(trail) == codes.count(200)
    # Every transfer names the coach that really was primary before it.
    previous = studio.coach_a
    for change in trail:
        assert change.previous_member == previous
        previous = change.member
    assert studio.x.trainer == previous


def test_a_transfer_racing_a_grant_to_the_new_coach_leaves_no_live_grant(studio):
    grant_url = reverse("client-access-list", args=[studio.x.pk])
    responses = _race(
        [
            (
                studio.owner,
                reverse("client-transfer", args=[studio.x.pk]),
                {"coach": studio.coach_b.membership.pk},
            ),
            (
                studio.admin,
                grant_url,
                {"member": studio.coach_b.membership.pk, "domains": ["notes"]},
            ),
        ]
    )
    transfer, grant = responses
    assert transfer.status_code == 200, transfer.content
    # Either the grant came first (and the transfer revoked it), or the transfer did (and
    # the grant is refused: the primary coach needs none).
    assert grant.status_code in (201, 400), grant.content
    if grant.status_code == 400:
        assert grant.json()["errors"][0]["code"] == "member_is_primary_coach"
    assert not ClientAccess.objects.active().filter(member=studio.coach_b.membership).exists()
