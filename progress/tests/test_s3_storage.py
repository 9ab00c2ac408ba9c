"""Photos on an S3-compatible bucket over real HTTP (moto's server in CI: marker `s3`).

moto checks neither the signature nor the expiry of a presigned URL, nor ACLs (AWS, MinIO
and the other real servers do), so here the URL's own expiry parameters are checked against
`expires_at`, and the bytes are fetched through the presigned URL as a phone would. The
signed-URL expiry itself is tested on the filesystem view (test_api_photos.py).
"""

from __future__ import annotations

import datetime
import io
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from progress.models import ProgressPhoto
from progress.tests import images

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return response.read()


def _keys(s3, bucket) -> set[str]:
    listed = s3.list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


def _upload(client_api, client_user):
    image = SimpleUploadedFile("me.jpg", images.jpeg_with_gps(), content_type="image/jpeg")
    body = {"image": image, "date": client_user.local_today().isoformat(), "pose": "side"}
    return client_api.post(reverse("photo-list"), body, format="multipart")


def test_a_photo_on_s3_is_served_by_a_presigned_url_without_its_exif(
    s3_photos, client_api, client_user, django_capture_on_commit_callbacks, settings
):
    s3, bucket, _ = s3_photos
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client_api, client_user)
    assert response.status_code == 201, response.content
    photo = ProgressPhoto.objects.get(pk=response.json()["id"])
    assert _keys(s3, bucket) == {photo.image_key, photo.thumbnail_key}

    body = client_api.get(reverse("photo-detail", args=[photo.pk])).json()
    url = urlsplit(body["url"])
    query = parse_qs(url.query)
    assert url.netloc == urlsplit(settings.STORAGES["photos"]["OPTIONS"]["endpoint_url"]).netloc
    assert query["X-Amz-Expires"] == [str(settings.PHOTO_URL_SECONDS)]
    assert "X-Amz-Signature" in query
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    expires_at = datetime.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    lifetime = expires_at.replace(tzinfo=None) - signed_at
    assert abs(lifetime.total_seconds() - settings.PHOTO_URL_SECONDS) <= 2

    data = _get(body["url"])
    image = Image.open(io.BytesIO(data))
    assert dict(image.getexif()) == {} and b"SecretCam" not in data
    thumbnail = Image.open(io.BytesIO(_get(body["thumbnail_url"])))
    assert thumbnail.format == "JPEG" and max(thumbnail.size) <= 480


def test_deleting_a_photo_on_s3_removes_its_objects(
    s3_photos, client_api, client_user, django_capture_on_commit_callbacks
):
    s3, bucket, _ = s3_photos
    with django_capture_on_commit_callbacks(execute=True):
        photo_id = _upload(client_api, client_user).json()["id"]
    assert len(_keys(s3, bucket)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client_api.delete(reverse("photo-detail", args=[photo_id]))
    assert response.status_code == 204
    assert _keys(s3, bucket) == set()
