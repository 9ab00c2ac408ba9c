import pytest

from billing.tests.factories import PaymentFactory
from clients.tests.factories import ClientNoteFactory, HealthProfileFactory, InviteFactory
from plans.tests.factories import PlanAssignmentFactory
from progress.tests.factories import CheckInFactory, MealLogFactory, WorkoutLogFactory


@pytest.mark.django_db
def test_factories_build_consistent_tenants():
    assignment = PlanAssignmentFactory()
    assert assignment.template.trainer == assignment.client.trainer
    payment = PaymentFactory()
    assert payment.subscription.plan.trainer == payment.client.trainer
    check_in = CheckInFactory()
    assert check_in.week_start.weekday() == 0
    for factory in (InviteFactory, ClientNoteFactory, HealthProfileFactory):
        assert factory().pk
    assert WorkoutLogFactory().pk and MealLogFactory().pk
