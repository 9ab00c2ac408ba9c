"""The OpenAPI schema is complete (every /api/v1/ route, found by walking the URLconf, so
routes added later are covered automatically), warning-free, and usable from /api/docs/."""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

API_PREFIX = "/api/v1/"
# Routes deliberately left out of the schema, each with the reason. Keep this empty.
NOT_IN_SCHEMA: dict[tuple[str, str], str] = {
    # A photo file by signed token (filesystem storage): the opaque URLs photos answer, like a
    # presigned S3 URL, not an operation a client composes (docs/photos-and-metrics.md).
    ("/api/v1/photos/files/{}/", "get"): "signed file download, not an API operation",
}
ANONYMOUS_OPERATIONS = {
    ("/api/v1/auth/register/", "post"),
    ("/api/v1/auth/token/", "post"),
    ("/api/v1/auth/token/refresh/", "post"),
    ("/api/v1/auth/logout/", "post"),
    ("/api/v1/auth/password/reset/", "post"),
    ("/api/v1/auth/password/reset/confirm/", "post"),
}
IGNORED_METHODS = {"options", "head", "trace"}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _methods(callback) -> set[str]:
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return {"<plain Django view>"}
    allowed = set(view_class.http_method_names) - IGNORED_METHODS
    if getattr(callback, "actions", None):  # a ViewSet route; http_method_names can narrow it
        return set(callback.actions) & allowed
    return {m for m in allowed if hasattr(view_class, m)}


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def api_routes() -> set[tuple[str, str]]:
    """(path, method) for every route under /api/v1/ in the project's URLconf."""
    enumerator = EndpointEnumerator()
    routes = set()
    for raw, callback in _walk(get_resolver().url_patterns):
        path = enumerator.get_path_from_regex("/" + raw)
        if not path.startswith(API_PREFIX) or "{format}" in path:
            continue  # outside the API, or a router's `.json` suffix variant
        view_class = getattr(callback, "cls", None)
        if view_class is not None and getattr(view_class, "schema", True) is None:
            continue  # DRF's own router root views opt out of schemas
        routes |= {(_normalise(path), method) for method in _methods(callback)}
    return routes


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_generates_and_validates_with_no_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning or error into a failure.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


def test_the_walker_sees_the_auth_routes():
    # Guards the walker itself: if it found nothing, the completeness test would pass.
    assert ("/api/v1/auth/me/", "patch") in api_routes()
    assert ("/api/v1/auth/token/refresh/", "post") in api_routes()


def test_every_api_route_is_in_the_schema(schema):
    documented = {
        (_normalise(path), method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    missing = api_routes() - documented - set(NOT_IN_SCHEMA)
    assert not missing, f"routes missing from the OpenAPI schema: {sorted(missing)}"


def test_the_schema_documents_nothing_that_is_not_routed(schema):
    routed = {path for path, _ in api_routes()}
    assert {_normalise(p) for p in schema["paths"]} <= routed


def test_jwt_bearer_auth_is_declared_for_the_authorize_button(schema):
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_protected_operations_ask_for_the_bearer_token_and_document_401(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if (path, method) in ANONYMOUS_OPERATIONS or not isinstance(operation, dict):
                continue
            if {"jwtAuth": []} in operation.get("security", []):
                assert "401" in operation["responses"], (path, method)


def test_auth_endpoints_need_no_token(schema):
    for path, method in ANONYMOUS_OPERATIONS:
        operation = schema["paths"][path][method]
        assert operation.get("security", []) in ([], [{}]), (path, method)
    # auth/me answers any valid API key too (integrations/scopes.py).
    assert schema["paths"]["/api/v1/auth/me/"]["get"]["security"] == [
        {"jwtAuth": []},
        {"ApiKey": []},
    ]


def test_errors_are_documented_in_the_uniform_shape(schema):
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert {"200", "400", "401", "429"} <= set(token)
    register = schema["paths"]["/api/v1/auth/register/"]["post"]["responses"]
    assert {"201", "400", "409", "415", "429"} <= set(register)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"type", "errors"}
    assert token["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "marker"),
    [("/api/docs/", b"swagger"), ("/api/redoc/", b"redoc"), ("/api/schema/", b"openapi")],
)
def test_the_docs_pages_and_schema_are_served_to_anonymous_visitors(client, url, marker):
    response = client.get(url)
    assert response.status_code == 200
    assert marker in response.content.lower()


@pytest.mark.django_db
def test_the_swagger_page_keeps_the_token_after_authorize(client):
    # persistAuthorization keeps the pasted token across reloads of the docs page.
    assert b"persistAuthorization" in client.get("/api/docs/").content
