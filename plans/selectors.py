from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from plans.models import PlanAssignment


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
