"""Progress photos through the API: upload rules, cleaning, signed URLs, who sees what."""

from __future__ import annotations

import datetime
import io
import os
import uuid

import pytest
import time_machine
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import assert_error, auth_client
from dashboard.models import ActivityEvent
from progress.models import ProgressPhoto
from progress.tests import images
from progress.tests.factories import CheckInFactory, ProgressPhotoFactory

pytestmark = pytest.mark.django_db

LIST = reverse("photo-list")


def upload(api, data: bytes, *, name="me.jpg", content_type="image/jpeg", **fields):
    body = {"date": fields.pop("date", None), "pose": "front", **fields}
    if body["date"] is None:
        body["date"] = timezone.now().date().isoformat()  # the actors live in UTC
    body["image"] = SimpleUploadedFile(name, data, content_type=content_type)
    return api.post(LIST, body, format="multipart")


def fetch(api, url: str):
    """GET a signed URL as a browser would (no JWT)."""
    from rest_framework.test import APIClient

    return APIClient().get(url)


def stored(photo_id) -> bytes:
    photo = ProgressPhoto.objects.get(pk=photo_id)
    with storages["photos"].open(photo.image_key, "rb") as handle:
        return handle.read()


def stored_files() -> list[str]:
    return [name for _, _, names in os.walk(storages["photos"].location) for name in names]


@pytest.fixture
def uploaded(client_api, client_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client_api, images.jpeg_with_gps(), date=client_user.local_today().isoformat()
        )
    assert response.status_code == 201, response.content
    return response.json()


# Upload and what is stored -----------------------------------------------------------------


def test_a_client_uploads_a_photo_and_gets_signed_urls(client_api, client_link, uploaded):
    assert set(uploaded) == {
        "id",
        "client",
        "date",
        "pose",
        "check_in",
        "url",
        "thumbnail_url",
        "expires_at",
        "content_type",
        "width",
        "height",
        "size_bytes",
        "created_at",
    }
    assert uploaded["client"] == client_link.pk
    assert uploaded["pose"] == "front"
    assert (uploaded["width"], uploaded["height"]) == (64, 48)
    assert "/api/v1/photos/files/" in uploaded["url"]
    # The worker ran (eagerly, after commit): the read answers the thumbnail too.
    again = client_api.get(reverse("photo-detail", args=[uploaded["id"]])).json()
    assert again["thumbnail_url"] and "/api/v1/photos/files/" in again["thumbnail_url"]
    thumb = fetch(client_api, again["thumbnail_url"])
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).format == "JPEG"


