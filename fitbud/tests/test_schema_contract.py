"""The API contract as generated clients meet it (issue 13): the schema's shape, and the
runtime behaviour it documents (timezones, pagination cursors, one ordering style, CORS)."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV30SpecValidator

from clients.tests.factories import ClientFactory
from conftest import assert_error
from fitbud.api.schema_lint import problems
from progress.tests.factories import WorkoutLogFactory

PASSWORD = "a-long-passphrase-42"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "put", "post", "patch", "delete"):
                yield path, method, operation


def test_the_schema_passes_a_strict_openapi_30_validator(schema):
    validate(schema, cls=OpenAPIV30SpecValidator)


def test_the_schema_has_none_of_the_defects_integrators_met(schema):
    assert problems(schema) == []


def test_a_timezone_is_a_string_with_an_example_not_a_host_dependent_enum(schema):
    components = schema["components"]["schemas"]
    assert not [name for name in components if "Timezone" in name]
    for name in ("RegisterRequest", "PatchedMeUpdateRequest"):
        timezone = components[name]["properties"]["timezone"]
        assert timezone["type"] == "string" and "enum" not in timezone
        assert timezone["example"] == "Europe/Berlin"
    long_enums = [name for name, c in components.items() if len(c.get("enum", [])) > 100]
    assert long_enums == ["CurrencyEnum"]


def test_path_ids_are_integers_and_nothing_is_nullable_without_a_type(schema):
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"] in ("id", "client_id"):
                assert parameter["schema"]["type"] in ("integer", "string"), (path, method)
                if parameter["schema"]["type"] == "string":
                    assert parameter["schema"]["format"] == "uuid", (path, method)
                else:
                    assert parameter["schema"]["minimum"] == 1
    untyped = [node for node in _nodes(schema) if node.get("nullable") and "type" not in node]
    assert untyped == []


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def test_every_operation_declares_its_errors_in_the_one_envelope(schema):
    error_refs = set()
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert {"406", "429", "500"} <= set(responses), (path, method)
        assert "405" not in responses, (path, method)
        for status, response in responses.items():
            assert response["description"], (path, method, status)
            if int(status) >= 400:
                error_refs.add(response["content"]["application/json"]["schema"]["$ref"])
    assert error_refs == {"#/components/schemas/Error"}
    envelopes = [n for n in schema["components"]["schemas"] if "ErrorResponse" in n]
    assert envelopes == []
    code = schema["components"]["schemas"]["ErrorItem"]["properties"]["code"]
    assert code["type"] == "string" and "enum" not in code  # open: new codes break nobody


def test_per_operation_codes_are_described(schema):
    conflict = schema["paths"]["/api/v1/invites/"]["post"]["responses"]["409"]
    assert "`email_not_invitable`" in conflict["description"]
    too_many = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["429"]
    assert "Retry-After" in too_many["headers"]


def test_plan_documents_are_told_apart_by_kind(schema):
    components = schema["components"]["schemas"]
    for name, field in (("Template", "content"), ("Assignment", "snapshot")):
        assert components[name]["discriminator"] == {
            "propertyName": "kind",
            "mapping": {
                "workout": f"#/components/schemas/Workout{name}",
                "diet": f"#/components/schemas/Diet{name}",
            },
        }
        diet = components[f"Diet{name}"]["properties"]
        assert diet["kind"]["enum"] == ["diet"]
        assert diet[field] == {"$ref": "#/components/schemas/DietPlanContent"}
    today_diet = components["TodayDiet"]["properties"]
    assert today_diet["day"]["allOf"] == [{"$ref": "#/components/schemas/DietPlanDay"}]
    assert {"$ref": "#/components/schemas/DietPlanTargets"} in today_diet["targets"]["oneOf"]
    logged = components["LoggedWorkout"]["properties"]["exercises"]
    assert logged["items"] == {"$ref": "#/components/schemas/WorkoutExercise"}


def test_no_request_property_carries_a_default(schema):
    # openapi-typescript makes a property with a default required: optional ones must not.
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request") or name.startswith(("Workout", "Diet")):
            for prop_name, prop in component.get("properties", {}).items():
                assert "default" not in prop, (name, prop_name)


KEYED = {"ApiKey": []}  # where API keys are accepted (integrations/scopes.py)


def test_anonymous_operations_declare_no_security_the_same_way(schema):
    anonymous = {
        (path, method)
        for path, method, operation in _operations(schema)
        if operation["security"] == []
    }
    assert ("/api/v1/auth/register/", "post") in anonymous
    assert ("/api/v1/auth/invites/accept/", "post") in anonymous
    assert ("/api/v1/auth/invites/{token}/", "get") in anonymous
    for path, method, operation in _operations(schema):
        # ApiKey where keys are accepted (integrations/scopes.py).
        assert operation["security"] in ([], [{"jwtAuth": []}], [{"jwtAuth": []}, KEYED]), (
            path,
            method,
        )


def test_headers_stream_events_servers_and_policy_are_declared(schema):
    export = schema["paths"]["/api/v1/me/export/"]["get"]["responses"]["200"]
    assert "Content-Disposition" in export["headers"]
    checkout = schema["paths"]["/api/v1/me/subscription/checkout/"]["post"]["responses"]
    assert "Idempotent-Replayed" in checkout["201"]["headers"]
    stream = schema["paths"]["/api/v1/feed/stream/"]["get"]["responses"]
    assert stream["200"]["content"]["text/event-stream"]["x-event-schema"] == {
        "$ref": "#/components/schemas/FeedStreamMessage"
    }
    assert "`stream_unavailable`" in stream["503"]["description"]
    assert schema["servers"]
    assert "Versioning" in schema["info"]["description"]
    assert all(tag["description"] for tag in schema["tags"])


def test_lists_document_required_nullable_links_and_a_cursor(schema):
    components = schema["components"]["schemas"]
    cursor_page = components["PaginatedWorkoutLogList"]
    assert {"next", "previous", "next_cursor", "previous_cursor"} <= set(cursor_page["required"])
    assert cursor_page["properties"]["next_cursor"]["nullable"] is True
    numbered = components["PaginatedClientList"]
    assert {"next", "previous", "next_page", "previous_page"} <= set(numbered["required"])
    ordering = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/clients/"]["get"]["parameters"]
    }["ordering"]
    assert ordering["type"] == "string"


def test_the_schema_keeps_no_internal_notes(schema):
    text = repr(schema).lower()
    assert "cached_response" not in text and "response cache" not in text


# --- runtime ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "posix/Europe/Berlin"])
def test_register_refuses_host_dependent_timezone_names(api_client, name):
    response = api_client.post(
        reverse("auth-register"),
        {"email": "tz@example.com", "password": PASSWORD, "full_name": "Tz", "timezone": name},
        format="json",
    )
    assert_error(response, 400, code="invalid_timezone", attr="timezone")


@pytest.mark.django_db
def test_me_accepts_an_iana_name_and_refuses_localtime(trainer_api):
    assert_error(
        trainer_api.patch(reverse("auth-me"), {"timezone": "localtime"}, format="json"),
        400,
        code="invalid_timezone",
    )
    response = trainer_api.patch(
        reverse("auth-me"), {"timezone": "America/New_York"}, format="json"
    )
    assert response.status_code == 200 and response.json()["timezone"] == "America/New_York"


@pytest.mark.django_db
def test_cursor_lists_return_the_cursor_as_its_own_field(client_api, client_link):
    for days in range(3):
        WorkoutLogFactory(client=client_link, date=datetime.date(2026, 11, 1 + days))
    url = reverse("workout-log-list")
    first = client_api.get(url, {"page_size": 2}).json()
    assert first["next_cursor"] and first["previous_cursor"] is None
    assert f"cursor={first['next_cursor']}" in first["next"].replace("%3D", "=")
    second = client_api.get(url, {"page_size": 2, "cursor": first["next_cursor"]}).json()
    assert len(second["results"]) == 1 and second["next_cursor"] is None
    assert second["next"] is None and second["previous_cursor"]


@pytest.mark.django_db
def test_numbered_lists_return_the_next_page_number(trainer_api, trainer):
    ClientFactory.create_batch(3, trainer=trainer)
    body = trainer_api.get(reverse("client-list"), {"page_size": 2}).json()
    assert (body["next_page"], body["previous_page"]) == (2, None)
    last = trainer_api.get(reverse("client-list"), {"page_size": 2, "page": 2}).json()
    assert (last["next_page"], last["previous_page"], last["next"]) == (None, 1, None)


@pytest.mark.django_db
def test_clients_ordering_is_one_comma_separated_value(trainer_api, trainer):
    ClientFactory.create_batch(2, trainer=trainer)
    url = reverse("client-list")
    assert trainer_api.get(url, {"ordering": "-name,joined_at"}).status_code == 200
    # Several values used to mean "the last one, silently"; an empty one "unordered".
    assert_error(trainer_api.get(url, {"ordering": ["name", "-joined_at"]}), 400, attr="ordering")
    assert_error(trainer_api.get(url, {"ordering": ""}), 400, attr="ordering")


@pytest.mark.django_db
@override_settings(CORS_ALLOWED_ORIGINS=["https://app.fitbud.example"])
def test_cors_lets_the_app_read_idempotent_replayed(client_api):
    response = client_api.get(reverse("auth-me"), HTTP_ORIGIN="https://app.fitbud.example")
    exposed = response.headers["Access-Control-Expose-Headers"].lower()
    assert "idempotent-replayed" in exposed and "retry-after" in exposed
