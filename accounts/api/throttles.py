"""Rate limits for login and password reset, per client address and per account.

Counters live in the default cache, so production must point CACHE_URL/REDIS_URL at Redis
for the limits to hold across gunicorn workers (see accounts.checks).
"""

import hashlib
import logging
from collections.abc import Mapping

from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User

logger = logging.getLogger(__name__)


class _FailOpenThrottle(SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (OSError, RedisError):
            # A cache outage must not lock every user out of their account; it is logged
            # loudly and readiness/alerting catch it.
            logger.exception("Rate-limit cache unavailable; %s not enforced", self.scope)
            return True


class ClientAddressThrottle(_FailOpenThrottle):
    """Counts requests per client address (X-Forwarded-For honoured per NUM_PROXIES)."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AccountThrottle(_FailOpenThrottle):
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
