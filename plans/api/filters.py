import django_filters

from fitbud.api.filters import BooleanFilter, IdFilter, StrictFilterSet
from plans.models import PlanAssignment, PlanKind, PlanTemplate


class TemplateFilter(StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices)
    archived = BooleanFilter(field_name="is_archived")

    class Meta:
        model = PlanTemplate
        fields = ["kind", "archived"]


class AssignmentFilter(StrictFilterSet):
    client = IdFilter(field_name="client_id")
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices)
    status = django_filters.ChoiceFilter(choices=PlanAssignment.Status.choices)

    class Meta:
        model = PlanAssignment
        fields = ["client", "kind", "status"]
