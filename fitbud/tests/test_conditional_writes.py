"""ETag / If-Match on every object the apps edit (fitbud/api/conditional.py): a stale If-Match
is a 412 with the current ETag and changes nothing; a fresh one writes and answers the new
ETag; `*` always matches; without If-Match nothing changes from before."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.tests.factories import SubscriptionPlanFactory
from clients.tests.factories import (
    ClientAccessFactory,
    ClientNoteFactory,
    HealthProfileFactory,
    InviteFactory,
    studio_member,
)
from coaching.services.automations import automation_create
from coaching.tests.factories import CheckInFormFactory, HabitFactory
from conftest import assert_error, auth_client
from exercises.tests.factories import ExerciseFactory
from plans.tests.factories import PlanTemplateFactory
from progress.tests.factories import (
    BodyStatFactory,
    CheckInFactory,
    MealLogFactory,
    MetricTypeFactory,
    ProgressPhotoFactory,
    WorkoutLogFactory,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1/"
STALE = '"1"'


def _grant(client_link):
    coach = studio_member(client_link.trainer.membership.studio, role="coach")
    return ClientAccessFactory(client=client_link, grantee=coach, notes=True)


def _automation(trainer):
    return automation_create(
        trainer=trainer,
        name="Nudge",
        trigger={"type": "no_workout", "days": 3},
        action={"type": "notify_client", "title": "Hi", "body": "Go"},
    )


def _my_health(client_link) -> str:
    HealthProfileFactory(client=client_link)
    return "me/health/"


# name: (make(client_link) -> (url, writer), method, body). The writer is "trainer" or
# "client" (the owner of the row). Lookups through each view's own scoped read.
CASES = {
    "client": (lambda c: (f"clients/{c.pk}/", "trainer"), "patch", {"goals": "Run a 10k"}),
    "client note": (
        lambda c: (f"clients/{c.pk}/notes/{ClientNoteFactory(client=c).pk}/", "trainer"),
        "patch",
        {"body": "Knee fine now"},
    ),
    "invite": (
        lambda c: (f"invites/{InviteFactory(trainer=c.trainer).pk}/", "trainer"),
        "delete",
        None,
    ),
    "exercise": (
        lambda c: (f"exercises/{ExerciseFactory(owner=c.trainer).pk}/", "trainer"),
        "patch",
        {"instructions": "Low hips."},
    ),
    "template": (
        lambda c: (f"templates/{PlanTemplateFactory(trainer=c.trainer).pk}/", "trainer"),
        "patch",
        {"name": "B"},
    ),
    "workout log": (
        lambda c: (f"workout-logs/{WorkoutLogFactory(client=c).pk}/", "client"),
        "patch",
        {"effort": 3},
    ),
    "meal log": (
        lambda c: (f"meal-logs/{MealLogFactory(client=c).pk}/", "client"),
        "patch",
        {"meal": "Dinner"},
    ),
    "check-in": (
        lambda c: (f"check-ins/{CheckInFactory(client=c).pk}/", "client"),
        "patch",
        {"sleep": 8},
    ),
    "photo": (
        lambda c: (f"photos/{ProgressPhotoFactory(client=c).pk}/", "client"),
        "delete",
        None,
    ),
    "body stat": (
        lambda c: (f"body-stats/{BodyStatFactory(client=c).pk}/", "client"),
        "delete",
        None,
    ),
    "metric type": (
        lambda c: (f"metric-types/{MetricTypeFactory(trainer=c.trainer).pk}/", "trainer"),
        "patch",
        {"name": "Resting pulse"},
    ),
    "habit": (
        lambda c: (f"habits/{HabitFactory(client=c).pk}/", "trainer"),
        "patch",
        {"title": "Walk 12k steps"},
    ),
    "form": (
        lambda c: (f"forms/{CheckInFormFactory(trainer=c.trainer).pk}/", "trainer"),
        "patch",
        {"name": "Monday check-in"},
    ),
    "studio": (lambda c: ("studio/", "trainer"), "patch", {"name": "Iron Temple"}),
    "studio member": (
        lambda c: (f"studio/members/{c.trainer.membership.pk}/", "trainer"),
        "patch",
        {"title": "Head coach"},
    ),
    "health (trainer)": (
        lambda c: (f"clients/{HealthProfileFactory(client=c).client_id}/health/", "trainer"),
        "patch",
        {"height_cm": 170},
    ),
    "health (client)": (
        lambda c: (_my_health(c), "client"),
        "put",
        {"height_cm": 171},
    ),
    "access grant": (
        lambda c: (f"clients/{c.pk}/access/{_grant(c).pk}/", "trainer"),
        "patch",
        {"domains": ["nutrition"]},
    ),
    "automation": (
        lambda c: (f"automations/{_automation(c.trainer).pk}/", "trainer"),
        "patch",
        {"name": "Nudge harder"},
    ),
    "billing plan": (
        lambda c: (f"billing/plans/{SubscriptionPlanFactory(trainer=c.trainer).pk}/", "trainer"),
        "patch",
        {"name": "Premium"},
    ),
}


def _setup(name, client_link, trainer_api, client_api):
    path, who = CASES[name][0](client_link)
    return V1 + path, trainer_api if who == "trainer" else client_api


def _send(api, method, url, body, **headers):
    if body is None:
        return getattr(api, method)(url, headers=headers)
    return getattr(api, method)(url, body, format="json", headers=headers)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_stale_if_match_is_a_412_and_a_fresh_one_writes(
    name, client_link, trainer_api, client_api
):
    url, api = _setup(name, client_link, trainer_api, client_api)
    _, method, body = CASES[name]
    read = api.get(url)
    assert read.status_code == 200
    etag = read["ETag"]
    assert etag.startswith('"') and etag.endswith('"')

    stale = _send(api, method, url, body, **{"If-Match": STALE})
    assert_error(stale, 412, "precondition_failed")
    assert stale["ETag"] == etag
    assert etag in stale.json()["errors"][0]["detail"]
    assert api.get(url)["ETag"] == etag  # nothing changed

    fresh = _send(api, method, url, body, **{"If-Match": etag})
    assert fresh.status_code == (204 if method == "delete" else 200), fresh.content
    if method != "delete":
        assert fresh["ETag"] != etag
        assert fresh["ETag"] == api.get(url)["ETag"]
        # The old version is now stale in its turn.
        assert_error(_send(api, method, url, body, **{"If-Match": etag}), 412)
    else:
        # Deleted, or (an invite) revoked: either way no longer the version we had.
        after = api.get(url)
        assert after.status_code == 404 or after["ETag"] != etag


def test_if_match_star_and_no_if_match_write_as_before(client_link, trainer_api):
    url = f"{V1}templates/{PlanTemplateFactory(trainer=client_link.trainer).pk}/"
    assert _send(trainer_api, "patch", url, {"name": "A"}, **{"If-Match": "*"}).status_code == 200
    response = trainer_api.patch(url, {"name": "B"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "B"
    assert response["ETag"] == trainer_api.get(url)["ETag"]


def test_a_weak_or_listed_etag_is_compared_strongly(client_link, trainer_api):
    url = f"{V1}templates/{PlanTemplateFactory(trainer=client_link.trainer).pk}/"
    etag = trainer_api.get(url)["ETag"]
    weak = _send(trainer_api, "patch", url, {"name": "A"}, **{"If-Match": f"W/{etag}"})
    assert_error(weak, 412, "precondition_failed")
    listed = _send(trainer_api, "patch", url, {"name": "A"}, **{"If-Match": f'"0", {etag}'})
    assert listed.status_code == 200


def test_another_tenant_s_object_is_a_404_not_a_412(client_link, other_trainer_api, trainer):
    url = f"{V1}templates/{PlanTemplateFactory(trainer=trainer).pk}/"
    response = _send(other_trainer_api, "patch", url, {"name": "X"}, **{"If-Match": STALE})
    assert_error(response, 404)
    assert "ETag" not in response


def test_a_rejected_write_with_if_match_changes_nothing(client_link, trainer_api):
    url = f"{V1}templates/{PlanTemplateFactory(trainer=client_link.trainer).pk}/"
    etag = trainer_api.get(url)["ETag"]
    bad = _send(trainer_api, "patch", url, {"name": ""}, **{"If-Match": etag})
    assert bad.status_code == 400
    assert trainer_api.get(url)["ETag"] == etag


def test_a_list_carries_no_etag(client_link, trainer_api):
    PlanTemplateFactory(trainer=client_link.trainer)
    assert "ETag" not in trainer_api.get(f"{V1}templates/")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_etag_only_one_wins(client_link):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    template = PlanTemplateFactory(trainer=client_link.trainer)
    url = f"{V1}templates/{template.pk}/"
    etag = auth_client(client_link.trainer).get(url)["ETag"]
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def write(name: str) -> None:
        api = auth_client(client_link.trainer)
        barrier.wait()
        try:
            statuses.append(
                _send(api, "patch", url, {"name": name}, **{"If-Match": etag}).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(f"Plan {i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 412, 412, 412]
    template.refresh_from_db()
    assert template.name in {f"Plan {i}" for i in range(4)}


def _queries(send) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = send()
    assert response.status_code == 200, response.content
    return [q["sql"] for q in queries]


def test_if_match_costs_a_row_lock_and_one_read_more(client_link, trainer_api):
    url = f"{V1}templates/{PlanTemplateFactory(trainer=client_link.trainer).pk}/"
    plain = _queries(lambda: trainer_api.patch(url, {"name": "A"}, format="json"))
    etag = trainer_api.get(url)["ETag"]
    checked = _queries(
        lambda: _send(trainer_api, "patch", url, {"name": "B"}, **{"If-Match": etag})
    )
    extra = len(checked) - len(plain)
    assert extra == 2, checked
    locks = sum("FOR UPDATE" in sql for sql in checked) - sum("FOR UPDATE" in sql for sql in plain)
    assert locks == (1 if connection.vendor == "postgresql" else 0)
