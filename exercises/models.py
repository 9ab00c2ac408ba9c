from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Now

from accounts.models import StudioMember
from fitbud.models import TimeStampedModel
from plans.models import LibraryScope


class Muscle(models.Model):
    """A muscle (group) exercises train; referenced by slug in the API."""

    class Region(models.TextChoices):
        UPPER = "upper", "Upper body"
        CORE = "core", "Core"
        LOWER = "lower", "Lower body"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=10, choices=Region.choices)
    # Reference data, changed only by migrations; here for `?updated_since=` like every list.
    # A database default: migration 0003 (replayed by tests after a flush) inserts without it.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Equipment(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "equipment"

    def __str__(self) -> str:
        return self.name


class Exercise(TimeStampedModel):
    """One exercise. `owner` null: the global library (staff curate it in the admin; no
    studio). Otherwise a member's exercise in their studio: `personal` (visible to its
    author and their primary clients) or `studio` (the studio's library, visible to every
    member and client of the studio). exercises.selectors.exercise_scope is the one rule."""

    class Category(models.TextChoices):
        STRENGTH = "strength", "Strength"
        CARDIO = "cardio", "Cardio"
        MOBILITY = "mobility", "Mobility"
        PLYOMETRIC = "plyometric", "Plyometric"
        POWER = "power", "Olympic / power"
        CORE = "core", "Core stability"

    class Mechanics(models.TextChoices):
        COMPOUND = "compound", "Compound"
        ISOLATION = "isolation", "Isolation"

    class Force(models.TextChoices):
        PUSH = "push", "Push"
        PULL = "pull", "Pull"
        STATIC = "static", "Static"

    class Level(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exercises",
        help_text="Empty for the global library; the author otherwise.",
    )
    # The studio it belongs to (empty for the global library); filled from the owner's
    # membership on save.
    studio = models.ForeignKey(
        "accounts.Studio",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exercises",
    )
    scope = models.CharField(
        max_length=16,
        choices=LibraryScope.choices,
        default=LibraryScope.PERSONAL,
        help_text="Personal: the author's (and their clients'); studio: the studio library.",
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140)
    category = models.CharField(max_length=16, choices=Category.choices)
    primary_muscles = models.ManyToManyField(Muscle, related_name="primary_for", blank=True)
    secondary_muscles = models.ManyToManyField(Muscle, related_name="secondary_for", blank=True)
    equipment = models.ManyToManyField(Equipment, related_name="exercises", blank=True)
    mechanics = models.CharField(max_length=16, choices=Mechanics.choices, blank=True)
    force = models.CharField(max_length=16, choices=Force.choices, blank=True)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.BEGINNER)
    instructions = models.TextField(blank=True, max_length=4000)
    video_url = models.URLField(blank=True, max_length=500)
    image_url = models.URLField(blank=True, max_length=500)
    aliases = models.JSONField(default=list, blank=True)
    # Lower-cased name and aliases, one string: what `?search=` matches (a trigram index on
    # PostgreSQL makes the typo-tolerant search an index scan). Derived in save().
    search_text = models.TextField(blank=True, editable=False)
    # The global exercise a private one was copied from (kept if that one is deleted: null).
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "owner",
                "slug",
                condition=models.Q(owner__isnull=False),
                name="exercises_private_slug_unique",
            ),
            models.UniqueConstraint(
                "slug",
                condition=models.Q(owner__isnull=True),
                name="exercises_global_slug_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="exercises_exercise_name_not_blank"
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=LibraryScope.values),
                name="exercises_exercise_scope_valid",
            ),
            # The global library has no studio; a member's exercise always has one.
            models.CheckConstraint(
                condition=models.Q(owner__isnull=True, studio__isnull=True)
                | models.Q(owner__isnull=False, studio__isnull=False),
                name="exercises_exercise_studio_iff_owner",
            ),
        ]
        indexes = [
            models.Index(Lower("name"), "id", name="exercises_name_idx"),
            models.Index(fields=["owner", "name"], name="exercises_owner_name_idx"),
            models.Index(fields=["studio", "scope"], name="exercises_studio_scope_idx"),
        ]

    def __str__(self) -> str:
        if self.owner_id is None:
            return self.name
        return f"{self.name} ({'studio' if self.scope == LibraryScope.STUDIO else 'private'})"

    def save(self, *args, **kwargs) -> None:
        if self.studio_id is None and self.owner_id is not None:
            self.studio_id = (
                StudioMember.objects.filter(user_id=self.owner_id)
                .values_list("studio_id", flat=True)
                .first()
            )
        # Derived, so the search can never disagree with the name and aliases.
        self.search_text = search_text(self.name, self.aliases)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


def search_text(name: str, aliases: list[str] | None) -> str:
    return " | ".join([name, *(aliases or [])]).lower()
