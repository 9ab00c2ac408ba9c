"""The push: a device's batch of its user's own changes, applied in one transaction through
the same services (and input serializers) as the REST endpoints. docs/sync.md has the rules."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import get_error_detail

from clients.models import Client
from coaching.api.forms import FormResponseInputSerializer
from coaching.api.habits import HabitCheckInputSerializer
from coaching.models import FormResponse, Habit, HabitCheck
from coaching.services import forms as form_services
from coaching.services import habits as habit_services
from messaging import selectors as messaging_selectors
from messaging import services as message_services
from messaging.api.serializers import MessageCreateSerializer, MessageEditSerializer
from messaging.models import Message
from progress import services as progress_services
from progress.api import serializers as progress_serializers
from progress.models import BodyStat, CheckIn, MealLog, WorkoutLog
from sync.models import SyncPush, SyncTombstone
from sync.selectors import to_ms
from sync.tables import TABLES, habit_check_sync_id

# What every WatermelonDB raw record carries besides its columns.
WATERMELON_KEYS = {"_status", "_changed"}


class RecordError(exceptions.APIException):
    """A service refused one pushed record: its error, at the record's path."""

    def __init__(self, detail: Any, status_code: int) -> None:
        super().__init__(detail)
        self.status_code = status_code


class PushConflict(Exception):
    def __init__(self, conflicts: dict[str, list[str]]) -> None:
        super().__init__("conflict")
        self.conflicts = conflicts


class PushForbidden(exceptions.PermissionDenied):
    default_detail = (
        "Members push messages only: their other changes go through the REST endpoints."
    )
    default_code = "sync_push_forbidden"


def _at(path: str, detail: Any) -> dict:
    """Nest `detail` under a dotted path with [i] indexes (the uniform error formatter
    flattens it back to `changes.workout_logs.created[0].exercises[0].sets`)."""
    node: Any = detail
    for part in reversed(path.split(".")):
        if "[" in part:
            name, index = part[:-1].split("[")
            node = {name: {int(index): node}}
        else:
            node = {part: node}
    return node


def _wrap(path: str, error: Exception) -> Exception:
    if isinstance(error, DjangoValidationError):
        return exceptions.ValidationError(_at(path, get_error_detail(error)))
    if isinstance(error, exceptions.APIException):
        detail = error.detail
        if not isinstance(detail, (dict, list)):
            detail = [ErrorDetail(str(detail), code=getattr(detail, "code", "invalid"))]
        if isinstance(error, exceptions.ValidationError):
            return exceptions.ValidationError(_at(path, detail))
        return RecordError(_at(path, detail), error.status_code)
    return error


def _bad(path: str, message: str, code: str) -> exceptions.ValidationError:
    return exceptions.ValidationError(_at(path, [ErrorDetail(message, code=code)]))


def _input(serializer_class, record: dict, *, ignore: set[str], context: dict, drop=()) -> dict:
    """The record's writable fields, validated by the REST input serializer. Server fields
    the pull sent (client, created_at, ...) and WatermelonDB's own keys are ignored; any
    other key is unknown and refused, as in REST."""
    data = {
        key: value
        for key, value in record.items()
        if key not in drop and (key not in ignore or key in serializer_class().fields)
    }
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@dataclass(frozen=True)
class Owner:
    """Who pushes: the user, and their client record (None for a studio member)."""

    user: Any
    client: Client | None


@dataclass(frozen=True)
class Pushable:
    """How one table takes a device's changes (the pusher's own rows only)."""

    table: str
    # Find the pusher's own row by its sync id (None: not there).
    find: Callable[[Owner, str], Any]
    create: Callable[[Owner, dict, dict], None] | None
    update: Callable[[Owner, Any, dict, dict], None] | None
    delete: Callable[[Owner, str, Any], None] | None
    # Studio members may push this table (messages); the rest are a client's own records.
    members: bool = False


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _entry_finder(model):
    def find(owner: Owner, sync_id: str):
        pk = _uuid(sync_id)
        if pk is None:
            return None
        rows = model.objects.select_for_update(of=("self",))
        return rows.filter(client=owner.client, pk=pk).first()

    return find


