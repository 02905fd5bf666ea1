"""Fixtures for the real-browser tests (helpers are in tests/browser/helpers.py): Streamlit servers started with
`streamlit run serve.py`, driven by Playwright in Debian's
chromium. Skipped when chromium or Playwright is not installed (CI installs both). Screenshots of each page are
kept under artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, REQUIRED, RUNS, Page, Servers

try:
    import playwright.sync_api as playwright_api
except ImportError:  # pragma: no cover - depends on the machine
    if REQUIRED:
        raise
    pytest.skip("Playwright is not installed (pip install -r requirements-dev.txt)", allow_module_level=True)
if not Path(CHROMIUM).exists():
    if REQUIRED:
        raise RuntimeError(f"PEERSIM_REQUIRE_BROWSER=1 but there is no chromium at {CHROMIUM}")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

BROWSER_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``browser``, so ``-m "not browser"`` leaves them out (a ``pytestmark`` in a
    conftest marks nothing)."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def servers(isolated_data: str, tmp_path: Path) -> Iterator[Servers]:
    pool = Servers(isolated_data, tmp_path)
    yield pool
    for server in pool.started:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for one test module. Playwright's sync API keeps an asyncio event loop running in this thread while it
    is open, so it is closed after each module: tests after the browser tests may call ``asyncio.run`` again."""
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    contexts = []

    def make(name: str, cookies: list[dict[str, object]] | None = None, *, phone: bool = False, tablet: bool = False) -> Page:
        """A new browser context: a 1200x900 laptop, with ``phone`` a 390x844 touch phone, with ``tablet`` an
        820x1180 touch tablet held upright."""
        viewport = {"width": 390, "height": 844} if phone else {"width": 1200, "height": 900}
        if tablet:
            viewport = {"width": 820, "height": 1180}
        touch = phone or tablet
        context = browser.new_context(viewport=viewport, is_mobile=touch, has_touch=touch)  # type: ignore[attr-defined]
        context.add_init_script(RUNS)
        if cookies:
            context.add_cookies(cookies)
        contexts.append(context)
        return Page(context.new_page(), f"{request.node.name}-{name}")

    yield make
    for context in contexts:
        context.close()
