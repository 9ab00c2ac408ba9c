"""Load benchmark of the production stack on loopback, beside the minimal anchor.

    bash bench/run.sh --scale 1 10       (or: make bench SCALES="1 10")
    bash bench/run.sh --scale 1 --repeat 3 --duration 3    (a quick run)

Seeds `--scale` x (10 trainers x 20 clients x 90 days) into its own PostgreSQL database
(fitbud_bench_<scale>), starts gunicorn with production settings and Redis as the cache on
127.0.0.1 (scripts/live_server.py), then drives each endpoint with wrk (16 connections by
default; the median of --repeat runs) and prints, per endpoint: requests/s, p50/p95/p99
latency, errors, and the ratio to /healthz served by the same stack (the ceiling).
--no-response-cache measures every read from the database (RESPONSE_CACHE_SECONDS=0). Endpoints that do not exist yet are listed
as "n/a". Results also go to bench/results/scale-<N>.{md,json}.

Beside the project (unless --no-anchor) runs bench/floor/app.py, a plain WSGI app doing
the same statements (docs/performance.md "Against the anchor"), under the same gunicorn
settings; each pass measures an endpoint on both servers, alternating, and reports the ratio.
Two passes per scale: the response cache on (healthz, the cached clients list), then off
(RESPONSE_CACHE_SECONDS=0 on both: the uncached clients list, the workout-logs list and
POST workout-logs). Writes publish their relay to a Redis broker (no worker runs during the
measurement, as in production where the worker is another process). Table:
bench/results/floor-scale-<N>.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PASSWORD = "lift-heavy-2026"
TRAINER = "trainer0001@demo.fitbud.dev"

# (name, method, path, role, body, kind)
ENDPOINTS = [
    ("healthz (ceiling)", "GET", "/healthz", None, None, "ceiling"),
    ("login", "POST", "/api/v1/auth/token/", None, "LOGIN", "write"),
    ("clients list", "GET", "/api/v1/clients/", "trainer", None, "read"),
    ("templates list", "GET", "/api/v1/templates/", "trainer", None, "read"),
    ("feed", "GET", "/api/v1/feed/", "trainer", None, "read"),
    ("trainer dashboard", "GET", "/api/v1/dashboard/", "trainer", None, "read"),
    ("me/today", "GET", "/api/v1/me/today/", "client", None, "read"),
    ("me/dashboard", "GET", "/api/v1/me/dashboard/", "client", None, "read"),
    ("create workout log", "POST", "/api/v1/workout-logs/", "writer", "WORKOUT", "write"),
]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def http(method: str, url: str, token: str | None = None, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def login(base: str, email: str) -> str | None:
    status, body = http(
        "POST", f"{base}/api/v1/auth/token/", body={"email": email, "password": PASSWORD}
    )
    return json.loads(body)["access"] if status == 200 else None


def wrk(url: str, *, seconds: int, connections: int, threads: int, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "wrk.lua"),
            url,
        ],
        env={**os.environ, **env},
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def wrk_median(url: str, token: str, *, seconds: int, connections: int = 16, repeat: int = 3):
    """GET `url` with `token`: a 2 s warm-up, then the median (by requests/s) of `repeat` wrk
    runs of `seconds` (bench/sync.py, bench/messaging.py)."""
    env = {"BENCH_METHOD": "GET", "BENCH_TOKEN": token}
    wrk(url, seconds=2, connections=connections, threads=2, env=env)
    runs = sorted(
        (
            wrk(url, seconds=seconds, connections=connections, threads=2, env=env)
            for _ in range(repeat)
        ),
        key=lambda run: run["rps"],
    )
    return runs[len(runs) // 2]


def gunicorn_server(port: int, env: dict[str, str]) -> subprocess.Popen:
    """The project under gunicorn.conf.py on 127.0.0.1:`port` as the benchmarks run it (5
    gthread workers x 2 threads, CONN_MAX_AGE=60, no access log, no recycling), started and
    answering /readyz."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env={
            **os.environ,
            **env,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": "5",
            "GUNICORN_THREADS": "2",
            "GUNICORN_ACCESS_LOG": "",
            "GUNICORN_LOG_LEVEL": "warning",
            "GUNICORN_MAX_REQUESTS": "0",
            "CONN_MAX_AGE": "60",
        },
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.3)


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "python": platform.python_version(),
        "postgresql": pg,
        "load_average_at_start": os.getloadavg(),
    }


