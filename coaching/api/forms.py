"""forms/, form-assignments/ and form-responses/: questionnaires, who answers them, answers."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, NotFound, PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from coaching.models import (
    CheckInForm,
    FormAssignment,
    FormKind,
    FormResponse,
    FormVersion,
    QuestionType,
)
from coaching.selectors import forms as selectors
from coaching.services import forms as services
from fitbud.api.conditional import ConditionalWriteMixin
from fitbud.api.filters import (
    MAX_ID,
    BooleanFilter,
    FilterBackend,
    IdFilter,
    StrictFilterSet,
    UpdatedSinceFilter,
)
from fitbud.api.idempotency import idempotent
from fitbud.api.permissions import ActiveClientCanWrite, IsTrainer, IsTrainerOrClient
from fitbud.api.schema import error_response
from fitbud.api.serializers import StrictSerializer
from plans.models import LibraryScope
from progress.api.serializers import EntryIdField

MAX_QUESTIONS = 100
MAX_OPTIONS = 50
NUMBER_LIMIT = 1_000_000_000
CHOICE_TYPES = {QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE}


class QuestionSerializer(StrictSerializer):
    key = serializers.RegexField(
        r"^[a-z][a-z0-9_]*$",
        max_length=50,
        help_text="Unique within the form: lowercase letters, digits and _ (answers name it).",
    )
    type = serializers.ChoiceField(choices=QuestionType.choices)
    label = serializers.CharField(max_length=300)
    required = serializers.BooleanField()
    options = serializers.ListField(
        child=serializers.CharField(max_length=100),
        min_length=2,
        max_length=MAX_OPTIONS,
        required=False,
        help_text="The choices (single_choice and multi_choice only, required there).",
    )
    unit = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="number questions only."
    )
    min = serializers.FloatField(
        min_value=-NUMBER_LIMIT, max_value=NUMBER_LIMIT, required=False, help_text="number only."
    )
    max = serializers.FloatField(
        min_value=-NUMBER_LIMIT, max_value=NUMBER_LIMIT, required=False, help_text="number only."
    )

    def validate(self, attrs):
        kind = attrs["type"]
        errors = {}
        if kind in CHOICE_TYPES:
            options = attrs.get("options")
            if options is None:
                errors["options"] = ErrorDetail("Choice questions need options.", "required")
            elif len(set(options)) != len(options):
                errors["options"] = ErrorDetail("Options must be distinct.", "duplicate")
        elif "options" in attrs:
            errors["options"] = ErrorDetail("Only choice questions have options.", "not_allowed")
        for field in ("unit", "min", "max"):
            if field in attrs and kind != QuestionType.NUMBER:
                errors[field] = ErrorDetail("Only number questions have this.", "not_allowed")
        low, high = attrs.get("min"), attrs.get("max")
        if low is not None and high is not None and low > high:
            errors["max"] = ErrorDetail("max cannot be below min.", "invalid")
        if errors:
            raise serializers.ValidationError(errors)
        # Stored in a fixed key order, with only the keys that apply.
        return {
            name: attrs[name]
            for name in ("key", "type", "label", "required", "options", "unit", "min", "max")
            if name in attrs
        }


class QuestionListField(serializers.ListField):
    child = QuestionSerializer()

    def __init__(self, **kwargs):
        super().__init__(min_length=1, max_length=MAX_QUESTIONS, **kwargs)

    def to_internal_value(self, data):
        questions = super().to_internal_value(data)
        seen: dict[str, int] = {}
        errors = {}
        for index, question in enumerate(questions):
            if question["key"] in seen:
                errors[index] = {
                    "key": [ErrorDetail("Another question has this key.", "duplicate")]
                }
            seen.setdefault(question["key"], index)
        if errors:
            raise serializers.ValidationError(errors)
        return questions


class FormInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=FormKind.choices)
    questions = QuestionListField(help_text="Ordered questions (1 to 100).")
    scope = serializers.ChoiceField(
        choices=LibraryScope.choices,
        required=False,
        help_text="personal (default): yours alone; studio: in the studio's library.",
    )


class FormUpdateSerializer(FormInputSerializer):
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class FormSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = CheckInForm
        fields = [
            "id",
            "name",
            "kind",
            "scope",
            "trainer",
            "version",
            "questions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FormVersionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = FormVersion
        fields = ["id", "form", "version", "name", "kind", "questions"]
        read_only_fields = fields


class FormAssignInputSerializer(StrictSerializer):
    client = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class FormAssignmentSerializer(serializers.ModelSerializer):
    form_version = FormVersionSerializer(read_only=True)

    class Meta:
        model = FormAssignment
        fields = [
            "id",
            "client",
            "form",
            "kind",
            "status",
            "form_version",
            "created_at",
            "ended_at",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "oneOf": [
            {"type": "number"},
            {"type": "string", "maxLength": services.LONG_TEXT_MAX},
            {"type": "boolean"},
            {"type": "array", "items": {"type": "string", "maxLength": 100}, "maxItems": 50},
        ]
    }
)
class AnswerValueField(serializers.JSONField):
    """Any JSON value; its type is checked against the question (in the service)."""


class AnswerSerializer(StrictSerializer):
    key = serializers.CharField(max_length=50)
    value = AnswerValueField(
        help_text="By question type: number (number), whole number 1-10 (scale), one option "
        "(single_choice), a list of options (multi_choice), text (short_text up to 200, "
        "long_text up to 5000), true/false (yes_no), a progress photo id (photo). An empty "
        "string or list is not an answer; leave an unanswered question out.",
    )


class FormResponseInputSerializer(StrictSerializer):
    id = EntryIdField(
        required=False, help_text="Client-generated UUID; resending it returns the stored response."
    )
    form_assignment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    answers = serializers.ListField(child=AnswerSerializer(), max_length=MAX_QUESTIONS)


class StoredAnswerSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.JSONField()


class FormResponseSerializer(serializers.ModelSerializer):
    form_assignment = serializers.IntegerField(source="assignment_id", read_only=True)
    form_version = FormVersionSerializer(read_only=True)
    answers = StoredAnswerSerializer(many=True, read_only=True)
    week_start = serializers.DateField(
        read_only=True, allow_null=True, help_text="Monday of the ISO week (weekly forms)."
    )
    feedback = serializers.CharField(read_only=True, help_text="The trainer's review.")

    class Meta:
        model = FormResponse
        fields = [
            "id",
            "client",
            "form_assignment",
            "form_version",
            "date",
            "week_start",
            "answers",
            "feedback",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = fields


class ReviewSerializer(StrictSerializer):
    feedback = serializers.CharField(max_length=5000, trim_whitespace=True)


class ClientFilter(StrictFilterSet):
    client = IdFilter(field_name="client_id", help_text="Only this client's rows (trainers).")


class FormAssignmentFilter(ClientFilter):
    class Meta:
        model = FormAssignment
        fields = ["client"]


class FormResponseFilter(ClientFilter):
    reviewed = BooleanFilter(
        field_name="reviewed_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: reviewed responses only; false: those awaiting review.",
    )

    class Meta:
        model = FormResponse
        fields = ["client", "reviewed"]


NOT_EDITABLE = OpenApiResponse(
    description="A studio library form is edited by its author and the studio's managers "
    "(`template_not_editable`)."
)
CLIENT_NOT_FOUND = OpenApiResponse(
    ErrorResponse404Serializer, description="The client is not one you see (`attr: client`)."
)
FORM_EXAMPLE = {
    "name": "Weekly check-in",
    "kind": "weekly",
    "questions": [
        {
            "key": "weight",
            "type": "number",
            "label": "Weight",
            "required": True,
            "unit": "kg",
            "min": 20,
            "max": 400,
        },
        {"key": "energy", "type": "scale", "label": "Energy this week", "required": True},
        {"key": "wins", "type": "long_text", "label": "Wins", "required": False},
    ],
}


@extend_schema_view(
    list=extend_schema(
        summary="List check-in forms", description="Your own forms and the studio's library."
    ),
    retrieve=extend_schema(summary="Get a form"),
    destroy=extend_schema(
        summary="Delete a form",
        description="Assignments and responses keep their version; their `form` becomes null.",
        responses={204: None, 403: NOT_EDITABLE},
    ),
)
class FormViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsTrainer]
    serializer_class = FormSerializer
    filter_backends = [UpdatedSinceFilter]
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckInForm.objects.none()
        return selectors.form_list(trainer=self.request.user).order_by("-updated_at", "-id")

    @extend_schema(
        summary="Create a check-in form",
        request=FormInputSerializer,
        responses={201: FormSerializer},
        examples=[OpenApiExample("Weekly check-in", value=FORM_EXAMPLE, request_only=True)],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = _validated(FormInputSerializer, request.data)
        form = services.form_create(trainer=request.user, **data)
        return Response(FormSerializer(form).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a form",
        description="Changing name, kind or questions makes a new version; assignments and "
        "responses keep the version they were given.",
        request=FormUpdateSerializer,
        responses={200: FormSerializer, 403: NOT_EDITABLE},
    )
    def partial_update(self, request, *args, **kwargs):
        form = self.get_object()
        self._check_editable(form)
        data = _validated(FormUpdateSerializer, request.data)
        return Response(FormSerializer(services.form_update(form=form, data=data)).data)

    def perform_destroy(self, instance):
        self._check_editable(instance)
        services.form_delete(form=instance)

    def _check_editable(self, form):
        if not selectors.form_editable(trainer=self.request.user, form=form):
            raise PermissionDenied(
                "Only its author and the studio's owners and admins edit a studio form.",
                code="template_not_editable",
            )

    @extend_schema(
        summary="Send the form to a client",
        description="A weekly form becomes the client's weekly check-in form (replacing the "
        "live one); a once form is a questionnaire to answer once. The form's current version "
        "is what the client answers.",
        request=FormAssignInputSerializer,
        responses={
            201: FormAssignmentSerializer,
            404: CLIENT_NOT_FOUND,
            409: error_response(
                "A concurrent request assigned another weekly form; retry.",
                "form_assignment_overlap",
            ),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @idempotent
    def assign(self, request, *args, **kwargs):
        form = self.get_object()
        data = _validated(FormAssignInputSerializer, request.data)
        client = selectors.form_client(trainer=request.user, client_id=data["client"])
        if client is None:
            raise NotFound({"client": ErrorDetail("Client not found.", code="not_found")})
        assignment = services.form_assign(form=form, client=client, assigned_by=request.user)
        return Response(FormAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List form assignments",
        description="Clients: the forms sent to them (the `id` is what a response answers); "
        "trainers: those of the clients they see in check-ins (`?client=`).",
    ),
    retrieve=extend_schema(summary="Get a form assignment"),
)
class FormAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsTrainerOrClient]
    serializer_class = FormAssignmentSerializer
    filter_backends = [FilterBackend, UpdatedSinceFilter]
    filterset_class = FormAssignmentFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FormAssignment.objects.none()
        return selectors.form_assignment_list(user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="List form responses",
        description="Newest first. Clients: their own; trainers: those of the clients they "
        "see in check-ins (`?client=`, `?reviewed=`).",
    ),
    retrieve=extend_schema(summary="Get a form response"),
)
class FormResponseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = FormResponseSerializer
    filter_backends = [FilterBackend, UpdatedSinceFilter]
    filterset_class = FormResponseFilter

    def get_permissions(self):
        if self.action == "review":
            return [IsTrainer()]
        if self.request is not None and self.request.method in SAFE_METHODS:
            return [IsTrainerOrClient()]
        return [IsTrainerOrClient(), ActiveClientCanWrite(), _ClientOnly()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FormResponse.objects.none()
        return selectors.form_response_list(user=self.request.user)

    @extend_schema(
        summary="Answer a form (client)",
        description="Validated against the assignment's form version: errors name the "
        "answer (`answers[3].value`). One response per ISO week (your local date) for a "
        "weekly form, one in all for a once form. Send your own UUID `id` to retry safely: "
        "a resent id returns the stored response (200).",
        request=FormResponseInputSerializer,
        responses={
            201: FormResponseSerializer,
            200: FormResponseSerializer,
            404: OpenApiResponse(
                ErrorResponse404Serializer,
                description="`form_assignment` is not one of yours (`attr: form_assignment`).",
            ),
            409: error_response(
                "Already answered this week / at all, the id is taken, or the form was replaced.",
                "form_response_exists",
                "form_already_answered",
                "id_in_use",
                "form_assignment_ended",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        data = _validated(FormResponseInputSerializer, request.data)
        response, created = services.form_response_submit(
            client=request.user.client_link,
            assignment_id=data["form_assignment"],
            answers=data["answers"],
            id=data.get("id"),
        )
        response = self.get_queryset().get(pk=response.pk)
        return Response(
            FormResponseSerializer(response).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Review a form response (trainer)",
        description="Sets the trainer's feedback; reviewing again replaces it.",
        request=ReviewSerializer,
        responses={200: FormResponseSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def review(self, request, *args, **kwargs):
        response = self.get_object()
        data = _validated(ReviewSerializer, request.data)
        response = services.form_response_review(
            response=response, reviewer=request.user, feedback=data["feedback"]
        )
        return Response(FormResponseSerializer(response).data)


class _ClientOnly(IsTrainerOrClient):
    message = "Only clients answer forms."

    def has_permission(self, request, view) -> bool:
        return bool(getattr(request.user, "is_client", False))


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
