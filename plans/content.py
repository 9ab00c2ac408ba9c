"""The plan `content` document: its core shape, bounds, error paths and JSON Schema.

Templates store the document exactly as the trainer sent it (unknown keys included); these
models only check it. Validation is strict: "abc" or "4" never becomes a number, 4.0 is not a
set count and `true` is not a rep.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

MAX_CONTENT_BYTES = 256 * 1024
MAX_DAYS = 31
MAX_EXERCISES_PER_DAY = 50
MAX_MEALS_PER_DAY = 20
MAX_ITEMS_PER_MEAL = 50
MAX_NAME_LENGTH = 200
MAX_NOTES_LENGTH = 2000
MAX_REPS = 1000
MAX_DEPTH = 20
MAX_EXERCISE_ID = 2**63 - 1  # the core shape needs 6 levels; leaves room for extra keys

_RANGE = re.compile(r"^\s*(\d{1,4})\s*-\s*(\d{1,4})\s*$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _not_blank(value: str | None) -> str | None:
    # None is an absent optional name (an exercise given by library id); its rule is checked
    # elsewhere (`_unnamed_exercises`).
    if value is not None and not value.strip():
        raise PydanticCustomError("blank", "This field may not be blank.")
    return value


def _reps(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # One clear error for the whole union instead of one per member (whose locs would carry
    # pydantic's internal tags such as `reps.int`).
    if isinstance(value, bool):
        raise PydanticCustomError("invalid", "Reps must be a whole number or a range like 8-12.")
    if isinstance(value, int):
        if not 1 <= value <= MAX_REPS:
            raise PydanticCustomError(
                "out_of_range", "Reps must be between 1 and {max}.", {"max": MAX_REPS}
            )
        return value
    if isinstance(value, str):
        match = _RANGE.match(value)
        if not match:
            raise PydanticCustomError(
                "invalid", "Reps must be a whole number or a range like 8-12."
            )
        low, high = int(match[1]), int(match[2])
        if not 1 <= low <= high <= MAX_REPS:
            raise PydanticCustomError(
                "out_of_range",
                "A rep range goes from a lower to a higher number, between 1 and {max}.",
                {"max": MAX_REPS},
            )
        return value
    raise PydanticCustomError("invalid", "Reps must be a whole number or a range like 8-12.")


Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
Notes = Annotated[str, Field(max_length=MAX_NOTES_LENGTH)]
Reps = Annotated[
    Annotated[int, Field(ge=1, le=MAX_REPS)] | Annotated[str, Field(pattern=r"^\d{1,4}-\d{1,4}$")],
    WrapValidator(_reps),
    Field(description='Whole number of reps (1-1000) or a range such as "8-12".'),
]
Grams = Annotated[float, Field(ge=0, le=5000)]


class _Doc(BaseModel):
    # Strict: no "abc" -> number coercion; extra keys are kept (the document is the trainer's).
    model_config = ConfigDict(strict=True, extra="allow", allow_inf_nan=False)

    @field_validator("name", "food", "unit", check_fields=False)
    @classmethod
    def _names_not_blank(cls, value: str) -> str:
        return _not_blank(value)


class WorkoutPlanExercise(_Doc):
    # Either a name (free text) or a library exercise, or both (the name then overrides the
    # library's in what the client sees). A missing name without `exercise` is reported at
    # `.name` by `_unnamed_exercises`.
    name: Name | None = Field(default=None, description="Required unless `exercise` is given.")
    exercise: int | None = Field(
        default=None,
        ge=1,
        le=MAX_EXERCISE_ID,
        description="A library exercise id (the global library or your own). On "
        "assignment the snapshot embeds its name, cues and media as `exercise_info`.",
    )
    sets: int = Field(ge=1, le=100)
    reps: Reps
    weight_kg: float | None = Field(default=None, ge=0, le=1000)
    duration_s: int | None = Field(default=None, ge=0, le=24 * 3600)
    rest_s: int | None = Field(default=None, ge=0, le=3600)
    notes: Notes | None = None


class WorkoutPlanDay(_Doc):
    name: Name
    rest: bool = False
    exercises: list[WorkoutPlanExercise] = Field(
        default_factory=list, max_length=MAX_EXERCISES_PER_DAY
    )

    @model_validator(mode="after")
    def _training_days_have_exercises(self) -> WorkoutPlanDay:
        if not self.rest and not self.exercises:
            raise PydanticCustomError(
                "empty_day", "A training day needs at least one exercise (or mark it a rest day)."
            )
        return self


class WorkoutPlanContent(_Doc):
    days: list[WorkoutPlanDay] = Field(min_length=1, max_length=MAX_DAYS)


class DietPlanTargets(_Doc):
    calories: float | None = Field(default=None, ge=0, le=20000)
    protein_g: Grams | None = None
    carbs_g: Grams | None = None
    fat_g: Grams | None = None


class DietPlanItem(_Doc):
    food: Name
    quantity: float = Field(gt=0, le=100000)
    unit: str = Field(min_length=1, max_length=32)
    calories: float | None = Field(default=None, ge=0, le=20000)
    protein_g: Grams | None = None
    carbs_g: Grams | None = None
    fat_g: Grams | None = None


class DietPlanMeal(_Doc):
    name: Name
    time: str | None = Field(default=None, description="Local time of day, HH:MM (24h).")
    items: list[DietPlanItem] = Field(default_factory=list, max_length=MAX_ITEMS_PER_MEAL)

    @field_validator("time")
    @classmethod
    def _time_of_day(cls, value: str | None) -> str | None:
        if value is not None and not _TIME.match(value):
            raise PydanticCustomError("invalid", "Use a 24-hour time of day such as 08:30.")
        return value


class DietPlanDay(_Doc):
    name: Name
    meals: list[DietPlanMeal] = Field(default_factory=list, max_length=MAX_MEALS_PER_DAY)


class DietPlanContent(_Doc):
    targets: DietPlanTargets | None = None
    days: list[DietPlanDay] = Field(min_length=1, max_length=MAX_DAYS)


CONTENT_MODELS: dict[str, type[BaseModel]] = {
    "workout": WorkoutPlanContent,
    "diet": DietPlanContent,
}


@dataclass(frozen=True)
class ContentError:
    path: str  # e.g. "content.days[2].exercises[0].sets"
    code: str
    message: str


# pydantic's error types -> the codes the rest of the API uses for the same mistakes.
_CODES = {
    "missing": "required",
    "greater_than": "min_value",
    "greater_than_equal": "min_value",
    "less_than": "max_value",
    "less_than_equal": "max_value",
    "too_short": "min_length",
    "too_long": "max_length",
    "string_too_short": "blank",
    "string_too_long": "max_length",
    "finite_number": "invalid",
}


def _path(loc: tuple[int | str, ...], root: str) -> str:
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _code(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind in _CODES:
        return _CODES[kind]
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return "null" if error.get("input", ...) is None else "invalid"
    return kind


def _structure_error(document: Any, root: str) -> ContentError | None:
    """Depth and NUL-character checks, before anything recursive touches the document.

    Iterative, so that a hostile document cannot exhaust the stack here (or later, when it
    is serialised or rendered); NUL characters are refused because PostgreSQL's jsonb
    cannot store them.
    """
    stack: list[tuple[Any, int, str]] = [(document, 1, root)]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return ContentError(
                root, "too_deep", f"Plan content nests deeper than {MAX_DEPTH} levels."
            )
        if isinstance(node, dict):
            for key, child in node.items():
                child_path = f"{path}.{key}"
                if "\x00" in key:
                    return ContentError(path, "null_characters_not_allowed", _NUL_MESSAGE)
                stack.append((child, depth + 1, child_path))
        elif isinstance(node, list):
            stack.extend((child, depth + 1, f"{path}[{i}]") for i, child in enumerate(node))
        elif isinstance(node, str) and "\x00" in node:
            return ContentError(path, "null_characters_not_allowed", _NUL_MESSAGE)
    return None


_NUL_MESSAGE = "Null characters are not allowed."


def content_errors(kind: str, content: Any, *, root: str = "content") -> list[ContentError]:
    """Every problem in `content` for a plan of `kind`, each with its exact path."""
    if not isinstance(content, dict):
        return [ContentError(root, "invalid", "Plan content must be a JSON object.")]
    problem = _structure_error(content, root)
    if problem is not None:
        return [problem]
    size = len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_CONTENT_BYTES:
        return [
            ContentError(
                root,
                "too_large",
                f"Plan content is {size} bytes; the limit is {MAX_CONTENT_BYTES} bytes.",
            )
        ]
    errors: list[ContentError] = []
    try:
        CONTENT_MODELS[kind].model_validate(content)
    except ValidationError as exc:
        errors = [
            ContentError(_path(e["loc"], root), _code(e), e["msg"])
            for e in exc.errors(include_url=False)
        ]
    if kind == "workout":
        errors += _unnamed_exercises(content, root)
    return errors


def _workout_exercises(content: dict[str, Any], root: str):
    """(path, exercise dict) of every exercise of a workout document that has the shape."""
    days = content.get("days")
    if not isinstance(days, list):
        return
    for d, day in enumerate(days):
        exercises = day.get("exercises") if isinstance(day, dict) else None
        if not isinstance(exercises, list):
            continue
        for e, exercise in enumerate(exercises):
            if isinstance(exercise, dict):
                yield f"{root}.days[{d}].exercises[{e}]", exercise


def _unnamed_exercises(content: dict[str, Any], root: str) -> list[ContentError]:
    return [
        ContentError(f"{path}.name", "required", "Give a name or a library `exercise`.")
        for path, exercise in _workout_exercises(content, root)
        if exercise.get("name") is None and exercise.get("exercise") is None
    ]


def exercise_references(content: Any, *, root: str = "content") -> list[tuple[str, int]]:
    """(path of the `exercise` key, id) of every library reference in a workout document."""
    if not isinstance(content, dict):
        return []
    return [
        (f"{path}.exercise", exercise["exercise"])
        for path, exercise in _workout_exercises(content, root)
        if isinstance(exercise.get("exercise"), int)
        and not isinstance(exercise.get("exercise"), bool)
    ]


def validate_content(kind: str, content: Any, *, root: str = "content") -> dict[str, Any]:
    """Return `content` unchanged when valid; otherwise raise a Django ValidationError keyed
    by each error's path (the API turns it into one error per path, `attr` = the path)."""
    errors = content_errors(kind, content, root=root)
    if errors:
        detail: dict[str, list[DjangoValidationError]] = {}
        for error in errors:
            detail.setdefault(error.path, []).append(
                DjangoValidationError(error.message, code=error.code)
            )
        raise DjangoValidationError(detail)
    return content


