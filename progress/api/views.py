"""Workout logs, meal logs and check-ins: written by clients, read by them and their trainer."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from fitbud.api.pagination import CursorPagination
from fitbud.api.permissions import ActiveClientCanWrite, IsTrainer, IsTrainerOrClient
from fitbud.api.schema import error_response
from progress import selectors, services
from progress.api import filters, serializers
from progress.models import CheckIn, MealLog, WorkoutLog


class ClientWritesOnly(BasePermission):
    """Logs are the client's own record: trainers read them but never write them."""

    message = "Only clients write their logs and check-ins; trainers can read them."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or request.user.is_client


class EntryPagination(CursorPagination):
    # Newest recorded first; created_at then the key keeps pages stable while rows arrive.
    ordering = ("-created_at", "-id")


class EntryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsTrainerOrClient, ActiveClientCanWrite, ClientWritesOnly]
    pagination_class = EntryPagination
    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    input_serializer_class: type
    update_serializer_class: type

    def create_entry(self, data):  # pragma: no cover - each viewset defines it
        raise NotImplementedError

    def update_entry(self, entry, data):  # pragma: no cover - each viewset defines it
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        serializer = self.input_serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        entry, created = self.create_entry(serializer.validated_data)
        return Response(
            self.get_serializer(entry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        serializer = self.update_serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        entry = self.update_entry(entry, serializer.validated_data)
        return Response(self.get_serializer(entry).data)

    def perform_destroy(self, instance) -> None:
        services.entry_delete(entry=instance)


def _entry_schema(noun: str, output, input_, update, created_example: dict):
    is_check_in = noun == "check-in"
    conflict = error_response(
        "The id belongs to another user's entry"
        + (", or this ISO week already has a check-in." if is_check_in else "."),
        "id_in_use",
        *(["checkin_exists"] if is_check_in else []),
    )
    locked = error_response(
        "The entry is older than the edit window"
        + (", or the check-in was already reviewed." if is_check_in else "."),
        "edit_window_closed",
        *(["checkin_reviewed"] if is_check_in else []),
    )
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {noun}s",
            description=(
                f"Newest first (cursor pagination). A client sees their own {noun}s; a trainer "
                f"sees their clients' {noun}s and narrows them with `?client=<Client id>`."
            ),
        ),
        retrieve=extend_schema(summary=f"Get a {noun}"),
        create=extend_schema(
            summary=f"Log a {noun} (client)",
            description=(
                "Send your own UUID `id` to make the request safe to retry: the first request "
                "creates the entry (201); a retry with the same `id` returns the stored entry "
                "unchanged (200) and ignores the retried body."
            ),
            request=input_,
            responses={201: output, 200: output, 409: conflict},
            examples=[OpenApiExample(f"A {noun}", value=created_example, request_only=True)],
        ),
        partial_update=extend_schema(
            summary=f"Change a {noun} (client)",
            description="Allowed for 7 days after the entry was logged.",
            request=update,
            responses={200: output, 409: locked},
        ),
        destroy=extend_schema(
            summary=f"Delete a {noun} (client)",
            description="Allowed for 7 days after the entry was logged.",
            responses={204: None, 409: locked},
        ),
    )


@_entry_schema(
    "workout log",
    serializers.WorkoutLogSerializer,
    serializers.WorkoutLogInputSerializer,
    serializers.WorkoutLogUpdateSerializer,
    {
        "id": "6f1c1e5e-4a8e-4d3b-9a53-2d1f0b6c7a10",
        "date": "2026-11-27",
        "assignment": 12,
        "day_index": 0,
        "exercises": [
            {
                "name": "Bench press",
                "sets": [
                    {"reps": 10, "weight_kg": 60, "done": True},
                    {"reps": 8, "weight_kg": 62.5, "done": True},
                ],
            }
        ],
        "duration_minutes": 45,
        "effort": 7,
        "notes": "Felt strong.",
    },
)
class WorkoutLogViewSet(EntryViewSet):
    queryset = WorkoutLog.objects.none()  # the model for the schema; get_queryset scopes rows
    serializer_class = serializers.WorkoutLogSerializer
    input_serializer_class = serializers.WorkoutLogInputSerializer
    update_serializer_class = serializers.WorkoutLogUpdateSerializer
    filterset_class = filters.WorkoutLogFilter

    def get_queryset(self):
        return selectors.workout_log_list(user=self.request.user)

    def create_entry(self, data):
        return services.workout_log_create(client=self.request.user.client_link, **data)

    def update_entry(self, entry, data):
        return services.workout_log_update(log=entry, changes=data)


@_entry_schema(
    "meal log",
    serializers.MealLogSerializer,
    serializers.MealLogInputSerializer,
    serializers.MealLogUpdateSerializer,
    {
        "id": "0b7d2c8e-3f51-4a4e-8f0c-5b2f6f1d9e21",
        "date": "2026-11-27",
        "meal": "Lunch",
        "items": [
            {"food": "Rice", "quantity": 200, "unit": "g", "calories": 260, "carbs_g": 56},
            {"food": "Chicken breast", "quantity": 150, "unit": "g", "protein_g": 46},
        ],
    },
)
class MealLogViewSet(EntryViewSet):
    queryset = MealLog.objects.none()  # the model for the schema; get_queryset scopes rows
    serializer_class = serializers.MealLogSerializer
    input_serializer_class = serializers.MealLogInputSerializer
    update_serializer_class = serializers.MealLogUpdateSerializer
    filterset_class = filters.MealLogFilter

    def get_queryset(self):
        return selectors.meal_log_list(user=self.request.user)

    def create_entry(self, data):
        return services.meal_log_create(client=self.request.user.client_link, **data)

    def update_entry(self, entry, data):
        return services.meal_log_update(log=entry, changes=data)


@_entry_schema(
    "check-in",
    serializers.CheckInSerializer,
    serializers.CheckInInputSerializer,
    serializers.CheckInUpdateSerializer,
    {
        "id": "9a4e8f0c-1d2b-4c3e-8f5a-7b6c5d4e3f21",
        "date": "2026-11-27",
        "weight_kg": 81.4,
        "measurements": {"waist_cm": 86, "chest_cm": 102, "hips_cm": 98},
        "sleep": 7,
        "energy": 6,
        "stress": 4,
        "adherence": 8,
        "notes": "Good week.",
    },
)
class CheckInViewSet(EntryViewSet):
    queryset = CheckIn.objects.none()  # the model for the schema; get_queryset scopes rows
    serializer_class = serializers.CheckInSerializer
    input_serializer_class = serializers.CheckInInputSerializer
    update_serializer_class = serializers.CheckInUpdateSerializer
    filterset_class = filters.CheckInFilter

    def get_permissions(self):
        if self.action == "review":
            return [IsTrainer()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.check_in_list(user=self.request.user)

    def create_entry(self, data):
        return services.check_in_create(client=self.request.user.client_link, **data)

    def update_entry(self, entry, data):
        return services.check_in_update(check_in=entry, changes=data)

    @extend_schema(
        summary="Review a check-in (trainer)",
        description=(
            "Sets the trainer's written feedback; the client sees it on the check-in. "
            "Reviewing again replaces the feedback."
        ),
        request=serializers.CheckInReviewSerializer,
        responses={200: serializers.CheckInSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def review(self, request, *args, **kwargs):
        check_in = self.get_object()
        serializer = serializers.CheckInReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_in = services.check_in_review(
            check_in=check_in, reviewer=request.user, **serializer.validated_data
        )
        return Response(serializers.CheckInSerializer(check_in).data)
