"""The browser and the live server of the PWA's tests (tests/pwa), for the dashboard's layout."""

from tests.pwa.conftest import browser, playwright_driver, server  # noqa: F401
