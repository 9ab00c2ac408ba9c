import re
from urllib.parse import parse_qs, urlparse

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework import exceptions, pagination
from rest_framework.response import Response

from fitbud.api.filters import UPDATED_SINCE, updated_since_field

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


def _query_value(link: str | None, name: str) -> str | None:
    if link is None:
        return None
    values = parse_qs(urlparse(link).query).get(name)
    return values[0] if values else None


def _links_required(schema: dict, extra: dict) -> dict:
    """`next` / `previous` are always present (null at the ends): say so, and add the
    positions a generated client can pass back without parsing URLs."""
    schema["properties"].update(extra)
    schema["required"] = sorted({*schema.get("required", []), "next", "previous", *extra})
    for name in ("next", "previous"):
        schema["properties"][name].pop("example", None)
    return schema


class _StrictPageSizeMixin:
    def get_page_size(self, request):
        size = _positive_int_param(request, self.page_size_query_param)
        if size is None:
            return self.page_size
        return min(size, self.max_page_size)


# Past this page number the total is counted first (Django's way): an OFFSET that large
# would overflow in the database before it could answer "no such page".
_FAR_PAGE = 100_000


class LastPageCountPaginator(DjangoPaginator):
    """Django's paginator without its COUNT(*) query when the page asked for is the last one
    (most lists fit on their first page): the page is read with one row more than it
    holds, and when that row is not there the total is the rows before the page plus the
    rows on it. Only a page with more after it counts the rows (Django's query), so the
    answer (`count`, the links, 404 past the end) is the same as Django's."""

    def page(self, number):
        if "count" in self.__dict__ or self.orphans:
            return super().page(number)
        number = self.validate_number_bottom(number)
        if number > _FAR_PAGE:
            return super().page(number)  # Django's count answers 404 before any OFFSET
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = bottom + len(rows)  # the cached_property's value
        return self._get_page(rows[: self.per_page], number, self)

    def validate_number_bottom(self, number) -> int:
        """Django's validate_number without the upper bound (which needs the count)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class PageNumberPagination(_StrictPageSizeMixin, pagination.PageNumberPagination):
    page_size = 20
    django_paginator_class = LastPageCountPaginator
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "next_page": self.page.next_page_number() if self.page.has_next() else None,
                "previous_page": (
                    self.page.previous_page_number() if self.page.has_previous() else None
                ),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        page = {
            "type": "integer",
            "nullable": True,
            "description": "The `page` to ask for next (or before); null at the end.",
        }
        return _links_required(
            super().get_paginated_response_schema(schema),
            {"next_page": dict(page), "previous_page": dict(page)},
        )

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

    def get_ordering(self, request, queryset, view):
        if UPDATED_SINCE in request.query_params:
            # Changes oldest first (UpdatedSinceFilter validated and applied the value).
            return (updated_since_field(view), "pk")
        return super().get_ordering(request, queryset, view)

    def get_paginated_response(self, data):
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        return Response(
            {
                "next": next_link,
                "previous": previous_link,
                "next_cursor": _query_value(next_link, self.cursor_query_param),
                "previous_cursor": _query_value(previous_link, self.cursor_query_param),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        cursor = {
            "type": "string",
            "nullable": True,
            "maxLength": CURSOR_MAX_LENGTH,
            "description": "Pass as `cursor` for the next (or previous) page; null at the end.",
        }
        return _links_required(
            super().get_paginated_response_schema(schema),
            {"next_cursor": dict(cursor), "previous_cursor": dict(cursor)},
        )

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
                    "Opaque position: a previous page's `next_cursor` / `previous_cursor` "
                    "(the same value as in its `next` / `previous` link); an invalid cursor "
                    "is a 404."
                ),
                "schema": {"type": "string", "maxLength": CURSOR_MAX_LENGTH},
            },
            _page_size_parameter(self),
        ]
