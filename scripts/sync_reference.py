"""A reference client of `sync/` (docs/sync.md): two devices of one client, run end to end.

    python scripts/sync_reference.py --url http://127.0.0.1:8000 --token <client JWT>
    python scripts/live_server.py --port 8151 -- python scripts/sync_reference.py

(with live_server.py, LIVE_URL and CLIENT_TOKEN come from the environment). The devices keep
their records the way WatermelonDB does (a local table per sync table, pending created /
updated / deleted records, `last_pulled_at`), and run its algorithm: pull and apply (local
changes win over the server's for the columns the device changed), then push the pending
changes with the pull's timestamp; a 409 means "pull again, then push again".

The scenario: device A logs a workout and a meal and syncs; device B pulls them; B goes
offline and edits the workout while A edits it too and syncs; B's push with its old
`last_pulled_at` is refused (409, nothing applied); B syncs (pull, merge, push) and its
edit wins; A deletes the meal; B's next pull drops it. Both devices end with the same rows.

The same code runs in the test suite through Django's test client
(sync/tests/test_reference.py): `Transport` is the only thing that differs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

PUSHED_TABLES = ("workout_logs", "meal_logs")


class Conflict(Exception):
    def __init__(self, conflicts: dict[str, list[str]]) -> None:
        super().__init__(f"409: {conflicts}")
        self.conflicts = conflicts


class Transport:
    """HTTP against a live server (urllib, no dependencies)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)


class Device:
    """One phone's local database, WatermelonDB-style."""

    def __init__(self, name: str, transport, *, log: Callable[[str], None] = print) -> None:
        self.name = name
        self.transport = transport
        self.log = log
        self.records: dict[str, dict[str, dict]] = {}
        # Pending local changes: created ids, updated ids with their changed columns, deleted.
        self.created: dict[str, set[str]] = {}
        self.changed: dict[str, dict[str, set[str]]] = {}
        self.deleted: dict[str, set[str]] = {}
        self.last_pulled_at: int | None = None

    # Local writes (what the app's UI does) -------------------------------------------------

    def create(self, table: str, **fields) -> str:
        record_id = fields.setdefault("id", str(uuid.uuid4()))
        self.records.setdefault(table, {})[record_id] = fields
        self.created.setdefault(table, set()).add(record_id)
        return record_id

    def update(self, table: str, record_id: str, **fields) -> None:
        self.records[table][record_id].update(fields)
        if record_id not in self.created.get(table, set()):
            self.changed.setdefault(table, {}).setdefault(record_id, set()).update(fields)

    def delete(self, table: str, record_id: str) -> None:
        self.records[table].pop(record_id)
        if record_id in self.created.get(table, set()):
            self.created[table].discard(record_id)  # never reached the server
        else:
            self.changed.get(table, {}).pop(record_id, None)
            self.deleted.setdefault(table, set()).add(record_id)

    # The protocol ------------------------------------------------------------------------

    def pull(self) -> dict:
        query = f"?last_pulled_at={self.last_pulled_at}" if self.last_pulled_at else ""
        status, body = self.transport.request("GET", "/api/v1/sync/" + query)
        if status != 200:
            raise RuntimeError(f"{self.name}: pull answered {status}: {body}")
        for table, changes in body["changes"].items():
            local = self.records.setdefault(table, {})
            for row in changes["created"] + changes["updated"]:
                mine = self.changed.get(table, {}).get(row["id"], set())
                if row["id"] in self.deleted.get(table, set()):
                    continue  # deleted here, the push will delete it there
                merged = dict(row)
                for column in mine:  # WatermelonDB: the device's changed columns win
                    merged[column] = local[row["id"]][column]
                local[row["id"]] = merged
            for record_id in changes["deleted"]:
                local.pop(record_id, None)
                self.changed.get(table, {}).pop(record_id, None)
                self.created.get(table, set()).discard(record_id)
        self.last_pulled_at = body["timestamp"]
        return body

    def pending(self) -> dict:
        changes = {}
        for table in PUSHED_TABLES:
            created = [self.records[table][i] for i in sorted(self.created.get(table, set()))]
            updated = [self.records[table][i] for i in sorted(self.changed.get(table, {}))]
            deleted = sorted(self.deleted.get(table, set()))
            if created or updated or deleted:
                changes[table] = {"created": created, "updated": updated, "deleted": deleted}
        return changes

    def push(self, *, last_pulled_at: int | None = None) -> dict | None:
        changes = self.pending()
        if not changes:
            return None
        since = last_pulled_at if last_pulled_at is not None else self.last_pulled_at or 0
        status, body = self.transport.request(
            "POST", f"/api/v1/sync/?last_pulled_at={since}", {"changes": changes}
        )
        if status == 409:
            raise Conflict(body["conflicts"])
        if status != 200:
            raise RuntimeError(f"{self.name}: push answered {status}: {body}")
        self.created, self.changed, self.deleted = {}, {}, {}
        return body

    def sync(self, *, attempts: int = 5) -> None:
        """WatermelonDB's synchronize(): pull, then push; a 409 means pull and try again
        (after the clock margin, so the next pull's timestamp passes the other write)."""
        for _attempt in range(attempts):
            self.pull()
            try:
                self.push()
                return
            except Conflict as conflict:
                self.log(f"{self.name}: 409 on {conflict.conflicts}; pulling again")
                self.transport.wait(1.1)
        raise RuntimeError(f"{self.name}: still conflicting after {attempts} attempts")


