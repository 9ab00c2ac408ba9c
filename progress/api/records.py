"""Exercise history (`exercises/<id>/history/`) and personal records (`me/records/`):
a client reads their own; a trainer reads a client's with `?client=<Client id>`."""

from __future__ import annotations

from django import forms
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError

from exercises.models import Exercise
from exercises.selectors import exercise_list
from fitbud.api.filters import MAX_ID, UPDATED_SINCE, UpdatedSinceFilter
from fitbud.api.permissions import IsTrainerOrClient
from progress import selectors
from progress.models import ExerciseSession

CLIENT_PARAMETER = OpenApiParameter(
    "client",
    {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID},
    description="Trainers: the client (Client id) whose data to read; required for them, "
    "ignored for clients.",
    required=False,
)


class _Query(forms.Form):
    client = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    exercise = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


def _query(request, *names: str) -> dict:
    """The named query parameters as whole ids; a 400 naming the parameter otherwise."""
    data = {name: request.query_params[name] for name in names if name in request.query_params}
    form = _Query(data)
    form.is_valid()
    errors = {name: form.errors[name] for name in names if name in form.errors}
    if errors:
        raise ValidationError(
            {
                name: [ErrorDetail(str(m), code="invalid") for m in msgs]
                for name, msgs in errors.items()
            }
        )
    return {name: form.cleaned_data[name] for name in data}


def _client(request, query: dict):
    user = request.user
    if user.is_trainer and "client" not in query:
        raise ValidationError(
            {"client": [ErrorDetail("Trainers name the client: ?client=<id>.", code="required")]}
        )
    client = selectors.client_for_records(user=user, client_id=query.get("client"))
    if client is None:
        raise NotFound({"client": ErrorDetail("Client not found.", code="not_found")})
    return client


class TopSetSerializer(serializers.Serializer):
    reps = serializers.IntegerField(source="top_reps")
    weight_kg = serializers.FloatField(source="top_weight_kg")


class HistoryItemSerializer(serializers.Serializer):
    date = serializers.DateField()
    log = serializers.UUIDField(source="log_id", help_text="The workout log of the session.")
    top_set = TopSetSerializer(source="*", help_text="The heaviest set (ties: more reps).")
    volume_kg = serializers.FloatField(help_text="Sum of reps x weight over the done sets.")
    e1rm_kg = serializers.FloatField(
        allow_null=True,
        help_text="Estimated one-rep max (Epley: weight x (1 + reps/30), the best set); null "
        "for bodyweight sets.",
    )
    sets = serializers.IntegerField(source="set_count", help_text="Done sets counted.")


class RecordSerializer(serializers.Serializer):
    exercise = serializers.IntegerField(source="exercise_id")
    exercise_name = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=[
            ("weight", "Heaviest weight"),
            ("e1rm", "Best estimated 1RM"),
            ("reps", "Most reps at a weight"),
        ]
    )
    value = serializers.FloatField(help_text="kg for weight and e1rm; a rep count for reps.")
    date = serializers.DateField(help_text="The first day it was reached.")
    weight_kg = serializers.FloatField(
        allow_null=True, help_text="reps records: the weight the reps were done at."
    )
    reps = serializers.IntegerField(
        allow_null=True, help_text="weight records: the reps of that heaviest set."
    )


class ExerciseHistoryView(generics.ListAPIView):
    permission_classes = [IsTrainerOrClient]
    serializer_class = HistoryItemSerializer
    queryset = ExerciseSession.objects.none()
    filter_backends = [UpdatedSinceFilter]
    # A session is rewritten with every save of its workout log.
    updated_since_field = "log__updated_at"

    @extend_schema(
        summary="History of an exercise",
        description=(
            "One item per workout session that logged done sets of this exercise, newest "
            "first. Clients read their own; trainers add `?client=<Client id>`. An exercise "
            "or client you cannot see is a 404."
        ),
        parameters=[CLIENT_PARAMETER],
        tags=["exercises"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = _query(self.request, "client")
        pk = self.kwargs["pk"]
        if pk > MAX_ID or not exercise_list(user=self.request.user).filter(pk=pk).exists():
            raise NotFound()
        client = _client(self.request, query)
        return selectors.exercise_history(user=self.request.user, client=client, exercise_id=pk)


class RecordsView(generics.ListAPIView):
    permission_classes = [IsTrainerOrClient]
    serializer_class = RecordSerializer
    queryset = ExerciseSession.objects.none()
    filter_backends: list = []

    @extend_schema(
        summary="Personal records",
        description=(
            "Per library exercise: the heaviest weight (`weight`), the best estimated 1RM "
            "(`e1rm`), and the most reps at a weight (`reps`, one item per weight that no "
            "heavier weight matched), each with the day it was first reached. Computed from "
            "the logs as they are now. Clients read their own; trainers add "
            "`?client=<Client id>`. `?exercise=<id>` narrows to one exercise."
        ),
        parameters=[
            CLIENT_PARAMETER,
            OpenApiParameter(
                "exercise",
                {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID},
                description="Only this exercise's records.",
            ),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if UPDATED_SINCE in self.request.query_params:
            # Records are computed from every log (a deleted log can lower one): there are no
            # changed rows to send, so the list is read whole (one item per exercise and kind).
            raise ValidationError(
                {UPDATED_SINCE: ["Personal records are computed from all logs: read them whole."]},
                code="not_supported",
            )
        query = _query(self.request, "client", "exercise")
        client = _client(self.request, query)
        return selectors.personal_records(
            user=self.request.user, client=client, exercise_id=query.get("exercise")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        names = dict(
            Exercise.objects.filter(pk__in={r.exercise_id for r in page}).values_list("id", "name")
        )
        items = [
            {
                "exercise_id": r.exercise_id,
                "exercise_name": names.get(r.exercise_id, ""),
                "kind": r.kind,
                "value": r.value,
                "date": r.date,
                "weight_kg": r.weight_kg,
                "reps": r.reps,
            }
            for r in page
        ]
        return self.get_paginated_response(RecordSerializer(items, many=True).data)