def _entry(table, model, input_cls, update_cls, create_fn, update_fn) -> Pushable:
    def ignore() -> set[str]:
        return set(TABLES[table].serializer().fields) | WATERMELON_KEYS

    def create(owner, record, context):
        data = _input(input_cls, record, ignore=ignore(), context=context)
        create_fn(client=owner.client, **data)

    def update(owner, row, record, context):
        data = _input(update_cls, record, ignore=ignore() | {"id"}, context=context, drop=("id",))
        update_fn(row, data)

    def delete(owner, sync_id, row):
        if row is not None:
            progress_services.entry_delete(entry=row)

    return Pushable(table, _entry_finder(model), create, update, delete)


def _parse_check_id(sync_id: str) -> tuple[int, date] | None:
    habit, _, day = str(sync_id).partition(":")
    try:
        return int(habit), date.fromisoformat(day)
    except ValueError:
        return None


def _find_check(owner: Owner, sync_id: str):
    parsed = _parse_check_id(sync_id)
    if parsed is None:
        return None
    return (
        HabitCheck.objects.select_for_update(of=("self",))
        .filter(client=owner.client, habit_id=parsed[0], date=parsed[1])
        .first()
    )


def _check_write(owner: Owner, record: dict, context: dict) -> None:
    client = owner.client
    ignore = set(TABLES["habit_checks"].serializer().fields) | WATERMELON_KEYS
    data = _input(HabitCheckInputSerializer, record, ignore=ignore, context=context)
    habit = Habit.objects.filter(client=client, pk=record.get("habit")).first()
    if habit is None:
        raise exceptions.NotFound(
            {"habit": [ErrorDetail("No habit of yours has this id.", code="not_found")]}
        )
    if str(record.get("id")) != habit_check_sync_id(habit.pk, data["date"]):
        raise exceptions.ValidationError(
            {
                "id": [
                    ErrorDetail(
                        "A habit check's id is '<habit>:<date>' (one check per habit and day).",
                        code="invalid",
                    )
                ]
            }
        )
    habit.client = client
    habit_services.habit_check(habit=habit, on_date=data["date"], value=data.get("value"))


def _check_delete(owner: Owner, sync_id: str, row) -> None:
    parsed = _parse_check_id(sync_id)
    habit = parsed and Habit.objects.filter(client=owner.client, pk=parsed[0]).first()
    if habit:
        habit_services.habit_uncheck(habit=habit, on_date=parsed[1])


def _body_stat_create(owner, record, context):
    ignore = set(TABLES["body_stats"].serializer().fields) | WATERMELON_KEYS
    data = _input(
        progress_serializers.BodyStatInputSerializer, record, ignore=ignore, context=context
    )
    progress_services.body_stat_create(client=owner.client, **data)


def _body_stat_delete(owner, sync_id, row):
    if row is not None:
        progress_services.body_stat_delete(stat=row)


def _form_response_create(owner, record, context):
    ignore = set(TABLES["form_responses"].serializer().fields) | WATERMELON_KEYS
    data = _input(FormResponseInputSerializer, record, ignore=ignore, context=context)
    form_services.form_response_submit(
        client=owner.client,
        assignment_id=data["form_assignment"],
        answers=data["answers"],
        id=data.get("id"),
    )


def _find_message(owner: Owner, sync_id: str):
    """A message of a conversation the pusher is in (anyone's: editing another's is a 403
    from the messaging service, as in REST)."""
    pk = _uuid(sync_id)
    if pk is None:
        return None
    visible = messaging_selectors.visible_conversations(user=owner.user)
    return (
        Message.objects.select_for_update(of=("self",))
        .filter(pk=pk, conversation__in=visible)
        .select_related("conversation__client")
        .first()
    )


