"""habits/ and habits/<id>/check/: trainers give habits, clients check them off."""

from __future__ import annotations

from decimal import Decimal

from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    OpenApiTypes,
    extend_schema,
    extend_schema_view,
)
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from coaching.models import Habit, HabitCheck, HabitFrequency
from coaching.selectors import habits as selectors
from coaching.services import habits as services
from fitbud.api.conditional import ConditionalWriteMixin
from fitbud.api.filters import MAX_ID, FilterBackend, IdFilter, StrictFilterSet, UpdatedSinceFilter
from fitbud.api.idempotency import idempotent
from fitbud.api.permissions import ActiveClientCanWrite, IsClient, IsTrainer, IsTrainerOrClient
from fitbud.api.schema import error_response
from fitbud.api.serializers import StrictSerializer

GOAL_FIELD = {
    "max_digits": 10,
    "decimal_places": 2,
    "min_value": Decimal("0.01"),
    "max_value": Decimal("99999999"),
    "coerce_to_string": False,
}


class HabitInputSerializer(StrictSerializer):
    client = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Client id.")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True
    )
    frequency = serializers.ChoiceField(choices=HabitFrequency.choices)
    target = serializers.IntegerField(
        min_value=1,
        max_value=7,
        required=False,
        default=1,
        help_text="Times per period: 1 for a daily habit; 1 to 7 days of the ISO week for a "
        "weekly one.",
    )
    goal = serializers.DecimalField(
        **GOAL_FIELD,
        required=False,
        allow_null=True,
        help_text="A numeric goal per day (8 glasses): checks then carry a value, and a date "
        "counts when the value reaches the goal.",
    )
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        for field in ("description", "unit"):
            if attrs.get(field) is None:
                attrs.pop(field, None)
        return attrs


class HabitUpdateSerializer(HabitInputSerializer):
    client = None

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
            if hasattr(field, "default"):
                field.default = serializers.empty
        return fields

    def validate(self, attrs):
        return attrs


class HabitSerializer(serializers.ModelSerializer):
    goal = serializers.DecimalField(**GOAL_FIELD, read_only=True, allow_null=True)
    current_streak = serializers.SerializerMethodField(
        help_text="Periods (days or ISO weeks) in the run through the current period, or the "
        "previous one while the current one is not met yet; in the client's timezone."
    )
    longest_streak = serializers.SerializerMethodField(help_text="Longest run, in periods.")
    completion_7d = serializers.SerializerMethodField(
        help_text="Percent of expected completions met over the last 7 complete local days; "
        "null when the habit was not active on any of them."
    )

    class Meta:
        model = Habit
        fields = [
            "id",
            "client",
            "title",
            "description",
            "frequency",
            "target",
            "goal",
            "unit",
            "start_date",
            "end_date",
            "current_streak",
            "longest_streak",
            "completion_7d",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _figures(self, habit: Habit):
        cached = getattr(habit, "_figures", None)
        if cached is None:
            today = habit.client.user.local_today()
            checks = list(habit.checks.all())
            cached = (
                selectors.habit_streak(habit=habit, checks=checks, today=today),
                selectors.habit_completion(habit=habit, checks=checks, today=today),
            )
            habit._figures = cached
        return cached

    def get_current_streak(self, habit: Habit) -> int:
        return self._figures(habit)[0].current

    def get_longest_streak(self, habit: Habit) -> int:
        return self._figures(habit)[0].longest

    def get_completion_7d(self, habit: Habit) -> int | None:
        return self._figures(habit)[1]


class HabitSummaryQuerySerializer(serializers.Serializer):
    # Query strings are not strict (as me/today/): only `client` is read.
    client = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Client id (trainers)."
    )


class HabitSummarySerializer(serializers.Serializer):
    client = serializers.IntegerField()
    date = serializers.DateField(help_text="The client's local today.")
    active = serializers.IntegerField(help_text="Habits active today.")
    completion_7d = serializers.IntegerField(
        allow_null=True,
        help_text="Completions met over expected ones across the client's habits over the "
        "last 7 complete local days, percent; null when no habit was active in them.",
    )


class HabitCheckInputSerializer(StrictSerializer):
    date = serializers.DateField(help_text="The client's local date (up to their tomorrow).")
    value = serializers.DecimalField(
        **{**GOAL_FIELD, "min_value": Decimal(0)},
        required=False,
        allow_null=True,
        help_text="The amount done (required for habits with a goal, refused otherwise).",
    )


class HabitCheckSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(**GOAL_FIELD, read_only=True, allow_null=True)
    done = serializers.BooleanField(
        read_only=True, help_text="The check meets the habit's goal (always, without a goal)."
    )

    class Meta:
        model = HabitCheck
        fields = ["id", "habit", "date", "value", "done", "created_at", "updated_at"]
        read_only_fields = fields


class UncheckQuerySerializer(StrictSerializer):
    date = serializers.DateField()


class HabitFilter(StrictFilterSet):
    client = IdFilter(field_name="client_id", help_text="Only this client's habits (trainers).")
    active_on = filters.DateFilter(method="filter_active_on", help_text="Habits active that day.")

    class Meta:
        model = Habit
        fields = ["client", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_date__lte=value).exclude(end_date__lt=value)


