import django_filters
from django.db.models import OuterRef

from exercises.models import Equipment, Exercise, Muscle
from fitbud.api.filters import BooleanFilter, StrictFilterSet, slug_query
from fitbud.models import ProbeExists
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
            method="filter_primary_muscle",
            help_text="A muscle slug: exercises whose primary muscles include it.",
        )
    )
    equipment = slug_query(
        django_filters.ModelChoiceFilter(
            queryset=Equipment.objects.all(),
            to_field_name="slug",
            method="filter_equipment",
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

    # Each tag filter is an EXISTS probed per visible exercise (ProbeExists): the link
    # tables hold every studio's exercises, the caller sees a few hundred.
    def filter_muscle(self, queryset, name, value: Muscle):
        return queryset.filter(
            _tagged(Exercise.primary_muscles, muscle=value)
            | _tagged(Exercise.secondary_muscles, muscle=value)
        )

    def filter_primary_muscle(self, queryset, name, value: Muscle):
        return queryset.filter(_tagged(Exercise.primary_muscles, muscle=value))

    def filter_equipment(self, queryset, name, value: Equipment):
        return queryset.filter(_tagged(Exercise.equipment, equipment=value))


def _tagged(relation, **tag) -> ProbeExists:
    return ProbeExists(relation.through.objects.filter(exercise_id=OuterRef("pk"), **tag))
