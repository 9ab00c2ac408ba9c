"""Every error of the API has one JSON shape: {type, errors: [{code, detail, attr}]}.

Real routes cover what clients meet every day (401, 404, 405, 415, malformed JSON, 429);
views defined only in this module (wired in through `urls` below) raise the rest.
"""

import logging

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from conftest import assert_error
from fitbud import urls as project_urls
from fitbud.api.exceptions import ClientInactive, Conflict, DomainError
from fitbud.api.permissions import IsTrainer
from fitbud.api.serializers import StrictSerializer

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me/"
REGISTER = "/api/v1/auth/register/"
TEST_URLS = "fitbud.tests.test_errors"


# --- views that exist only for these tests ----------------------------------------------


class SetSerializer(StrictSerializer):
    reps = serializers.IntegerField(min_value=1)


class ExerciseSerializer(StrictSerializer):
    name = serializers.CharField()
    sets = SetSerializer(many=True)


class DaySerializer(StrictSerializer):
    exercises = ExerciseSerializer(many=True)


class ContentSerializer(StrictSerializer):
    days = DaySerializer(many=True)


class PlanSerializer(StrictSerializer):
    content = ContentSerializer()

    def validate(self, attrs):
        raise serializers.ValidationError("The plan as a whole is wrong.", code="plan_invalid")


class Boom(APIView):
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("secret database password in a traceback")


class Raises(APIView):
    permission_classes: list = []
    errors = {
        "conflict": lambda: Conflict("Already there.", code="already_there"),
        "domain": lambda: DomainError("Not on a rest day.", code="rest_day"),
        "inactive": ClientInactive,
        "http404": lambda: Http404("No such plan"),
        "django403": DjangoPermissionDenied,
        "django-validation-list": lambda: DjangoValidationError(
            "End before start.", code="end_before_start"
        ),
        "django-validation-dict": lambda: DjangoValidationError(
            {"end_date": DjangoValidationError("End before start.", code="end_before_start")}
        ),
    }

    def get(self, request, kind):
        raise self.errors[kind]()


class Nested(APIView):
    permission_classes: list = []

    def post(self, request):
        PlanSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({})


class TrainersOnly(APIView):
    permission_classes = [IsTrainer]

    def get(self, request):
        return Response({})


def plain_django_boom(request):
    raise RuntimeError("outside DRF")


def plain_django_ok(request):
    return HttpResponse("ok")


