"""Reads for the clients app, always scoped to the caller (another tenant's rows never load)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from accounts.models import STUDIO_MANAGER_ROLES, StudioMember, User, membership_of
from clients.models import (
    DOMAIN_FIELDS,
    Client,
    ClientAccess,
    ClientAccessChange,
    ClientNote,
    HealthProfile,
    Invite,
)


def client_scope(user, *, domain: str | None = None, prefix: str = "client__") -> Q:
    """The one rule of who sees which client's data, as a filter.

    `prefix` is the path from the filtered model to its Client ("client__" for a log,
    "" for Client itself). `domain` (an AccessDomain value) names the part of the record
    being read; None asks only whether the client is visible at all. Every selector that
    reads client-owned rows filters with this, so objects outside it are 404.

    A client sees their own record. A studio's owners and admins see every client of the
    studio in every domain; a coach sees the clients they are primary coach of, and any
    other member sees a client only in the domains of a grant in force now (an expired or
    revoked grant stops at once: the filter compares with the clock, not with a cache).
    """
    if getattr(user, "is_client", False):
        return Q(**{f"{prefix}user": user})
    member = membership_of(user)
    if member is None:
        return Q(pk__in=[])
    in_studio = Q(**{f"{prefix}studio_id": member.studio_id})
    if member.manages_studio:
        return in_studio
    return in_studio & (
        Q(**{f"{prefix}trainer": user})
        | Q(**{f"{prefix}pk__in": granted_client_ids(member=member, domain=domain)})
    )


def granted_client_ids(*, member: StudioMember, domain: str | None = None) -> QuerySet:
    """Ids of the clients a grant in force lets this member see (in `domain`, if given)."""
    grants = ClientAccess.objects.active().filter(member=member)
    if domain is not None:
        grants = grants.filter(**{DOMAIN_FIELDS[domain]: True})
    return grants.values("client_id")


def client_visible(user, *, client: Client, domain: str | None = None) -> bool:
    """Whether `user` may read `domain` of a client they can already address."""
    member = membership_of(user)
    if (
        member is not None
        and member.studio_id == client.studio_id
        and (member.manages_studio or client.trainer_id == user.pk)
    ):
        return True  # every domain, without a query
    return Client.objects.filter(
        client_scope(user, domain=domain, prefix=""), pk=client.pk
    ).exists()


def client_manageable(user, *, client: Client) -> bool:
    """Whether `user` may manage the client itself (status, goals, invites, grants,
    transfer): the studio's owners and admins, and the client's primary coach."""
    member = membership_of(user)
    if member is None or member.studio_id != client.studio_id:
        return False
    return member.manages_studio or client.trainer_id == user.pk


def invite_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _with_current_status(queryset: QuerySet[Invite]) -> QuerySet[Invite]:
    # A pending invite past its expiry is expired, whether or not a write has marked it yet.
    return queryset.annotate(
        current_status=Case(
            When(
                status=Invite.Status.PENDING,
                expires_at__lte=timezone.now(),
                then=Value(Invite.Status.EXPIRED.value),
            ),
            default="status",
            output_field=CharField(),
        )
    )


def invite_list(*, trainer: User) -> QuerySet[Invite]:
    """A studio's owners and admins see every client invite of the studio; a coach the
    invites they sent."""
    member = membership_of(trainer)
    if member is None:
        return Invite.objects.none()
    invites = Invite.objects.filter(studio_id=member.studio_id)
    if not member.manages_studio:
        invites = invites.filter(trainer=trainer)
    return _with_current_status(invites.select_related("email_delivery")).order_by(
        "-created_at", "-id"
    )


def invite_get(*, trainer: User, invite_id: object) -> Invite:
    invite = invite_list(trainer=trainer).filter(pk=invite_id).first()
    if invite is None:
        raise Http404
    return invite


def invite_get_by_token(*, token: str) -> Invite | None:
    """The invite a raw token belongs to (only the hash is stored), with its trainer."""
    return (
        _with_current_status(Invite.objects.select_related("trainer"))
        .filter(token_hash=invite_token_hash(token))
        .first()
    )


def _notes_count() -> RawSQL:
    # The roster's note count as a correlated COUNT written out once. The ORM's version
    # (Subquery of a grouped values() query, in Coalesce) counts the same but cost about
    # 0.3 ms more to build and compile on every roster read (bench/changes.py: 827 -> 534
    # µs for the page query). The outer table is referred to by its name, which Django uses
    # as its alias in a top-level query; client_list is never nested in another query.
    return RawSQL(
        f'SELECT COUNT(*) FROM "{ClientNote._meta.db_table}" note '
        f'WHERE note."client_id" = "{Client._meta.db_table}"."id"',
        (),
        output_field=IntegerField(),
    )


def client_list(*, trainer: User) -> QuerySet[Client]:
    return (
        Client.objects.filter(client_scope(trainer, prefix=""))
        .select_related("user")
        .annotate(notes_count=_notes_count())
        .order_by("-joined_at", "-id")
    )


def client_get(*, trainer: User, client_id: object) -> Client:
    client = client_list(trainer=trainer).filter(pk=client_id).first()
    if client is None:
        raise Http404
    return client


def client_for_user(*, user: User) -> Client:
    """The Client link of a client user (their own record)."""
    client = Client.objects.select_related("trainer", "user").filter(user=user).first()
    if client is None:
        raise Http404
    return client


def client_note_list(*, client: Client) -> QuerySet[ClientNote]:
    return (
        ClientNote.objects.filter(client=client)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def client_note_get(*, client: Client, note_id: object) -> ClientNote:
    note = client_note_list(client=client).filter(pk=note_id).first()
    if note is None:
        raise Http404
    return note


def health_profile_get(*, client: Client) -> HealthProfile:
    """The client's profile; an unsaved, empty one when nobody has filled it in yet (it is
    created by the first write, so reading never writes)."""
    profile = HealthProfile.objects.select_related("updated_by").filter(client=client).first()
    return profile or HealthProfile(client=client)


# --- access grants and the client's team (studios) -----------------------------------------


def client_access_list(*, client: Client) -> QuerySet[ClientAccess]:
    """A client's grants that are not revoked: in force, and expired ones (their end is
    shown; revoked grants live on in the audit trail only)."""
    return (
        ClientAccess.objects.filter(client=client, revoked_at__isnull=True)
        .select_related("member__user", "granted_by")
        .order_by("created_at", "id")
    )


def client_access_get(*, client: Client, grant_id: object) -> ClientAccess:
    grant = client_access_list(client=client).filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    return grant


@dataclass(frozen=True)
class TeamEntry:
    """One member who can see part of a client's record, as the client reads it."""

    member: StudioMember
    domains: list[str]
    ends_at: datetime | None
    primary: bool


