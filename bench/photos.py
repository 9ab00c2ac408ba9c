"""Progress photos and body metrics: upload latency, memory per upload, series latency.

    .venv/bin/python bench/photos.py [--uploads 100] [--connections 4] [--series 200]
        [--database-url postgres://...] [--broker redis://127.0.0.1:6379/9] [--port 8291]

Over HTTP against a production-mode gunicorn (scripts/live_server.py: 2 workers x 2
threads, as CI's live server), with a Redis broker, so the thumbnail task is published and
left in the queue (no worker runs during the measurement: thumbnailing is off the request
path, as in production where the worker is another process or machine; the queued tasks
are deleted at the end, keys prefixed `photo-bench-<random>:`). Photos go to a temporary
directory (filesystem storage).

1. POST photos/ with a ~5 MB 4000x3000 JPEG (noise: hard to compress, so 5 MB is 12 MP),
   --connections clients in parallel, each on its own keep-alive connection.
2. Memory per upload: in a fresh process, the peak resident set of checking and cleaning
   one file (progress.images.clean_image) above the process's baseline, for the same JPEG
   (upright: lossless path), the same JPEG rotated (EXIF orientation 6: decode and re-encode)
   and the worst accepted case (a 40 MP PNG).
3. GET metrics/?metric=weight for a year of daily entries plus 52 weekly check-ins,
   uncached (the series is never in the response cache), one connection.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"n={len(values)} p50={statistics.median(values):.1f} ms "
        f"p95={percentile(values, 95):.1f} ms max={max(values):.1f} ms"
    )


def test_jpeg(orientation: int = 1) -> bytes:
    from PIL import Image

    width, height = 4000, 3000
    noise = Image.effect_noise((width, height), 40)
    ramp = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", [noise, ramp, Image.blend(noise, ramp, 0.5)])
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def multipart(fields: dict[str, str], image: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="me.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    )
    body = "".join(parts).encode() + head.encode() + image + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Api:
    def __init__(self, base: str, token: str):
        where = urlsplit(base)
        self.conn = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
        self.auth = f"Bearer {token}"

    def request(self, method: str, path: str, body: bytes | None = None, ctype: str = ""):
        headers = {"Authorization": self.auth}
        if ctype:
            headers["Content-Type"] = ctype
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def json(self, method: str, path: str, payload=None):
        body = json.dumps(payload).encode() if payload is not None else None
        status, data = self.request(method, path, body, "application/json" if body else "")
        return status, json.loads(data or b"null")


def bench_uploads(base: str, token: str, uploads: int, connections: int) -> dict:
    image = test_jpeg()
    print(f"upload file: {len(image) / 1e6:.2f} MB, 4000x3000 JPEG with EXIF/GPS", flush=True)
    today = date.today().isoformat()
    body, ctype = multipart({"date": today, "pose": "front"}, image)
    warm = Api(base, token)
    for _ in range(2):
        status, data = warm.request("POST", "/api/v1/photos/", body, ctype)
        assert status == 201, data[:300]
    latencies: list[float] = []
    lock = threading.Lock()
    per_connection = uploads // connections

    def client() -> None:
        api = Api(base, token)
        for _ in range(per_connection):
            start = time.perf_counter()
            status, data = api.request("POST", "/api/v1/photos/", body, ctype)
            elapsed = (time.perf_counter() - start) * 1000
            assert status == 201, data[:300]
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    print(f"POST photos/ at {connections} connections: {summary(latencies)}", flush=True)
    print(f"  throughput {len(latencies) / wall:.1f} uploads/s", flush=True)
    return {"latencies": latencies}


def bench_series(base: str, token: str, requests: int) -> None:
    api = Api(base, token)
    today = date.today()
    records = [
        {
            "source_id": f"bench-{i}",
            "date": (today - timedelta(days=i)).isoformat(),
            "metric": "weight",
            "value": 80 + (i % 10) / 10,
        }
        for i in range(365)
    ]
    status, result = api.json(
        "POST", "/api/v1/body-stats/import/", {"source": "apple_health", "records": records}
    )
    assert status == 200, result
    made = 0
    for week in range(52):
        day = today - timedelta(days=7 * week + 1)
        status, _ = api.json(
            "POST", "/api/v1/check-ins/", {"date": day.isoformat(), "weight_kg": 81}
        )
        made += status == 201
    frm = (today - timedelta(days=364)).isoformat()
    path = f"/api/v1/metrics/?metric=weight&from={frm}&to={today.isoformat()}"
    status, series = api.json("GET", path)
    assert status == 200, series
    print(
        f"series data: {result['created']} entries + {made} check-ins -> "
        f"{len(series['points'])} points",
        flush=True,
    )
    latencies = []
    for _ in range(requests):
        start = time.perf_counter()
        status, _ = api.request("GET", path)
        latencies.append((time.perf_counter() - start) * 1000)
        assert status == 200
    print(f"GET metrics/ (a year, uncached): {summary(latencies)}", flush=True)


MEMORY_PROBE = r"""
import os, sys, threading, time
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitbud.settings.test")
import django
django.setup()
from progress import images

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

