"""automations/: trainers' rules, their dry run and log, and the catalogue."""

from __future__ import annotations

from typing import Any

from django.urls import path, re_path
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from coaching.catalogue import CATALOGUE
from coaching.models import Automation, AutomationRun
from coaching.models.automations import ActionType, TriggerType
from coaching.selectors import automations as selectors
from coaching.services import automations as services
from fitbud.api.conditional import ConditionalWriteMixin
from fitbud.api.filters import MAX_ID, UpdatedSinceFilter, apply_updated_since
from fitbud.api.idempotency import idempotent
from fitbud.api.permissions import IsTrainer
from fitbud.api.serializers import StrictSerializer

# Trigger and action shapes -----------------------------------------------------------------


def _type_field(value: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[value])


class EventTriggerSerializer(StrictSerializer):
    type = _type_field(TriggerType.EVENT)
    event = serializers.ChoiceField(
        choices=list(services.TRIGGER_EVENTS), help_text="The spine event code."
    )


class NoWorkoutTriggerSerializer(StrictSerializer):
    type = _type_field(TriggerType.NO_WORKOUT)
    days = serializers.IntegerField(
        min_value=1, max_value=90, help_text="Whole local days without a workout."
    )


class CheckinMissingTriggerSerializer(StrictSerializer):
    type = _type_field(TriggerType.CHECKIN_MISSING)
    weekday = serializers.IntegerField(
        min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday (the client's week)."
    )
    time = serializers.RegexField(
        r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        max_length=5,
        help_text="HH:MM, the client's local time.",
    )


class SubscriptionEndingTriggerSerializer(StrictSerializer):
    type = _type_field(TriggerType.SUBSCRIPTION_ENDING)
    days = serializers.IntegerField(
        min_value=0, max_value=60, help_text="Fire when the subscription ends within N days."
    )


class NotifyActionSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, help_text="`{first_name}`: the client's.")
    body = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class NotifyClientActionSerializer(NotifyActionSerializer):
    type = _type_field(ActionType.NOTIFY_CLIENT)


class NotifyTrainerActionSerializer(NotifyActionSerializer):
    type = _type_field(ActionType.NOTIFY_TRAINER)


class AssignTemplateActionSerializer(StrictSerializer):
    type = _type_field(ActionType.ASSIGN_TEMPLATE)
    template = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A plan template you can assign."
    )


TRIGGERS = {
    TriggerType.EVENT.value: EventTriggerSerializer,
    TriggerType.NO_WORKOUT.value: NoWorkoutTriggerSerializer,
    TriggerType.CHECKIN_MISSING.value: CheckinMissingTriggerSerializer,
    TriggerType.SUBSCRIPTION_ENDING.value: SubscriptionEndingTriggerSerializer,
}
ACTIONS = {
    ActionType.NOTIFY_CLIENT.value: NotifyClientActionSerializer,
    ActionType.NOTIFY_TRAINER.value: NotifyTrainerActionSerializer,
    ActionType.ASSIGN_TEMPLATE.value: AssignTemplateActionSerializer,
}


class _ByTypeField(serializers.Field):
    """A JSON object validated by the serializer its `type` names."""

    shapes: dict[str, type[serializers.Serializer]] = {}

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise serializers.ValidationError("Expected an object.", code="invalid")
        shape = self.shapes.get(data.get("type")) if isinstance(data.get("type"), str) else None
        if shape is None:
            raise serializers.ValidationError(
                {"type": [f"One of: {', '.join(self.shapes)}."]}, code="invalid"
            )
        serializer = shape(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="AutomationTrigger",
        serializers=TRIGGERS,
        resource_type_field_name="type",
    )
)
class TriggerField(_ByTypeField):
    shapes = TRIGGERS


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="AutomationAction",
        serializers=ACTIONS,
        resource_type_field_name="type",
    )
)
class ActionField(_ByTypeField):
    shapes = ACTIONS


# Rules -------------------------------------------------------------------------------------


class AutomationSerializer(serializers.ModelSerializer):
    trigger = TriggerField()
    action = ActionField()
    trainer = serializers.IntegerField(source="trainer_id", help_text="The author.")
    clients = serializers.SerializerMethodField(
        help_text="Only these clients; empty: every active client the author sees."
    )

    class Meta:
        model = Automation
        fields = [
            "id",
            "name",
            "is_active",
            "trigger",
            "action",
            "clients",
            "trainer",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_clients(self, automation: Automation) -> list[int]:
        return sorted(client.pk for client in automation.clients.all())


class AutomationInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    is_active = serializers.BooleanField(required=False, default=True)
    trigger = TriggerField()
    action = ActionField()
    clients = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=500,
        help_text="Only these clients (ids you see); omit or [] for every active client.",
    )


class AutomationRunSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.user.full_name")

    class Meta:
        model = AutomationRun
        fields = [
            "id",
            "client",
            "client_name",
            "period_key",
            "reason",
            "action",
            "status",
            "detail",
            "fired_at",
        ]
        read_only_fields = fields


class DryRunMatchSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    client_name = serializers.CharField()
    period_key = serializers.CharField()
    reason = serializers.CharField()
    already_fired = serializers.BooleanField(
        help_text="It fired for this period already: the sweep will not fire it again."
    )


class DryRunSerializer(serializers.Serializer):
    evaluated_at = serializers.DateTimeField()
    trigger_type = serializers.ChoiceField(choices=TriggerType.choices)
    audience = serializers.IntegerField(help_text="Active clients the rule acts on.")
    note = serializers.CharField(allow_blank=True)
    matches = DryRunMatchSerializer(many=True)


class CatalogueEntrySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    trigger = TriggerField()
    action = ActionField()


class InstallSerializer(StrictSerializer):
    is_active = serializers.BooleanField(required=False, default=True)


NOT_FOUND = OpenApiResponse(
    ErrorResponse404Serializer,
    description="No such automation, or not one you may see (another member's or studio's).",
)
REFS_NOT_FOUND = (
    "An action template or a listed client you cannot see is a 400 naming the field "
    "(`action.template`, `clients`) with code `not_found`."
)
EXAMPLE = OpenApiExample(
    "Inactivity nudge",
    request_only=True,
    value={
        "name": "Inactivity nudge",
        "is_active": True,
        "trigger": {"type": "no_workout", "days": 3},
        "action": {"type": "notify_client", "title": "Missing you", "body": "A short one today?"},
    },
)


def _validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(
        summary="List automations",
        description="Yours; a studio's owners and admins see every automation of the studio.",
    ),
    retrieve=extend_schema(
        summary="Get an automation", responses={200: AutomationSerializer, 404: NOT_FOUND}
    ),
    destroy=extend_schema(
        summary="Delete an automation (its log goes with it)",
        responses={204: None, 404: NOT_FOUND},
    ),
)
class AutomationViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Trainer-defined rules: a trigger and an action (docs/coaching.md, Automations)."""

    permission_classes = [IsTrainer]
    serializer_class = AutomationSerializer
    # No filters or ordering: newest first, paged (a trainer has a handful of rules).
    filter_backends = [UpdatedSinceFilter]

    @property
    def updated_since_field(self) -> str:
        # Runs are written once, when the rule fires (documented per action).
        return "fired_at" if self.action == "runs" else "updated_at"

    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Automation.objects.none()
        return selectors.automation_list(user=self.request.user)

    @extend_schema(
        summary="Create an automation",
        description=REFS_NOT_FOUND,
        request=AutomationInputSerializer,
        responses={201: AutomationSerializer},
        examples=[EXAMPLE],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = _validated(AutomationInputSerializer, request.data)
        automation = services.automation_create(trainer=request.user, **data)
        return Response(self._out(automation), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace an automation",
        description=REFS_NOT_FOUND,
        request=AutomationInputSerializer,
        responses={200: AutomationSerializer, 404: NOT_FOUND},
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary='Change some fields of an automation (e.g. `{"is_active": false}`)',
        description=REFS_NOT_FOUND,
        request=AutomationInputSerializer(partial=True),
        responses={200: AutomationSerializer, 404: NOT_FOUND},
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        automation = self.get_object()
        data = _validated(AutomationInputSerializer, request.data, partial=partial)
        if not partial:
            data.setdefault("clients", [])
        automation = services.automation_update(automation=automation, data=data)
        return Response(self._out(automation))

    def _out(self, automation: Automation) -> dict:
        automation = selectors.automation_list(user=self.request.user).get(pk=automation.pk)
        return AutomationSerializer(automation).data

    def perform_destroy(self, instance):
        services.automation_delete(automation=instance)

    @extend_schema(
        summary="Dry run: who would this fire for now, and why",
        description=(
            "Evaluates a schedule rule now, each client in their own local time, without "
            "firing; `already_fired` marks periods it fired for already. An event rule lists "
            "no matches (it fires when its event happens) and counts its audience."
        ),
        request=None,
        responses={200: DryRunSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="dry-run", pagination_class=None)
    def dry_run(self, request, pk=None):
        automation = self.get_object()
        return Response(DryRunSerializer(services.automation_dry_run(automation=automation)).data)

    @extend_schema(
        summary="The automation's log (newest first)",
        responses={200: AutomationRunSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], serializer_class=AutomationRunSerializer)
    def runs(self, request, pk=None):
        automation = self.get_object()
        runs = apply_updated_since(
            request, selectors.automation_run_list(automation=automation), "fired_at"
        )
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(AutomationRunSerializer(page, many=True).data)


class CatalogueListView(APIView):
    permission_classes = [IsTrainer]

    @extend_schema(
        summary="The automation catalogue",
        description="Ready-made rules; install one with `automations/templates/<key>/install/`.",
        responses={200: CatalogueEntrySerializer(many=True)},
    )
    def get(self, request):
        entries = [{"key": key, **entry} for key, entry in CATALOGUE.items()]
        return Response(CatalogueEntrySerializer(entries, many=True).data)


class CatalogueInstallView(APIView):
    permission_classes = [IsTrainer]

    @extend_schema(
        summary="Install a catalogue rule (one click)",
        description="Creates the rule as yours, for every active client you see.",
        request=InstallSerializer,
        responses={
            201: AutomationSerializer,
            404: OpenApiResponse(ErrorResponse404Serializer, description="No such catalogue key."),
        },
    )
    @idempotent
    def post(self, request, key: str):
        if key not in CATALOGUE:
            raise NotFound("No such catalogue entry.")
        data = _validated(InstallSerializer, request.data)
        automation = services.automation_install(trainer=request.user, key=key, **data)
        automation = selectors.automation_list(user=request.user).get(pk=automation.pk)
        return Response(AutomationSerializer(automation).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.include_root_view = False
router.register("automations", AutomationViewSet, basename="automation")

urlpatterns = [
    # Before the router: "templates" is not an automation id (ids are digits anyway).
    path("automations/templates/", CatalogueListView.as_view(), name="automation-catalogue"),
    re_path(
        r"^automations/templates/(?P<key>[a-z_]{1,40})/install/$",
        CatalogueInstallView.as_view(),
        name="automation-install",
    ),
    *router.urls,
]
