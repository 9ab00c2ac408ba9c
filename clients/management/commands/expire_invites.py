from django.core.management.base import BaseCommand

from clients.services import invites_expire_due


class Command(BaseCommand):
    help = "Mark pending invites past their expiry as expired (safe to run from cron)."

    def handle(self, *args, **options) -> None:
        count = invites_expire_due()
        self.stdout.write(f"Expired {count} invite(s).")
