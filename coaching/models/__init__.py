"""Coaching tools: habits and check-in forms (one module per feature)."""

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
