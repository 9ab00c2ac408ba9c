"""Real-browser check of the docs page and the admin, in headless Debian Chromium.

    bash scripts/browser_check.sh        (starts a live server, then runs this file)

1. /api/docs/: Swagger UI renders, "Authorize" takes the trainer's JWT, "Try it out" on
   GET /api/v1/auth/me/ answers 200 with the trainer's email.
2. /admin/: the staff user logs in and opens the clients list (/admin/clients/client/).
Screenshots of every step go to artifacts/browser/. Playwright drives the system Chromium
(/usr/bin/chromium); it never downloads a browser of its own.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network and a root user (see docs/deployment.md).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ME_PATH = "/api/v1/auth/me/"


def step(number: int, text: str) -> None:
    print(f"[browser] {number}. {text}", flush=True)


def shot(page: Page, name: str) -> None:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    print(f"[browser]    screenshot {path.relative_to(ROOT)}", flush=True)


def check_docs(page: Page, base: str, token: str) -> None:
    step(1, "open /api/docs/ (Swagger UI)")
    page.goto(f"{base}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Fitbud API", timeout=20000)
    shot(page, "01-docs")
    if not _in_schema(base, ME_PATH):
        # Only on a bare skeleton without the auth endpoints: no secured operation, so
        # Swagger UI shows no Authorize button and there is nothing to try yet.
        print(f"[browser]    NOTE: {ME_PATH} is not in the schema yet; steps 2-3 not run")
        return

    step(2, "Authorize with the trainer's JWT")
    page.locator(".swagger-ui .auth-wrapper button.authorize").click()
    dialog = page.locator(".swagger-ui .dialog-ux .modal-ux")
    dialog.locator("input").first.fill(token)
    dialog.locator("button.authorize").click()
    # Swagger UI swaps the Authorize button for Logout once the token is accepted.
    expect(dialog.locator("button", has_text="Logout")).to_be_visible()
    shot(page, "02-authorized")
    dialog.locator("button", has_text="Close").click()

    step(3, f"Try it out: GET {ME_PATH}")
    operation = page.locator(
        f'.opblock.opblock-get:has(.opblock-summary-path[data-path="{ME_PATH}"])'
    ).first
    operation.locator(".opblock-summary").first.click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    expect(status).to_have_text("200", timeout=15000)
    body = operation.locator(".live-responses-table .response-col_description pre").first
    # scripts/live_server.py mints TRAINER_TOKEN for the second demo trainer.
    expect(body).to_contain_text("trainer2@fitbud.dev")
    operation.scroll_into_view_if_needed()
    shot(page, "03-try-it-out-200")


def _in_schema(base: str, path: str) -> bool:
    with urllib.request.urlopen(f"{base}/api/schema/?format=json", timeout=10) as response:
        return path in json.load(response).get("paths", {})


def check_admin(page: Page, base: str, email: str, password: str) -> None:
    step(4, "log into /admin/ as staff")
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    shot(page, "04-admin-login")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_contain_text("Fitbud administration")
    expect(page.locator("body")).to_contain_text("Site administration")
    shot(page, "05-admin-index")

    step(5, "open the clients list (/admin/clients/client/)")
    response = page.goto(f"{base}/admin/clients/client/")
    assert response is not None
    if response.status == 404 and "clients" not in page.content().lower():
        print("[browser]    NOTE: no clients admin registered yet; step 5 not run")
        return
    assert response.status == 200, response.status
    expect(page.locator("#result_list")).to_be_visible()
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    shot(page, "06-admin-clients")


def check_headers(base: str, token: str) -> None:
    """Security headers and CORS as a browser behind the TLS proxy would see them."""
    step(6, "security headers and CORS on the API")

    def fetch(path: str, method: str = "GET", **headers: str):
        request = urllib.request.Request(base + path, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers

    status, headers = fetch(
        "/api/schema/", Authorization=f"Bearer {token}", **{"X-Forwarded-Proto": "https"}
    )
    expected = {
        "Strict-Transport-Security": "max-age=",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in expected.items():
        assert value in (headers.get(name) or ""), f"{name}: {headers.get(name)!r}"
    print(f"[browser]    {', '.join(expected)}: present")

    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
    }
    _, allowed = fetch(
        "/api/v1/auth/token/", "OPTIONS", Origin="https://app.fitbud.example", **preflight
    )
    assert allowed.get("Access-Control-Allow-Origin") == "https://app.fitbud.example", allowed
    assert "idempotency-key" in (allowed.get("Access-Control-Allow-Headers") or "").lower()
    _, denied = fetch("/api/v1/auth/token/", "OPTIONS", Origin="https://evil.example", **preflight)
    assert denied.get("Access-Control-Allow-Origin") is None, denied
    print("[browser]    CORS: app origin allowed (with Idempotency-Key), other origins not")

    # Production errors are JSON without stack traces.
    status, headers = fetch("/definitely-not-a-page/")
    assert status == 404 and headers.get("Content-Type", "").startswith("application/json")
    print("[browser]    unknown URL: JSON 404, no debug page")


def main() -> int:
    base = os.environ["LIVE_URL"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fitbud-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1366, "height": 900},
        )
        context.set_default_timeout(15000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            check_docs(page, base, os.environ["TRAINER_TOKEN"])
            check_admin(page, base, os.environ["STAFF_EMAIL"], os.environ["DEMO_PASSWORD"])
            check_headers(base, os.environ["TRAINER_TOKEN"])
        except Exception:
            shot(page, "99-failure")
            raise
        finally:
            context.close()
        if errors:
            print(f"[browser] JavaScript errors on the pages: {errors}", flush=True)
            return 1
    print(f"[browser] all checks passed in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
