"""Run a command against a live production-mode Fitbud server on loopback, then stop it.

    python scripts/live_server.py [--port 8765] [--database-url URL] [--seed-args "..."] -- CMD...

Steps: a fresh database (PostgreSQL database dropped and re-created, or a new SQLite file),
migrate, seed_demo (the small demo set unless --seed-args says otherwise), collectstatic,
then gunicorn with production settings on 127.0.0.1 (HTTPS redirect and secure cookies off:
plain http on loopback). As in production (docker-compose.yml: `web` and `stream`), the API
runs on threaded WSGI workers and the live feed on a second gunicorn with the ASGI
(uvicorn) worker, on --stream-port. CMD runs with these variables set:

    LIVE_URL            http://127.0.0.1:PORT
    LIVE_STREAM_URL     http://127.0.0.1:STREAM_PORT (ASGI: serves /api/v1/feed/stream/)
    TRAINER_TOKEN       JWT access token of trainer2@fitbud.dev (not the client's trainer,
                        so fuzzing as the trainer cannot deactivate the fuzzed client)
    CLIENT_TOKEN        JWT access token of client@fitbud.dev
    STAFF_EMAIL, DEMO_PASSWORD

Used by scripts/fuzz.sh, scripts/browser_check.py and bench/run.py. Exits with CMD's code.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def log(message: str) -> None:
    print(f"[live-server] {message}", file=sys.stderr, flush=True)


def fresh_database(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        name = parsed.path.lstrip("/")
        admin = (
            parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
        )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif parsed.scheme == "sqlite":
        path = Path(parsed.path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def server_env(args) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "fitbud.settings.production",
            "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": args.database_url,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "JWT_ACCESS_MINUTES": "120",
            "CORS_ALLOWED_ORIGINS": "https://app.fitbud.example",
            "PORT": str(args.port),
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": str(args.workers),
            "GUNICORN_THREADS": str(args.threads),
            "GUNICORN_ACCESS_LOG": "" if args.quiet else "-",
            # No request-line cap: fuzzed query strings must reach the app's own validation.
            "GUNICORN_LIMIT_REQUEST_LINE": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        # Own throttle counters: another run on this machine may share the Redis database.
        env.setdefault("CACHE_KEY_PREFIX", f"fitbud-live-{os.getpid()}")
    if args.conn_max_age is not None:
        env["CONN_MAX_AGE"] = str(args.conn_max_age)
    return env


def manage(env: dict[str, str], *argv: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PY, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


MINT_TOKENS = """
from rest_framework_simplejwt.tokens import RefreshToken
from accounts.models import User
for email in ("trainer2@fitbud.dev", "client@fitbud.dev"):
    print("TOKEN", RefreshToken.for_user(User.objects.get(email=email)).access_token)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode} before serving")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server not ready at {url} after {timeout}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("LIVE_PORT", 0)),
        help="Default: a free port (several checks may run on one machine at once).",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LIVE_DATABASE_URL")
        or f"sqlite:///{ROOT / 'artifacts' / 'live.sqlite3'}",
    )
    parser.add_argument(
        "--stream-port",
        type=int,
        default=int(os.environ.get("LIVE_STREAM_PORT", 0)),
        help="The ASGI server for feed/stream/. Default: PORT+1 with --port, else a free one.",
    )
    parser.add_argument(
        "--stream-max-seconds",
        default=os.environ.get("LIVE_STREAM_MAX_SECONDS", "1"),
        help="FEED_STREAM_MAX_SECONDS of the ASGI server (short: clients read to the end).",
    )
    parser.add_argument("--redis-url", default=os.environ.get("LIVE_REDIS_URL"))
    parser.add_argument("--seed-args", default="--small", help="Arguments for seed_demo.")
    parser.add_argument("--keep-database", action="store_true", help="Reuse, don't recreate.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--conn-max-age", type=int, default=None)
    parser.add_argument(
        "--quiet", action="store_true", help="No access log; server output to --server-log."
    )
    parser.add_argument("--server-log", default=str(ROOT / "artifacts" / "live-server.log"))
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")

    (ROOT / "artifacts").mkdir(exist_ok=True)
    args.stream_port = args.stream_port or (args.port + 1 if args.port else free_port())
    args.port = args.port or free_port()
    for port in (args.port, args.stream_port):
        if port_taken(port):
            # Never measure or fuzz somebody else's server by accident.
            raise SystemExit(f"port {port} is already in use on 127.0.0.1")
    env = server_env(args)
    started = time.monotonic()
    if not args.keep_database:
        log(f"fresh database {args.database_url}")
        fresh_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    # seed_demo always creates the demo accounts the tokens are minted for.
    seed = shlex.split(args.seed_args)
    if "--small" not in seed:
        manage(env, "seed_demo", "--small", "--no-progress")
    manage(env, "seed_demo", *seed)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    output = manage(env, "shell", "-v", "0", "-c", MINT_TOKENS, capture=True)
    trainer_token, client_token = [
        line.split()[1] for line in output.splitlines() if line.startswith("TOKEN ")
    ]
    log(f"database ready in {time.monotonic() - started:.1f}s")

    url = f"http://127.0.0.1:{args.port}"
    server_log = open(args.server_log, "w") if args.quiet else None  # noqa: SIM115
    if server_log:
        log(f"server log: {args.server_log}")
    stream_url = f"http://127.0.0.1:{args.stream_port}"
    stream_env = dict(
        env,
        PORT=str(args.stream_port),
        GUNICORN_WORKER_CLASS="uvicorn_worker.UvicornWorker",
        GUNICORN_APP="fitbud.asgi:application",
        WEB_CONCURRENCY="1",
        GUNICORN_GRACEFUL_TIMEOUT="5",
        FEED_STREAM_MAX_SECONDS=str(args.stream_max_seconds),
    )
    servers: list[subprocess.Popen] = []
    for server_env_ in (env, stream_env):
        servers.append(
            subprocess.Popen(
                [PY, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
                cwd=ROOT,
                env=server_env_,
                start_new_session=True,
                stdout=server_log,
                stderr=subprocess.STDOUT if server_log else None,
            )
        )
    server = servers[0]
    try:
        for each, each_url in zip(servers, (url, stream_url), strict=True):
            wait_until_up(each_url, each)
        time.sleep(0.5)
        if any(each.poll() is not None for each in servers):
            raise SystemExit("gunicorn stopped right after starting (port taken?)")
        log(f"gunicorn (production settings) serving at {url}; ASGI stream at {stream_url}")
        child_env = dict(os.environ)
        child_env.update(
            {
                "LIVE_URL": url,
                "LIVE_STREAM_URL": stream_url,
                "LIVE_DATABASE_URL": args.database_url,
                "TRAINER_TOKEN": trainer_token,
                "CLIENT_TOKEN": client_token,
                "STAFF_EMAIL": "admin@fitbud.dev",
                "DEMO_PASSWORD": "lift-heavy-2026",
                "SERVER_PID": str(server.pid),
            }
        )
        return subprocess.call(command, cwd=ROOT, env=child_env)
    finally:
        # SIGTERM = gunicorn's graceful shutdown; the whole process group, workers included.
        for each in servers:
            if each.poll() is None:
                os.killpg(each.pid, signal.SIGTERM)
        for each in servers:
            try:
                each.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(each.pid, signal.SIGKILL)
        if server_log:
            server_log.close()
        log("server stopped")


if __name__ == "__main__":
    sys.exit(main())
