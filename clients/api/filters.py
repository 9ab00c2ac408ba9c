import django_filters

from clients.models import Client, Invite


class InviteFilter(django_filters.FilterSet):
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


class ClientFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(label="Active clients only (true) or inactive only")
    ordering = StableOrderingFilter(
        fields=(("joined_at", "joined_at"), ("user__full_name", "name")),
        label="Order by joined_at or name (prefix - for descending)",
    )

    class Meta:
        model = Client
        fields = ["is_active"]
