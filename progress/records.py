"""Arithmetic of exercise history and personal records (pure functions, no database).

A set counts when it is marked done with at least one rep. Weights are kilograms (a set
without weight is bodyweight: 0 kg). Per session of one exercise:
- top set: the heaviest set, ties broken by more reps;
- volume: the sum of reps x weight over the counted sets;
- estimated 1RM (Epley): weight x (1 + reps / 30) for the best set, the weight itself for a
  single; none for bodyweight-only sessions. Epley is meant for sets of up to ~12 reps;
  higher-rep sets still count but estimate loosely (docs/exercises.md).
Records over all of a client's sessions of an exercise: the heaviest weight, the best
estimated 1RM, and the best reps at a weight (for each weight, the most reps, listed only
when no heavier weight was lifted for as many reps).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

KG = Decimal("0.01")
TENTH = Decimal("0.1")


def kg(value: Any) -> Decimal:
    """A logged weight (float or None) as kilograms with two decimals."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(KG, rounding=ROUND_HALF_UP)


def epley(weight_kg: Decimal, reps: int) -> Decimal | None:
    if weight_kg <= 0 or reps < 1:
        return None
    if reps == 1:
        return weight_kg.quantize(TENTH, rounding=ROUND_HALF_UP)
    estimate = weight_kg * (1 + Decimal(reps) / 30)
    return estimate.quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class SessionSummary:
    top_reps: int = 0
    top_weight_kg: Decimal = Decimal("0.00")
    volume_kg: Decimal = Decimal("0.0")
    e1rm_kg: Decimal | None = None
    set_count: int = 0
    # Most reps at each weight in this session: {"100.00": 5}.
    rep_bests: dict[str, int] = field(default_factory=dict)

    def add(self, *, reps: int, weight_kg: Decimal) -> None:
        self.set_count += 1
        if (weight_kg, reps) > (self.top_weight_kg, self.top_reps):
            self.top_weight_kg, self.top_reps = weight_kg, reps
        self.volume_kg = (self.volume_kg + weight_kg * reps).quantize(TENTH, ROUND_HALF_UP)
        estimate = epley(weight_kg, reps)
        if estimate is not None and (self.e1rm_kg is None or estimate > self.e1rm_kg):
            self.e1rm_kg = estimate
        key = f"{weight_kg:.2f}"
        self.rep_bests[key] = max(self.rep_bests.get(key, 0), reps)


def summarize(exercises: Iterable[dict[str, Any]]) -> dict[int, SessionSummary]:
    """The session summary of each library exercise in a workout log's `exercises`
    (an exercise listed twice in one log is one session)."""
    sessions: dict[int, SessionSummary] = {}
    for item in exercises:
        exercise_id = item.get("exercise")
        if not isinstance(exercise_id, int) or isinstance(exercise_id, bool):
            continue
        for one_set in item.get("sets") or []:
            reps = one_set.get("reps") or 0
            if not one_set.get("done") or reps < 1:
                continue
            sessions.setdefault(exercise_id, SessionSummary()).add(
                reps=reps, weight_kg=kg(one_set.get("weight_kg"))
            )
    return sessions


def rep_frontier(rep_bests: dict[Decimal, int]) -> dict[Decimal, int]:
    """The best reps at each weight that no heavier weight matched or beat."""
    frontier: dict[Decimal, int] = {}
    most = 0
    for weight in sorted(rep_bests, reverse=True):
        if rep_bests[weight] > most:
            most = rep_bests[weight]
            frontier[weight] = most
    return frontier


@dataclass(frozen=True)
class Record:
    exercise_id: int
    kind: str  # weight | e1rm | reps
    value: Decimal | int
    date: date
    weight_kg: Decimal | None = None  # the weight of a reps record
    reps: int | None = None  # the reps of a weight record


@dataclass
class _Best:
    value: Any = None
    date: date | None = None
    extra: Any = None

    def offer(self, value: Any, on: date, extra: Any = None) -> None:
        # Sessions come oldest first: a later equal value keeps the earlier date.
        if value is not None and (self.value is None or value > self.value):
            self.value, self.date, self.extra = value, on, extra


def records(sessions: Iterable[dict[str, Any]]) -> list[Record]:
    """Personal records from session rows (dicts with exercise_id, date, top_weight_kg,
    top_reps, e1rm_kg, rep_bests), which must come oldest first."""
    weight: dict[int, _Best] = {}
    e1rm: dict[int, _Best] = {}
    reps: dict[int, dict[Decimal, _Best]] = {}
    order: list[int] = []
    for row in sessions:
        exercise_id, on = row["exercise_id"], row["date"]
        if exercise_id not in weight:
            order.append(exercise_id)
            weight[exercise_id], e1rm[exercise_id], reps[exercise_id] = _Best(), _Best(), {}
        if row["top_weight_kg"] > 0:
            weight[exercise_id].offer(row["top_weight_kg"], on, row["top_reps"])
        e1rm[exercise_id].offer(row["e1rm_kg"], on)
        for key, count in (row["rep_bests"] or {}).items():
            reps[exercise_id].setdefault(Decimal(key), _Best()).offer(count, on)
    result: list[Record] = []
    for exercise_id in order:
        best = weight[exercise_id]
        if best.value is not None:
            result.append(Record(exercise_id, "weight", best.value, best.date, reps=best.extra))
        best = e1rm[exercise_id]
        if best.value is not None:
            result.append(Record(exercise_id, "e1rm", best.value, best.date))
        by_weight = reps[exercise_id]
        frontier = rep_frontier({w: b.value for w, b in by_weight.items()})
        for w in sorted(frontier, reverse=True):
            result.append(Record(exercise_id, "reps", frontier[w], by_weight[w].date, weight_kg=w))
    return result


def broken(
    new: SessionSummary, others: Iterable[dict[str, Any]], before: SessionSummary | None = None
) -> list[dict[str, Any]]:
    """The records `new` sets against the client's other sessions of the exercise (none when
    there are no other sessions: a first session is where records start, not news), leaving
    out what this session already held before an edit (`before`)."""
    others = list(others)
    if not others:
        return []
    found: list[dict[str, Any]] = []
    best_weight = max((o["top_weight_kg"] for o in others), default=Decimal(0))
    improved = before is None or new.top_weight_kg > before.top_weight_kg
    if new.top_weight_kg > best_weight and new.top_weight_kg > 0 and improved:
        found.append({"kind": "weight", "value": new.top_weight_kg, "reps": new.top_reps})
    best_e1rm = max((o["e1rm_kg"] for o in others if o["e1rm_kg"] is not None), default=None)
    improved = before is None or before.e1rm_kg is None or (new.e1rm_kg or 0) > before.e1rm_kg
    if new.e1rm_kg is not None and (best_e1rm is None or new.e1rm_kg > best_e1rm) and improved:
        found.append({"kind": "e1rm", "value": new.e1rm_kg})
    # Reps at a weight: more reps than any other session managed at this weight or heavier.
    other_bests: dict[Decimal, int] = {}
    for o in others:
        for key, count in (o["rep_bests"] or {}).items():
            other_bests[Decimal(key)] = max(other_bests.get(Decimal(key), 0), count)
    previous = {Decimal(k): v for k, v in (before.rep_bests if before else {}).items()}
    for w, count in sorted(rep_frontier({Decimal(k): v for k, v in new.rep_bests.items()}).items()):
        heavier = [c for ow, c in other_bests.items() if ow >= w]
        # Nobody lifted this much before: that is the weight record, not a reps one.
        if heavier and count > max(heavier) and count > previous.get(w, 0):
            found.append({"kind": "reps", "value": count, "weight_kg": w})
    return found
