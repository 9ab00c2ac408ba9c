"""Workout logs, meal logs and check-ins: written by clients, read by them and their trainer."""

from __future__ import annotations

from datetime import timedelta

from django.http import FileResponse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from fitbud.api.conditional import ConditionalWriteMixin
from fitbud.api.filters import FilterBackend, UpdatedSinceFilter
from fitbud.api.idempotency import idempotent
from fitbud.api.pagination import CursorPagination
from fitbud.api.permissions import ActiveClientCanWrite, IsTrainer, IsTrainerOrClient
from fitbud.api.schema import ErrorResponse400Serializer, error_response
from progress import photo_files, selectors, services
from progress.api import filters, serializers
from progress.api.parsers import PhotoMultiPartParser
from progress.models import BodyStat, CheckIn, MealLog, MetricType, ProgressPhoto, WorkoutLog


class ClientWritesOnly(BasePermission):
    """Logs are the client's own record: trainers read them but never write them."""

    message = "Only clients write their logs and check-ins; trainers can read them."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or request.user.is_client


class EntryPagination(CursorPagination):
    # Newest recorded first; created_at then the key keeps pages stable while rows arrive.
    ordering = ("-created_at", "-id")


class EntryViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsTrainerOrClient, ActiveClientCanWrite, ClientWritesOnly]
    pagination_class = EntryPagination
    filter_backends = [FilterBackend, UpdatedSinceFilter]
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
    # Only workout logs reference another object (the assignment they follow).
    references = (
        {
            404: error_response(
                "`assignment` is not one of your workout plans (`attr: assignment`).",
                "not_found",
            )
        }
        if noun == "workout log"
        else {}
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
            responses={201: output, 200: output, 409: conflict, **references},
            examples=[OpenApiExample(f"A {noun}", value=created_example, request_only=True)],
        ),
        partial_update=extend_schema(
            summary=f"Change a {noun} (client)",
            description="Allowed for 7 days after the entry was logged.",
            request=update,
            responses={200: output, 409: locked, **references},
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


# Progress photos ---------------------------------------------------------------------------

PHOTO_404 = error_response("No photo of yours (or your client's) has this id.", "not_found")


@extend_schema_view(
    list=extend_schema(
        summary="List progress photos",
        description=(
            "Newest first (cursor pagination). A client sees their own photos; a trainer sees "
            "their clients' photos and narrows them with `?client=<Client id>`. Every photo "
            "carries signed URLs that expire at `expires_at` (a few minutes): list again "
            "for fresh ones."
        ),
    ),
    retrieve=extend_schema(summary="Get a progress photo"),
    destroy=extend_schema(
        summary="Delete a progress photo (client)",
        description="Deletes the photo and, once that has committed, its files.",
        responses={204: None},
    ),
)
class PhotoViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ProgressPhoto.objects.none()  # the model for the schema; get_queryset scopes rows
    serializer_class = serializers.PhotoSerializer
    permission_classes = [IsTrainerOrClient, ActiveClientCanWrite, ClientWritesOnly]
    pagination_class = EntryPagination
    filter_backends = [FilterBackend, UpdatedSinceFilter]
    filterset_class = filters.PhotoFilter
    # Multipart here only (POST photos/); the rest of the API stays JSON-only.
    parser_classes = [PhotoMultiPartParser]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.photo_list(user=self.request.user)

    @extend_schema(
        summary="Upload a progress photo (client)",
        description=(
            "`multipart/form-data` with `image`, `date`, `pose` and optionally `check_in`. "
            "The file must decode as one still JPEG, PNG or WebP image (HEIC is not accepted: "
            "phones export JPEG), at most 15 MB and 40 megapixels; SVG, truncated files, "
            "files with another file appended (polyglots) and decompression bombs are "
            "refused. EXIF, GPS and every other metadata are removed and the orientation is "
            "applied before the photo is stored. The thumbnail is made in the background: "
            "`thumbnail_url` is null until it exists."
        ),
        request={"multipart/form-data": serializers.PhotoUploadSerializer},
        responses={
            201: serializers.PhotoSerializer,
            400: OpenApiResponse(
                ErrorResponse400Serializer,
                description=(
                    "Invalid form or image. Image codes: `not_an_image`, `unsupported_format`, "
                    "`svg_not_allowed`, `image_corrupt`, `image_truncated`, `image_polyglot`, "
                    "`image_animated` (attr `image`)."
                ),
            ),
            404: error_response(
                "`check_in` is not one of your check-ins (`attr: check_in`).", "not_found"
            ),
            413: error_response(
                "The file is over 15 MB, or the image over 40 megapixels.",
                "file_too_large",
                "too_many_pixels",
                "decompression_bomb",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = serializers.PhotoUploadSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        photo = services.photo_upload(client=request.user.client_link, **serializer.validated_data)
        return Response(self.get_serializer(photo).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance) -> None:
        services.photo_delete(photo=instance)

    @extend_schema(
        summary="Compare two progress photos",
        description=(
            "Both photos (each must be yours, or your client's) with their dates and the "
            "days between them (`after.date - before.date`)."
        ),
        parameters=[serializers.PhotoCompareQuerySerializer],
        responses={
            200: serializers.PhotoCompareSerializer,
            404: error_response(
                "`before` or `after` is not a photo you can see (attr names which).",
                "not_found",
            ),
        },
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def compare(self, request, *args, **kwargs):
        query = serializers.PhotoCompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        visible = self.get_queryset()
        found = {}
        for name in ("before", "after"):
            photo = visible.filter(pk=query.validated_data[name]).first()
            if photo is None:
                raise NotFound(
                    {name: ErrorDetail("No photo you can see has this id.", "not_found")}
                )
            found[name] = photo
        context = self.get_serializer_context()
        return Response(
            {
                "before": serializers.PhotoSerializer(found["before"], context=context).data,
                "after": serializers.PhotoSerializer(found["after"], context=context).data,
                "days_between": (found["after"].date - found["before"].date).days,
            }
        )


class PhotoFileView(APIView):
    """A photo file by signed token (filesystem storage). The token is the credential, as a
    presigned S3 URL is: no JWT, so an <img src> can load it. Not an API operation (a
    binary answer with opaque URLs), hence left out of the schema."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request, token: str):
        try:
            key, seconds_left = photo_files.key_from_token(token)
        except photo_files.TokenExpired:
            raise PermissionDenied("This photo link has expired.", code="url_expired") from None
        except photo_files.TokenInvalid:
            raise NotFound() from None
        storage = photo_files.photo_storage()
        try:
            handle = storage.open(key, "rb")
        except (FileNotFoundError, OSError):
            raise NotFound() from None
        response = FileResponse(handle, content_type=_content_type(key))
        response["Cache-Control"] = f"private, max-age={seconds_left}"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = "inline"
        return response


def _content_type(key: str) -> str:
    extension = key.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
        extension, "application/octet-stream"
    )


# Body metrics ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List body stats",
        description=(
            "Newest first (cursor pagination); values in the caller's units. A trainer "
            "narrows them with `?client=<Client id>`."
        ),
    ),
    retrieve=extend_schema(summary="Get a body stat"),
    destroy=extend_schema(summary="Delete a body stat (client)", responses={204: None}),
)
class BodyStatViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = BodyStat.objects.none()  # the model for the schema; get_queryset scopes rows
    serializer_class = serializers.BodyStatSerializer
    permission_classes = [IsTrainerOrClient, ActiveClientCanWrite, ClientWritesOnly]
    pagination_class = EntryPagination
    filter_backends = [FilterBackend, UpdatedSinceFilter]
    filterset_class = filters.BodyStatFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.body_stat_list(user=self.request.user)

    @extend_schema(
        summary="Log a body stat (client)",
        description=(
            "`value` is in your units (kg or lb, cm or in, %). Send your own UUID `id` to "
            "make the request safe to retry: the first request creates the entry (201); a "
            "retry with the same `id` returns the stored entry unchanged (200)."
        ),
        request=serializers.BodyStatInputSerializer,
        responses={
            201: serializers.BodyStatSerializer,
            200: serializers.BodyStatSerializer,
            409: error_response("The id belongs to another user's entry.", "id_in_use"),
        },
        examples=[
            OpenApiExample(
                "A weight",
                value={
                    "id": "5d0e3c1a-8b7f-4e2d-9c6a-1f2e3d4c5b6a",
                    "date": "2026-11-27",
                    "metric": "weight",
                    "value": 81.4,
                },
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        serializer = serializers.BodyStatInputSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        stat, created = services.body_stat_create(
            client=request.user.client_link, **serializer.validated_data
        )
        return Response(
            self.get_serializer(stat).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def perform_destroy(self, instance) -> None:
        services.body_stat_delete(stat=instance)

    @extend_schema(
        summary="Import body stats from the phone's health store (client)",
        description=(
            "A batch (up to 1,000 records) from Apple Health or Health Connect, each with the "
            "store's record id (`source_id`). A record already stored for you and this "
            "`source` is skipped, so re-sending a batch never duplicates; the first value "
            "stored under a record id stays. Values are in your units. Any invalid record "
            "refuses the whole batch (400 naming `records[i].field`). One feed event per "
            "batch that stored something."
        ),
        request=serializers.BodyStatImportSerializer,
        responses={200: serializers.BodyStatImportResultSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        filter_backends=[],
        pagination_class=None,
    )
    def import_(self, request, *args, **kwargs):
        serializer = serializers.BodyStatImportSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        result = services.body_stats_import(
            client=request.user.client_link, **serializer.validated_data
        )
        return Response(serializers.BodyStatImportResultSerializer(result).data)


class MetricSeriesView(APIView):
    permission_classes = [IsTrainerOrClient]

    @extend_schema(
        tags=["metrics"],
        summary="A body metric as a series for a chart",
        description=(
            "One point per day from `from` to `to` (default: the last 90 days up to the "
            "caller's today; at most 731 days), oldest first, in the caller's units (`unit`). "
            "Check-in weights and measurements are merged with body-stat entries; on a day "
            "with both, the entry wins (the latest recorded). A client reads their own; a "
            "trainer names the client (`?client=`)."
        ),
        parameters=[serializers.MetricSeriesQuerySerializer],
        responses={
            200: serializers.MetricSeriesSerializer,
            404: error_response(
                "`client` is not a client of yours, or is missing (attr `client`).",
                "not_found",
                "required",
            ),
        },
    )
    def get(self, request):
        query = serializers.MetricSeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        client = selectors.client_for(user=request.user, client_id=data.get("client"))
        metric = selectors.metric_definition(user=request.user, slug=data["metric"])
        if metric is None:
            raise ValidationError(
                {"metric": [ErrorDetail("No such metric.", code="unknown_metric")]}
            )
        date_to = data.get("to") or request.user.local_today()
        date_from = data.get("from") or date_to - timedelta(days=90)
        if date_from > date_to:
            raise ValidationError(
                {"from": [ErrorDetail("`from` must not be after `to`.", code="invalid")]}
            )
        series = selectors.metric_series(
            user=request.user, client=client, metric=metric, date_from=date_from, date_to=date_to
        )
        return Response(series)  # already JSON-shaped (selectors.metric_series)


class TrainerWritesMetricTypes(BasePermission):
    message = "Only trainers define metric types; their clients can read them."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or request.user.is_trainer

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if selectors.metric_type_editable(user=request.user, metric_type=obj):
            return True
        raise PermissionDenied(
            "Only its author and the studio's owners and admins change a metric type.",
            code="metric_type_not_editable",
        )


@extend_schema_view(
    list=extend_schema(
        summary="List metric types",
        description=(
            "The studio's custom metrics: every member and client of the studio sees them "
            "(its author and the studio's owners and admins change one: otherwise 403 "
            "`metric_type_not_editable`)."
        ),
    ),
    retrieve=extend_schema(summary="Get a metric type"),
    destroy=extend_schema(
        summary="Delete a metric type (trainer)",
        responses={
            204: None,
            409: error_response("Entries use this metric type.", "metric_type_in_use"),
        },
    ),
)
class MetricTypeViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = MetricType.objects.none()  # the model for the schema; get_queryset scopes rows
    serializer_class = serializers.MetricTypeSerializer
    permission_classes = [IsTrainerOrClient, TrainerWritesMetricTypes]
    filter_backends = [UpdatedSinceFilter]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.metric_type_list(user=self.request.user)

    @extend_schema(
        summary="Define a metric type (trainer)",
        description=(
            "`kind` decides the unit: mass (kg, shown in lb to imperial users), length (cm "
            "/ in), percent (%), or number with your own `unit` (never converted). Its "
            "`slug` (default: from the name) is what body stats and `metrics/?metric=` use."
        ),
        request=serializers.MetricTypeInputSerializer,
        responses={
            201: serializers.MetricTypeSerializer,
            409: error_response(
                "The studio already has a metric type with this slug.", "slug_taken"
            ),
        },
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = serializers.MetricTypeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        metric_type = services.metric_type_create(trainer=request.user, **serializer.validated_data)
        return Response(self.get_serializer(metric_type).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rename a metric type (trainer)",
        request=serializers.MetricTypeUpdateSerializer,
        responses={200: serializers.MetricTypeSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        metric_type = self.get_object()
        serializer = serializers.MetricTypeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        metric_type = services.metric_type_update(
            metric_type=metric_type, changes=serializer.validated_data
        )
        return Response(self.get_serializer(metric_type).data)

    def perform_destroy(self, instance) -> None:
        services.metric_type_delete(metric_type=instance)
