"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per module (starting Chromium costs ~0.5 s), a fresh context (cookies, storage)
per person per test. Everything a test does goes through the real web UI; the live server
commits for real and Huey runs inline, so fan-out and notifications happen as in production.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Response,
    WebError,
    expect,
    sync_playwright,
)

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse the
# ORM calls (fixtures, flushes) made from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "plaza browser journey 42"

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    b = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the item so fixtures can tell whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def new_context(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any
) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context(**options)``: a fresh browser context on the live server, closed after.

    Every context also watches for trouble a test might not look at: a server error (5xx), a
    4xx on the page's own assets (a missing stylesheet, script or image), and uncaught JS
    errors. Any of these fails the test at teardown, with the URLs.
    """
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def on_response(response: Response) -> None:
        if response.status >= 500 or (
            response.status >= 400 and response.request.resource_type != "document"
        ):
            problems.append(f"{response.status} {response.request.method} {response.url}")

    def on_error(error: WebError) -> None:
        problems.append(f"JS error on {error.page.url if error.page else '?'}: {error.error}")

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        ctx = browser.new_context(base_url=live_server.url, **options)
        ctx.set_default_timeout(TIMEOUT_MS)
        ctx.set_default_navigation_timeout(TIMEOUT_MS)
        ctx.on("response", on_response)
        ctx.on("weberror", on_error)
        contexts.append(ctx)
        return ctx

    yield make
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        # What each page showed when the test failed, to debug without re-running.
        ARTIFACTS.mkdir(exist_ok=True)
        for i, ctx in enumerate(contexts):
            for j, page in enumerate(ctx.pages):
                name = f"FAILED-{request.node.name}-{i}-{j}.png"
                # The page may be gone; the test's own error matters more than this one.
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    for ctx in contexts:
        ctx.close()
    if report is not None and report.passed:
        assert not problems, "the browser saw errors:\n" + "\n".join(problems)


@pytest.fixture
def shot() -> Callable[[Page, str], Path]:
    """``shot(page, "journey-home-feed")`` saves a full-page PNG under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_up(page: Page, username: str, name: str) -> None:
    """Create a person account through /signup; ends on the profile editor, logged in."""
    page.goto("/signup")
    page.get_by_label("Name optional").fill(name)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Email", exact=True).fill(f"{username}@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/settings/profile")


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through /login; ends on the home feed."""
    page.goto("/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