def test_the_stored_file_has_no_exif_no_gps_and_no_comment(client_api, uploaded):
    response = fetch(client_api, uploaded["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    data = b"".join(response.streaming_content)
    assert data == stored(uploaded["id"])
    image = Image.open(io.BytesIO(data))
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "comment" not in image.info
    assert b"Exif" not in data and b"SecretCam" not in data and b"php" not in data


def test_a_rotated_photo_is_stored_upright_without_exif(client_api):
    response = upload(client_api, images.jpeg_with_gps(size=(64, 48), orientation=6))
    assert response.status_code == 201, response.content
    assert (response.json()["width"], response.json()["height"]) == (48, 64)
    image = Image.open(io.BytesIO(stored(response.json()["id"])))
    assert image.size == (48, 64)
    assert dict(image.getexif()) == {}


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted_and_re_encoded_without_metadata(client_api, fmt, content_type):
    data = images.photo(fmt=fmt, exif=images.exif())
    response = upload(client_api, data, name=f"me.{fmt.lower()}", content_type=content_type)
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == content_type
    image = Image.open(io.BytesIO(stored(response.json()["id"])))
    assert image.format == fmt
    assert dict(image.getexif()) == {}


def test_the_content_decides_not_the_name_or_content_type(client_api):
    # A real PNG called .jpg and sent as text/plain is a PNG.
    response = upload(client_api, images.photo(fmt="PNG"), name="x.jpg", content_type="text/plain")
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"


def test_an_upload_records_one_photo_uploaded_event(client_api, client_link, uploaded):
    event = ActivityEvent.objects.get(kind="photo.uploaded")
    assert event.object_id == uploaded["id"]
    assert event.client == client_link
    assert event.summary == "Cleo added a front progress photo"


def test_a_photo_can_belong_to_one_of_the_clients_check_ins(client_api, client_link):
    check_in = CheckInFactory(client=client_link)
    response = upload(client_api, images.photo(), check_in=str(check_in.pk))
    assert response.status_code == 201
    assert response.json()["check_in"] == str(check_in.pk)


def test_another_clients_check_in_is_404_at_check_in(client_api, other_client_link):
    check_in = CheckInFactory(client=other_client_link)
    response = upload(client_api, images.photo(), check_in=str(check_in.pk))
    assert_error(response, 404, "not_found", "check_in")
    assert not ProgressPhoto.objects.exists()


# Refused files -----------------------------------------------------------------------------


def _jpeg() -> bytes:
    return images.photo(size=(400, 300), quality=95)


REFUSED = {
    "truncated jpeg": (lambda: _jpeg()[: len(_jpeg()) // 2], 400, "image_truncated"),
    "truncated png": (
        lambda: images.photo(fmt="PNG", size=(300, 300))[:-200],
        400,
        "image_truncated",
    ),
    "jpeg with a zip appended (polyglot)": (
        lambda: _jpeg() + b"PK\x03\x04" + b"\x00" * 26 + b"payload.php<?php ?>",
        400,
        "image_polyglot",
    ),
    "png with html appended (polyglot)": (
        lambda: images.photo(fmt="PNG") + b"<html><script>alert(1)</script></html>",
        400,
        "image_polyglot",
    ),
    "svg named .jpg": (lambda: images.SVG, 400, "svg_not_allowed"),
    "gif named .jpg (wrong type, right name)": (
        lambda: images.photo(fmt="GIF"),
        400,
        "unsupported_format",
    ),
    "bmp named .jpg (wrong type, right name)": (
        lambda: images.photo(fmt="BMP"),
        400,
        "unsupported_format",
    ),
    "text named .jpg": (lambda: b"just some text, not a photo", 400, "not_an_image"),
    "decompression bomb (30000x30000 in a few kB)": (
        lambda: images.png_header_only(30000, 30000),
        413,
        "decompression_bomb",
    ),
    "too many pixels (8000x6000 = 48 MP)": (
        lambda: images.png_header_only(8000, 6000),
        413,
        "too_many_pixels",
    ),
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_every_refused_file_kind_is_a_clear_error(client_api, kind):
    make, status, code = REFUSED[kind]
    response = upload(client_api, make(), name="photo.jpg", content_type="image/jpeg")
    body = assert_error(response, status, code, "image")
    assert body["errors"][0]["detail"]
    assert not ProgressPhoto.objects.exists()
    assert stored_files() == []


def test_an_oversized_file_is_413_before_it_is_decoded(client_api, settings):
    settings.PHOTO_MAX_BYTES = 50_000
    data = images.photo(size=(600, 600), fmt="PNG")
    data = data + b"\x00" * (settings.PHOTO_MAX_BYTES + 70_000 - len(data))
    response = upload(client_api, data, name="big.png", content_type="image/png")
    assert_error(response, 413, "file_too_large", "image")


def test_a_file_just_over_the_limit_is_413(client_api, settings):
    # Under the Content-Length slack for the form, over the limit for the file itself.
    settings.PHOTO_MAX_BYTES = 50_000
    data = images.photo(fmt="PNG") + b"\x00" * 50_001
    response = upload(client_api, data, name="big.png", content_type="image/png")
    assert_error(response, 413, "file_too_large", "image")


def test_an_animated_image_is_refused(client_api):
    frames = [Image.new("RGB", (8, 8), c) for c in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:])
    response = upload(client_api, out.getvalue(), name="a.webp", content_type="image/webp")
    assert_error(response, 400, "image_animated", "image")


def test_json_is_refused_on_the_upload(client_api):
    response = client_api.post(LIST, {"pose": "front"}, format="json")
    assert_error(response, 415)


def test_multipart_is_refused_elsewhere(client_api):
    response = client_api.post(
        reverse("body-stat-list"), {"metric": "weight", "value": "80"}, format="multipart"
    )
    assert_error(response, 415)


def test_unknown_form_fields_and_bad_poses_are_400(client_api):
    response = upload(client_api, images.photo(), pose="sideways", caption="x")
    body = assert_error(response, 400)
    assert {e["attr"] for e in body["errors"]} == {"pose", "caption"}


def test_trainers_cannot_upload(trainer_api):
    assert_error(upload(trainer_api, images.photo()), 403)


# Signed URLs -------------------------------------------------------------------------------


def test_a_signed_url_works_until_it_expires(client_user, settings):
    settings.PHOTO_URL_SECONDS = 300
    start = datetime.datetime(2027, 5, 1, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client_api = auth_client(client_user)
        response = upload(client_api, images.photo(), date="2027-05-01")
        body = response.json()
        assert response.status_code == 201, body
        assert body["expires_at"] == "2027-05-01T10:05:00Z"
    with time_machine.travel(start + datetime.timedelta(seconds=299), tick=False):
        assert fetch(client_api, body["url"]).status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=300), tick=False):
        assert_error(fetch(client_api, body["url"]), 403, "url_expired")


def test_a_tampered_or_made_up_token_is_404(client_api, uploaded):
    url = uploaded["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert_error(fetch(client_api, forged), 404)
    assert_error(fetch(client_api, reverse("photo-file", args=["not-a-token"])), 404)


def test_the_storage_directory_is_not_served(client_api, uploaded):
    key = ProgressPhoto.objects.get(pk=uploaded["id"]).image_key
    for path in (f"/{key}", f"/media/{key}", f"/static/{key}", f"/private-media/{key}"):
        assert fetch(client_api, path).status_code == 404


# Who sees what -----------------------------------------------------------------------------


def test_the_trainer_sees_their_clients_photos(trainer_api, uploaded, client_link):
    response = trainer_api.get(LIST, {"client": client_link.pk})
    assert [p["id"] for p in response.json()["results"]] == [uploaded["id"]]
    detail = trainer_api.get(reverse("photo-detail", args=[uploaded["id"]]))
    assert detail.status_code == 200
    assert fetch(trainer_api, detail.json()["url"]).status_code == 200


@pytest.mark.parametrize("outsider", ["other_trainer_api", "other_client_api"])
def test_outsiders_get_404_for_a_photo(request, outsider, uploaded):
    api = request.getfixturevalue(outsider)
    assert_error(api.get(reverse("photo-detail", args=[uploaded["id"]])), 404)
    assert api.get(LIST).json()["results"] == []
    # Trainers never delete photos (403 for any id: nothing leaks); another client gets 404.
    deleted = api.delete(reverse("photo-detail", args=[uploaded["id"]]))
    assert_error(deleted, 403 if outsider == "other_trainer_api" else 404)
    compare = api.get(reverse("photo-compare"), {"before": uploaded["id"], "after": uploaded["id"]})
    assert_error(compare, 404, "not_found", "before")


def test_the_trainer_cannot_delete_a_clients_photo(trainer_api, uploaded):
    assert_error(trainer_api.delete(reverse("photo-detail", args=[uploaded["id"]])), 403)


# Delete ------------------------------------------------------------------------------------


def test_deleting_a_photo_removes_its_files_after_commit(
    client_api, uploaded, django_capture_on_commit_callbacks
):
    photo = ProgressPhoto.objects.get(pk=uploaded["id"])
    storage = storages["photos"]
    assert storage.exists(photo.image_key) and storage.exists(photo.thumbnail_key)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_api.delete(reverse("photo-detail", args=[photo.pk]))
        assert response.status_code == 204
        assert storage.exists(photo.image_key)  # not before the commit
    for callback in callbacks:
        callback()
    assert not storage.exists(photo.image_key)
    assert not storage.exists(photo.thumbnail_key)
    assert not ActivityEvent.objects.filter(object_id=str(photo.pk)).exists()


def test_a_thumbnail_made_for_a_photo_deleted_meanwhile_is_removed(client_link):
    from progress.services import photo_thumbnail_make

    photo = ProgressPhotoFactory(client=client_link)
    assert photo_thumbnail_make(photo_id=str(photo.pk)) is True
    assert photo_thumbnail_make(photo_id=str(photo.pk)) is False  # idempotent
    assert photo_thumbnail_make(photo_id=str(uuid.uuid4())) is False


# Compare -----------------------------------------------------------------------------------


def test_compare_answers_both_photos_and_the_days_between(client_api, client_link):
    before = ProgressPhotoFactory(client=client_link, date=datetime.date(2026, 1, 1))
    after = ProgressPhotoFactory(client=client_link, date=datetime.date(2026, 3, 2))
    response = client_api.get(
        reverse("photo-compare"), {"before": str(before.pk), "after": str(after.pk)}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["before"]["date"] == "2026-01-01"
    assert body["after"]["date"] == "2026-03-02"
    assert body["days_between"] == 60


def test_compare_needs_both_ids(client_api):
    response = client_api.get(reverse("photo-compare"), {"before": str(uuid.uuid4())})
    assert_error(response, 400, "required", "after")


# Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_photo_list_runs_a_fixed_number_of_queries(
    trainer_api, client_link, django_assert_max_num_queries, page_size
):
    for _ in range(page_size):
        ProgressPhotoFactory(client=client_link)
    with django_assert_max_num_queries(4):
        response = trainer_api.get(LIST, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_deleting_a_client_removes_their_photo_files(
    client_link, django_capture_on_commit_callbacks
):
    photo = ProgressPhotoFactory(client=client_link)
    storage = storages["photos"]
    assert storage.exists(photo.image_key)
    with django_capture_on_commit_callbacks(execute=True):
        client_link.user.delete()
    assert not ProgressPhoto.objects.exists()
    assert not storage.exists(photo.image_key)
