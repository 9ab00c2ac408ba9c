"""`sync/`: the WatermelonDB pull (GET) and push (POST) endpoints (docs/sync.md)."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiTypes,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fitbud.api.permissions import ActiveClientCanWrite, IsTrainerOrClient
from fitbud.api.schema import error_response
from fitbud.api.serializers import StrictSerializer
from sync import selectors, services
from sync.tables import TABLES

MAX_PUSH_RECORDS = 1000
# Far enough in the future to be a mistake, not a clock a few minutes ahead.
FUTURE_TOLERANCE_MS = 24 * 3600 * 1000


class LastPulledAtSerializer(StrictSerializer):
    # A query string: digits only (the strict serializers take no numbers as text).
    last_pulled_at = serializers.RegexField(
        r"^[0-9]{1,15}$",
        required=False,
        help_text="The `timestamp` of your last successful pull (ms since the epoch); "
        "absent or 0 for everything.",
        error_messages={"invalid": "A whole number of milliseconds since the epoch."},
    )

    def validate_last_pulled_at(self, value: str) -> int:
        ms = int(value)
        if ms > selectors.to_ms(selectors.timezone.now()) + FUTURE_TOLERANCE_MS:
            raise ValidationError("This is in the future: send a timestamp a pull returned.")
        return ms


class TableChangesSerializer(StrictSerializer):
    created = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    updated = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    deleted = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list
    )

    def validate(self, attrs):
        for kind in ("created", "updated"):
            for index, record in enumerate(attrs[kind]):
                if not isinstance(record.get("id"), str) or not record["id"]:
                    raise ValidationError(
                        {kind: {index: {"id": [ErrorDetail("A string id.", code="required")]}}}
                    )
        return attrs


class PushSerializer(StrictSerializer):
    changes = serializers.DictField(child=TableChangesSerializer())

    def validate_changes(self, value):
        unknown = sorted(set(value) - set(TABLES))
        if unknown:
            raise ValidationError(
                {
                    name: [ErrorDetail("No such sync table.", code="unknown_table")]
                    for name in unknown
                }
            )
        total = sum(
            len(v["created"]) + len(v["updated"]) + len(v["deleted"]) for v in value.values()
        )
        if total > MAX_PUSH_RECORDS:
            raise ValidationError(
                f"At most {MAX_PUSH_RECORDS} records per push: send the rest in another one."
            )
        return value


class TableDocSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.DictField())
    updated = serializers.ListField(child=serializers.DictField())
    deleted = serializers.ListField(child=serializers.CharField())


class PullSerializer(serializers.Serializer):
    changes = serializers.DictField(
        child=TableDocSerializer(),
        help_text="One entry per table: " + ", ".join(TABLES) + ". Rows have the shape of "
        "the table's REST endpoint, with `id` as a string.",
    )
    timestamp = serializers.IntegerField(
        help_text="Send it back as `last_pulled_at` next time (ms since the epoch)."
    )


class PushResultSerializer(serializers.Serializer):
    replayed = serializers.BooleanField(
        help_text="True when this exact push was applied before (nothing applied again)."
    )
    applied = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Records applied per table and kind.",
    )


LAST_PULLED_AT = OpenApiParameter(
    "last_pulled_at",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description="The `timestamp` of the last successful pull (ms); absent or 0: everything.",
)

RESET = error_response(
    "`last_pulled_at` is older than the tombstone retention (SYNC_TOMBSTONE_RETENTION_DAYS, "
    "30 days), or the member changed studios since (removed from the studio): the device "
    "must reset its database and pull everything (docs/sync.md).",
    "sync_reset_required",
)


def _since(request) -> object:
    query = LastPulledAtSerializer(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    ms = query.validated_data.get("last_pulled_at")
    return selectors.from_ms(ms) if ms else None


class SyncView(APIView):
    permission_classes = [IsTrainerOrClient, ActiveClientCanWrite]

    @extend_schema(
        operation_id="sync_pull",
        summary="Pull changes (WatermelonDB)",
        description=(
            "Everything the caller may see that changed after `last_pulled_at`, per table: "
            "`created` (rows made after it, or of a client you newly see), `updated`, and "
            "`deleted` ids (deleted rows, and rows of clients you no longer see). The "
            "response is streamed table by table. Rows near the returned `timestamp` may "
            "come again in the next pull (the clock rule of docs/sync.md)."
        ),
        parameters=[LAST_PULLED_AT],
        responses={200: PullSerializer, 410: RESET},
        examples=[
            OpenApiExample(
                "An incremental pull",
                value={
                    "changes": {
                        "workout_logs": {
                            "created": [],
                            "updated": [
                                {
                                    "id": "6f1c1e5e-4a8e-4d3b-9a53-2d1f0b6c7a10",
                                    "client": 3,
                                    "date": "2026-11-27",
                                    "effort": 8,
                                }
                            ],
                            "deleted": ["0b7d2c8e-3f51-4a4e-8f0c-5b2f6f1d9e21"],
                        }
                    },
                    "timestamp": 1795000000000,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        since = _since(request)
        try:
            plan = selectors.pull_plan(user=request.user, since=since)
        except selectors.ResetRequired as reset:
            return Response(
                {
                    "type": "client_error",
                    "errors": [
                        {
                            "code": "sync_reset_required",
                            "detail": (
                                "Reset the local database and pull everything again "
                                f"({reset.args[0].replace('_', ' ')})."
                            ),
                            "attr": "last_pulled_at",
                        }
                    ],
                },
                status=status.HTTP_410_GONE,
            )
        response = StreamingHttpResponse(
            selectors.coalesce(selectors.pull_json(plan, context={"request": request})),
            content_type="application/json",
        )
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        operation_id="sync_push",
        summary="Push changes (WatermelonDB)",
        description=(
            "The device's changes to the client's own records, applied all together or not "
            "at all, through the same rules as the REST endpoints. Clients push "
            "workout_logs, meal_logs, check_ins (created, updated, deleted), body_stats "
            "(created, deleted), habit_checks (id `<habit>:<date>`), form_responses "
            "(created) and messages (created; updated and deleted by their author within the "
            "edit window); members push messages only. 409 when a record was changed on the "
            "server after `last_pulled_at`: pull, then push again. The same push sent twice is applied once (`replayed`)."
        ),
        parameters=[LAST_PULLED_AT],
        request=PushSerializer,
        responses={
            200: PushResultSerializer,
            403: error_response(
                "Members push messages only; a deactivated client pushes nothing; a message is "
                "changed by its author within the edit window.",
                "sync_push_forbidden",
                "not_author",
                "edit_window_closed",
                "client_inactive",
            ),
            409: error_response(
                "Records changed (or deleted) on the server after `last_pulled_at`: one "
                "error per record (attr `changes.<table>`), and beside `errors` a "
                "`conflicts` object with every conflicting id per table; nothing was "
                "applied. Pull, then push again. A record a service refuses as a conflict "
                "(an id used by another user, a check-in week taken, an entry past its "
                "edit window) answers 409 with that service's code at the record's path.",
                "sync_conflict",
                "id_in_use",
                "checkin_exists",
                "edit_window_closed",
            ),
        },
        examples=[
            OpenApiExample(
                "A workout logged offline",
                value={
                    "changes": {
                        "workout_logs": {
                            "created": [
                                {
                                    "id": "6f1c1e5e-4a8e-4d3b-9a53-2d1f0b6c7a10",
                                    "date": "2026-11-27",
                                    "exercises": [
                                        {"name": "Squat", "sets": [{"reps": 5, "done": True}]}
                                    ],
                                }
                            ],
                            "updated": [],
                            "deleted": [],
                        }
                    }
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        since = _since(request)
        body = PushSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if since is None:
            since = selectors.from_ms(0)
        try:
            result = services.sync_push(
                user=request.user,
                since=since,
                changes=body.validated_data["changes"],
                context={"request": request},
            )
        except services.PushConflict as conflict:
            return Response(
                {
                    "type": "client_error",
                    "errors": [
                        {
                            "code": "sync_conflict",
                            "detail": f"Changed on the server after last_pulled_at: {sync_id}.",
                            "attr": f"changes.{table}",
                        }
                        for table, ids in conflict.conflicts.items()
                        for sync_id in ids
                    ][:20],
                    "conflicts": conflict.conflicts,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(result)
