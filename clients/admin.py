from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clients import services
from clients.models import (
    DOMAIN_FIELDS,
    Client,
    ClientAccess,
    ClientAccessChange,
    ClientNote,
    ClientStatusChange,
    HealthProfile,
    HealthProfileChange,
    Invite,
)
from fitbud.api.exceptions import Conflict


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    # Six columns fit a 1400 px window beside the filters; the rest is on the View page.
    list_display = ["email", "full_name", "trainer", "status", "expires_at", "email_status"]
    list_filter = ["status", "email_delivery__status", "created_at"]
    search_fields = ["email", "full_name", "trainer__email", "trainer__full_name"]
    list_select_related = ["trainer", "email_delivery"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    # Invites are made and changed through the services only (tokens, emails, history).
    readonly_fields = [
        "trainer",
        "email",
        "full_name",
        "status",
        "token_hash",
        "expires_at",
        "last_sent_at",
        "send_count",
        "accepted_at",
        "revoked_at",
        "client",
        "created_at",
        "updated_at",
    ]
    actions = ["resend_invites", "revoke_invites"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="email")
    def email_status(self, invite: Invite) -> str:
        return invite.email_delivery.status if invite.email_delivery else "-"

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Every field is read-only (the actions change invites): a "View" page.
        return False

    @admin.action(description="Resend the selected invites (new link, email again)")
    def resend_invites(self, request: HttpRequest, queryset: QuerySet[Invite]) -> None:
        sent = 0
        for invite in queryset.select_related("trainer"):
            try:
                services.invite_resend(invite=invite)
                sent += 1
            except Conflict as exc:
                self.message_user(request, f"{invite.email}: {exc.detail}", messages.WARNING)
        self.message_user(request, f"Resent {sent} invite(s).", messages.SUCCESS)

    @admin.action(description="Revoke the selected invites")
    def revoke_invites(self, request: HttpRequest, queryset: QuerySet[Invite]) -> None:
        revoked = 0
        for invite in queryset:
            try:
                services.invite_revoke(invite=invite)
                revoked += 1
            except Conflict as exc:
                self.message_user(request, f"{invite.email}: {exc.detail}", messages.WARNING)
        self.message_user(request, f"Revoked {revoked} invite(s).", messages.SUCCESS)


class ClientNoteInline(admin.TabularInline):
    model = ClientNote
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 0


class HealthProfileInline(admin.StackedInline):
    model = HealthProfile
    fields = [*services.HEALTH_FIELDS, "updated_by", "updated_at"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ClientStatusChangeInline(admin.TabularInline):
    model = ClientStatusChange
    fields = ["is_active", "changed_at", "changed_by"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["user", "user_full_name", "trainer", "is_active", "joined_at"]
    list_filter = ["is_active", ("trainer", admin.RelatedOnlyFieldListFilter), "joined_at"]
    search_fields = ["user__email", "user__full_name", "trainer__email", "trainer__full_name"]
    list_select_related = ["user", "trainer"]
    raw_id_fields = ["user", "trainer"]
    readonly_fields = ["deactivated_at", "created_at", "updated_at"]
    fields = ["user", "trainer", "is_active", "joined_at", "deactivated_at", "goals"]
    inlines = [HealthProfileInline, ClientNoteInline, ClientStatusChangeInline]
    date_hierarchy = "joined_at"

    @admin.display(description="Name", ordering="user__full_name")
    def user_full_name(self, obj: Client) -> str:
        return obj.user.full_name

    def save_model(self, request: HttpRequest, obj: Client, form, change: bool) -> None:
        # Status changes go through the service so the history (growth figures) stays true.
        if change and "is_active" in form.changed_data:
            wanted = obj.is_active
            obj.is_active = not wanted
            super().save_model(request, obj, form, change)
            services.client_set_active(client=obj, is_active=wanted, changed_by=request.user)
            return
        super().save_model(request, obj, form, change)
        if not change:
            ClientStatusChange.objects.create(
                client=obj, is_active=obj.is_active, changed_by=request.user
            )

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, ClientNote) and instance.author_id is None:
                instance.author = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(ClientNote)
class ClientNoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "client", "author", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["body", "client__user__email", "client__user__full_name", "author__email"]
    list_select_related = ["client__user", "author"]
    raw_id_fields = ["client", "author"]
    readonly_fields = ["created_at", "updated_at"]


class HealthProfileChangeInline(admin.TabularInline):
    model = HealthProfileChange
    fields = ["changed_at", "changed_by", "fields"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(HealthProfile)
class HealthProfileAdmin(admin.ModelAdmin):
    list_display = ["client", "height_cm", "date_of_birth", "sex", "updated_by", "updated_at"]
    list_filter = ["sex"]
    search_fields = ["client__user__email", "client__user__full_name"]
    list_select_related = ["client__user", "updated_by"]
    raw_id_fields = ["client"]
    readonly_fields = ["updated_by", "created_at", "updated_at"]
    inlines = [HealthProfileChangeInline]

    def save_model(self, request: HttpRequest, obj: HealthProfile, form, change: bool) -> None:
        # Staff edits are changes too: stamp who made them and keep them in the history.
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if form.changed_data:
            HealthProfileChange.objects.create(
                profile=obj,
                changed_by=request.user,
                changed_at=obj.updated_at,
                fields=[name for name in form.changed_data if name in services.HEALTH_FIELDS],
            )


class _ViewOnly(admin.ModelAdmin):
    """Grants and their audit trail are written through the API's services only (locks,
    audit rows): staff read them on "View" pages."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ClientAccess)
class ClientAccessAdmin(_ViewOnly):
    list_display = ["client", "member", "domain_list", "ends_at", "revoked_at", "created_at"]
    list_filter = ["revoked_at", "ends_at", "created_at"]
    search_fields = [
        "client__user__email",
        "client__user__full_name",
        "member__user__email",
        "member__user__full_name",
    ]
    list_select_related = ["client__user", "member__user"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "client",
        "member",
        *DOMAIN_FIELDS.values(),
        "ends_at",
        "granted_by",
        "revoked_at",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    @admin.display(description="Domains")
    def domain_list(self, grant: ClientAccess) -> str:
        return ", ".join(grant.domains) or "-"


@admin.register(ClientAccessChange)
class ClientAccessChangeAdmin(_ViewOnly):
    list_display = ["created_at", "client", "action", "member_name", "actor_name"]
    list_filter = ["action", "created_at"]
    search_fields = ["client__user__email", "client__user__full_name", "member_name", "actor_name"]
    list_select_related = ["client__user"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "client",
        "action",
        "member",
        "member_name",
        "previous_member",
        "previous_member_name",
        "domains",
        "ends_at",
        "actor",
        "actor_name",
        "created_at",
    ]
    fields = readonly_fields
