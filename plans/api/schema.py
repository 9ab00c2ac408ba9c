"""OpenAPI for the plan document: the pydantic models' JSON Schemas become components, and
`content` / `snapshot` fields point at them (anyOf workout or diet). In responses, where the
`kind` is known, fitbud.api.schema_contract.plan_content_by_kind splits Template and
Assignment into one variant per kind (a oneOf with `kind` as discriminator), so generated
clients parse a diet as a diet."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent

from plans.content import CONTENT_MODELS, content_schemas

CONTENT_DESCRIPTION = (
    "The plan document. Its core shape depends on the template's `kind` "
    "(`WorkoutPlanContent` or `DietPlanContent`); extra keys are kept as sent. "
    "Errors name the exact path, e.g. `content.days[2].exercises[0].sets`. "
    "Days repeat as a cycle from the assignment's start date."
)


def _register_content_components(auto_schema) -> None:
    for name, schema in content_schemas().items():
        auto_schema.registry.register_on_missing(
            ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        )


class PlanPartFieldExtension(OpenApiSerializerFieldExtension):
    """A day or the targets of a stored plan: a reference to its named component."""

    target_class = "plans.api.serializers.PlanPartField"

    def map_serializer_field(self, auto_schema, direction):
        _register_content_components(auto_schema)
        return {"$ref": f"#/components/schemas/{self.target.component}"}


class PlanContentFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "plans.api.serializers.PlanContentField"

    def map_serializer_field(self, auto_schema, direction):
        _register_content_components(auto_schema)
        return {
            # anyOf, not oneOf: the shapes keep unknown keys, so one document can fit both;
            # the template's `kind` says which applies.
            "anyOf": [
                {"$ref": f"#/components/schemas/{model.__name__}"}
                for model in CONTENT_MODELS.values()
            ],
            "description": CONTENT_DESCRIPTION,
        }
