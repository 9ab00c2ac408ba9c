import pytest

from notifications.push import test as test_provider


@pytest.fixture
def outbox():
    """Pushes the built-in provider 'sent' during the test."""
    test_provider.outbox.clear()
    yield test_provider.outbox
    test_provider.outbox.clear()
