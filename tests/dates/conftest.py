from tests.portal.conftest import browser, log_in, page, pytest_runtest_makereport  # noqa: F401
