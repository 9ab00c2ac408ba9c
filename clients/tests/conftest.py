import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import StudioRole
from accounts.tests.factories import TrainerFactory
from clients.tests.factories import ClientAccessFactory, ClientFactory, studio_member
from conftest import auth_client


@pytest.fixture
def studio(db):
    """One studio: owner, admin, coach A (primary coach of client X), coach B (no grant),
    specialist S (grant on X: nutrition + check-ins), specialist E (a grant on X that
    ended an hour ago), and the owner of another studio."""
    owner = TrainerFactory(full_name="Olga Owner", email="olga@example.com")
    home = owner.membership.studio
    admin = studio_member(home, role=StudioRole.ADMIN, full_name="Adam Admin")
    coach_a = studio_member(home, role=StudioRole.COACH, full_name="Ann Coach")
    coach_b = studio_member(home, role=StudioRole.COACH, full_name="Ben Coach")
    specialist = studio_member(
        home, role=StudioRole.SPECIALIST, title="Dietitian", full_name="Sue Dietitian"
    )
    expired = studio_member(
        home, role=StudioRole.SPECIALIST, title="Physio", full_name="Eve Physio"
    )
    x = ClientFactory(trainer=coach_a, user__full_name="Xena Client")
    grant = ClientAccessFactory(
        client=x, grantee=specialist, nutrition=True, checkins=True, granted_by=owner
    )
    old_grant = ClientAccessFactory(
        client=x,
        grantee=expired,
        workouts=True,
        nutrition=True,
        checkins=True,
        notes=True,
        health=True,
        ends_at=timezone.now() - datetime.timedelta(hours=1),
        granted_by=owner,
    )
    outsider = TrainerFactory(full_name="Oscar Outsider")
    y = ClientFactory(trainer=outsider, user__full_name="Yuri Elsewhere")
    return SimpleNamespace(
        studio=home,
        owner=owner,
        admin=admin,
        coach_a=coach_a,
        coach_b=coach_b,
        specialist=specialist,
        expired=expired,
        outsider=outsider,
        x=x,
        y=y,
        grant=grant,
        old_grant=old_grant,
    )


@pytest.fixture
def api_as(studio):
    """An API client with a real JWT for a person of the studio fixture, by name."""

    def make(name: str):
        user = studio.x.user if name == "client_x" else getattr(studio, name)
        return auth_client(user)

    return make
