"""OpenAPI pieces shared by every app.

drf-standardized-errors documents 400/401/403/404/405/415/429 on its own. Errors it cannot
infer (409 conflicts, 422, 502) are declared per operation with `error_response`, so the
schema claims them only where a service can raise them.

In the published schema every error body is then the one `Error` component, the codes
collected here listed in each response's description (fitbud.api.schema_contract).
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum
from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code.")
    detail = serializers.CharField(help_text="Human-readable message.")
    attr = serializers.CharField(allow_null=True, help_text="Field path, or null.")


class ErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices + ServerErrorEnum.choices)
    errors = ErrorItemSerializer(many=True)


class ErrorResponse400Serializer(ErrorResponseSerializer):
    """400s: `validation_error` (attr is the field path, e.g. `content.days[2].sets`, or null)
    or `client_error` (unparseable body). Codes are the field validators' and the domain's."""

    type = serializers.ChoiceField(choices=["validation_error", "client_error"])


class ClientErrorResponseSerializer(ErrorResponseSerializer):
    """4xx other than validation: codes such as `not_found`, `invite_not_found`."""

    type = serializers.ChoiceField(choices=["client_error"])


def error_response(
    description: str, *codes: str, detail: str | None = None, server: bool = False
) -> OpenApiResponse:
    """An error response in the uniform shape, with one example per code it can carry."""
    error_type = "server_error" if server else "client_error"
    return OpenApiResponse(
        ErrorResponseSerializer,
        description=description
        + (" Codes: " + ", ".join(f"`{code}`" for code in codes) + "." if codes else ""),
        examples=[
            OpenApiExample(
                code,
                value={
                    "type": error_type,
                    "errors": [{"code": code, "detail": detail or description, "attr": None}],
                },
                response_only=True,
            )
            for code in codes
        ],
    )
