"""Helpers shared by the apps' admin screens (read-only displays staff can actually read)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.utils.html import format_html


def pretty_json(value: Any) -> str:
    """Indented JSON in a scrollable <pre>, escaped (the values are user input)."""
    if value is None:
        return "-"
    return format_html(
        '<pre class="fitbud-json" style="white-space: pre-wrap; max-height: 40em; '
        'overflow: auto; margin: 0">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False),
    )


def json_display(name: str, description: str | None = None) -> Callable[[Any], str]:
    """A readonly_fields entry showing model field `name` as pretty_json (the default
    read-only rendering of a JSONField is one long line)."""

    @admin.display(description=description or name.replace("_", " ").capitalize())
    def display(obj: Any) -> str:
        return pretty_json(getattr(obj, name))

    display.__name__ = f"{name}_pretty"
    return display


def person(user: Any) -> str:
    """How a user is named on staff screens: "Full Name (email)", or the email alone."""
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


class TrainerListFilter(admin.SimpleListFilter):
    """The "by trainer" filter, listing trainers only (trainers with at least one client), not every
    user: a related-field filter on a user foreign key would list clients and staff too.
    `trainer_path` is the lookup from the listed model to its trainer."""

    title = "trainer"
    trainer_path = "trainer"
    # The query parameter Django's related-field filter used: bookmarked links keep working.
    parameter_name = "trainer__id__exact"

    def lookups(self, request, model_admin):
        from accounts.models import User

        trainers = (
            User.objects.filter(role=User.Role.TRAINER)
            .filter(Q(clients__isnull=False))
            .distinct()
            .order_by("full_name", "email")
            .only("id", "email", "full_name")
        )
        return [(str(t.pk), person(t)) for t in trainers]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(**{f"{self.trainer_path}_id": int(value)})


class ClientTrainerListFilter(TrainerListFilter):
    trainer_path = "client__trainer"
    parameter_name = "client__trainer__id__exact"
