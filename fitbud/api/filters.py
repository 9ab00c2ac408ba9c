"""Query-string filters shared by every app."""

import django_filters
from django import forms

# The largest bigint: a larger id is a 400, never a database overflow.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.Filter):
    """A whole id within the bigint range: "1.5", "abc" or a huge number is a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
