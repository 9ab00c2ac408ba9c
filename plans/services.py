import copy
import datetime
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail

from accounts.models import User
from clients.models import Client
from exercises.models import Exercise
from exercises.selectors import exercises_visible
from fitbud.api.exceptions import Conflict
from plans.content import exercise_references, validate_content
from plans.models import LibraryScope, PlanAssignment, PlanKind, PlanTemplate
from plans.signals import plan_assigned

# A template's version identifies what an assignment copied: it moves when anything the
# client sees changes (content, name, description), not when the template is archived.
VERSIONED_FIELDS = ("name", "description", "content")
COPY_SUFFIX = " (copy)"


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _referenced_exercises(*, trainer: User, content: Any) -> dict[int, Exercise]:
    """The library exercises the content refers to; a 400 at each path whose id is not in
    the global library or the trainer's own (another trainer's is the same as none)."""
    references = exercise_references(content)
    if not references:
        return {}
    visible = exercises_visible(user=trainer, ids=[pk for _, pk in references])
    missing = {
        path: [
            ValidationError(
                "No exercise with this id in the global library or yours.", code="not_found"
            )
        ]
        for path, pk in references
        if pk not in visible
    }
    if missing:
        raise ValidationError(missing)
    return visible


def _with_exercise_info(content: dict[str, Any], *, trainer: User) -> dict[str, Any]:
    """A snapshot's copy of each referenced exercise's name, cues and media, so that a later
    edit or delete of the exercise never changes an assigned plan."""
    snapshot = copy.deepcopy(content)
    references = exercise_references(snapshot)
    if not references:
        return snapshot
    visible = exercises_visible(user=trainer, ids=[pk for _, pk in references])
    for d, day in enumerate(snapshot["days"]):
        for e, item in enumerate(day.get("exercises") or []):
            pk = item.get("exercise") if isinstance(item, dict) else None
            if pk is None or isinstance(pk, bool):
                continue
            exercise = visible.get(pk)
            if exercise is None:
                raise _field_error(
                    "template",
                    f"content.days[{d}].exercises[{e}].exercise refers to an exercise that no "
                    "longer exists; edit the template first.",
                    "exercise_not_found",
                )
            item.setdefault("name", exercise.name)
            if item["name"] is None:
                item["name"] = exercise.name
            item["exercise_info"] = {
                "id": exercise.pk,
                "name": exercise.name,
                "instructions": exercise.instructions,
                "video_url": exercise.video_url,
                "image_url": exercise.image_url,
            }
    return snapshot


@transaction.atomic
def template_create(
    *,
    trainer: User,
    kind: str,
    name: str,
    content: dict[str, Any],
    description: str = "",
    scope: str = LibraryScope.PERSONAL,
) -> PlanTemplate:
    validate_content(kind, content)
    _referenced_exercises(trainer=trainer, content=content)
    return PlanTemplate.objects.create(
        studio_id=trainer.membership.studio_id,
        trainer=trainer,
        scope=scope,
        kind=kind,
        name=name,
        description=description,
        content=content,
    )


@transaction.atomic
def template_update(*, template: PlanTemplate, data: dict[str, Any]) -> PlanTemplate:
    """Apply `data` (any of name, description, content, is_archived); bump the version when
    a versioned field really changes."""
    # The lock serialises concurrent edits so that each change gets its own version number.
    template = PlanTemplate.objects.select_for_update().get(pk=template.pk)
    if "kind" in data and data["kind"] != template.kind:
        # A valid value that clashes with the stored template: a conflict, not bad input.
        raise Conflict(
            {
                "kind": ErrorDetail(
                    "A template's kind cannot change (its content shape depends on it); "
                    "create a new template instead.",
                    code="immutable",
                )
            }
        )
    if "content" in data:
        validate_content(template.kind, data["content"])
        _referenced_exercises(trainer=template.trainer, content=data["content"])
    changed = [
        field
        for field in (*VERSIONED_FIELDS, "is_archived", "scope")
        if field in data and not _same(getattr(template, field), data[field])
    ]
    if not changed:
        return template
    for field in changed:
        setattr(template, field, data[field])
    if any(field in VERSIONED_FIELDS for field in changed):
        template.version += 1
        changed.append("version")
    template.save(update_fields=[*changed, "updated_at"])
    return template


@transaction.atomic
def template_duplicate(
    *, template: PlanTemplate, trainer: User, name: str | None = None
) -> PlanTemplate:
    """A personal copy for `trainer` (any member may copy what they can see)."""
    max_length = PlanTemplate._meta.get_field("name").max_length
    if not name:
        name = template.name[: max_length - len(COPY_SUFFIX)] + COPY_SUFFIX
    return PlanTemplate.objects.create(
        studio_id=template.studio_id,
        trainer=trainer,
        kind=template.kind,
        name=name,
        description=template.description,
        content=copy.deepcopy(template.content),
    )


