"""Realistic demo data at a chosen scale, fast, deterministic and idempotent.

    manage.py seed_demo --small                       # demo accounts for `make run`
    manage.py seed_demo --trainers 50 --clients 40 --days 90 --seed 1

Speed: every row is written with bulk_create in batches and the password is hashed once.
bulk_create sends no post_save signals, so the feed rows (ActivityEvent) the receivers would
have written are created here explicitly, with the same kinds and references.
Determinism: each trainer's data comes from its own random.Random(seed, trainer email) and a
fixed base date (--base-date, default today), so the same arguments give the same data.
Idempotence: trainers are identified by email; an existing trainer is skipped whole. Each
trainer is written in one transaction, so an interrupted run leaves no half trainer.
A second run never regenerates what is there: it keeps the trainers already present (their
data stays from the earlier run, whatever --seed/--days say now), adds the missing ones, and
says so, naming the demo trainers of other data sets it found as well. --reset deletes every
demo account first (emails of the --small set and *@demo.fitbud.dev, with all their data),
for a clean set; other users are never touched.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Studio, StudioMember, StudioRole, User, studio_create_solo
from billing.models import Payment, Subscription, SubscriptionPlan
from clients.models import Client, ClientStatusChange, HealthProfile, Invite
from dashboard.feed import event_domain
from dashboard.models import ActivityEvent
from exercises.models import Exercise
from plans.models import PlanAssignment, PlanKind, PlanTemplate
from progress.models import CheckIn, ExerciseSession, MealLog, WorkoutLog
from progress.records import summarize

DEMO_PASSWORD = "lift-heavy-2026"
DEMO_TRAINER_EMAIL = "trainer@fitbud.dev"
DEMO_CLIENT_EMAIL = "client@fitbud.dev"
DEMO_ADMIN_EMAIL = "admin@fitbud.dev"
SMALL_SET_EMAILS = (
    DEMO_TRAINER_EMAIL,
    "trainer2@fitbud.dev",
    DEMO_CLIENT_EMAIL,
    *(f"client{i}@fitbud.dev" for i in range(2, 9)),
    DEMO_ADMIN_EMAIL,
)
BATCH = 2000

FIRST = [
    "Ava",
    "Ben",
    "Cleo",
    "Dan",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jin",
    "Kai",
    "Lea",
    "Max",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vic",
    "Wren",
    "Xena",
    "Yuri",
    "Zoe",
    "Ada",
    "Bo",
    "Cruz",
    "Dev",
    "Emi",
    "Finn",
    "Gia",
    "Hugo",
    "Ines",
    "Jay",
    "Kira",
    "Luca",
    "Mia",
    "Noor",
]
LAST = [
    "Stone",
    "Rivera",
    "Okafor",
    "Lind",
    "Moreau",
    "Tanaka",
    "Novak",
    "Silva",
    "Berg",
    "Khan",
    "Costa",
    "Weber",
    "Nakamura",
    "Diaz",
    "Hughes",
    "Rossi",
    "Fischer",
    "Kowalski",
    "Duarte",
    "Park",
    "Larsen",
    "Ibrahim",
    "Murphy",
    "Ortiz",
    "Varga",
    "Chen",
    "Dubois",
]
TIMEZONES = ("UTC", "Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo")
CURRENCIES = ("EUR", "USD", "GBP")
GOALS = (
    "Lose 5 kg before summer.",
    "Run a half marathon.",
    "Build strength: 100 kg squat.",
    "Move without back pain.",
    "More energy, better sleep.",
)

WORKOUT_TEMPLATES: list[tuple[str, dict[str, Any]]] = [
    (
        "Full body, 3 days a week",
        {
            "days": [
                {
                    "name": "Full body A",
                    "rest": False,
                    "exercises": [
                        {"name": "Back squat", "sets": 4, "reps": "6-8", "weight_kg": 60},
                        {"name": "Bench press", "sets": 4, "reps": "8-10", "weight_kg": 45},
                        {"name": "Barbell row", "sets": 3, "reps": 10, "weight_kg": 40},
                        {"name": "Plank", "sets": 3, "reps": 1, "duration_s": 45},
                    ],
                },
                {"name": "Rest", "rest": True, "exercises": []},
                {
                    "name": "Full body B",
                    "rest": False,
                    "exercises": [
                        {"name": "Deadlift", "sets": 3, "reps": 5, "weight_kg": 80},
                        {"name": "Overhead press", "sets": 4, "reps": "8-10", "weight_kg": 30},
                        {"name": "Pull-up", "sets": 3, "reps": "6-10"},
                        {"name": "Lunges", "sets": 3, "reps": 12, "weight_kg": 12},
                    ],
                },
                {"name": "Rest", "rest": True, "exercises": []},
                {
                    "name": "Full body C",
                    "rest": False,
                    "exercises": [
                        {"name": "Front squat", "sets": 4, "reps": 8, "weight_kg": 45},
                        {"name": "Incline press", "sets": 3, "reps": 10, "weight_kg": 20},
                        {"name": "Cable row", "sets": 3, "reps": 12, "weight_kg": 35},
                    ],
                },
                {"name": "Rest", "rest": True, "exercises": []},
                {"name": "Active recovery", "rest": True, "exercises": [], "notes": "Walk 30 min"},
            ],
            "level": "beginner",
        },
    ),
    (
        "Upper / lower, 4 days",
        {
            "days": [
                {
                    "name": "Upper",
                    "rest": False,
                    "exercises": [
                        {
                            "name": "Bench press",
                            "sets": 4,
                            "reps": 6,
                            "weight_kg": 70,
                            "rest_s": 120,
                        },
                        {"name": "Pendlay row", "sets": 4, "reps": 8, "weight_kg": 60},
                        {"name": "Dumbbell press", "sets": 3, "reps": "8-12", "weight_kg": 22},
                    ],
                },
                {
                    "name": "Lower",
                    "rest": False,
                    "exercises": [
                        {"name": "Back squat", "sets": 5, "reps": 5, "weight_kg": 90},
                        {"name": "Romanian deadlift", "sets": 3, "reps": 10, "weight_kg": 70},
                        {"name": "Calf raise", "sets": 4, "reps": 15, "weight_kg": 40},
                    ],
                },
                {"name": "Rest", "rest": True, "exercises": []},
                {
                    "name": "Upper (volume)",
                    "rest": False,
                    "exercises": [
                        {"name": "Overhead press", "sets": 4, "reps": 8, "weight_kg": 40},
                        {"name": "Chin-up", "sets": 4, "reps": "6-10"},
                        {"name": "Dips", "sets": 3, "reps": 12},
                    ],
                },
                {
                    "name": "Lower (volume)",
                    "rest": False,
                    "exercises": [
                        {"name": "Deadlift", "sets": 4, "reps": 5, "weight_kg": 110},
                        {"name": "Leg press", "sets": 3, "reps": 12, "weight_kg": 150},
                        {"name": "Bike intervals", "sets": 6, "reps": 1, "duration_s": 60},
                    ],
                },
                {"name": "Rest", "rest": True, "exercises": []},
                {"name": "Rest", "rest": True, "exercises": []},
            ]
        },
    ),
]


# Each demo plan exercise as a global library exercise (by slug), so demo plans and logs
# build exercise history and personal records.
LIBRARY_SLUGS = {
    "Back squat": "back-squat",
    "Bench press": "barbell-bench-press",
    "Barbell row": "barbell-row",
    "Plank": "plank",
    "Deadlift": "conventional-deadlift",
    "Overhead press": "overhead-press",
    "Pull-up": "pull-up",
    "Lunges": "walking-lunge",
    "Front squat": "front-squat",
    "Incline press": "incline-dumbbell-press",
    "Cable row": "seated-cable-row",
    "Pendlay row": "pendlay-row",
    "Dumbbell press": "dumbbell-bench-press",
    "Romanian deadlift": "romanian-deadlift",
    "Calf raise": "standing-calf-raise",
    "Chin-up": "chin-up",
    "Dips": "chest-dip",
    "Leg press": "leg-press",
    "Bike intervals": "stationary-bike",
}


def _with_library(content: dict[str, Any], library: dict[str, Exercise]) -> dict[str, Any]:
    """The template content with `exercise: <id>` on every exercise the library has."""
    days = []
    for day in content["days"]:
        exercises = []
        for ex in day.get("exercises", []):
            found = library.get(LIBRARY_SLUGS.get(ex["name"], ""))
            exercises.append({**ex, "exercise": found.pk} if found else dict(ex))
        days.append({**day, "exercises": exercises})
    return {**content, "days": days}


def _snapshot(content: dict[str, Any], library_by_id: dict[int, Exercise]) -> dict[str, Any]:
    """What plans.services.plan_assign stores: each library exercise's name, cues, media."""
    days = []
    for day in content["days"]:
        exercises = []
        for ex in day.get("exercises", []):
            found = library_by_id.get(ex.get("exercise"))
            if found is not None:
                ex = {
                    **ex,
                    "exercise_info": {
                        "id": found.pk,
                        "name": found.name,
                        "instructions": found.instructions,
                        "video_url": found.video_url,
                        "image_url": found.image_url,
                    },
                }
            exercises.append(ex)
        days.append({**day, "exercises": exercises})
    return {**content, "days": days}


