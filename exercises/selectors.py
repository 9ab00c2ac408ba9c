"""Reads of the exercise library, scoped to the caller.

`exercise_scope` is the one rule of which exercises a user may see and reference in a plan
or a log (the studios change adds the studio's library here, in one place).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Case, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Lower

from accounts.models import User
from clients.models import Client
from exercises.models import Equipment, Exercise, Muscle

# pg_trgm word similarity above which a search term matches (0 to 1). 0.35 lets one or two
# wrong letters through in a word ("bech press", "romainian") without matching everything.
SEARCH_SIMILARITY = 0.35


def exercise_scope(user: User, *, prefix: str = "") -> Q:
    """The global library plus the caller's own exercises (a trainer) or their trainer's
    (a client, through their Client link). Anybody else sees nothing."""
    if getattr(user, "is_trainer", False):
        return Q(**{f"{prefix}owner__isnull": True}) | Q(**{f"{prefix}owner": user})
    if getattr(user, "is_client", False):
        trainers = Client.objects.filter(user=user).values("trainer_id")
        return Q(**{f"{prefix}owner__isnull": True}) | Q(**{f"{prefix}owner__in": trainers})
    return Q(pk__in=[])


def exercise_list(*, user: User) -> QuerySet[Exercise]:
    return (
        Exercise.objects.filter(exercise_scope(user))
        .select_related("owner")
        .prefetch_related("primary_muscles", "secondary_muscles", "equipment")
    )


def exercise_search(queryset: QuerySet[Exercise], term: str) -> QuerySet[Exercise]:
    """Name and aliases. PostgreSQL: substring or trigram word similarity (typo-tolerant),
    closest first; elsewhere a case-insensitive substring match."""
    term = term.strip().lower()
    if not term:
        return queryset
    if connection.vendor != "postgresql":
        return queryset.filter(search_text__contains=term)
    from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity

    similarity = TrigramWordSimilarity(Value(term), "search_text")
    exact = Case(When(search_text__contains=term, then=Value(1.0)), default=Value(0.0))
    return (
        queryset.annotate(match=Greatest(similarity, exact, output_field=FloatField()))
        .filter(match__gte=SEARCH_SIMILARITY)
        # Equal matches: the name closest to the whole term first ("Romanian deadlift"
        # before "Dumbbell Romanian deadlift").
        .alias(closeness=TrigramSimilarity(Lower("name"), Value(term)))
        .order_by("-match", "-closeness", "name", "id")
    )


def exercise_owned(*, trainer: User) -> QuerySet[Exercise]:
    """The trainer's private exercises: the only ones they may change or delete."""
    return Exercise.objects.filter(owner=trainer)


def exercises_visible(*, user: User, ids: Iterable[int]) -> dict[int, Exercise]:
    """The exercises among `ids` that `user` may reference, by id (one query)."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    rows = Exercise.objects.filter(exercise_scope(user), pk__in=wanted)
    return {row.pk: row for row in rows}


def muscle_list() -> QuerySet[Muscle]:
    return Muscle.objects.all()


def equipment_list() -> QuerySet[Equipment]:
    return Equipment.objects.all()
