"""JWT authentication that keeps the token's user row in the shared cache.

simplejwt loads the user from the database on every request (is the account still there,
still active, is the token's password digest still current). That primary-key query was
the largest single cost left on a cached read (docs/performance.md). Here the row is kept
in the default cache for AUTH_USER_CACHE_SECONDS and the same three checks run on the copy.
The cache must be shared by every worker (Redis); production settings turn this off
otherwise, since a tombstone in one worker's memory would not revoke tokens in another.

A write to a user (password change, deactivation, profile edit; any save or delete) puts a
short-lived tombstone in place of the copy, at once and again on commit. While it is there
reads go to the database and do not store what they read, so a request that loaded the row
just before a password change commits cannot put the old hash back for the other workers.
Writes that bypass save() (QuerySet.update) must call forget_user(); the one in this
project (last_login on sign-in) changes nothing the checks or the API read from here.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from fitbud.api import response_cache

logger = logging.getLogger(__name__)

USER_KEY = "auth:user:{}"
TOMBSTONE = "stale"
TOMBSTONE_SECONDS = 10


def _cache_call(method: str, *args):
    try:
        return getattr(cache, method)(*args)
    except Exception:  # the cache is down: authenticate from the database
        logger.warning("auth user cache: %s failed", method, exc_info=True)
        return None


def _tombstone(user_id) -> None:
    _cache_call("set", USER_KEY.format(user_id), TOMBSTONE, TOMBSTONE_SECONDS)


def forget_user(user_id) -> None:
    """Drop the cached copy of a user, now and when the current transaction commits."""
    _tombstone(user_id)
    transaction.on_commit(lambda: _tombstone(user_id), robust=True)


class CachedUserJWTAuthentication(JWTAuthentication):
    request = None

    def authenticate(self, request):
        self.request = request  # DRF makes one authenticator per request
        return super().authenticate(request)

    def _fetch(self, user_id):
        """The cached user row, and in the same round trip what the response cache will
        look up for this request (fitbud.api.response_cache.prefetch_keys)."""
        key = USER_KEY.format(user_id)
        extra = response_cache.prefetch_keys(self.request, user_id) if self.request else []
        found = _cache_call("get_many", [key, *extra]) or {}
        if extra:
            self.request.response_cache_prefetched = (extra, found)
        return found.get(key)

    def get_user(self, validated_token):
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        if user_id is None or settings.AUTH_USER_CACHE_SECONDS <= 0:
            return super().get_user(validated_token)
        key = USER_KEY.format(user_id)
        cached = self._fetch(user_id)
        if cached is None or cached == TOMBSTONE:
            user = super().get_user(validated_token)  # the database, and simplejwt's checks
            if cached is None:
                _cache_call("add", key, user, settings.AUTH_USER_CACHE_SECONDS)
            return user
        if api_settings.CHECK_USER_IS_ACTIVE and not cached.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(cached.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return cached


class CachedUserJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme: the same bearer JWT as simplejwt's own class."""

    target_class = "accounts.authentication.CachedUserJWTAuthentication"
