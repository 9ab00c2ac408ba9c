"""Rate limits for login and password reset, per client address and per account.

Counters live in the default cache (fitbud.cache.throttle_cache, which every DRF throttle
uses), so production must point CACHE_URL/REDIS_URL at Redis for the limits to hold across
gunicorn workers (see accounts.checks). While Redis is unavailable they are counted in each
process's memory: per process for the length of the outage, never lifted.
"""

import hashlib
from collections.abc import Mapping

from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from fitbud.cache import throttle_cache


class _CountedThrottle(SimpleRateThrottle):
    cache = throttle_cache  # also set on SimpleRateThrottle itself (fitbud.api.apps)


# The name this base had while a cache outage lifted the limits; kept for subclasses.
_FailOpenThrottle = _CountedThrottle


class ClientAddressThrottle(_CountedThrottle):
    """Counts requests per client address (X-Forwarded-For honoured per NUM_PROXIES)."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AccountThrottle(_CountedThrottle):
    """Counts requests per account: the email in the body, or the signed-in user.

    Keyed by a digest of the normalised email, so `A@x.com` and `a@x.com` share a budget
    and no address ends up in cache keys.
    """

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            email = request.user.email
        else:
            data = request.data
            email = data.get("email") if isinstance(data, Mapping) else None
            if not isinstance(email, str) or not email.strip():
                return None  # nothing to count; the serializer rejects the request
        digest = hashlib.sha256(User.objects.normalize_email(email).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class LoginAddressThrottle(ClientAddressThrottle):
    scope = "login_ip"


class LoginAccountThrottle(AccountThrottle):
    scope = "login_account"


class ResetAddressThrottle(ClientAddressThrottle):
    scope = "reset_ip"


class ResetAccountThrottle(AccountThrottle):
    scope = "reset_account"
