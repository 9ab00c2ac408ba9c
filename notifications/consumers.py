"""Spine consumer `notifications`: the in-app notifications automations send."""

from __future__ import annotations

from coaching.models import AutomationRun
from coaching.models.automations import ActionType
from notifications.models import Notification
from notifications.services import notification_create

AUTOMATION_FIRED = "automation.fired"


def notifications_on_event(event) -> None:
    """An `automation.fired` event whose action notifies makes one Notification for the
    client or the rule's author. Runs in the transaction of its EventDelivery row, and
    notification_create is unique per (event, user), so a redelivery never notifies twice."""
    if event.kind != AUTOMATION_FIRED:
        return
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
        kind=Notification.Kind.AUTOMATION,
        # "{first_name}" is the one placeholder (the client's first name), for catalogue texts.
        title=run.action.get("title", "").replace("{first_name}", first_name),
        body=run.action.get("body", "").replace("{first_name}", first_name),
        data=data,
        event_id=event.pk,
    )
