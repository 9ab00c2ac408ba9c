"""OpenAPI shapes for errors drf-standardized-errors cannot infer.

The error codes are plain strings here (documented in help_text) rather than enums: the
401 codes come from simplejwt as well as DRF, and the list grows with new domain errors.
"""

from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import serializers


def _error_response(name: str, codes: str) -> type[serializers.Serializer]:
    error = type(
        f"{name}Item",
        (serializers.Serializer,),
        {
            "code": serializers.CharField(help_text=f"One of: {codes}."),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    return type(
        name,
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
            "errors": error(many=True),
        },
    )


ErrorResponse401Serializer = _error_response(
    "AuthErrorResponse401",
    "not_authenticated, authentication_failed, token_not_valid, invalid_credentials, "
    "bad_authorization_header, user_not_found, user_inactive, password_changed",
)
