"""OpenAPI for the plan document: the pydantic models' JSON Schemas become components, and
`content` / `snapshot` fields point at them (oneOf workout or diet)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent

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