urlpatterns = [
    path("api/v1/test/boom/", Boom.as_view()),
    path("api/v1/test/raise/<str:kind>/", Raises.as_view()),
    path("api/v1/test/nested/", Nested.as_view()),
    path("api/v1/test/trainers-only/", TrainersOnly.as_view()),
    path("plain/boom/", plain_django_boom),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


def quiet_client() -> APIClient:
    client = APIClient()
    client.raise_request_exception = False  # answer like production instead of re-raising
    return client


# --- 500 --------------------------------------------------------------------------------

SERVER_ERROR = {
    "type": "server_error",
    "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}],
}


@pytest.mark.urls(TEST_URLS)
def test_an_unexpected_exception_is_a_json_500_without_a_traceback(caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = quiet_client().get("/api/v1/test/boom/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == SERVER_ERROR
    assert b"secret" not in response.content
    assert b"Traceback" not in response.content
    # ...but it is logged for us, with the exception.
    assert any(record.exc_info for record in caplog.records)


@pytest.mark.urls(TEST_URLS)
def test_the_500_stays_json_with_debug_on(settings):
    settings.DEBUG = True
    response = quiet_client().get("/api/v1/test/boom/")
    assert response.status_code == 500
    assert response.json() == SERVER_ERROR


@pytest.mark.urls(TEST_URLS)
def test_a_crash_outside_drf_is_a_json_500_too():
    response = quiet_client().get("/plain/boom/")
    assert response.status_code == 500
    assert response.json() == SERVER_ERROR | {
        "errors": [{"code": "error", "detail": "A server error occurred.", "attr": None}]
    }


# --- domain and Django errors -----------------------------------------------------------


@pytest.mark.urls(TEST_URLS)
@pytest.mark.parametrize(
    ("kind", "status", "code", "attr", "error_type"),
    [
        ("conflict", 409, "already_there", None, "client_error"),
        ("domain", 400, "rest_day", None, "client_error"),
        ("inactive", 403, "client_inactive", None, "client_error"),
        ("http404", 404, "not_found", None, "client_error"),
        ("django403", 403, "permission_denied", None, "client_error"),
        ("django-validation-list", 400, "end_before_start", None, "validation_error"),
        ("django-validation-dict", 400, "end_before_start", "end_date", "validation_error"),
    ],
)
def test_domain_and_django_exceptions_map_to_the_uniform_shape(
    kind, status, code, attr, error_type
):
    response = APIClient().get(f"/api/v1/test/raise/{kind}/")
    body = assert_error(response, status, code)
    assert body["type"] == error_type
    assert body["errors"][0]["attr"] == attr


@pytest.mark.urls(TEST_URLS)
def test_a_404_does_not_echo_the_internal_message():
    body = assert_error(APIClient().get("/api/v1/test/raise/http404/"), 404, "not_found")
    assert "plan" not in body["errors"][0]["detail"]


# --- validation -------------------------------------------------------------------------


@pytest.mark.urls(TEST_URLS)
def test_nested_validation_errors_point_at_the_exact_path():
    content = {
        "days": [
            {"exercises": []},
            {"exercises": []},
            {"exercises": [{"name": "Squat", "sets": [{"reps": 5}, {"reps": 0}]}]},
        ]
    }
    response = APIClient().post("/api/v1/test/nested/", {"content": content}, format="json")

    body = assert_error(
        response, 400, "min_value", attr="content.days[2].exercises[0].sets[1].reps"
    )
    assert body["type"] == "validation_error"
    assert len(body["errors"]) == 1


@pytest.mark.urls(TEST_URLS)
def test_unknown_keys_are_named_at_their_nested_path():
    content = {"days": [{"exercises": [{"sets": [], "tempo": "3-1-1"}]}], "notes": "x"}
    response = APIClient().post("/api/v1/test/nested/", {"content": content}, format="json")

    body = assert_error(response, 400)
    # Every problem at every level in one answer: unknown keys and missing ones alike.
    assert {(e["attr"], e["code"]) for e in body["errors"]} == {
        ("content.notes", "unknown_field"),
        ("content.days[0].exercises[0].tempo", "unknown_field"),
        ("content.days[0].exercises[0].name", "required"),
    }


@pytest.mark.urls(TEST_URLS)
def test_non_field_errors_have_no_attr():
    content = {"days": [{"exercises": [{"name": "Squat", "sets": [{"reps": 5}]}]}]}
    response = APIClient().post("/api/v1/test/nested/", {"content": content}, format="json")
    body = assert_error(response, 400, "plan_invalid")
    assert body["errors"] == [
        {"code": "plan_invalid", "detail": "The plan as a whole is wrong.", "attr": None}
    ]


def test_unknown_request_fields_are_a_400_naming_them(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "a@example.com", "password": "plum-orbit-42", "full_name": "A", "age": 3},
    )
    assert_error(response, 400, "unknown_field", attr="age")


# --- HTTP-level errors on real routes ---------------------------------------------------


def test_malformed_json_is_a_400_parse_error(api_client):
    response = api_client.post(REGISTER, '{"email": ', content_type="application/json")
    body = assert_error(response, 400, "parse_error")
    assert body["type"] == "client_error"


@pytest.mark.parametrize(
    ("field", "value"), [("full_name", 0), ("email", ["a@b.c"]), ("timezone", True)]
)
def test_values_of_the_wrong_json_type_are_refused_not_coerced(api_client, field, value):
    body = {"email": "typed@example.com", "password": "a-long-passphrase-42", "full_name": "T"}
    response = api_client.post(REGISTER, {**body, field: value}, format="json")
    assert_error(response, 400, "invalid", attr=field)


def test_max_length_counts_what_was_sent_not_what_is_left_after_trimming(api_client):
    body = {"email": "t@example.com", "password": "a-long-passphrase-42"}
    response = api_client.post(REGISTER, {**body, "full_name": "Ann" + "\t" * 200}, format="json")
    assert_error(response, 400, "max_length", attr="full_name")


def test_a_pathologically_nested_body_is_a_400_not_a_recursion_crash(api_client):
    body = "[" * 5000 + "]" * 5000
    response = api_client.generic("POST", REGISTER, body, content_type="application/json")
    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        ("email=a@example.com", "application/x-www-form-urlencoded"),
        ("email: a@example.com", "text/plain"),
        ("<user/>", "application/xml"),
    ],
)
def test_a_non_json_body_is_a_415(api_client, payload, content_type):
    response = api_client.post(REGISTER, payload, content_type=content_type)
    assert_error(response, 415, "unsupported_media_type")


