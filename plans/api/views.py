from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, NotFound, PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from fitbud.api.conditional import ConditionalWriteMixin
from fitbud.api.filters import (
    BoundedSearchFilter,
    FilterBackend,
    StrictOrderingFilter,
    UpdatedSinceFilter,
)
from fitbud.api.idempotency import idempotent
from fitbud.api.permissions import IsTrainer, IsTrainerOrClient
from fitbud.api.response_cache import CachedListMixin
from fitbud.api.schema import error_response
from plans import selectors, services
from plans.api.filters import AssignmentFilter, TemplateFilter
from plans.api.serializers import (
    AssignmentCreateSerializer,
    AssignmentEndSerializer,
    AssignmentSerializer,
    TemplateCreateSerializer,
    TemplateDuplicateSerializer,
    TemplateSerializer,
    TemplateUpdateSerializer,
)
from plans.content import EXAMPLE_DIET_CONTENT, EXAMPLE_WORKOUT_CONTENT
from plans.models import PlanAssignment, PlanTemplate

TEMPLATE_EXAMPLES = [
    OpenApiExample(
        "Workout template",
        request_only=True,
        value={
            "kind": "workout",
            "name": "Upper / lower split",
            "description": "Three-day cycle: upper, rest, lower.",
            "content": EXAMPLE_WORKOUT_CONTENT,
        },
    ),
    OpenApiExample(
        "Diet template",
        request_only=True,
        value={
            "kind": "diet",
            "name": "Lean bulk 2200 kcal",
            "description": "Training and rest days alternate.",
            "content": EXAMPLE_DIET_CONTENT,
        },
    ),
    OpenApiExample(
        "Workout template created",
        response_only=True,
        status_codes=["201", "200"],
        value={
            "id": 12,
            "kind": "workout",
            "name": "Upper / lower split",
            "description": "Three-day cycle: upper, rest, lower.",
            "content": EXAMPLE_WORKOUT_CONTENT,
            "version": 1,
            "archived": False,
            "created_at": "2026-11-27T09:30:00.000000Z",
            "updated_at": "2026-11-27T09:30:00.000000Z",
        },
    ),
    OpenApiExample(
        "Diet template created",
        response_only=True,
        status_codes=["201", "200"],
        value={
            "id": 13,
            "kind": "diet",
            "name": "Lean bulk 2200 kcal",
            "description": "Training and rest days alternate.",
            "content": EXAMPLE_DIET_CONTENT,
            "version": 1,
            "archived": False,
            "created_at": "2026-11-27T09:31:00.000000Z",
            "updated_at": "2026-11-27T09:31:00.000000Z",
        },
    ),
]

ASSIGNMENT_EXAMPLE = OpenApiExample(
    "Workout assignment",
    response_only=True,
    status_codes=["201", "200"],
    value={
        "id": 40,
        "client": 7,
        "template": 12,
        "template_version": 3,
        "kind": "workout",
        "name": "Upper / lower split",
        "snapshot": EXAMPLE_WORKOUT_CONTENT,
        "start_date": "2026-11-30",
        "end_date": None,
        "status": "active",
        "ended_at": None,
        "created_at": "2026-11-27T09:40:00.000000Z",
        "updated_at": "2026-11-27T09:40:00.000000Z",
    },
)

KIND_CONFLICT = error_response(
    "The template's kind cannot change; create a new template instead.", "immutable"
)
CONFLICT = error_response("The assignment has already ended.", "already_ended")
CONFLICT_OVERLAP = error_response(
    "A concurrent request created an overlapping assignment; retry.", "assignment_overlap"
)
NOT_FOUND = OpenApiResponse(
    ErrorResponse404Serializer,
    description="The client or template does not exist or is not yours (`attr` names it).",
)


