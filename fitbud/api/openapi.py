"""The schema class of the whole API: drf-standardized-errors' AutoSchema, plus what the shared
plumbing adds to operations on its own (so no view repeats it):

- views with ConditionalWriteMixin: `ETag` response header on object reads and writes,
  `If-Match` request header and a 412 `precondition_failed` on PUT/PATCH/DELETE;
- handlers decorated with `@idempotent`: `Idempotency-Key` request header, the
  `Idempotent-Replayed` response header and a 422 `idempotency_key_mismatch`.

(`?updated_since=` is documented by its filter backend, UpdatedSinceFilter.)
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema

from fitbud.api.conditional import WRITE_METHODS, ConditionalWriteMixin
from fitbud.api.schema import error_response

ETAG_SCHEMA = {"type": "string", "pattern": '^"[0-9a-f]+"$'}
KEY_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": "^[!-~]([ -~]{0,253}[!-~])?$",
}

IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "minLength": 1},
    OpenApiParameter.HEADER,
    required=False,
    description="Optional. The `ETag` you last read (or `*`): the write happens only if the "
    "object is still at that version, else 412 `precondition_failed` with the current `ETag`. "
    "Without it the write happens regardless (last write wins).",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    KEY_SCHEMA,
    OpenApiParameter.HEADER,
    required=False,
    description="Recommended for clients that retry. A unique value per create (e.g. a UUID), "
    "kept 24 hours per user: a retry with the same key returns the first answer and status "
    "(header `Idempotent-Replayed: true`) without creating anything; the same key with a "
    "different body is a 422 `idempotency_key_mismatch`.",
)
PRECONDITION_FAILED = error_response(
    "If-Match names an older version: the object changed since you read it (the current "
    "version is in the `ETag` header and in the detail).",
    "precondition_failed",
)
KEY_MISMATCH = error_response(
    "Idempotency-Key reused with a different body (or on another endpoint).",
    "idempotency_key_mismatch",
    detail="This Idempotency-Key was already used with a different request body. "
    "Use a new key for a new request.",
)


def _etag_header(codes: list[str]) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        ETAG_SCHEMA,
        OpenApiParameter.HEADER,
        response=codes,
        description="The object's version (strong validator): send it in `If-Match` to "
        "change or delete the object only if nobody else did meanwhile.",
    )


REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    {"type": "string", "enum": ["true"]},
    OpenApiParameter.HEADER,
    response=["200", "201"],
    description="`true` when this is the stored answer to an earlier request with the same "
    "Idempotency-Key (nothing was done again); absent otherwise.",
)


class AutoSchema(StandardizedErrorsAutoSchema):
    def _conditional(self) -> bool:
        view = self.view
        if not isinstance(view, ConditionalWriteMixin):
            return False
        return view.is_conditional() and self.method in {"GET", *WRITE_METHODS}

    def _idempotent(self) -> bool:
        if self.method != "POST":
            return False
        name = getattr(self.view, "action", None) or self.method.lower()
        return getattr(getattr(self.view, name, None), "idempotent", False)

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._conditional():
            if self.method in WRITE_METHODS:
                parameters.append(IF_MATCH)
            codes = ["412"] if self.method == "DELETE" else ["200", "201", "412"]
            parameters.append(_etag_header(codes))
        if self._idempotent():
            parameters += [IDEMPOTENCY_KEY, REPLAYED]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        if self._conditional() and self.method in WRITE_METHODS and "412" not in responses:
            responses["412"] = self._get_response_for_code(PRECONDITION_FAILED, "412")
        if self._idempotent() and "422" not in responses:
            responses["422"] = self._get_response_for_code(KEY_MISMATCH, "422")
        return responses
