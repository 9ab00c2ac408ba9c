"""Which API-key scopes every endpoint needs.

A key (integrations.authentication) is checked against the rule of the view it calls, on
every request, in the authentication step itself: views choose their own
`permission_classes`, so a permission class in the defaults would not reach all of them,
while every key-authenticated request passes through ApiKeyAuthentication.

A rule says which scopes a key needs to read (GET, HEAD, OPTIONS) and to write (any other
method): a tuple of scopes, all required; `()` for any valid key; None when keys are refused
(403 `api_key_forbidden`). Where a rule comes from, first match wins:
1. the view class's own `api_key_rule` attribute (for views that want to declare it beside
   their code: apps to the left of integrations cannot import this module, so they set a
   `Rule`-shaped tuple with plain strings, see `rule_for`);
2. VIEW_RULES, by the view's dotted path;
3. APP_RULES, by the view module's top-level package (the app).
A view with no rule is a bug: integrations/tests/test_key_scopes.py walks every URL pattern
and fails on it. accounts has no app rule on purpose: each of its views (log-in, password,
tokens, studio members) is decided one by one.
"""

from __future__ import annotations

from typing import NamedTuple

from rest_framework.permissions import SAFE_METHODS


class Rule(NamedTuple):
    read: tuple[str, ...] | None
    write: tuple[str, ...] | None

    def scopes_for(self, method: str) -> tuple[str, ...] | None:
        return self.read if method.upper() in SAFE_METHODS else self.write


def area(name: str) -> Rule:
    return Rule(read=(f"read:{name}",), write=(f"write:{name}",))


def read_only(*scopes: str) -> Rule:
    return Rule(read=scopes, write=None)


FORBIDDEN = Rule(read=None, write=None)
# Any valid key may read; no key may write (who am I, the schema).
ANY_READ = Rule(read=(), write=None)

APP_RULES: dict[str, Rule] = {
    "clients": area("clients"),
    "exercises": area("plans"),  # the library plans are built from
    "plans": area("plans"),
    "progress": area("progress"),  # logs, check-ins, photos, body stats, exercise history
    "coaching": area("coaching"),  # habits, check-in forms and responses, automations
    "messaging": area("messages"),
    "billing": area("billing"),
    "dashboard": area("progress"),  # the feed: what clients logged
    # A person's own inbox and devices, not a studio's data.
    "notifications": FORBIDDEN,
    # Keys and webhooks are managed by a person, signed in (a key cannot make keys).
    "integrations": FORBIDDEN,
    # The mobile apps' offline protocol, bound to a person's devices; integrations read the
    # lists with `?updated_since=` or receive webhooks.
    "sync": FORBIDDEN,
}

VIEW_RULES: dict[str, Rule] = {
    # accounts: credentials and membership are a person's business, never a key's.
    "accounts.api.views.RegisterView": FORBIDDEN,
    "accounts.api.views.TokenObtainView": FORBIDDEN,
    "accounts.api.views.TokenRefreshView": FORBIDDEN,
    "accounts.api.views.LogoutView": FORBIDDEN,
    "accounts.api.views.MeView": ANY_READ,  # "which account is this key?" (a connection test)
    "accounts.api.views.PasswordChangeView": FORBIDDEN,
    "accounts.api.views.PasswordResetView": FORBIDDEN,
    "accounts.api.views.PasswordResetConfirmView": FORBIDDEN,
    "accounts.api.studio_views.MemberInviteAcceptView": FORBIDDEN,
    "accounts.api.studio_views.MemberInvitePreviewView": FORBIDDEN,
    "accounts.api.studio_views.StudioView": ANY_READ,
    "accounts.api.studio_views.MemberListView": FORBIDDEN,
    "accounts.api.studio_views.MemberDetailView": FORBIDDEN,
    "accounts.api.studio_views.MemberInviteListView": FORBIDDEN,
    "accounts.api.studio_views.MemberInviteDetailView": FORBIDDEN,
    # Anonymous endpoints (no authentication at all): a key there is meaningless.
    "clients.api.views.InviteAcceptView": FORBIDDEN,
    "clients.api.views.InvitePreviewView": FORBIDDEN,
    "progress.api.views.PhotoFileView": FORBIDDEN,  # the signed URL's token is the credential
    "billing.api.views.StripeWebhookView": FORBIDDEN,  # Stripe's signature is
    # Who may see a client's record is decided by a person: keys read grants, never change
    # them, and never move clients between coaches.
    "clients.api.views.ClientAccessViewSet": read_only("read:clients"),
    "clients.api.views.ClientTransferView": FORBIDDEN,
    # Figures across clients and revenue: both areas.
    "dashboard.api.views.TrainerDashboardView": read_only("read:clients", "read:billing"),
    "dashboard.api.views.StudioDashboardView": read_only("read:clients", "read:billing"),
    # The live stream is for the apps: it and its tickets are bound to an access token
    # (the stream ends with it), which a key does not have. Integrations poll `feed/`
    # (read:progress) or receive webhooks.
    "dashboard.api.feed_views.FeedStreamSchema": FORBIDDEN,
    "dashboard.api.feed_views.FeedStreamTicketView": FORBIDDEN,
    "dashboard.api.stream_views.UserStreamSchema": FORBIDDEN,
    "dashboard.api.stream_views.UserStreamTicketView": FORBIDDEN,
    # The schema and docs pages are public.
    "drf_spectacular.views.SpectacularAPIView": ANY_READ,
    "drf_spectacular.views.SpectacularSwaggerView": ANY_READ,
    "fitbud.views.RedocView": ANY_READ,
}


def _dotted(view_class: type) -> str:
    return f"{view_class.__module__}.{view_class.__qualname__}"


def rule_for(view_class: type) -> Rule | None:
    """The rule of a view class, None if it has none (a bug the URL walk test catches)."""
    declared = getattr(view_class, "api_key_rule", None)
    if declared is not None:
        read, write = declared
        return Rule(
            read=None if read is None else tuple(read),
            write=None if write is None else tuple(write),
        )
    for klass in view_class.__mro__:
        rule = VIEW_RULES.get(_dotted(klass))
        if rule is not None:
            return rule
    return APP_RULES.get(view_class.__module__.split(".", 1)[0])


def granted(scopes: list[str] | tuple[str, ...], needed: tuple[str, ...]) -> bool:
    """Whether a key with `scopes` has every one of `needed` (write:<area> includes read)."""
    held = set(scopes)
    for scope in needed:
        if scope in held:
            continue
        action, _, name = scope.partition(":")
        if action == "read" and f"write:{name}" in held:
            continue
        return False
    return True
