"""OpenAPI helpers for billing views.

drf-standardized-errors only documents error responses when the view's exception handler
*is* its own function; ours wraps it (fitbud.api.exceptions.exception_handler), so the
library would document no error at all. This schema class skips that identity check. It
also leaves out the automatic 409 (no default serializer, hence a warning): our views
declare 409, 422 and 502 exactly where they can happen.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from drf_standardized_errors.openapi import AutoSchema
from rest_framework import serializers


class BillingAutoSchema(AutoSchema):
    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code == "409" or status_code in responses:
            return False
        checks = {
            "400": lambda: (
                self._should_add_parse_error_response()
                or self._should_add_validation_error_response()
            ),
            "401": self._should_add_http401_error_response,
            "403": self._should_add_http403_error_response,
            "404": self._should_add_http404_error_response,
            "405": self._should_add_http405_error_response,
            "415": self._should_add_http415_error_response,
            "429": self._should_add_http429_error_response,
        }
        check = checks.get(status_code)
        return bool(check and check())


class BillingErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class BillingErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["client_error", "server_error"])
    errors = BillingErrorSerializer(many=True)


def error(description: str, code: str, detail: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=BillingErrorResponseSerializer,
        description=description,
        examples=[
            OpenApiExample(
                code,
                value={
                    "type": "server_error"
                    if code.startswith("payment_provider")
                    else "client_error",
                    "errors": [{"code": code, "detail": detail, "attr": None}],
                },
            )
        ],
    )
