from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from fitbud.api.filters import MAX_ID
from fitbud.api.serializers import StrictSerializer
from plans.models import LibraryScope, PlanAssignment, PlanKind, PlanTemplate

MIN_DATE_YEAR, MAX_DATE_YEAR = 2000, 2100


class PlanContentField(serializers.JSONField):
    """A plan document; checked by plans.content for the template's kind (in the service)."""


class PlanPartField(serializers.JSONField):
    """A part of a stored plan document (a day, the targets), sent as stored. Documented as
    the named plan component `component` (see plans.api.schema)."""

    def __init__(self, component: str, **kwargs):
        self.component = component
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)


def _in_supported_range(value):
    # Keeps date arithmetic (the day before a start date) far from date.min / date.max.
    if value is not None and not MIN_DATE_YEAR <= value.year <= MAX_DATE_YEAR:
        raise serializers.ValidationError(
            f"Use a date between {MIN_DATE_YEAR} and {MAX_DATE_YEAR}.", code="invalid"
        )
    return value


class TemplateSerializer(serializers.ModelSerializer):
    content = PlanContentField()
    archived = serializers.BooleanField(source="is_archived")

    class Meta:
        model = PlanTemplate
        fields = [
            "id",
            "kind",
            "name",
            "description",
            "content",
            "version",
            "archived",
            "scope",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


SCOPE_HELP = (
    "`personal` (default): yours alone. `studio`: in the studio library every member reads "
    "and assigns; edited by its author and the studio's owners and admins."
)


class TemplateCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    content = PlanContentField()
    scope = serializers.ChoiceField(
        choices=LibraryScope.choices,
        required=False,
        default=LibraryScope.PERSONAL,
        help_text=SCOPE_HELP,
    )


class TemplateUpdateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=PlanKind.choices,
        required=False,
        help_text="Optional; must equal the template's kind (it cannot change).",
    )
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    content = PlanContentField()
    archived = serializers.BooleanField(
        required=False, help_text="Archive (true) or unarchive (false) the template."
    )
    scope = serializers.ChoiceField(
        choices=LibraryScope.choices, required=False, help_text=SCOPE_HELP
    )


class TemplateDuplicateSerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=200,
        required=False,
        help_text='Name of the copy; default "<name> (copy)".',
    )


@extend_schema_serializer(component_name="Assignment")
class AssignmentSerializer(serializers.ModelSerializer):
    snapshot = PlanContentField(
        help_text="The template's content as it was when assigned; it never changes."
    )

    class Meta:
        model = PlanAssignment
        fields = [
            "id",
            "client",
            "template",
            "template_version",
            "kind",
            "name",
            "snapshot",
            "start_date",
            "end_date",
            "status",
            "ended_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AssignmentCreateSerializer(StrictSerializer):
    client = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A client id.")
    template = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="One of your templates (not archived)."
    )
    start_date = serializers.DateField(validators=[_in_supported_range])
    end_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        validators=[_in_supported_range],
        help_text="Last day of the plan (inclusive); open-ended when omitted.",
    )

    def validate(self, attrs):
        if attrs["end_date"] is not None and attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError(
                {"end_date": "The end date cannot be before the start date."}
            )
        return attrs


class AssignmentEndSerializer(StrictSerializer):
    end_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        validators=[_in_supported_range],
        help_text="Last day of the plan; default: today in your timezone.",
    )
