"""Helpers for billing tests: Stripe-signed webhook posts, a Stripe API stub, query counts."""

import hashlib
import hmac
import itertools
import json
import time
from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

WEBHOOK_URL = "/api/v1/billing/webhooks/stripe/"
_event_ids = itertools.count(1)


class StripeStub:
    """Records the calls our provider makes to Stripe and answers like Stripe would."""

    def __init__(self):
        self.created: list[dict] = []
        self.modified: list[tuple[str, dict]] = []
        self.expired: list[str] = []
        self.fail_with: Exception | None = None

    def create(self, **params):
        if self.fail_with is not None:
            raise self.fail_with
        self.created.append(params)
        session_id = f"cs_test_{len(self.created)}"
        return SimpleNamespace(id=session_id, url=f"https://checkout.stripe.com/c/pay/{session_id}")

    def modify(self, sid, **params):
        if self.fail_with is not None:
            raise self.fail_with
        self.modified.append((sid, params))
        return SimpleNamespace(id=sid, cancel_at_period_end=params.get("cancel_at_period_end"))

    def expire(self, sid, **params):
        self.expired.append(sid)
        return SimpleNamespace(id=sid, status="expired")


def sign(payload: str, *, secret: str | None = None, timestamp: int | None = None) -> str:
    """A Stripe-Signature header computed the way Stripe does: HMAC-SHA256 of "t.body"."""
    secret = settings.STRIPE_WEBHOOK_SECRET if secret is None else secret
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def stripe_event(event_type: str, obj: dict, *, event_id: str | None = None, created=None):
    return {
        "id": event_id or f"evt_test_{next(_event_ids)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "type": event_type,
        "created": int(time.time()) if created is None else created,
        "livemode": False,
        "data": {"object": obj},
    }


def post_webhook(api_client, event: dict, **sign_kwargs):
    body = json.dumps(event)
    return api_client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, **sign_kwargs),
    )


def invoice(
    *, invoice_id, stripe_sub, amount=9900, start=None, end=None, new_shape=False, our_id=None
):
    start = start if start is not None else int(time.time())
    end = end if end is not None else start + 30 * 86400
    obj = {
        "id": invoice_id,
        "object": "invoice",
        "customer": "cus_test_1",
        "currency": "eur",
        "amount_due": amount,
        "amount_paid": amount,
        "status_transitions": {"paid_at": start},
        "lines": {"data": [{"period": {"start": start, "end": end}}]},
    }
    metadata = {"fitbud_subscription_id": str(our_id)} if our_id else {}
    if new_shape:
        obj["parent"] = {
            "type": "subscription_details",
            "subscription_details": {"subscription": stripe_sub, "metadata": metadata},
        }
    else:
        obj["subscription"] = stripe_sub
        obj["subscription_details"] = {"metadata": metadata}
    return obj


def count_queries(api_client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)
