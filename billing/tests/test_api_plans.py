import pytest

from billing.models import SubscriptionPlan
from billing.tests.factories import SubscriptionFactory, SubscriptionPlanFactory
from billing.tests.helpers import count_queries
from conftest import assert_error

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/billing/plans/"


def detail(plan) -> str:
    return f"{PLANS}{plan.pk}/"


VALID = {"name": "Monthly coaching", "price": 9900, "currency": "EUR", "interval": "month"}


def test_a_trainer_creates_a_plan_priced_in_integer_minor_units(trainer_api, trainer):
    response = trainer_api.post(PLANS, VALID)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Monthly coaching",
        "price": 9900,
        "currency": "EUR",
        "interval": "month",
        "is_active": True,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert type(body["price"]) is int
    assert SubscriptionPlan.objects.get(pk=body["id"]).trainer == trainer


def test_a_plan_can_be_created_inactive(trainer_api):
    response = trainer_api.post(PLANS, {**VALID, "interval": "year", "is_active": False})
    assert response.status_code == 201
    assert response.json()["is_active"] is False


@pytest.mark.parametrize("currency", ["eur", "Eur", "XYZ", "EURO", "E", "", "123", "XAU"])
def test_it_rejects_a_currency_that_is_not_an_upper_case_iso_code(trainer_api, currency):
    response = trainer_api.post(PLANS, {**VALID, "currency": currency})
    assert_error(response, 400, attr="currency")
    assert not SubscriptionPlan.objects.exists()


@pytest.mark.parametrize("currency", ["USD", "JPY", "KWD", "CHF", "GBP"])
def test_it_accepts_common_iso_currencies(trainer_api, currency):
    response = trainer_api.post(PLANS, {**VALID, "currency": currency})
    assert response.status_code == 201
    assert response.json()["currency"] == currency


def test_a_lower_case_currency_is_refused_with_a_clear_code(trainer_api):
    response = trainer_api.post(PLANS, {**VALID, "currency": "eur"})
    assert_error(response, 400, "invalid_currency", "currency")


@pytest.mark.parametrize(
    "price", [99.99, 9900.0, "9900", "99.00", 0, -100, 100_000_000, True, None, [], {}]
)
def test_it_rejects_a_price_that_is_not_a_positive_whole_number_of_minor_units(trainer_api, price):
    response = trainer_api.post(PLANS, {**VALID, "price": price})
    assert_error(response, 400, attr="price")


@pytest.mark.parametrize(
    "changes,attr",
    [
        ({"interval": "day"}, "interval"),
        ({"interval": None}, "interval"),
        ({"name": "x" * 121}, "name"),
        ({"name": ""}, "name"),
        ({"is_active": "maybe"}, "is_active"),
        ({"stripe_price_id": "price_123"}, "stripe_price_id"),
        ({"trainer": 1}, "trainer"),
    ],
)
def test_it_rejects_bad_plan_fields(trainer_api, changes, attr):
    response = trainer_api.post(PLANS, {**VALID, **changes})
    assert_error(response, 400, attr=attr)


def test_it_names_every_missing_field(trainer_api):
    body = assert_error(trainer_api.post(PLANS, {}), 400)
    assert {e["attr"] for e in body["errors"]} == {"name", "price", "currency", "interval"}


def test_a_huge_name_is_a_400_not_a_500(trainer_api):
    assert_error(trainer_api.post(PLANS, {**VALID, "name": "x" * 100_000}), 400, attr="name")


def test_a_trainer_lists_all_their_plans_and_nobody_elses(trainer_api, trainer, other_plan):
    active = SubscriptionPlanFactory(trainer=trainer, price=1000)
    inactive = SubscriptionPlanFactory(trainer=trainer, price=2000, is_active=False)

    response = trainer_api.get(PLANS)

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [active.pk, inactive.pk]


def test_a_client_lists_only_their_trainers_active_plans(client_api, trainer, other_plan):
    active = SubscriptionPlanFactory(trainer=trainer, price=1000)
    SubscriptionPlanFactory(trainer=trainer, price=2000, is_active=False)

    response = client_api.get(PLANS)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [p["id"] for p in results] == [active.pk]
    assert results[0]["price"] == 1000


