"""Write the trainer's feed from what happens elsewhere (connected in DashboardConfig.ready).

Each receiver runs inside the transaction of the change it reports, so the event commits
or rolls back with it. Fixture loads (`raw=True`) are skipped: they replay history and
must not invent activity.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from billing.models import Payment
from clients.models import Client
from coaching.models import AutomationRun, FormResponse, HabitCheck
from dashboard.feed import event_record, events_forget, message_event_record, notify_users
from dashboard.models import ActivityEvent
from plans.models import PlanAssignment
from progress.models import BodyStat, BodyStatSource, CheckIn, MealLog, ProgressPhoto, WorkoutLog
from progress.services import REVIEW_FIELDS

Kind = ActivityEvent.Kind

# ISO 4217 currencies without minor units (amounts are stored in minor units).
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"})


def _first_name(client: Client) -> str:
    return client.user.get_short_name()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _number(value: Any) -> str:
    # 45 rather than 45.0, 81.4 rather than 81.40.
    return f"{Decimal(str(value)).normalize():f}"


def _is_review(update_fields) -> bool:
    return update_fields is not None and set(update_fields) <= REVIEW_FIELDS


def workout_summary(log: WorkoutLog, *, created: bool) -> str:
    verb = "logged" if created else "updated"
    title = (log.target or {}).get("name") if isinstance(log.target, dict) else None
    parts = [_plural(len(log.exercises or []), "exercise")]
    if log.duration_minutes:
        parts.append(f"{log.duration_minutes} min")
    return f"{_first_name(log.client)} {verb} {title or 'a workout'}: {', '.join(parts)}"


def meal_summary(log: MealLog, *, created: bool) -> str:
    verb = "logged" if created else "updated"
    parts = [_plural(len(log.items or []), "item")]
    if log.calories:
        parts.append(f"{_number(log.calories)} kcal")
    return f"{_first_name(log.client)} {verb} {log.meal}: {', '.join(parts)}"


def check_in_summary(check_in: CheckIn, *, created: bool) -> str:
    name = _first_name(check_in.client)
    head = f"{name} submitted a check-in" if created else f"{name} updated their check-in"
    parts = []
    if check_in.weight_kg is not None:
        parts.append(f"{_number(check_in.weight_kg)} kg")
    if check_in.adherence is not None:
        parts.append(f"adherence {check_in.adherence}/10")
    return f"{head}: {', '.join(parts)}" if parts else head


def payment_summary(payment: Payment) -> str:
    currency = payment.currency.upper()
    if currency in ZERO_DECIMAL_CURRENCIES:
        amount = f"{payment.amount}"
    else:
        amount = f"{Decimal(payment.amount) / 100:.2f}"
    return f"{_first_name(payment.client)} paid {amount} {currency}"


# post_save of the progress models ----------------------------------------------------------


def on_workout_log_saved(sender, instance: WorkoutLog, created: bool, raw: bool = False, **kw):
    if raw:
        return
    event_record(
        client=instance.client,
        kind=Kind.WORKOUT_LOGGED if created else Kind.WORKOUT_UPDATED,
        summary=workout_summary(instance, created=created),
        obj=instance,
    )


def on_meal_log_saved(sender, instance: MealLog, created: bool, raw: bool = False, **kw):
    if raw:
        return
    event_record(
        client=instance.client,
        kind=Kind.MEAL_LOGGED if created else Kind.MEAL_UPDATED,
        summary=meal_summary(instance, created=created),
        obj=instance,
    )


def on_check_in_saved(
    sender, instance: CheckIn, created: bool, raw: bool = False, update_fields=None, **kw
):
    # The trainer's own review is not news for the trainer's feed.
    if raw or (not created and _is_review(update_fields)):
        return
    event_record(
        client=instance.client,
        kind=Kind.CHECKIN_SUBMITTED if created else Kind.CHECKIN_UPDATED,
        summary=check_in_summary(instance, created=created),
        obj=instance,
    )


def on_check_in_reviewed(sender, check_in: CheckIn, **kw):
    # The notifications consumer tells the client; the feed shows the review was done.
    event_record(
        client=check_in.client,
        kind=Kind.CHECKIN_REVIEWED,
        summary=f"Check-in of {_first_name(check_in.client)} reviewed",
        obj=check_in,
    )


def on_entry_deleted(sender, instance, **kw):
    events_forget(obj=instance)


# Domain signals ----------------------------------------------------------------------------


def on_invite_accepted(sender, invite, client: Client, **kw):
    event_record(
        client=client,
        kind=Kind.INVITE_ACCEPTED,
        summary=f"{client.user.full_name} accepted your invite and joined",
        obj=client,
    )


def on_plan_assigned(sender, assignment: PlanAssignment, **kw):
    event_record(
        client=assignment.client,
        kind=Kind.PLAN_ASSIGNED,
        summary=(
            f"{assignment.get_kind_display()} plan “{assignment.name}” assigned to "
            f"{_first_name(assignment.client)} from {assignment.start_date:%b} "
            f"{assignment.start_date.day}"
        ),
        obj=assignment,
    )


def record_summary(log: WorkoutLog, exercise, records: list[dict[str, Any]]) -> str:
    parts = []
    for record in records:
        if record["kind"] == "weight":
            parts.append(f"{_number(record['value'])} kg x {record['reps']}")
        elif record["kind"] == "e1rm":
            parts.append(f"estimated 1RM {_number(record['value'])} kg")
        else:
            parts.append(f"{record['value']} reps at {_number(record['weight_kg'])} kg")
    return f"{_first_name(log.client)} set a record on {exercise.name}: {', '.join(parts)}"


def on_record_set(sender, log: WorkoutLog, exercise, records: list[dict[str, Any]], **kw):
    # Points at the log: deleting the log forgets the event (on_entry_deleted).
    event_record(
        client=log.client,
        kind=Kind.RECORD_SET,
        summary=record_summary(log, exercise, records),
        obj=log,
    )


def on_payment_received(sender, payment: Payment, **kw):
    event_record(
        client=payment.client,
        kind=Kind.PAYMENT_RECEIVED,
        summary=payment_summary(payment),
        obj=payment,
    )


def on_payment_failed(sender, payment: Payment, **kw):
    event_record(
        client=payment.client,
        kind=Kind.PAYMENT_FAILED,
        summary=payment_summary(payment).replace(" paid ", "'s payment failed: ", 1),
        obj=payment,
    )


def on_habit_completed(sender, check: HabitCheck, **kw):
    habit = check.habit
    amount = ""
    if check.value is not None:
        amount = f" ({_number(check.value)}{' ' + habit.unit if habit.unit else ''})"
    event_record(
        client=check.client,
        kind=Kind.HABIT_COMPLETED,
        summary=f"{_first_name(check.client)} completed “{habit.title}”{amount}",
        obj=check,
    )


def on_form_submitted(sender, response: FormResponse, **kw):
    event_record(
        client=response.client,
        kind=Kind.FORM_SUBMITTED,
        summary=f"{_first_name(response.client)} answered “{response.form_version.name}”",
        obj=response,
    )


def on_form_reviewed(sender, response: FormResponse, **kw):
    event_record(
        client=response.client,
        kind=Kind.FORM_REVIEWED,
        summary=f"“{response.form_version.name}” of {_first_name(response.client)} reviewed",
        obj=response,
    )


def on_automation_fired(sender, run: AutomationRun, automation, **kw):
    # The notifications consumer turns this event into the in-app notification.
    outcome = " (failed)" if run.status == AutomationRun.Status.FAILED else ""
    event_record(
        client=run.client,
        kind=Kind.AUTOMATION_FIRED,
        summary=f"Automation “{automation.name}” fired for {_first_name(run.client)}{outcome}",
        obj=run,
    )


def on_photo_uploaded(sender, photo: ProgressPhoto, **kw):
    event_record(
        client=photo.client,
        kind=Kind.PHOTO_UPLOADED,
        summary=f"{_first_name(photo.client)} added a {photo.pose} progress photo",
        obj=photo,
    )


def on_metric_logged(sender, client: Client, stat: BodyStat, count: int, source: str, **kw):
    # An import batch is one event (its first new row is the target), not one per record.
    if source == BodyStatSource.MANUAL:
        summary = f"{_first_name(client)} logged {stat.metric.replace('_', ' ')}"
    else:
        label = BodyStatSource(source).label
        summary = f"{_first_name(client)} imported {_plural(count, 'measurement')} from {label}"
    event_record(client=client, kind=Kind.METRIC_LOGGED, summary=summary, obj=stat)


def on_message_sent(sender, message, **kw):
    message_event_record(message=message)


def on_message_changed(sender, message, kind: str, **kw):
    message_event_record(message=message, change=kind)


def on_notification_saved(sender, instance, created: bool, raw: bool = False, **kw):
    if created and not raw:
        notify_users([instance.user_id], f"n{instance.pk}")
