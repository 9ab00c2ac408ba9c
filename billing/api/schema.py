"""OpenAPI helpers for billing views."""

from drf_spectacular.utils import OpenApiResponse

from fitbud.api.schema import error_response


def error(description: str, code: str, detail: str) -> OpenApiResponse:
    # Provider outages are the only server-side errors billing documents.
    return error_response(
        description, code, detail=detail, server=code.startswith("payment_provider")
    )
