"""Checks on the published OpenAPI schema that validators and generators do not make, each
one a defect integrators met (issue 13). Used by the tests (fitbud/tests/test_schema_contract.py)
and by scripts/generated_clients.sh:

    python -m fitbud.api.schema_lint artifacts/clients/openapi.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

METHODS = ("get", "put", "post", "patch", "delete")
MAX_ENUM = 100
# Long enums that are fine: ISO 4217 currency codes change about once a decade, and the
# server refuses the others anyway. Timezones are not here: tz releases change names.
LONG_ENUMS_ALLOWED = {"/components/schemas/CurrencyEnum"}
INTERNAL_WORDS = ("response cache", "cached_response", "cache_key", "swagger_fake_view")
ERROR_STATUSES = {"406", "429", "500"}


def _walk(node: Any, path: str = ""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def _operations(schema: dict[str, Any]):
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method in METHODS:
                yield path, method, operation


def problems(schema: dict[str, Any]) -> list[str]:
    found: list[str] = []
    components = schema.get("components", {}).get("schemas", {})
    if not schema.get("servers"):
        found.append("no `servers` declared")
    info = schema.get("info", {}).get("description", "")
    if "Versioning" not in info or "Deprecation" not in info:
        found.append("info.description lacks the versioning and deprecation policy")
    declared_tags = {tag["name"]: tag for tag in schema.get("tags", [])}
    for where, node in _walk(schema):
        if node.get("nullable") and "type" not in node:
            found.append(f"{where}: `nullable` without `type` (invalid in OpenAPI 3.0.3)")
        if len(node.get("enum", [])) > MAX_ENUM and where not in LONG_ENUMS_ALLOWED:
            found.append(f"{where}: enum of {len(node['enum'])} values (use a validated string)")
        for key in ("description", "summary"):
            text = node.get(key)
            if isinstance(text, str) and any(w in text.lower() for w in INTERNAL_WORDS):
                found.append(f"{where}: internal note in {key}: {text[:80]!r}")
    for name in ("Template", "Assignment"):
        if "discriminator" not in components.get(name, {}):
            found.append(f"components/{name}: no discriminator telling workout from diet")
    for path, method, operation in _operations(schema):
        where = f"{method.upper()} {path}"
        for tag in operation.get("tags", []):
            if not declared_tags.get(tag, {}).get("description"):
                found.append(f"{where}: tag {tag!r} has no description")
        security = operation.get("security")
        if security is None or security == [{}]:
            found.append(f"{where}: anonymous access must be declared as `security: []`")
        for parameter in operation.get("parameters", []):
            schema_of = parameter.get("schema", {})
            if (
                parameter.get("in") == "path"
                and parameter["name"] != "token"  # invite tokens are strings
                and parameter["name"] != "key"  # automation catalogue keys are slugs
                and schema_of != {"type": "string", "format": "uuid"}  # log ids are UUIDs
                and schema_of.get("type") != "integer"
            ):
                found.append(f"{where}: path parameter {parameter['name']} is not integer")
        responses = operation.get("responses", {})
        missing = ERROR_STATUSES - set(responses)
        if "requestBody" in operation and "413" not in responses:
            missing.add("413")
        if missing:
            found.append(f"{where}: error statuses not declared: {sorted(missing)}")
        if "405" in responses:
            found.append(f"{where}: documents 405 for a method it offers")
        if "415" in responses and "requestBody" not in operation:
            found.append(f"{where}: documents 415 without a request body")
        for status, response in responses.items():
            if not response.get("description"):
                found.append(f"{where} {status}: response without a description")
            if status.isdigit() and int(status) >= 400:
                ref = (
                    response.get("content", {})
                    .get("application/json", {})
                    .get("schema", {})
                    .get("$ref")
                )
                if ref != "#/components/schemas/Error":
                    found.append(f"{where} {status}: error body is not the `Error` component")
            if status == "429" and "Retry-After" not in response.get("headers", {}):
                found.append(f"{where} 429: no Retry-After header")
    return found


def main(argv: list[str]) -> int:
    with open(argv[1]) as handle:
        schema = json.load(handle)
    found = problems(schema)
    for problem in found:
        print(f"schema defect: {problem}")
    if found:
        return 1
    print(f"schema lint: no defect in {sum(1 for _ in _operations(schema))} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
