from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts.forms import UserChangeAdminForm, UserCreationAdminForm
from accounts.models import EmailDelivery, Studio, StudioInvite, StudioMember, User
from accounts.services import password_reset_delivery_send
from fitbud.admin_display import person


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "full_name", "role", "is_active", "is_staff", "date_joined")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "units")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "role", "timezone", "units")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "role",
                    "timezone",
                    "units",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # A client's account hangs off a trainer's Client record: flipping the role of an
        # existing user would break that link, so role is chosen at creation only.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "role") if obj else fields


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """Every email we tried to send; filter by status to see the failed ones."""

    # Six columns fit 1400 px beside the filters; when it was sent is on the View page.
    list_display = ("created_at", "kind", "recipient", "status", "attempts", "error")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("recipient",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    # Written by the senders only; nothing here holds a token or a link.
    readonly_fields = (
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "last_error",
        "user",
        "created_at",
        "sent_at",
    )
    actions = ["send_password_resets_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="last error")
    def error(self, delivery: EmailDelivery) -> str:
        return delivery.last_error[:80]

    @admin.action(description="Send the selected failed password-reset emails again")
    def send_password_resets_again(
        self, request: HttpRequest, queryset: QuerySet[EmailDelivery]
    ) -> None:
        # A reset link is made afresh from the account, so it can be sent again by id; an
        # invite's link is not stored: resend the invite itself (Clients > Invites).
        sent = failed = skipped = 0
        for delivery in queryset:
            if (
                delivery.kind != EmailDelivery.Kind.PASSWORD_RESET
                or delivery.status != EmailDelivery.Status.FAILED
            ):
                skipped += 1
            elif password_reset_delivery_send(delivery_id=delivery.pk):
                sent += 1
            else:
                failed += 1
        self.message_user(
            request,
            f"Sent {sent}, failed again {failed}, skipped {skipped} (not a failed reset).",
            messages.SUCCESS if not failed else messages.WARNING,
        )


class StudioMemberInline(admin.TabularInline):
    model = StudioMember
    fields = ("user", "role", "title", "joined_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        # Members join by invite (or sign-up); removal reassigns their clients: the API.
        return False


@admin.register(Studio)
class StudioAdmin(admin.ModelAdmin):
    list_display = ("name", "members", "created_at")
    search_fields = ("name", "members__user__email")
    date_hierarchy = "created_at"
    ordering = ("name",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [StudioMemberInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Studio]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="members", ordering="member_total")
    def members(self, studio: Studio) -> int:
        return studio.member_total


@admin.register(StudioMember)
class StudioMemberAdmin(admin.ModelAdmin):
    """Who is in which studio with which role; roles change through the API (its rules:
    owners, primary clients), so this is a View page."""

    list_display = ("member", "studio", "role", "title", "joined_at")
    list_filter = ("role", "joined_at")
    search_fields = ("user__email", "user__full_name", "studio__name", "title")
    list_select_related = ("user", "studio")
    ordering = ("studio__name", "joined_at")
    readonly_fields = ("studio", "user", "role", "title", "joined_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="member", ordering="user__email")
    def member(self, membership: StudioMember) -> str:
        return person(membership.user)


@admin.register(StudioInvite)
class StudioInviteAdmin(admin.ModelAdmin):
    """Member invites (a View page: tokens, emails and acceptance are the API's)."""

    list_display = ("email", "full_name", "studio", "role", "status", "expires_at")
    list_filter = ("status", "role", "created_at")
    search_fields = ("email", "full_name", "studio__name")
    list_select_related = ("studio",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    readonly_fields = (
        "studio",
        "invited_by",
        "email",
        "full_name",
        "role",
        "title",
        "status",
        "token_hash",
        "expires_at",
        "email_delivery",
        "accepted_at",
        "revoked_at",
        "member",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
