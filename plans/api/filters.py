import django_filters
from django import forms

from fitbud.api.filters import IdFilter
from plans.models import PlanAssignment, PlanKind, PlanTemplate


class StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    # django-filter's default quietly ignores values like "maybe"; say so instead.
    field_class = StrictBooleanField


class TemplateFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices)
    archived = BooleanFilter(field_name="is_archived")

    class Meta:
        model = PlanTemplate
        fields = ["kind", "archived"]


class AssignmentFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices)
    status = django_filters.ChoiceFilter(choices=PlanAssignment.Status.choices)

    class Meta:
        model = PlanAssignment
        fields = ["client", "kind", "status"]
