"""Writes of members' exercises, personal or in the studio library (the global library is
curated in the admin)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from accounts.models import User
from exercises.models import Equipment, Exercise, Muscle
from fitbud.api.exceptions import Conflict
from plans.models import LibraryScope

COPY_SUFFIX = " (copy)"
M2M_FIELDS = ("primary_muscles", "secondary_muscles", "equipment")
PLAIN_FIELDS = (
    "name",
    "category",
    "mechanics",
    "force",
    "level",
    "instructions",
    "video_url",
    "image_url",
    "aliases",
    "scope",
)


class ExerciseExists(Conflict):
    default_detail = "You already have an exercise with this name."
    default_code = "exercise_exists"


class ExerciseInUse(Conflict):
    default_detail = (
        "Clients have logged sets of this exercise; deleting it would erase their history. "
        "Rename it instead."
    )
    default_code = "exercise_in_use"


def exercise_slug(name: str) -> str:
    slug = slugify(name, allow_unicode=True)[:140].strip("-")
    if not slug:
        raise ValidationError(
            {"name": ValidationError("The name needs at least one letter or digit.", "invalid")}
        )
    return slug


def _save(exercise: Exercise) -> None:
    try:
        # A savepoint: two concurrent creates of one name meet the unique constraint.
        with transaction.atomic():
            exercise.save()
    except IntegrityError:
        if Exercise.objects.filter(owner_id=exercise.owner_id, slug=exercise.slug).exclude(
            pk=exercise.pk
        ):
            raise ExerciseExists() from None
        raise


def _clean_aliases(aliases: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for alias in aliases:
        alias = alias.strip()
        if alias and alias.lower() not in seen:
            seen[alias.lower()] = alias
    return list(seen.values())


@transaction.atomic
def exercise_create(
    *,
    owner: User,
    name: str,
    category: str,
    primary_muscles: Sequence[Muscle] = (),
    secondary_muscles: Sequence[Muscle] = (),
    equipment: Sequence[Equipment] = (),
    mechanics: str = "",
    force: str = "",
    level: str = Exercise.Level.BEGINNER,
    instructions: str = "",
    video_url: str = "",
    image_url: str = "",
    aliases: Sequence[str] = (),
    copied_from: Exercise | None = None,
    scope: str = LibraryScope.PERSONAL,
) -> Exercise:
    exercise = Exercise(
        owner=owner,
        scope=scope,
        name=name.strip(),
        slug=exercise_slug(name),
        category=category,
        mechanics=mechanics,
        force=force,
        level=level,
        instructions=instructions,
        video_url=video_url,
        image_url=image_url,
        aliases=_clean_aliases(aliases),
        copied_from=copied_from,
    )
    _save(exercise)
    exercise.primary_muscles.set(primary_muscles)
    exercise.secondary_muscles.set(secondary_muscles)
    exercise.equipment.set(equipment)
    return exercise


@transaction.atomic
def exercise_update(*, exercise: Exercise, data: dict[str, Any]) -> Exercise:
    """Change the fields in `data` of a member's exercise (moving it between the author's
    own and the studio library with `scope`). Plans already assigned keep the
    name, cues and media of their snapshot; templates refer to it by id."""
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    for field in PLAIN_FIELDS:
        if field in data:
            value = data[field]
            if field == "aliases":
                value = _clean_aliases(value)
            elif field == "name":
                value = value.strip()
                exercise.slug = exercise_slug(value)
            setattr(exercise, field, value)
    _save(exercise)
    for field in M2M_FIELDS:
        if field in data:
            getattr(exercise, field).set(data[field])
    return exercise


@transaction.atomic
def exercise_copy(
    *,
    exercise: Exercise,
    trainer: User,
    name: str | None = None,
    scope: str = LibraryScope.PERSONAL,
) -> Exercise:
    """An editable copy of `exercise` (any the trainer sees), theirs, personal or in the
    studio library."""
    if not name:
        name = exercise.name
        if exercise.owner_id == trainer.pk:
            max_length = Exercise._meta.get_field("name").max_length
            name = exercise.name[: max_length - len(COPY_SUFFIX)] + COPY_SUFFIX
    return exercise_create(
        owner=trainer,
        name=name,
        category=exercise.category,
        primary_muscles=list(exercise.primary_muscles.all()),
        secondary_muscles=list(exercise.secondary_muscles.all()),
        equipment=list(exercise.equipment.all()),
        mechanics=exercise.mechanics,
        force=exercise.force,
        level=exercise.level,
        instructions=exercise.instructions,
        video_url=exercise.video_url,
        image_url=exercise.image_url,
        aliases=exercise.aliases,
        copied_from=exercise if exercise.owner_id is None else exercise.copied_from,
        scope=scope,
    )


@transaction.atomic
def exercise_reattribute(*, studio_id: int, author: User, to: User) -> int:
    """Give `author`'s exercises in the studio to `to` (a member leaving the studio: the
    studio's clients keep seeing and logging them). A name `to` already has gets the
    author's name appended, so slugs stay unique per owner."""
    exercises = list(Exercise.objects.select_for_update().filter(studio_id=studio_id, owner=author))
    taken = set(Exercise.objects.filter(owner=to).values_list("slug", flat=True))
    max_length = Exercise._meta.get_field("name").max_length
    for exercise in exercises:
        if exercise.slug in taken:
            suffix = f" ({author.full_name or author.email})"
            exercise.name = exercise.name[: max_length - len(suffix)] + suffix
            exercise.slug = exercise_slug(exercise.name)
            if exercise.slug in taken:
                exercise.slug = f"{exercise.slug[:120]}-{exercise.pk}"
        taken.add(exercise.slug)
        exercise.owner = to
        exercise.save(update_fields=["owner", "name", "slug", "updated_at"])
    return len(exercises)


@transaction.atomic
def exercise_delete(*, exercise: Exercise) -> None:
    # Plan snapshots carry their own copy of the name, cues and media, so assigned plans
    # are unaffected. Logged history protects the row (progress.ExerciseSession, PROTECT).
    try:
        with transaction.atomic():
            exercise.delete()
    except ProtectedError:
        raise ExerciseInUse() from None
