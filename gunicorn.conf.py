"""gunicorn settings, all from the environment (12-factor). Used by Docker and the benchmark."""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8000)}"
# Django is mostly I/O-bound on the database: a few processes with a few threads each.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 2)
# The API runs on threaded WSGI workers. The live feed (feed/stream/, Server-Sent Events)
# needs an ASGI worker so that open streams do not hold request threads: run a second
# process with GUNICORN_WORKER_CLASS=uvicorn_worker.UvicornWorker and
# GUNICORN_APP=fitbud.asgi:application (see docker-compose.yml).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or ("gthread" if threads > 1 else "sync")
wsgi_app = os.environ.get("GUNICORN_APP", "fitbud.wsgi:application")
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (docker stop, rolling deploy) in-flight requests get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Longest request line (method, path and query) in bytes; longer ones get gunicorn's own 414.
# 8190 is gunicorn's maximum; 0 lifts the limit (the fuzzer does, so that our own validation
# answers every query string; in production the proxy in front sets its own limit too).
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 8190)
# Recycle workers now and then so a slow leak can never take a process down. Not too often:
# a new worker spends about a second of CPU importing the project, and at 2,000 the
# benchmark's workers restarted every few seconds (the /healthz ceiling halved, its p95 went
# from 8 ms to 560 ms; docs/performance.md).
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# Heartbeat files in memory, not on a container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only the reverse proxy in front of us may set X-Forwarded-*.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr for the container runtime; GUNICORN_ACCESS_LOG="" turns access logs off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Query-string credentials (feed/stream/'s ?ticket= and deprecated ?access_token=) are
# written as [redacted], in gunicorn's and in the ASGI worker's (uvicorn's) access log.
logger_class = "fitbud.access_log.RedactingLogger"
