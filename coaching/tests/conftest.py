import pytest

from accounts.models import StudioMember, StudioRole
from accounts.tests.factories import TrainerFactory
from clients.models import ClientAccess
from conftest import auth_client


def studio_member(trainer, role: str):
    """A trainer account that is a member of `trainer`'s studio with `role`."""
    user = TrainerFactory()
    StudioMember.objects.filter(user=user).update(studio=trainer.membership.studio, role=role)
    user.refresh_from_db()
    return user


@pytest.fixture
def coach(trainer):
    """A coach of the same studio with no grant on the client."""
    return studio_member(trainer, StudioRole.COACH)


@pytest.fixture
def specialist(trainer, client_link):
    """A specialist granted every domain of the client except check-ins."""
    user = studio_member(trainer, StudioRole.SPECIALIST)
    ClientAccess.objects.create(
        client=client_link, member=user.membership, workouts=True, nutrition=True, notes=True
    )
    return user


@pytest.fixture
def checkins_specialist(trainer, client_link):
    user = studio_member(trainer, StudioRole.SPECIALIST)
    ClientAccess.objects.create(client=client_link, member=user.membership, checkins=True)
    return user


@pytest.fixture
def outsiders(other_trainer, other_client, coach, specialist):
    """Everybody who must get 404 on the client's coaching data."""
    return {
        "other studio's trainer": auth_client(other_trainer),
        "other client": auth_client(other_client),
        "coach without a grant": auth_client(coach),
        "specialist without checkins": auth_client(specialist),
    }
