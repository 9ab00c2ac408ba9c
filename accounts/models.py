import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone

from accounts.validators import validate_timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Email is the login and is case-insensitive: store it lower-cased.
        return (email or "").strip().lower()

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=self.normalize_email(email))

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        if user.is_trainer:
            studio_create_solo(user=user)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        TRAINER = "trainer", "Trainer"
        CLIENT = "client", "Client"

    class Units(models.TextChoices):
        METRIC = "metric", "Metric"
        IMPERIAL = "imperial", "Imperial"

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.TRAINER)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    units = models.CharField(max_length=16, choices=Units.choices, default=Units.METRIC)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["trainer", "client"]), name="accounts_user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    @property
    def is_trainer(self) -> bool:
        return self.role == self.Role.TRAINER

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def local_today(self):
        """The calendar date it is now where the user lives."""
        return dj_timezone.now().astimezone(self.tzinfo).date()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Studio(models.Model):
    """The tenant: one coaching business. A solo trainer is a studio of one (created at
    sign-up); every client, template, billing plan and feed event belongs to one studio."""

    name = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class StudioRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    COACH = "coach", "Coach"
    SPECIALIST = "specialist", "Specialist"


# Roles that see every client of the studio in every domain and manage members and billing.
STUDIO_MANAGER_ROLES = frozenset({StudioRole.OWNER, StudioRole.ADMIN})
# Roles that may be a client's primary coach (a specialist only ever works through grants).
STUDIO_COACHING_ROLES = frozenset({StudioRole.OWNER, StudioRole.ADMIN, StudioRole.COACH})


class StudioMember(models.Model):
    """A trainer account's place in its studio. One studio per trainer account."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(max_length=16, choices=StudioRole.choices)
    # A label for specialists and coaches alike ("Dietitian", "Physio", "Head coach").
    title = models.CharField(max_length=100, blank=True)
    joined_at = models.DateTimeField(default=dj_timezone.now)
    # Role or title changes (ETag and `?updated_since=` of studio/members/).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=StudioRole.values), name="accounts_member_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["studio", "role"])]

    def __str__(self) -> str:
        return f"{self.user.full_name or self.user.email} ({self.get_role_display()})"

    @property
    def manages_studio(self) -> bool:
        return self.role in STUDIO_MANAGER_ROLES

    @property
    def can_coach(self) -> bool:
        return self.role in STUDIO_COACHING_ROLES


class StudioInvite(models.Model):
    """An invitation to join a studio as a member (a new trainer account)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="invites")
    invited_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=StudioRole.choices)
    title = models.CharField(max_length=100, blank=True)
    # Only a SHA-256 hex digest of the emailed token is stored.
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    member = models.OneToOneField(
        StudioMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="invite"
    )
    # The latest invite email (pending, sent or failed); never the token.
    email_delivery = models.ForeignKey(
        "accounts.EmailDelivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="studio_invites",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "studio",
                Lower("email"),
                condition=models.Q(status="pending"),
                name="accounts_studioinvite_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=StudioRole.values),
                name="accounts_studioinvite_role_valid",
            ),
        ]
        indexes = [models.Index(fields=["studio", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"Member invite {self.email} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or (
            self.status == self.Status.PENDING and self.expires_at <= dj_timezone.now()
        )


def studio_create_solo(*, user: "User", name: str = "") -> StudioMember:
    """A new trainer account's own studio, with them as its owner (the invariant: every
    trainer account belongs to exactly one studio). Used by sign-up, createsuperuser and
    the factories; a member who joins by invite gets their membership instead."""
    studio = Studio.objects.create(name=(name or user.full_name or user.email)[:150])
    return StudioMember.objects.create(studio=studio, user=user, role=StudioRole.OWNER)


def membership_of(user) -> StudioMember | None:
    """The trainer's membership (loaded with the user by the authentication's one query;
    one query otherwise), None for clients, staff-only or anonymous users."""
    if not getattr(user, "is_trainer", False) or user.pk is None:
        return None
    try:
        return user.membership
    except StudioMember.DoesNotExist:
        return None


class StudioScopedByTrainer(models.Model):
    """Rows that carry both `studio` (the tenant) and `trainer` (a member): a row saved
    without a studio takes its trainer's, so a row made in the admin or a test can never
    land outside its trainer's tenant."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.studio_id is None and self.trainer_id is not None:
            self.studio_id = (
                StudioMember.objects.filter(user_id=self.trainer_id)
                .values_list("studio_id", flat=True)
                .first()
            )
        super().save(*args, **kwargs)


class EmailDelivery(models.Model):
    """One email we tried to send, and how it went, so a failure is never silent.

    It never holds the secret the email carries (an invite token or a password-reset link):
    the message is rendered at send time, from the invite or the user it names. A password
    reset can be sent again by id alone (its token is derived from the user, so a fresh one
    is made); an invite's token exists only in the trainer's response and in memory until
    the send, so a failed invite is sent again by resending the invite (a new link).
    """

    class Kind(models.TextChoices):
        INVITE = "invite", "Invite"
        MEMBER_INVITE = "member_invite", "Studio member invite"
        PASSWORD_RESET = "password_reset", "Password reset"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    recipient = models.EmailField(max_length=254)
    # Fixed text per kind: no user-chosen text and no secret.
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The mail server's answer or the exception, for staff; never shown through the API.
    last_error = models.TextField(blank=True)
    # The account the email is about (password reset); invites point here from the invite.
    user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The request that asked for this email (password reset): the send task records the
    # delivery once per request, however often it runs (accounts.tasks).
    request_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "email deliveries"
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed"]),
                name="accounts_emaildelivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.status})"


# Importable by dotted path (the OpenAPI settings name this enum EmailStatusEnum).
EmailDeliveryStatus = EmailDelivery.Status
