import re

from rest_framework import exceptions, pagination

# DRF silently falls back to the default for `page_size=abc` or `0`; the schema says
# "integer >= 1", so such values are a 400 instead. Larger values are capped, not refused.
_WHOLE_NUMBER = re.compile(r"[0-9]+")
# Any whole number is valid per the schema; past this one it makes no difference (a page
# size is capped, a page number is past the last page), so longer digit strings are not
# even converted.
_HUGE = 10**18

# Our cursors are short base64 positions; anything longer cannot be one of ours.
CURSOR_MAX_LENGTH = 500


def _positive_int_param(request, name: str) -> int | None:
    """The query parameter as an int >= 1, None when absent; a 400 naming it otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    digits = raw.lstrip("0") if _WHOLE_NUMBER.fullmatch(raw) else None
    if not digits:  # not a whole number, or zero
        raise exceptions.ValidationError(
            {name: ["A whole number of at least 1 is required."]}, code="invalid"
        )
    return _HUGE if len(digits) > 18 else int(digits)


def _page_size_parameter(paginator) -> dict:
    return {
        "name": paginator.page_size_query_param,
        "required": False,
        "in": "query",
        "description": (
            f"Number of results per page (default {paginator.page_size}; "
            f"values above {paginator.max_page_size} are capped to {paginator.max_page_size})."
        ),
        "schema": {"type": "integer", "minimum": 1},
    }


class _StrictPageSizeMixin:
    def get_page_size(self, request):
        size = _positive_int_param(request, self.page_size_query_param)
        if size is None:
            return self.page_size
        return min(size, self.max_page_size)


class PageNumberPagination(_StrictPageSizeMixin, pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        # Past the last page stays DRF's 404 "Invalid page"; a non-number is a 400.
        return _positive_int_param(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number (1 is the first); past the last page is a 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            _page_size_parameter(self),
        ]


class CursorPagination(_StrictPageSizeMixin, pagination.CursorPagination):
    """Stable paging for feeds and logs that grow while a client pages through them."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-pk")

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and len(encoded) > CURSOR_MAX_LENGTH:
            raise exceptions.NotFound(self.invalid_cursor_message)
        return super().decode_cursor(request)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Opaque position from a previous page's `next` / `previous` link; "
                    "an invalid cursor is a 404."
                ),
                "schema": {"type": "string", "maxLength": CURSOR_MAX_LENGTH},
            },
            _page_size_parameter(self),
        ]
