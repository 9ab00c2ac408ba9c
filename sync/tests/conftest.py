"""Shared by the sync tests."""

import pytest
import time_machine

from sync.tests.helpers import NOW


@pytest.fixture(autouse=True)
def photo_storage(tmp_photo_storage):
    return tmp_photo_storage


@pytest.fixture
def frozen():
    """The clock stopped at NOW. Modules use it through `usefixtures`, so it starts before
    the fixtures that mint tokens (a token minted "later" than the frozen clock would not be
    valid yet)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
