"""Input and output shapes of workout logs, meal logs and check-ins.

Everything is metric (kg, cm, grams for macros, kcal): the app converts for users who
chose imperial units. Nested items are strict too, so a typo such as
`exercises[0].sets[1].rep` is a 400 naming that path instead of a silently lost value.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from fitbud.api.filters import MAX_ID
from fitbud.api.serializers import StrictSerializer
from plans.api.serializers import PlanPartField
from progress.models import CheckIn, MealLog, WorkoutLog

# How far back an entry may be logged (offline backfill), and how far ahead of the
# client's local today (a phone in a timezone ahead of the profile's, e.g. while travelling).
MAX_PAST_DAYS = 365
FUTURE_TOLERANCE_DAYS = 1

MAX_EXERCISES = 50
MAX_SETS = 50
MAX_MEAL_ITEMS = 50


class EntryDateField(serializers.DateField):
    default_error_messages = {
        "future": "This date is in the future.",
        "too_old": f"Entries can be logged up to {MAX_PAST_DAYS} days back.",
    }

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            today = user.local_today()
            if day > today + timedelta(days=FUTURE_TOLERANCE_DAYS):
                self.fail("future")
            if day < today - timedelta(days=MAX_PAST_DAYS):
                self.fail("too_old")
        return day


class EntryIdField(serializers.UUIDField):
    """The app's own UUID for the entry, as a string (DRF would also take an integer)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class PatchMixin:
    """PATCH: every top-level field is optional, but nested items must still be complete.

    DRF's `partial=True` would also skip required fields inside `exercises[...]` or
    `items[...]`, storing a set without `done`; so PATCH validates non-partially instead.
    """

    def get_fields(self):
        fields = super().get_fields()  # type: ignore[misc]
        for field in fields.values():
            field.required = False
        return fields


def _entry_id(noun: str) -> EntryIdField:
    return EntryIdField(
        required=False,
        help_text=f"Client-generated UUID; resending it returns the stored {noun} (200).",
    )


def _notes() -> serializers.CharField:
    return serializers.CharField(max_length=5000, required=False, allow_blank=True, allow_null=True)


# What the three entry inputs share: optional free-text notes, stored as "" for null. (A
# comment, not a docstring: the docstring would become each input's schema description.)
class EntryInputSerializer(StrictSerializer):
    def validate_notes(self, value: str | None) -> str:
        return value or ""


# Workout logs ------------------------------------------------------------------------------


class WorkoutSetSerializer(StrictSerializer):
    reps = serializers.IntegerField(min_value=0, max_value=1000)
    weight_kg = serializers.FloatField(min_value=0, max_value=1000, required=False, allow_null=True)
    duration_s = serializers.IntegerField(
        min_value=0, max_value=86400, required=False, allow_null=True
    )
    done = serializers.BooleanField()


class WorkoutExerciseSerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=200,
        required=False,
        help_text="Required unless `exercise` is given (then it defaults to the library name).",
    )
    exercise = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="A library exercise (global or your trainer's): its sets build "
        "`exercises/<id>/history/` and `me/records/`.",
    )
    sets = WorkoutSetSerializer(many=True, max_length=MAX_SETS)

    def validate(self, attrs):
        if attrs.get("exercise") is None:
            attrs.pop("exercise", None)
            if not attrs.get("name"):
                raise serializers.ValidationError(
                    {"name": ErrorDetail("Give a name or a library `exercise`.", code="required")}
                )
        return attrs


class WorkoutLogInputSerializer(EntryInputSerializer):
    id = _entry_id("log")
    date = EntryDateField(help_text="The client's local date of the workout.")
    assignment = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="The client's own workout assignment this log follows.",
    )
    day_index = serializers.IntegerField(
        min_value=0,
        max_value=1000,
        required=False,
        allow_null=True,
        help_text="The plan day followed; defaults to the plan's day for `date`.",
    )
    exercises = WorkoutExerciseSerializer(many=True, max_length=MAX_EXERCISES)
    duration_minutes = serializers.IntegerField(
        min_value=0, max_value=1440, required=False, allow_null=True
    )
    effort = serializers.IntegerField(
        min_value=1,
        max_value=10,
        required=False,
        allow_null=True,
        help_text="Perceived effort, 1 to 10.",
    )
    notes = _notes()


class WorkoutLogUpdateSerializer(PatchMixin, WorkoutLogInputSerializer):
    """PATCH/PUT: the id is the URL's and cannot change."""

    id = None


