"""The suite collects every app's tests: an app missing from pytest.ini's `testpaths` would
have its tests silently skipped by `make test` and CI (it happened to three apps)."""

import configparser
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def test_every_project_app_with_tests_is_in_testpaths():
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    testpaths = set(config["pytest"]["testpaths"].split())
    with_tests = {
        Path(app.path).relative_to(ROOT).parts[0]
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(ROOT) and (Path(app.path) / "tests").is_dir()
    }
    assert with_tests, "no project app found"
    assert with_tests <= testpaths, f"apps whose tests never run: {sorted(with_tests - testpaths)}"
