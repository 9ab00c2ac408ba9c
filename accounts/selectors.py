from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.models import User


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
