import django_filters

from clients.models import Client, Invite
from fitbud.api.filters import BooleanFilter, StrictFilterSet


class InviteFilter(StrictFilterSet):
    # Filters on the annotated status, so lapsed pending invites are found as "expired".
    status = django_filters.ChoiceFilter(
        choices=Invite.Status.choices, field_name="current_status", label="Status"
    )

    class Meta:
        model = Invite
        fields = ["status"]


class StableOrderingFilter(django_filters.OrderingFilter):
    """Orders by the requested field, then by id, so pages never overlap on ties."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            last_desc = value[-1].startswith("-")
            qs = qs.order_by(*qs.query.order_by, "-id" if last_desc else "id")
        return qs


class ClientFilter(StrictFilterSet):
    is_active = BooleanFilter(label="Active clients only (true) or inactive only")
    ordering = StableOrderingFilter(
        fields=(("joined_at", "joined_at"), ("user__full_name", "name")),
        label="Order by joined_at or name (prefix - for descending)",
    )

    class Meta:
        model = Client
        fields = ["is_active"]
