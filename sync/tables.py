"""The tables a device syncs: for each, its model, who may read which rows (the REST
selectors, so the rule is the same one), its row shape (the REST serializers) and the id
the devices know a row by. docs/sync.md lists them for app developers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from rest_framework import serializers

from clients.models import AccessDomain
from clients.selectors import client_scope
from coaching.api.forms import FormAssignmentSerializer, FormResponseSerializer
from coaching.api.habits import HabitCheckSerializer, HabitSerializer
from coaching.models import FormAssignment, FormResponse, Habit, HabitCheck
from coaching.selectors.forms import form_assignment_list, form_response_list
from coaching.selectors.habits import habit_scope
from exercises.api.serializers import ExerciseSerializer
from exercises.models import Exercise
from exercises.selectors import exercise_list
from messaging.models import Conversation, Message
from messaging.selectors import visible_conversations
from plans.api.serializers import AssignmentSerializer
from plans.models import PlanAssignment
from plans.selectors import assignment_list
from progress import selectors as progress
from progress.api.serializers import (
    BodyStatSerializer,
    CheckInSerializer,
    MealLogSerializer,
    PhotoSerializer,
    WorkoutLogSerializer,
)
from progress.models import BodyStat, CheckIn, MealLog, ProgressPhoto, WorkoutLog


class SyncHabitSerializer(HabitSerializer):
    """A habit without its streak figures: they change with the clock and with every check,
    not with the habit row; the app computes them from habit_checks (or reads habits/)."""

    class Meta(HabitSerializer.Meta):
        fields = [
            f
            for f in HabitSerializer.Meta.fields
            if f not in ("current_streak", "longest_streak", "completion_7d")
        ]
        read_only_fields = fields


class ConversationRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = ["id", "client", "trainer", "last_message_at", "created_at", "updated_at"]
        read_only_fields = fields


class MessageRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "conversation",
            "sender",
            "body",
            "broadcast",
            "created_at",
            "edited_at",
            "updated_at",
        ]
        read_only_fields = fields


def habit_check_sync_id(habit_id: object, on_date: object) -> str:
    """A check is one per habit and local date, so that pair is its id on every device: a
    check made offline on two phones is the same record, not two."""
    return f"{habit_id}:{on_date}"


def _messages(user) -> QuerySet[Message]:
    if getattr(user, "is_client", False):
        return Message.objects.filter(conversation__client__user=user)
    return Message.objects.filter(
        Q(conversation__trainer=user)
        & client_scope(user, domain=AccessDomain.MESSAGES, prefix="conversation__client__")
    )


@dataclass(frozen=True)
class Table:
    name: str
    model: type[Model]
    rows: Callable[[object], QuerySet]
    serializer: type[serializers.Serializer]
    # The path from the model to its Client's id (None: not a client's row: exercises).
    client_path: str | None = "client_id"
    # The access domain whose grants show the rows to a member (None: seeing the client).
    domain: str | None = None
    # What "changed since" compares (an annotation for models without updated_at), and the
    # columns it is made of (a row changed when any of them is after `since`).
    changed: str = "updated_at"
    changed_columns: tuple[str, ...] = ("updated_at",)
    # Soft deletion: a row with this field set is sent as deleted.
    deleted_field: str | None = None

    def sync_id(self, row: Model) -> str:
        if self.model is HabitCheck:
            return habit_check_sync_id(row.habit_id, row.date)
        return str(row.pk)

    def queryset(self, user) -> QuerySet:
        rows = self.rows(user)
        if self.model is FormAssignment:
            rows = rows.annotate(
                sync_changed=Greatest(F("created_at"), Coalesce(F("ended_at"), F("created_at")))
            )
        return rows.order_by("pk")


TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "assignments",
            PlanAssignment,
            lambda user: assignment_list(user=user),
            AssignmentSerializer,
        ),
        Table(
            "workout_logs",
            WorkoutLog,
            lambda user: progress.workout_log_list(user=user),
            WorkoutLogSerializer,
            domain=AccessDomain.WORKOUTS,
        ),
        Table(
            "meal_logs",
            MealLog,
            lambda user: progress.meal_log_list(user=user),
            MealLogSerializer,
            domain=AccessDomain.NUTRITION,
        ),
        Table(
            "check_ins",
            CheckIn,
            lambda user: progress.check_in_list(user=user),
            CheckInSerializer,
            domain=AccessDomain.CHECKINS,
        ),
        Table(
            "habits",
            Habit,
            lambda user: habit_scope(user=user).select_related("client__user"),
            SyncHabitSerializer,
            domain=AccessDomain.CHECKINS,
        ),
        Table(
            "habit_checks",
            HabitCheck,
            lambda user: HabitCheck.objects.filter(
                client_scope(user, domain=AccessDomain.CHECKINS)
            ).select_related("habit"),
            HabitCheckSerializer,
            domain=AccessDomain.CHECKINS,
        ),
        Table(
            "form_assignments",
            FormAssignment,
            lambda user: form_assignment_list(user=user),
            FormAssignmentSerializer,
            domain=AccessDomain.CHECKINS,
            changed="sync_changed",
            changed_columns=("created_at", "ended_at"),
        ),
        Table(
            "form_responses",
            FormResponse,
            lambda user: form_response_list(user=user),
            FormResponseSerializer,
            domain=AccessDomain.CHECKINS,
        ),
        Table(
            "photos",
            ProgressPhoto,
            lambda user: progress.photo_list(user=user),
            PhotoSerializer,
            domain=AccessDomain.CHECKINS,
        ),
        Table(
            "body_stats",
            BodyStat,
            lambda user: progress.body_stat_list(user=user),
            BodyStatSerializer,
            domain=AccessDomain.CHECKINS,
        ),
        Table(
            "conversations",
            Conversation,
            lambda user: visible_conversations(user=user),
            ConversationRowSerializer,
            domain=AccessDomain.MESSAGES,
        ),
        Table(
            "messages",
            Message,
            _messages,
            MessageRowSerializer,
            client_path="conversation__client_id",
            domain=AccessDomain.MESSAGES,
            deleted_field="deleted_at",
        ),
        Table(
            "exercises",
            Exercise,
            lambda user: exercise_list(user=user),
            ExerciseSerializer,
            client_path=None,
        ),
    )
}

TABLE_OF_MODEL: dict[type[Model], Table] = {table.model: table for table in TABLES.values()}
