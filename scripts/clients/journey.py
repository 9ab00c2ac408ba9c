"""A trainer + client journey through the *generated* Python client only (issue 13).

    python scripts/clients/journey.py artifacts/clients      (run by scripts/generated_clients.sh)

Runs inside scripts/live_server.py (LIVE_URL is set), with the tools venv's Python (the
generated client needs httpx and attrs; openapi-core validates). Every request and every
real response is validated against the schema (openapi-core); any mismatch, any
unexpected status or a diet parsed as a workout fails the run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

OUT = Path(sys.argv[1]).resolve()
sys.path.insert(0, str(OUT))

import httpx  # noqa: E402
from fitbud_client import AuthenticatedClient, Client  # noqa: E402
from fitbud_client.api.assignments import assignments_create  # noqa: E402
from fitbud_client.api.auth import (  # noqa: E402
    auth_invites_accept_create,
    auth_invites_retrieve,
    auth_me_retrieve,
    auth_register_create,
    auth_token_create,
)
from fitbud_client.api.dashboard import dashboard_retrieve  # noqa: E402
from fitbud_client.api.feed import feed_list, feed_stream_retrieve  # noqa: E402
from fitbud_client.api.invites import invites_create  # noqa: E402
from fitbud_client.api.me import me_dashboard_retrieve, me_today_retrieve  # noqa: E402
from fitbud_client.api.templates import templates_create, templates_list  # noqa: E402
from fitbud_client.api.workout_logs import workout_logs_create, workout_logs_list  # noqa: E402
from fitbud_client.models import (  # noqa: E402
    AssignmentCreateRequest,
    AuthResult,
    DietAssignment,
    DietPlanContent,
    DietPlanDay,
    DietTemplate,
    Error,
    InviteAcceptInputRequest,
    InviteCreateInputRequest,
    PlanKindEnum,
    RegisterRequest,
    TemplateCreateRequest,
    TokenObtainRequest,
    WorkoutAssignment,
    WorkoutExerciseRequest,
    WorkoutLogInputRequest,
    WorkoutPlanContent,
    WorkoutPlanDay,
    WorkoutSetRequest,
    WorkoutTemplate,
)
from openapi_core import OpenAPI  # noqa: E402
from openapi_core.datatypes import RequestParameters  # noqa: E402
from werkzeug.datastructures import Headers  # noqa: E402 - case-insensitive, as HTTP

LIVE_URL = os.environ["LIVE_URL"]
PASSWORD = "journey-through-generated-code-42"

WORKOUT = {
    "days": [
        {
            "name": "Push",
            "exercises": [{"name": "Bench press", "sets": 3, "reps": "8-12", "weight_kg": 60}],
        },
        {"name": "Rest", "rest": True, "exercises": []},
    ]
}
DIET = {
    "targets": {"calories": 2200, "protein_g": 150},
    "days": [
        {
            "name": "Training day",
            "meals": [
                {
                    "name": "Breakfast",
                    "time": "08:00",
                    "items": [{"food": "Oats", "quantity": 80, "unit": "g", "calories": 300}],
                }
            ],
        }
    ],
}


# --- every exchange validated against the schema -----------------------------------------


class _Request:
    def __init__(self, request: httpx.Request):
        url = urlparse(str(request.url))
        self.host_url = f"{url.scheme}://{url.netloc}"
        self.path = url.path
        self.method = request.method.lower()
        self.body = request.content or None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query={k: v[-1] for k, v in parse_qs(url.query).items()},
            header=Headers(list(request.headers.items())),
            cookie={},
        )


class _Response:
    def __init__(self, response: httpx.Response):
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "").split(";")[0]
        self.headers = Headers(list(response.headers.items()))
        self.data = response.content


class Checker:
    def __init__(self, schema_path: Path):
        spec = json.loads(schema_path.read_text())
        spec["servers"] = [{"url": LIVE_URL}]
        self.api = OpenAPI.from_dict(spec)
        self.checked = 0
        self.failures: list[str] = []

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        request = _Request(response.request)
        where = f"{request.method.upper()} {request.path} -> {response.status_code}"
        try:
            self.api.validate_request(request)
            self.api.validate_response(request, _Response(response))
        except Exception as exc:  # report every kind of mismatch
            detail = "; ".join(str(e) for e in getattr(exc, "schema_errors", []) or [exc])
            self.failures.append(f"{where}: {type(exc).__name__}: {detail}")
        self.checked += 1
        print(f"[journey] {where} (validated)")


CHECK = Checker(OUT / "openapi.json")
HOOKS = {"event_hooks": {"response": [CHECK]}}


def anonymous() -> Client:
    return Client(base_url=LIVE_URL, httpx_args=HOOKS, raise_on_unexpected_status=True)


def signed_in(access: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=LIVE_URL, token=access, httpx_args=HOOKS, raise_on_unexpected_status=True
    )


def expect(response, status: int, kind):
    if response.status_code != status or not isinstance(response.parsed, kind):
        raise SystemExit(
            f"expected {status} {kind.__name__}, got {response.status_code} "
            f"{type(response.parsed).__name__}: {response.content[:500]!r}"
        )
    return response.parsed


def main() -> int:
    today = dt.datetime.now(dt.UTC).date()
    anon = anonymous()

    # Trainer signs up and logs in.
    registered = expect(
        auth_register_create.sync_detailed(
            client=anon,
            body=RegisterRequest(
                email="journey-trainer@example.com",
                password=PASSWORD,
                full_name="Journey Trainer",
                timezone="Europe/Berlin",
            ),
        ),
        201,
        AuthResult,
    )
    assert registered.user.timezone == "Europe/Berlin"
    tokens = auth_token_create.sync_detailed(
        client=anon,
        body=TokenObtainRequest(email="journey-trainer@example.com", password=PASSWORD),
    )
    trainer = signed_in(tokens.parsed.access)
    me = auth_me_retrieve.sync_detailed(client=trainer).parsed
    assert me.email == "journey-trainer@example.com", me

    # The host-dependent names are refused (a 400 in the one error shape).
    refused = auth_register_create.sync_detailed(
        client=anon,
        body=RegisterRequest(
            email="journey-local@example.com",
            password=PASSWORD,
            full_name="Local Time",
            timezone="localtime",
        ),
    )
    assert isinstance(refused.parsed, Error) and refused.status_code == 400, refused

    # Invite a client; the client previews and accepts.
    invite = expect(
        invites_create.sync_detailed(
            client=trainer,
            body=InviteCreateInputRequest(email="journey-client@example.com", full_name="Jo"),
        ),
        201,
        object,
    )
    preview = auth_invites_retrieve.sync_detailed(client=anon, token=invite.token)
    assert preview.status_code == 200, preview
    accepted = expect(
        auth_invites_accept_create.sync_detailed(
            client=anon, body=InviteAcceptInputRequest(token=invite.token, password=PASSWORD)
        ),
        201,
        AuthResult,
    )
    client = signed_in(accepted.access)
    client_id = invite.client if isinstance(invite.client, int) else None

    # Templates of both kinds, assigned to the client from today.
    workout = expect(
        templates_create.sync_detailed(
            client=trainer,
            body=TemplateCreateRequest(
                kind=PlanKindEnum.WORKOUT,
                name="Push / rest",
                content=WorkoutPlanContent.from_dict(WORKOUT),
            ),
        ),
        201,
        WorkoutTemplate,
    )
    diet = expect(
        templates_create.sync_detailed(
            client=trainer,
            body=TemplateCreateRequest(
                kind=PlanKindEnum.DIET, name="2200 kcal", content=DietPlanContent.from_dict(DIET)
            ),
        ),
        201,
        DietTemplate,
    )
    listed = templates_list.sync_detailed(client=trainer, ordering="-created_at,name").parsed
    kinds = sorted(type(t).__name__ for t in listed.results)
    assert kinds == ["DietTemplate", "WorkoutTemplate"], kinds
    if client_id is None:
        from fitbud_client.api.clients import clients_list

        client_id = clients_list.sync_detailed(client=trainer).parsed.results[0].id
    workout_plan = expect(
        assignments_create.sync_detailed(
            client=trainer,
            body=AssignmentCreateRequest(client=client_id, template=workout.id, start_date=today),
        ),
        201,
        WorkoutAssignment,
    )
    expect(
        assignments_create.sync_detailed(
            client=trainer,
            body=AssignmentCreateRequest(client=client_id, template=diet.id, start_date=today),
        ),
        201,
        DietAssignment,
    )

    # The client logs a workout and reads today's plan: the diet parses as a diet.
    expect(
        workout_logs_create.sync_detailed(
            client=client,
            body=WorkoutLogInputRequest(
                date=today,
                assignment=workout_plan.id,
                exercises=[
                    WorkoutExerciseRequest(
                        name="Bench press",
                        sets=[WorkoutSetRequest(reps=10, done=True, weight_kg=60.0)],
                    )
                ],
                duration_minutes=45,
            ),
        ),
        201,
        object,
    )
    logs = workout_logs_list.sync_detailed(client=client).parsed
    assert len(logs.results) == 1 and logs.next_cursor is None, logs
    day = me_today_retrieve.sync_detailed(client=client, date=today).parsed
    assert isinstance(day.workout.day, WorkoutPlanDay), type(day.workout.day)
    assert isinstance(day.diet.day, DietPlanDay), type(day.diet.day)
    assert day.diet.day.meals[0].name == "Breakfast"
    assert day.diet.targets.calories == 2200
    assert len(day.logged.workouts) == 1
    home = me_dashboard_retrieve.sync_detailed(client=client)
    assert home.status_code == 200, home

    # The trainer's feed and dashboard.
    feed = feed_list.sync_detailed(client=trainer).parsed
    assert feed.results, "the feed shows what the client did"
    board = dashboard_retrieve.sync_detailed(client=trainer).parsed
    assert board.active_clients == 1, board
    # WSGI cannot stream: a documented 503 in the error shape.
    stream = feed_stream_retrieve.sync_detailed(client=trainer)
    assert stream.status_code == 503 and isinstance(stream.parsed, Error), stream

    print(f"[journey] {CHECK.checked} exchanges validated against the schema")
    if CHECK.failures:
        print("[journey] schema mismatches:", *CHECK.failures, sep="\n  ")
        return 1
    print("[journey] OK: trainer + client journey through the generated client")
    return 0


if __name__ == "__main__":
    sys.exit(main())
