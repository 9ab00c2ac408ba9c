"""A newcomer's first minutes (issue 13): `make run` on a taken port, one line per log record,
a landing page at `/`, a favicon, and docs pages that load nothing from another host."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent.parent
# Any absolute URL in an attribute that loads something (a link to read is fine).
OUTSIDE_ASSET = re.compile(r"""(?:src|href)=["'](?:https?:)?//""", re.I)


def test_the_landing_page_links_everything_a_newcomer_needs(client):
    response = client.get(reverse("landing"))
    body = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>Fitbud API</h1>" in body
    for href in ("/api/docs/", "/api/redoc/", "/api/schema/", "/admin/", "/healthz"):
        assert f'href="{href}"' in body, href
    assert not OUTSIDE_ASSET.search(body)


def test_favicon_is_served_as_an_icon(client):
    response = client.get("/favicon.ico")
    icon = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert icon[:4] == b"\x00\x00\x01\x00"  # the ICO header


@pytest.mark.parametrize("name", ["redoc", "swagger-ui"])
def test_the_docs_pages_load_their_assets_from_this_server_only(client, name):
    body = client.get(reverse(name)).content.decode()

    assert not OUTSIDE_ASSET.search(body), OUTSIDE_ASSET.findall(body)
    assert "fonts.googleapis.com" not in body and "fonts.gstatic.com" not in body
    scripts = re.findall(r'<script src="([^"]+)"', body)
    assert scripts and all(src.startswith("/static/drf_spectacular_sidecar/") for src in scripts)


def test_redoc_s_page_policy_keeps_images_and_fonts_on_this_server(client):
    """ReDoc's bundle itself asks cdn.redoc.ly for a logo; the policy stops the browser."""
    policy = client.get(reverse("redoc"))["Content-Security-Policy"]

    assert "img-src 'self' data:" in policy and "font-src 'self' data:" in policy
    assert "connect-src 'self'" in policy


LOG_SOME_RECORDS = """
import logging, django
django.setup()
logging.getLogger("django.request").warning("request-record")
logging.getLogger("django.server").info("server-record")
logging.getLogger("accounts").info("app-record")
"""


def test_a_log_record_is_written_once_under_the_development_settings():
    """Django's default config gave `django` a console handler of its own (in DEBUG) *and*
    propagation to root, so `Not Found: /x` and friends appeared twice under runserver.
    A fresh process, as `make run` starts it, with the settings' real logging config."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fitbud.settings.local", "DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "-c", LOG_SOME_RECORDS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    for record in ("request-record", "server-record", "app-record"):
        assert output.count(record) == 1, output


def _run_sh(port: str) -> subprocess.CompletedProcess:
    # The port check comes first: these runs never touch the virtualenv or the database.
    env = {**os.environ, "PORT": port, "HOST": "127.0.0.1", "VENV": "/nonexistent-venv"}
    return subprocess.run(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_make_run_on_a_taken_port_says_so_and_how_to_choose_another():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = _run_sh(port)

    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "PORT=8001 make run" in result.stderr
    assert "Creating virtual environment" not in result.stderr


@pytest.mark.parametrize("port", ["http", "0", "70000"])
def test_make_run_refuses_a_port_that_is_not_one(port):
    result = _run_sh(port)

    assert result.returncode == 2
    assert "PORT must be a number between 1 and 65535" in result.stderr


def test_the_docs_pages_are_not_operations_of_the_schema(client):
    paths = client.get(reverse("schema"), {"format": "json"}).json()["paths"]

    assert not [p for p in paths if not p.startswith("/api/v1/")]