def test_a_multipart_body_is_a_415(api_client):
    response = api_client.post(REGISTER, {"email": "a@example.com"}, format="multipart")
    assert_error(response, 415, "unsupported_media_type")


def test_a_body_over_the_upload_limit_is_a_413_not_a_500(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"email": "' + "a" * 2000 + '@example.com"}'
    response = api_client.post(REGISTER, body, content_type="application/json")
    assert_error(response, 413, "request_too_large")


def test_a_body_that_is_not_utf8_is_a_400(api_client):
    response = api_client.post(REGISTER, b"\xff\xfe{}", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_null_characters_are_a_400_not_a_database_error(api_client):
    body = {"email": "a@example.com", "password": "plum-orbit-42", "full_name": "a\u0000b"}
    response = api_client.post(REGISTER, body, format="json")
    assert_error(response, 400, "null_characters_not_allowed", attr="full_name")


def test_a_wrong_method_is_a_405(trainer_api):
    response = trainer_api.delete(ME)
    assert_error(response, 405, "method_not_allowed")


def test_asking_for_a_format_we_do_not_speak_is_a_json_406(trainer_api):
    response = trainer_api.get(ME, HTTP_ACCEPT="application/xml")
    assert_error(response, 406, "not_acceptable")


def test_an_unknown_url_is_a_json_404(api_client):
    for url in ("/api/v1/nowhere/", "/api/v1/auth/me/extra/", "/nowhere"):
        assert_error(api_client.get(url), 404, "not_found")


def test_missing_credentials_are_a_401(api_client):
    response = api_client.get(ME)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_garbage_token_is_one_401_error_not_a_dump_of_token_internals(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "token_not_valid", "detail": "Token is invalid", "attr": None}],
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.urls(TEST_URLS)
def test_the_wrong_role_is_a_403(client_api):
    body = assert_error(client_api.get("/api/v1/test/trainers-only/"), 403, "permission_denied")
    assert body["errors"][0]["detail"] == "This endpoint is for trainers."


@pytest.mark.urls(TEST_URLS)
def test_anonymous_on_a_role_endpoint_is_a_401_not_a_403(api_client):
    assert_error(api_client.get("/api/v1/test/trainers-only/"), 401, "not_authenticated")


def test_throttling_is_a_429_with_retry_after(api_client, trainer):
    url = reverse("auth-token")
    for _ in range(30):
        response = api_client.post(url, {"email": "tess@example.com", "password": "wrong-1"})
        if response.status_code == 429:
            break
    body = assert_error(response, 429, "throttled")
    assert body["type"] == "client_error"
    assert int(response["Retry-After"]) > 0
