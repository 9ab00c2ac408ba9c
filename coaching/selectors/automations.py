"""Reads for automations: who sees which rule, whom a rule acts on, and the facts the
schedule triggers compare with the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, Max, OuterRef, QuerySet

from accounts.models import membership_of
from clients.models import Client
from clients.selectors import client_scope
from coaching.models import Automation, AutomationRun, FormAssignment, FormKind, FormResponse
from progress.models import CheckIn


def automation_list(*, user) -> QuerySet[Automation]:
    """The one visibility rule of automations: a member reads and edits their own; the
    studio's owners and admins every automation of the studio."""
    member = membership_of(user)
    if member is None:
        return Automation.objects.none()
    rules = Automation.objects.filter(studio_id=member.studio_id)
    if not member.manages_studio:
        rules = rules.filter(trainer=user)
    return rules.select_related("trainer").prefetch_related("clients")


def automation_get(*, user, automation_id: int) -> Automation | None:
    return automation_list(user=user).filter(pk=automation_id).first()


def automation_run_list(*, automation: Automation) -> QuerySet[AutomationRun]:
    return automation.runs.select_related("client__user").order_by("-fired_at", "-id")


def automation_audience(*, automation: Automation, client_ids: Iterable[int] | None = None):
    """The active clients a rule acts on now: those its author sees (client_scope, so a
    lost grant or a departed author stops it at once), narrowed to its list if it has one."""
    author = automation.trainer
    clients = Client.objects.filter(client_scope(author, prefix=""), is_active=True)
    listed = [client.pk for client in automation.clients.all()]
    if listed:
        clients = clients.filter(pk__in=listed)
    if client_ids is not None:
        clients = clients.filter(pk__in=list(client_ids))
    return clients.select_related("user").order_by("pk")


def clients_last_workout(*, client_ids: list[int]) -> dict[int, dt.date]:
    """Each client's latest workout date (the log's own local date)."""
    rows = (
        Client.objects.filter(pk__in=client_ids)
        .annotate(last=Max("workout_logs__date"))
        .values_list("pk", "last")
    )
    return {pk: last for pk, last in rows if last is not None}


def checkins_submitted(*, client_ids: list[int], week_starts: set[dt.date]) -> set[tuple]:
    """(client id, week start) of the weekly check-ins submitted for those weeks, in one
    query. The weekly check-in is the assigned form when there is one: a client with a
    live weekly form assignment has submitted a week when a weekly form response for it is
    in; a client without one when a progress check-in (or a response to an earlier weekly
    form) is in."""
    if not client_ids or not week_starts:
        return set()
    live_form = FormAssignment.objects.filter(
        client=OuterRef("client_id"), kind=FormKind.WEEKLY, status=FormAssignment.Status.ACTIVE
    )
    checkins = (
        CheckIn.objects.filter(client_id__in=client_ids, week_start__in=week_starts)
        .exclude(Exists(live_form))
        .order_by()
        .values_list("client_id", "week_start")
    )
    responses = (
        FormResponse.objects.filter(client_id__in=client_ids, week_start__in=week_starts)
        .order_by()
        .values_list("client_id", "week_start")
    )
    return set(checkins.union(responses))


def automation_audience_scope(*, author) -> QuerySet[Client]:
    """Clients a rule of `author` may name in its list."""
    return Client.objects.filter(client_scope(author, prefix=""))


def automation_fired_keys(*, automation: Automation, keys: set[tuple[int, str]]) -> set[tuple]:
    if not keys:
        return set()
    return set(
        automation.runs.filter(
            client_id__in={client for client, _ in keys},
            period_key__in={key for _, key in keys},
        ).values_list("client_id", "period_key")
    )