def _sessions(workouts: list[WorkoutLog]) -> list[ExerciseSession]:
    """The ExerciseSession rows progress.services writes for each log (bulk_create skips it)."""
    return [
        ExerciseSession(
            log=log,
            client=log.client,
            exercise_id=exercise_id,
            date=log.date,
            top_reps=summary.top_reps,
            top_weight_kg=summary.top_weight_kg,
            volume_kg=summary.volume_kg,
            e1rm_kg=summary.e1rm_kg,
            set_count=summary.set_count,
            rep_bests=summary.rep_bests,
        )
        for log in workouts
        for exercise_id, summary in summarize(log.exercises).items()
    ]


def _meal(name: str, when: str, items: list[tuple[str, int, str, int, int, int, int]]):
    return {
        "name": name,
        "time": when,
        "items": [
            {
                "food": food,
                "quantity": qty,
                "unit": unit,
                "calories": kcal,
                "protein_g": p,
                "carbs_g": c,
                "fat_g": f,
            }
            for food, qty, unit, kcal, p, c, f in items
        ],
    }


DIET_DAY_A = {
    "name": "Training day",
    "meals": [
        _meal(
            "Breakfast",
            "07:30",
            [("Oats", 80, "g", 300, 10, 54, 6), ("Milk", 250, "ml", 160, 8, 12, 9)],
        ),
        _meal(
            "Lunch",
            "12:30",
            [("Chicken breast", 150, "g", 250, 46, 0, 5), ("Rice", 200, "g", 260, 5, 57, 1)],
        ),
        _meal(
            "Dinner",
            "19:00",
            [("Salmon", 150, "g", 310, 31, 0, 20), ("Potatoes", 250, "g", 190, 5, 43, 0)],
        ),
    ],
}
DIET_DAY_B = {
    "name": "Rest day",
    "meals": [
        _meal(
            "Breakfast",
            "08:00",
            [("Greek yogurt", 200, "g", 190, 20, 8, 9), ("Berries", 100, "g", 50, 1, 12, 0)],
        ),
        _meal("Lunch", "13:00", [("Lentil soup", 400, "ml", 320, 18, 48, 6)]),
        _meal("Dinner", "19:00", [("Tofu stir-fry", 350, "g", 420, 24, 30, 22)]),
    ],
}
DIET_TEMPLATES: list[tuple[str, dict[str, Any]]] = [
    (
        "Lean bulk, 2400 kcal",
        {
            "targets": {"calories": 2400, "protein_g": 160, "carbs_g": 270, "fat_g": 75},
            "days": [DIET_DAY_A, DIET_DAY_A, DIET_DAY_B],
        },
    ),
    (
        "Gentle cut, 1900 kcal",
        {
            "targets": {"calories": 1900, "protein_g": 140, "carbs_g": 180, "fat_g": 60},
            "days": [DIET_DAY_B, DIET_DAY_A],
            "notes": "Drink 2 l of water a day.",
        },
    ),
]