def active_client(base: str, trainer_token: str | None, number: int) -> str:
    """The email of an active client of trainer <number> (deactivated clients cannot log)."""
    fallback = f"client{number:04d}.001@demo.fitbud.dev"
    if not trainer_token:
        return fallback
    status, body = http("GET", f"{base}/api/v1/clients/?is_active=true&page_size=5", trainer_token)
    found = re.findall(rf"client{number:04d}\.\d+@demo\.fitbud\.dev", body) if status == 200 else []
    return found[0] if found else fallback


def inside(args) -> int:
    base = os.environ["LIVE_URL"]
    trainer = login(base, TRAINER)
    reader = active_client(base, trainer, 1)
    # The writes go to a client of another trainer, so that the logs they create never grow
    # what the reads return (the trainer dashboard and the feed count every client's logs).
    writer = active_client(base, login(base, TRAINER.replace("0001", "0002")), 2)
    tokens = {"trainer": trainer, "client": login(base, reader), "writer": login(base, writer)}
    log(f"tokens: trainer {'ok' if trainer else 'missing'}, client {reader}, writer {writer}")

    bodies = {
        "LOGIN": json.dumps({"email": TRAINER, "password": PASSWORD}),
        "WORKOUT": json.dumps(
            {
                "id": "{uuid}",
                "date": date.today().isoformat(),
                "exercises": [
                    {"name": "Back squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}
                ],
                "duration_minutes": 45,
                "effort": 7,
            }
        ),
    }
    rows = []
    ceiling = None
    for name, method, path, role, body_key, kind in ENDPOINTS:
        if args.only and not any(o in name for o in args.only) and kind != "ceiling":
            continue
        token = tokens.get(role) if role else None
        body = bodies.get(body_key) if body_key else None
        probe_body = (
            json.loads(body.replace("{uuid}", "5f0c2a86-8f5e-4b7e-9c1e-3c1d2a7b9e10"))
            if body
            else None
        )
        status, text = (
            (0, "") if (role and not token) else http(method, base + path, token, probe_body)
        )
        if not 200 <= status < 300:
            log(f"{name}: probe answered {status or 'no token'}; not measured ({text[:120]})")
            rows.append(
                {"endpoint": name, "method": method, "path": path, "kind": kind, "status": status}
            )
            continue
        env = {"BENCH_METHOD": method, "BENCH_BODY": body or "", "BENCH_TOKEN": token or ""}
        wrk(base + path, seconds=2, connections=args.connections, threads=args.threads, env=env)
        # Each run opens fresh connections, and how gunicorn's workers happen to share them
        # moves a run by up to 2x on two cores; the median of --repeat runs is reported.
        runs = [
            wrk(
                base + path,
                seconds=args.duration,
                connections=args.connections,
                threads=args.threads,
                env=env,
            )
            for _ in range(args.repeat)
        ]
        result = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
        result.update(
            {"endpoint": name, "method": method, "path": path, "kind": kind, "status": status}
        )
        result["runs_rps"] = [round(run["rps"]) for run in runs]
        result["errors_all_runs"] = sum(r["errors_status"] + r["errors_socket"] for r in runs)
        if kind == "ceiling":
            ceiling = result["rps"]
        result["ratio"] = result["rps"] / ceiling if ceiling else None
        rows.append(result)
        log(
            f"{name}: {result['rps']:.0f} req/s, p95 {result['p95_us'] / 1000:.1f} ms, "
            f"errors {result['errors_all_runs']} (runs: {result['runs_rps']})"
        )

    table = render(rows, args)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    info = {"scale": args.scale, "args": vars(args), "machine": machine(), "rows": rows}
    name = f"scale-{args.scale}" + ("-uncached" if args.no_response_cache else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(info, indent=2, default=str))
    (RESULTS / f"{name}.md").write_text(table + "\n")
    log(f"results: {RESULTS}/{name}.md")
    failed = [r for r in rows if r.get("errors_all_runs")]
    return 1 if failed else 0


def render(rows: list[dict], args) -> str:
    lines = [
        f"scale {args.scale}x ({10 * args.scale} trainers x 20 clients x 90 days), "
        f"{args.connections} connections, median of {args.repeat} runs of {args.duration}s "
        "per endpoint, response cache " + ("off" if args.no_response_cache else "on"),
        "",
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | % of ceiling | runs (req/s) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        label = f"{r['endpoint']} (`{r['method']} {r['path']}`)"
        if not r.get("requests"):
            lines.append(f"| {label} | n/a | | | | | | |")
            continue
        ratio = f"{100 * r['ratio']:.0f}%" if r.get("ratio") else ""
        lines.append(
            f"| {label} | {r['rps']:.0f} | {r['p50_us'] / 1000:.1f} | {r['p95_us'] / 1000:.1f} | "
            f"{r['p99_us'] / 1000:.1f} | {r['errors_all_runs']} | {ratio} | "
            f"{' / '.join(str(rps) for rps in r['runs_rps'])} |"
        )
    return "\n".join(lines)


# --- beside the anchor (bench/floor) --------------------------------------------------------

# (label, method, path, role, body, pass): "cached" rows run with the response cache on,
# "uncached" rows with RESPONSE_CACHE_SECONDS=0 on both servers.
FLOOR_ROWS = [
    ("healthz", "GET", "/healthz", None, None, "cached"),
    ("clients list, cached", "GET", "/api/v1/clients/", "trainer", None, "cached"),
    # The cheapest authenticated read: the authentication's one query, seven fields. What
    # the framework itself costs per request beside the anchor doing the same.
    ("auth/me (the user query only)", "GET", "/api/v1/auth/me/", "trainer", None, "uncached"),
    ("clients list, uncached", "GET", "/api/v1/clients/", "trainer", None, "uncached"),
    ("workout-logs list, uncached", "GET", "/api/v1/workout-logs/", "client", None, "uncached"),
    (
        "POST workout-logs (row + feed row)",
        "POST",
        "/api/v1/workout-logs/",
        "writer",
        "WORKOUT",
        "uncached",
    ),
]


def start_anchor(args, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "GUNICORN_APP": "bench.floor.app:application",
        "DATABASE_URL": os.environ["LIVE_DATABASE_URL"],
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.gthreads),
        "GUNICORN_ACCESS_LOG": "",
        "PYTHONPATH": str(ROOT),
    }
    log_file = open(ROOT / "artifacts" / f"bench-anchor-{args.scale}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the anchor did not start (artifacts/bench-anchor-*.log)")


def stop(proc: subprocess.Popen) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def most_logs(database_url: str) -> str | None:
    """The active client of trainer0001 with the most workout logs (a full first page)."""
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        row = conn.execute(
            "SELECT u.email FROM clients_client c JOIN accounts_user u ON u.id = c.user_id "
            "JOIN accounts_user t ON t.id = c.trainer_id WHERE t.email = %s AND c.is_active "
            "ORDER BY (SELECT count(*) FROM progress_workoutlog w WHERE w.client_id = c.id) "
            "DESC, c.id LIMIT 1",
            [TRAINER],
        ).fetchone()
    return row[0] if row else None


def floor_inside(args) -> int:
    """One pass (cache on or off): each row on the project and on the anchor, alternating."""
    base = os.environ["LIVE_URL"]
    which = "uncached" if args.no_response_cache else "cached"
    trainer = login(base, TRAINER)
    reader = active_client(base, trainer, 1)
    writer = active_client(base, login(base, TRAINER.replace("0001", "0002")), 2)
    tokens = {
        "trainer": trainer,
        "client": login(base, most_logs(os.environ["LIVE_DATABASE_URL"]) or reader),
        "writer": login(base, writer),
    }
    bodies = {
        "WORKOUT": json.dumps(
            {
                "id": "{uuid}",
                "date": date.today().isoformat(),
                "exercises": [
                    {"name": "Back squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}
                ],
                "duration_minutes": 45,
                "effort": 7,
            }
        )
    }
    anchor = None if args.no_anchor else start_anchor(args, args.anchor_port)
    servers = {"project": base}
    if anchor is not None:
        servers["anchor"] = f"http://127.0.0.1:{args.anchor_port}"
    rows = []
    try:
        for label, method, path, role, body_key, pass_ in FLOOR_ROWS:
            if pass_ != which or (args.only and not any(o in label for o in args.only)):
                continue
            token = tokens.get(role) if role else None
            body = bodies.get(body_key) if body_key else None
            env = {"BENCH_METHOD": method, "BENCH_BODY": body or "", "BENCH_TOKEN": token or ""}
            row = {"endpoint": label, "method": method, "path": path}
            probe = (
                json.loads(body.replace("{uuid}", str(__import__("uuid").uuid4())))
                if body
                else None
            )
            for name, url in servers.items():
                status, text = http(method, url + path, token, probe)
                if not 200 <= status < 300:
                    raise SystemExit(f"{name} {label}: probe answered {status}: {text[:200]}")
                wrk(
                    url + path,
                    seconds=2,
                    connections=args.connections,
                    threads=args.threads,
                    env=env,
                )
            runs: dict[str, list[dict]] = {name: [] for name in servers}
            for _ in range(args.repeat):
                for name, url in servers.items():
                    runs[name].append(
                        wrk(
                            url + path,
                            seconds=args.duration,
                            connections=args.connections,
                            threads=args.threads,
                            env=env,
                        )
                    )
            for name, each in runs.items():
                median = sorted(each, key=lambda run: run["rps"])[len(each) // 2]
                row[name] = {
                    "rps": median["rps"],
                    "p50_ms": median["p50_us"] / 1000,
                    "p95_ms": median["p95_us"] / 1000,
                    "p99_ms": median["p99_us"] / 1000,
                    "runs_rps": [round(run["rps"]) for run in each],
                    "errors": sum(r["errors_status"] + r["errors_socket"] for r in each),
                }
            if "anchor" in row:
                row["ratio"] = row["project"]["rps"] / row["anchor"]["rps"]
            log(
                f"{label}: project {row['project']['rps']:.0f} req/s p95 {row['project']['p95_ms']:.1f} ms"
                + (
                    f"; anchor {row['anchor']['rps']:.0f} req/s p95 {row['anchor']['p95_ms']:.1f} ms"
                    f"; {100 * row['ratio']:.0f}%"
                    if "anchor" in row
                    else ""
                )
            )
            rows.append(row)
    finally:
        if anchor is not None:
            stop(anchor)
    (RESULTS / f".floor-{args.scale}-{which}.json").write_text(json.dumps(rows, default=str))
    return 1 if any(r[n]["errors"] for r in rows for n in servers) else 0


def render_floor(args, rows: list[dict], load: list) -> str:
    lines = [
        f"scale {args.scale}x ({10 * args.scale} trainers x 20 clients x 90 days), "
        f"{args.connections} connections, median of {args.repeat} runs of {args.duration} s, "
        f"{args.workers} gthread workers x {args.gthreads} threads each; load average "
        + ", ".join(f"{a:.1f}/{b:.1f}" for a, b in load)
        + " (1 min, at the start / end of each pass)",
        "",
        "| endpoint | project req/s (p95 ms) | anchor req/s (p95 ms) | project / anchor | runs project / anchor (req/s) |",
        "|---|---:|---:|---:|---|",
    ]
    for r in rows:
        p, a = r["project"], r.get("anchor")
        lines.append(
            f"| {r['endpoint']} | {p['rps']:,.0f} ({p['p95_ms']:.1f}) | "
            + (
                f"{a['rps']:,.0f} ({a['p95_ms']:.1f}) | **{100 * r['ratio']:.0f}%** | "
                if a
                else "| | "
            )
            + " / ".join(str(x) for x in p["runs_rps"])
            + (" ; " + " / ".join(str(x) for x in a["runs_rps"]) if a else "")
            + " |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[1], help="One or more scales.")
    parser.add_argument("--duration", type=int, default=8, help="Seconds per run.")
    parser.add_argument("--repeat", type=int, default=5, help="Runs per endpoint (median).")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers.")
    parser.add_argument("--gthreads", type=int, default=2, help="Threads per gunicorn worker.")
    parser.add_argument("--port", type=int, default=0, help="Default: a free port.")
    parser.add_argument("--anchor-port", type=int, default=0, help="Default: a free port.")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/fitbud_bench_{scale}",
        help="{scale} is replaced by the scale.",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--reuse-db", action="store_true", help="Keep an already seeded database.")
    parser.add_argument("--only", nargs="*", help="Endpoint names to run (substring match).")
    parser.add_argument(
        "--legacy",
        action="store_true",
        help="The older per-endpoint table of the project alone (every hot read, login), "
        "instead of the comparison with the anchor.",
    )
    parser.add_argument("--no-anchor", action="store_true", help="Measure the project only.")
    parser.add_argument(
        "--no-response-cache",
        action="store_true",
        help="(--legacy) Serve every read from the database (RESPONSE_CACHE_SECONDS=0).",
    )
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        args.scale = args.scale[0]
        return floor_inside(args) if args.floor else inside(args)

    import secrets

    RESULTS.mkdir(parents=True, exist_ok=True)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    prefix = f"bench-{os.getpid()}-"
    rc = 0
    for scale in args.scale:
        db = args.database_url.format(scale=scale)
        env = {
            **os.environ,
            # Shared by the project and the anchor: both check the same tokens.
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(64),
            # The benchmark logs in thousands of times from one address on purpose.
            "THROTTLE_LOGIN_IP": "1000000/min",
            "THROTTLE_LOGIN_ACCOUNT": "1000000/min",
            # Steady state: no worker recycling in the middle of a measurement. A run serves
            # ~150k requests, so at the production default (every ~20k requests per worker)
            # each worker would restart once or twice, ~1 s of CPU each, landing on whichever
            # endpoint happens to be measured (p99 spikes of 200+ ms).
            "GUNICORN_MAX_REQUESTS": "0",
            "REDIS_URL": args.redis_url,
        }
        if not args.legacy:
            # As in production: the write's relay task is published to a broker (and no
            # worker consumes it during the measurement), not run in the request.
            env["CELERY_BROKER_URL"] = args.redis_url
            env["CELERY_BROKER_KEY_PREFIX"] = prefix
        seed = f"--trainers {10 * scale} --clients 20 --days 90 --seed 1"
        passes = [args.no_response_cache] if args.legacy else [False, True]
        load = []
        for index, uncached in enumerate(passes):
            pass_env = dict(env)
            if uncached:
                pass_env["RESPONSE_CACHE_SECONDS"] = "0"
            command = [
                sys.executable,
                "scripts/live_server.py",
                "--quiet",
                "--server-log",
                str(ROOT / "artifacts" / f"bench-server-{scale}.log"),
                "--port",
                str(args.port),
                "--database-url",
                db,
                "--redis-url",
                args.redis_url,
                "--seed-args",
                seed,
                "--workers",
                str(args.workers),
                "--threads",
                str(args.gthreads),
                "--conn-max-age",
                "60",
            ]
            if args.reuse_db or index > 0:
                command.append("--keep-database")
            inner = [
                "--scale",
                str(scale),
                "--duration",
                str(args.duration),
                "--repeat",
                str(args.repeat),
                "--connections",
                str(args.connections),
                "--threads",
                str(args.threads),
                "--workers",
                str(args.workers),
                "--gthreads",
                str(args.gthreads),
                "--anchor-port",
                str(args.anchor_port or free_port()),
            ]
            if args.only:
                inner += ["--only", *args.only]
            if uncached:
                inner.append("--no-response-cache")
            if args.no_anchor:
                inner.append("--no-anchor")
            if not args.legacy:
                inner.append("--floor")
            command += ["--", sys.executable, "bench/run.py", "--inside", *inner]
            log(f"scale {scale}, response cache {'off' if uncached else 'on'} ({seed}) on {db}")
            before = os.getloadavg()[0]
            started = time.monotonic()
            rc |= subprocess.call(command, cwd=ROOT, env=pass_env)
            load.append((before, os.getloadavg()[0]))
            log(f"done in {time.monotonic() - started:.0f}s")
        clear_broker(args.redis_url, prefix)
        if not args.legacy:
            rows = []
            for which in ("cached", "uncached"):
                part = RESULTS / f".floor-{scale}-{which}.json"
                if part.exists():
                    rows += json.loads(part.read_text())
                    part.unlink()
            args_scale = argparse.Namespace(**{**vars(args), "scale": scale})
            table = render_floor(args_scale, rows, load)
            print(table)
            info = {
                "scale": scale,
                "args": vars(args),
                "machine": machine(),
                "load": load,
                "rows": rows,
            }
            (RESULTS / f"floor-scale-{scale}.json").write_text(
                json.dumps(info, indent=2, default=str)
            )
            (RESULTS / f"floor-scale-{scale}.md").write_text(table + "\n")
            log(f"results: {RESULTS}/floor-scale-{scale}.md")
    return rc


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clear_broker(url: str, prefix: str) -> None:
    """Drop the relay messages the writes published (nobody consumes them here)."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


if __name__ == "__main__":
    sys.exit(main())
