"""Input and output shapes of workout logs, meal logs and check-ins.

Everything is metric (kg, cm, grams for macros, kcal): the app converts for users who
chose imperial units. Nested items are strict too, so a typo such as
`exercises[0].sets[1].rep` is a 400 naming that path instead of a silently lost value.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from fitbud.api.filters import MAX_ID
from fitbud.api.serializers import StrictSerializer, datetime_json
from plans.api.serializers import PlanPartField
from progress import photo_files, units
from progress.models import (
    BodyStat,
    BodyStatSource,
    CheckIn,
    MealLog,
    MetricKind,
    MetricType,
    PhotoPose,
    ProgressPhoto,
    WorkoutLog,
)

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


_BOOLEAN = serializers.BooleanField()


def _set_json(item: dict) -> dict:
    """WorkoutSetSerializer's representation of a stored set (DRF's rules: a missing
    optional nullable key is null, a missing required one is an error)."""
    weight, duration, done = item.get("weight_kg"), item.get("duration_s"), item["done"]
    if not (done is None or done is True or done is False):  # stored as validated: a bool
        done = _BOOLEAN.to_representation(done)
    return {
        "reps": None if item["reps"] is None else int(item["reps"]),
        "weight_kg": None if weight is None else float(weight),
        "duration_s": None if duration is None else int(duration),
        "done": done,
    }


def _exercise_json(item: dict) -> dict:
    """WorkoutExerciseSerializer's representation of a stored exercise (`name` is left out
    when the stored item has none, as DRF skips a missing optional non-nullable key)."""
    out = {}
    if "name" in item:
        out["name"] = None if item["name"] is None else str(item["name"])
    exercise = item.get("exercise")
    out["exercise"] = None if exercise is None else int(exercise)
    sets = item["sets"]
    out["sets"] = None if sets is None else [_set_json(each) for each in sets]
    return out


class WorkoutLogSerializer(serializers.ModelSerializer):
    exercises = WorkoutExerciseSerializer(many=True, read_only=True)
    target = PlanPartField(
        "WorkoutPlanDay",
        allow_null=True,
        help_text="The plan day (from the assignment's snapshot) this log followed.",
    )

    def to_representation(self, log: WorkoutLog) -> dict:
        if type(self) is not WorkoutLogSerializer:
            return super().to_representation(log)  # a subclass declares other fields
        # Logs are listed 20 at a time and returned by every write: the declared fields
        # (Meta, which the schema reads) built in one go, without DRF building the model's
        # fields on each request and representing every set field by field
        # (fitbud/tests/test_serializers_fast.py compares the two on varied logs).
        exercises, zone = log.exercises, timezone.get_current_timezone()
        return {
            "id": str(log.pk),
            "client": log.client_id,
            "date": log.date if isinstance(log.date, str) else log.date.isoformat(),
            "assignment": log.assignment_id,
            "day_index": log.day_index,
            "target": log.target,
            "exercises": None if exercises is None else [_exercise_json(e) for e in exercises],
            "duration_minutes": log.duration_minutes,
            "effort": log.effort,
            "notes": None if log.notes is None else str(log.notes),
            "created_at": datetime_json(log.created_at, zone),
            "updated_at": datetime_json(log.updated_at, zone),
        }

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


# Progress photos ---------------------------------------------------------------------------


class PhotoUploadSerializer(StrictSerializer):
    image = serializers.FileField(
        allow_empty_file=False,
        max_length=255,
        help_text=(
            "The photo: JPEG, PNG or WebP (checked by decoding it, not by its name or type), "
            "at most 15 MB and 40 megapixels. EXIF (GPS) is removed before it is stored."
        ),
    )
    date = EntryDateField(help_text="The client's local date of the photo.")
    pose = serializers.ChoiceField(choices=PhotoPose.choices)
    check_in = EntryIdField(
        required=False, help_text="One of your check-ins this photo belongs to (omit for none)."
    )


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Signed URL of the photo (expires).")
    thumbnail_url = serializers.SerializerMethodField(
        help_text="Signed URL of the thumbnail; null until the worker has made it."
    )
    expires_at = serializers.SerializerMethodField(
        help_text="When `url` and `thumbnail_url` stop working: fetch the photo again then."
    )

    class Meta:
        model = ProgressPhoto
        fields = [
            "id",
            "client",
            "date",
            "pose",
            "check_in",
            "url",
            "thumbnail_url",
            "expires_at",
            "content_type",
            "width",
            "height",
            "size_bytes",
            "created_at",
        ]
        read_only_fields = fields

    def _urls(self, photo: ProgressPhoto) -> tuple[str, str | None, datetime]:
        cache = self.context.setdefault("_signed", {})
        if photo.pk not in cache:
            request = self.context.get("request")
            url, expires_at = photo_files.signed_url(photo.image_key, request=request)
            thumb = None
            if photo.thumbnail_key:
                thumb, _ = photo_files.signed_url(photo.thumbnail_key, request=request)
            cache[photo.pk] = (url, thumb, expires_at)
        return cache[photo.pk]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, photo: ProgressPhoto) -> str:
        return self._urls(photo)[0]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_thumbnail_url(self, photo: ProgressPhoto) -> str | None:
        return self._urls(photo)[1]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_expires_at(self, photo: ProgressPhoto) -> datetime:
        return self._urls(photo)[2]


class PhotoCompareQuerySerializer(StrictSerializer):
    before = EntryIdField(help_text="The earlier photo's id.")
    after = EntryIdField(help_text="The later photo's id.")


class PhotoCompareSerializer(serializers.Serializer):
    before = PhotoSerializer(read_only=True)
    after = PhotoSerializer(read_only=True)
    days_between = serializers.IntegerField(
        read_only=True, help_text="after.date - before.date in days (negative if reversed)."
    )


# Body metrics ------------------------------------------------------------------------------

METRIC_SLUG = r"^[a-z][a-z0-9_]{0,39}$"


def _metric_field() -> serializers.RegexField:
    return serializers.RegexField(
        METRIC_SLUG,
        max_length=40,
        help_text=(
            "A built-in metric (weight, body_fat, waist, chest, hips, thigh, arm) or the slug "
            "of one of your trainer's metric types."
        ),
    )


def _metric_value() -> serializers.DecimalField:
    return RoundedDecimalField(
        max_digits=12,
        decimal_places=3,
        min_value=-1_000_000,
        max_value=1_000_000,
        coerce_to_string=False,
        help_text=(
            "In your units (User.units): kg or lb for mass, cm or in for lengths, % for body "
            "fat; a custom number metric in its own unit."
        ),
    )


class BodyStatInputSerializer(StrictSerializer):
    id = _entry_id("entry")
    date = EntryDateField(help_text="The client's local date of the measurement.")
    metric = _metric_field()
    value = _metric_value()


class BodyStatSerializer(serializers.ModelSerializer):
    value = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()

    class Meta:
        model = BodyStat
        fields = ["id", "client", "date", "metric", "value", "unit", "source", "created_at"]
        read_only_fields = fields

    def _kind_and_unit(self, stat: BodyStat) -> tuple[str, str]:
        if stat.metric_type is not None:
            return stat.metric_type.kind, stat.metric_type.unit
        kind = units.BUILTIN_METRICS[stat.metric]
        return kind, units.METRIC_UNITS[kind]

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_value(self, stat: BodyStat) -> float:
        kind, _ = self._kind_and_unit(stat)
        return float(units.to_shown(stat.value, kind=kind, user=self._user()))

    def get_unit(self, stat: BodyStat) -> str:
        kind, own = self._kind_and_unit(stat)
        return units.unit_for(kind=kind, user=self._user(), own_unit=own)


class BodyStatImportRecordSerializer(StrictSerializer):
    source_id = serializers.CharField(
        max_length=128, help_text="The health store's id of the record (HKObject UUID, ...)."
    )
    date = EntryDateField(help_text="The client's local date of the measurement.")
    metric = _metric_field()
    value = _metric_value()


class BodyStatImportSerializer(StrictSerializer):
    source = serializers.ChoiceField(
        choices=[c for c in BodyStatSource.choices if c[0] != BodyStatSource.MANUAL]
    )
    records = BodyStatImportRecordSerializer(many=True, min_length=1, max_length=1000)


class BodyStatImportResultSerializer(serializers.Serializer):
    received = serializers.IntegerField(read_only=True)
    created = serializers.IntegerField(read_only=True, help_text="Records stored now.")
    skipped = serializers.IntegerField(
        read_only=True, help_text="Records already stored (sent before) or repeated in the batch."
    )


class QueryIdField(serializers.CharField):
    """A whole-number id in a query string (a string there, hence not an IntegerField)."""

    default_error_messages = {"invalid": "A whole number between 1 and 2^63-1."}

    def __init__(self, **kwargs):
        super().__init__(max_length=19, **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
            self.fail("invalid")
        return int(text)

    def run_validators(self, value):
        pass  # checked above; CharField's length validator cannot measure an int


class MetricSeriesQuerySerializer(StrictSerializer):
    metric = _metric_field()
    client = QueryIdField(required=False, help_text="The client's id (trainers).")
    date_from = serializers.DateField(
        required=False, help_text="First day (default: 90 days before `to`)."
    )
    date_to = serializers.DateField(
        required=False, help_text="Last day (default: the caller's today)."
    )

    def get_fields(self):
        # The query names are `from` and `to` (Python keywords, hence the renaming).
        fields = super().get_fields()
        fields["from"] = fields.pop("date_from")
        fields["to"] = fields.pop("date_to")
        return fields

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start and end:
            if start > end:
                raise serializers.ValidationError(
                    {"from": ["`from` must not be after `to`."]}, code="invalid"
                )
            if (end - start).days > MAX_SERIES_DAYS:
                raise serializers.ValidationError(
                    {"from": [f"At most {MAX_SERIES_DAYS} days per request."]}, code="invalid"
                )
        return attrs


MAX_SERIES_DAYS = 731


class MetricPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.FloatField()


class MetricSeriesSerializer(serializers.Serializer):
    metric = serializers.CharField()
    unit = serializers.CharField(help_text="The unit of every value, in the caller's units.")
    points = MetricPointSerializer(many=True, help_text="One point per day, oldest first.")


class MetricTypeInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=80)
    slug = serializers.RegexField(
        METRIC_SLUG,
        max_length=40,
        required=False,
        help_text="Lowercase letters, digits and _; default: made from the name.",
    )
    kind = serializers.ChoiceField(choices=MetricKind.choices)
    unit = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=False,
        help_text="Required for `number` (bpm, steps); mass, length and percent are kg, cm, %.",
    )

    def validate(self, attrs):
        kind, unit = attrs["kind"], attrs.get("unit")
        if kind == MetricKind.NUMBER and not unit:
            raise serializers.ValidationError(
                {"unit": [serializers.ErrorDetail("A number metric needs a unit.", "required")]}
            )
        fixed = units.METRIC_UNITS.get(kind)
        if fixed and unit not in (None, fixed):
            raise serializers.ValidationError(
                {"unit": [serializers.ErrorDetail(f"A {kind} metric is in {fixed}.", "invalid")]}
            )
        return attrs


class MetricTypeUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=80, required=False)
    unit = serializers.CharField(
        max_length=16, required=False, help_text="Only a `number` metric's unit can change."
    )


class MetricTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MetricType
        fields = ["id", "name", "slug", "kind", "unit", "created_at", "updated_at"]
        read_only_fields = fields
