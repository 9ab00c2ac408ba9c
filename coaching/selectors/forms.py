"""Reads of check-in forms (trainer-owned: the studio library rule of plan templates) and
of their assignments and responses (client-owned: client_scope, domain checkins)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, Q, QuerySet

from accounts.models import membership_of
from clients.models import AccessDomain, Client
from clients.selectors import client_scope
from coaching.models import CheckInForm, FormAssignment, FormKind, FormResponse
from plans.models import LibraryScope


def form_list(*, trainer) -> QuerySet[CheckInForm]:
    """A member's own personal forms and the studio library (as plans.template_list)."""
    member = membership_of(trainer)
    if member is None:
        return CheckInForm.objects.none()
    return CheckInForm.objects.filter(studio_id=member.studio_id).filter(
        Q(trainer=trainer) | Q(scope=LibraryScope.STUDIO)
    )


def form_editable(*, trainer, form: CheckInForm) -> bool:
    """Its author edits a form; the studio's owners and admins edit studio library forms."""
    if form.trainer_id == trainer.pk:
        return True
    member = membership_of(trainer)
    return (
        form.scope == LibraryScope.STUDIO
        and member is not None
        and member.studio_id == form.studio_id
        and member.manages_studio
    )


def form_client(*, trainer, client_id: int) -> Client | None:
    """A client the member may send forms to: one they see in check-ins."""
    scope = client_scope(trainer, domain=AccessDomain.CHECKINS, prefix="")
    return Client.objects.filter(scope, pk=client_id).first()


def form_assignment_list(*, user) -> QuerySet[FormAssignment]:
    return (
        FormAssignment.objects.filter(client_scope(user, domain=AccessDomain.CHECKINS))
        .select_related("form_version")
        .order_by("-created_at", "-id")
    )


def form_response_list(*, user) -> QuerySet[FormResponse]:
    return (
        FormResponse.objects.filter(client_scope(user, domain=AccessDomain.CHECKINS))
        .select_related("form_version")
        .order_by("-created_at", "-id")
    )


def client_weekly_form(*, client: Client) -> FormAssignment | None:
    """The client's live weekly check-in form, if the trainer assigned one."""
    return (
        FormAssignment.objects.filter(
            client=client, kind="weekly", status=FormAssignment.Status.ACTIVE
        )
        .select_related("form_version")
        .first()
    )


def client_weekly_form_due(*, client: Client, on_date: date) -> dict[str, Any] | None:
    """The weekly check-in the client owes for the ISO week of `on_date` when they have a
    live weekly form (one query): which assignment and version to answer, the week's
    Monday and whether that week's response is in. None without a live weekly form (the
    week's check-in is then a progress check-in, `check-ins/`)."""
    week_start = on_date - timedelta(days=on_date.weekday())
    assignment = (
        FormAssignment.objects.filter(
            client=client, kind=FormKind.WEEKLY, status=FormAssignment.Status.ACTIVE
        )
        .select_related("form_version")
        .annotate(
            week_submitted=Exists(FormResponse.objects.filter(client=client, week_start=week_start))
        )
        .first()
    )
    if assignment is None:
        return None
    return {
        "form_assignment": assignment.pk,
        "form": assignment.form_id,
        "form_version": assignment.form_version_id,
        "name": assignment.form_version.name,
        "version": assignment.form_version.version,
        "due_week_start": week_start,
        "submitted": assignment.week_submitted,
    }
