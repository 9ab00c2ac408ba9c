from fitbud.api.filters import BooleanFilter, StrictFilterSet
from notifications.models import Notification


class NotificationFilter(StrictFilterSet):
    unread = BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        help_text="true: unread notifications only; false: read ones only.",
    )

    class Meta:
        model = Notification
        fields = ["unread"]
