from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import membership_of
from clients.models import AccessDomain, Client
from clients.selectors import client_scope
from plans.models import LibraryScope, PlanAssignment, PlanKind, PlanTemplate


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
    """The templates a member may see and assign: their own personal ones and the studio's
    library (who may edit which is template_editable)."""
    member = membership_of(trainer)
    if member is None:
        return PlanTemplate.objects.none()
    return PlanTemplate.objects.filter(studio_id=member.studio_id).filter(
        Q(trainer=trainer) | Q(scope=LibraryScope.STUDIO)
    )


def template_editable(*, trainer, template: PlanTemplate) -> bool:
    """A personal template is edited by its author; a studio library item by its author
    and by the studio's owners and admins."""
    if template.trainer_id == trainer.pk:
        return True
    member = membership_of(trainer)
    return (
        template.scope == LibraryScope.STUDIO
        and member is not None
        and member.studio_id == template.studio_id
        and member.manages_studio
    )


def _kind_domain(kind: str | None) -> str:
    return AccessDomain.NUTRITION if kind == PlanKind.DIET else AccessDomain.WORKOUTS


def assignment_list(*, user) -> QuerySet[PlanAssignment]:
    """Assignments the user may read: a client's own; for a member, workout plans of the
    clients they see in workouts and diet plans of those they see in nutrition."""
    if getattr(user, "is_client", False):
        return PlanAssignment.objects.filter(client_scope(user))
    if getattr(user, "is_trainer", False):
        return PlanAssignment.objects.filter(
            (Q(kind=PlanKind.WORKOUT) & client_scope(user, domain=AccessDomain.WORKOUTS))
            | (Q(kind=PlanKind.DIET) & client_scope(user, domain=AccessDomain.NUTRITION))
        )
    return PlanAssignment.objects.none()


def trainer_client(*, trainer, client_id: int, kind: str | None = None) -> Client | None:
    """A client the member may assign a plan of `kind` to."""
    scope = client_scope(trainer, domain=_kind_domain(kind), prefix="")
    return Client.objects.filter(scope, pk=client_id).first()


def trainer_template(*, trainer, template_id: int) -> PlanTemplate | None:
    return template_list(trainer=trainer).filter(pk=template_id).first()
