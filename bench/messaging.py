"""Messaging: stream delivery latency with many open streams, list latency, memory per stream.

    .venv/bin/python bench/messaging.py [--scale 1] [--streams 200] [--sends 100]
        [--requests 200] [--database-url postgres://postgres@127.0.0.1:5432/fitbud_h_msg_bench]
        [--port 8101]

The database named by --database-url is dropped and created (a scratch database), migrated
and seeded; one uvicorn process (ASGI, production settings, `CONN_MAX_AGE=0`) serves it.

1. Lists, uncached (neither list is in the response cache), one keep-alive connection, as
   the member: `GET conversations/` (first page, 20) and `GET conversations/<id>/messages/`
   (first page, 20), served as production serves them: gunicorn (gunicorn.conf.py, 5 gthread
   workers x 2 threads, `CONN_MAX_AGE=60`, on --port + 1); then the same with wrk at 16
   connections when wrk is installed. Scale N: the member has 20·N conversations of 50·N messages each
   (half of them unread), bulk-inserted.
2. Streams: --streams clients (each with their own conversation with a second member) open
   `stream/` on that one process. The uvicorn process's resident memory before and after
   gives the memory per open stream. Then --sends messages, one at a time, from the member
   to a random one of those clients, written by *this* process through the service
   (messaging.services.message_send: the row, its event and the NOTIFY commit together):
   the latency is from before the call to the frame carrying that message id arriving on
   the client's stream. Then bursts of 20 messages to 20 different clients at once.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from run import gunicorn_server, wrk_median  # noqa: E402

sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"n={len(values)} p50={statistics.median(values):.1f} ms "
        f"p95={percentile(values, 95):.1f} ms max={max(values):.1f} ms"
    )


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def seed(scale: int, streams: int) -> dict:
    from django.utils import timezone

    from accounts.models import User
    from accounts.tests.factories import TrainerFactory
    from clients.models import Client
    from messaging.models import Conversation, Message

    def clients_of(trainer, count: int, tag: str) -> list[Client]:
        users = User.objects.bulk_create(
            [
                User(
                    email=f"{tag}{i}@bench.example",
                    full_name=f"Client {tag} {i}",
                    role=User.Role.CLIENT,
                    password="!bench",
                )
                for i in range(count)
            ]
        )
        studio = trainer.membership.studio_id
        return Client.objects.bulk_create(
            [Client(user=u, trainer=trainer, studio_id=studio) for u in users]
        )

    def conversations(trainer, clients) -> list[Conversation]:
        now = timezone.now()
        return Conversation.objects.bulk_create(
            [
                Conversation(
                    trainer=trainer,
                    client=c,
                    studio_id=c.studio_id,
                    last_message_at=now - timezone.timedelta(minutes=i),
                )
                for i, c in enumerate(clients)
            ]
        )

    member = TrainerFactory(email="member@bench.example", full_name="Mia Member")
    lists = conversations(member, clients_of(member, 20 * scale, "l"))
    per = 50 * scale
    start = timezone.now() - timezone.timedelta(days=30)
    batch: list[Message] = []
    for conversation in lists:
        for i in range(per):
            from_client = i % 2 == 0
            batch.append(
                Message(
                    conversation=conversation,
                    sender_id=conversation.client.user_id if from_client else member.pk,
                    body=f"message {i} " + "lorem ipsum " * 8,
                    created_at=start + timezone.timedelta(minutes=i),
                )
            )
        if len(batch) >= 20_000:
            Message.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Message.objects.bulk_create(batch, batch_size=5000)

    coach = TrainerFactory(email="coach@bench.example", full_name="Cody Coach")
    stream_clients = clients_of(coach, streams, "s")
    stream_conversations = conversations(coach, stream_clients)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "member": member,
        "list_conversation": lists[0].pk,
        "coach": coach,
        "stream_conversations": [(c.pk, c.client.user) for c in stream_conversations],
        "messages": len(lists) * per,
    }


class Api:
    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.auth = f"Bearer {token}"

    def get(self, path: str) -> tuple[int, bytes]:
        self.conn.request("GET", path, headers={"Authorization": self.auth})
        response = self.conn.getresponse()
        return response.status, response.read()


def bench_lists(port: int, token: str, conversation_id: int, requests: int) -> None:
    api = Api(port, token)
    for label, path in (
        # A floor for the machine's state: the smallest authenticated read.
        ("GET auth/me/ (floor)", "/api/v1/auth/me/"),
        ("GET conversations/", "/api/v1/conversations/"),
        ("GET conversations/<id>/messages/", f"/api/v1/conversations/{conversation_id}/messages/"),
    ):
        for _ in range(10):  # warm-up
            status, body = api.get(path)
            assert status == 200, body[:300]
        latencies = []
        for _ in range(requests):
            start = time.perf_counter()
            status, body = api.get(path)
            latencies.append((time.perf_counter() - start) * 1000)
            assert status == 200
        print(f"{label} (uncached): {summary(latencies)}", flush=True)
    wrk_lists(port, token, conversation_id)


def wrk_lists(port: int, token: str, conversation_id: int) -> None:
    if not shutil.which("wrk"):
        return
    for label, path in (
        ("GET conversations/", "/api/v1/conversations/"),
        ("GET conversations/<id>/messages/", f"/api/v1/conversations/{conversation_id}/messages/"),
    ):
        run = wrk_median(f"http://127.0.0.1:{port}{path}", token, seconds=5)
        print(
            f"{label} (uncached, wrk 16 connections, median of 3 x 5 s): {run['rps']:.0f} "
            f"req/s, p50 {run['p50_us'] / 1000:.1f} ms, p95 {run['p95_us'] / 1000:.1f} ms, "
            f"errors {run['errors_status'] + run['errors_socket']}",
            flush=True,
        )


TASKS: set[asyncio.Task] = set()  # keeps the readers alive


async def open_stream(port: int, token: str, frames: asyncio.Queue) -> asyncio.StreamWriter:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
    writer.write(
        (
            "GET /api/v1/stream/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    buffer = b""
    while b": connected" not in buffer:
        chunk = await reader.read(65536)
        if not chunk:
            raise RuntimeError(f"stream closed before it connected: {buffer[:300]!r}")
        buffer += chunk

    async def pump() -> None:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            for line in chunk.split(b"\n"):
                # Chunked transfer framing may split lines; message frames are small, and a
                # `data:` line with the message id is all we look for.
                if b'"conversation"' in line and b"data: " in line:
                    try:
                        data = json.loads(line[line.index(b"data: ") + 6 :])
                    except ValueError:
                        continue
                    frames.put_nowait((time.perf_counter(), data["id"]))

    TASKS.add(asyncio.ensure_future(pump()))
    return writer


async def bench_streams(port: int, pid: int, seeded: dict, sends: int) -> None:
    from asgiref.sync import sync_to_async
    from rest_framework_simplejwt.tokens import AccessToken

    from messaging import services
    from messaging.models import Conversation

    conversations = seeded["stream_conversations"]
    coach = seeded["coach"]
    arrived: dict[str, float] = {}
    waiters: dict[str, asyncio.Event] = {}
    frames: asyncio.Queue = asyncio.Queue()

    async def collect() -> None:
        while True:
            at, message_id = await frames.get()
            arrived.setdefault(message_id, at)
            if message_id in waiters:
                waiters[message_id].set()

    TASKS.add(asyncio.ensure_future(collect()))
    before = rss_mb(pid)
    writers = []
    opened = time.perf_counter()
    for index, (_, user) in enumerate(conversations):
        writers.append(await open_stream(port, str(AccessToken.for_user(user)), frames))
        if index % 50 == 49:
            print(f"  {index + 1} streams open", flush=True)
    print(f"opened {len(writers)} streams in {time.perf_counter() - opened:.1f} s", flush=True)
    await asyncio.sleep(3)
    after = rss_mb(pid)
    print(
        f"uvicorn RSS: {before:.1f} MB before, {after:.1f} MB with {len(writers)} open streams: "
        f"{(after - before) * 1024 / len(writers):.0f} KB per stream",
        flush=True,
    )

    def send(conversation_id: int) -> str:
        conversation = Conversation.objects.select_related("client__user", "trainer").get(
            pk=conversation_id
        )
        message, _ = services.message_send(conversation=conversation, sender=coach, body="Ping")
        return str(message.pk)

    async def one(conversation_id: int) -> float:
        start = time.perf_counter()
        message_id = await sync_to_async(send, thread_sensitive=False)(conversation_id)
        event = waiters.setdefault(message_id, asyncio.Event())
        if message_id not in arrived:
            await asyncio.wait_for(event.wait(), 10)
        return (arrived[message_id] - start) * 1000

    latencies = []
    for _ in range(sends):
        latencies.append(await one(random.choice(conversations)[0]))
        await asyncio.sleep(0.05)
    print(f"send -> delivered on the client's stream, one at a time: {summary(latencies)}")
    burst: list[float] = []
    for _ in range(max(1, sends // 20)):
        chosen = random.sample(conversations, min(20, len(conversations)))
        burst += await asyncio.gather(*(one(conversation_id) for conversation_id, _ in chosen))
        await asyncio.sleep(0.2)
    print(f"send -> delivered, bursts of 20 concurrent sends: {summary(burst)}", flush=True)
    print(f"uvicorn RSS after the sends: {rss_mb(pid):.1f} MB", flush=True)
    for writer in writers:
        writer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--sends", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/fitbud_h_msg_bench"
    )
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args()

    env = {
        "DJANGO_SETTINGS_MODULE": "fitbud.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "JWT_ACCESS_MINUTES": "120",
        "FEED_STREAM_MAX_SECONDS": "3600",
        "CORS_ALLOWED_ORIGINS": "https://app.fitbud.example",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    os.environ.pop("CELERY_BROKER_URL", None)  # eager: the spine relay runs after commit here
    os.environ.pop("REDIS_URL", None)
    recreate_database(args.database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=os.environ, check=True
    )
    import django

    django.setup()
    import logging

    from django.db.models.signals import post_save

    from dashboard.models import ActivityEvent

    logging.disable(logging.INFO)
    # In production the web process only publishes the spine relay to the broker after commit;
    # here there is none (eager tasks would run the relay in this process, competing with the
    # sends): the relay is not this benchmark's subject.
    post_save.disconnect(sender=ActivityEvent, dispatch_uid="dashboard.spine.relay")
    started = time.perf_counter()
    seeded = seed(args.scale, args.streams)
    print(
        f"scale {args.scale}: {20 * args.scale} conversations x {50 * args.scale} messages "
        f"({seeded['messages']} messages) + {args.streams} stream clients, seeded in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    from django.db import connection

    connection.close()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "fitbud.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/readyz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("uvicorn did not start") from None
                time.sleep(0.3)
        from rest_framework_simplejwt.tokens import AccessToken

        token = str(AccessToken.for_user(seeded["member"]))
        # The lists as production serves them (docker-compose `web`), not on the ASGI
        # stream process.
        web = gunicorn_server(args.port + 1, {})
        try:
            bench_lists(args.port + 1, token, seeded["list_conversation"], args.requests)
        finally:
            web.terminate()
            web.wait(timeout=10)
        asyncio.run(bench_streams(args.port, server.pid, seeded, args.sends))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
