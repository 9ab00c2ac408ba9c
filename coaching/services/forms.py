"""Writes of check-in forms, their assignments and responses.

Versions: a form's name, kind and questions form its version. Changing any of them makes
a new FormVersion row (the old ones never change); assignments point at the version that
was current when assigned and responses at the assignment's version, so an edited form
never changes what an old response meant, nor refuses the next answer to an old assignment.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError

from accounts.models import User
from clients.models import Client
from coaching.models import (
    CheckInForm,
    FormAssignment,
    FormKind,
    FormResponse,
    FormVersion,
    QuestionType,
)
from coaching.signals import form_reviewed, form_submitted
from fitbud.api.exceptions import Conflict
from plans.models import LibraryScope

VERSIONED_FIELDS = ("name", "kind", "questions")
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
# A photo answer is the id of one of the client's progress photos. The photos feature is
# not on this branch yet, so any id of this shape is stored as given (docs/coaching.md).
PHOTO_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class FormConflict(Conflict):
    default_detail = "This form response conflicts with a stored one."
    default_code = "form_response_exists"


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _snapshot(form: CheckInForm) -> FormVersion:
    return FormVersion.objects.create(
        studio_id=form.studio_id,
        form=form,
        version=form.version,
        name=form.name,
        kind=form.kind,
        questions=form.questions,
    )


@transaction.atomic
def form_create(
    *,
    trainer: User,
    name: str,
    kind: str,
    questions: list[dict[str, Any]],
    scope: str = LibraryScope.PERSONAL,
) -> CheckInForm:
    form = CheckInForm.objects.create(
        studio_id=trainer.membership.studio_id,
        trainer=trainer,
        scope=scope,
        name=name,
        kind=kind,
        questions=questions,
    )
    _snapshot(form)
    return form


@transaction.atomic
def form_update(*, form: CheckInForm, data: dict[str, Any]) -> CheckInForm:
    # The lock gives concurrent edits one version number each.
    form = CheckInForm.objects.select_for_update().get(pk=form.pk)
    changed = [
        field
        for field in (*VERSIONED_FIELDS, "scope")
        if field in data and not _same(getattr(form, field), data[field])
    ]
    if not changed:
        return form
    for field in changed:
        setattr(form, field, data[field])
    new_version = any(field in VERSIONED_FIELDS for field in changed)
    if new_version:
        form.version += 1
        changed.append("version")
    form.save(update_fields=[*changed, "updated_at"])
    if new_version:
        _snapshot(form)
    return form


@transaction.atomic
def form_delete(*, form: CheckInForm) -> None:
    # Versions, assignments and responses stay (their `form` becomes null).
    form.delete()


@transaction.atomic
def form_assign(*, form: CheckInForm, client: Client, assigned_by: User) -> FormAssignment:
    """Give the form's current version to the client. A weekly form replaces the client's
    live weekly form (one at a time); a once form is one more questionnaire to answer."""
    version = FormVersion.objects.get(form=form, version=form.version)
    now = timezone.now()
    if form.kind == FormKind.WEEKLY:
        for live in FormAssignment.objects.select_for_update().filter(
            client=client, kind=FormKind.WEEKLY, status=FormAssignment.Status.ACTIVE
        ):
            live.status = FormAssignment.Status.ENDED
            live.ended_at = now
            live.save(update_fields=["status", "ended_at", "updated_at"])
    try:
        with transaction.atomic():
            return FormAssignment.objects.create(
                client=client,
                form=form,
                form_version=version,
                kind=form.kind,
                assigned_by=assigned_by,
            )
    except IntegrityError:
        raise Conflict(
            "Another weekly form was assigned to this client at the same moment; retry.",
            code="form_assignment_overlap",
        ) from None


# Answers ----------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _unanswered(value: Any) -> bool:
    return value is None or value == "" or value == []


def _value_problem(question: dict[str, Any], value: Any) -> tuple[str, str] | None:
    """(message, code) when `value` is not a valid answer to `question`."""
    kind = question["type"]
    if kind == QuestionType.NUMBER:
        if not _is_number(value):
            return "A number is required.", "invalid"
        low, high = question.get("min"), question.get("max")
        if low is not None and value < low:
            return f"Ensure this value is greater than or equal to {low}.", "min_value"
        if high is not None and value > high:
            return f"Ensure this value is less than or equal to {high}.", "max_value"
    elif kind == QuestionType.SCALE:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10:
            return "A whole number from 1 to 10 is required.", "invalid"
    elif kind == QuestionType.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in question["options"]:
            return "Choose one of the question's options.", "invalid_choice"
    elif kind == QuestionType.MULTI_CHOICE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "A list of the question's options is required.", "invalid"
        if any(v not in question["options"] for v in value) or len(set(value)) != len(value):
            return "Choose distinct options of the question.", "invalid_choice"
    elif kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        limit = SHORT_TEXT_MAX if kind == QuestionType.SHORT_TEXT else LONG_TEXT_MAX
        if not isinstance(value, str):
            return "Text is required.", "invalid"
        if len(value) > limit:
            return f"Ensure this field has no more than {limit} characters.", "max_length"
    elif kind == QuestionType.YES_NO:
        if not isinstance(value, bool):
            return "true or false is required.", "invalid"
    elif kind == QuestionType.PHOTO and (not isinstance(value, str) or not PHOTO_ID.match(value)):
        return "The id of one of your progress photos is required.", "invalid"
    return None


def answers_validate(
    *, questions: list[dict[str, Any]], answers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The answers in question order, or a 400 naming each bad one (`answers[3].value`);
    a missing required answer is reported on `answers` naming the question's key."""
    by_key = {q["key"]: q for q in questions}
    errors: dict[Any, Any] = {}
    given: dict[str, Any] = {}
    for index, answer in enumerate(answers):
        key, value = answer["key"], answer.get("value")
        question = by_key.get(key)
        if question is None:
            errors[index] = {"key": [ErrorDetail("No question has this key.", "unknown_question")]}
        elif key in given:
            errors[index] = {"key": [ErrorDetail("This question is answered twice.", "duplicate")]}
        else:
            given[key] = value
            if not _unanswered(value):
                problem = _value_problem(question, value)
                if problem is not None:
                    errors[index] = {"value": [ErrorDetail(*problem)]}
    missing = [
        q["key"] for q in questions if q.get("required") and _unanswered(given.get(q["key"]))
    ]
    if missing:
        errors["non_field_errors"] = [
            ErrorDetail(f"Required question not answered: {key}.", "required") for key in missing
        ]
    if errors:
        raise ValidationError({"answers": errors})
    return [
        {"key": q["key"], "value": given[q["key"]]}
        for q in questions
        if q["key"] in given and not _unanswered(given[q["key"]])
    ]


