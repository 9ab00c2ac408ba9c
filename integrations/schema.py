"""OpenAPI: the scopes an API key needs for each operation that accepts keys."""

from __future__ import annotations

from typing import Any

from integrations import scopes

EXTENSION = "x-api-key-scopes"


def api_key_scopes(result: dict[str, Any], generator, request, public):
    """`x-api-key-scopes: [..]` on every operation whose security lists ApiKey (an empty
    list: any valid key), and the same words at the end of its description."""
    for path, _regex, method, callback in getattr(generator, "endpoints", None) or []:
        operation = result.get("paths", {}).get(path, {}).get(method.lower())
        if not operation or {"ApiKey": []} not in operation.get("security", []):
            continue
        rule = scopes.rule_for(callback.cls)
        needed = rule.scopes_for(method) if rule is not None else None
        if needed is None:
            continue
        operation[EXTENSION] = list(needed)
        words = ", ".join(f"`{scope}`" for scope in needed) or "none (any valid key)"
        note = f"API key scopes: {words}."
        description = operation.get("description", "")
        operation["description"] = f"{description}\n\n{note}" if description else note
    return result