def _message_create(owner: Owner, record: dict, context: dict) -> None:
    """A message written offline: `id` (a UUID) and `body`, in `conversation` (a client may
    leave it out: the conversation with their coach, opened if needed). Photos are sent
    through messages/ (multipart), never through sync."""
    ignore = set(TABLES["messages"].serializer().fields) | WATERMELON_KEYS
    data = _input(MessageCreateSerializer, record, ignore=ignore, context=context)
    if "id" not in data:
        raise _bad("id", "A message pushed by a device carries its UUID.", "required")
    conversation_id = record.get("conversation")
    if conversation_id is None:
        if owner.client is None:
            raise _bad("conversation", "This field is required.", "required")
        conversation, _ = message_services.conversation_open(user=owner.user, client_id=None)
    else:
        try:
            conversation = messaging_selectors.conversation_find(
                user=owner.user, conversation_id=conversation_id
            )
        except Http404:
            raise exceptions.NotFound(
                {"conversation": [ErrorDetail("No conversation of yours.", code="not_found")]}
            ) from None
    message_services.message_send(
        conversation=conversation,
        sender=owner.user,
        body=data.get("body", ""),
        message_id=data["id"],
    )


def _message_update(owner: Owner, row, record: dict, context: dict) -> None:
    ignore = set(TABLES["messages"].serializer().fields) | WATERMELON_KEYS | {"id"}
    data = _input(MessageEditSerializer, record, ignore=ignore, context=context, drop=("id",))
    message_services.message_edit(message=row, user=owner.user, body=data["body"])


def _message_delete(owner: Owner, sync_id: str, row) -> None:
    if row is not None and row.deleted_at is None:
        message_services.message_delete(message=row, user=owner.user)


PUSHABLE: dict[str, Pushable] = {
    p.table: p
    for p in (
        _entry(
            "workout_logs",
            WorkoutLog,
            progress_serializers.WorkoutLogInputSerializer,
            progress_serializers.WorkoutLogUpdateSerializer,
            progress_services.workout_log_create,
            lambda row, data: progress_services.workout_log_update(log=row, changes=data),
        ),
        _entry(
            "meal_logs",
            MealLog,
            progress_serializers.MealLogInputSerializer,
            progress_serializers.MealLogUpdateSerializer,
            progress_services.meal_log_create,
            lambda row, data: progress_services.meal_log_update(log=row, changes=data),
        ),
        _entry(
            "check_ins",
            CheckIn,
            progress_serializers.CheckInInputSerializer,
            progress_serializers.CheckInUpdateSerializer,
            progress_services.check_in_create,
            lambda row, data: progress_services.check_in_update(check_in=row, changes=data),
        ),
        Pushable("body_stats", _entry_finder(BodyStat), _body_stat_create, None, _body_stat_delete),
        Pushable(
            "habit_checks",
            _find_check,
            _check_write,
            lambda owner, row, record, context: _check_write(owner, record, context),
            _check_delete,
        ),
        Pushable("form_responses", _entry_finder(FormResponse), _form_response_create, None, None),
        Pushable(
            "messages",
            _find_message,
            _message_create,
            _message_update,
            _message_delete,
            members=True,
        ),
    )
}


