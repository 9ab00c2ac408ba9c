"""Reads of the exercise library, scoped to the caller.

`exercise_scope` is the one rule of which exercises a user may see and reference in a plan
or a log; `exercise_editable` the one rule of who changes one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Case, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Lower

from accounts.models import User, membership_of
from clients.models import Client
from exercises.models import Equipment, Exercise, Muscle
from plans.models import LibraryScope

# pg_trgm word similarity above which a search term matches (0 to 1). 0.35 lets one or two
# wrong letters through in a word ("bech press", "romainian") without matching everything.
SEARCH_SIMILARITY = 0.35


def exercise_scope(user: User, *, prefix: str = "") -> Q:
    """The one rule of which exercises a user sees and may reference in a plan or a log.

    Everybody: the global library. A studio member: their studio's library and their own
    personal exercises. A client: their studio's library and their primary coach's
    personal exercises (through their Client link). Anybody else sees nothing."""
    is_global = Q(**{f"{prefix}owner__isnull": True})
    in_library = Q(**{f"{prefix}scope": LibraryScope.STUDIO})
    if getattr(user, "is_trainer", False):
        member = membership_of(user)
        if member is None:
            return is_global
        in_studio = Q(**{f"{prefix}studio_id": member.studio_id})
        return is_global | (in_studio & (in_library | Q(**{f"{prefix}owner": user})))
    if getattr(user, "is_client", False):
        links = Client.objects.filter(user=user)
        return (
            is_global
            | (in_library & Q(**{f"{prefix}studio_id__in": links.values("studio_id")}))
            | Q(**{f"{prefix}owner__in": links.values("trainer_id")})
        )
    return Q(pk__in=[])


def exercise_editable(*, trainer: User, exercise: Exercise) -> bool:
    """A personal exercise is edited by its author; a studio library item by its author and
    the studio's owners and admins (the global library by staff, in the admin)."""
    if exercise.owner_id is None:
        return False
    if exercise.owner_id == trainer.pk:
        return True
    member = membership_of(trainer)
    return (
        exercise.scope == LibraryScope.STUDIO
        and member is not None
        and member.studio_id == exercise.studio_id
        and member.manages_studio
    )


def exercise_list(*, user: User) -> QuerySet[Exercise]:
    return (
        # No owner join: nothing shown reads the owner (a join would hash every user).
        Exercise.objects.filter(exercise_scope(user)).prefetch_related(
            "primary_muscles", "secondary_muscles", "equipment"
        )
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


TAGS = (
    ("primary_muscles", Exercise.primary_muscles, "muscle"),
    ("secondary_muscles", Exercise.secondary_muscles, "muscle"),
    ("equipment", Exercise.equipment, "equipment"),
)
TAGS_ATTR = "tag_slugs"


def exercise_tags_attach(exercises: list[Exercise]) -> None:
    """Give each exercise its muscle and equipment slugs (in the models' order, by name) as
    `tag_slugs`, read from the three link tables as plain values: one short query each for
    a whole page, without the model instances and bookkeeping of prefetch_related (which
    cost more than the page's main query on the list). ExerciseSerializer reads them."""
    if not exercises:
        return
    ids = [exercise.pk for exercise in exercises]
    found: dict[int, dict[str, list[str]]] = {pk: {name: [] for name, _, _ in TAGS} for pk in ids}
    for name, relation, target in TAGS:
        rows = (
            relation.through.objects.filter(exercise_id__in=ids)
            .order_by(f"{target}__name", f"{target}_id")
            .values_list("exercise_id", f"{target}__slug")
        )
        for exercise_id, slug in rows:
            found[exercise_id][name].append(slug)
    for exercise in exercises:
        setattr(exercise, TAGS_ATTR, found[exercise.pk])
