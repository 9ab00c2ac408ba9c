from django_filters import rest_framework as filters

from fitbud.api.filters import BooleanFilter, IdFilter, StrictFilterSet
from progress.models import BodyStat, CheckIn, MealLog, PhotoPose, ProgressPhoto, WorkoutLog


class EntryFilter(StrictFilterSet):
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
    reviewed = BooleanFilter(
        field_name="reviewed_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: reviewed check-ins only; false: those awaiting review.",
    )

    class Meta:
        model = CheckIn
        fields = ["client", "date_from", "date_to", "reviewed"]


class PhotoFilter(EntryFilter):
    pose = filters.ChoiceFilter(choices=PhotoPose.choices, help_text="Only photos of this pose.")

    class Meta:
        model = ProgressPhoto
        fields = ["client", "date_from", "date_to", "pose"]


class BodyStatFilter(EntryFilter):
    metric = filters.CharFilter(
        field_name="metric", max_length=40, help_text="Only entries of this metric (slug)."
    )

    class Meta:
        model = BodyStat
        fields = ["client", "date_from", "date_to", "metric"]
