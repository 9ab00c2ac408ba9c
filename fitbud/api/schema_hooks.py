"""OpenAPI post-processing that keeps the documented error bodies truthful."""

import re
from typing import Any

NULL_ATTR = {
    "type": "string",
    "nullable": True,
    "enum": [None],
    "description": "Always null: the error concerns the request as a whole, not one field.",
}
UNKNOWN_FIELD = "UnknownFieldErrorComponent"
UNKNOWN_FIELD_SCHEMA = {
    "type": "object",
    "description": "A request key the endpoint does not accept (strict input serializers).",
    "properties": {
        "attr": {"type": "string", "description": "The unknown key, as sent."},
        "code": {"type": "string", "enum": ["unknown_field"]},
        "detail": {"type": "string"},
    },
    "required": ["attr", "code", "detail"],
}


def _attr_pattern(documented: str) -> str:
    """drf-standardized-errors documents nested paths as ``items.INDEX.unit``; our formatter
    sends ``items[3].unit`` (DESIGN.md), and a nested object's own error at the object's path."""
    parts = documented.split(".")
    if parts[-1] == "non_field_errors" and len(parts) > 1:
        parts = parts[:-1]
    path = ""
    for part in parts:
        if part == "INDEX":
            path += r"\[\d+\]"
        else:
            path += (r"\." if path else "") + re.escape(part)
    return path


def _is_field_error_union(name: str, schema: dict[str, Any]) -> bool:
    refs = [item.get("$ref", "") for item in schema.get("oneOf", [])]
    return name.endswith("Error") and bool(refs) and all(r.endswith("ErrorComponent") for r in refs)


def error_bodies_as_sent(result: dict[str, Any], generator, request, public):
    """Document two things our error formatter and strict serializers send that
    drf-standardized-errors does not describe:

    - non-field errors (e.g. a JSON list where an object is expected) carry ``attr: null``,
      not ``"non_field_errors"``;
    - an unknown request key is a ``unknown_field`` error whose ``attr`` is that key;
    - nested paths read ``items[3].unit`` (documented there as ``items.INDEX.unit``).

    Neither value can be a discriminator mapping key, so the per-field unions become plain
    ``oneOf`` (each component's ``attr`` enum still tells them apart).

    Request bodies: input serializers are strict (unknown keys are a 400), so request
    components say ``additionalProperties: false``; those that keep extra keys (plan
    ``content``) declare ``additionalProperties`` themselves and are left alone."""
    schemas = result.get("components", {}).get("schemas", {})
    unions = [name for name, schema in schemas.items() if _is_field_error_union(name, schema)]
    for name, schema in schemas.items():
        attr = schema.get("properties", {}).get("attr") if name.endswith("ErrorComponent") else None
        if attr and attr.get("enum") == ["non_field_errors"]:
            schema["properties"]["attr"] = dict(NULL_ATTR)
        elif attr and any(
            "INDEX" in value or value.endswith(".non_field_errors")
            for value in attr.get("enum", [])
        ):
            alternatives = "|".join(_attr_pattern(value) for value in attr["enum"])
            schema["properties"]["attr"] = {
                "type": "string",
                "pattern": f"^(?:{alternatives})$",
                "description": "Path of the field, list indexes in brackets: "
                + ", ".join(f"`{v}`" for v in attr["enum"])
                .replace(".INDEX", "[i]")
                .replace(".non_field_errors", ""),
            }
    if unions:
        schemas[UNKNOWN_FIELD] = UNKNOWN_FIELD_SCHEMA
    for name in unions:
        schema = schemas[name]
        schema.pop("discriminator", None)
        schema["oneOf"].append({"$ref": f"#/components/schemas/{UNKNOWN_FIELD}"})
    for name, schema in schemas.items():
        if (
            name.endswith("Request")
            and schema.get("type") == "object"
            and "additionalProperties" not in schema
        ):
            schema["additionalProperties"] = False
    return result


# DRF's CharField refuses NUL characters and, after trimming surrounding whitespace, a blank
# value unless allow_blank: say so in the request schemas so that the schema and the 400s
# agree. Strings with a format, an enum or their own pattern are left as they are.
NO_NUL = r"^[^\u0000]*$"
NOT_BLANK_NO_NUL = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


def _constrain_strings(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if not isinstance(prop, dict):
            continue
        if prop.get("type") == "object":
            _constrain_strings(prop)
        items = prop.get("items")
        if isinstance(items, dict) and items.get("type") == "string":
            prop = items
        if prop.get("type") != "string" or {"format", "enum", "pattern"} & set(prop):
            continue
        prop["pattern"] = NOT_BLANK_NO_NUL if prop.get("minLength", 0) >= 1 else NO_NUL


def request_strings_as_validated(result: dict[str, Any], generator, request, public):
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and schema.get("type") == "object":
            _constrain_strings(schema)
    return result
