from django.core.validators import URLValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exercises.models import Equipment, Exercise, Muscle
from exercises.selectors import TAGS, TAGS_ATTR
from fitbud.api.serializers import StrictSerializer, datetime_json
from plans.models import LibraryScope

MAX_ALIASES = 20
MAX_MUSCLES = 10
MAX_EQUIPMENT = 10


class MuscleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Muscle
        fields = ["slug", "name", "region"]
        read_only_fields = fields


class EquipmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Equipment
        fields = ["slug", "name"]
        read_only_fields = fields


class _Slugs(serializers.SlugRelatedField):
    """A muscle or equipment slug; unknown slugs are a 400 naming the field."""

    def __init__(self, model, **kwargs):
        super().__init__(slug_field="slug", queryset=model.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 50 or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


def _slug_list(model, max_length: int, help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=_Slugs(model),
        max_length=max_length,
        required=False,
        help_text=help_text,
    )


def _url(help_text: str) -> serializers.URLField:
    return serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=help_text,
    )


class ExerciseSerializer(serializers.ModelSerializer):
    primary_muscles = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    secondary_muscles = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    equipment = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_global = serializers.SerializerMethodField(
        help_text="True for the global library (read-only; copy it to edit)."
    )
    # Made from the name: letters (any script), digits and hyphens.
    slug = serializers.CharField(read_only=True, help_text="Made from the name.")
    # Optional facts: empty when not given (the schema must say so).
    mechanics = serializers.ChoiceField(
        choices=Exercise.Mechanics.choices, allow_blank=True, read_only=True
    )
    force = serializers.ChoiceField(
        choices=Exercise.Force.choices, allow_blank=True, read_only=True
    )
    video_url = serializers.CharField(read_only=True, help_text="A demo video URL, or empty.")
    image_url = serializers.CharField(read_only=True, help_text="An image URL, or empty.")
    scope = serializers.SerializerMethodField()

    class Meta:
        model = Exercise
        fields = [
            "id",
            "name",
            "slug",
            "category",
            "primary_muscles",
            "secondary_muscles",
            "equipment",
            "mechanics",
            "force",
            "level",
            "instructions",
            "video_url",
            "image_url",
            "aliases",
            "is_global",
            "scope",
            "copied_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_global(self, exercise: Exercise) -> bool:
        return exercise.owner_id is None

    def to_representation(self, exercise: Exercise) -> dict:
        if type(self) is not ExerciseSerializer:
            return super().to_representation(exercise)  # a subclass declares other fields
        # The exercise pickers' list: exactly the declared fields above, built in one go
        # (fitbud/tests/test_serializers_fast.py compares it with DRF's field-by-field
        # output). Slugs come from exercise_tags_attach when the list loaded them, else
        # from the prefetched relations.
        tags = getattr(exercise, TAGS_ATTR, None)
        if tags is None:
            tags = {
                name: [tag.slug for tag in getattr(exercise, name).all()] for name, _, _ in TAGS
            }
        zone = timezone.get_current_timezone()
        return {
            "id": exercise.pk,
            "name": exercise.name,
            "slug": exercise.slug,
            "category": exercise.category,
            "primary_muscles": tags["primary_muscles"],
            "secondary_muscles": tags["secondary_muscles"],
            "equipment": tags["equipment"],
            "mechanics": exercise.mechanics,
            "force": exercise.force,
            "level": exercise.level,
            "instructions": exercise.instructions,
            "video_url": exercise.video_url,
            "image_url": exercise.image_url,
            "aliases": [None if alias is None else str(alias) for alias in exercise.aliases],
            "is_global": exercise.owner_id is None,
            "scope": None if exercise.owner_id is None else exercise.scope,
            "copied_from": exercise.copied_from_id,
            "created_at": datetime_json(exercise.created_at, zone),
            "updated_at": datetime_json(exercise.updated_at, zone),
        }

    @extend_schema_field(
        serializers.ChoiceField(
            choices=LibraryScope.choices,
            allow_null=True,
            help_text="`personal` or `studio` (the studio library); null for the global library.",
        )
    )
    def get_scope(self, exercise: Exercise) -> str | None:
        return None if exercise.owner_id is None else exercise.scope


SCOPE_HELP = (
    "`personal` (default): yours and your clients'. `studio`: in the studio library every "
    "member and client of the studio sees; edited by its author and the studio's owners and "
    "admins."
)


def _scope_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=LibraryScope.choices,
        required=False,
        default=LibraryScope.PERSONAL,
        help_text=SCOPE_HELP,
    )


class ExerciseInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    category = serializers.ChoiceField(choices=Exercise.Category.choices)
    primary_muscles = _slug_list(Muscle, MAX_MUSCLES, "Slugs from `exercises/muscles/`.")
    secondary_muscles = _slug_list(Muscle, MAX_MUSCLES, "Slugs from `exercises/muscles/`.")
    equipment = _slug_list(Equipment, MAX_EQUIPMENT, "Slugs from `exercises/equipment/`.")
    mechanics = serializers.ChoiceField(
        choices=Exercise.Mechanics.choices, required=False, allow_blank=True
    )
    force = serializers.ChoiceField(
        choices=Exercise.Force.choices, required=False, allow_blank=True
    )
    level = serializers.ChoiceField(choices=Exercise.Level.choices, required=False)
    instructions = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text="Short cues."
    )
    video_url = _url("A demo video (http or https).")
    image_url = _url("An image (http or https).")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=120),
        max_length=MAX_ALIASES,
        required=False,
        help_text="Other names the search should find it by.",
    )
    scope = _scope_field()


class ExerciseUpdateSerializer(ExerciseInputSerializer):
    """PATCH: every field optional."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        fields["scope"] = serializers.ChoiceField(
            choices=LibraryScope.choices, required=False, help_text=SCOPE_HELP
        )
        return fields


class ExerciseCopySerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=120,
        required=False,
        help_text='Name of the copy; default: the same name (your own: "<name> (copy)").',
    )
    scope = _scope_field()
