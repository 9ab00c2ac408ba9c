"""Pull and push through the real route, as a device would."""

from __future__ import annotations

import datetime as dt
import json

from django.urls import reverse

# The instant the sync tests run at (sync/tests/conftest.py `frozen`).
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def pull(api, last_pulled_at: int | None = None):
    url = reverse("sync")
    if last_pulled_at is not None:
        url += f"?last_pulled_at={last_pulled_at}"
    response = api.get(url)
    if response.status_code != 200:
        return response, None
    body = json.loads(b"".join(response.streaming_content))
    return response, body


def push(api, changes: dict, last_pulled_at: int | None, **kwargs):
    url = reverse("sync")
    if last_pulled_at is not None:
        url += f"?last_pulled_at={last_pulled_at}"
    return api.post(url, {"changes": changes}, format="json", **kwargs)


def ids(body, table: str, kind: str) -> set[str]:
    rows = body["changes"][table][kind]
    return {row if isinstance(row, str) else row["id"] for row in rows}


def empty(table: str = "") -> dict:
    return {"created": [], "updated": [], "deleted": []}
