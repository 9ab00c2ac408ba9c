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


class ClientFilter(StrictFilterSet):
    is_active = BooleanFilter(label="Active clients only (true) or inactive only")

    class Meta:
        model = Client
        fields = ["is_active"]
