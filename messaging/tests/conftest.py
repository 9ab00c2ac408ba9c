import pytest


@pytest.fixture(autouse=True)
def photo_storage(tmp_photo_storage):
    """Attachments go to a temporary directory in every messaging test."""
    return tmp_photo_storage
