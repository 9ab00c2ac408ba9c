import pytest

from exercises.tests.factories import ensure_library


@pytest.fixture
def library(db):
    """The global library, back if a transactional test flushed it (test_library checks
    what migrate alone leaves)."""
    ensure_library()