@extend_schema_view(
    list=extend_schema(
        summary="List your plan templates",
        description="Your own templates only. Filter by `kind` and `archived`, search by name.",
    ),
    retrieve=extend_schema(summary="Get a template"),
    destroy=extend_schema(
        summary="Delete a template",
        description="Existing assignments keep their snapshot; their `template` becomes null.",
    ),
)
class TemplateViewSet(ConditionalWriteMixin, CachedListMixin, viewsets.ModelViewSet):
    """Trainers' reusable workout and diet plans."""

    permission_classes = [IsTrainer]
    serializer_class = TemplateSerializer
    filter_backends = [
        FilterBackend,
        BoundedSearchFilter,
        StrictOrderingFilter,
        UpdatedSinceFilter,
    ]
    filterset_class = TemplateFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["-updated_at", "-id"]
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlanTemplate.objects.none()
        return selectors.template_list(trainer=self.request.user)

    @extend_schema(
        summary="Create a template",
        request=TemplateCreateSerializer,
        responses={201: TemplateSerializer},
        examples=TEMPLATE_EXAMPLES,
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = _validated(TemplateCreateSerializer, request.data)
        template = services.template_create(trainer=request.user, **data)
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace a template",
        description=(
            "`version` goes up by one when name, description or content change; archiving "
            "alone keeps it. `kind` cannot change."
        ),
        request=TemplateUpdateSerializer,
        responses={200: TemplateSerializer, 409: KIND_CONFLICT},
        examples=TEMPLATE_EXAMPLES,
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary='Change some fields of a template (e.g. `{"archived": true}`)',
        description=(
            'Send `{"archived": true}` to archive (archived templates cannot be assigned) '
            'and `{"archived": false}` to unarchive.'
        ),
        request=TemplateUpdateSerializer,
        responses={200: TemplateSerializer, 409: KIND_CONFLICT},
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    def _check_editable(self, template):
        if not selectors.template_editable(trainer=self.request.user, template=template):
            raise PermissionDenied(
                "Only its author and the studio's owners and admins edit a studio template.",
                code="template_not_editable",
            )

    def _update(self, request, *, partial: bool):
        template = self.get_object()
        self._check_editable(template)
        data = _validated(TemplateUpdateSerializer, request.data, partial=partial)
        if "archived" in data:
            data["is_archived"] = data.pop("archived")
        template = services.template_update(template=template, data=data)
        return Response(TemplateSerializer(template).data)

    def perform_destroy(self, instance):
        self._check_editable(instance)
        services.template_delete(template=instance)

    @extend_schema(
        summary="Duplicate a template",
        description='A new template at version 1, named "<name> (copy)" unless a name is sent.',
        request=TemplateDuplicateSerializer,
        responses={201: TemplateSerializer},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def duplicate(self, request, pk=None):
        template = self.get_object()
        data = _validated(TemplateDuplicateSerializer, request.data)
        copy = services.template_duplicate(
            template=template, trainer=request.user, name=data.get("name")
        )
        return Response(TemplateSerializer(copy).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List plan assignments",
        description=(
            "Trainers see their clients' assignments (`?client=<id>` narrows to one client); "
            "clients see their own."
        ),
    ),
    retrieve=extend_schema(summary="Get an assignment", examples=[ASSIGNMENT_EXAMPLE]),
)
class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Plans given to clients, each with an immutable snapshot of the template."""

    serializer_class = AssignmentSerializer
    # No free-text search here: the default SearchFilter would document a no-op `search`.
    filter_backends = [FilterBackend, StrictOrderingFilter, UpdatedSinceFilter]
    filterset_class = AssignmentFilter
    ordering_fields = ["start_date", "created_at"]
    ordering = ["-start_date", "-id"]
    lookup_value_regex = "[0-9]+"

    def get_permissions(self):
        if self.request is not None and self.request.method in SAFE_METHODS:
            return [IsTrainerOrClient()]
        return [IsTrainer()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlanAssignment.objects.none()
        return selectors.assignment_list(user=self.request.user)

    @extend_schema(
        summary="Assign a template to a client",
        description=(
            "Copies the template's content (`snapshot`), kind, name and version. An active "
            "assignment of the same kind that started earlier ends the day before "
            "`start_date`; one that would start on or after it is cancelled. An unknown "
            "client or template, or one that is not yours, is a 404 naming the field."
        ),
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer, 404: NOT_FOUND, 409: CONFLICT_OVERLAP},
        examples=[
            OpenApiExample(
                "Assign from Monday",
                request_only=True,
                value={"client": 7, "template": 12, "start_date": "2026-11-30"},
            ),
            ASSIGNMENT_EXAMPLE,
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = _validated(AssignmentCreateSerializer, request.data)
        template = selectors.trainer_template(trainer=request.user, template_id=data["template"])
        client = selectors.trainer_client(
            trainer=request.user,
            client_id=data["client"],
            kind=template.kind if template is not None else None,
        )
        missing = {}
        if client is None:
            missing["client"] = ErrorDetail("Client not found.", code="not_found")
        if template is None:
            missing["template"] = ErrorDetail("Template not found.", code="not_found")
        if missing:
            raise NotFound(missing)
        assignment = services.plan_assign(
            template=template,
            client=client,
            start_date=data["start_date"],
            end_date=data["end_date"],
            assigned_by=request.user,
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="End an assignment early",
        description=(
            "`end_date` (default: today in your timezone) becomes its last day. Ending on "
            "today or earlier sets `status` to `ended`; a later date schedules the end. An "
            "assignment that has not started yet is cancelled. The end never moves later."
        ),
        request=AssignmentEndSerializer,
        responses={200: AssignmentSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        data = _validated(AssignmentEndSerializer, request.data)
        assignment = services.assignment_end(
            assignment=assignment, end_date=data["end_date"], ended_by=request.user
        )
        return Response(AssignmentSerializer(assignment).data)


def _validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
