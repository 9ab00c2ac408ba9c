"""Test helper: a trainer account that is a member of an existing studio."""

from accounts.models import StudioMember, StudioRole, User
from accounts.tests.factories import TrainerFactory


def studio_member(owner: User, role: str = StudioRole.COACH, **user_fields) -> User:
    """A new trainer account in `owner`'s studio with `role` (the factory's solo studio is
    dropped, as accepting a member invite would never have made it)."""
    user = TrainerFactory(**user_fields)
    member: StudioMember = user.membership
    solo = member.studio
    member.studio_id = owner.membership.studio_id
    member.role = role
    member.save(update_fields=["studio", "role"])
    solo.delete()
    user.refresh_from_db()
    return user
