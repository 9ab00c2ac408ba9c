"""Query-string filters shared by every app.

Every list endpoint's filters are strict: a parameter that is present but empty, or whose
value is outside its documented type or enum, is a 400 naming the parameter -- never a
silently unfiltered 200.
"""

import re
from datetime import UTC, datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend, OrderingFilter, SearchFilter

# The largest bigint: a larger id is a 400, never a database overflow.
MAX_ID = 2**63 - 1

# Longest accepted `?search=` term; also keeps request lines far below gunicorn's limit.
SEARCH_MAX_LENGTH = 100


class IdFilter(django_filters.Filter):
    """A whole id within the bigint range: "1.5", "abc" or a huge number is a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        # Per instance (feed's `after` starts at 0), so drf-spectacular documents the
        # bounds the form field enforces.
        self._spectacular_annotation = {
            "field": {
                "type": "integer",
                "format": "int64",
                "minimum": self.extra["min_value"],
                "maximum": self.extra["max_value"],
            }
        }


# A slug in a query string (`?muscle=chest`): an empty value is a 400 like every other
# parameter, so the schema says so.
SLUG_QUERY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 50, "pattern": "^[a-z0-9_-]+$"}


def slug_query(filter_instance, max_length: int = 50):
    """Document a filter as a non-empty slug (drf-spectacular reads this annotation)."""
    schema = {**SLUG_QUERY_SCHEMA, "maxLength": max_length}
    filter_instance._spectacular_annotation = {"field": schema}
    return filter_instance


class StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    # django-filter's default quietly ignores values like "maybe"; say so instead.
    field_class = StrictBooleanField


# Documented as arrays in the schema, where `?status=` is a valid, empty list. (Ordering is
# StrictOrderingFilter's, a string: `?ordering=` empty is a 400 on every list.)
ARRAY_FILTERS = (django_filters.MultipleChoiceFilter,)
# Dates in query strings are ASCII: Python's parsers also read other scripts' digits.
DATE_FORM_FIELDS = (forms.DateField, forms.DateTimeField, forms.TimeField)


class StrictFilterSet(django_filters.FilterSet):
    """Base of every app's FilterSet: `?status=` (present but empty) is a 400, not "all"."""

    def is_valid(self):
        valid = super().is_valid()
        getlist = getattr(self.data, "getlist", None)
        for name, filter_ in self.filters.items():
            if name not in self.data or isinstance(filter_, ARRAY_FILTERS):
                # An array parameter sent empty is an empty array: nothing to filter by.
                continue
            values = getlist(name) if getlist else [self.data[name]]
            if name in self.form.errors:
                continue
            if any(str(value).strip() == "" for value in values):
                self.form.add_error(
                    name, forms.ValidationError("This field may not be blank.", code="blank")
                )
                valid = False
            elif issubclass(filter_.field_class, DATE_FORM_FIELDS) and not all(
                str(value).isascii() for value in values
            ):
                self.form.add_error(
                    name,
                    forms.ValidationError(
                        "Use ASCII digits (0-9) in dates and times.", code="invalid"
                    ),
                )
                valid = False
        return valid


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend (every list's `filterset_class`), not built for a request that
    sends none of the FilterSet's parameters.

    A FilterSet costs 0.2-0.45 ms to build and validate even with nothing to filter: a form
    class made per request, deep copies of every filter and form field, labels translated.
    With none of its parameters in the query string, each of its filters would be skipped
    (django-filter filters nothing for an absent, empty value), so the queryset is returned
    as it came. A parameter named like a filter or suffixed from it (`date_after` for a
    range's `date`) takes django-filter's whole path, validation included."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _names_any(
            request.query_params, filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _names_any(params, filters) -> bool:
    return any(key == name or key.startswith(f"{name}_") for key in params for name in filters)


class BoundedSearchFilter(SearchFilter):
    """DRF's search, with a documented and enforced maximum term length."""

    def get_search_terms(self, request):
        value = request.query_params.get(self.search_param, "")
        if len(value) > SEARCH_MAX_LENGTH:
            raise exceptions.ValidationError(
                {
                    self.search_param: [
                        f"Ensure this field has no more than {SEARCH_MAX_LENGTH} characters."
                    ]
                },
                code="max_length",
            )
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.search_param:
                parameter["schema"] = {
                    **parameter["schema"],
                    "maxLength": SEARCH_MAX_LENGTH,
                    # DRF refuses NUL characters in a search term (400).
                    "pattern": r"^[^\u0000]*$",
                }
                parameter["description"] = (
                    f"Case-insensitive search term (at most {SEARCH_MAX_LENGTH} characters)."
                )
        return parameters


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` limited to the view's `ordering_fields`, comma-separated, `-` for
    descending. DRF silently drops unknown fields; here they are a 400, as documented, and so
    is an empty value. An entry of `ordering_fields` may be `(field, name)`, DRF's way of
    offering `?ordering=name` for `user__full_name`."""

    @staticmethod
    def _names(view) -> dict[str, str]:
        """The documented name of each orderable field -> the queryset field."""
        pairs = (
            (item[1], item[0]) if isinstance(item, (tuple, list)) else (item, item)
            for item in view.ordering_fields
        )
        return dict(pairs)

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return self.get_default_ordering(view)
        if len(request.query_params.getlist(self.ordering_param)) > 1:
            # One style everywhere: never silently use only the last of several values.
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        "Give the ordering once, as a comma-separated list "
                        "(e.g. `?ordering=-created_at,name`)."
                    ]
                },
                code="invalid",
            )
        names = self._names(view)
        terms = raw.split(",")
        if not all(term.removeprefix("-") in names for term in terms):
            allowed = sorted([*names, *(f"-{name}" for name in names)])
            raise exceptions.ValidationError(
                {self.ordering_param: [f"Use a comma-separated list of: {', '.join(allowed)}."]},
                code="invalid",
            )
        fields = [
            ("-" if term.startswith("-") else "") + names[term.removeprefix("-")] for term in terms
        ]
        # A final tie-breaker, so equal values never shuffle rows between pages.
        return [*fields, "-pk" if fields[-1].startswith("-") else "pk"]

    def get_schema_operation_parameters(self, view):
        documented = list(self._names(view))
        names = "|".join(re.escape(name) for name in documented)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "Order by one or more of "
                    + ", ".join(f"`{name}`" for name in documented)
                    + " (comma-separated, given once; prefix `-` for descending)."
                ),
                "schema": {"type": "string", "pattern": f"^-?({names})(,-?({names}))*$"},
            }
        ]


UPDATED_SINCE = "updated_since"


def updated_since(request) -> datetime | None:
    """`?updated_since=` as an aware datetime, None when absent; a 400 naming it otherwise."""
    values = request.query_params.getlist(UPDATED_SINCE)
    if not values:
        return None
    problem = None
    if len(values) > 1:
        problem = "Give updated_since once."
    else:
        raw = values[0].strip()
        parsed = None
        if raw.isascii():
            try:
                parsed = parse_datetime(raw)
            except ValueError:
                parsed = None
        if parsed is None:
            problem = (
                "Use an ISO 8601 date and time with a UTC offset, e.g. "
                "2026-03-01T08:00:00Z (write `+` as %2B in a query string)."
            )
        elif timezone.is_naive(parsed):
            problem = "Include a UTC offset (Z or +hh:mm) in updated_since."
        else:
            try:
                # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
                return parsed.astimezone(UTC)
            except OverflowError:
                problem = "updated_since is out of range."
    raise exceptions.ValidationError({UPDATED_SINCE: [problem]}, code="invalid")


def updated_since_field(view) -> str:
    """The column a view's `?updated_since=` compares: `updated_at`, or `created_at` for the
    append-only lists whose rows never change (feed, runs, access changes)."""
    return getattr(view, "updated_since_field", "updated_at")


class UpdatedSinceFilter(BaseFilterBackend):
    """`?updated_since=<ISO 8601>` on every list: rows changed at or after that instant,
    ordered by (updated_at, id) so a client can page through the changes (a row is never
    skipped or repeated between pages; a change made while paging moves its row to the end).

    In DEFAULT_FILTER_BACKENDS; a view that lists its own `filter_backends` adds it there.
    Cursor-paginated lists take the same order from fitbud.api.pagination.CursorPagination.
    """

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) not in (None, "list"):
            # A ViewSet's object routes (and its extra actions) are not filtered by it.
            return queryset
        # With updated_since the order is (updated_at, id) whatever `ordering` says: it runs
        # after the ordering filter and orders last.
        return apply_updated_since(request, queryset, updated_since_field(view))

    def get_schema_operation_parameters(self, view):
        return [updated_since_parameter(view)]


def apply_updated_since(request, queryset, field: str):
    """For lists that page a queryset of their own (an `@action` listing other rows)."""
    since = updated_since(request)
    if since is None:
        return queryset
    return queryset.filter(**{f"{field}__gte": since}).order_by(field, "pk")


def updated_since_parameter(view, field: str | None = None) -> dict:
    field = field or updated_since_field(view)
    return {
        "name": UPDATED_SINCE,
        "required": False,
        "in": "query",
        "description": (
            f"Only rows whose `{field}` is at or after this instant (ISO 8601 with a UTC "
            f"offset), ordered by ({field}, id) ascending so the changes can be paged "
            "through (`ordering` is then ignored). Invalid values are a 400."
        ),
        "schema": {"type": "string", "format": "date-time"},
    }
