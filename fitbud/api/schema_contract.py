"""OpenAPI post-processing: the schema as generated clients need it (issue 13).

drf-spectacular and drf-standardized-errors describe each view well, but some of what they
write trips code generators (openapi-python-client, openapi-typescript) or strict OpenAPI
3.0 validators. These hooks run last (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]):

- one error envelope (`Error`) for every error response, its codes listed per operation
  in the response description; `code` and `type` are open (a new code breaks no client);
- the statuses any operation can answer (406, 413 with a body, 429, 500) declared, with
  the `Retry-After` header on 429; 405 and 415 only where they can happen;
- anonymous operations say `security: []` (no credentials), the same way everywhere;
- numeric path ids are integers, not strings with a digit pattern;
- query enums reuse the named enum components instead of inline copies;
- `{allOf: [$ref], nullable: true}` (no `type`, invalid in strict OpenAPI 3.0.3) becomes
  `{nullable: true, type: object, allOf: [$ref]}`... see `_nullable_refs`;
- every response has a description;
- components nothing references any more are dropped.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from fitbud.api.filters import MAX_ID

REF = "#/components/schemas/"
METHODS = ("get", "put", "post", "patch", "delete")

ERROR_TYPES = ["validation_error", "client_error", "server_error"]
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "The one error shape of the API. `type` says what kind of error it is; `errors` "
        "holds one or more `{code, detail, attr}`. Codes are stable strings meant for "
        "programs; each operation's responses list the codes they can carry. New codes may "
        "be added at any time (treat an unknown code like the status alone)."
    ),
    "properties": {
        "type": {
            "type": "string",
            "description": "`validation_error` (400 with field errors), `client_error` "
            "(other 4xx) or `server_error` (5xx). Open: more values may come.",
            "example": "client_error",
        },
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": REF + "ErrorItem"},
        },
    },
    "required": ["type", "errors"],
}
ERROR_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "code": {
            "type": "string",
            "description": "Stable machine-readable code (open set; see the operation's "
            "response description for the codes it can carry).",
            "example": "not_found",
        },
        "detail": {"type": "string", "description": "Human-readable message."},
        "attr": {
            "type": "string",
            "nullable": True,
            "description": "The field path for validation errors, written like "
            "`content.days[2].exercises[0].sets`; null for errors about the request as a "
            "whole.",
        },
    },
    "required": ["code", "detail", "attr"],
}

RETRY_AFTER = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "integer", "minimum": 0},
}

STATUS_TEXT = {
    "400": "Invalid request: a field, the query string or the body was refused.",
    "401": "Missing, invalid or expired credentials.",
    "403": "Signed in, but this account may not do this.",
    "404": "Not found, or not yours.",
    "405": "Method not allowed.",
    "406": "The `Accept` header asks for something other than JSON.",
    "409": "The request conflicts with the current state.",
    "413": "The request body is too large.",
    "415": "The body is not JSON.",
    "422": "The request cannot be processed.",
    "429": "Rate limit hit: retry after `Retry-After` seconds.",
    "500": "A bug on our side; logged, no details leak.",
    "502": "An upstream provider failed.",
    "503": "Temporarily unavailable: retry after `Retry-After` seconds.",
}
VALIDATION_CODES = [
    "required",
    "null",
    "blank",
    "invalid",
    "max_length",
    "min_value",
    "max_value",
    "invalid_choice",
    "unknown_field",
    "parse_error",
]
ALWAYS: dict[str, list[str]] = {
    "406": ["not_acceptable"],
    "500": ["error"],
}
SUCCESS_TEXT = {
    "200": "OK.",
    "201": "Created.",
    "202": "Accepted.",
    "204": "Done; no body.",
}

# Internal implementation notes that must not reach integrators' docs.
INTERNAL_NOTES = re.compile(r"\s*\(?[^.()]*\b(response cache|cached_response)\b[^.()]*\)?\.?")


def _operations(result: dict[str, Any]):
    """Every operation object of the schema (the HTTP methods of each path item)."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in METHODS:
                yield operation


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _resolve(schemas: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    return schemas.get(ref[len(REF) :], node) if ref.startswith(REF) else node


def _codes(schemas: dict[str, Any], schema: dict[str, Any], seen: set[str]) -> list[str]:
    """Every `code` enum value reachable from an error body schema."""
    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        ref = node.get("$ref") if isinstance(node, dict) else None
        if ref:
            if ref in seen:
                continue
            seen.add(ref)
            node = _resolve(schemas, node)
        for item in _walk(node):
            if "$ref" in item and item is not node:
                stack.append(item)
                continue
            code = item.get("properties", {}).get("code") if isinstance(item, dict) else None
            if isinstance(code, dict):
                code = _resolve(schemas, code)
                found += [str(c) for c in code.get("enum", []) if c is not None]
                listed = re.match(r"One of: ([a-z_, ]+)\.", code.get("description", ""))
                if listed:  # codes given in words (accounts.api.schema's 401)
                    found += [c.strip() for c in listed[1].split(",") if c.strip()]
    return found


def _examples_codes(content: dict[str, Any]) -> list[str]:
    codes = []
    for example in content.get("examples", {}).values():
        for error in (example.get("value") or {}).get("errors", []) or []:
            if isinstance(error, dict) and error.get("code"):
                codes.append(str(error["code"]))
    return codes


def _describe(status: str, description: str, codes: list[str]) -> str:
    text = description.strip() or STATUS_TEXT.get(status, "Error.")
    unique = list(dict.fromkeys(codes))
    if unique and "Codes:" not in text:
        text = text.rstrip(".") + ". Codes: " + ", ".join(f"`{c}`" for c in unique) + "."
    return text


def _error_response(status: str, description: str, codes: list[str], examples=None):
    content: dict[str, Any] = {"schema": {"$ref": REF + "Error"}}
    if examples:
        content["examples"] = examples
    response: dict[str, Any] = {
        "description": _describe(status, description, codes),
        "content": {"application/json": content},
    }
    if status in ("429", "503"):
        response["headers"] = {"Retry-After": RETRY_AFTER}
    return response


def _strip_internal_notes(text: str) -> str:
    return INTERNAL_NOTES.sub("", text).strip()


def one_error_envelope(result: dict[str, Any], generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for operation in _operations(result):
        responses = operation.setdefault("responses", {})
        has_body = "requestBody" in operation
        for status in list(responses):
            if not status.isdigit() or int(status) < 400:
                continue
            if status == "405" or (status == "415" and not has_body):
                # A documented method is never answered 405; no body, no 415.
                del responses[status]
                continue
            response = responses[status]
            codes: list[str] = []
            examples = None
            for content in response.get("content", {}).values():
                codes += _codes(schemas, content.get("schema", {}), set())
                codes += _examples_codes(content)
                examples = content.get("examples") or examples
            if status == "400":
                # Field validators' codes; `attr` names the field (or is null).
                codes += VALIDATION_CODES
            if not response.get("content") and not codes:
                # A description-only error (e.g. the stream's 503) names its code.
                codes = re.findall(r"^`([a-z_]+)`", response.get("description", ""))
            responses[status] = _error_response(
                status, response.get("description", ""), codes, examples
            )
            if response.get("headers"):
                # Headers the operation documents on this error (412: the current ETag).
                responses[status].setdefault("headers", {}).update(response["headers"])
        for status, codes in ALWAYS.items():
            responses.setdefault(status, _error_response(status, "", codes))
        if has_body:
            responses.setdefault("413", _error_response("413", "", ["request_too_large"]))
        responses.setdefault("429", _error_response("429", "", ["throttled"]))
    schemas["Error"] = ERROR_SCHEMA
    schemas["ErrorItem"] = ERROR_ITEM_SCHEMA
    return result


def anonymous_security(result: dict[str, Any], generator, request, public):
    """`security: []` on every operation that takes no credentials (`[{}]` means "optional
    auth" to generators, which then ask for an authenticated client)."""
    for operation in _operations(result):
        if operation.get("security") in (None, [{}], []):
            operation["security"] = []
    return result


def integer_path_ids(result: dict[str, Any], generator, request, public):
    for operation in _operations(result):
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            pattern = schema.get("pattern", "")
            digits = pattern.strip("^$") in (r"\d+", "[0-9]+")
            if parameter.get("in") == "path" and (digits or (schema.get("type") == "integer")):
                parameter["schema"] = {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 1,
                    "maximum": MAX_ID,
                }
                if not parameter.get("description"):
                    parameter["description"] = "A numeric id."
    return result


def named_query_enums(result: dict[str, Any], generator, request, public):
    """Query parameters whose enum equals a named enum component point at it."""
    schemas = result.get("components", {}).get("schemas", {})
    named = {
        tuple(sorted(str(v) for v in schema["enum"] if v is not None)): name
        for name, schema in schemas.items()
        if name.endswith("Enum") and "enum" in schema
    }
    for operation in _operations(result):
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            target = schema.get("items") if schema.get("type") == "array" else schema
            if not isinstance(target, dict) or "enum" not in target:
                continue
            name = named.get(tuple(sorted(str(v) for v in target["enum"])))
            if name is None:
                continue
            if target is schema:
                parameter["schema"] = {"$ref": REF + name}
            else:
                schema["items"] = {"$ref": REF + name}
            described = re.sub(
                r"\s*\* `[^`]*` - [^\n]*", "", parameter.get("description", "")
            ).strip()
            parameter["description"] = described or f"One of `{name}`."
    return result


def _nullable_refs(node: Any) -> None:
    for item in _walk(node):
        if item.get("nullable") and "oneOf" in item and "type" not in item:
            # drf-spectacular's nullable choice: the oneOf has a NullEnum branch already.
            item.pop("nullable")
            if not any(ref.get("$ref", "").endswith("/NullEnum") for ref in item["oneOf"]):
                item["oneOf"].append({"type": "object", "nullable": True, "enum": [None]})
        if item.get("nullable") and "allOf" in item and "type" not in item:
            # Strict OpenAPI 3.0.3: `nullable` needs a `type` beside it. oneOf of the
            # component and a null-only schema says the same, validly.
            refs = item.pop("allOf")
            item.pop("nullable")
            item["oneOf"] = [*refs, {"type": "object", "nullable": True, "enum": [None]}]


def nullable_refs(result: dict[str, Any], generator, request, public):
    _nullable_refs(result.get("components", {}))
    _nullable_refs(result.get("paths", {}))
    return result


def descriptions(result: dict[str, Any], generator, request, public):
    """Every response described; no implementation notes in operation texts."""
    for operation in _operations(result):
        for key in ("description", "summary"):
            if key in operation:
                operation[key] = _strip_internal_notes(operation[key])
        for status, response in operation.get("responses", {}).items():
            if not response.get("description"):
                response["description"] = SUCCESS_TEXT.get(status, STATUS_TEXT.get(status, "OK."))
    for schema in result.get("components", {}).get("schemas", {}).values():
        if isinstance(schema.get("description"), str):
            schema["description"] = _strip_internal_notes(schema["description"])
    return result


def request_defaults(result: dict[str, Any], generator, request, public):
    """A `default` on a request property tells TypeScript generators the property is always
    there (openapi-typescript makes it required): in requests the default is what the
    server assumes when it is left out, so it moves into the description."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for prop in schema.get("properties", {}).values():
            if isinstance(prop, dict) and "default" in prop:
                default = prop.pop("default")
                text = prop.get("description", "").rstrip()
                prop["description"] = (
                    (text + " " if text else "") + f"Default when omitted: `{default}`."
                ).replace("``", '`""`')
    return result


def _referenced(result: dict[str, Any]) -> set[str]:
    schemas = result.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    stack = [result.get("paths", {})]
    while stack:
        for item in _walk(stack.pop()):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF):
                name = ref[len(REF) :]
                if name not in seen and name in schemas:
                    seen.add(name)
                    stack.append(schemas[name])
    return seen


def drop_unreferenced(result: dict[str, Any], generator, request, public):
    schemas = result.get("components", {}).get("schemas", {})
    keep = _referenced(result)
    for name in list(schemas):
        if name not in keep:
            del schemas[name]
    return result


FEED_STREAM_EVENT: dict[str, Any] = {
    "type": "object",
    "description": (
        "One Server-Sent Event of `feed/stream/`, as an EventSource delivers it. A frame "
        "`id: <id>` + `data: <FeedEvent JSON>` is a new feed event (`event` absent, i.e. "
        "`message`); `event: reset` with `data: {}` means more than 500 events were missed: "
        "reload `feed/` and keep listening. Comment lines (`: heartbeat`, `: connected`) and "
        "the `retry: 3000` line carry no event."
    ),
    "properties": {
        "event": {
            "type": "string",
            "description": "`message` (a feed event) or `reset`. Open: more may come.",
            "example": "message",
        },
        "id": {"type": "integer", "nullable": True, "description": "The feed event id."},
        "data": {
            "description": "The FeedEvent (for `message`); an empty object for `reset`.",
            "oneOf": [
                {"$ref": REF + "FeedEvent"},
                {"type": "object", "additionalProperties": False},
            ],
        },
    },
    "required": ["event", "data"],
}
HEADERS = {
    # operationId: {status: {header: object}}
    "me_export_retrieve": {
        "200": {
            "Content-Disposition": {
                "description": 'Always `attachment; filename="fitbud-export-YYYY-MM-DD.json"`.',
                "schema": {"type": "string"},
            }
        }
    },
    "me_subscription_checkout_create": {
        status: {
            "Idempotent-Replayed": {
                "description": "`true` when this is the stored answer to an earlier request "
                "with the same Idempotency-Key (nothing was done again); absent otherwise.",
                "schema": {"type": "string", "enum": ["true"]},
            }
        }
        for status in ("200", "201", "409", "422")
    },
}


def stream_and_headers(result: dict[str, Any], generator, request, public):
    """The event stream's events with their data parsed as a component (`FeedStreamMessage`,
    pointed at from the response by `x-event-schema`), and the response headers views set
    by hand."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for operation in _operations(result):
        for status, headers in HEADERS.get(operation.get("operationId"), {}).items():
            if status in operation.get("responses", {}):
                operation["responses"][status].setdefault("headers", {}).update(headers)
        for response in operation.get("responses", {}).values():
            stream = response.get("content", {}).get("text/event-stream")
            if stream is None:
                continue
            # `schema` is one event as it is on the wire (FeedStreamEvent: `data` is the
            # JSON text; what schemathesis checks every event against); `x-event-schema`
            # is the same event with `data` parsed, for generated clients.
            schemas["FeedStreamMessage"] = FEED_STREAM_EVENT
            stream["x-event-schema"] = {"$ref": REF + "FeedStreamMessage"}
    return result


# Response components whose document field's shape depends on `kind`.
BY_KIND = {"Template": "content", "Assignment": "snapshot"}
KIND_COMPONENTS = {"workout": "WorkoutPlanContent", "diet": "DietPlanContent"}


def plan_content_by_kind(result: dict[str, Any], generator, request, public):
    """`Template` and `Assignment` become a oneOf of one variant per kind (`WorkoutTemplate`,
    `DietTemplate`, ...), told apart by `kind` (a discriminator): a diet document also fits
    the workout shape (both keep unknown keys), so `anyOf` let clients parse diets as
    workouts. The JSON is unchanged; only its description is sharper."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, field in BY_KIND.items():
        base = schemas.get(name)
        if not base or "properties" not in base:
            continue
        mapping = {}
        for kind, component in KIND_COMPONENTS.items():
            variant = copy.deepcopy(base)
            variant["properties"]["kind"] = {
                "type": "string",
                "enum": [kind],
                "readOnly": True,
                "description": f"Always `{kind}` for this variant.",
            }
            described = variant["properties"][field].get("description")
            variant["properties"][field] = {"$ref": REF + component}
            if described:
                variant["description"] = f"`{field}`: {described}"
            variant_name = kind.capitalize() + name
            schemas[variant_name] = variant
            mapping[kind] = REF + variant_name
        schemas[name] = {
            "oneOf": [{"$ref": ref} for ref in mapping.values()],
            "discriminator": {"propertyName": "kind", "mapping": mapping},
            "description": f"A {name.lower()}; `kind` tells which variant it is.",
        }
    return result
