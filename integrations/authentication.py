"""`Authorization: Api-Key <key>`: a studio member's API key (docs/integrations.md).

A keyed request acts as the key's owner exactly like the owner's JWT (the same user row,
membership and tenant, from response_cache.load_user, so every selector scopes it the same
way), limited by the key's scopes. In this order, on every keyed request:
1. the key is found and checked (401: invalid, revoked, expired, owner deactivated or no
   longer in the studio);
2. the request is counted against the key's rate limit (429 with Retry-After);
3. the view's rule (integrations/scopes.py) is checked against the key's scopes
   (403 `scope_missing`, or `api_key_forbidden` where keys are refused altogether).
Steps 2 and 3 run here rather than in permission/throttle classes because views set their
own `permission_classes`/`throttle_classes`: the authentication is the one step every
keyed request passes through.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled

from integrations import scopes
from integrations.throttling import HEADERS_ATTR, ApiKeyRateThrottle

KEYWORD = b"api-key"
INVALID = "api_key_invalid"  # keys.ApiKeyError.INVALID


class ScopeMissing(PermissionDenied):
    default_detail = "This API key does not have the scope this request needs."
    default_code = "scope_missing"


class ApiKeyForbidden(PermissionDenied):
    default_detail = "API keys cannot be used here; sign in instead."
    default_code = "api_key_forbidden"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        # Imported here: DRF imports this module while it builds APIView (settings), before
        # the models' modules can be.
        from integrations import keys

        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                "The Authorization header must read `Api-Key <key>`.",
                code=INVALID,
            )
        try:
            raw_key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid API key.", code=INVALID) from None
        user, key = keys.api_key_authenticate(raw_key)
        keys.api_key_touch(key=key)
        view = request.parser_context.get("view") if request.parser_context else None

        throttle = ApiKeyRateThrottle(key)
        allowed = throttle.allow_request(request, view)
        setattr(request._request, HEADERS_ATTR, throttle.headers())
        if not allowed:
            raise Throttled(wait=throttle.wait())

        check_scopes(key, view, request.method)
        return user, key

    def authenticate_header(self, request) -> str:
        return 'Api-Key realm="api"'


def check_scopes(key, view, method: str) -> None:
    rule = scopes.rule_for(type(view)) if view is not None else None
    needed = rule.scopes_for(method) if rule is not None else None
    if needed is None:
        # No rule (a view the URL walk test would flag) refuses keys too: fail closed.
        raise ApiKeyForbidden()
    if not scopes.granted(key.scopes, needed):
        raise ScopeMissing(
            f"This API key needs the scope{'s' if len(needed) > 1 else ''} "
            f"{', '.join(needed)} for this request."
        )


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme, on every operation that accepts keys; the scopes an
    operation needs are in its `x-api-key-scopes` (integrations.schema)."""

    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A studio member's API key, sent as `Authorization: Api-Key <key>` (created "
                "at `POST /api/v1/api-keys/`, shown once). Acts as that member, limited to "
                "the key's scopes: each operation lists the ones it needs in "
                "`x-api-key-scopes` (docs/integrations.md). Rate-limited per key; every "
                "keyed response carries `RateLimit-Limit`, `RateLimit-Remaining` and "
                "`RateLimit-Reset`."
            ),
        }

    def get_security_requirement(self, auto_schema):
        rule = scopes.rule_for(type(auto_schema.view))
        if rule is None or rule.scopes_for(auto_schema.method) is None:
            return None
        return {self.name: []}
