"""fitbud.api.serializers.ModelSerializer builds its fields once per class: every model
serializer of the project gets the same fields DRF builds, and each instance its own copy."""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import get_resolver
from rest_framework import serializers

from fitbud.api.serializers import ModelSerializer

# What a field's behaviour depends on, compared between DRF's build and the kept copy.
ATTRIBUTES = (
    "required",
    "read_only",
    "write_only",
    "allow_null",
    "source",
    "default",
    "help_text",
    "label",
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "allow_blank",
    "choices",
    "many",
)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _model_serializers():
    get_resolver().url_patterns  # imports every view, hence every serializer  # noqa: B018
    found = {
        cls
        for cls in _subclasses(ModelSerializer)
        if getattr(getattr(cls, "Meta", None), "model", None) is not None
        and cls.__module__.split(".")[0] != "fitbud"
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _shape(fields) -> dict:
    shape = {}
    for name, field in fields.items():
        described = {"class": type(field).__name__}
        for attribute in ATTRIBUTES:
            value = getattr(field, attribute, None)
            described[attribute] = repr(value) if not isinstance(value, dict) else value
        if isinstance(field, serializers.ManyRelatedField):
            described["child"] = type(field.child_relation).__name__
        shape[name] = described
    return shape


SERIALIZERS = _model_serializers()
PROJECT = str(Path(settings.BASE_DIR).resolve())


def test_every_model_serializer_of_the_project_is_covered():
    assert len(SERIALIZERS) > 30, SERIALIZERS
    ours = [
        cls
        for cls in _subclasses(serializers.ModelSerializer)
        if str(Path(sys.modules[cls.__module__].__file__).resolve()).startswith(PROJECT)
        and ".venv" not in sys.modules[cls.__module__].__file__
    ]
    assert len(ours) >= len(SERIALIZERS)
    assert not [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in ours
        if not issubclass(cls, ModelSerializer)
    ], "a model serializer of ours does not use fitbud.api.serializers.ModelSerializer"


@pytest.mark.parametrize("cls", SERIALIZERS, ids=lambda cls: cls.__qualname__)
def test_the_kept_fields_are_the_fields_drf_builds(cls):
    drf = serializers.ModelSerializer.get_fields(cls())
    for _ in range(2):  # the first build, then the kept copy
        kept = ModelSerializer.get_fields(cls())
        assert list(kept) == list(drf)
        assert _shape(kept) == _shape(drf)


def test_each_instance_gets_its_own_fields():
    cls = next(cls for cls in SERIALIZERS if cls().fields)
    first, second = cls(), cls()
    name, field = next(iter(first.fields.items()))
    field.required = not field.required
    field.help_text = "changed on one instance"
    assert second.fields[name] is not field
    assert second.fields[name].help_text != "changed on one instance"
    assert cls().fields[name].required != field.required
