from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from exercises import selectors, services
from exercises.api.filters import ExerciseFilter
from exercises.api.serializers import (
    EquipmentSerializer,
    ExerciseCopySerializer,
    ExerciseInputSerializer,
    ExerciseSerializer,
    ExerciseUpdateSerializer,
    MuscleSerializer,
)
from exercises.models import Equipment, Exercise, Muscle
from fitbud.api.conditional import ConditionalWriteMixin
from fitbud.api.filters import BoundedSearchFilter, FilterBackend, UpdatedSinceFilter
from fitbud.api.idempotency import idempotent
from fitbud.api.permissions import IsTrainer, IsTrainerOrClient
from fitbud.api.schema import error_response

EXISTS = error_response("You already have an exercise with this name.", "exercise_exists")
IN_USE = error_response(
    "Clients have logged sets of this exercise; it cannot be deleted.", "exercise_in_use"
)
EXAMPLE = {
    "name": "Tempo goblet squat",
    "category": "strength",
    "primary_muscles": ["quads", "glutes"],
    "secondary_muscles": ["abs"],
    "equipment": ["kettlebell"],
    "mechanics": "compound",
    "force": "push",
    "level": "beginner",
    "instructions": "Three seconds down, pause at the bottom, stand up fast.",
    "video_url": "https://videos.example.com/tempo-goblet-squat.mp4",
    "aliases": ["3-1-1 goblet squat"],
}


class ExerciseSearchFilter(BoundedSearchFilter):
    """`?search=` over names and aliases: typo-tolerant (trigram) on PostgreSQL, closest
    first; a plain substring match on SQLite."""

    search_description = (
        "Name or alias. On PostgreSQL small typos still match and the closest come first."
    )

    def filter_queryset(self, request, queryset, view):
        terms = self.get_search_terms(request)
        if not terms:
            return queryset
        return selectors.exercise_search(queryset, " ".join(terms))


class GlobalReadOnly(PermissionDenied):
    default_detail = "The global library is read-only; copy the exercise to edit your own."
    default_code = "global_exercise"


class NotEditable(PermissionDenied):
    default_detail = (
        "Only its author and the studio's owners and admins change a studio library exercise."
    )
    default_code = "exercise_not_editable"


@extend_schema_view(
    list=extend_schema(
        summary="List exercises",
        description=(
            "The global library, your studio's library, and your own personal exercises "
            "(members) or your primary coach's (clients). Filter by muscle, equipment, category and level (slugs), search by "
            "name and aliases."
        ),
    ),
    retrieve=extend_schema(summary="Get an exercise"),
)
class ExerciseViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ExerciseSerializer
    filter_backends = [FilterBackend, ExerciseSearchFilter, UpdatedSinceFilter]
    filterset_class = ExerciseFilter
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.request is not None and self.request.method in SAFE_METHODS:
            return [IsTrainerOrClient()]
        return [IsTrainer()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Exercise.objects.none()
        return selectors.exercise_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # The page's muscles and equipment as plain slugs (exercise_tags_attach), not the
        # prefetched model instances the other actions use.
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        selectors.exercise_tags_attach(rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _editable(self) -> Exercise:
        exercise = self.get_object()
        if exercise.owner_id is None:
            raise GlobalReadOnly()
        if not selectors.exercise_editable(trainer=self.request.user, exercise=exercise):
            raise NotEditable()
        return exercise

    @extend_schema(
        summary="Create an exercise (trainer)",
        description=(
            "`scope` personal (default): visible to you and your clients; studio: in the "
            "studio library. Names are unique among the exercises you authored."
        ),
        request=ExerciseInputSerializer,
        responses={201: ExerciseSerializer, 409: EXISTS},
        examples=[OpenApiExample("A private exercise", value=EXAMPLE, request_only=True)],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = ExerciseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exercise = services.exercise_create(owner=request.user, **serializer.validated_data)
        return Response(self._out(exercise), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an exercise (trainer)",
        description=(
            "Your own exercises, and studio library ones if you manage the studio (otherwise "
            "403 `exercise_not_editable`; a global one is 403 `global_exercise`: copy it "
            "first). `scope` moves it between your own and the studio library. Plans already "
            "assigned keep the name, cues and media they were given."
        ),
        request=ExerciseUpdateSerializer,
        responses={200: ExerciseSerializer, 409: EXISTS},
    )
    def partial_update(self, request, *args, **kwargs):
        exercise = self._editable()
        serializer = ExerciseUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exercise = services.exercise_update(exercise=exercise, data=serializer.validated_data)
        return Response(self._out(exercise))

    @extend_schema(
        summary="Delete an exercise (trainer)",
        description=(
            "Who may: as for a change. Assigned plans keep their copy. An exercise your clients have logged cannot be "
            "deleted (409), so that their history stays."
        ),
        responses={204: None, 409: IN_USE},
    )
    def destroy(self, request, *args, **kwargs):
        services.exercise_delete(exercise=self._editable())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Copy an exercise into your own (trainer)",
        description=(
            "An editable copy of any exercise you see (global, the studio library's or "
            "yours), personal or (`scope`) in the studio library."
        ),
        request=ExerciseCopySerializer,
        responses={201: ExerciseSerializer, 409: EXISTS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @idempotent
    def copy(self, request, pk=None):
        source = self.get_object()
        serializer = ExerciseCopySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exercise = services.exercise_copy(
            exercise=source,
            trainer=request.user,
            name=serializer.validated_data.get("name"),
            scope=serializer.validated_data["scope"],
        )
        return Response(self._out(exercise), status=status.HTTP_201_CREATED)

    def _out(self, exercise: Exercise) -> dict:
        exercise = selectors.exercise_list(user=self.request.user).get(pk=exercise.pk)
        return ExerciseSerializer(exercise).data


@extend_schema_view(list=extend_schema(summary="List muscles (for filters and exercises)"))
class MuscleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsTrainerOrClient]
    serializer_class = MuscleSerializer
    filter_backends = [UpdatedSinceFilter]
    queryset = Muscle.objects.none()

    def get_queryset(self):
        return selectors.muscle_list()


@extend_schema_view(list=extend_schema(summary="List equipment (for filters and exercises)"))
class EquipmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsTrainerOrClient]
    serializer_class = EquipmentSerializer
    filter_backends = [UpdatedSinceFilter]
    queryset = Equipment.objects.none()

    def get_queryset(self):
        return selectors.equipment_list()
