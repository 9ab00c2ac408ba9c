"""Every billing endpoint against every actor: owner trainer, outsider trainer, own client,
outsider client, anonymous. Other tenants' objects are 404, wrong roles 403, anonymous 401."""

import pytest
from rest_framework.test import APIClient

from billing.tests.factories import PaymentFactory, SubscriptionFactory
from conftest import assert_error, auth_client

pytestmark = pytest.mark.django_db

ACTORS = ["trainer", "other_trainer", "client", "other_client", "anonymous"]


@pytest.fixture
def world(trainer, other_trainer, client_link, other_client_link, plan):
    subscription = SubscriptionFactory(client=client_link, plan=plan)
    payment = PaymentFactory(subscription=subscription)
    return {
        "plan": plan,
        "subscription": subscription,
        "payment": payment,
        "actors": {
            "trainer": auth_client(trainer),
            "other_trainer": auth_client(other_trainer),
            "client": auth_client(client_link.user),
            "other_client": auth_client(other_client_link.user),
            "anonymous": APIClient(),
        },
    }


P = "/api/v1/billing/plans/"
# (name, method, url template, body, expected status per actor in ACTORS order)
MATRIX = [
    ("plan list", "get", P, None, [200, 200, 200, 200, 401]),
    (
        "plan create",
        "post",
        P,
        {"name": "n", "price": 100, "currency": "EUR", "interval": "week"},
        [201, 201, 403, 403, 401],
    ),
    ("plan detail", "get", P + "{plan}/", None, [200, 404, 200, 404, 401]),
    ("plan update", "patch", P + "{plan}/", {"name": "x"}, [200, 404, 403, 403, 401]),
    ("plan delete", "delete", P + "{plan}/", None, [409, 404, 403, 403, 401]),
    ("subscription list", "get", "/api/v1/billing/subscriptions/", None, [200, 200, 403, 403, 401]),
    (
        "subscription detail",
        "get",
        "/api/v1/billing/subscriptions/{subscription}/",
        None,
        [200, 404, 403, 403, 401],
    ),
    ("payment list", "get", "/api/v1/billing/payments/", None, [200, 200, 403, 403, 401]),
    (
        "payment detail",
        "get",
        "/api/v1/billing/payments/{payment}/",
        None,
        [200, 404, 403, 403, 401],
    ),
    ("my subscription", "get", "/api/v1/me/subscription/", None, [403, 403, 200, 200, 401]),
    (
        "checkout",
        "post",
        "/api/v1/me/subscription/checkout/",
        {"plan": "{plan}"},
        [403, 403, 409, 404, 401],
    ),
    ("cancel", "post", "/api/v1/me/subscription/cancel/", None, [403, 403, 200, 409, 401]),
    ("my payments", "get", "/api/v1/me/payments/", None, [403, 403, 200, 200, 401]),
    # Anonymous by design; without a valid signature everyone gets the same 400.
    (
        "stripe webhook",
        "post",
        "/api/v1/billing/webhooks/stripe/",
        {"id": "evt"},
        [400, 400, 400, 400, 400],
    ),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name,method,url,body,expected", MATRIX, ids=[row[0] for row in MATRIX])
def test_isolation_matrix(world, actor, name, method, url, body, expected):
    ids = {key: world[key].pk for key in ("plan", "subscription", "payment")}
    url = url.format(**ids)
    if body is not None:
        body = {k: (ids["plan"] if v == "{plan}" else v) for k, v in body.items()}
    api = world["actors"][actor]

    response = getattr(api, method)(url, body, format="json")

    status = expected[ACTORS.index(actor)]
    if status >= 400:
        assert_error(response, status)
    else:
        assert response.status_code == status, response.content


def test_outsiders_see_none_of_the_owners_rows_in_lists(world):
    actors = world["actors"]
    for api, url in [
        (actors["other_trainer"], "/api/v1/billing/plans/"),
        (actors["other_trainer"], "/api/v1/billing/subscriptions/"),
        (actors["other_trainer"], "/api/v1/billing/payments/"),
        (actors["other_client"], "/api/v1/billing/plans/"),
        (actors["other_client"], "/api/v1/me/payments/"),
    ]:
        assert api.get(url).json()["results"] == [], url
    assert actors["other_client"].get("/api/v1/me/subscription/").json() is None


def test_the_owners_see_their_rows(world):
    actors = world["actors"]
    assert actors["trainer"].get("/api/v1/billing/payments/").json()["count"] == 1
    assert actors["client"].get("/api/v1/me/payments/").json()["count"] == 1
    assert actors["client"].get("/api/v1/me/subscription/").json()["id"] == world["subscription"].pk
