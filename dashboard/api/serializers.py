"""Shapes of the home-screen, export and trainer-dashboard responses (output only, plus the
`?date=` query of me/today/). Field by field documentation lives in docs/dashboards.md."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSerializer
from accounts.models import StudioRole
from billing.api.serializers import (
    PaymentSerializer,
    PlanSummarySerializer,
    SubscriptionSerializer,
)
from billing.models import Subscription
from clients.api.serializers import HealthProfileSerializer, TrainerPublicSerializer
from clients.models import Client
from plans.api.serializers import AssignmentSerializer, PlanPartField
from plans.models import PlanKind
from progress.api.serializers import (
    CheckInSerializer,
    MealLogSerializer,
    WorkoutExerciseSerializer,
    WorkoutLogSerializer,
)

# ---------------------------------------------------------------------------- me/today/


class _PresentDateField(serializers.DateField):
    def get_value(self, dictionary):
        # DRF reads an optional "?date=" from a query string as absent; the schema says
        # format date, so a present-but-empty value is validated (and refused) instead.
        if dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)

    def to_internal_value(self, value):
        if isinstance(value, str) and not value.isascii():
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class TodayQuerySerializer(serializers.Serializer):
    # Query strings are not strict: unrelated parameters (cache busters, tracking) are
    # ignored, as browsers and proxies add them; only `date` is read and validated.
    date = _PresentDateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="Local date to show (YYYY-MM-DD). Defaults to today in the client's timezone.",
    )


# The home-screen shapes below are plain Serializers with the fields spelled out: DRF
# rebuilds a ModelSerializer's fields from the model on every request, which showed in the
# profile of these hot reads. The OpenAPI schema is the same either way.
class AssignmentSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=PlanKind.choices, read_only=True)
    start_date = serializers.DateField(read_only=True)
    end_date = serializers.DateField(read_only=True, allow_null=True)


class _PlanDaySerializer(serializers.Serializer):
    assignment = AssignmentSummarySerializer()
    day_index = serializers.IntegerField(
        help_text="(date - assignment.start_date) mod day_count, 0-based."
    )
    day_count = serializers.IntegerField(help_text="Number of days in the plan's cycle.")


class TodayWorkoutSerializer(_PlanDaySerializer):
    day = PlanPartField(
        "WorkoutPlanDay", help_text="The snapshot's day object, exactly as assigned."
    )
    is_rest_day = serializers.BooleanField(help_text="The day's `rest` flag.")


class TodayDietSerializer(_PlanDaySerializer):
    day = PlanPartField("DietPlanDay", help_text="The snapshot's day object, exactly as assigned.")
    targets = PlanPartField(
        "DietPlanTargets",
        allow_null=True,
        help_text="The plan's daily targets {calories, protein_g, carbs_g, fat_g}, if any.",
    )


@extend_schema_field(WorkoutExerciseSerializer(many=True))
class LoggedExercisesField(serializers.JSONField):
    """The exercises as stored: the shape of `WorkoutExercise`, optional values left out."""


class LoggedWorkoutSerializer(WorkoutLogSerializer):
    # The home screen shows the exercises exactly as stored (no nulls for sets that left
    # out an optional value), so the app can redraw them as the client entered them.
    exercises = LoggedExercisesField(read_only=True)


class MealTotalsSerializer(serializers.Serializer):
    calories = serializers.DecimalField(max_digits=10, decimal_places=1)
    protein_g = serializers.DecimalField(max_digits=10, decimal_places=1)
    carbs_g = serializers.DecimalField(max_digits=10, decimal_places=1)
    fat_g = serializers.DecimalField(max_digits=10, decimal_places=1)


class LoggedSerializer(serializers.Serializer):
    workouts = LoggedWorkoutSerializer(many=True)
    meals = MealLogSerializer(many=True)
    meal_totals = MealTotalsSerializer(help_text="Sums over `meals`.")


class TodayHabitSerializer(serializers.Serializer):
    habit = serializers.IntegerField(source="habit.id", help_text="The habit (habits/<id>/).")
    title = serializers.CharField(source="habit.title")
    frequency = serializers.CharField(source="habit.frequency", help_text="daily or weekly.")
    goal = serializers.DecimalField(
        source="habit.goal",
        max_digits=10,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text="The numeric goal per day, if any.",
    )
    unit = serializers.CharField(source="habit.unit")
    done = serializers.BooleanField(help_text="Checked for the date (and the goal reached).")
    value = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text="The date's check value (numeric habits); null when unchecked.",
    )


class TodayCheckInFormSerializer(serializers.Serializer):
    form_assignment = serializers.IntegerField(
        help_text="The live weekly assignment: send it as `form_assignment` to form-responses/."
    )
    form = serializers.IntegerField(
        allow_null=True, help_text="The form (null once the trainer deleted it)."
    )
    form_version = serializers.IntegerField(help_text="The version to answer.")
    name = serializers.CharField()
    version = serializers.IntegerField()
    due_week_start = serializers.DateField(help_text="Monday of the ISO week of the date shown.")
    submitted = serializers.BooleanField(help_text="That week's response is in.")


class TodaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The local date shown.")
    workout = TodayWorkoutSerializer(
        allow_null=True, help_text="Null without a workout assignment covering the date."
    )
    diet = TodayDietSerializer(
        allow_null=True, help_text="Null without a diet assignment covering the date."
    )
    is_rest_day = serializers.BooleanField(
        help_text="True when the workout plan's day is a rest day."
    )
    logged = LoggedSerializer(help_text="What the client already logged for the date.")
    habits = TodayHabitSerializer(many=True, help_text="Habits active on the date.")
    checkin_form = TodayCheckInFormSerializer(
        allow_null=True,
        help_text="The weekly check-in form to fill for the date's week when the trainer "
        "assigned one (it replaces the progress check-in); null otherwise.",
    )


# ---------------------------------------------------------------------------- me/streaks/


class StreaksSerializer(serializers.Serializer):
    current = serializers.IntegerField(
        help_text="Days in the streak running through today (or yesterday while today "
        "does not count yet)."
    )
    longest = serializers.IntegerField(help_text="Longest streak ever, in days.")
    last_active_date = serializers.DateField(
        allow_null=True, help_text="Latest local date with a logged workout."
    )
    today_counts = serializers.BooleanField(
        help_text="Today already counts (workout logged, or a rest day)."
    )


# ---------------------------------------------------------------------------- me/dashboard/


class HomeSubscriptionSerializer(serializers.Serializer):
    """The few subscription fields the home screen shows (me/subscription/ has them all)."""

    id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=Subscription.Status.choices, read_only=True)
    plan = PlanSummarySerializer(read_only=True)
    current_period_end = serializers.DateTimeField(read_only=True, allow_null=True)
    cancel_at_period_end = serializers.BooleanField(read_only=True)


class FeedbackSerializer(serializers.Serializer):
    check_in = serializers.UUIDField(source="id", help_text="The reviewed check-in.")
    date = serializers.DateField(
        read_only=True, help_text="The client's local date the entry belongs to."
    )
    feedback = serializers.CharField(read_only=True)
    reviewed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ClientHomeSerializer(serializers.Serializer):
    today = TodaySerializer()
    streaks = StreaksSerializer()
    subscription = HomeSubscriptionSerializer(
        allow_null=True, help_text="The live subscription (incomplete, active, past_due)."
    )
    latest_feedback = FeedbackSerializer(
        allow_null=True, help_text="The latest reviewed check-in with written feedback."
    )
    unread_messages = serializers.IntegerField(
        help_text="Messages of the other side after your read position, over your conversations."
    )
    unread_notifications = serializers.IntegerField(
        help_text="Your unread notifications (notifications/)."
    )


# ---------------------------------------------------------------------------- me/export/


class ExportMembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "is_active", "joined_at", "deactivated_at", "goals"]
        read_only_fields = fields


class ExportHealthSerializer(HealthProfileSerializer):
    # Who edited the profile stays out of the export (docs/dashboards.md).
    class Meta(HealthProfileSerializer.Meta):
        fields = [f for f in HealthProfileSerializer.Meta.fields if f != "updated_by"]
        read_only_fields = fields


class ExportSerializer(serializers.Serializer):
    format_version = serializers.IntegerField(help_text="Bumped when the layout changes.")
    exported_at = serializers.DateTimeField()
    profile = UserSerializer()
    membership = ExportMembershipSerializer(help_text="The link to the trainer.")
    trainer = TrainerPublicSerializer(help_text="The trainer's public information.")
    health = ExportHealthSerializer(allow_null=True)
    assignments = AssignmentSerializer(many=True)
    workout_logs = WorkoutLogSerializer(many=True)
    meal_logs = MealLogSerializer(many=True)
    check_ins = CheckInSerializer(many=True)
    subscriptions = SubscriptionSerializer(many=True)
    payments = PaymentSerializer(many=True)


# ---------------------------------------------------------------------------- dashboard/


class MoneySerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217 code.")
    amount = serializers.IntegerField(help_text="Minor units (cents).")


class AttentionClientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class NeedsAttentionSerializer(serializers.Serializer):
    client = AttentionClientSerializer()
    last_workout_date = serializers.DateField(allow_null=True)
    logged_7d = serializers.IntegerField(help_text="Days with a workout logged, last 7 days.")
    scheduled_7d = serializers.IntegerField(help_text="Non-rest plan days, last 7 days.")
    adherence_7d = serializers.IntegerField(
        allow_null=True, help_text="min(100, logged/scheduled %); null when nothing scheduled."
    )
    logged_28d = serializers.IntegerField()
    scheduled_28d = serializers.IntegerField()
    adherence_28d = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(
        child=serializers.ChoiceField(
            choices=["low_adherence", "no_recent_workout", "no_workout_plan"]
        )
    )


class HabitFiguresSerializer(serializers.Serializer):
    active = serializers.IntegerField(
        help_text="Habits of the active clients that are active today (reader's local date)."
    )
    completion_7d = serializers.IntegerField(
        allow_null=True,
        help_text="Completions met over expected ones across those clients' habits over the "
        "last 7 complete days, percent (each habit as in habits/<id>/ completion_7d, capped "
        "at its expected count); null when no habit was active in the window.",
    )


class _FiguresSerializer(serializers.Serializer):
    """The dashboard figures over one set of clients (`dashboard/`, the whole studio, and
    each coach of `studio/dashboard/`)."""

    active_clients = serializers.IntegerField()
    total_clients = serializers.IntegerField()
    new_clients_this_month = serializers.IntegerField()
    new_clients_last_month = serializers.IntegerField()
    active_clients_last_month = serializers.IntegerField(
        help_text="Clients active at the end of last month (the growth base)."
    )
    active_clients_growth_pct = serializers.FloatField(
        allow_null=True,
        help_text="(active_clients - active_clients_last_month) / active_clients_last_month "
        "x 100, one decimal; null when the base is zero.",
    )
    revenue_this_month = MoneySerializer(many=True)
    revenue_last_month = MoneySerializer(many=True)
    checkins_awaiting_review = serializers.IntegerField(
        help_text="Unreviewed check-ins plus unreviewed weekly form responses (a weekly "
        "form response is that week's check-in)."
    )
    workouts_last_7_days = serializers.IntegerField()
    needs_attention = NeedsAttentionSerializer(many=True)
    needs_attention_total = serializers.IntegerField(
        help_text="How many clients need attention (the list shows the first 10)."
    )
    habits = HabitFiguresSerializer(help_text="Habit completion over the active clients.")


class TrainerDashboardSerializer(_FiguresSerializer):
    as_of = serializers.DateTimeField()
    timezone = serializers.CharField(help_text="The trainer's timezone; months follow it.")
    month_start = serializers.DateField(help_text="First day of the current month.")
    unread_messages = serializers.IntegerField(
        help_text="Messages of the other side after your read position, over your conversations."
    )
    unread_notifications = serializers.IntegerField(
        help_text="Your unread notifications (notifications/)."
    )


# ---------------------------------------------------------------------- studio/dashboard/


class StudioRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CoachFiguresSerializer(_FiguresSerializer):
    member = serializers.IntegerField(help_text="The coach's studio member id.")
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=StudioRole.choices)
    title = serializers.CharField(allow_blank=True)


class StudioDashboardSerializer(_FiguresSerializer):
    as_of = serializers.DateTimeField()
    timezone = serializers.CharField(help_text="The reader's timezone; months follow it.")
    month_start = serializers.DateField(help_text="First day of the current month.")
    studio = StudioRefSerializer()
    coaches = CoachFiguresSerializer(
        many=True,
        help_text="Every member who can coach (owner, admin, coach; and anyone else who is "
        "still some client's primary coach), in joining order, with the same figures over "
        "the clients they are the primary coach of.",
    )