SEEDED_MODELS = (
    User,
    Client,
    ClientStatusChange,
    HealthProfile,
    Invite,
    PlanTemplate,
    PlanAssignment,
    WorkoutLog,
    MealLog,
    CheckIn,
    SubscriptionPlan,
    Subscription,
    Payment,
    ActivityEvent,
)


@dataclass
class Rows:
    """Everything one trainer gets, written model by model in dependency order."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


@contextlib.contextmanager
def historic_timestamps() -> Iterator[None]:
    """Let bulk_create keep the created_at/updated_at we set (demo data has a past)."""
    touched = []
    for model in (
        Client,
        Invite,
        PlanTemplate,
        PlanAssignment,
        WorkoutLog,
        MealLog,
        CheckIn,
        SubscriptionPlan,
        Subscription,
        Payment,
        HealthProfile,
    ):
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                touched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in touched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Progress:
    """A progress line on stderr: redrawn in place on a terminal, one line per step in logs."""

    def __init__(self, total: int, enabled: bool, every_step: bool = False):
        self.total, self.enabled, self.start = total, enabled, time.monotonic()
        # every_step: one line per trainer even on a terminal (the --small set has two).
        self.tty = sys.stderr.isatty() and not every_step
        self.every = 1 if every_step else max(1, total // 10)

    def update(self, done: int, rows: int, note: str = "") -> None:
        if not self.enabled or (not self.tty and done % self.every and done != self.total):
            return
        width = 30
        filled = int(width * done / self.total) if self.total else width
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} trainers, "
            f"{rows:,} rows, {time.monotonic() - self.start:.1f}s"
        )
        if note and not self.tty:  # a redrawn line keeps one length
            line += f"  {note}"
        sys.stderr.write(("\r" + line) if self.tty else (line + "\n"))
        if self.tty and done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


class Command(BaseCommand):
    help = "Create realistic demo data (deterministic with --seed, idempotent, bulk-inserted)."

    def add_arguments(self, parser):
        parser.add_argument("--trainers", type=int, default=3)
        parser.add_argument("--clients", type=int, default=8, help="Clients per trainer.")
        parser.add_argument("--days", type=int, default=60, help="Days of history.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--base-date",
            type=date.fromisoformat,
            default=None,
            help="The 'today' of the data (YYYY-MM-DD); default: today (UTC).",
        )
        parser.add_argument(
            "--small",
            action="store_true",
            help="The demo accounts of `make run`: 2 trainers, a few clients, 4 weeks, staff.",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any user exists."
        )
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password of every user.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete every earlier demo account and its data first (other users are kept).",
        )
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000",
            help="Where the server runs, for the admin link printed with the demo accounts.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        self.show_progress = not opts["no_progress"]
        if opts["if_empty"] and User.objects.exists():
            self._report_existing(opts)
            return
        if min(opts["trainers"], opts["clients"], opts["days"]) < 1 and not opts["small"]:
            raise CommandError("--trainers, --clients and --days must be at least 1.")
        today = timezone.now().date()
        base = opts["base_date"] or today
        if base > today:
            raise CommandError("--base-date cannot be in the future: demo data has a past only.")
        started = time.monotonic()
        if opts["reset"]:
            self._reset()
        self._step("hashing the demo password")
        seeder = Seeder(seed=opts["seed"], base=base, password=opts["password"])

        if opts["small"]:
            plan = [
                (
                    DEMO_TRAINER_EMAIL,
                    "Dana Demo",
                    [DEMO_CLIENT_EMAIL] + [f"client{i}@fitbud.dev" for i in range(2, 6)],
                ),
                (
                    "trainer2@fitbud.dev",
                    "Theo Second",
                    [f"client{i}@fitbud.dev" for i in range(6, 9)],
                ),
            ]
            days = 28
        else:
            plan = [
                (
                    f"trainer{t:04d}@demo.fitbud.dev",
                    None,
                    [
                        f"client{t:04d}.{c:03d}@demo.fitbud.dev"
                        for c in range(1, opts["clients"] + 1)
                    ],
                )
                for t in range(1, opts["trainers"] + 1)
            ]
            days = opts["days"]

        wanted = [email for email, _, _ in plan]
        existing = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
        # Demo trainers of another data set (the --small set, another --trainers count): kept,
        # and named in the report, so that a mixed database never goes unnoticed.
        others = sorted(
            set(
                demo_users()
                .filter(role=User.Role.TRAINER, is_staff=False)
                .values_list("email", flat=True)
            )
            - set(wanted)
        )
        self._step(
            f"{len(plan)} trainer(s), {days} days of history up to {base} (seed {opts['seed']}); "
            f"{len(existing)} already present"
        )
        progress = Progress(
            len(plan), enabled=self.show_progress, every_step=opts["small"] or len(plan) <= 10
        )
        created = 0
        with historic_timestamps():
            for index, (email, name, client_emails) in enumerate(plan, start=1):
                if email in existing:
                    note = f"{email}: kept (already present)"
                else:
                    with transaction.atomic():
                        seeder.trainer(
                            index=index,
                            email=email,
                            full_name=name,
                            client_emails=client_emails,
                            days=days,
                        )
                    created += 1
                    note = f"{email}: created with {len(client_emails)} clients"
                progress.update(index, sum(seeder.rows.counts.values()), note)

        staff_note = ""
        if opts["small"]:
            staff_note = (
                "; staff account created" if seeder.staff(DEMO_ADMIN_EMAIL) else "; staff kept"
            )
        if created and connection.vendor == "postgresql":
            self._step("updating planner statistics (ANALYZE)")
            # Fresh planner statistics: right after a bulk load PostgreSQL still plans with the
            # old row counts (a dashboard query went from 24 ms to 2 ms at 10x with this).
            with connection.cursor() as cursor:
                for model in SEEDED_MODELS:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elapsed = time.monotonic() - started
        skipped = len(plan) - created
        summary = ", ".join(f"{n:,} {k}" for k, n in seeder.rows.counts.items()) or "nothing new"
        self.stdout.write(
            f"seed_demo: {created} trainer(s) created, {skipped} already present{staff_note}; "
            f"{summary} in {elapsed:.1f}s"
        )
        if skipped:
            self.stdout.write(
                f"Kept as they were (not regenerated with these arguments): "
                f"{_some(sorted(existing))}. Use --reset for a clean data set."
            )
        if others:
            style = self.style.WARNING if created else (lambda text: text)
            self.stdout.write(
                style(
                    f"Also in the database, from an earlier run with other arguments: "
                    f"{len(others)} demo trainer(s) ({_some(others)}), kept. The data sets are "
                    f"now side by side; `seed_demo --reset ...` keeps only the requested one."
                )
            )
        if opts["small"]:
            self._print_accounts(opts)

    def _step(self, text: str) -> None:
        if self.show_progress:
            sys.stderr.write(f"seed_demo: {text}\n")
            sys.stderr.flush()

    def _print_accounts(self, opts, heading: str = "Demo accounts") -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"{heading} (password for all: {opts['password']}):\n"
                f"  trainer  {DEMO_TRAINER_EMAIL}\n"
                f"  client   {DEMO_CLIENT_EMAIL}\n"
                f"  staff    {DEMO_ADMIN_EMAIL}   ({opts['base_url'].rstrip('/')}/admin/)"
            )
        )

    def _report_existing(self, opts) -> None:
        """--if-empty on a database with users: create nothing, but say how to log in."""
        demo = set(
            User.objects.filter(
                email__in=[DEMO_TRAINER_EMAIL, DEMO_CLIENT_EMAIL, DEMO_ADMIN_EMAIL]
            ).values_list("email", flat=True)
        )
        if opts["small"] and demo:
            self.stdout.write("Demo data already present: nothing created, nothing changed.")
            if opts["password"] == DEMO_PASSWORD:
                heading = "Demo accounts (unless their passwords were changed since)"
            else:
                heading = "Demo accounts"
            self._print_accounts({**opts, "password": DEMO_PASSWORD}, heading)
            return
        self.stdout.write(
            "The database already has users: demo data not created "
            "(`manage.py seed_demo --small` adds the demo accounts beside them)."
        )

    def _reset(self) -> None:
        users = demo_users()
        emails = list(users.values_list("email", flat=True))
        self._step(f"--reset: deleting {len(emails)} earlier demo account(s) and their data")
        with transaction.atomic():
            # Client.trainer is PROTECT: the links (and with them logs, plans, billing and feed
            # rows) go first, then the accounts.
            studios = list(
                StudioMember.objects.filter(user__in=users).values_list("studio_id", flat=True)
            )
            Client.objects.filter(models.Q(user__in=users) | models.Q(trainer__in=users)).delete()
            Invite.objects.filter(trainer__in=users).delete()
            users.delete()
            # Their studios, unless someone else (not a demo account) is still a member.
            Studio.objects.filter(pk__in=studios, members__isnull=True).delete()
        self.stdout.write(f"seed_demo --reset: deleted {len(emails)} demo account(s).")


def demo_users():
    """Every account seed_demo makes: the --small set's emails and *@demo.fitbud.dev."""
    return User.objects.filter(
        models.Q(email__in=SMALL_SET_EMAILS) | models.Q(email__iendswith="@demo.fitbud.dev")
    )