ALL_DOMAINS = [domain.value for domain in DOMAIN_FIELDS]


def client_team(*, client: Client) -> list[TeamEntry]:
    """Who sees what of this client now: the primary coach, the studio's owners and
    admins (every domain, by their role), then each member with a grant in force. Two
    queries whatever the size of the studio."""
    managers = list(
        StudioMember.objects.filter(studio_id=client.studio_id)
        .filter(Q(role__in=STUDIO_MANAGER_ROLES) | Q(user_id=client.trainer_id))
        .select_related("user")
        .order_by("joined_at", "id")
    )
    entries = [
        TeamEntry(member, ALL_DOMAINS, None, member.user_id == client.trainer_id)
        for member in managers
    ]
    entries.sort(key=lambda entry: not entry.primary)  # stable: the primary coach first
    seen = {member.pk for member in managers}
    grants = (
        ClientAccess.objects.active()
        .filter(client=client, member__studio_id=client.studio_id)
        .select_related("member__user")
        .order_by("created_at", "id")
    )
    entries += [
        TeamEntry(grant.member, grant.domains, grant.ends_at, False)
        for grant in grants
        if grant.member_id not in seen and grant.domains
    ]
    return entries


def client_access_change_list(*, client: Client) -> QuerySet[ClientAccessChange]:
    return ClientAccessChange.objects.filter(client=client).order_by("-created_at", "-id")
