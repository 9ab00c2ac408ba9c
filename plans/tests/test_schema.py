import pytest
from drf_spectacular.generators import SchemaGenerator

from plans.content import EXAMPLE_DIET_CONTENT, EXAMPLE_WORKOUT_CONTENT


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_content_shapes_are_published_as_components(schema):
    components = schema["components"]["schemas"]
    for name in ("WorkoutPlanContent", "WorkoutPlanExercise", "DietPlanContent", "DietPlanItem"):
        assert name in components
    sets = components["WorkoutPlanExercise"]["properties"]["sets"]
    assert (sets["type"], sets["minimum"], sets["maximum"]) == ("integer", 1, 100)
    assert components["WorkoutPlanExercise"]["additionalProperties"] is True
    # Requests: either document (the `kind` beside it says which one applies).
    refs = [
        o["$ref"] for o in components["TemplateCreateRequest"]["properties"]["content"]["anyOf"]
    ]
    assert refs == [
        "#/components/schemas/WorkoutPlanContent",
        "#/components/schemas/DietPlanContent",
    ]
    # Responses: one variant per kind, so a client parses a diet as a diet.
    assert components["WorkoutTemplate"]["properties"]["content"] == {
        "$ref": "#/components/schemas/WorkoutPlanContent"
    }
    snapshot = components["DietAssignment"]["properties"]["snapshot"]
    assert snapshot == {"$ref": "#/components/schemas/DietPlanContent"}


def test_template_creation_carries_example_documents_of_both_kinds(schema):
    operation = schema["paths"]["/api/v1/templates/"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    contents = [example["value"]["content"] for example in examples.values()]
    assert EXAMPLE_WORKOUT_CONTENT in contents
    assert EXAMPLE_DIET_CONTENT in contents


def test_the_conflicts_and_not_found_are_documented(schema):
    create = schema["paths"]["/api/v1/assignments/"]["post"]["responses"]
    end = schema["paths"]["/api/v1/assignments/{id}/end/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(create)
    assert {"200", "400", "401", "403", "404", "409"} <= set(end)
