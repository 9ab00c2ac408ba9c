from collections import Counter

from django.core.management.base import BaseCommand
from django.utils import timezone

from billing.selectors import subscription_ids_due
from billing.services import subscription_renew


class Command(BaseCommand):
    help = (
        "Renew due subscriptions of the built-in test provider (Stripe renews its own). "
        "Safe to run twice or on several machines at once; run it from cron every few minutes."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        outcomes: Counter[str] = Counter()
        # One transaction per subscription: a failure on one never undoes the others.
        for subscription_id in subscription_ids_due(now=now):
            outcomes[subscription_renew(subscription_id=subscription_id, now=now)] += 1
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items()))
        self.stdout.write(f"Due subscriptions handled. {summary or 'none due'}")