def run(make_transport: Callable[[], Any], *, log: Callable[[str], None] = print) -> dict:
    """The scenario; returns what it saw (the test asserts on it)."""
    a, b = Device("A", make_transport(), log=log), Device("B", make_transport(), log=log)
    seen: dict[str, Any] = {}
    today = date.today().isoformat()

    workout = a.create(
        "workout_logs",
        date=today,
        exercises=[{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}],
        effort=7,
    )
    meal = a.create(
        "meal_logs",
        date=today,
        meal="Lunch",
        items=[{"food": "Rice", "quantity": 1, "unit": "cup"}],
    )
    a.sync()
    log(f"A logged workout {workout} and meal {meal}, and synced")

    b.sync()
    assert workout in b.records["workout_logs"] and meal in b.records["meal_logs"]
    log("B pulled both")
    stale = b.last_pulled_at

    # B goes offline and edits the workout; meanwhile A edits it too, online.
    b.update("workout_logs", workout, notes="Felt heavy")
    a.transport.wait(1.1)  # past B's pull timestamp, whatever the margin
    a.update("workout_logs", workout, effort=9)
    a.sync()
    log("A changed the effort to 9 and synced; B (offline) wrote a note")

    try:
        b.push(last_pulled_at=stale)
        raise AssertionError("B's stale push was accepted")
    except Conflict as conflict:
        seen["conflict"] = conflict.conflicts
        log(f"B pushed with its old last_pulled_at: 409 {conflict.conflicts}, nothing applied")

    b.transport.wait(1.1)
    b.sync()
    merged = b.records["workout_logs"][workout]
    assert merged["effort"] == 9 and merged["notes"] == "Felt heavy", merged
    log("B synced: pulled A's effort, kept its note, pushed it")

    a.delete("meal_logs", meal)
    a.sync()
    b.transport.wait(1.1)
    body = b.pull()
    seen["deleted_on_b"] = body["changes"]["meal_logs"]["deleted"]
    assert meal not in b.records["meal_logs"], "B still has the deleted meal"
    log(f"A deleted the meal; B's next pull listed it as deleted: {seen['deleted_on_b']}")

    a.pull()
    for table in PUSHED_TABLES:
        assert a.records.get(table, {}).keys() == b.records.get(table, {}).keys(), table
    assert a.records["workout_logs"][workout]["notes"] == "Felt heavy"
    seen["workout"] = a.records["workout_logs"][workout]
    log("A and B hold the same rows")
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("LIVE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("CLIENT_TOKEN"))
    args = parser.parse_args()
    if not args.token:
        parser.error("--token (a client's JWT access token) or CLIENT_TOKEN is required")
    run(lambda: Transport(args.url, args.token))
    print("sync reference: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
