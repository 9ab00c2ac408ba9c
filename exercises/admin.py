"""Staff curate the global library here (owner empty); trainers' private exercises are
theirs and shown read-only."""

from django import forms
from django.contrib import admin

from exercises.models import Equipment, Exercise, Muscle
from exercises.services import exercise_slug
from fitbud.admin_display import person
from plans.models import LibraryScope


class OwnerFilter(admin.SimpleListFilter):
    title = "library"
    parameter_name = "library"

    def lookups(self, request, model_admin):
        return [("global", "Global library"), ("private", "Trainers' private")]

    def queryset(self, request, queryset):
        if self.value() == "global":
            return queryset.filter(owner__isnull=True)
        if self.value() == "private":
            return queryset.filter(owner__isnull=False)
        return queryset


class ExerciseForm(forms.ModelForm):
    video_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    image_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    aliases = forms.JSONField(
        required=False, help_text='A JSON list of other names, e.g. ["ohp", "military press"].'
    )

    class Meta:
        model = Exercise
        fields = [
            "name",
            "category",
            "primary_muscles",
            "secondary_muscles",
            "equipment",
            "mechanics",
            "force",
            "level",
            "instructions",
            "video_url",
            "image_url",
            "aliases",
        ]

    def clean_aliases(self):
        value = self.cleaned_data.get("aliases") or []
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
            raise forms.ValidationError("A list of names.")
        return [a.strip() for a in value if a.strip()]

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name:
            self.instance.slug = exercise_slug(name)
            clash = Exercise.objects.filter(owner__isnull=True, slug=self.instance.slug)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("name", "The global library already has an exercise of this name.")
        return cleaned


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    form = ExerciseForm
    list_display = ["name", "category", "level", "mechanics", "owned_by", "updated_at"]
    list_filter = [OwnerFilter, "scope", "category", "level", "mechanics", "equipment"]
    search_fields = ["name", "search_text", "owner__email"]
    list_select_related = ["owner"]
    filter_horizontal = ["primary_muscles", "secondary_muscles", "equipment"]
    ordering = ["name", "id"]

    @admin.display(description="Owner", ordering="owner__email")
    def owned_by(self, obj) -> str:
        if not obj.owner_id:
            return "Global library"
        if obj.scope == LibraryScope.STUDIO:
            return f"{person(obj.owner)} (studio library)"
        return person(obj.owner)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")

    def has_change_permission(self, request, obj=None) -> bool:
        # Staff curate the global library; a trainer's own exercise is theirs (View only).
        if obj is not None and obj.owner_id is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.owner_id is not None:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.owner = None  # what staff add is the global library
        super().save_model(request, obj, form, change)


@admin.register(Muscle)
class MuscleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "region"]
    list_filter = ["region"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
