"""Automations: writing rules, evaluating their triggers, and firing them exactly once.

Firing = inserting the AutomationRun row (unique per rule, client and period key) and, only
in the transaction that inserted it, running the action and writing the `automation.fired`
spine event (coaching.signals.automation_fired → dashboard). Notifications are made from
that event by the notifications app's spine consumer; assign_template runs here.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework.exceptions import APIException

from accounts.models import User
from clients.models import Client
from coaching.catalogue import CATALOGUE
from coaching.models import Automation, AutomationRun
from coaching.models.automations import SCHEDULE_TRIGGERS, ActionType, TriggerType
from coaching.selectors import automations as selectors
from coaching.signals import automation_fired
from plans import selectors as plan_selectors
from plans.services import plan_assign

logger = logging.getLogger(__name__)

# Spine event codes a rule may react to. automation.fired is not one (a rule must not
# trigger rules); coaching tests check these are ActivityEvent kinds.
TRIGGER_EVENTS = (
    "invite.accepted",
    "workout.logged",
    "meal.logged",
    "checkin.submitted",
    "plan.assigned",
    "payment.received",
    "payment.failed",
)


def _error(attr: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({attr: ValidationError(message, code=code)})


# Writing rules ---------------------------------------------------------------------------


def _check_rule(
    *, author: User, trigger: dict[str, Any], action: dict[str, Any], clients: list[int]
) -> list[Client]:
    """The rules of a rule that depend on stored state (shapes are the serializers')."""
    if action["type"] == ActionType.ASSIGN_TEMPLATE:
        if trigger["type"] == TriggerType.EVENT and trigger["event"] == "plan.assigned":
            # It would fire on the assignment it makes, forever.
            raise _error(
                "action.type",
                "A rule triggered by plan.assigned cannot assign a template.",
                "automation_loop",
            )
        template = plan_selectors.trainer_template(trainer=author, template_id=action["template"])
        if template is None or template.is_archived:
            raise _error("action.template", "Template not found.", "not_found")
    if not clients:
        return []
    found = list(selectors.automation_audience_scope(author=author).filter(pk__in=clients))
    missing = set(clients) - {client.pk for client in found}
    if missing:
        raise _error("clients", f"Client {min(missing)} not found.", "not_found")
    return found


@transaction.atomic
def automation_create(
    *,
    trainer: User,
    name: str,
    trigger: dict[str, Any],
    action: dict[str, Any],
    is_active: bool = True,
    clients: list[int] | None = None,
) -> Automation:
    found = _check_rule(author=trainer, trigger=trigger, action=action, clients=clients or [])
    automation = Automation.objects.create(
        trainer=trainer, name=name, trigger=trigger, action=action, is_active=is_active
    )
    if found:
        automation.clients.set(found)
    return automation


@transaction.atomic
def automation_update(*, automation: Automation, data: dict[str, Any]) -> Automation:
    automation = Automation.objects.select_for_update().get(pk=automation.pk)
    trigger = data.get("trigger", automation.trigger)
    action = data.get("action", automation.action)
    clients = data.get("clients")
    # Checked against the author's view (a manager edits another member's rule within
    # what that member sees).
    author = automation.trainer
    found = _check_rule(author=author, trigger=trigger, action=action, clients=clients or [])
    for field in ("name", "is_active", "trigger", "action"):
        if field in data:
            setattr(automation, field, data[field])
    automation.save()
    if clients is not None:
        automation.clients.set(found)
    return automation


@transaction.atomic
def automation_delete(*, automation: Automation) -> None:
    automation.delete()


# Evaluating triggers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    client: Client
    period_key: str
    reason: str


def _tz(client: Client) -> ZoneInfo:
    return client.user.tzinfo


def _subscription_source():
    # billing sits to the right of coaching in the dependency chain: its rule is reached
    # through a setting, as spine consumers are.
    return import_string(settings.AUTOMATION_SUBSCRIPTION_SOURCE)


def _due_no_workout(trigger, clients: list[Client], now: dt.datetime) -> list[Due]:
    days = trigger["days"]
    last = selectors.clients_last_workout(client_ids=[c.pk for c in clients])
    due = []
    for client in clients:
        today = now.astimezone(_tz(client)).date()
        joined = client.joined_at.astimezone(_tz(client)).date()
        since = max(d for d in (last.get(client.pk), joined) if d is not None)
        # N whole local days without a workout: last one on Monday, N=3 → due on Friday.
        idle = (today - since).days - 1
        if idle >= days:
            what = "their last workout" if client.pk in last else "joining"
            due.append(
                Due(
                    client,
                    f"no_workout:{since}",
                    f"No workout for {idle} days since {what} on {since}",
                )
            )
    return due


def _due_checkin_missing(trigger, clients: list[Client], now: dt.datetime) -> list[Due]:
    hour, minute = (int(part) for part in trigger["time"].split(":"))
    candidates = []
    for client in clients:
        tz = _tz(client)
        local_now = now.astimezone(tz)
        week_start = local_now.date() - dt.timedelta(days=local_now.weekday())
        day = week_start + dt.timedelta(days=trigger["weekday"])
        deadline = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
        # A client who joined after this week's deadline owes nothing yet.
        if local_now >= deadline and client.joined_at < deadline:
            candidates.append((client, week_start, deadline))
    submitted = selectors.checkins_submitted(
        client_ids=[c.pk for c, _, _ in candidates], week_starts={w for _, w, _ in candidates}
    )
    return [
        Due(
            client,
            f"checkin:{week_start}",
            f"No check-in for the week of {week_start} by {deadline:%a %H:%M} local time",
        )
        for client, week_start, deadline in candidates
        if (client.pk, week_start) not in submitted
    ]


def _due_subscription_ending(trigger, clients: list[Client], now: dt.datetime) -> list[Due]:
    ending = _subscription_source()(client_ids=[c.pk for c in clients], now=now)
    due = []
    for client in clients:
        if client.pk not in ending:
            continue
        subscription_id, ends_at = ending[client.pk]
        today = now.astimezone(_tz(client)).date()
        end_day = ends_at.astimezone(_tz(client)).date()
        left = (end_day - today).days
        if 0 <= left <= trigger["days"]:
            due.append(
                Due(
                    client,
                    f"subscription:{subscription_id}:{end_day}",
                    f"Subscription ends on {end_day} ({left} days left)",
                )
            )
    return due


EVALUATORS = {
    TriggerType.NO_WORKOUT: _due_no_workout,
    TriggerType.CHECKIN_MISSING: _due_checkin_missing,
    TriggerType.SUBSCRIPTION_ENDING: _due_subscription_ending,
}


def automation_due(
    *, automation: Automation, now: dt.datetime, include_fired: bool = False
) -> list[tuple[Due, bool]]:
    """The clients a schedule rule is due for at `now` (each in their own local time), with
    whether it already fired for that period. Reading the fired keys first only spares the
    sweep inserts that would fail; the unique constraint is what guarantees once."""
    evaluate = EVALUATORS.get(automation.trigger_type)
    if evaluate is None:
        return []
    clients = list(selectors.automation_audience(automation=automation))
    due = evaluate(automation.trigger, clients, now)
    fired = selectors.automation_fired_keys(
        automation=automation, keys={(d.client.pk, d.period_key) for d in due}
    )
    rows = [(d, (d.client.pk, d.period_key) in fired) for d in due]
    return rows if include_fired else [row for row in rows if not row[1]]


# Firing ----------------------------------------------------------------------------------


def _assign_template(run: AutomationRun, automation: Automation) -> str:
    author = automation.trainer
    template = plan_selectors.trainer_template(
        trainer=author, template_id=run.action.get("template")
    )
    if template is None:
        return "The template no longer exists or is no longer visible to the rule's author."
    client = plan_selectors.trainer_client(
        trainer=author, client_id=run.client_id, kind=template.kind
    )
    if client is None:
        return "The rule's author may no longer assign plans to this client."
    try:
        with transaction.atomic():
            plan_assign(
                template=template,
                client=client,
                start_date=timezone.now().astimezone(client.user.tzinfo).date(),
                assigned_by=author,
            )
    except (ValidationError, APIException) as exc:
        messages = getattr(exc, "messages", None) or [str(getattr(exc, "detail", exc))]
        return f"Not assigned: {' '.join(str(m) for m in messages)}"
    return ""


def automation_fire(
    *, automation: Automation, client: Client, period_key: str, reason: str
) -> AutomationRun | None:
    """Record the firing and act, once: None when this (rule, client, period) fired
    already — here or in a concurrent sweep — in which case nothing else happens."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = AutomationRun.objects.create(
                    automation=automation,
                    client=client,
                    period_key=period_key,
                    reason=reason[:255],
                    action=automation.action,
                )
        except IntegrityError:
            return None
        if automation.action.get("type") == ActionType.ASSIGN_TEMPLATE:
            failure = _assign_template(run, automation)
            if failure:
                run.status = AutomationRun.Status.FAILED
                run.detail = failure[:255]
                run.save(update_fields=["status", "detail"])
        automation_fired.send(sender=AutomationRun, run=run, automation=automation)
    return run


def automations_sweep(*, now: dt.datetime | None = None) -> int:
    """Beat (every AUTOMATION_SWEEP_SECONDS): fire every active schedule rule for the
    clients it is due for. Each firing commits on its own. Returns how many fired."""
    now = now or timezone.now()
    started, fired = time.monotonic(), 0
    rules = (
        Automation.objects.filter(is_active=True, trigger_type__in=SCHEDULE_TRIGGERS)
        .select_related("trainer__membership")
        .prefetch_related("clients")
        .order_by("pk")
    )
    for automation in rules:
        for due, _ in automation_due(automation=automation, now=now):
            if automation_fire(
                automation=automation,
                client=due.client,
                period_key=due.period_key,
                reason=due.reason,
            ):
                fired += 1
    logger.info("Automation sweep fired %s in %.2f s", fired, time.monotonic() - started)
    return fired


def automations_on_event(event) -> None:
    """Spine consumer `automations`: fire the studio's event rules for this event's client.
    Runs in the transaction of its EventDelivery row, so a relayed-twice event fires once
    (and the run's unique key, `event:<id>`, holds it too)."""
    if event.kind not in TRIGGER_EVENTS:
        return
    rules = (
        Automation.objects.filter(
            studio_id=event.studio_id,
            is_active=True,
            trigger_type=TriggerType.EVENT,
            trigger__event=event.kind,
        )
        .select_related("trainer__membership")
        .prefetch_related("clients")
        .order_by("pk")
    )
    for automation in rules:
        client = selectors.automation_audience(
            automation=automation, client_ids=[event.client_id]
        ).first()
        if client is not None:
            automation_fire(
                automation=automation,
                client=client,
                period_key=f"event:{event.pk}",
                reason=f"{event.kind}: {event.summary}",
            )


def automation_dry_run(*, automation: Automation, now: dt.datetime | None = None) -> dict:
    """Who a rule would fire for now and why, without firing."""
    now = now or timezone.now()
    if automation.trigger_type == TriggerType.EVENT:
        audience = selectors.automation_audience(automation=automation).count()
        return {
            "evaluated_at": now,
            "trigger_type": automation.trigger_type,
            "audience": audience,
            "note": (
                f"Fires when {automation.trigger['event']} happens for one of these "
                f"{audience} clients; nothing is due on the clock."
            ),
            "matches": [],
        }
    rows = automation_due(automation=automation, now=now, include_fired=True)
    return {
        "evaluated_at": now,
        "trigger_type": automation.trigger_type,
        "audience": selectors.automation_audience(automation=automation).count(),
        "note": "" if automation.is_active else "The rule is paused: the sweep skips it.",
        "matches": [
            {
                "client": due.client.pk,
                "client_name": due.client.user.full_name,
                "period_key": due.period_key,
                "reason": due.reason,
                "already_fired": already,
            }
            for due, already in rows
        ],
    }


def automation_install(*, trainer: User, key: str, is_active: bool = True) -> Automation:
    """Create the catalogue rule `key` for `trainer` (one click)."""
    entry = CATALOGUE[key]
    return automation_create(
        trainer=trainer,
        name=entry["name"],
        trigger=dict(entry["trigger"]),
        action=dict(entry["action"]),
        is_active=is_active,
    )
