"""Query-string filters shared by every app.

Every list endpoint's filters are strict: a parameter that is present but empty, or whose
value is outside its documented type or enum, is a 400 naming the parameter -- never a
silently unfiltered 200.
"""

import re

import django_filters
from django import forms
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter, SearchFilter

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


# Documented as arrays in the schema, where `?ordering=` is a valid, empty list.
ARRAY_FILTERS = (django_filters.OrderingFilter, django_filters.MultipleChoiceFilter)


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
            if any(str(value).strip() == "" for value in values):
                if name in self.form.errors:
                    continue
                self.form.add_error(
                    name, forms.ValidationError("This field may not be blank.", code="blank")
                )
                valid = False
        return valid


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
    descending. DRF silently drops unknown fields; here they are a 400, as documented."""

    def _terms(self, view) -> list[str]:
        fields = list(view.ordering_fields)
        return fields + [f"-{field}" for field in fields]

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
        terms = raw.split(",")
        allowed = set(self._terms(view))
        if not all(term in allowed for term in terms):
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        f"Use a comma-separated list of: {', '.join(sorted(allowed))}."
                    ]
                },
                code="invalid",
            )
        # Public names may stand for a model path (`name` -> `user__full_name`).
        field_map = getattr(view, "ordering_field_map", {})
        terms = [
            ("-" if term.startswith("-") else "")
            + field_map.get(term.lstrip("-"), term.lstrip("-"))
            for term in terms
        ]
        # A final tie-breaker, so equal values never shuffle rows between pages.
        return [*terms, "-pk" if terms[-1].startswith("-") else "pk"]

    def get_schema_operation_parameters(self, view):
        names = "|".join(re.escape(field) for field in view.ordering_fields)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "Order by one or more of "
                    + ", ".join(f"`{field}`" for field in view.ordering_fields)
                    + " (comma-separated, given once; prefix `-` for descending)."
                ),
                "schema": {"type": "string", "pattern": f"^-?({names})(,-?({names}))*$"},
            }
        ]
