"""The minimal anchor ("floor") the project is measured against (docs/performance.md).

A plain WSGI app, no Django: it checks the same access token (PyJWT, HS256, the token type,
the user row, is_active and the password digest, as simplejwt does), runs the statements
the project sends for the same request (bench/floor/queries.sql, in the order of PLANS;
fitbud/tests/test_bench_floor.py keeps them equal to what the project emits) on a psycopg 3
pool, and answers the same JSON. Served by gunicorn with the project's gunicorn.conf.py
(GUNICORN_APP=bench.floor.app:application), so workers, threads and keep-alive match.

    GET  /healthz                 {"status": "ok"}
    GET  /api/v1/auth/me/         the caller's profile: the authentication's user query and
                                  seven fields (the cheapest authenticated read)
    GET  /api/v1/clients/         a trainer's roster, first page (response cache as the
                                  project's when RESPONSE_CACHE_SECONDS > 0: the entry is
                                  checked against the tenant generation of the user query)
    GET  /api/v1/workout-logs/    a client's workout logs, first page (cursor pagination)
    POST /api/v1/workout-logs/    a client's workout log: the row, the tenant generation,
                                  the feed row and its notify in one transaction, then the
                                  relay published to the broker (one LPUSH)

Environment: DATABASE_URL, SECRET_KEY (or JWT_SIGNING_KEY), REDIS_URL, RESPONSE_CACHE_SECONDS,
CELERY_BROKER_URL and CELERY_BROKER_KEY_PREFIX (where the write's relay message goes),
GUNICORN_THREADS (pool size per worker).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

import jwt
import psycopg
import redis
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

QUERIES = Path(__file__).with_name("queries.sql")

# Statement names per endpoint, in the order the project sends them (uncached path).
PLANS = {
    "me": ["user"],
    "clients": ["user", "clients_page"],
    "workout_logs": ["user", "workout_logs_page"],
    "workout_log_create": [
        "user",
        "workout_log_existing",
        "workout_log_insert",
        "tenant_bump",
        "feed_insert",
        "feed_notify",
    ],
}


def load_queries(path: Path = QUERIES) -> dict[str, str]:
    queries: dict[str, str] = {}
    name = None
    for line in path.read_text().splitlines():
        match = re.match(r"--\s*name:\s*(\w+)", line)
        if match:
            name = match.group(1)
        elif name and line.strip() and not line.startswith("--"):
            queries[name] = (queries.get(name, "") + " " + line.strip()).strip()
    return queries


SQL = load_queries()
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
ROLES = ["trainer", "client", "trainer", "client"]
PAGE_SIZE = 20

_pool: ConnectionPool | None = None
_pool_lock = threading.Lock()
_redis: redis.Redis | None = None
_broker: redis.Redis | None = None
_content_type: int | None = None


def pool() -> ConnectionPool:
    global _pool, _redis, _broker
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
                size = int(os.environ.get("GUNICORN_THREADS", 2))
                _pool = ConnectionPool(
                    url,
                    min_size=size,
                    max_size=size,
                    # Django's psycopg 3 backend: client-side binding, autocommit between
                    # transactions.
                    kwargs={"autocommit": True, "cursor_factory": psycopg.ClientCursor},
                    open=True,
                )
                if os.environ.get("REDIS_URL"):
                    _redis = redis.Redis.from_url(os.environ["REDIS_URL"])
                if os.environ.get("CELERY_BROKER_URL"):
                    _broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    return _pool


def fmt_dt(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime(DATETIME_FORMAT)


class Reply(Exception):
    def __init__(self, status: str, body: dict):
        self.status, self.body = status, body


def unauthorized(code: str, detail: str) -> Reply:
    return Reply(
        "401 Unauthorized",
        {"type": "client_error", "errors": [{"code": code, "detail": detail, "attr": None}]},
    )


def authenticate(environ, cursor) -> tuple:
    """The user row (the project's load_user query) for the request's access token."""
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        raise unauthorized("not_authenticated", "Authentication credentials were not provided.")
    key = os.environ.get("JWT_SIGNING_KEY") or os.environ["SECRET_KEY"]
    try:
        claims = jwt.decode(header[7:], key, algorithms=["HS256"])
    except jwt.PyJWTError:
        raise unauthorized("token_not_valid", "Given token not valid for any token type") from None
    if claims.get("token_type") != "access" or "user_id" not in claims:
        raise unauthorized("token_not_valid", "Given token not valid for any token type")
    cursor.execute(SQL["user"], [*ROLES, int(claims["user_id"])])
    row = cursor.fetchone()
    if row is None:
        raise unauthorized("user_not_found", "User not found")
    if not row[9]:
        raise unauthorized("user_inactive", "User is inactive")
    if claims.get("hash_password") != hashlib.md5(row[1].encode()).hexdigest().upper():
        raise unauthorized("password_changed", "The user's password has been changed.")
    return row


def forbidden() -> Reply:
    return Reply(
        "403 Forbidden",
        {
            "type": "client_error",
            "errors": [{"code": "permission_denied", "detail": "Forbidden.", "attr": None}],
        },
    )


def me(environ, cursor) -> dict:
    user = authenticate(environ, cursor)
    return {
        "id": user[0],
        "email": user[4],
        "full_name": user[5],
        "role": user[6],
        "timezone": user[7],
        "units": user[8],
        "date_joined": fmt_dt(user[11]),
    }


def clients_list(environ, cursor) -> dict:
    user = authenticate(environ, cursor)
    if user[6] != "trainer" or user[13] is None:
        raise forbidden()
    studio, generation = user[13], user[-1] or 0  # the last column: the generation
    cache_key = None
    if _redis is not None and int(os.environ.get("RESPONSE_CACHE_SECONDS", 60)) > 0:
        what = f"{environ.get('PATH_INFO')}?{environ.get('QUERY_STRING', '')}|{date.today()}"
        digest = hashlib.blake2b(what.encode(), digest_size=16).hexdigest()
        cache_key = f"floor:rs:{studio}:{user[0]}:{digest}"
        entry = _redis.get(cache_key)
        if entry is not None:
            stored, _, body = entry.partition(b"|")
            if int(stored) == generation:
                return body
    cursor.execute(SQL["clients_page"], [studio])
    rows = cursor.fetchall()
    if len(rows) > PAGE_SIZE:  # more pages: the total needs its own query (as the project)
        cursor.execute(SQL["clients_count"], [studio])
        count = cursor.fetchone()[0]
    else:
        count = len(rows)
    results = [
        {
            "id": r[0],
            "user": {
                "id": r[11],
                "email": r[15],
                "full_name": r[16],
                "timezone": r[18],
                "units": r[19],
            },
            "is_active": r[6],
            "joined_at": fmt_dt(r[7]),
            "deactivated_at": fmt_dt(r[8]),
            "goals": r[9],
            "notes_count": r[10],
            "updated_at": fmt_dt(r[2]),
        }
        for r in rows[:PAGE_SIZE]
    ]
    pages = max(1, -(-count // PAGE_SIZE))
    base = f"http://{environ.get('HTTP_HOST', 'localhost')}{environ.get('PATH_INFO')}"
    body = {
        "count": count,
        "next": f"{base}?page=2" if pages > 1 else None,
        "previous": None,
        "next_page": 2 if pages > 1 else None,
        "previous_page": None,
        "results": results,
    }
    if cache_key is not None:
        encoded = json.dumps(body, separators=(",", ":")).encode()
        _redis.set(cache_key, str(generation).encode() + b"|" + encoded, ex=60)
        return encoded
    return body


def _log_json(r) -> dict:
    exercises = [
        {
            "name": e.get("name"),
            "exercise": e.get("exercise"),
            "sets": [
                {
                    "reps": s.get("reps"),
                    "weight_kg": None if s.get("weight_kg") is None else float(s["weight_kg"]),
                    "duration_s": s.get("duration_s"),
                    "done": s.get("done"),
                }
                for s in e.get("sets") or []
            ],
        }
        for e in r[9] or []
    ]
    return {
        "id": str(r[2]),
        "client": r[5],
        "date": r[3].isoformat(),
        "assignment": r[6],
        "day_index": r[7],
        "target": r[8],
        "exercises": exercises,
        "duration_minutes": r[10],
        "effort": r[11],
        "notes": r[4],
        "created_at": fmt_dt(r[0]),
        "updated_at": fmt_dt(r[1]),
    }


def workout_logs(environ, cursor) -> dict:
    user = authenticate(environ, cursor)
    cursor.execute(SQL["workout_logs_page"], [user[0]])
    rows = cursor.fetchall()
    nxt = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        position = str(rows[-1][0])
        nxt = base64.b64encode(urlencode({"p": position}).encode()).decode()
    base = f"http://{environ.get('HTTP_HOST', 'localhost')}{environ.get('PATH_INFO')}"
    return {
        "next": f"{base}?{urlencode({'cursor': nxt})}" if nxt else None,
        "previous": None,
        "next_cursor": nxt,
        "previous_cursor": None,
        "results": [_log_json(r) for r in rows],
    }


def _bad(attr: str) -> Reply:
    return Reply(
        "400 Bad Request",
        {
            "type": "validation_error",
            "errors": [{"code": "invalid", "detail": "Invalid value.", "attr": attr}],
        },
    )


def workout_log_create(environ, cursor, connection) -> tuple[str, dict]:
    global _content_type
    user = authenticate(environ, cursor)
    if user[6] != "client":
        raise forbidden()
    length = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        data = json.loads(environ["wsgi.input"].read(length))
        log_id = uuid.UUID(data["id"])
        day = date.fromisoformat(data["date"])
        exercises = data["exercises"]
        assert isinstance(exercises, list) and all(isinstance(e, dict) for e in exercises)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise _bad("non_field_errors") from None
    client = user[19:29]  # the client link rides along with the user row (after 12 + 7 columns)
    if client[0] is None or not client[6]:
        raise forbidden()
    client_id, studio, trainer = client[0], client[4], client[5]
    if _content_type is None:
        cursor.execute(SQL["content_type"], ["progress", "workoutlog"])
        _content_type = cursor.fetchone()[0]
    with connection.transaction():
        cursor.execute(SQL["workout_log_existing"], [log_id])
        existing = cursor.fetchone()
        if existing is not None:
            return "200 OK", _log_json(existing)
        now = datetime.now(UTC)
        duration, effort, notes = (
            data.get("duration_minutes"),
            data.get("effort"),
            data.get("notes", ""),
        )
        row = (
            now,
            now,
            log_id,
            day,
            notes,
            client_id,
            None,
            None,
            None,
            exercises,
            duration,
            effort,
        )
        cursor.execute(SQL["workout_log_insert"], [*row[:9], Jsonb(exercises), *row[10:]])
        cursor.execute(SQL["tenant_bump"], [studio, time.time_ns()])
        count = len(exercises)
        summary = (
            f"{user[5].split()[0]} logged a workout: {count} exercise{'s' if count != 1 else ''}"
        )
        if duration:
            summary += f", {duration} min"
        cursor.execute(
            SQL["feed_insert"],
            [
                studio,
                trainer,
                client_id,
                "workout.logged",
                "workouts",
                summary,
                _content_type,
                str(log_id),
                now,
            ],
        )
        event_id = cursor.fetchone()[0]
        cursor.execute(SQL["feed_notify"], ["fitbud_feed", f"{studio}:{trainer}"])
    if _broker is not None:
        # What publishing dashboard.event_relay costs: one message on the broker's queue.
        message = {
            "task": "dashboard.event_relay",
            "id": str(uuid.uuid4()),
            "kwargs": {"event_id": event_id},
        }
        prefix = os.environ.get("CELERY_BROKER_KEY_PREFIX", "")
        _broker.lpush(f"{prefix}fitbud", json.dumps(message))
    return "201 Created", _log_json(row)


READS = {
    "/api/v1/auth/me/": me,
    "/api/v1/clients/": clients_list,
    "/api/v1/workout-logs/": workout_logs,
}
WRITES = {"/api/v1/workout-logs/": workout_log_create}


def application(environ, start_response):
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
    status, body = "200 OK", None
    try:
        if path == "/healthz":
            body = {"status": "ok"}
        elif (method == "GET" and path in READS) or (method == "POST" and path in WRITES):
            with pool().connection() as connection, connection.cursor() as cursor:
                if method == "GET":
                    body = READS[path](environ, cursor)
                else:
                    status, body = WRITES[path](environ, cursor, connection)
        elif path in READS or path in WRITES:
            status, body = "405 Method Not Allowed", {"type": "client_error", "errors": []}
        else:
            status, body = "404 Not Found", {"type": "client_error", "errors": []}
    except Reply as reply:
        status, body = reply.status, reply.body
    payload = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]
