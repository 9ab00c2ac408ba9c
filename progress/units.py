"""Body metrics: the built-in metrics, their kinds, and metric/imperial conversion.

Values are stored in metric units (kg, cm, %) with three decimals; each user reads and
writes them in their own units (`User.units`): imperial is pounds for mass and inches for
length (1 lb = 0.45359237 kg, 1 in = 2.54 cm, both exact by definition). Percentages and
custom `number` metrics are never converted. Answers are rounded to two decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from accounts.models import User
from progress.models import MetricKind

POUND_KG = Decimal("0.45359237")
INCH_CM = Decimal("2.54")
STORED = Decimal("0.001")
SHOWN = Decimal("0.01")

# slug -> kind of every built-in metric.
BUILTIN_METRICS: dict[str, str] = {
    "weight": MetricKind.MASS,
    "body_fat": MetricKind.PERCENT,
    "waist": MetricKind.LENGTH,
    "chest": MetricKind.LENGTH,
    "hips": MetricKind.LENGTH,
    "thigh": MetricKind.LENGTH,
    "arm": MetricKind.LENGTH,
}
# Where check-ins keep each built-in metric: weight_kg, or a key of `measurements`.
CHECK_IN_KEYS: dict[str, str] = {
    "weight": "weight_kg",
    "body_fat": "body_fat_pct",
    "waist": "waist_cm",
    "chest": "chest_cm",
    "hips": "hips_cm",
    "thigh": "thigh_cm",
    "arm": "arm_cm",
}

METRIC_UNITS = {MetricKind.MASS: "kg", MetricKind.LENGTH: "cm", MetricKind.PERCENT: "%"}
IMPERIAL_UNITS = {MetricKind.MASS: "lb", MetricKind.LENGTH: "in", MetricKind.PERCENT: "%"}
_FACTOR = {MetricKind.MASS: POUND_KG, MetricKind.LENGTH: INCH_CM}

# Plausible bounds of a stored (metric) value per kind, so a typo is a 400, not a chart spike.
LIMITS: dict[str, tuple[Decimal, Decimal]] = {
    MetricKind.MASS: (Decimal("1"), Decimal("700")),
    MetricKind.LENGTH: (Decimal("1"), Decimal("500")),
    MetricKind.PERCENT: (Decimal("0"), Decimal("100")),
    MetricKind.NUMBER: (Decimal("-1000000"), Decimal("1000000")),
}


def _imperial(user: User | None) -> bool:
    return getattr(user, "units", None) == User.Units.IMPERIAL


def unit_for(*, kind: str, user: User | None, own_unit: str = "") -> str:
    """The unit a user reads a metric of this kind in."""
    if kind == MetricKind.NUMBER:
        return own_unit
    return (IMPERIAL_UNITS if _imperial(user) else METRIC_UNITS)[kind]


def to_stored(value: Decimal, *, kind: str, user: User | None) -> Decimal:
    """A value in the user's units -> the stored metric value."""
    if _imperial(user) and kind in _FACTOR:
        value = value * _FACTOR[kind]
    return value.quantize(STORED, rounding=ROUND_HALF_UP)


def to_shown(value: Decimal, *, kind: str, user: User | None) -> Decimal:
    """A stored metric value -> the user's units, rounded to two decimals."""
    if _imperial(user) and kind in _FACTOR:
        value = value / _FACTOR[kind]
    return value.quantize(SHOWN, rounding=ROUND_HALF_UP)
