from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from clients.models import Client, HealthProfile

DEMO_PASSWORD = "lift-heavy-2026"
DEMO_TRAINER_EMAIL = "trainer@fitbud.dev"
DEMO_CLIENT_EMAIL = "client@fitbud.dev"


class Command(BaseCommand):
    help = "Create demo data (--small: the demo trainer and client used by `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--small", action="store_true", help="Just the demo accounts.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Database already has data: demo seeding skipped.")
            return
        with transaction.atomic():
            trainer = self._user(DEMO_TRAINER_EMAIL, "Dana Demo", User.Role.TRAINER)
            client_user = self._user(DEMO_CLIENT_EMAIL, "Casey Client", User.Role.CLIENT)
            link, _ = Client.objects.get_or_create(
                user=client_user, defaults={"trainer": trainer, "goals": "Run a 10k in spring."}
            )
            HealthProfile.objects.get_or_create(client=link, defaults={"height_cm": 171})
        self.stdout.write(
            self.style.SUCCESS(
                "Demo accounts (password for both: "
                f"{DEMO_PASSWORD}):\n  trainer  {DEMO_TRAINER_EMAIL}\n  client   {DEMO_CLIENT_EMAIL}"
            )
        )

    def _user(self, email: str, full_name: str, role: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=full_name, role=role)
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user
