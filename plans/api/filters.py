import django_filters
from django import forms

from plans.models import PlanAssignment, PlanKind, PlanTemplate


class IdFilter(django_filters.NumberFilter):
    # Whole ids only: "1.5" or "abc" is a 400, not a silently rounded lookup.
    field_class = forms.IntegerField


class TemplateFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices)
    archived = django_filters.BooleanFilter(field_name="is_archived")

    class Meta:
        model = PlanTemplate
        fields = ["kind", "archived"]


class AssignmentFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id", min_value=1, max_value=2**63 - 1)
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices)
    status = django_filters.ChoiceFilter(choices=PlanAssignment.Status.choices)

    class Meta:
        model = PlanAssignment
        fields = ["client", "kind", "status"]
