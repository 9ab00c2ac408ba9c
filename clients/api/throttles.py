"""Rate limits on the endpoints that send invite emails (create and resend).

Per trainer (a trainer cannot flood the mail server or probe many addresses) and per
recipient address, across trainers (an inbox cannot be flooded by one or several trainers).
Both count like the login throttles (accounts.api.throttles): in Redis, or per process while
it is unreachable, never lifted.
"""

from collections.abc import Mapping

from accounts.api.throttles import CountedThrottle


class InviteTrainerThrottle(CountedThrottle):
    scope = "invite_trainer"

    def get_cache_key(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class InviteRecipientThrottle(CountedThrottle):
    """Keyed by a digest of the normalised address: the body's email on create, the
    invite's own on resend (another trainer's invite id is a 404 before anything counts)."""

    scope = "invite_recipient"

    def get_cache_key(self, request, view) -> str | None:
        if getattr(view, "action", None) == "resend":
            return self.email_key(view.get_object().email)
        data = request.data
        return self.email_key(data.get("email") if isinstance(data, Mapping) else None)
