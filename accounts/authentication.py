"""JWT authentication that loads the token's user together with its tenant's generation.

Every request reads the user row from the database, the truth for revocation: simplejwt's
own checks (the account exists and is active, the token's password digest is current) run
on a row no cache can hold back, so a password change or deactivation refuses the old
tokens from its commit on, whatever state the cache is in. The same query returns the
caller's tenant and that tenant's current generation (fitbud.api.response_cache.load_user),
which is what the response cache checks its entries against: a cached read costs this one
query and one cache get.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication

from fitbud.api import response_cache


class _UserRows:
    """Stands in for the user model in simplejwt's get_user, which runs
    `self.user_model.objects.get(id=...)` and then its checks: the same lookup and checks,
    on the row response_cache.load_user reads together with the tenant's generation."""

    def __init__(self, model):
        self.model = model
        self.objects = self
        self.DoesNotExist = model.DoesNotExist

    def get(self, **lookup):
        ((field, value),) = lookup.items()
        if field not in ("pk", self.model._meta.pk.attname):
            raise ImproperlyConfigured("SIMPLE_JWT's USER_ID_FIELD must be the primary key")
        return response_cache.load_user(self.model, value)


class TenantJWTAuthentication(JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _UserRows(self.user_model)


class TenantJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme: the same bearer JWT as simplejwt's own class."""

    target_class = "accounts.authentication.TenantJWTAuthentication"
