import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from plans.content import content_errors
from plans.models import PlanAssignment, PlanTemplate
from plans.services import VERSIONED_FIELDS


def _pretty(value) -> str:
    return format_html(
        '<pre style="white-space: pre-wrap; max-height: 40em; overflow: auto">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False),
    )


class PrettyJSONField(forms.JSONField):
    """An indented JSON textarea, so staff can read and edit a plan document."""

    def prepare_value(self, value):
        if isinstance(value, str):
            return value  # the raw text of a submitted form, shown back as typed
        return json.dumps(value, indent=2, ensure_ascii=False)


class PlanTemplateForm(forms.ModelForm):
    content = PrettyJSONField(widget=forms.Textarea(attrs={"rows": 30, "cols": 100}))

    class Meta:
        model = PlanTemplate
        fields = ["trainer", "kind", "name", "description", "content", "is_archived"]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if self.instance.pk and kind and kind != self.instance.kind:
            self.add_error("kind", "A template's kind cannot change.")
        elif kind and "content" in cleaned:
            # Same rules as the API; each problem is listed with its path.
            errors = content_errors(kind, cleaned["content"])
            if errors:
                self.add_error("content", [f"{e.path}: {e.message}" for e in errors[:20]])
        return cleaned


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin):
    form = PlanTemplateForm
    list_display = ["name", "kind", "trainer", "version", "is_archived", "updated_at"]
    list_filter = ["kind", "is_archived", ("trainer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "trainer__email", "trainer__full_name"]
    list_select_related = ["trainer"]
    raw_id_fields = ["trainer"]
    readonly_fields = ["version", "created_at", "updated_at", "content_preview"]
    fieldsets = [
        (None, {"fields": ["trainer", "kind", "name", "description", "is_archived", "version"]}),
        ("Content", {"fields": ["content_preview", "content"]}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="Content (formatted)")
    def content_preview(self, obj):
        return _pretty(obj.content) if obj.pk else "-"

    def save_model(self, request, obj, form, change):
        # Keep the API's rule: the version moves whenever the plan the client sees changes.
        if change and any(field in form.changed_data for field in VERSIONED_FIELDS):
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(admin.ModelAdmin):
    """Read-only: assignments are made through the API so that the one-active-plan rule and
    the snapshot hold; staff may delete one (e.g. on a data request)."""

    list_display = ["name", "kind", "client", "status", "start_date"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "client__user__email", "client__user__full_name"]
    list_select_related = ["client__user"]
    date_hierarchy = "start_date"
    fields = [
        "client",
        "assigned_by",
        "template",
        "template_version",
        "kind",
        "name",
        "start_date",
        "end_date",
        "status",
        "ended_at",
        "snapshot_pretty",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="Snapshot (immutable)")
    def snapshot_pretty(self, obj):
        return _pretty(obj.snapshot)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
