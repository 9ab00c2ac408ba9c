import pytest
from django.core.files.storage import storages


@pytest.fixture(autouse=True)
def photo_storage(settings, tmp_path):
    """Attachments go to a temporary directory in every messaging test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "photos")},
        },
    }
    return storages["photos"]