def _existing(*, response_id: uuid.UUID, client: Client) -> FormResponse | None:
    row = FormResponse.objects.filter(pk=response_id).first()
    if row is not None and row.client_id != client.pk:
        raise Conflict("This id is already used by another response.", code="id_in_use")
    return row


def _slot_taken(*, assignment: FormAssignment, week_start) -> None:
    if week_start is not None:
        if FormResponse.objects.filter(client=assignment.client, week_start=week_start).exists():
            raise FormConflict(
                "This week's check-in form is already answered.", code="form_response_exists"
            )
    elif FormResponse.objects.filter(assignment=assignment).exists():
        raise FormConflict("This form was already answered.", code="form_already_answered")


@transaction.atomic
def form_response_submit(
    *,
    client: Client,
    assignment_id: int,
    answers: list[dict[str, Any]],
    id: uuid.UUID | None = None,
) -> tuple[FormResponse, bool]:
    """Answer an assignment; returns (response, created). Resending an id returns the
    stored response (200) and ignores the body: the first write won."""
    if id is not None:
        existing = _existing(response_id=id, client=client)
        if existing is not None:
            return existing, False
    assignment = (
        FormAssignment.objects.filter(client=client, pk=assignment_id)
        .select_related("form_version", "client")
        .first()
    )
    if assignment is None:
        raise NotFound(
            {"form_assignment": ErrorDetail("No form of yours has this id.", code="not_found")}
        )
    if assignment.status != FormAssignment.Status.ACTIVE:
        raise Conflict(
            "This form was replaced by another one; answer the current form.",
            code="form_assignment_ended",
        )
    stored = answers_validate(questions=assignment.form_version.questions, answers=answers)
    today = client.user.local_today()
    week_start = today - timedelta(days=today.weekday()) if assignment.kind == "weekly" else None
    _slot_taken(assignment=assignment, week_start=week_start)
    response = FormResponse(
        client=client,
        assignment=assignment,
        form_version=assignment.form_version,
        date=today,
        week_start=week_start,
        answers=stored,
    )
    if id is not None:
        response.pk = id
    try:
        with transaction.atomic():
            response.save(force_insert=True)
    except IntegrityError:
        if id is not None:
            existing = _existing(response_id=id, client=client)
            if existing is not None:
                return existing, False
        _slot_taken(assignment=assignment, week_start=week_start)
        raise
    form_submitted.send(sender=FormResponse, response=response)
    return response, True


@transaction.atomic
def form_response_review(*, response: FormResponse, reviewer: User, feedback: str) -> FormResponse:
    response.feedback = feedback
    response.reviewed_at = timezone.now()
    response.reviewed_by = reviewer
    response.save(update_fields=["feedback", "reviewed_at", "reviewed_by", "updated_at"])
    form_reviewed.send(sender=FormResponse, response=response)
    return response
