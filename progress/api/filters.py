from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

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


METRIC_SLUG = r"^[a-z][a-z0-9_]{0,39}$"


class MetricSlugField(forms.RegexField):
    def __init__(self, **kwargs):
        super().__init__(regex=METRIC_SLUG, max_length=40, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "pattern": METRIC_SLUG,
        "maxLength": 40,
        "description": "Only entries of this metric (slug).",
    }
)
class MetricSlugFilter(filters.CharFilter):
    field_class = MetricSlugField


class BodyStatFilter(EntryFilter):
    metric = MetricSlugFilter(field_name="metric", help_text="Only entries of this metric (slug).")

    class Meta:
        model = BodyStat
        fields = ["client", "date_from", "date_to", "metric"]
