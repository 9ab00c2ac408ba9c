"""Admin forms for the email-based user model (Django's own assume a `username`)."""

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import User
from accounts.validators import known_timezones


def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(known_timezones())]


class _UniqueEmailMixin:
    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data.get("email"))
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                "A user with this email already exists (emails ignore letter case).",
                code="unique",
            )
        return email


class UserCreationAdminForm(_UniqueEmailMixin, AdminUserCreationForm):
    timezone = forms.TypedChoiceField(choices=_timezone_choices, initial="UTC")

    class Meta:
        model = User
        fields = ("email", "full_name", "role", "timezone", "units")


class UserChangeAdminForm(_UniqueEmailMixin, UserChangeForm):
    timezone = forms.TypedChoiceField(choices=_timezone_choices)

    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "full_name",
            "role",
            "timezone",
            "units",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )
