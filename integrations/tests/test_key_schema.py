"""The OpenAPI schema tells integrators where keys work and which scopes each call needs."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from integrations.models.api_keys import SCOPES

KEYED = {"ApiKey": []}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_api_key_scheme_is_declared(schema):
    scheme = schema["components"]["securitySchemes"]["ApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "Api-Key <key>" in scheme["description"]


def test_keyed_operations_list_their_scopes_and_limits(schema):
    clients = schema["paths"]["/api/v1/clients/"]["get"]
    assert KEYED in clients["security"]
    assert clients["x-api-key-scopes"] == ["read:clients"]
    assert "API key scopes: `read:clients`." in clients["description"]
    assert "RateLimit-Remaining" in clients["responses"]["200"]["headers"]
    assert "`api_key_revoked`" in clients["responses"]["401"]["description"]
    assert "`scope_missing`" in clients["responses"]["403"]["description"]
    patch = schema["paths"]["/api/v1/clients/{id}/"]["patch"]
    assert patch["x-api-key-scopes"] == ["write:clients"]


def test_every_keyed_operation_names_known_scopes(schema):
    keyed = 0
    for operations in schema["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and KEYED in operation.get("security", []):
                keyed += 1
                assert set(operation["x-api-key-scopes"]) <= set(SCOPES)
    assert keyed > 100


def test_operations_that_refuse_keys_do_not_offer_them(schema):
    for path, method in [
        ("/api/v1/api-keys/", "post"),
        ("/api/v1/auth/password/change/", "post"),
        ("/api/v1/studio/members/", "get"),
        ("/api/v1/auth/me/", "patch"),
    ]:
        operation = schema["paths"][path][method]
        assert KEYED not in operation["security"], (path, method)
        assert "`api_key_forbidden`" in operation["responses"]["403"]["description"]