NOT_FOUND = OpenApiResponse(
    ErrorResponse404Serializer,
    description="The client does not exist or is not one you coach (`attr: client`).",
)
HABIT_EXAMPLE = {
    "client": 7,
    "title": "Drink water",
    "description": "Spread it over the day.",
    "frequency": "daily",
    "target": 1,
    "goal": 8,
    "unit": "glasses",
    "start_date": "2026-11-30",
}


@extend_schema_view(
    list=extend_schema(
        summary="List habits",
        description="Trainers: the habits of the clients they see in check-ins "
        "(`?client=` narrows to one); clients: their own.",
    ),
    retrieve=extend_schema(summary="Get a habit"),
    destroy=extend_schema(summary="Delete a habit (trainer)", description="Its checks go too."),
)
class HabitViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = HabitSerializer
    filter_backends = [FilterBackend, UpdatedSinceFilter]
    filterset_class = HabitFilter
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action == "check":
            return [IsClient(), ActiveClientCanWrite()]
        if self.request is not None and self.request.method in SAFE_METHODS:
            return [IsTrainerOrClient()]
        return [IsTrainer()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Habit.objects.none()
        if self.action == "check":
            return selectors.habit_scope(user=self.request.user).select_related("client__user")
        return selectors.habit_list(user=self.request.user).order_by("start_date", "id")

    @extend_schema(
        summary="Give a client a habit (trainer)",
        request=HabitInputSerializer,
        responses={201: HabitSerializer, 404: NOT_FOUND},
        examples=[OpenApiExample("Water", value=HABIT_EXAMPLE, request_only=True)],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = _validated(HabitInputSerializer, request.data)
        client = selectors.habit_client(user=request.user, client_id=data.pop("client"))
        if client is None:
            raise NotFound({"client": ErrorDetail("Client not found.", code="not_found")})
        habit = services.habit_create(client=client, assigned_by=request.user, **data)
        habit = self.get_queryset().get(pk=habit.pk)
        return Response(HabitSerializer(habit).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a habit (trainer)",
        description="Past checks stay; a changed goal changes how every date counts.",
        request=HabitUpdateSerializer,
        responses={200: HabitSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        habit = self.get_object()
        data = _validated(HabitUpdateSerializer, request.data)
        services.habit_update(habit=habit, changes=data)
        return Response(HabitSerializer(self.get_queryset().get(pk=habit.pk)).data)

    def perform_destroy(self, instance):
        services.habit_delete(habit=instance)

    @extend_schema(
        summary="A client's habit completion (the client-detail figure)",
        description="Trainers: `?client=` is required (a client they see in check-ins; 404 "
        "otherwise). Clients: their own (`client` is ignored). Two queries whatever the "
        "number of habits and checks.",
        parameters=[HabitSummaryQuerySerializer],
        responses={
            200: HabitSummarySerializer,
            400: error_response(
                "`client` missing or not an id (trainers).", "required", "invalid", "min_value"
            ),
            404: NOT_FOUND,
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="summary",
        filter_backends=[],
        pagination_class=None,
    )
    def summary(self, request, *args, **kwargs):
        query = _validated(HabitSummaryQuerySerializer, request.query_params.dict())
        if request.user.is_trainer:
            if "client" not in query:
                raise ValidationError(
                    {"client": ErrorDetail("This parameter is required.", code="required")}
                )
            client = selectors.habit_client(user=request.user, client_id=query["client"])
        else:
            client = selectors.habit_own_client(user=request.user)
        if client is None:
            raise NotFound({"client": ErrorDetail("Client not found.", code="not_found")})
        return Response(HabitSummarySerializer(selectors.habit_client_summary(client=client)).data)

    @extend_schema(
        methods=["POST"],
        summary="Check a habit off for a date (client)",
        description=(
            "Idempotent per local date: the first send creates the check (201); sending the "
            "same date again returns the stored check (200), with the new value if one is "
            "sent. The date must be within the habit's dates and not after your tomorrow."
        ),
        request=HabitCheckInputSerializer,
        responses={201: HabitCheckSerializer, 200: HabitCheckSerializer},
        examples=[
            OpenApiExample(
                "Six glasses", value={"date": "2026-11-30", "value": 6}, request_only=True
            )
        ],
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Undo the check of a date (client)",
        description="204 whether or not the date was checked (safe to retry).",
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True)
        ],
        request=None,
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["post", "delete"],
        filter_backends=[],
        pagination_class=None,
    )
    def check(self, request, *args, **kwargs):
        habit = self.get_object()
        if request.method == "DELETE":
            query = _validated(UncheckQuerySerializer, request.query_params.dict())
            services.habit_uncheck(habit=habit, on_date=query["date"])
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = _validated(HabitCheckInputSerializer, request.data)
        check, created = services.habit_check(
            habit=habit, on_date=data["date"], value=data.get("value")
        )
        return Response(
            HabitCheckSerializer(check).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
