"""Rate limits for login and password reset, per client address and per account, and for
the other anonymous auth endpoints per client address. The Django admin's login spends the
same login budget as the API's (`login_attempt_wait`).

Counters live in the default cache (fitbud.cache.throttle_cache, which every DRF throttle
uses), so production must point CACHE_URL/REDIS_URL at Redis for the limits to hold across
gunicorn workers (see accounts.checks). While Redis is unavailable they are counted in each
process's memory: per process for the length of the outage, never lifted.
"""

import hashlib
import math
from collections.abc import Mapping
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from fitbud.cache import throttle_cache


class CountedThrottle(SimpleRateThrottle):
    cache = throttle_cache  # also set on SimpleRateThrottle itself (fitbud.api.apps)

    def email_key(self, email) -> str | None:
        """The counter of an email address: a digest of the normalised address (no address
        is written into cache keys); None when there is none to count, which the serializer
        then rejects."""
        if not isinstance(email, str) or not email.strip():
            return None
        digest = hashlib.sha256(User.objects.normalize_email(email).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class ClientAddressThrottle(CountedThrottle):
    """Counts requests per client address (X-Forwarded-For honoured per NUM_PROXIES)."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AccountThrottle(CountedThrottle):
    """Counts requests per account: the email in the body, or the signed-in user.

    Keyed by a digest of the normalised email, so `A@x.com` and `a@x.com` share a budget
    and no address ends up in cache keys.
    """

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return self.email_key(request.user.email)
        data = request.data
        return self.email_key(data.get("email") if isinstance(data, Mapping) else None)


class LoginAddressThrottle(ClientAddressThrottle):
    scope = "login_ip"


class LoginAccountThrottle(AccountThrottle):
    scope = "login_account"


class ResetAddressThrottle(ClientAddressThrottle):
    scope = "reset_ip"


class ResetAccountThrottle(AccountThrottle):
    scope = "reset_account"


# The other anonymous endpoints: their bodies are parsed and validated for anyone, so each
# client address gets a budget (finding: 8 huge bodies at once took a worker to 1.2 GB).
class RefreshAddressThrottle(ClientAddressThrottle):
    scope = "refresh_ip"


class LogoutAddressThrottle(ClientAddressThrottle):
    scope = "logout_ip"


class ResetConfirmAddressThrottle(ClientAddressThrottle):
    scope = "reset_confirm_ip"


def login_attempt_wait(request, email: str | None) -> int | None:
    """Spend one login attempt of `email` from `request`'s client address, on the same
    counters as `auth/token/` (LoginAddressThrottle + LoginAccountThrottle), and answer
    None if it may go ahead or the seconds to wait. For logins outside DRF (the admin's).
    """
    # What the throttles read of a DRF request: the address (META, headers), the signed-in user
    # (never the one typed in: a signed-in non-staff user may try a staff login) and the
    # email of the body.
    attempt = SimpleNamespace(
        META=request.META, headers=request.headers, user=AnonymousUser(), data={"email": email}
    )
    waits = []
    for throttle in (LoginAddressThrottle(), LoginAccountThrottle()):
        if not throttle.allow_request(attempt, None):
            waits.append(throttle.wait() or throttle.duration)
    return max(1, math.ceil(max(waits))) if waits else None