@transaction.atomic
def template_delete(*, template: PlanTemplate) -> None:
    # Assignments keep their snapshot; their `template` becomes null (FK is SET_NULL).
    template.delete()


def _cancel(assignment: PlanAssignment, now: datetime.datetime) -> None:
    # Replaced or ended before it began: it never covers a day.
    assignment.status = PlanAssignment.Status.ENDED
    assignment.end_date = assignment.start_date
    assignment.ended_at = now


@transaction.atomic
def plan_assign(
    *,
    template: PlanTemplate,
    client: Client,
    start_date: datetime.date,
    assigned_by: User,
    end_date: datetime.date | None = None,
) -> PlanAssignment:
    """Give `client` a snapshot of `template` from `start_date`.

    At most one active assignment per client and kind covers any date: an active one that
    started earlier now ends the day before `start_date`; one that would start on or after
    `start_date` (and overlaps) is cancelled.
    """
    # Every assignment of this client queues on the client row, so two concurrent requests
    # cannot both see "no overlap" (PostgreSQL also has an exclusion constraint as a backstop).
    client = Client.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise _field_error(
            "client",
            "This client is deactivated; reactivate them before assigning a plan.",
            "client_inactive",
        )
    template = PlanTemplate.objects.get(pk=template.pk)
    if template.is_archived:
        raise _field_error(
            "template", "Archived templates cannot be assigned; unarchive it first.", "archived"
        )
    if end_date is not None and end_date < start_date:
        raise _field_error("end_date", "The end date cannot be before the start date.", "invalid")

    now = timezone.now()
    today = assigned_by.local_today()
    overlapping = PlanAssignment.objects.filter(
        client=client, kind=template.kind, status=PlanAssignment.Status.ACTIVE
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
    if end_date is not None:
        overlapping = overlapping.filter(start_date__lte=end_date)
    for previous in overlapping:
        if previous.start_date < start_date:
            previous.end_date = start_date - datetime.timedelta(days=1)
            if previous.end_date < today:
                previous.status = PlanAssignment.Status.ENDED
                previous.ended_at = now
        else:
            _cancel(previous, now)
        previous.save(update_fields=["end_date", "status", "ended_at", "updated_at"])

    try:
        with transaction.atomic():
            assignment = PlanAssignment.objects.create(
                client=client,
                assigned_by=assigned_by,
                template=template,
                template_version=template.version,
                kind=template.kind,
                name=template.name,
                snapshot=(
                    _with_exercise_info(template.content, trainer=template.trainer)
                    if template.kind == PlanKind.WORKOUT
                    else copy.deepcopy(template.content)
                ),
                start_date=start_date,
                end_date=end_date,
            )
    except IntegrityError as exc:  # the PostgreSQL exclusion constraint
        raise Conflict(
            "Another assignment of this kind was created for this client at the same time; "
            "reload and try again.",
            code="assignment_overlap",
        ) from exc
    plan_assigned.send(sender=PlanAssignment, assignment=assignment)
    return assignment


@transaction.atomic
def assignment_end(
    *,
    assignment: PlanAssignment,
    ended_by: User,
    end_date: datetime.date | None = None,
) -> PlanAssignment:
    """End an assignment early: `end_date` (default: today where `ended_by` is) becomes its
    last day. Ending today or earlier ends it now; a later date schedules the end."""
    assignment = PlanAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status == PlanAssignment.Status.ENDED:
        raise Conflict("This assignment has already ended.", code="already_ended")
    now = timezone.now()
    today = ended_by.local_today()
    if end_date is None:
        if today < assignment.start_date:
            _cancel(assignment, now)
        else:
            # Ending never extends: an assignment already past its planned end keeps it.
            assignment.end_date = min(today, assignment.end_date or today)
    else:
        if end_date < assignment.start_date:
            raise _field_error(
                "end_date", "The end date cannot be before the start date.", "invalid"
            )
        if assignment.end_date is not None and end_date > assignment.end_date:
            raise _field_error(
                "end_date",
                f"Ending early cannot move the end later than {assignment.end_date.isoformat()}.",
                "invalid",
            )
        assignment.end_date = end_date
    if assignment.end_date <= today:
        assignment.status = PlanAssignment.Status.ENDED
        assignment.ended_at = now
    assignment.save(update_fields=["end_date", "status", "ended_at", "updated_at"])
    return assignment