def push_fingerprint(*, since: datetime, changes: dict) -> str:
    body = json.dumps({"since": to_ms(since), "changes": changes}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _changed_since(row, since: datetime) -> bool:
    return row is not None and row.updated_at > since


def _conflicts(client: Client | None, since: datetime, changes: dict, found: dict) -> dict:
    """Records of the push that the server changed (or deleted) after `since`."""
    conflicts: dict[str, list[str]] = {}
    for table, lists in changes.items():
        for sync_id in [r.get("id") for r in lists.get("updated", [])] + list(
            lists.get("deleted", [])
        ):
            row = found[table].get(str(sync_id))
            if _changed_since(row, since):
                conflicts.setdefault(table, []).append(str(sync_id))
        # An update of a row the server deleted after `since` conflicts too.
        missing = [
            str(r.get("id"))
            for r in lists.get("updated", [])
            if found[table].get(str(r.get("id"))) is None
        ]
        if missing and client is not None:
            gone = SyncTombstone.objects.filter(
                table=table, client_id=client.pk, object_id__in=missing, deleted_at__gt=since
            ).values_list("object_id", flat=True)
            conflicts.setdefault(table, []).extend(gone)
    return {table: ids for table, ids in conflicts.items() if ids}


@transaction.atomic
def sync_push(*, user, since: datetime, changes: dict, context: dict) -> dict[str, Any]:
    """Apply a push, all or nothing. Returns {"replayed": bool, "applied": counts}.

    Raises PushConflict (nothing applied) when any updated or deleted record changed on the
    server after `since`, and the services' own errors at the record's path."""
    has_records = any(
        lists.get("created") or lists.get("updated") or lists.get("deleted")
        for lists in changes.values()
    )
    is_client = getattr(user, "is_client", False)
    if not is_client:
        if not has_records:
            return {"replayed": False, "applied": {}}
        if any(table in PUSHABLE and not PUSHABLE[table].members for table in changes):
            raise PushForbidden()
    fingerprint = push_fingerprint(since=since, changes=changes)
    try:
        # First, so that the same push sent twice at once waits here for the first one's
        # commit and is then answered as a replay (or applies, if the first rolled back).
        with transaction.atomic():
            push = SyncPush.objects.create(user=user, fingerprint=fingerprint)
    except IntegrityError:
        done = SyncPush.objects.get(user=user, fingerprint=fingerprint)
        return {"replayed": True, "applied": done.summary}
    client = Client.objects.select_related("user").get(user=user) if is_client else None
    owner = Owner(user, client)
    for table in changes:
        if table not in PUSHABLE:
            raise _bad(
                f"changes.{table}",
                "This table is read-only on devices (pull it; write through its endpoint).",
                "table_not_pushable",
            )
    # Lock what the push touches, then compare with `since` before changing anything.
    found: dict[str, dict[str, Any]] = {}
    for table, lists in changes.items():
        finder = PUSHABLE[table].find
        found[table] = {}
        for record in lists.get("updated", []):
            sync_id = str(record.get("id"))
            found[table][sync_id] = finder(owner, sync_id)
        for sync_id in lists.get("deleted", []):
            found[table][str(sync_id)] = finder(owner, str(sync_id))
    conflicts = _conflicts(client, since, changes, found)
    if conflicts:
        raise PushConflict(conflicts)
    applied: dict[str, dict[str, int]] = {}
    for table, lists in changes.items():
        pushable = PUSHABLE[table]
        counts = applied.setdefault(table, {"created": 0, "updated": 0, "deleted": 0})
        handlers = {
            "created": pushable.create,
            "updated": pushable.update,
            "deleted": pushable.delete,
        }
        for kind, handler in handlers.items():
            for index, item in enumerate(lists.get(kind, [])):
                path = f"changes.{table}.{kind}[{index}]"
                if handler is None:
                    raise _bad(
                        path, f"Records of {table} cannot be {kind} on a device.", f"not_{kind}"
                    )
                try:
                    _apply(pushable, kind, owner, item, found[table], context, path)
                except (DjangoValidationError, exceptions.APIException) as error:
                    raise _wrap(path, error) from error
                counts[kind] += 1
    push.summary = applied
    push.save(update_fields=["summary"])
    return {"replayed": False, "applied": applied}


def _apply(pushable: Pushable, kind: str, owner: Owner, item, found: dict, context, path) -> None:
    if kind == "created":
        if not isinstance(item, dict):
            raise _bad(path, "A record is an object.", "invalid")
        pushable.create(owner, item, context)
    elif kind == "updated":
        if not isinstance(item, dict):
            raise _bad(path, "A record is an object.", "invalid")
        row = found.get(str(item.get("id")))
        if row is None:
            raise exceptions.NotFound(
                {"id": [ErrorDetail("No record of yours has this id.", code="not_found")]}
            )
        pushable.update(owner, row, item, context)
    else:
        pushable.delete(owner, str(item), found.get(str(item)))


def tombstones_purge(*, now: datetime | None = None) -> tuple[int, int]:
    """Drop tombstones past the retention and push fingerprints past a day."""
    now = now or timezone.now()
    days = getattr(settings, "SYNC_TOMBSTONE_RETENTION_DAYS", 30)
    stones, _ = SyncTombstone.objects.filter(deleted_at__lt=now - timedelta(days=days)).delete()
    hours = getattr(settings, "SYNC_PUSH_RETENTION_HOURS", 24)
    pushes, _ = SyncPush.objects.filter(created_at__lt=now - timedelta(hours=hours)).delete()
    return stones, pushes
