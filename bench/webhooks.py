"""Outgoing webhooks: deliveries per second per worker process to a local receiver, and the
time from a logged workout to its delivered webhook (p50/p95) under load.

    .venv/bin/python bench/webhooks.py --database-url postgres://.../fitbud_h_hook \
        [--broker redis://127.0.0.1:6379/6] [--deliveries 500] [--workouts 200] [--rate 20]

- The receiver is another process (a ThreadingHTTPServer on 127.0.0.1:8131, answering 200
  "ok" at once and writing down when each message arrived).
- Throughput: `--deliveries` pending deliveries, then (a) one loop in this process calling
  the attempt service (what one task does, without Celery), (b) one real `celery worker`
  process (concurrency 1, prefork) taking the send tasks from the Redis broker.
- Latency: `celery worker -c 2` (the machine has 2 cores) runs the relay and the sends;
  this process is the web (Django's test client, the workout POST publishes the relay to
  Redis) and logs `--workouts` workouts at `--rate` per second for a client whose studio
  has 3 endpoints subscribed to workout.logged (so 3 deliveries per workout). Latency =
  arrival at the receiver - start of the POST.
Broker keys are prefixed `webhooks-bench-<random>:` and deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8131


def receive(log_path: str, ready) -> None:
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 (lives as long as the process)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes: without this, Nagle on our side and the
        # client's delayed ACK add ~40 ms to every answer (a receiver artefact, not ours).
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            arrived = time.time()
            try:
                data = json.loads(body).get("data", {})
                object_id = data.get("object", {}).get("id", "")
            except ValueError:
                object_id = ""
            log.write(f"{arrived:.6f} {self.headers.get('webhook-id')} {object_id}\n")
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = True
    ready.set()
    server.serve_forever()


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--workouts", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    prefix = f"webhooks-bench-{uuid.uuid4().hex[:8]}:"
    queue = f"webhooks-bench-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fitbud.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": args.database_url,
        "CACHE_URL": "locmemcache://",
        "RESPONSE_CACHE_SECONDS": "0",
        "LOG_LEVEL": "ERROR",
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "CELERY_BROKER_URL": args.broker,
        "CELERY_BROKER_KEY_PREFIX": prefix,
        "CELERY_QUEUE": queue,
    }
    os.environ.update(env)

    log_path = tempfile.mktemp(suffix=".log")
    ready = multiprocessing.Event()
    receiver = multiprocessing.Process(target=receive, args=(log_path, ready), daemon=True)
    receiver.start()
    ready.wait(10)

    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.tests.factories import TrainerFactory
    from clients.tests.factories import ClientFactory
    from integrations.tests.factories import WebhookEndpointFactory
    from integrations.webhooks import services
    from integrations.webhooks.models import WebhookDelivery
    from integrations.webhooks.tasks import webhook_delivery_send_task

    call_command("migrate", verbosity=0)
    workers: list[subprocess.Popen] = []

    def start_worker(concurrency: int) -> subprocess.Popen:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "fitbud",
                "worker",
                "-c",
                str(concurrency),
                "-P",
                "prefork",
                "-Q",
                queue,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "ERROR",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        workers.append(worker)
        # Ready when it has run one task (start-up takes seconds on a loaded machine; a
        # backlog queued meanwhile would be measured as latency).
        (probe,) = make_deliveries(endpoint, 1)
        webhook_delivery_send_task.apply_async(kwargs={"delivery_id": probe})
        deadline = time.time() + 120
        while pending([probe]) and time.time() < deadline:
            time.sleep(0.2)
        assert not pending([probe]), "the worker did not start"
        return worker

    def stop(worker: subprocess.Popen) -> None:
        worker.terminate()
        worker.wait(20)

    def pending(ids: list[int]) -> int:
        return WebhookDelivery.objects.filter(pk__in=ids, status="pending").count()

    def make_deliveries(endpoint, n: int) -> list[int]:
        now = timezone.now()
        rows = [
            WebhookDelivery(
                endpoint=endpoint,
                event_type="webhook.ping",
                message_id=WebhookDelivery.new_message_id(),
                payload={"type": "webhook.ping", "version": 1, "data": {"n": i}},
                next_attempt_at=now,
            )
            for i in range(n)
        ]
        return [d.pk for d in WebhookDelivery.objects.bulk_create(rows)]

    url = f"http://127.0.0.1:{PORT}/hook"
    results: list[str] = []
    try:
        tag = uuid.uuid4().hex[:6]
        link = ClientFactory(
            trainer=TrainerFactory(email=f"bench-t-{tag}@example.com"),
            user__email=f"bench-c-{tag}@example.com",
        )
        endpoint = WebhookEndpointFactory(
            created_by=link.trainer, url=url + "/ping", events=["workout.logged"]
        )
        # (a) the attempt service in a loop (one process, no Celery)
        ids = make_deliveries(endpoint, args.deliveries)
        started = time.perf_counter()
        for delivery_id in ids:
            services.delivery_attempt(delivery_id=delivery_id)
        seconds = time.perf_counter() - started
        assert pending(ids) == 0
        results.append(
            f"attempt loop, 1 process: {len(ids) / seconds:.0f} deliveries/s "
            f"({seconds / len(ids) * 1000:.2f} ms each)"
        )

        # (b) one Celery worker process (concurrency 1) on the Redis broker
        worker = start_worker(1)
        ids = make_deliveries(endpoint, args.deliveries)
        started = time.perf_counter()
        for delivery_id in ids:
            webhook_delivery_send_task.apply_async(kwargs={"delivery_id": delivery_id})
        while pending(ids) and time.perf_counter() - started < 300:
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        assert pending(ids) == 0, "the worker did not finish in 300 s"
        results.append(
            f"celery worker -c 1 (publish to done): {len(ids) / seconds:.0f} deliveries/s"
        )
        stop(worker)

        # Latency: logged workout -> delivered, 3 endpoints, worker -c 2, steady rate.
        for n in range(3):
            WebhookEndpointFactory(
                created_by=link.trainer, url=f"{url}/{n}", events=["workout.logged"]
            )
        endpoint.events = []
        endpoint.save()
        start_worker(2)
        client_api = Client(
            HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(link.user).access_token}"
        )
        workout = {
            "date": timezone.localdate().isoformat(),
            "exercises": [{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 80, "done": True}]}],
        }
        posted: dict[str, float] = {}
        interval = 1 / args.rate
        began = time.perf_counter()
        for n in range(args.workouts):
            due = began + n * interval
            time.sleep(max(0.0, due - time.perf_counter()))
            at = time.time()
            response = client_api.post(
                "/api/v1/workout-logs/", workout, content_type="application/json"
            )
            assert response.status_code == 201, response.content
            posted[response.json()["id"]] = at
        deadline = time.time() + 120
        expected = 3 * args.workouts
        arrivals: list[float] = []
        while time.time() < deadline:
            with open(log_path) as log:
                lines = [line.split() for line in log if line.strip()]
            arrivals = [
                float(ts) - posted[oid] for ts, _, *rest in lines for oid in rest if oid in posted
            ]
            if len(arrivals) >= expected:
                break
            time.sleep(0.5)
        ms = sorted(a * 1000 for a in arrivals)
        results.append(
            f"workout -> delivered, {args.workouts} workouts at {args.rate:g}/s x 3 endpoints, "
            f"worker -c 2: {len(ms)}/{expected} delivered, p50 {pct(ms, 50):.0f} ms, "
            f"p95 {pct(ms, 95):.0f} ms, max {ms[-1]:.0f} ms"
        )
    finally:
        for worker in workers:
            if worker.poll() is None:
                stop(worker)
        receiver.terminate()
        client = redis.Redis.from_url(args.broker)
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)
        os.unlink(log_path)
    for line in results:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