def _some(emails: list[str], limit: int = 3) -> str:
    shown = ", ".join(emails[:limit])
    return f"{shown} and {len(emails) - limit} more" if len(emails) > limit else shown


class Seeder:
    def __init__(self, *, seed: int, base: date, password: str):
        self.seed, self.base = seed, base
        # Nothing is dated after the moment the command runs (the data's evening of the base
        # day may not have happened yet when the base date is today).
        self.clock = timezone.now()
        # Hashed once: hashing per user (Argon2) would dominate the run time.
        self.password_hash = make_password(password)
        self.rows = Rows()
        self.ct = {
            m: ContentType.objects.get_for_model(m)
            for m in (WorkoutLog, MealLog, CheckIn, Client, PlanAssignment, Payment)
        }

    # helpers -------------------------------------------------------------------------------

    def _bulk(self, model, objs: list) -> list:
        """bulk_create in batches; primary keys are set on the objects afterwards."""
        if objs:
            model.objects.bulk_create(objs, batch_size=BATCH)
            self.rows.add(str(model._meta.verbose_name_plural), len(objs))
        return objs

    @functools.cached_property
    def library(self) -> dict[str, Exercise]:
        return {e.slug: e for e in Exercise.objects.filter(owner__isnull=True)}

    @functools.cached_property
    def library_by_id(self) -> dict[int, Exercise]:
        return {e.pk: e for e in self.library.values()}

    def _copy(self, model, objs: list) -> list:
        """The big tables (logs, events) on PostgreSQL: COPY, several times faster than the
        multi-row INSERT of bulk_create. Only for rows whose keys we never need back (logs
        carry client-made UUIDs; events are referenced by nothing)."""
        if connection.vendor != "postgresql":
            return self._bulk(model, objs)
        if objs:
            fields = [
                f
                for f in model._meta.concrete_fields
                if not isinstance(f, models.fields.AutoFieldMixin)
            ]
            quote = connection.ops.quote_name
            sql = (
                f"COPY {quote(model._meta.db_table)} "
                f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
            )
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for obj in objs:
                    copy.write_row(
                        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                    )
            self.rows.add(str(model._meta.verbose_name_plural), len(objs))
        return objs

    @staticmethod
    def _uuid(rng: random.Random) -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    @staticmethod
    def _at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)

    def _event(self, events: list, client: Client, kind: str, summary: str, obj, when) -> None:
        events.append(
            ActivityEvent(
                studio_id=client.studio_id,
                domain=event_domain(kind, obj),
                trainer_id=client.trainer_id,
                client=client,
                kind=kind,
                summary=summary[:255],
                content_type=self.ct[type(obj)],
                object_id=str(obj.pk),
                created_at=when,
            )
        )

    def staff(self, email: str) -> bool:
        """The staff account of the --small set; True when it was created now."""
        if not User.objects.filter(email=email).exists():
            staff = User.objects.create(
                email=email,
                full_name="Fitbud Staff",
                role=User.Role.TRAINER,
                is_staff=True,
                is_superuser=True,
                password=self.password_hash,
            )
            studio_create_solo(user=staff)
            self.rows.add("staff users", 1)
            return True
        return False

    # one trainer ---------------------------------------------------------------------------

    def trainer(
        self, *, index: int, email: str, full_name: str | None, client_emails: list[str], days: int
    ) -> None:
        # Per trainer (by email, so that data sets of different shapes never share keys).
        rng = random.Random(f"{self.seed}:{email}")
        base = self.base
        start = base - timedelta(days=days)
        now = min(self._at(base, 20), self.clock)
        name = full_name or f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        trainer = User(
            email=email,
            full_name=name,
            role=User.Role.TRAINER,
            timezone=rng.choice(TIMEZONES),
            password=self.password_hash,
            date_joined=self._at(start - timedelta(days=60), 9),
        )
        self._bulk(User, [trainer])
        # A studio of one, as sign-up makes it.
        studio = Studio.objects.create(name=name, created_at=trainer.date_joined)
        StudioMember.objects.create(
            studio=studio, user=trainer, role=StudioRole.OWNER, joined_at=trainer.date_joined
        )
        events: list[ActivityEvent] = []

        # Offer: subscription plans, templates (one archived).
        currency = rng.choice(CURRENCIES)
        plans = self._bulk(
            SubscriptionPlan,
            [
                SubscriptionPlan(
                    studio=studio,
                    trainer=trainer,
                    name="Monthly coaching",
                    price=rng.choice((7900, 9900, 12900)),
                    currency=currency,
                    interval="month",
                    created_at=trainer.date_joined,
                    updated_at=trainer.date_joined,
                ),
                SubscriptionPlan(
                    studio=studio,
                    trainer=trainer,
                    name="Weekly check-ins",
                    price=2900,
                    currency=currency,
                    interval="week",
                    created_at=trainer.date_joined,
                    updated_at=trainer.date_joined,
                ),
            ],
        )
        library = self.library
        templates = [
            PlanTemplate(
                studio=studio,
                trainer=trainer,
                kind=kind,
                name=tname,
                description=f"{tname} — demo template.",
                content=_with_library(content, library) if kind == PlanKind.WORKOUT else content,
                version=1 + rng.randrange(3),
                is_archived=False,
                created_at=trainer.date_joined,
                updated_at=trainer.date_joined,
            )
            for kind, pool in (
                (PlanKind.WORKOUT, WORKOUT_TEMPLATES),
                (PlanKind.DIET, DIET_TEMPLATES),
            )
            for tname, content in pool
        ]
        templates.append(
            PlanTemplate(
                studio=studio,
                trainer=trainer,
                kind=PlanKind.WORKOUT,
                name="Old 5x5 (archived)",
                content={"days": [WORKOUT_TEMPLATES[1][1]["days"][1]]},
                version=4,
                is_archived=True,
                created_at=trainer.date_joined,
                updated_at=trainer.date_joined,
            )
        )
        self._bulk(PlanTemplate, templates)
        workout_templates = [
            t for t in templates if t.kind == PlanKind.WORKOUT and not t.is_archived
        ]
        diet_templates = [t for t in templates if t.kind == PlanKind.DIET]

        # Clients: users, links, health profiles, invites (accepted), status history.
        users, links = [], []
        for _c, cemail in enumerate(client_emails):
            joined = self._at(start - timedelta(days=rng.randrange(0, 45)), 10 + rng.randrange(8))
            if rng.random() < 0.3:  # recent sign-ups, for the growth figures
                joined = self._at(base - timedelta(days=rng.randrange(0, min(days, 40))), 11)
            if cemail == DEMO_CLIENT_EMAIL:
                joined = self._at(start, 10)
            joined = min(joined, now - timedelta(hours=1))
            users.append(
                User(
                    email=cemail,
                    full_name=(
                        "Casey Client"
                        if cemail == DEMO_CLIENT_EMAIL
                        else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                    ),
                    role=User.Role.CLIENT,
                    timezone=rng.choice(TIMEZONES),
                    units=rng.choice(("metric", "metric", "imperial")),
                    password=self.password_hash,
                    date_joined=joined,
                )
            )
            # About one in ten has left, some time after their plans started.
            tenure = (now - max(joined, self._at(start, 0))).days
            active = cemail == DEMO_CLIENT_EMAIL or tenure < 3 or rng.random() > 0.1
            left = None if active else now - timedelta(days=rng.randrange(1, tenure))
            links.append(
                Client(
                    studio=studio,
                    trainer=trainer,
                    is_active=active,
                    joined_at=joined,
                    deactivated_at=left,
                    goals=rng.choice(GOALS),
                    created_at=joined,
                    updated_at=joined,
                )
            )
        self._bulk(User, users)
        for user, link in zip(users, links, strict=True):
            link.user = user
        self._bulk(Client, links)

        invites, health, changes = [], [], []
        for link in links:
            user = link.user
            invites.append(
                Invite(
                    studio=studio,
                    trainer=trainer,
                    email=user.email,
                    full_name=user.full_name,
                    token_hash=hashlib.sha256(f"{self.seed}:{user.email}".encode()).hexdigest(),
                    status=Invite.Status.ACCEPTED,
                    expires_at=link.joined_at + timedelta(days=7),
                    accepted_at=link.joined_at,
                    client=link,
                    created_at=link.joined_at - timedelta(days=1),
                    updated_at=link.joined_at,
                )
            )
            health.append(
                HealthProfile(
                    client=link,
                    height_cm=Decimal(rng.randrange(155, 196)),
                    date_of_birth=date(
                        1970 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28)
                    ),
                    sex=rng.choice(("female", "male", "other", "undisclosed")),
                    injuries=rng.choice(
                        ("", "", "Old left knee sprain (2021).", "Lower back tightness.")
                    ),
                    conditions=rng.choice(("", "", "Asthma, mild.")),
                    allergies=rng.choice(("", "", "Peanuts.", "Lactose intolerant.")),
                    dietary_preferences=rng.choice(("", "Vegetarian.", "No pork.", "")),
                    emergency_contact=f"{rng.choice(FIRST)} +49 151 {rng.randrange(10**7, 10**8)}",
                    updated_by=user,
                    created_at=link.joined_at,
                    updated_at=link.joined_at,
                )
            )
            changes.append(
                ClientStatusChange(
                    client=link, is_active=True, changed_at=link.joined_at, changed_by=user
                )
            )
            if not link.is_active:
                changes.append(
                    ClientStatusChange(
                        client=link,
                        is_active=False,
                        changed_at=link.deactivated_at,
                        changed_by=trainer,
                    )
                )
            self._event(
                events,
                link,
                ActivityEvent.Kind.INVITE_ACCEPTED,
                f"{user.full_name} accepted your invite and joined",
                link,
                link.joined_at,
            )
        for p in range(2):  # open invitations
            invites.append(
                Invite(
                    studio=studio,
                    trainer=trainer,
                    email=f"prospect{p}.{email.split('@')[0]}@demo.fitbud.dev",
                    full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    token_hash=hashlib.sha256(
                        f"{self.seed}:{email}:prospect{p}".encode()
                    ).hexdigest(),
                    status=Invite.Status.PENDING if p == 0 else Invite.Status.EXPIRED,
                    expires_at=now + timedelta(days=5) if p == 0 else now - timedelta(days=3),
                    created_at=now - timedelta(days=2 if p == 0 else 10),
                    updated_at=now,
                )
            )
        self._bulk(Invite, invites)
        self._bulk(HealthProfile, health)
        self._bulk(ClientStatusChange, changes)

        # Plans: one workout and one diet assignment each, from the later of join and start.
        assignments = []
        for link in links:
            first_day = max(link.joined_at.date(), start)
            for template in (rng.choice(workout_templates), rng.choice(diet_templates)):
                assignments.append(
                    PlanAssignment(
                        client=link,
                        assigned_by=trainer,
                        template=template,
                        template_version=template.version,
                        kind=template.kind,
                        name=template.name,
                        snapshot=_snapshot(template.content, self.library_by_id)
                        if template.kind == PlanKind.WORKOUT
                        else template.content,
                        start_date=first_day,
                        end_date=None if link.is_active else link.deactivated_at.date(),
                        status=PlanAssignment.Status.ACTIVE
                        if link.is_active
                        else PlanAssignment.Status.ENDED,
                        ended_at=None if link.is_active else link.deactivated_at,
                        created_at=min(max(self._at(first_day, 8), link.joined_at), now),
                        updated_at=min(max(self._at(first_day, 8), link.joined_at), now),
                    )
                )
        self._bulk(PlanAssignment, assignments)
        by_client: dict[int, dict[str, PlanAssignment]] = {}
        for a in assignments:
            by_client.setdefault(a.client_id, {})[a.kind] = a
            self._event(
                events,
                a.client,
                ActivityEvent.Kind.PLAN_ASSIGNED,
                f"{a.get_kind_display()} plan “{a.name}” assigned to "
                f"{a.client.user.get_short_name()} from {a.start_date:%b %-d}",
                a,
                a.created_at,
            )

        # Logs: what each client did, day by day, with a personal adherence.
        workouts, meals, checkins = [], [], []
        for link in links:
            first = link.user.get_short_name()
            plan = by_client[link.pk]
            workout_plan, diet_plan = plan[PlanKind.WORKOUT], plan[PlanKind.DIET]
            last_day = link.deactivated_at.date() if link.deactivated_at else base
            adherence = 0.9 if link.user.email == DEMO_CLIENT_EMAIL else rng.uniform(0.45, 0.95)
            weight = Decimal(rng.randrange(600, 1000)) / 10
            day = workout_plan.start_date
            while day <= last_day:
                offset = (day - workout_plan.start_date).days
                wdays = workout_plan.snapshot["days"]
                windex = offset % len(wdays)
                target = wdays[windex]
                if (
                    not target.get("rest")
                    and rng.random() < adherence
                    and (logged := self._at(day, 17 + rng.randrange(4), rng.randrange(60))) <= now
                ):
                    # Slow, steady progress: +2.5 kg every two weeks on the plan.
                    gain = 2.5 * (offset // 14)
                    exercises = [
                        {
                            "name": ex["name"],
                            **({"exercise": ex["exercise"]} if "exercise" in ex else {}),
                            "sets": [
                                {
                                    "reps": ex["reps"]
                                    if isinstance(ex["reps"], int)
                                    else rng.randrange(8, 13),
                                    **(
                                        {"weight_kg": ex["weight_kg"] + gain}
                                        if "weight_kg" in ex
                                        else {}
                                    ),
                                    **(
                                        {"duration_s": ex["duration_s"]}
                                        if "duration_s" in ex
                                        else {}
                                    ),
                                    "done": rng.random() < 0.92,
                                }
                                for _ in range(ex["sets"])
                            ],
                        }
                        for ex in target["exercises"]
                    ]
                    log = WorkoutLog(
                        id=self._uuid(rng),
                        client=link,
                        date=day,
                        assignment=workout_plan,
                        day_index=windex,
                        target=target,
                        exercises=exercises,
                        duration_minutes=rng.randrange(35, 80),
                        effort=rng.randrange(5, 10),
                        notes=rng.choice(("", "", "Felt strong today.", "Short on time.")),
                        created_at=logged,
                        updated_at=logged,
                    )
                    workouts.append(log)
                    self._event(
                        events,
                        link,
                        ActivityEvent.Kind.WORKOUT_LOGGED,
                        f"{first} logged {target['name']}: {len(exercises)} exercises, "
                        f"{log.duration_minutes} min",
                        log,
                        logged,
                    )
                ddays = diet_plan.snapshot["days"]
                dday = ddays[(day - diet_plan.start_date).days % len(ddays)]
                for meal in dday["meals"]:
                    if rng.random() >= adherence:
                        continue
                    hour = int(meal.get("time", "12:00")[:2])
                    logged = self._at(day, hour, rng.randrange(60))
                    if logged > now:  # later today: not eaten yet
                        continue
                    items = [dict(item) for item in meal["items"]]
                    totals = {
                        k: Decimal(sum(i.get(k, 0) for i in items))
                        for k in ("calories", "protein_g", "carbs_g", "fat_g")
                    }
                    log = MealLog(
                        id=self._uuid(rng),
                        client=link,
                        date=day,
                        meal=meal["name"],
                        items=items,
                        created_at=logged,
                        updated_at=logged,
                        **totals,
                    )
                    meals.append(log)
                    self._event(
                        events,
                        link,
                        ActivityEvent.Kind.MEAL_LOGGED,
                        f"{first} logged {meal['name']}: {len(items)} items, "
                        f"{totals['calories']:f} kcal",
                        log,
                        logged,
                    )
                if (
                    day.weekday() == 6
                    and rng.random() < adherence + 0.1
                    and self._at(day, 9) <= now
                ):
                    weight += Decimal(rng.randrange(-8, 5)) / 10
                    logged = self._at(day, 9)
                    reviewed = (base - day).days > 3 and rng.random() < 0.7
                    check_in = CheckIn(
                        id=self._uuid(rng),
                        client=link,
                        date=day,
                        week_start=day - timedelta(days=day.weekday()),
                        weight_kg=weight,
                        measurements={
                            "waist_cm": rng.randrange(70, 100),
                            "hips_cm": rng.randrange(85, 110),
                        },
                        sleep=rng.randrange(4, 11),
                        energy=rng.randrange(3, 11),
                        stress=rng.randrange(1, 9),
                        adherence=max(1, min(10, round(adherence * 10))),
                        notes=rng.choice(("", "Good week.", "Travelled, missed a session.")),
                        feedback="Great consistency, keep the protein up." if reviewed else "",
                        reviewed_at=logged + timedelta(days=1) if reviewed else None,
                        reviewed_by=trainer if reviewed else None,
                        created_at=logged,
                        updated_at=logged,
                    )
                    checkins.append(check_in)
                    self._event(
                        events,
                        link,
                        ActivityEvent.Kind.CHECKIN_SUBMITTED,
                        f"{first} submitted a check-in: {weight:f} kg, "
                        f"adherence {check_in.adherence}/10",
                        check_in,
                        logged,
                    )
                day += timedelta(days=1)
        self._copy(WorkoutLog, workouts)
        self._copy(ExerciseSession, _sessions(workouts))
        self._copy(MealLog, meals)
        self._copy(CheckIn, checkins)

        # Money: most clients subscribe; a payment per period, a few failures.
        subscriptions, payments = [], []
        for link in links:
            if rng.random() > 0.75 and link.user.email != DEMO_CLIENT_EMAIL:
                continue
            plan = plans[0] if rng.random() < 0.7 else plans[1]
            period = timedelta(days=30 if plan.interval == "month" else 7)
            begin = link.joined_at
            sub = Subscription(
                client=link,
                plan=plan,
                provider="test",
                status=Subscription.Status.ACTIVE
                if link.is_active
                else Subscription.Status.CANCELED,
                provider_subscription_id=f"seed_sub_{self.seed}_{link.user.email}",
                canceled_at=link.deactivated_at,
                created_at=begin,
                updated_at=begin,
            )
            periods = []
            cursor = begin
            while cursor <= now and (link.deactivated_at is None or cursor <= link.deactivated_at):
                periods.append(cursor)
                cursor += period
            sub.current_period_start = periods[-1] if periods else begin
            sub.current_period_end = sub.current_period_start + period
            subscriptions.append((sub, periods, period))
        self._bulk(Subscription, [s for s, _, _ in subscriptions])
        for sub, periods, period in subscriptions:
            for n, paid in enumerate(periods):
                failed = rng.random() < 0.04
                payment = Payment(
                    client=sub.client,
                    subscription=sub,
                    amount=sub.plan.price,
                    currency=sub.plan.currency,
                    status=Payment.Status.FAILED if failed else Payment.Status.SUCCEEDED,
                    provider="test",
                    provider_payment_id=f"seed_pay_{self.seed}_{sub.client.user.email}_{n}",
                    period_start=paid,
                    period_end=paid + period,
                    paid_at=None if failed else paid,
                    failure_reason="card_declined" if failed else "",
                    created_at=paid,
                    updated_at=paid,
                )
                payments.append(payment)
        self._bulk(Payment, payments)
        for payment in payments:
            if payment.status == Payment.Status.SUCCEEDED:
                amount = f"{Decimal(payment.amount) / 100:.2f}"
                self._event(
                    events,
                    payment.client,
                    ActivityEvent.Kind.PAYMENT_RECEIVED,
                    f"{payment.client.user.get_short_name()} paid {amount} {payment.currency}",
                    payment,
                    payment.paid_at,
                )

        self._copy(ActivityEvent, events)
