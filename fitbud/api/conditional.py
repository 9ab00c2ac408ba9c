"""Versions of editable objects: `ETag` on reads and writes, `If-Match` on PATCH/PUT/DELETE.

The version of a row is its `updated_at` (auto_now, microseconds), which every editable model
already carries and which `?updated_since=` needs anyway: one column serves both, and no
model grows a second counter that every write path (including `QuerySet.update`, which
bypasses `save()`) would have to keep in step. The ETag is that instant in microseconds since
the epoch, in hex, as a strong validator (`"5f2c1a9e3b7c0"`).

Race-free: a write sent with `If-Match` runs in one transaction that first locks the row
(`SELECT ... FOR UPDATE`), then reads it through the view's scoped queryset (so another
tenant's object is still a 404, never a 412), compares, and writes. A concurrent writer waits
on the lock and then sees the new version: exactly one of two writers holding the same ETag
wins, the other gets 412. Two successive writes of one row get different versions unless the
server clock steps back onto the exact microsecond of the earlier write (documented).

Declare it on a view in one line: mix `ConditionalWriteMixin` into a GenericAPIView/ViewSet
(it hooks `get_object`), or call `conditional_object(view, instance)` where an APIView loads
its object by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import models, transaction
from django.utils.http import parse_etags
from rest_framework import exceptions, status

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})
# A ViewSet's object routes; its extra actions (`check/`, `end/`, ...) act on other rows.
CONDITIONAL_ACTIONS = frozenset({"retrieve", "update", "partial_update", "destroy"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, current: str):
        super().__init__(
            f"The object changed since you read it: its current ETag is {current}. Read it "
            "again, reapply your change and send the new ETag in If-Match.",
            code=self.default_code,
        )
        self.current_etag = current


def version_etag(value: datetime | None) -> str | None:
    if value is None:
        return None
    return f'"{(value - _EPOCH) // _MICROSECOND:x}"'


def etag_of(instance: models.Model, field: str = "updated_at") -> str | None:
    return version_etag(getattr(instance, field))


def if_match(request) -> list[str] | None:
    """The ETags of `If-Match` (["*"] for any), or None when the header is absent."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    return parse_etags(header)


def check_if_match(request, current: str | None) -> None:
    wanted = if_match(request)
    if wanted is None or "*" in wanted:
        return
    # Strong comparison (RFC 9110 13.1.1): a weak validator never matches.
    if current is None or current not in wanted:
        raise PreconditionFailed(current or '""')


def lock_row(instance: models.Model) -> None:
    """Hold the row until the transaction ends (a no-op on SQLite, which serializes writes)."""
    manager = type(instance)._base_manager
    list(manager.select_for_update().filter(pk=instance.pk).values_list("pk"))


class ConditionalWriteMixin:
    """`ETag` on object responses, `If-Match` honoured on PUT/PATCH/DELETE (412 when stale).

    Writes of these views run in one transaction (so the ETag answered is the version this
    write made, read while the write still holds its row lock); without `If-Match` they behave
    as before.
    """

    etag_field = "updated_at"
    _etag: str | None = None
    _etag_target: tuple[type[models.Model], object] | None = None

    def dispatch(self, request, *args, **kwargs):
        if request.method in WRITE_METHODS:
            # An error inside rolls back: the exception handler marks the block (set_rollback).
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def is_conditional(self) -> bool:
        action = getattr(self, "action", None)  # None on APIViews: their one object
        return action is None or action in CONDITIONAL_ACTIONS

    def find_object(self):
        """The scoped read of the object (a view with its own lookup overrides this rather
        than `get_object`)."""
        return super().get_object()

    def get_object(self):
        instance = self.find_object()
        if not self.is_conditional():
            return instance
        if self.request.method in WRITE_METHODS and if_match(self.request) is not None:
            # Lock, then read again: the row compared (and changed) is the latest one, and
            # no one changes it before this transaction ends. The first read is the scoped
            # one that turns another tenant's id into a 404 before anything is locked.
            lock_row(instance)
            instance = self.find_object()
        return self.conditional_object(instance)

    def conditional_object(self, instance: models.Model) -> models.Model:
        self._etag_target = (type(instance), instance.pk)
        self._etag = etag_of(instance, self.etag_field)
        if self.request.method in WRITE_METHODS:
            check_if_match(self.request, self._etag)
        return instance

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        etag = self._etag
        if self._etag_target and request.method in ("PUT", "PATCH") and response.status_code < 300:
            # The version this write made (same transaction, row still locked by the write).
            model, pk = self._etag_target
            value = model._base_manager.filter(pk=pk).values_list(self.etag_field, flat=True)
            etag = version_etag(value.first())
        ok = 200 <= response.status_code < 300 and request.method != "DELETE"
        if etag and (ok or response.status_code == status.HTTP_412_PRECONDITION_FAILED):
            response["ETag"] = etag
        return response


def conditional_object(view, instance: models.Model) -> models.Model:
    """For APIViews that load their object by hand (no `get_object`): call it with the loaded
    object; on a write with If-Match it locks the row, reloads it and compares. The view mixes
    in ConditionalWriteMixin for the headers and the transaction."""
    if instance.pk is None:  # nothing stored yet (a health profile nobody filled in)
        view._etag = None
        if view.request.method in WRITE_METHODS:
            check_if_match(view.request, None)
        return instance
    if view.request.method in WRITE_METHODS and if_match(view.request) is not None:
        lock_row(instance)
        instance.refresh_from_db()
    return view.conditional_object(instance)
