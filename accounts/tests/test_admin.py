import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import ClientUserFactory, TrainerFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")
ADD = reverse("admin:accounts_user_add")


@pytest.fixture
def staff(client):
    admin = User.objects.create_superuser(
        email="admin@example.com", password="admin-pass-123", full_name="Ada Admin"
    )
    client.force_login(admin)
    return client


def test_the_user_list_shows_the_useful_columns(staff):
    TrainerFactory(email="tess@example.com", full_name="Tess Trainer")

    response = staff.get(CHANGELIST)

    assert response.status_code == 200
    content = response.content.decode()
    for column in (
        "Email address",
        "Full name",
        "Role",
        "Is active",
        "Is staff",
        "Date joined",
    ):
        assert column in content
    assert "tess@example.com" in content


def test_staff_can_search_by_email_or_name(staff):
    TrainerFactory(email="tess@example.com", full_name="Tess Trainer")
    ClientUserFactory(email="cleo@example.com", full_name="Cleo Client")

    by_email = staff.get(CHANGELIST, {"q": "TESS@"}).content.decode()
    by_name = staff.get(CHANGELIST, {"q": "cleo client"}).content.decode()

    assert "tess@example.com" in by_email and "cleo@example.com" not in by_email
    assert "cleo@example.com" in by_name and "tess@example.com" not in by_name


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"role__exact": "client"}, "cleo@example.com", "tess@example.com"),
        ({"is_active__exact": "0"}, "cleo@example.com", "tess@example.com"),
        ({"is_staff__exact": "1"}, "admin@example.com", "tess@example.com"),
    ],
)
def test_staff_can_filter_by_role_activity_and_staff(staff, query, shown, hidden):
    TrainerFactory(email="tess@example.com")
    ClientUserFactory(email="cleo@example.com", is_active=False)

    content = staff.get(CHANGELIST, query).content.decode()

    assert shown in content
    assert hidden not in content


def test_the_add_form_creates_an_email_login(staff):
    response = staff.post(
        ADD,
        {
            "email": "New.Trainer@Example.com",
            "full_name": "New Trainer",
            "role": "trainer",
            "timezone": "Europe/Paris",
            "units": "metric",
            "usable_password": "true",
            "password1": "plum-orbit-canyon-42",
            "password2": "plum-orbit-canyon-42",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.trainer@example.com")
    assert user.check_password("plum-orbit-canyon-42")
    assert (user.full_name, user.timezone, user.role) == ("New Trainer", "Europe/Paris", "trainer")


def test_the_add_form_refuses_an_email_taken_in_another_case(staff):
    TrainerFactory(email="tess@example.com")
    response = staff.post(
        ADD,
        {
            "email": "TESS@example.com",
            "full_name": "Copy",
            "role": "trainer",
            "timezone": "UTC",
            "units": "metric",
            "usable_password": "true",
            "password1": "plum-orbit-canyon-42",
            "password2": "plum-orbit-canyon-42",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="tess@example.com").count() == 1


def test_the_add_form_runs_the_password_validators(staff):
    response = staff.post(
        ADD,
        {
            "email": "weak@example.com",
            "full_name": "Weak",
            "role": "trainer",
            "timezone": "UTC",
            "units": "metric",
            "usable_password": "true",
            "password1": "123",
            "password2": "123",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="weak@example.com").exists()


def test_the_change_form_saves_and_keeps_the_role(staff):
    user = ClientUserFactory(email="cleo@example.com", full_name="Cleo")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    assert staff.get(url).status_code == 200

    response = staff.post(
        url,
        {
            "email": "Cleo.New@Example.com",
            "full_name": "Cleo Renamed",
            "role": "trainer",  # read-only on change: ignored
            "timezone": "Asia/Tokyo",
            "units": "imperial",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert (user.email, user.full_name, user.timezone, user.units, user.role) == (
        "cleo.new@example.com",
        "Cleo Renamed",
        "Asia/Tokyo",
        "imperial",
        "client",
    )


def test_the_change_form_refuses_another_users_email(staff):
    TrainerFactory(email="tess@example.com")
    user = TrainerFactory(email="oscar@example.com")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    response = staff.post(
        url,
        {"email": "Tess@example.com", "full_name": "O", "timezone": "UTC", "units": "metric"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == "oscar@example.com"


def test_staff_can_set_a_password_from_the_admin(staff):
    user = TrainerFactory()
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = staff.post(
        url,
        {
            "usable_password": "true",
            "password1": "new-admin-set-99",
            "password2": "new-admin-set-99",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-admin-set-99")


def test_createsuperuser_works_with_the_email_login(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "super-secret-pass-1")
    call_command(
        "createsuperuser",
        "--noinput",
        "--email",
        "Boss@Example.com",
        "--full_name",
        "The Boss",
        verbosity=0,
    )
    boss = User.objects.get(email="boss@example.com")
    assert boss.is_superuser and boss.is_staff
    assert boss.check_password("super-secret-pass-1")
