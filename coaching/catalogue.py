"""Ready-made rules a trainer installs in one click (automations/templates/)."""

from __future__ import annotations

from typing import Any

CATALOGUE: dict[str, dict[str, Any]] = {
    "welcome": {
        "name": "Welcome message",
        "description": "When a client accepts your invite, welcome them in the app.",
        "trigger": {"type": "event", "event": "invite.accepted"},
        "action": {
            "type": "notify_client",
            "title": "Welcome, {first_name}!",
            "body": "Glad to have you on board. Your plan is on its way: check Today for it.",
        },
    },
    "inactivity_nudge": {
        "name": "Inactivity nudge",
        "description": "No workout logged for 3 whole days: a friendly nudge to the client.",
        "trigger": {"type": "no_workout", "days": 3},
        "action": {
            "type": "notify_client",
            "title": "Missing you, {first_name}",
            "body": "It has been a few days since your last workout. A short one today?",
        },
    },
    "checkin_reminder": {
        "name": "Check-in reminder",
        "description": "This week's check-in not submitted by Sunday 18:00 (client's time).",
        "trigger": {"type": "checkin_missing", "weekday": 6, "time": "18:00"},
        "action": {
            "type": "notify_client",
            "title": "Weekly check-in due",
            "body": "Two minutes before the week ends: how did it go?",
        },
    },
    "subscription_ending": {
        "name": "Subscription ending",
        "description": "A client's subscription ends within 7 days: tell me, to talk renewal.",
        "trigger": {"type": "subscription_ending", "days": 7},
        "action": {
            "type": "notify_trainer",
            "title": "{first_name}'s subscription ends soon",
            "body": "Their subscription is set to end within a week.",
        },
    },
    "payment_failed": {
        "name": "Payment failed alert",
        "description": "A client's payment failed: tell me at once.",
        "trigger": {"type": "event", "event": "payment.failed"},
        "action": {
            "type": "notify_trainer",
            "title": "{first_name}'s payment failed",
            "body": "Check their billing before the next session.",
        },
    },
}
