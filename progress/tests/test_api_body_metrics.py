"""Body stats, metric types, series and health-store imports through the API."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from conftest import assert_error
from dashboard.models import ActivityEvent
from progress.models import BodyStat, MetricType
from progress.tests.factories import BodyStatFactory, CheckInFactory, MetricTypeFactory

pytestmark = pytest.mark.django_db

STATS = reverse("body-stat-list")
IMPORT = reverse("body-stat-import")
SERIES = reverse("metric-series")
TYPES = reverse("metric-type-list")


def imperial(user: User) -> None:
    user.units = User.Units.IMPERIAL
    user.save(update_fields=["units"])


# Entries -----------------------------------------------------------------------------------


def test_a_client_logs_a_weight_and_a_retry_returns_the_stored_row(client_api, client_user):
    body = {
        "id": str(uuid.uuid4()),
        "date": client_user.local_today().isoformat(),
        "metric": "weight",
        "value": 81.4,
    }
    first = client_api.post(STATS, body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["value"] == 81.4 and first.json()["unit"] == "kg"
    again = client_api.post(STATS, {**body, "value": 99}, format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert BodyStat.objects.count() == 1
    event = ActivityEvent.objects.get(kind="metric.logged")
    assert event.object_id == body["id"] and event.summary == "Cleo logged weight"


def test_the_same_id_from_another_client_is_409(client_api, other_client_api, client_user):
    body = {"id": str(uuid.uuid4()), "date": client_user.local_today().isoformat()}
    body |= {"metric": "waist", "value": 80}
    assert client_api.post(STATS, body, format="json").status_code == 201
    assert_error(other_client_api.post(STATS, body, format="json"), 409, "id_in_use")


def test_an_imperial_client_writes_and_reads_pounds_and_inches(client_api, client_user):
    imperial(client_user)
    today = client_user.local_today().isoformat()
    weight = client_api.post(STATS, {"date": today, "metric": "weight", "value": 180})
    waist = client_api.post(STATS, {"date": today, "metric": "waist", "value": 32})
    fat = client_api.post(STATS, {"date": today, "metric": "body_fat", "value": 18.5})
    assert BodyStat.objects.get(metric="weight").value == Decimal("81.647")  # 180 lb
    assert BodyStat.objects.get(metric="waist").value == Decimal("81.280")  # 32 in
    assert BodyStat.objects.get(metric="body_fat").value == Decimal("18.500")
    assert (weight.json()["value"], weight.json()["unit"]) == (180.0, "lb")
    assert (waist.json()["value"], waist.json()["unit"]) == (32.0, "in")
    assert (fat.json()["value"], fat.json()["unit"]) == (18.5, "%")


def test_a_metric_trainer_reads_an_imperial_clients_entry_in_kilograms(
    client_api, client_user, trainer_api, client_link
):
    imperial(client_user)
    today = client_user.local_today().isoformat()
    client_api.post(STATS, {"date": today, "metric": "weight", "value": 200})
    row = trainer_api.get(STATS, {"client": client_link.pk}).json()["results"][0]
    assert (row["value"], row["unit"]) == (90.72, "kg")


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"metric": "height", "value": 180}, "metric", "unknown_metric"),
        ({"metric": "weight", "value": 5000}, "value", "range"),
        ({"metric": "body_fat", "value": 101}, "value", "range"),
        ({"metric": "weight", "value": "80"}, "value", "invalid"),
        ({"metric": "Weight!", "value": 80}, "metric", "invalid"),
        ({"metric": "weight", "value": 80, "unit": "kg"}, "unit", "unknown_field"),
    ],
)
def test_bad_entries_are_400_at_the_field(client_api, client_user, body, attr, code):
    body = {"date": client_user.local_today().isoformat(), **body}
    assert_error(client_api.post(STATS, body, format="json"), 400, code, attr)


def test_trainers_do_not_log_body_stats(trainer_api):
    body = {"date": "2026-01-01", "metric": "weight", "value": 80}
    assert_error(trainer_api.post(STATS, body, format="json"), 403)


@pytest.mark.parametrize("outsider", ["other_trainer_api", "other_client_api"])
def test_outsiders_get_404_for_a_body_stat(request, outsider, client_link):
    stat = BodyStatFactory(client=client_link)
    api = request.getfixturevalue(outsider)
    assert_error(api.get(reverse("body-stat-detail", args=[stat.pk])), 404)
    assert api.get(STATS).json()["results"] == []


def test_a_client_deletes_their_entry_and_its_event(client_api, client_user):
    today = client_user.local_today().isoformat()
    created = client_api.post(STATS, {"date": today, "metric": "arm", "value": 35}).json()
    assert client_api.delete(reverse("body-stat-detail", args=[created["id"]])).status_code == 204
    assert not BodyStat.objects.exists()
    assert not ActivityEvent.objects.filter(kind="metric.logged").exists()


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_body_stat_list_runs_a_fixed_number_of_queries(
    trainer_api, client_link, trainer, django_assert_max_num_queries, page_size
):
    custom = MetricTypeFactory(trainer=trainer)
    for index in range(page_size):
        if index % 2:
            BodyStatFactory(client=client_link, metric=custom.slug, metric_type=custom, value=60)
        else:
            BodyStatFactory(client=client_link)
    with django_assert_max_num_queries(4):
        response = trainer_api.get(STATS, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


# Custom metric types -----------------------------------------------------------------------


def test_a_trainer_defines_a_metric_type_and_the_client_logs_it(
    trainer_api, client_api, client_user
):
    created = trainer_api.post(
        TYPES, {"name": "Resting heart rate", "kind": "number", "unit": "bpm"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["slug"] == "resting_heart_rate"
    assert [t["slug"] for t in client_api.get(TYPES).json()["results"]] == ["resting_heart_rate"]
    body = {"date": client_user.local_today().isoformat(), "metric": "resting_heart_rate"}
    logged = client_api.post(STATS, body | {"value": 52}, format="json")
    assert logged.status_code == 201
    assert (logged.json()["value"], logged.json()["unit"]) == (52.0, "bpm")


def test_a_custom_length_metric_is_converted_like_the_built_in_ones(
    trainer_api, client_api, client_user
):
    imperial(client_user)
    trainer_api.post(TYPES, {"name": "Neck", "kind": "length"}, format="json")
    body = {"date": client_user.local_today().isoformat(), "metric": "neck", "value": 15}
    logged = client_api.post(STATS, body, format="json").json()
    assert (logged["value"], logged["unit"]) == (15.0, "in")
    assert BodyStat.objects.get().value == Decimal("38.100")


@pytest.mark.parametrize(
    ("body", "status", "code", "attr"),
    [
        ({"name": "Weight", "slug": "weight", "kind": "mass"}, 400, "reserved", "slug"),
        ({"name": "HR", "kind": "number"}, 400, "required", "unit"),
        ({"name": "Neck", "kind": "length", "unit": "in"}, 400, "invalid", "unit"),
        ({"name": "Neck", "kind": "volume"}, 400, "invalid_choice", "kind"),
    ],
)
def test_bad_metric_types_are_400(trainer_api, body, status, code, attr):
    assert_error(trainer_api.post(TYPES, body, format="json"), status, code, attr)


def test_a_second_metric_type_with_the_same_slug_is_409(trainer_api):
    body = {"name": "Neck", "kind": "length"}
    assert trainer_api.post(TYPES, body, format="json").status_code == 201
    assert_error(trainer_api.post(TYPES, body, format="json"), 409, "slug_taken")


def test_a_metric_type_in_use_cannot_be_deleted(trainer_api, trainer, client_link):
    custom = MetricTypeFactory(trainer=trainer)
    BodyStatFactory(client=client_link, metric=custom.slug, metric_type=custom, value=50)
    response = trainer_api.delete(reverse("metric-type-detail", args=[custom.pk]))
    assert_error(response, 409, "metric_type_in_use")
    unused = MetricTypeFactory(trainer=trainer)
    assert trainer_api.delete(reverse("metric-type-detail", args=[unused.pk])).status_code == 204


def test_metric_types_of_other_trainers_are_invisible(
    trainer_api, client_api, other_trainer, client_user
):
    theirs = MetricTypeFactory(trainer=other_trainer)
    assert trainer_api.get(TYPES).json()["results"] == []
    assert client_api.get(TYPES).json()["results"] == []
    assert_error(trainer_api.get(reverse("metric-type-detail", args=[theirs.pk])), 404)
    assert_error(trainer_api.patch(reverse("metric-type-detail", args=[theirs.pk]), {}), 404)
    body = {"date": client_user.local_today().isoformat(), "metric": theirs.slug, "value": 1}
    assert_error(client_api.post(STATS, body, format="json"), 400, "unknown_metric", "metric")


def test_clients_cannot_define_metric_types(client_api):
    response = client_api.post(TYPES, {"name": "X", "kind": "percent"}, format="json")
    assert_error(response, 403)


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_metric_type_list_runs_a_fixed_number_of_queries(
    client_api, trainer, django_assert_max_num_queries, page_size
):
    MetricTypeFactory.create_batch(page_size, trainer=trainer)
    with django_assert_max_num_queries(3):
        response = client_api.get(TYPES, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


# Series ------------------------------------------------------------------------------------

D = datetime.date


def test_the_series_merges_check_ins_and_entries_one_point_per_day(
    client_api, client_link, trainer_api
):
    CheckInFactory(client=client_link, date=D(2026, 3, 2), weight_kg=Decimal("82.00"))
    CheckInFactory(client=client_link, date=D(2026, 3, 9), weight_kg=Decimal("81.50"))
    BodyStatFactory(client=client_link, date=D(2026, 3, 9), value=Decimal("81.2"))  # wins
    BodyStatFactory(client=client_link, date=D(2026, 3, 5), value=Decimal("81.9"))
    BodyStatFactory(client=client_link, date=D(2026, 3, 5), value=Decimal("81.7"))  # later
    BodyStatFactory(client=client_link, date=D(2026, 4, 1), value=Decimal("80"))  # outside
    query = {"metric": "weight", "from": "2026-03-01", "to": "2026-03-31"}
    expected = {
        "metric": "weight",
        "unit": "kg",
        "points": [
            {"date": "2026-03-02", "value": 82.0},
            {"date": "2026-03-05", "value": 81.7},
            {"date": "2026-03-09", "value": 81.2},
        ],
    }
    assert client_api.get(SERIES, query).json() == expected
    assert trainer_api.get(SERIES, query | {"client": client_link.pk}).json() == expected


def test_the_series_reads_check_in_measurements_in_the_callers_units(
    client_api, client_user, client_link
):
    imperial(client_user)
    CheckInFactory(client=client_link, date=D(2026, 3, 2), measurements={"waist_cm": 81.28})
    response = client_api.get(SERIES, {"metric": "waist", "from": "2026-03-01", "to": "2026-03-31"})
    assert response.json() == {
        "metric": "waist",
        "unit": "in",
        "points": [{"date": "2026-03-02", "value": 32.0}],
    }


def test_the_series_needs_a_client_for_trainers_and_hides_others(
    trainer_api, other_client_link, client_api, other_trainer_api, client_link
):
    assert_error(trainer_api.get(SERIES, {"metric": "weight"}), 404, "required", "client")
    hidden = {"metric": "weight", "client": other_client_link.pk}
    assert_error(trainer_api.get(SERIES, hidden), 404, "not_found", "client")
    assert_error(client_api.get(SERIES, hidden), 404, "not_found", "client")
    mine = {"metric": "weight", "client": client_link.pk}
    assert_error(other_trainer_api.get(SERIES, mine), 404, "not_found", "client")


@pytest.mark.parametrize(
    ("query", "attr", "code"),
    [
        ({"metric": "height"}, "metric", "unknown_metric"),
        ({"metric": "weight", "from": "2026-03-02", "to": "2026-03-01"}, "from", "invalid"),
        ({"metric": "weight", "from": "2020-01-01", "to": "2026-03-01"}, "from", "invalid"),
        ({"metric": "weight", "from": "yesterday"}, "from", "invalid"),
        ({"metric": "weight", "colour": "red"}, "colour", "unknown_field"),
    ],
)
def test_bad_series_queries_are_400(client_api, query, attr, code):
    assert_error(client_api.get(SERIES, query), 400, code, attr)


def test_a_year_of_daily_data_costs_a_fixed_number_of_queries(
    client_api, client_link, django_assert_max_num_queries
):
    start = D(2025, 1, 1)
    BodyStat.objects.bulk_create(
        BodyStat(
            client=client_link,
            date=start + datetime.timedelta(days=i),
            metric="weight",
            value=Decimal("80") + Decimal(i % 7) / 10,
        )
        for i in range(365)
    )
    with django_assert_max_num_queries(4):
        response = client_api.get(
            SERIES, {"metric": "weight", "from": "2025-01-01", "to": "2025-12-31"}
        )
    assert len(response.json()["points"]) == 365


# Import ------------------------------------------------------------------------------------


def _batch(client_user, count=3, source="apple_health", metric="weight"):
    today = client_user.local_today()
    return {
        "source": source,
        "records": [
            {
                "source_id": f"HK-{i}",
                "date": (today - datetime.timedelta(days=i)).isoformat(),
                "metric": metric,
                "value": 80 + i,
            }
            for i in range(count)
        ],
    }


def test_a_re_sent_batch_never_duplicates(client_api, client_user):
    batch = _batch(client_user)
    first = client_api.post(IMPORT, batch, format="json")
    assert first.status_code == 200, first.content
    assert first.json() == {"received": 3, "created": 3, "skipped": 0}
    again = client_api.post(IMPORT, batch, format="json")
    assert again.json() == {"received": 3, "created": 0, "skipped": 3}
    bigger = _batch(client_user, count=5)
    assert client_api.post(IMPORT, bigger, format="json").json()["created"] == 2
    assert BodyStat.objects.count() == 5
    # The same record ids from another store are other records.
    other = _batch(client_user, source="health_connect")
    assert client_api.post(IMPORT, other, format="json").json()["created"] == 3


def test_an_import_batch_is_one_event(client_api, client_user):
    client_api.post(IMPORT, _batch(client_user, count=30), format="json")
    client_api.post(IMPORT, _batch(client_user, count=30), format="json")  # nothing new
    events = ActivityEvent.objects.filter(kind="metric.logged")
    assert [e.summary for e in events] == ["Cleo imported 30 measurements from Apple Health"]


def test_a_record_repeated_inside_a_batch_is_stored_once(client_api, client_user):
    batch = _batch(client_user, count=2)
    batch["records"].append(dict(batch["records"][0]))
    assert client_api.post(IMPORT, batch, format="json").json() == {
        "received": 3,
        "created": 2,
        "skipped": 1,
    }


def test_one_bad_record_refuses_the_batch_naming_its_path(client_api, client_user):
    batch = _batch(client_user)
    batch["records"][1]["metric"] = "height"
    batch["records"][2]["value"] = 9999
    body = assert_error(client_api.post(IMPORT, batch, format="json"), 400)
    attrs = {(e["attr"], e["code"]) for e in body["errors"]}
    assert attrs == {("records[1].metric", "unknown_metric"), ("records[2].value", "range")}
    assert not BodyStat.objects.exists()


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"source": "manual"}, "source"),
        ({"records": []}, "records"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_batches_are_400(client_api, client_user, change, attr):
    batch = _batch(client_user) | change
    assert_error(client_api.post(IMPORT, batch, format="json"), 400, attr=attr)


def test_imported_entries_appear_in_the_series(client_api, client_user):
    client_api.post(IMPORT, _batch(client_user, count=3), format="json")
    today = client_user.local_today()
    response = client_api.get(
        SERIES,
        {"metric": "weight", "from": (today - datetime.timedelta(days=2)).isoformat()},
    )
    assert [p["value"] for p in response.json()["points"]] == [82.0, 81.0, 80.0]


def test_metric_types_are_unique_per_studio_only(trainer, other_trainer):
    MetricTypeFactory(trainer=trainer, slug="neck")
    MetricTypeFactory(trainer=other_trainer, slug="neck")
    assert MetricType.objects.filter(slug="neck").count() == 2


def test_the_body_stat_list_filters_by_metric(client_api, client_link):
    BodyStatFactory(client=client_link, metric="waist", value=80)
    BodyStatFactory(client=client_link)
    rows = client_api.get(STATS, {"metric": "waist"}).json()["results"]
    assert [row["metric"] for row in rows] == ["waist"]
    assert_error(client_api.get(STATS, {"metric": ""}), 400, attr="metric")
    assert_error(client_api.get(STATS, {"metric": "Waist!"}), 400, "invalid", "metric")
