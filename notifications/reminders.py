"""Habit reminders: a beat task (every 5 minutes) reminds each client, at their local
reminder time (preferences, default 19:00), of the daily habits not done yet that day.

Not spine-driven: a reminder is about something that did *not* happen. One per client and
local date (Notification.dedupe_key), so racing beats or a re-run remind once; a client
whose habits are all done by the reminder time gets none."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from coaching.models import Habit, HabitCheck
from notifications.models import Notification, NotificationPreference
from notifications.services import notification_create

DEFAULT_REMINDER_TIME = datetime.time(19, 0)


def habit_reminders_send(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    utc_today = now.date()
    # Every local date on Earth is within a day of the UTC date.
    habits = list(
        Habit.objects.filter(
            frequency="daily",
            client__is_active=True,
            start_date__lte=utc_today + datetime.timedelta(days=1),
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=utc_today - datetime.timedelta(days=1)))
        .select_related("client__user")
        .order_by("client_id", "id")
    )
    if not habits:
        return 0
    by_user = defaultdict(list)
    for habit in habits:
        by_user[habit.client.user].append(habit)
    times = dict(
        NotificationPreference.objects.filter(user__in=list(by_user)).values_list(
            "user_id", "habit_reminder_time"
        )
    )
    due: dict = {}
    for user, user_habits in by_user.items():
        local = now.astimezone(user.tzinfo)
        if local.time() < times.get(user.pk, DEFAULT_REMINDER_TIME):
            continue
        day = local.date()
        active = [
            h
            for h in user_habits
            if h.start_date <= day and (h.end_date is None or day <= h.end_date)
        ]
        if active:
            due[user] = (day, active)
    if not due:
        return 0
    keys = {user.pk: f"habit_reminder:{day.isoformat()}" for user, (day, _) in due.items()}
    reminded = set(
        Notification.objects.filter(
            user_id__in=list(keys), dedupe_key__in=set(keys.values())
        ).values_list("user_id", "dedupe_key")
    )
    checks = HabitCheck.objects.filter(
        habit__in=[h for _, active in due.values() for h in active],
        date__in={day for day, _ in due.values()},
    ).select_related("habit")
    done = {(check.habit_id, check.date) for check in checks if check.done}
    sent = 0
    for user, (day, active) in due.items():
        if (user.pk, keys[user.pk]) in reminded:
            continue
        undone = [h for h in active if (h.pk, day) not in done]
        if not undone:
            continue
        titles = ", ".join(h.title for h in undone[:3]) + ("…" if len(undone) > 3 else "")
        created = notification_create(
            user=user,
            kind=Notification.Kind.HABIT_REMINDER,
            title=f"{len(undone)} habit{'s' if len(undone) != 1 else ''} left today",
            body=titles,
            data={"date": day.isoformat(), "habits": [h.pk for h in undone]},
            dedupe_key=keys[user.pk],
        )
        sent += created is not None
    return sent
