"""The JSON body of every webhook: a stable, versioned shape (docs/integrations.md).

    {"type": "workout.logged", "timestamp": "2026-12-06T10:00:00.000000Z", "version": 1,
     "data": {"event_id", "studio", "coach", "client": {"id", "full_name"},
              "object": {"type", "id"}, "summary", ...fields of the type}}

Within version 1 changes are additive (new fields, new types). Fields marked health (body
measurements, wellbeing scores, form answers, metric values, clients' free-text notes, and
the summary of the health types, which can quote them) are sent only to endpoints with
`include_health`; the trainer's private client notes and message texts are never sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

VERSION = 1
PING = "webhook.ping"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


Fields = Callable[[Any, bool], dict[str, Any]]


def _workout(log, health: bool) -> dict[str, Any]:
    data = {
        "date": log.date,
        "assignment": log.assignment_id,
        "duration_minutes": log.duration_minutes,
        "effort": log.effort,
        "exercise_count": len(log.exercises or []),
    }
    if health:
        data["notes"] = log.notes
    return data


def _record(log, health: bool) -> dict[str, Any]:
    return {"date": log.date, "workout_log": str(log.pk)}


def _meal(log, health: bool) -> dict[str, Any]:
    data = {
        "date": log.date,
        "meal": log.meal,
        "calories": log.calories,
        "protein_g": log.protein_g,
        "carbs_g": log.carbs_g,
        "fat_g": log.fat_g,
    }
    if health:
        data["notes"] = log.notes
    return data


def _check_in(check_in, health: bool) -> dict[str, Any]:
    data = {"date": check_in.date, "week_start": check_in.week_start}
    if health:
        data.update(
            weight_kg=check_in.weight_kg,
            measurements=check_in.measurements,
            sleep=check_in.sleep,
            energy=check_in.energy,
            stress=check_in.stress,
            adherence=check_in.adherence,
            notes=check_in.notes,
        )
    return data


def _invite(client, health: bool) -> dict[str, Any]:
    return {"joined_at": client.created_at}


def _assignment(assignment, health: bool) -> dict[str, Any]:
    return {
        "kind": assignment.kind,
        "name": assignment.name,
        "start_date": assignment.start_date,
        "end_date": assignment.end_date,
    }


def _payment(payment, health: bool) -> dict[str, Any]:
    return {
        "amount": payment.amount,
        "currency": payment.currency,
        "status": payment.status,
        "paid_at": payment.paid_at,
        "period_start": payment.period_start,
        "period_end": payment.period_end,
    }


def _habit(check, health: bool) -> dict[str, Any]:
    data = {"habit": check.habit_id, "title": check.habit.title, "date": check.date}
    if health:
        data["value"] = check.value
    return data


def _form(response, health: bool) -> dict[str, Any]:
    data = {
        "form_assignment": response.assignment_id,
        "form": response.form_version.name,
        "date": response.date,
        "reviewed_at": response.reviewed_at,
    }
    if health:
        data["answers"] = response.answers
    return data


def _automation(run, health: bool) -> dict[str, Any]:
    return {"automation": run.automation_id, "status": run.status, "fired_at": run.fired_at}


def _photo(photo, health: bool) -> dict[str, Any]:
    # Never a URL: the photo itself is read through the API (signed, expiring URLs).
    return {"date": photo.date, "pose": photo.pose, "check_in": photo.check_in_id}


def _metric(stat, health: bool) -> dict[str, Any]:
    data = {"date": stat.date, "metric": stat.metric, "source": stat.source}
    if health:
        data["value"] = stat.value
    return data


def _message(message, health: bool) -> dict[str, Any]:
    # The text of a message is private to the conversation: never sent.
    return {
        "conversation": getattr(message, "conversation_id", None),
        "sender": getattr(message, "sender_id", None),
    }


@dataclass(frozen=True)
class EventType:
    object_type: str
    description: str
    fields: Fields
    # The summary can quote health details (a weight, a habit's amount): health scope only.
    health_summary: bool = False


EVENT_TYPES: dict[str, EventType] = {
    "workout.logged": EventType("workout_log", "A client logged a workout.", _workout),
    "workout.updated": EventType("workout_log", "A client edited a logged workout.", _workout),
    "meal.logged": EventType("meal_log", "A client logged a meal.", _meal),
    "meal.updated": EventType("meal_log", "A client edited a logged meal.", _meal),
    "checkin.submitted": EventType(
        "check_in", "A client submitted a weekly check-in.", _check_in, True
    ),
    "checkin.updated": EventType("check_in", "A client edited a check-in.", _check_in, True),
    "checkin.reviewed": EventType(
        "check_in", "A coach reviewed a client's check-in.", _check_in, True
    ),
    "invite.accepted": EventType("client", "An invited client joined.", _invite),
    "plan.assigned": EventType("assignment", "A plan was assigned to a client.", _assignment),
    "payment.received": EventType("payment", "A client's payment succeeded.", _payment),
    "payment.failed": EventType("payment", "A client's payment failed.", _payment),
    "habit.completed": EventType("habit_check", "A client checked off a habit.", _habit, True),
    "form.submitted": EventType("form_response", "A client answered a form.", _form, True),
    "form.reviewed": EventType("form_response", "A coach reviewed a form answer.", _form, True),
    "automation.fired": EventType("automation_run", "An automation rule fired.", _automation),
    "record.set": EventType("workout_log", "A client set a personal record.", _record),
    "photo.uploaded": EventType("photo", "A client uploaded a progress photo.", _photo),
    "metric.logged": EventType("body_stat", "A client logged body metrics.", _metric, True),
    "message.sent": EventType("message", "A message was sent in a conversation.", _message),
    "message.edited": EventType("message", "Its author edited a message.", _message),
    "message.deleted": EventType("message", "Its author deleted a message.", _message),
}


def event_payload(event, *, include_health: bool) -> dict[str, Any]:
    """The body for a spine event (dashboard.ActivityEvent, read through its attributes)."""
    spec = EVENT_TYPES[event.kind]
    target = event.target
    client = event.client
    data: dict[str, Any] = {
        "event_id": event.pk,
        "studio": event.studio_id,
        "coach": event.trainer_id,
        "client": {"id": client.pk, "full_name": client.user.full_name},
        "object": {"type": spec.object_type, "id": str(event.object_id)},
        "summary": event.summary if include_health or not spec.health_summary else None,
    }
    if target is not None:
        data.update(spec.fields(target, include_health))
    return {
        "type": event.kind,
        "timestamp": _iso(event.created_at),
        "version": VERSION,
        "data": {key: _plain(value) for key, value in data.items()},
    }


def ping_payload(*, endpoint_id: int, now: datetime) -> dict[str, Any]:
    return {
        "type": PING,
        "timestamp": _iso(now),
        "version": VERSION,
        "data": {"endpoint": endpoint_id, "message": "Test delivery from Fitbud."},
    }
