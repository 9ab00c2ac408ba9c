"""The orjson renderer writes what DRF's JSONRenderer writes, byte for byte."""

import datetime as dt
import decimal
import enum
import uuid

import pytest
from django.db import models
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from fitbud.api.renderers import JSONRenderer


class Kind(models.TextChoices):
    WORKOUT = "workout", "Workout"


class Level(enum.IntEnum):
    HIGH = 3


CASES = [
    {"a": 1, "b": [1, 2.5, -0.0, 100.0, 1e16, 123456.789], "c": None, "d": True},
    {"when": dt.datetime(2026, 3, 29, 1, 30, 5, 123456, tzinfo=dt.UTC)},
    {"when": dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))},
    {"naive": dt.datetime(2026, 1, 1, 12, 0, 0, 999)},
    {"day": dt.date(2026, 2, 28), "at": dt.time(7, 30, 1, 500)},
    {
        "money": decimal.Decimal("12.50"),
        "weight": decimal.Decimal("80.1"),
        "big": decimal.Decimal("1e3"),
    },
    {"id": uuid.UUID("5f0c2a86-8f5e-4b7e-9c1e-3c1d2a7b9e10")},
    {"text": 'Zoë ✓ 卧推 💪 "quoted" \\ back\nline\ttab \u0000 \u001f'},
    {"js": "line\u2028separator\u2029paragraph"},
    {"lazy": gettext_lazy("This field is required."), "kind": Kind.WORKOUT, "level": Level.HIGH},
    {"tuple": (1, 2), "set": {3}, "bytes": b"raw"},
    ReturnDict({"results": ReturnList([{"x": 1}], serializer=None)}, serializer=None),
    [],
    {},
    {"huge": 2**70},
    {"nested": [[[[{"deep": [1, {"x": [None]}]}]]]]},
]


@pytest.mark.parametrize("data", CASES)
def test_same_bytes_as_drf(data):
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_indented_output_is_drfs():
    data = {"a": [1, 2]}
    context = {"indent": 2}
    assert JSONRenderer().render(data, renderer_context=context) == DRFJSONRenderer().render(
        data, renderer_context=context
    )


def test_nothing_renders_empty():
    assert JSONRenderer().render(None) == b""


def test_it_is_the_api_renderer(trainer_api, client_link):
    response = trainer_api.get("/api/v1/clients/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.accepted_renderer, JSONRenderer)
    assert response.content == DRFJSONRenderer().render(response.data)
