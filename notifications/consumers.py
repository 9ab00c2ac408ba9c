"""Spine consumer `notifications`: events → in-app notifications (and their pushes).

Each handler runs in the transaction of its EventDelivery row, and notification_create is
unique per (event, user), so a redelivered event notifies (and pushes) once. An event
whose object is gone (a deleted message or check-in) notifies nobody.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.models import STUDIO_MANAGER_ROLES, StudioMember, User
from billing.currencies import format_amount
from billing.models import Payment
from coaching.models import AutomationRun, FormResponse
from coaching.models.automations import ActionType
from messaging.models import Message
from notifications.models import Notification
from notifications.services import notification_create
from plans.models import PlanAssignment
from progress.models import CheckIn

Kind = Notification.Kind
PREVIEW = 140


def _short(text: str, limit: int = PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _automation(event) -> None:
    run = (
        AutomationRun.objects.select_related("automation__trainer", "client__user")
        .filter(pk=event.object_id)
        .first()
    )
    if run is None or run.action.get("type") not in (
        ActionType.NOTIFY_CLIENT,
        ActionType.NOTIFY_TRAINER,
    ):
        return
    client = run.client
    if run.action["type"] == ActionType.NOTIFY_CLIENT:
        user = client.user
        data = {"automation_run": run.pk}
    else:
        user = run.automation.trainer
        data = {"automation_run": run.pk, "automation": run.automation_id, "client": client.pk}
    first_name = client.user.get_short_name()
    notification_create(
        user=user,
        kind=Kind.AUTOMATION,
        # "{first_name}" is the one placeholder (the client's first name), for catalogue texts.
        title=run.action.get("title", "").replace("{first_name}", first_name),
        body=run.action.get("body", "").replace("{first_name}", first_name),
        data=data,
        event_id=event.pk,
    )


def _message(event) -> None:
    message = (
        Message.objects.select_related("sender", "conversation__client__user")
        .filter(pk=event.object_id, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        return
    conversation = message.conversation
    client_user = conversation.client.user
    # The other participant: the client when the member wrote, the member otherwise.
    recipient_id = client_user.pk if message.sender_id == conversation.trainer_id else None
    recipient = client_user if recipient_id else User.objects.get(pk=conversation.trainer_id)
    if recipient.pk == message.sender_id or not recipient.is_active:
        return
    sender = message.sender
    notification_create(
        user=recipient,
        kind=Kind.MESSAGE,
        title=sender.full_name or sender.email,
        body=_short(message.body) if message.body else "Sent a photo",
        data={"conversation": conversation.pk, "message": str(message.pk)},
        event_id=event.pk,
    )


def _plan_assigned(event) -> None:
    assignment = (
        PlanAssignment.objects.select_related("client__user").filter(pk=event.object_id).first()
    )
    if assignment is None:
        return
    notification_create(
        user=assignment.client.user,
        kind=Kind.PLAN_ASSIGNED,
        title=f"New {assignment.get_kind_display().lower()} plan",
        body=f"“{assignment.name}” starts {assignment.start_date:%b} {assignment.start_date.day}",
        data={"assignment": assignment.pk},
        event_id=event.pk,
    )


def _form_reviewed(event) -> None:
    response = (
        FormResponse.objects.select_related("client__user", "form_version")
        .filter(pk=event.object_id)
        .first()
    )
    if response is None:
        return
    notification_create(
        user=response.client.user,
        kind=Kind.FORM_REVIEWED,
        title=f"Your coach reviewed “{_short(response.form_version.name, 120)}”",
        body=_short(response.feedback or ""),
        data={"form_response": str(response.pk)},
        event_id=event.pk,
    )


def _checkin_reviewed(event) -> None:
    check_in = CheckIn.objects.select_related("client__user").filter(pk=event.object_id).first()
    if check_in is None:
        return
    notification_create(
        user=check_in.client.user,
        kind=Kind.CHECKIN_REVIEWED,
        title="Your coach reviewed your check-in",
        body=_short(check_in.feedback or ""),
        data={"check_in": str(check_in.pk)},
        event_id=event.pk,
    )


def _payment_failed(event) -> None:
    """To whoever billing_scope shows the payment: the client's primary coach and the
    studio's owners and admins (once each)."""
    payment = Payment.objects.select_related("client__user").filter(pk=event.object_id).first()
    if payment is None:
        return
    client = payment.client
    recipients = {client.trainer_id} | set(
        StudioMember.objects.filter(
            studio_id=client.studio_id, role__in=STUDIO_MANAGER_ROLES
        ).values_list("user_id", flat=True)
    )
    name = client.user.full_name or client.user.email
    for user in User.objects.filter(pk__in=recipients, is_active=True):
        notification_create(
            user=user,
            kind=Kind.PAYMENT_FAILED,
            title=f"Payment failed: {name}",
            body=f"{format_amount(payment.amount, payment.currency)} could not be charged",
            data={"payment": payment.pk, "client": client.pk},
            event_id=event.pk,
        )


HANDLERS: dict[str, Callable] = {
    "automation.fired": _automation,
    "message.sent": _message,
    "plan.assigned": _plan_assigned,
    "form.reviewed": _form_reviewed,
    "checkin.reviewed": _checkin_reviewed,
    "payment.failed": _payment_failed,
}


def notifications_on_event(event) -> None:
    handler = HANDLERS.get(event.kind)
    if handler is not None:
        handler(event)