def test_a_client_cannot_read_an_inactive_plan_of_their_trainer(client_api, trainer):
    inactive = SubscriptionPlanFactory(trainer=trainer, is_active=False)
    assert_error(client_api.get(detail(inactive)), 404, "not_found")


def test_plans_can_be_ordered_by_name(trainer_api, trainer):
    SubscriptionPlanFactory(trainer=trainer, name="b", price=1)
    SubscriptionPlanFactory(trainer=trainer, name="a", price=2)
    response = trainer_api.get(PLANS, {"ordering": "name"})
    assert [p["name"] for p in response.json()["results"]] == ["a", "b"]


def test_a_trainer_renames_and_deactivates_a_plan_with_subscribers(trainer_api, plan, client_link):
    SubscriptionFactory(client=client_link, plan=plan)

    response = trainer_api.patch(detail(plan), {"name": "Legacy coaching", "is_active": False})

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Legacy coaching"
    assert response.json()["is_active"] is False


def test_a_partial_update_leaves_other_fields_alone(trainer_api, trainer):
    inactive = SubscriptionPlanFactory(trainer=trainer, is_active=False, price=1234)
    response = trainer_api.patch(detail(inactive), {"name": "Renamed"})
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["price"] == 1234


def test_the_price_of_a_plan_with_subscribers_cannot_change(trainer_api, plan, client_link):
    SubscriptionFactory(client=client_link, plan=plan)

    for change in ({"price": 12000}, {"currency": "USD"}, {"interval": "year"}):
        assert_error(trainer_api.patch(detail(plan), change), 409, "plan_in_use")
    plan.refresh_from_db()
    assert (plan.price, plan.currency, plan.interval) == (9900, "EUR", "month")


def test_resending_the_same_price_of_a_plan_with_subscribers_is_fine(
    trainer_api, plan, client_link
):
    SubscriptionFactory(client=client_link, plan=plan)
    response = trainer_api.patch(detail(plan), {"price": 9900, "currency": "EUR"})
    assert response.status_code == 200


def test_the_price_of_a_plan_nobody_subscribed_to_can_change(trainer_api, plan):
    plan.stripe_price_id = "price_old"
    plan.save()

    response = trainer_api.patch(detail(plan), {"price": 12000, "currency": "USD"})

    assert response.status_code == 200
    assert (response.json()["price"], response.json()["currency"]) == (12000, "USD")
    plan.refresh_from_db()
    assert plan.stripe_price_id == ""  # the Stripe Price no longer matches


def test_patch_validates_like_create(trainer_api, plan):
    assert_error(trainer_api.patch(detail(plan), {"currency": "usd"}), 400, "invalid_currency")
    assert_error(trainer_api.patch(detail(plan), {"price": 1.5}), 400, attr="price")
    assert_error(trainer_api.patch(detail(plan), {"color": "red"}), 400, "unknown_field", "color")


def test_put_is_not_offered(trainer_api, plan):
    assert_error(trainer_api.put(detail(plan), VALID), 405)


def test_a_plan_nobody_subscribed_to_is_deleted(trainer_api, plan):
    response = trainer_api.delete(detail(plan))
    assert response.status_code == 204
    assert not SubscriptionPlan.objects.filter(pk=plan.pk).exists()


def test_a_plan_with_subscription_history_is_kept_and_must_be_deactivated(
    trainer_api, plan, client_link
):
    SubscriptionFactory(client=client_link, plan=plan, status="canceled")

    body = assert_error(trainer_api.delete(detail(plan)), 409, "plan_in_use")

    assert "is_active=false" in body["errors"][0]["detail"]
    assert SubscriptionPlan.objects.filter(pk=plan.pk).exists()


@pytest.mark.parametrize("bad_id", ["abc", "1.5", "99999999999999999999999", "-1"])
def test_malformed_plan_ids_are_404(trainer_api, bad_id):
    assert_error(trainer_api.get(f"{PLANS}{bad_id}/"), 404)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_plan_list_runs_a_fixed_number_of_queries(trainer_api, client_api, trainer, rows):
    SubscriptionPlanFactory.create_batch(rows, trainer=trainer)
    # auth user (with a client's link) + page (a last page counts its own rows)
    assert count_queries(trainer_api, f"{PLANS}?page_size=100") == 2
    assert count_queries(client_api, f"{PLANS}?page_size=100") == 2
