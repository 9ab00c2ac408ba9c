from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from clients.models import Client
from plans.models import PlanAssignment, PlanTemplate


def assignments_covering(*, client_ids, on_date: date) -> QuerySet[PlanAssignment]:
    """Active assignments whose [start_date, end_date] contains `on_date`."""
    return PlanAssignment.objects.filter(
        client_id__in=client_ids,
        status=PlanAssignment.Status.ACTIVE,
        start_date__lte=on_date,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=on_date))


def assignment_day(assignment: PlanAssignment, on_date: date) -> tuple[int, dict[str, Any]] | None:
    """The (day_index, day) the assignment's snapshot gives for `on_date`.

    Days repeat as a cycle from the start date: index = (date - start_date) mod len(days).
    None outside the assignment's dates or for an empty plan.
    """
    if on_date < assignment.start_date:
        return None
    if assignment.end_date is not None and on_date > assignment.end_date:
        return None
    days = (assignment.snapshot or {}).get("days") or []
    if not days:
        return None
    index = (on_date - assignment.start_date).days % len(days)
    return index, days[index]


def template_list(*, trainer) -> QuerySet[PlanTemplate]:
    """The trainer's own templates (the only ones they may see, edit or assign)."""
    return PlanTemplate.objects.filter(trainer=trainer)


def assignment_list(*, user) -> QuerySet[PlanAssignment]:
    """Assignments the user may read: a trainer's clients' or a client's own."""
    if getattr(user, "is_trainer", False):
        return PlanAssignment.objects.filter(client__trainer=user)
    if getattr(user, "is_client", False):
        return PlanAssignment.objects.filter(client__user=user)
    return PlanAssignment.objects.none()


def trainer_client(*, trainer, client_id: int) -> Client | None:
    return Client.objects.filter(trainer=trainer, pk=client_id).first()


def trainer_template(*, trainer, template_id: int) -> PlanTemplate | None:
    return PlanTemplate.objects.filter(trainer=trainer, pk=template_id).first()
