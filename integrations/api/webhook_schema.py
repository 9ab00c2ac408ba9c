"""The webhook messages in the OpenAPI schema (components `WebhookMessage` and one
`<Type>Webhook` per event type). OpenAPI 3.0 (ours) has no top-level `webhooks` key, so the
messages are components, referenced by the delivery log's `payload` and the event
catalogue (`webhooks/events/`)."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from integrations.webhooks.payloads import EVENT_TYPES, PING


def _field(cls, health=False, help_text="", **kw):
    return (cls, health, help_text, kw)


def _int(health=False, help_text=""):
    return _field(serializers.IntegerField, health, help_text)


def _str(health=False, help_text=""):
    return _field(serializers.CharField, health, help_text)


def _num(health=False, help_text=""):
    return _field(serializers.FloatField, health, help_text)


def _date(health=False, help_text=""):
    return _field(serializers.DateField, health, help_text)


def _time(health=False, help_text=""):
    return _field(serializers.DateTimeField, health, help_text)


def _dict(health=False, help_text=""):
    return _field(serializers.DictField, health, help_text)


def _answers(health=False, help_text=""):
    return _field(serializers.ListField, health, help_text, child=serializers.DictField)


H = True
WORKOUT = {
    "date": _date(),
    "assignment": _int(help_text="The plan assignment the workout followed, if any."),
    "duration_minutes": _int(),
    "effort": _int(),
    "exercise_count": _int(),
    "notes": _str(H),
}
MEAL = {
    "date": _date(),
    "meal": _str(),
    "calories": _num(),
    "protein_g": _num(),
    "carbs_g": _num(),
    "fat_g": _num(),
    "notes": _str(H),
}
CHECK_IN = {
    "date": _date(),
    "week_start": _date(),
    "weight_kg": _num(H),
    "measurements": _dict(H),
    "sleep": _int(H),
    "energy": _int(H),
    "stress": _int(H),
    "adherence": _int(H),
    "notes": _str(H),
}
PAYMENT = {
    "amount": _int(help_text="Minor units (cents)."),
    "currency": _str(),
    "status": _str(),
    "paid_at": _time(),
    "period_start": _time(),
    "period_end": _time(),
}
FORM = {
    "form_assignment": _int(),
    "form": _str(help_text="The form's name."),
    "date": _date(),
    "reviewed_at": _time(),
    "answers": _answers(H, help_text="[{key, value}] as answered."),
}
MESSAGE = {
    "conversation": _int(),
    "sender": _int(help_text="The message's author (never the text)."),
}
FIELDS = {
    "workout.logged": WORKOUT,
    "workout.updated": WORKOUT,
    "meal.logged": MEAL,
    "meal.updated": MEAL,
    "checkin.submitted": CHECK_IN,
    "checkin.updated": CHECK_IN,
    "checkin.reviewed": CHECK_IN,
    "invite.accepted": {"joined_at": _time()},
    "plan.assigned": {
        "kind": _str(help_text="workout or diet"),
        "name": _str(),
        "start_date": _date(),
        "end_date": _date(),
    },
    "payment.received": PAYMENT,
    "payment.failed": PAYMENT,
    "habit.completed": {"habit": _int(), "title": _str(), "date": _date(), "value": _num(H)},
    "form.submitted": FORM,
    "form.reviewed": FORM,
    "automation.fired": {"automation": _int(), "status": _str(), "fired_at": _time()},
    "record.set": {"date": _date(), "workout_log": _str()},
    "photo.uploaded": {"date": _date(), "pose": _str(), "check_in": _int()},
    "metric.logged": {"date": _date(), "metric": _str(), "source": _str(), "value": _num(H)},
    "message.sent": MESSAGE,
    "message.edited": MESSAGE,
    "message.deleted": MESSAGE,
}


class WebhookClientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class WebhookObjectSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="workout_log, check_in, payment, ...")
    id = serializers.CharField(help_text="Its id (a UUID for logs, an integer otherwise).")


def _camel(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.replace(".", "_").split("_"))


def _data_serializer(kind: str) -> type[serializers.Serializer]:
    attrs: dict = {
        "event_id": serializers.IntegerField(help_text="The event's id (stable)."),
        "studio": serializers.IntegerField(),
        "coach": serializers.IntegerField(help_text="The client's primary coach (user id)."),
        "client": WebhookClientSerializer(),
        "object": WebhookObjectSerializer(),
        "summary": serializers.CharField(
            allow_null=True,
            help_text="One line as in the feed"
            + (
                " (health scope only; null otherwise)." if EVENT_TYPES[kind].health_summary else "."
            ),
        ),
    }
    for name, (cls, health, help_text, kw) in FIELDS[kind].items():
        if health:
            help_text = (help_text + " " if help_text else "") + (
                "Sent only to endpoints with `include_health`."
            )
        kw = {key: value() for key, value in kw.items()}  # a fresh child per field
        attrs[name] = cls(allow_null=True, required=not health, help_text=help_text or None, **kw)
    return type(f"{_camel(kind)}WebhookData", (serializers.Serializer,), attrs)


def _message_serializer(kind: str, data: serializers.Serializer, description: str):
    attrs = {
        "type": serializers.ChoiceField(choices=[kind]),
        "timestamp": serializers.DateTimeField(help_text="When the event happened (UTC)."),
        "version": serializers.ChoiceField(choices=[1], help_text="Payload version."),
        "data": data,
        "__doc__": description,
    }
    return type(f"{_camel(kind)}Webhook", (serializers.Serializer,), attrs)


class PingWebhookDataSerializer(serializers.Serializer):
    endpoint = serializers.IntegerField()
    message = serializers.CharField()


MESSAGE_SERIALIZERS = {
    kind: _message_serializer(kind, _data_serializer(kind)(), spec.description)
    for kind, spec in EVENT_TYPES.items()
}
MESSAGE_SERIALIZERS[PING] = _message_serializer(
    PING, PingWebhookDataSerializer(), "A test delivery (`webhooks/<id>/ping/`)."
)

WebhookMessage = PolymorphicProxySerializer(
    component_name="WebhookMessage",
    serializers=dict(MESSAGE_SERIALIZERS),
    resource_type_field_name="type",
    many=False,
)
