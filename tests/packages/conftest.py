import copy

import pytest

from packages.samples import seed_packages
from tests.portal.conftest import browser, log_in, page, pytest_runtest_makereport  # noqa: F401


@pytest.fixture
def packages():
    return copy.deepcopy(seed_packages())
