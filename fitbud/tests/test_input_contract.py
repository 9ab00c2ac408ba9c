"""Finding 9 of issue 12 (the parts that are input contracts) and the error cap of finding 2:
the schema and the 400s agree on passwords, `?ordering=`, dates; no response lists more than
MAX_ERRORS errors."""

import json

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator

from conftest import assert_error, auth_client
from fitbud.api.exceptions import MAX_ERRORS
from fitbud.api.parsers import MAX_OBJECT_KEYS
from fitbud.api.schema_hooks import NO_NUL
from fitbud.tests.test_query_params import FILTERS
from plans.tests.factories import PlanTemplateFactory

pytestmark = pytest.mark.django_db

# FULLWIDTH and ARABIC-INDIC digits: int() and \d read them as 2026-12-01.
WIDE_DIGITS = "\uff12\uff10\uff12\uff16-12-01"
ARABIC_INDIC = "\u0662\u0660\u0662\u0666-\u0661\u0662-\u0660\u0661"
ORDERED_LISTS = sorted({path for path, param, _ in FILTERS if param == "ordering"})
DATE_FILTERS = [(path, param) for path, param, _ in FILTERS if param.startswith("date_")]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


# --- passwords: NUL is refused, and the schema says so -----------------------------------


def test_every_password_field_in_the_schema_forbids_nul(schema):
    found = []
    for name, component in schema["components"]["schemas"].items():
        for prop_name, prop in component.get("properties", {}).items():
            if prop.get("format") == "password":
                found.append(f"{name}.{prop_name}")
                assert prop["pattern"] == NO_NUL, (name, prop_name)
    # register, login, change (old + new), reset confirm, invite accept
    assert len(found) >= 6, found


def test_a_password_with_nul_is_a_400(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "n@example.com", "password": "plum\x00orbit-42", "full_name": "N"},
    )
    assert_error(response, 400, attr="password")


# --- ?ordering= : empty or unknown is a 400 on every list ---------------------------------


@pytest.mark.parametrize("path", ORDERED_LISTS)
@pytest.mark.parametrize("value", ["", ",", "-", "pk", "created_at,"])
def test_an_empty_or_unknown_ordering_is_a_400_on_every_list(trainer_api, path, value):
    assert_error(trainer_api.get(path, {"ordering": value}), 400, "invalid", "ordering")


def test_every_ordering_parameter_is_documented_the_same_way(schema):
    for path in ORDERED_LISTS:
        parameters = schema["paths"][path]["get"]["parameters"]
        (ordering,) = [p for p in parameters if p["name"] == "ordering"]
        assert ordering["schema"]["type"] == "string", path
        assert ordering["schema"]["pattern"].startswith("^-?("), path


def test_the_roster_is_ordered_by_name_with_the_documented_pattern(schema):
    parameters = schema["paths"]["/api/v1/clients/"]["get"]["parameters"]
    (ordering,) = [p for p in parameters if p["name"] == "ordering"]
    assert ordering["schema"]["pattern"] == "^-?(joined_at|name)(,-?(joined_at|name))*$"


# --- dates: ASCII digits only, in bodies and query strings --------------------------------


@pytest.mark.parametrize("value", [WIDE_DIGITS, ARABIC_INDIC])
@pytest.mark.parametrize(("path", "param"), DATE_FILTERS)
def test_a_date_filter_with_non_ascii_digits_is_a_400(trainer_api, path, param, value):
    assert_error(trainer_api.get(path, {param: value}), 400, "invalid", param)


@pytest.mark.parametrize(("path", "param"), DATE_FILTERS)
def test_a_date_filter_with_ascii_digits_still_works(trainer_api, path, param):
    assert trainer_api.get(path, {param: "2026-12-01"}).status_code == 200


# Frozen after the fixtures were made (their tokens must not be issued in the future).
FROZEN = "2027-12-01 12:00:00+00:00"
FROZEN_WIDE = "\uff12\uff10\uff12\uff17-12-01"


@time_machine.travel(FROZEN, tick=False)
def test_todays_date_parameter_takes_ascii_digits_only(client_user):
    client_api = auth_client(client_user)
    assert_error(client_api.get("/api/v1/me/today/", {"date": FROZEN_WIDE}), 400, attr="date")
    assert client_api.get("/api/v1/me/today/", {"date": "2027-12-01"}).status_code == 200


@time_machine.travel(FROZEN, tick=False)
def test_an_entry_date_in_the_body_takes_ascii_digits_only(client_user):
    client_api = auth_client(client_user)
    body = {"date": FROZEN_WIDE, "exercises": []}
    response = client_api.post("/api/v1/workout-logs/", body)
    error = assert_error(response, 400, "invalid", "date")
    assert "ASCII" in next(e["detail"] for e in error["errors"] if e["attr"] == "date")
    response = client_api.post("/api/v1/workout-logs/", {**body, "date": "2027-12-01"})
    assert response.status_code == 201, response.content


def test_a_date_of_birth_takes_ascii_digits_only(client_api):
    response = client_api.patch(
        "/api/v1/me/health/", {"date_of_birth": "\uff11\uff19\uff19\uff10-04-02"}
    )
    assert_error(response, 400, "invalid", "date_of_birth")


def test_an_assignment_start_date_takes_ascii_digits_only(trainer_api, client_link, trainer):
    template = PlanTemplateFactory(trainer=trainer)
    body = {"client": client_link.pk, "template": template.pk}
    response = trainer_api.post("/api/v1/assignments/", {**body, "start_date": WIDE_DIGITS})
    assert_error(response, 400, "invalid", "start_date")
    response = trainer_api.post("/api/v1/assignments/", {**body, "start_date": "2026-12-01"})
    assert response.status_code == 201, response.content


# --- the error cap and the parser's key cap -----------------------------------------------


def test_an_authenticated_body_with_many_unknown_keys_reports_the_capped_count(trainer_api):
    body = {f"extra{n:03d}": n for n in range(300)}
    response = trainer_api.patch("/api/v1/auth/me/", body)
    errors = assert_error(response, 400, "unknown_field")["errors"]
    assert len(errors) == MAX_ERRORS + 1
    assert [e["attr"] for e in errors[:MAX_ERRORS]] == [f"extra{n:03d}" for n in range(20)]
    assert errors[-1] == {
        "code": "too_many_errors",
        "detail": f"{300 - MAX_ERRORS} more errors were not reported.",
        "attr": None,
    }


def test_exactly_the_cap_reports_every_error_and_no_summary(trainer_api):
    body = {f"extra{n:03d}": n for n in range(MAX_ERRORS)}
    errors = trainer_api.patch("/api/v1/auth/me/", body).json()["errors"]
    assert len(errors) == MAX_ERRORS
    assert "too_many_errors" not in [e["code"] for e in errors]


def test_a_nested_object_with_too_many_keys_is_refused_by_the_parser(trainer_api):
    inner = {f"k{n}": n for n in range(MAX_OBJECT_KEYS + 1)}
    response = trainer_api.patch(
        "/api/v1/auth/me/", json.dumps({"full_name": {"a": inner}}), content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_an_object_at_the_key_cap_is_parsed(trainer_api):
    body = {f"k{n}": n for n in range(MAX_OBJECT_KEYS)}
    response = trainer_api.patch("/api/v1/auth/me/", body)
    assert_error(response, 400, "unknown_field")
