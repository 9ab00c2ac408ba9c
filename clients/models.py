from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import StudioScopedByTrainer
from fitbud.models import TimeStampedModel


class AccessDomain(models.TextChoices):
    """The parts of a client's record that access is granted by (studios: a member sees a
    client's data of a domain only as the primary coach, an owner/admin, or by a grant)."""

    WORKOUTS = "workouts", "Workouts"
    NUTRITION = "nutrition", "Nutrition"
    CHECKINS = "checkins", "Check-ins and progress"
    MESSAGES = "messages", "Messages"
    NOTES = "notes", "Private notes"
    HEALTH = "health", "Health profile"


class Invite(StudioScopedByTrainer, TimeStampedModel):
    """A client invite, sent by a coach of a studio (the coach becomes the primary coach)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    studio = models.ForeignKey(
        "accounts.Studio", on_delete=models.CASCADE, related_name="client_invites"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invites"
    )
    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150)
    # Only a SHA-256 hex digest of the emailed token is stored; the token itself never is.
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When the invite email last went out and how often it did (create, re-invite, resend):
    # successful sends only; email_delivery is the latest attempt (pending, sent or failed).
    last_sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    email_delivery = models.ForeignKey(
        "accounts.EmailDelivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invites",
    )
    client = models.OneToOneField(
        "clients.Client",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invite",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "trainer",
                Lower("email"),
                condition=models.Q(status="pending"),
                name="clients_invite_one_pending_per_email",
            ),
        ]
        indexes = [models.Index(fields=["trainer", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"Invite {self.email} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or (
            self.status == self.Status.PENDING and self.expires_at <= timezone.now()
        )


# Importable by dotted path (the OpenAPI settings name this enum InviteStatusEnum).
InviteStatus = Invite.Status


class Client(StudioScopedByTrainer, TimeStampedModel):
    """A client account's place in one studio. `trainer` is the primary coach (a member of
    the studio who may coach); other members see the client only through access grants."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_link"
    )
    studio = models.ForeignKey("accounts.Studio", on_delete=models.PROTECT, related_name="clients")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients"
    )
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    goals = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-joined_at", "-id"]
        indexes = [
            models.Index(fields=["trainer", "is_active"]),
            models.Index(fields=["trainer", "joined_at"]),
            models.Index(fields=["studio", "is_active"]),
        ]

    def __str__(self) -> str:
        # Named by the client's account; the trainer is a column of its own in the admin.
        user = self.user
        return f"{user.full_name} ({user.email})" if user.full_name else user.email


class ClientStatusChange(models.Model):
    """History of activations/deactivations; the growth figures are computed from it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="status_changes")
    is_active = models.BooleanField()
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["client", "changed_at"])]

    def __str__(self) -> str:
        state = "activated" if self.is_active else "deactivated"
        return f"{self.client.user.email} {state} at {self.changed_at:%Y-%m-%d %H:%M}"


class ClientNote(TimeStampedModel):
    """Private trainer notes: never serialized to the client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=10000)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-created_at"])]

    def __str__(self) -> str:
        return f"Note on {self.client.user.email}: {self.body[:40]}"


class HealthProfile(TimeStampedModel):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNDISCLOSED = "undisclosed", "Prefer not to say"

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="health")
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=16, choices=Sex.choices, blank=True)
    injuries = models.TextField(blank=True, max_length=2000)
    conditions = models.TextField(blank=True, max_length=2000)
    medications = models.TextField(blank=True, max_length=2000)
    allergies = models.TextField(blank=True, max_length=2000)
    dietary_preferences = models.TextField(blank=True, max_length=2000)
    emergency_contact = models.CharField(blank=True, max_length=255)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(height_cm__isnull=True) | models.Q(height_cm__gt=0),
                name="clients_health_height_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Health profile of {self.client.user.email}"


class HealthProfileChange(models.Model):
    """Audit trail of a health profile: who changed which fields, when (never the values:
    the history must not become a second copy of medical data)."""

    profile = models.ForeignKey(HealthProfile, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    fields = models.JSONField(default=list)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["profile", "-changed_at"])]

    def __str__(self) -> str:
        return (
            f"Health profile of {self.profile.client.user.email} changed at "
            f"{self.changed_at:%Y-%m-%d %H:%M}"
        )


# The boolean column of ClientAccess for each domain (booleans, not a JSON list: "clients
# granted to me for nutrition" is then one indexed filter on both databases).
DOMAIN_FIELDS = {
    AccessDomain.WORKOUTS: "workouts",
    AccessDomain.NUTRITION: "nutrition",
    AccessDomain.CHECKINS: "checkins",
    AccessDomain.MESSAGES: "messages",
    AccessDomain.NOTES: "notes",
    AccessDomain.HEALTH: "health",
}


class ClientAccessQuerySet(models.QuerySet):
    def active(self, now=None):
        """Grants in force now: not revoked and not past their end (an expired grant stops
        at its end instant, whether or not anything has written since)."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now)
        )


class ClientAccess(models.Model):
    """A grant: another member of the studio may see these domains of this client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="access_grants")
    member = models.ForeignKey(
        "accounts.StudioMember", on_delete=models.CASCADE, related_name="access_grants"
    )
    workouts = models.BooleanField(default=False)
    nutrition = models.BooleanField(default=False)
    checkins = models.BooleanField(default=False)
    messages = models.BooleanField(default=False)
    notes = models.BooleanField(default=False)
    health = models.BooleanField(default=False)
    ends_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ClientAccessQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "client",
                "member",
                condition=models.Q(revoked_at__isnull=True),
                name="clients_access_one_live_grant",
            ),
        ]
        indexes = [models.Index(fields=["member", "revoked_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.member} on {self.client}: {', '.join(self.domains) or 'nothing'}"

    @property
    def domains(self) -> list[str]:
        return [domain.value for domain, field in DOMAIN_FIELDS.items() if getattr(self, field)]

    def set_domains(self, domains) -> None:
        for domain, field in DOMAIN_FIELDS.items():
            setattr(self, field, domain in set(domains))


class ClientAccessChange(models.Model):
    """The audit trail of who may see a client: every grant, change, revocation and
    transfer of the primary coach. The client reads it (me/team/changes/)."""

    class Action(models.TextChoices):
        GRANTED = "granted", "Granted"
        CHANGED = "changed", "Changed"
        REVOKED = "revoked", "Revoked"
        TRANSFERRED = "transferred", "Primary coach changed"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="access_changes")
    action = models.CharField(max_length=16, choices=Action.choices)
    # Who gained or lost access (the new primary coach for a transfer); names are kept as
    # text too, so the trail still reads after a member leaves.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    member_name = models.CharField(max_length=150, blank=True)
    previous_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    previous_member_name = models.CharField(max_length=150, blank=True)
    domains = models.JSONField(default=list, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.member_name} on {self.client}"