# --- JSON Schema for OpenAPI -------------------------------------------------------------


def _to_openapi_30(node: Any) -> Any:
    """pydantic writes JSON Schema 2020-12; our OpenAPI document is 3.0 (nullable, boolean
    exclusive bounds)."""
    if isinstance(node, list):
        return [_to_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _to_openapi_30(value) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if options and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            del node[key]
            if len(rest) == 1 and "$ref" not in rest[0]:
                node.update(rest[0])
            elif len(rest) == 1:
                node["allOf"] = rest
            else:
                node[key] = rest
            node["nullable"] = True
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), (int, float)) and not isinstance(node[bound], bool):
            node[plain] = node.pop(bound)
            node[bound] = True
    node.pop("examples", None)
    if "default" in node and isinstance(node.get("properties"), dict) is False:
        # A stored document keeps what was sent, so a left-out key stays left out: a default
        # would tell generated clients (TypeScript) the key is always there. Said in words.
        default = node.pop("default")
        note = "Optional; " + ("null" if default is None else json.dumps(default)) + " if left out."
        node["description"] = (node.get("description", "") + " " + note).strip()
    return node


def content_schemas(ref_prefix: str = "#/components/schemas/") -> dict[str, dict[str, Any]]:
    """Named schemas (workout and diet documents and their parts) for OpenAPI components."""
    schemas: dict[str, dict[str, Any]] = {}
    for model in CONTENT_MODELS.values():
        schema = model.model_json_schema(ref_template=ref_prefix + "{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = _to_openapi_30(definition)
        schemas[model.__name__] = _to_openapi_30(schema)
    return schemas


EXAMPLE_WORKOUT_CONTENT: dict[str, Any] = {
    "days": [
        {
            "name": "Upper body",
            "rest": False,
            "exercises": [
                {"name": "Bench press", "sets": 4, "reps": "8-12", "weight_kg": 60, "rest_s": 90},
                {"name": "Pull-up", "sets": 3, "reps": 8, "notes": "Add weight when easy"},
                {"name": "Plank", "sets": 3, "reps": 1, "duration_s": 60},
            ],
        },
        {"name": "Rest", "rest": True, "exercises": []},
        {
            "name": "Lower body",
            "rest": False,
            "exercises": [
                {"name": "Back squat", "sets": 5, "reps": 5, "weight_kg": 100, "rest_s": 180},
                {"name": "Romanian deadlift", "sets": 3, "reps": "10-12", "weight_kg": 70},
            ],
        },
    ],
    "equipment": ["barbell", "pull-up bar"],
}

EXAMPLE_DIET_CONTENT: dict[str, Any] = {
    "targets": {"calories": 2200, "protein_g": 160, "carbs_g": 220, "fat_g": 70},
    "days": [
        {
            "name": "Training day",
            "meals": [
                {
                    "name": "Breakfast",
                    "time": "08:00",
                    "items": [
                        {"food": "Rolled oats", "quantity": 80, "unit": "g", "calories": 300},
                        {
                            "food": "Greek yoghurt",
                            "quantity": 200,
                            "unit": "g",
                            "calories": 190,
                            "protein_g": 20,
                        },
                    ],
                },
                {
                    "name": "Dinner",
                    "time": "19:00",
                    "items": [
                        {
                            "food": "Chicken breast",
                            "quantity": 180,
                            "unit": "g",
                            "calories": 300,
                            "protein_g": 56,
                            "carbs_g": 0,
                            "fat_g": 6,
                        },
                        {"food": "Rice, cooked", "quantity": 250, "unit": "g", "calories": 325},
                    ],
                },
            ],
        },
        {
            "name": "Rest day",
            "meals": [
                {
                    "name": "Lunch",
                    "items": [{"food": "Lentil soup", "quantity": 1, "unit": "bowl"}],
                }
            ],
        },
    ],
    "shopping_notes": "Buy chicken in bulk.",
}
