"""Reads behind the home screen (me/today, me/streaks, me/dashboard, me/export) and the
trainer dashboard. Everything here is a read-only query over the other apps' models.

Dates: logs carry the client's *local* date, so every rule below works in calendar dates,
never in datetimes. "Today" is `user.local_today()` (the user's IANA timezone), which makes
the figures correct across DST changes and timezone edits. Months of the trainer dashboard
are calendar months in the trainer's timezone. See docs/dashboards.md.
"""

from dashboard.selectors.client import (
    Streaks,
    client_assignments,
    client_export,
    client_for_user,
    client_home,
    client_latest_feedback,
    client_live_subscription,
    client_streaks,
    client_today,
    compute_streaks,
)
from dashboard.selectors.schedule import PlanSpan, Schedule, plans_until
from dashboard.selectors.trainer import (
    ATTENTION_ADHERENCE_BELOW_PCT,
    ATTENTION_INACTIVE_DAYS,
    ATTENTION_LIMIT,
    studio_dashboard,
    trainer_dashboard,
)

__all__ = [
    "ATTENTION_ADHERENCE_BELOW_PCT",
    "ATTENTION_INACTIVE_DAYS",
    "ATTENTION_LIMIT",
    "PlanSpan",
    "Schedule",
    "Streaks",
    "client_assignments",
    "client_export",
    "client_for_user",
    "client_home",
    "client_latest_feedback",
    "client_live_subscription",
    "client_streaks",
    "client_today",
    "compute_streaks",
    "plans_until",
    "studio_dashboard",
    "trainer_dashboard",
]
