from django.core.management.base import BaseCommand

from billing.tasks import subscriptions_renew_due


class Command(BaseCommand):
    help = (
        "Renew due subscriptions of the built-in test provider (Stripe renews its own). "
        "Safe to run twice or on several machines at once; Celery beat runs it every "
        "5 minutes (billing.subscriptions_renew), this command is for a manual run."
    )

    def handle(self, *args, **options):
        outcomes = subscriptions_renew_due()
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items()))
        self.stdout.write(f"Due subscriptions handled. {summary or 'none due'}")
