import datetime

import django_filters

from billing.models import Payment, Subscription
from fitbud.api.filters import IdFilter


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


class _DateRangeFilterSet(django_filters.FilterSet):
    """`date_from` / `date_to`: inclusive UTC calendar dates on created_at."""

    client = IdFilter(field_name="client_id", help_text="A client id (Client.id).")
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
        fields = ["status", "client", "date_from", "date_to"]


class PaymentFilter(_DateRangeFilterSet):
    status = django_filters.ChoiceFilter(choices=Payment.Status.choices)

    class Meta:
        model = Payment
        fields = ["status", "client", "date_from", "date_to"]
