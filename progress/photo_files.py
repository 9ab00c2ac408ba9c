"""Where photo files live and how a caller gets to one: always a short-lived signed URL.

On S3 (or any S3-compatible bucket) the URL is presigned by the storage. On the local
filesystem it points to `photo-file`, a download view whose token is signed with
SECRET_KEY (django.core.signing) and carries the storage key and the expiry instant; the
token is the credential (like a presigned URL it needs no JWT, so an <img> can load it)
and it is useless after `expires_at`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.urls import reverse

SALT = "progress.photo-file"


def photo_storage() -> Storage:
    return storages["photos"]


def url_seconds() -> int:
    return settings.PHOTO_URL_SECONDS


def signed_url(key: str, *, request=None) -> tuple[str, datetime]:
    """A URL reading `key`, and the instant it stops working."""
    seconds = url_seconds()
    expires = int(time.time()) + seconds
    storage = photo_storage()
    if isinstance(storage, FileSystemStorage):
        token = signing.dumps({"k": key, "e": expires}, salt=SALT)
        url = reverse("photo-file", kwargs={"token": token})
        if request is not None:
            url = request.build_absolute_uri(url)
    else:
        url = storage.url(key, expire=seconds)
    return url, datetime.fromtimestamp(expires, tz=UTC)


class TokenInvalid(Exception):
    pass


class TokenExpired(Exception):
    pass


def key_from_token(token: str) -> tuple[str, int]:
    """The storage key a download token names and the seconds it has left."""
    try:
        payload = signing.loads(token, salt=SALT)
        key, expires = str(payload["k"]), int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TokenInvalid from None
    left = expires - int(time.time())
    if left <= 0:
        raise TokenExpired
    return key, left
