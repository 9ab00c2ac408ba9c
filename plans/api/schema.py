"""OpenAPI for the plan document: the pydantic models' JSON Schemas become components, and
`content` / `snapshot` fields point at them (oneOf workout or diet)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_standardized_errors.openapi import AutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import serializers

from plans.content import CONTENT_MODELS, content_schemas

CONTENT_DESCRIPTION = (
    "The plan document. Its core shape depends on the template's `kind` "
    "(`WorkoutPlanContent` or `DietPlanContent`); extra keys are kept as sent. "
    "Errors name the exact path, e.g. `content.days[2].exercises[0].sets`. "
    "Days repeat as a cycle from the assignment's start date."
)


class PlanContentFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "plans.api.serializers.PlanContentField"

    def map_serializer_field(self, auto_schema, direction):
        for name, schema in content_schemas().items():
            auto_schema.registry.register_on_missing(
                ResolvedComponent(
                    name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
                )
            )
        return {
            "oneOf": [
                {"$ref": f"#/components/schemas/{model.__name__}"}
                for model in CONTENT_MODELS.values()
            ],
            "description": CONTENT_DESCRIPTION,
        }


class Error409Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["already_ended", "assignment_overlap"])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class PlanErrorResponse409Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error409Serializer(many=True)


class PlansAutoSchema(AutoSchema):
    """drf-standardized-errors' schema, documenting error responses for our views.

    The library only adds them when the view's exception handler *is* its own function;
    ours wraps it (fitbud.api.exceptions), so the identity check fails. 409 is declared
    explicitly on the operations that raise it.
    """

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code in responses or status_code == "409":
            return False
        checks = {
            "400": lambda: (
                self._should_add_parse_error_response()
                or self._should_add_validation_error_response()
            ),
            "401": self._should_add_http401_error_response,
            "403": self._should_add_http403_error_response,
            "404": self._should_add_http404_error_response,
            "405": self._should_add_http405_error_response,
            "406": self._should_add_http406_error_response,
            "415": self._should_add_http415_error_response,
            "429": self._should_add_http429_error_response,
            "500": self._should_add_http500_error_response,
        }
        check = checks.get(status_code)
        return bool(check and check())
