import json

import pytest
from django.urls import reverse

from accounts.models import User
from plans.models import PlanAssignment, PlanTemplate
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    admin = User.objects.create_superuser("staff@example.com", "pw-staff-123", full_name="Staff")
    client.force_login(admin)
    return client


@pytest.fixture
def template():
    return PlanTemplateFactory(name="Strength A")


@pytest.fixture
def assignment(template):
    return PlanAssignmentFactory(template=template, client__trainer=template.trainer)


def test_the_template_list_filters_and_searches(staff, template):
    url = reverse("admin:plans_plantemplate_changelist")
    for query in ("", "?kind__exact=workout", "?is_archived__exact=0", "?q=strength"):
        response = staff.get(url + query)
        assert response.status_code == 200
        assert "Strength A" in response.content.decode()
    trainer_filter = f"?trainer__id__exact={template.trainer_id}"
    assert staff.get(url + trainer_filter).status_code == 200


def test_the_template_form_shows_content_indented(staff, template):
    response = staff.get(reverse("admin:plans_plantemplate_change", args=[template.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # Indented over several lines, both in the read-only view and the edit box.
    assert html.count("{\n  &quot;days&quot;: [\n    {\n") == 2


def _form(template, **overrides):
    data = {
        "trainer": template.trainer_id,
        "kind": template.kind,
        "name": template.name,
        "description": template.description,
        "content": json.dumps(template.content),
        "is_archived": "",
    }
    data.update(overrides)
    return data


def test_staff_edits_are_validated_with_the_error_path(staff, template):
    bad = {"days": [{"name": "Legs", "exercises": [{"name": "Squat", "sets": 0, "reps": 5}]}]}
    url = reverse("admin:plans_plantemplate_change", args=[template.pk])
    response = staff.post(url, _form(template, content=json.dumps(bad)))
    assert response.status_code == 200
    assert "content.days[0].exercises[0].sets" in response.content.decode()
    template.refresh_from_db()
    assert template.version == 1


def test_a_staff_content_edit_bumps_the_version(staff, template):
    good = {"days": [{"name": "Legs", "exercises": [{"name": "Squat", "sets": 3, "reps": 5}]}]}
    url = reverse("admin:plans_plantemplate_change", args=[template.pk])
    response = staff.post(url, _form(template, content=json.dumps(good)))
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.content, template.version) == (good, 2)


def test_the_kind_cannot_change_in_the_admin(staff, template):
    url = reverse("admin:plans_plantemplate_change", args=[template.pk])
    response = staff.post(url, _form(template, kind="diet"))
    assert response.status_code == 200
    assert PlanTemplate.objects.get(pk=template.pk).kind == "workout"


def test_the_assignment_list_filters(staff, assignment):
    url = reverse("admin:plans_planassignment_changelist")
    for query in ("", "?kind__exact=workout", "?status__exact=active", "?q=Strength"):
        response = staff.get(url + query)
        assert response.status_code == 200
        assert "Strength A" in response.content.decode()


def test_the_assignment_page_shows_the_snapshot_read_only(staff, assignment):
    response = staff.get(reverse("admin:plans_planassignment_change", args=[assignment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Snapshot (immutable)" in html
    assert 'name="snapshot"' not in html


def test_the_admin_cannot_change_or_add_assignments(staff, assignment):
    before = json.dumps(assignment.snapshot, sort_keys=True)
    url = reverse("admin:plans_planassignment_change", args=[assignment.pk])
    response = staff.post(url, {"snapshot": '{"days": []}', "name": "Changed"})
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert json.dumps(assignment.snapshot, sort_keys=True) == before
    assert assignment.name == "Strength A"
    assert staff.get(reverse("admin:plans_planassignment_add")).status_code == 403


def test_deleting_a_template_in_the_admin_keeps_assignments(staff, assignment, template):
    before = json.dumps(assignment.snapshot, sort_keys=True)
    url = reverse("admin:plans_plantemplate_delete", args=[template.pk])
    assert staff.post(url, {"post": "yes"}).status_code == 302
    assignment = PlanAssignment.objects.get(pk=assignment.pk)
    assert assignment.template is None
    assert json.dumps(assignment.snapshot, sort_keys=True) == before
