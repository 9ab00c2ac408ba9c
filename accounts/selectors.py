import hashlib

from django.db.models import CharField, Count, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.expressions import Case
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone as dj_timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.models import Studio, StudioInvite, StudioMember, User, membership_of


def user_get_by_email(*, email: str) -> User | None:
    """The account with this email in any letter case, or None."""
    return User.objects.filter(email__iexact=User.objects.normalize_email(email)).first()


def user_get_from_reset_uid(*, uid: str) -> User | None:
    """The user a password-reset link's uid points at; None for anything malformed."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


# --- studios -------------------------------------------------------------------------------


def studio_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def studio_get(*, user) -> Studio:
    """The caller's studio with its member count (404 for anyone without a membership)."""
    member = membership_of(user)
    if member is None:
        raise Http404
    return Studio.objects.annotate(member_count=Count("members")).get(pk=member.studio_id)


def member_list(*, user) -> QuerySet[StudioMember]:
    """The members of the caller's studio (any member may read it), each with the number of
    clients they are primary coach of."""
    member = membership_of(user)
    if member is None:
        return StudioMember.objects.none()
    from clients.models import Client

    clients_count = (
        Client.objects.filter(studio_id=member.studio_id, trainer_id=OuterRef("user_id"))
        .order_by()
        .values("trainer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        StudioMember.objects.filter(studio_id=member.studio_id)
        .select_related("user")
        .annotate(clients_count=Coalesce(Subquery(clients_count), 0))
        .order_by("joined_at", "id")
    )


def member_get(*, user, member_id: object) -> StudioMember:
    member = member_list(user=user).filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


def _with_current_status(queryset: QuerySet[StudioInvite]) -> QuerySet[StudioInvite]:
    # A pending invite past its expiry reads expired, whether or not a write marked it yet.
    return queryset.annotate(
        current_status=Case(
            When(
                status=StudioInvite.Status.PENDING,
                expires_at__lte=dj_timezone.now(),
                then=Value(StudioInvite.Status.EXPIRED.value),
            ),
            default="status",
            output_field=CharField(),
        )
    )


def studio_invite_list(*, user) -> QuerySet[StudioInvite]:
    """The member invites of the caller's studio (the views let managers only read them)."""
    member = membership_of(user)
    if member is None:
        return StudioInvite.objects.none()
    return _with_current_status(
        StudioInvite.objects.filter(studio_id=member.studio_id).select_related(
            "email_delivery", "invited_by"
        )
    ).order_by("-created_at", "-id")


def studio_invite_get(*, user, invite_id: object) -> StudioInvite:
    invite = studio_invite_list(user=user).filter(pk=invite_id).first()
    if invite is None:
        raise Http404
    return invite


def studio_invite_get_by_token(*, token: str) -> StudioInvite | None:
    """The member invite a raw token belongs to (only its hash is stored), with its studio."""
    return (
        _with_current_status(StudioInvite.objects.select_related("studio", "invited_by"))
        .filter(token_hash=studio_token_hash(token))
        .first()
    )
