"""OpenAPI: on every operation that accepts API keys, the scopes it needs
(`x-api-key-scopes`, and a line of its description), the keys' error codes and the
RateLimit-* response headers."""

from __future__ import annotations

import re
from typing import Any

from integrations import scopes

EXTENSION = "x-api-key-scopes"
# Runs after fitbud.api.schema_contract.one_error_envelope (POSTPROCESSING_HOOKS order).
KEY_CODES = {
    "401": ["api_key_invalid", "api_key_revoked", "api_key_expired", "api_key_owner_inactive"],
    "403": ["scope_missing"],
}
RATE_HEADERS = {
    "RateLimit-Limit": "Requests this API key may make per window (keyed requests only).",
    "RateLimit-Remaining": "Requests left in the window after this one (keyed requests only).",
    "RateLimit-Reset": (
        "Seconds until the oldest request in the window leaves it, freeing a request "
        "(keyed requests only)."
    ),
}


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _add_codes(response: dict[str, Any], codes: list[str]) -> None:
    description = response.get("description", "")
    missing = [f"`{code}`" for code in codes if f"`{code}`" not in description]
    if not missing:
        return
    if "Codes:" in description:
        response["description"] = description.rstrip(".") + ", " + ", ".join(missing) + "."
    else:
        response["description"] = description.rstrip(".") + ". Codes: " + ", ".join(missing) + "."


def _refused() -> dict[str, Any]:
    return {
        "description": "Refused: API keys cannot be used here (sign in instead).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _takes_keys(view_class) -> bool:
    from integrations.authentication import ApiKeyAuthentication

    return any(issubclass(a, ApiKeyAuthentication) for a in view_class.authentication_classes)


def api_key_scopes(result: dict[str, Any], generator, request, public):
    paths = {_normalise(path): operations for path, operations in result.get("paths", {}).items()}
    components = result.setdefault("components", {})
    headers = components.setdefault("headers", {})
    for name, text in RATE_HEADERS.items():
        headers[name] = {"description": text, "schema": {"type": "integer", "minimum": 0}}
    for path, _regex, method, callback in getattr(generator, "endpoints", None) or []:
        operation = paths.get(_normalise(path), {}).get(method.lower())
        if not operation:
            continue
        rule = scopes.rule_for(callback.cls)
        needed = rule.scopes_for(method) if rule is not None else None
        if {"ApiKey": []} not in operation.get("security", []) or needed is None:
            if _takes_keys(callback.cls):
                forbidden = operation.setdefault("responses", {}).setdefault("403", _refused())
                _add_codes(forbidden, ["api_key_forbidden"])
            continue
        operation[EXTENSION] = list(needed)
        words = ", ".join(f"`{scope}`" for scope in needed) or "none (any valid key)"
        note = f"API key scopes: {words}."
        description = operation.get("description", "")
        if note not in description:
            operation["description"] = f"{description}\n\n{note}" if description else note
        for status, response in operation.get("responses", {}).items():
            if status in KEY_CODES and (needed or status != "403"):
                _add_codes(response, KEY_CODES[status])
            if status.startswith("2") or status in ("403", "429"):
                response.setdefault("headers", {}).update(
                    {name: {"$ref": f"#/components/headers/{name}"} for name in RATE_HEADERS}
                )
    return result
