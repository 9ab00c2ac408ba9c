"""Coaching tools: habits, check-in forms and automations (one module per feature)."""

from coaching.models.automations import Automation, AutomationRun
from coaching.models.forms import (
    CheckInForm,
    FormAssignment,
    FormKind,
    FormResponse,
    FormVersion,
    QuestionType,
)
from coaching.models.habits import Habit, HabitCheck, HabitFrequency

__all__ = [
    "Automation",
    "AutomationRun",
    "CheckInForm",
    "FormAssignment",
    "FormKind",
    "FormResponse",
    "FormVersion",
    "Habit",
    "HabitCheck",
    "HabitFrequency",
    "QuestionType",
]
