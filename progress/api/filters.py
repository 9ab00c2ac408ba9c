from django import forms
from django_filters import rest_framework as filters

from progress.models import CheckIn, MealLog, WorkoutLog

# Bounded so that an absurd id is a 400, not a database overflow.
MAX_ID = 2**63 - 1


class IdFilter(filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class EntryFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id", help_text="Only this client's entries (trainers).")
    date_from = filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="Entries dated on or after this day."
    )
    date_to = filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="Entries dated on or before this day."
    )


class WorkoutLogFilter(EntryFilter):
    class Meta:
        model = WorkoutLog
        fields = ["client", "date_from", "date_to"]


class MealLogFilter(EntryFilter):
    class Meta:
        model = MealLog
        fields = ["client", "date_from", "date_to"]


class CheckInFilter(EntryFilter):
    reviewed = filters.BooleanFilter(
        field_name="reviewed_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: reviewed check-ins only; false: those awaiting review.",
    )

    class Meta:
        model = CheckIn
        fields = ["client", "date_from", "date_to", "reviewed"]
