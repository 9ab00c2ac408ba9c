"""scripts/sync_reference.py end to end, through the Django test client (the live run is
`python scripts/live_server.py -- python scripts/sync_reference.py`)."""

import datetime as dt
import json
from importlib import util
from pathlib import Path

import pytest
import time_machine

from conftest import auth_client
from progress.models import MealLog, WorkoutLog

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "sync_reference.py"


def _load():
    spec = util.spec_from_file_location("sync_reference", SCRIPT)
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class DjangoClientTransport:
    def __init__(self, api, traveller):
        self.api, self.traveller = api, traveller

    def request(self, method, path, body=None):
        if method == "GET":
            response = self.api.get(path)
            if response.status_code == 200:
                return 200, json.loads(b"".join(response.streaming_content))
        else:
            response = self.api.post(path, body, format="json")
        return response.status_code, response.json()

    def wait(self, seconds):
        self.traveller.shift(seconds)  # no sleeping in tests: the frozen clock moves on


def test_two_devices_of_one_client_sync_a_conflict_and_a_deletion(client_user, client_link):
    reference = _load()
    with time_machine.travel(dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC), tick=False) as t:
        lines = []
        seen = reference.run(
            lambda: DjangoClientTransport(auth_client(client_user), t), log=lines.append
        )
    workout = WorkoutLog.objects.get(client=client_link)
    assert seen["conflict"] == {"workout_logs": [str(workout.pk)]}
    assert (workout.effort, workout.notes) == (9, "Felt heavy")
    assert not MealLog.objects.filter(client=client_link).exists()
    assert len(seen["deleted_on_b"]) == 1
    assert lines[-1] == "A and B hold the same rows"
