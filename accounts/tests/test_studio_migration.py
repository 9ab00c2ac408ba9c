"""The studios data migration, run on data written by the first-release schema."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("accounts", "0003_emaildelivery_request_id"),
    ("clients", "0003_invite_email_delivery"),
    ("plans", "0003_check_constraints"),
    ("billing", "0003_subscription_period_event_at"),
    ("dashboard", "0003_event_spine"),
]
AFTER = [
    ("accounts", "0005_solo_studios"),
    ("clients", "0006_studio_required"),
    ("plans", "0006_studio_required"),
    ("billing", "0006_studio_required"),
    ("dashboard", "0007_feed_indexes_by_studio"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_every_trainer_becomes_the_owner_of_a_studio_that_holds_all_their_rows():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Client = old.get_model("clients", "Client")
    Invite = old.get_model("clients", "Invite")
    PlanTemplate = old.get_model("plans", "PlanTemplate")
    PlanAssignment = old.get_model("plans", "PlanAssignment")
    SubscriptionPlan = old.get_model("billing", "SubscriptionPlan")
    ActivityEvent = old.get_model("dashboard", "ActivityEvent")
    ContentType = old.get_model("contenttypes", "ContentType")

    trainers = [
        User.objects.create(email=f"t{n}@example.com", full_name=f"Coach {n}", role="trainer")
        for n in range(2)
    ]
    user = User.objects.create(email="c@example.com", full_name="Cleo", role="client")
    client = Client.objects.create(user=user, trainer=trainers[1])
    Invite.objects.create(
        trainer=trainers[1],
        email="x@example.com",
        full_name="X",
        token_hash="0" * 64,
        expires_at="2030-01-01T00:00:00Z",
    )
    template = PlanTemplate.objects.create(
        trainer=trainers[1], kind="diet", name="Lean", content={"days": []}
    )
    diet = PlanAssignment.objects.create(
        client=client,
        kind="diet",
        name="Lean",
        template=template,
        template_version=1,
        snapshot={"days": []},
        start_date="2026-01-01",
    )
    SubscriptionPlan.objects.create(trainer=trainers[1], name="M", price=900, currency="EUR")
    assignment_type = ContentType.objects.get(app_label="plans", model="planassignment")
    for kind, object_id in (
        ("plan.assigned", diet.pk),
        ("meal.logged", 1),
        ("payment.received", 2),
    ):
        ActivityEvent.objects.create(
            trainer=trainers[1],
            client=client,
            kind=kind,
            summary=kind,
            content_type=assignment_type,
            object_id=str(object_id),
        )

    new = migrate(AFTER)
    StudioMember = new.get_model("accounts", "StudioMember")
    members = {m.user_id: m for m in StudioMember.objects.select_related("studio")}
    assert {pk: (m.role, m.studio.name) for pk, m in members.items()} == {
        trainers[0].pk: ("owner", "Coach 0"),
        trainers[1].pk: ("owner", "Coach 1"),
    }
    studio = members[trainers[1].pk].studio_id
    assert members[trainers[0].pk].studio_id != studio
    for app, name in [
        ("clients", "Client"),
        ("clients", "Invite"),
        ("plans", "PlanTemplate"),
        ("billing", "SubscriptionPlan"),
        ("dashboard", "ActivityEvent"),
    ]:
        rows = new.get_model(app, name).objects.values_list("studio_id", flat=True)
        assert set(rows) == {studio}, name
    events = new.get_model("dashboard", "ActivityEvent").objects
    assert dict(events.values_list("kind", "domain")) == {
        "plan.assigned": "nutrition",
        "meal.logged": "nutrition",
        "payment.received": "",
    }
    # Tenant ids changed meaning: every generation of the trainer-id era is gone.
    assert not new.get_model("fitbud_api", "TenantGeneration").objects.exists()