data = open(sys.argv[2], "rb").read()
base = rss_mb()
peak = [base]
done = threading.Event()

def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_mb())
        time.sleep(0.01)

sampler = threading.Thread(target=sample)
sampler.start()
clean = images.clean_image(data)
done.set()
sampler.join()
print(f"{peak[0] - base:.1f} {len(data) / 1e6:.2f} {clean.width}x{clean.height}")
"""


def memory_probes() -> None:
    from PIL import Image

    cases = {
        "5 MB JPEG, upright (lossless strip)": test_jpeg(1),
        "5 MB JPEG, EXIF-rotated (decode + re-encode)": test_jpeg(6),
    }
    worst = io.BytesIO()
    # A smooth 40 MP picture, so the PNG stays under the 15 MB limit (noise would not).
    smooth = Image.linear_gradient("L").resize((8000, 5000))
    Image.merge("RGB", [smooth, smooth.transpose(Image.Transpose.FLIP_LEFT_RIGHT), smooth]).save(
        worst, "PNG"
    )
    cases["40 MP PNG (worst accepted: decode + re-encode)"] = worst.getvalue()
    with tempfile.TemporaryDirectory() as folder:
        for label, data in cases.items():
            path = Path(folder) / "probe.bin"
            path.write_bytes(data)
            probe = subprocess.run(
                [sys.executable, "-c", MEMORY_PROBE, str(ROOT), str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if probe.returncode:
                print(f"memory, {label}: probe failed: {probe.stderr.strip()[-300:]}")
                continue
            out = probe.stdout.split()
            print(f"memory, {label}: +{out[0]} MB peak RSS ({out[1]} MB file, {out[2]})")


def cleanup_broker(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    print(f"deleted {len(keys)} broker keys ({prefix}*)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--port", type=int, default=8291)
    parser.add_argument("--stream-port", type=int, default=8292)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.inside:
        base, token = os.environ["LIVE_URL"], os.environ["CLIENT_TOKEN"]
        bench_uploads(base, token, args.uploads, args.connections)
        bench_series(base, token, args.series)
        return 0
    memory_probes()
    prefix = f"photo-bench-{secrets.token_hex(4)}:"
    storage = tempfile.mkdtemp(prefix="fitbud-photo-bench-")
    env = dict(
        os.environ,
        CELERY_BROKER_URL=args.broker,
        CELERY_BROKER_KEY_PREFIX=prefix,
        PHOTO_STORAGE="filesystem",
        PHOTO_STORAGE_DIR=storage,
        # Every request is measured, none refused: no rate limit applies to these endpoints.
    )
    command = [sys.executable, "scripts/live_server.py", "--quiet", "--port", str(args.port)]
    command += ["--stream-port", str(args.stream_port)]
    if args.database_url:
        command += ["--database-url", args.database_url]
    command += ["--", sys.executable, "bench/photos.py", "--inside"]
    command += ["--uploads", str(args.uploads), "--connections", str(args.connections)]
    command += ["--series", str(args.series)]
    try:
        return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    finally:
        cleanup_broker(args.broker, prefix)
        subprocess.run(["rm", "-rf", storage], check=False)


if __name__ == "__main__":
    raise SystemExit(main())