class WorkoutLogSerializer(serializers.ModelSerializer):
    exercises = WorkoutExerciseSerializer(many=True, read_only=True)
    target = PlanPartField(
        "WorkoutPlanDay",
        allow_null=True,
        help_text="The plan day (from the assignment's snapshot) this log followed.",
    )

    class Meta:
        model = WorkoutLog
        fields = [
            "id",
            "client",
            "date",
            "assignment",
            "day_index",
            "target",
            "exercises",
            "duration_minutes",
            "effort",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# Meal logs ---------------------------------------------------------------------------------


class MealItemSerializer(StrictSerializer):
    food = serializers.CharField(max_length=200)
    quantity = serializers.FloatField(min_value=0, max_value=100000)
    unit = serializers.CharField(max_length=20, help_text="Free text: g, ml, piece, cup...")
    calories = serializers.FloatField(min_value=0, max_value=10000, required=False, allow_null=True)
    protein_g = serializers.FloatField(min_value=0, max_value=1000, required=False, allow_null=True)
    carbs_g = serializers.FloatField(min_value=0, max_value=1000, required=False, allow_null=True)
    fat_g = serializers.FloatField(min_value=0, max_value=1000, required=False, allow_null=True)


class MealLogInputSerializer(EntryInputSerializer):
    id = _entry_id("log")
    date = EntryDateField(help_text="The client's local date of the meal.")
    meal = serializers.CharField(max_length=100, help_text="Breakfast, Lunch, Snack...")
    items = MealItemSerializer(many=True, min_length=1, max_length=MAX_MEAL_ITEMS)
    notes = _notes()


class MealLogUpdateSerializer(PatchMixin, MealLogInputSerializer):
    id = None


class MealLogSerializer(serializers.ModelSerializer):
    items = MealItemSerializer(many=True, read_only=True)
    calories = serializers.FloatField(read_only=True, help_text="Total kcal of the items.")
    protein_g = serializers.FloatField(read_only=True, help_text="Total protein (g).")
    carbs_g = serializers.FloatField(read_only=True, help_text="Total carbohydrates (g).")
    fat_g = serializers.FloatField(read_only=True, help_text="Total fat (g).")

    class Meta:
        model = MealLog
        fields = [
            "id",
            "client",
            "date",
            "meal",
            "items",
            "calories",
            "protein_g",
            "carbs_g",
            "fat_g",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# Check-ins ---------------------------------------------------------------------------------


def _cm(label: str) -> serializers.FloatField:
    return serializers.FloatField(
        min_value=1, max_value=500, required=False, allow_null=True, help_text=f"{label} (cm)."
    )


class MeasurementsSerializer(StrictSerializer):
    waist_cm = _cm("Waist")
    chest_cm = _cm("Chest")
    hips_cm = _cm("Hips")
    neck_cm = _cm("Neck")
    shoulders_cm = _cm("Shoulders")
    arm_cm = _cm("Upper arm")
    thigh_cm = _cm("Thigh")
    calf_cm = _cm("Calf")
    body_fat_pct = serializers.FloatField(
        min_value=1, max_value=75, required=False, allow_null=True, help_text="Body fat (%)."
    )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        # Nulls mean "not measured": store only what was measured.
        return {key: value for key, value in values.items() if value is not None}


def _rating(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=10, required=False, allow_null=True, help_text=f"{label}, 1 to 10."
    )


class RoundedDecimalField(serializers.DecimalField):
    """Rounds extra decimals (a scale's 81.237 kg) instead of refusing them."""

    def validate_precision(self, value: Decimal) -> Decimal:
        step = Decimal(1).scaleb(-self.decimal_places)
        try:
            value = value.quantize(step, rounding=ROUND_HALF_UP)
        except InvalidOperation:  # far too many digits to round
            self.fail("max_digits", max_digits=self.max_digits)
        return super().validate_precision(value)


class CheckInInputSerializer(EntryInputSerializer):
    id = _entry_id("check-in")
    date = EntryDateField(help_text="The client's local date; one check-in per ISO week.")
    weight_kg = RoundedDecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=20,
        max_value=500,
        required=False,
        allow_null=True,
        coerce_to_string=False,
        help_text="Body weight (kg), rounded to 10 g.",
    )
    measurements = MeasurementsSerializer(required=False, allow_null=True)
    sleep = _rating("Sleep quality")
    energy = _rating("Energy")
    stress = _rating("Stress")
    adherence = _rating("Adherence to the plan")
    notes = _notes()


class CheckInUpdateSerializer(PatchMixin, CheckInInputSerializer):
    id = None


class CheckInSerializer(serializers.ModelSerializer):
    measurements = MeasurementsSerializer(read_only=True)
    weight_kg = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, allow_null=True, coerce_to_string=False
    )
    week_start = serializers.DateField(
        read_only=True, help_text="Monday of the check-in's ISO week."
    )
    feedback = serializers.CharField(
        read_only=True, help_text="The trainer's review; empty until reviewed."
    )

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "client",
            "date",
            "week_start",
            "weight_kg",
            "measurements",
            "sleep",
            "energy",
            "stress",
            "adherence",
            "notes",
            "feedback",
            "reviewed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CheckInReviewSerializer(StrictSerializer):
    feedback = serializers.CharField(max_length=5000, trim_whitespace=True)
