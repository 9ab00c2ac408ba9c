"""Staff screens for what clients log: read-mostly (the client's record is theirs)."""

from django.contrib import admin
from django.utils.html import format_html

from fitbud.admin_display import ClientTrainerListFilter, TrainerListFilter, json_display
from progress import photo_files
from progress.models import (
    BodyStat,
    CheckIn,
    ExerciseSession,
    MealLog,
    MetricType,
    ProgressPhoto,
    WorkoutLog,
)


class EntryAdmin(admin.ModelAdmin):
    # Trainers only (a related filter listed every user); clients are found by search.
    list_filter: tuple = ("date", ClientTrainerListFilter)
    search_fields = ("id", "client__user__email", "client__user__full_name", "notes")
    list_select_related = ("client__user", "client__trainer")
    date_hierarchy = "date"
    ordering = ("-created_at",)
    # Staff may remove an entry (support, GDPR) but do not rewrite what a client logged.
    readonly_fields: tuple[str, ...] = ("id", "client", "created_at", "updated_at")

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Django allows a two-relation lookup only for a related-field filter of that name;
        # ours is a SimpleListFilter that keeps the old parameter (bookmarked links).
        return lookup == ClientTrainerListFilter.parameter_name or super().lookup_allowed(
            lookup, value, request
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Every field is read-only: the page is a "View", with no Save button.
        return False

    @admin.display(description="Client", ordering="client__user__email")
    def client_email(self, obj) -> str:
        return obj.client.user.email

    @admin.display(description="Trainer", ordering="client__trainer__email")
    def trainer_email(self, obj) -> str:
        return obj.client.trainer.email


@admin.register(WorkoutLog)
class WorkoutLogAdmin(EntryAdmin):
    list_display = ("date", "client_email", "trainer_email", "duration_minutes", "effort")
    readonly_fields = (
        *EntryAdmin.readonly_fields,
        "date",
        "assignment",
        "day_index",
        json_display("target", "Target (the plan's day)"),
        json_display("exercises"),
        "duration_minutes",
        "effort",
        "notes",
    )
    raw_id_fields = ("assignment",)
    # The raw JSON fields would be shown too (as one line) on a View page: only the indented.
    exclude = ("target", "exercises")


@admin.register(MealLog)
class MealLogAdmin(EntryAdmin):
    list_display = ("date", "meal", "client_email", "trainer_email", "calories")
    exclude = ("items",)
    readonly_fields = (
        *EntryAdmin.readonly_fields,
        "date",
        "meal",
        json_display("items"),
        "calories",
        "protein_g",
        "carbs_g",
        "fat_g",
        "notes",
    )


@admin.register(CheckIn)
class CheckInAdmin(EntryAdmin):
    list_display = ("week_start", "client_email", "trainer_email", "weight_kg", "reviewed_at")
    exclude = ("measurements",)
    list_filter = (*EntryAdmin.list_filter, ("reviewed_at", admin.EmptyFieldListFilter))
    readonly_fields = (
        *EntryAdmin.readonly_fields,
        "date",
        "week_start",
        "weight_kg",
        json_display("measurements"),
        "sleep",
        "energy",
        "stress",
        "adherence",
        "notes",
        "feedback",
        "reviewed_at",
        "reviewed_by",
    )


@admin.register(ExerciseSession)
class ExerciseSessionAdmin(admin.ModelAdmin):
    """Derived from workout logs (rewritten on every save of the log): View only."""

    list_display = ("date", "exercise", "client_email", "top_weight_kg", "top_reps", "e1rm_kg")
    list_filter = ("date",)
    search_fields = ("client__user__email", "exercise__name")
    list_select_related = ("exercise", "client__user")
    raw_id_fields = ("log", "client", "exercise")
    date_hierarchy = "date"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Client", ordering="client__user__email")
    def client_email(self, obj) -> str:
        return obj.client.user.email


@admin.register(ProgressPhoto)
class ProgressPhotoAdmin(EntryAdmin):
    """Staff only; the images are shown through the same short-lived signed URLs as in the
    API (the files are never public)."""

    list_display = ("date", "client_email", "trainer_email", "pose", "thumbnail_preview")
    list_filter = ("date", "pose", ClientTrainerListFilter)
    search_fields = ("id", "client__user__email", "client__user__full_name")
    readonly_fields = (
        *EntryAdmin.readonly_fields,
        "date",
        "pose",
        "check_in",
        "image_preview",
        "content_type",
        "width",
        "height",
        "size_bytes",
        "image_key",
        "thumbnail_key",
    )

    @admin.display(description="Thumbnail")
    def thumbnail_preview(self, obj: ProgressPhoto) -> str:
        if not obj.thumbnail_key:
            return "(being made)"
        url, _ = photo_files.signed_url(obj.thumbnail_key)
        return format_html('<img src="{}" alt="" style="max-height:60px">', url)

    @admin.display(description="Photo")
    def image_preview(self, obj: ProgressPhoto) -> str:
        url, expires_at = photo_files.signed_url(obj.thumbnail_key or obj.image_key)
        full, _ = photo_files.signed_url(obj.image_key)
        return format_html(
            '<a href="{}"><img src="{}" alt="" style="max-width:480px"></a>'
            "<br>Signed links, valid until {} UTC.",
            full,
            url,
            f"{expires_at:%H:%M:%S}",
        )


@admin.register(BodyStat)
class BodyStatAdmin(EntryAdmin):
    list_display = ("date", "client_email", "trainer_email", "metric", "value", "source")
    list_filter = ("date", "source", ClientTrainerListFilter)
    search_fields = ("id", "client__user__email", "client__user__full_name", "metric")
    readonly_fields = (
        *EntryAdmin.readonly_fields,
        "date",
        "metric",
        "metric_type",
        "value",
        "source",
        "source_id",
    )


@admin.register(MetricType)
class MetricTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "unit", "trainer_email")
    list_filter = ("kind", TrainerListFilter)
    search_fields = ("name", "slug", "trainer__email")
    list_select_related = ("trainer",)
    ordering = ("trainer__email", "name")
    readonly_fields = ("studio", "trainer", "slug", "kind", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False  # studios define their own (metric-types/)

    @admin.display(description="Trainer", ordering="trainer__email")
    def trainer_email(self, obj: MetricType) -> str:
        return obj.trainer.email
