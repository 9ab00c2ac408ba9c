"""Background tasks of progress (names `progress.<entity>_<action>`; see fitbud/celery.py)."""

from __future__ import annotations

from celery import shared_task

from fitbud.background import backoff, is_last_try
from progress.services import photo_thumbnail_make

THUMBNAIL_MAX_RETRIES = 5


@shared_task(name="progress.photo_thumbnail_make", bind=True, max_retries=THUMBNAIL_MAX_RETRIES)
def photo_thumbnail_make_task(self, *, photo_id: str) -> None:
    """Make a photo's thumbnail off the request path; idempotent, retried while the storage
    fails. Until it exists the photo answers `thumbnail_url: null`."""
    try:
        photo_thumbnail_make(photo_id=photo_id)
    except Exception as error:
        if is_last_try(self):
            raise
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
