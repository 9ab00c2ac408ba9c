import django_filters
from django.db.models import Exists, OuterRef

from exercises.models import Equipment, Exercise, Muscle
from fitbud.api.filters import BooleanFilter, StrictFilterSet, slug_query
from plans.models import LibraryScope


class ExerciseFilter(StrictFilterSet):
    muscle = slug_query(
        django_filters.ModelChoiceFilter(
            queryset=Muscle.objects.all(),
            to_field_name="slug",
            method="filter_muscle",
            help_text="A muscle slug: exercises training it as a primary or secondary muscle.",
        )
    )
    primary_muscle = slug_query(
        django_filters.ModelChoiceFilter(
            queryset=Muscle.objects.all(),
            to_field_name="slug",
            field_name="primary_muscles",
            help_text="A muscle slug: exercises whose primary muscles include it.",
        )
    )
    equipment = slug_query(
        django_filters.ModelChoiceFilter(
            queryset=Equipment.objects.all(),
            to_field_name="slug",
            field_name="equipment",
            help_text="An equipment slug.",
        )
    )
    category = django_filters.ChoiceFilter(choices=Exercise.Category.choices)
    level = django_filters.ChoiceFilter(choices=Exercise.Level.choices)
    mine = BooleanFilter(
        field_name="owner",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: the studio's and personal exercises only (not the global library); "
        "false: the global library only.",
    )
    scope = django_filters.ChoiceFilter(
        choices=LibraryScope.choices,
        method="filter_scope",
        help_text="`studio`: the studio library only; `personal`: personal exercises only.",
    )

    class Meta:
        model = Exercise
        fields = ["muscle", "primary_muscle", "equipment", "category", "level", "mine", "scope"]

    def filter_scope(self, queryset, name, value: str):
        return queryset.filter(owner__isnull=False, scope=value)

    def filter_muscle(self, queryset, name, value: str):
        # Two EXISTS rather than a join over both M2M tables: no duplicate rows, no DISTINCT.
        primary = Exercise.primary_muscles.through.objects.filter(
            exercise_id=OuterRef("pk"), muscle=value
        )
        secondary = Exercise.secondary_muscles.through.objects.filter(
            exercise_id=OuterRef("pk"), muscle=value
        )
        return queryset.filter(Exists(primary) | Exists(secondary))
