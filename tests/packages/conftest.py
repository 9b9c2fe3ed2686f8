import copy

import pytest

from packages.samples import seed_packages


@pytest.fixture
def packages():
    return copy.deepcopy(seed_packages())
