"""Rate limits per API key, and the RateLimit-* headers that announce them.

The throttle is a DRF SimpleRateThrottle, so it counts in `fitbud.cache.throttle_cache`
like every throttle of the project (fitbud/api/apps.py): in Redis, shared by every process,
while Redis answers; in each process's memory while it does not (the limit then holds per
process — at most workers times the limit across the deployment — instead of being lifted or
refusing every request). It runs for every key-authenticated request, in the
authentication step (integrations.authentication), so no view's own `throttle_classes`
can leave keys unlimited. JWT requests are not affected.

Headers (draft-ietf-httpapi-ratelimit-headers, the widely used three-header form) on every
response to a keyed request, 401s aside (no key was identified):
- RateLimit-Limit: requests allowed per window;
- RateLimit-Remaining: requests left in the window after this one;
- RateLimit-Reset: seconds until the oldest request in the window leaves it (a slot frees);
- RateLimit-Policy: `<limit>;w=<window seconds>`;
- and on a 429, Retry-After (seconds) as well.
"""

from __future__ import annotations

import math

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

HEADERS_ATTR = "api_key_rate_limit"


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def __init__(self, key):
        self.api_key = key
        super().__init__()

    def get_rate(self) -> str:
        # Read per request (not DRF's import-time copy), so settings overrides apply.
        return settings.API_KEY_RATE_LIMIT

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.api_key.pk}

    def headers(self) -> dict[str, str]:
        remaining = max(0, self.num_requests - len(self.history))
        reset = self.history[-1] + self.duration - self.now if self.history else 0
        return {
            "RateLimit-Limit": str(self.num_requests),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(max(0, math.ceil(reset))),
            "RateLimit-Policy": f"{self.num_requests};w={self.duration}",
        }


class RateLimitHeadersMiddleware:
    """Copies the headers the key's throttle computed onto the response (whatever its
    status: a 403 for a missing scope or a 429 counts too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        headers = getattr(request, HEADERS_ATTR, None)
        if headers:
            for name, value in headers.items():
                response[name] = value
        return response
