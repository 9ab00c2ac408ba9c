import datetime

import django_filters

from billing.models import Payment, Subscription
from fitbud.api.filters import IdFilter, StrictFilterSet


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


class _DateRangeFilterSet(StrictFilterSet):
    """`date_from` / `date_to`: inclusive UTC calendar dates on created_at."""

    client = IdFilter(field_name="client_id", help_text="A client id (Client.id).")
    coach = IdFilter(
        field_name="client__trainer__membership",
        help_text="A studio member id (StudioMember.id): rows of the clients that member is "
        "the primary coach of. Meant for owners and admins; a coach's list only ever holds "
        "their own clients' rows, so another coach's id finds nothing.",
    )
    date_from = django_filters.DateFilter(
        method="filter_date_from", help_text="Created on or after this date (UTC, YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", help_text="Created on or before this date (UTC, YYYY-MM-DD)."
    )

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        if value >= datetime.date.max:
            return queryset
        return queryset.filter(created_at__lt=_day_start(value + datetime.timedelta(days=1)))


class SubscriptionFilter(_DateRangeFilterSet):
    status = django_filters.ChoiceFilter(choices=Subscription.Status.choices)

    class Meta:
        model = Subscription
        fields = ["status", "client", "coach", "date_from", "date_to"]


class PaymentFilter(_DateRangeFilterSet):
    status = django_filters.ChoiceFilter(choices=Payment.Status.choices)

    class Meta:
        model = Payment
        fields = ["status", "client", "coach", "date_from", "date_to"]


class PaymentSummaryFilter(StrictFilterSet):
    """billing/payments/summary/: inclusive UTC calendar dates on paid_at."""

    date_from = django_filters.DateFilter(
        method="filter_date_from", help_text="Paid on or after this date (UTC, YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", help_text="Paid on or before this date (UTC, YYYY-MM-DD)."
    )

    class Meta:
        model = Payment
        fields = ["date_from", "date_to"]

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(paid_at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        if value >= datetime.date.max:
            return queryset
        return queryset.filter(paid_at__lt=_day_start(value + datetime.timedelta(days=1)))
