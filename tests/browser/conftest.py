"""Browser tests: the real CKAN app served on loopback, driven by Debian's headless Chromium.

Fixtures:

* ``live_server``: the catalog's WSGI app (built like CKAN's ``app`` fixture, with the plugins of
  ``test.ini``) served by werkzeug's threaded server on 127.0.0.1 and a free port; yields its base
  URL, which is also ``ckan.site_url`` for the test. It sees the test's database: tests create
  users and organizations with CKAN's factories, then the browser acts.
* ``browser``: a Selenium Chrome WebDriver on ``/usr/bin/chromium`` + ``/usr/bin/chromedriver``
  (never Selenium Manager), Spanish, with a fresh profile and no way to resolve any host but
  127.0.0.1. Every request the page makes is read from Chromium's performance log; a test whose
  page asked for anything that is not on 127.0.0.1 (or ``data:``/``blob:``) fails.
* ``screenshot(name)``: saves a full-page PNG under ``.state/screenshots/<test>/``; one is also
  saved when a test fails.
* ``login(name, password)``: logs a user in through the real login form (with its CSRF token).

Server-side exceptions are recorded: a test during which the app raised fails, with the traceback.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
import threading
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.support import click_and_wait, wait_for_page

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / ".state" / "screenshots"
LOOPBACK = "127.0.0.1"

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--window-size=1280,900",
    "--lang=es",
    # Bootstrap 5 scrolls smoothly unless reduced motion is asked for; smooth scrolling makes
    # clicks land while the page still moves.
    "--force-prefers-reduced-motion",
    # Nothing but 127.0.0.1 resolves: no request can leave the machine.
    f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {LOOPBACK}",
)


# --------------------------------------------------------------------------------------------
# The live server


class LiveServer:
    """A WSGI app served on 127.0.0.1 by werkzeug's threaded server, in a background thread.

    The port is chosen by the OS when the server is made, before the app is given (the app's
    ``ckan.site_url`` needs it). Exceptions the app raises are kept in ``errors``.
    """

    def __init__(self):
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):  # one line per request is noise here
                pass

        self.errors: list[str] = []
        self._app = None
        self._server = make_server(
            LOOPBACK, 0, self._serve, threaded=True, request_handler=QuietHandler
        )
        self.url = f"http://{LOOPBACK}:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ckan-live-server", daemon=True
        )

    def _serve(self, environ, start_response):
        try:
            return self._app(environ, start_response)
        except Exception:
            self.errors.append(
                f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}\n"
                + traceback.format_exc()
            )
            raise

    def start(self, wsgi_app) -> None:
        self._app = wsgi_app
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


@pytest.fixture
def clean_db_all(with_plugins, clean_db_all):
    """The parent fixture, with the plugins loaded first (the plugin migrations need them), so
    that a browser test may ask for ``comunidades`` or ``clean_db_all`` in any order."""


@pytest.fixture
def live_server(
    with_plugins, ckan_config, clean_db_all, clean_index, monkeypatch, make_app, request
):
    """Base URL of the real catalog app, served on 127.0.0.1 for the duration of the test.

    The database and the search index are cleaned first (``clean_db_all``, ``clean_index``), so
    whatever the test then creates with factories is what the browser sees.
    """
    server = LiveServer()
    monkeypatch.setitem(ckan_config, "ckan.site_url", server.url)
    monkeypatch.delenv("CKAN_SITE_URL", raising=False)
    # make_app() is CKAN's own test app factory: ckan.config.middleware.make_app(config) with
    # testing = true; .app is the full WSGI stack (middlewares included) that a real server runs.
    server.start(make_app().app)
    request.node._live_server = server
    try:
        yield server.url
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------
# The browser


class NetworkLog:
    """Every URL the page requested, read from Chromium's performance log."""

    def __init__(self, driver):
        self._driver = driver
        self.urls: list[str] = []
        #: bytes received on the wire per request id (headers and body, as sent: compressed
        #: when the server compresses), from Network.loadingFinished
        self.transferred: dict[str, int] = {}
        self._url_of: dict[str, str] = {}

    def drain(self) -> None:
        for entry in self._driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent":
                self.urls.append(params["request"]["url"])
                self._url_of[params["requestId"]] = params["request"]["url"]
            elif method == "Network.webSocketCreated":
                self.urls.append(params["url"])
            elif method == "Network.loadingFinished":
                self.transferred[params["requestId"]] = int(params.get("encodedDataLength", 0))

    def reset(self) -> None:
        """Forget what was read so far (before measuring one page load)."""
        self.drain()
        self.transferred.clear()

    def bytes_by_url(self) -> dict[str, int]:
        self.drain()
        return {self._url_of.get(rid, rid): size for rid, size in self.transferred.items()}

    def foreign(self) -> list[str]:
        self.drain()
        return [url for url in self.urls if not _is_local(url)]


# Schemes served from memory or from the browser binary itself (Chromium's own new-tab page
# loads chrome:// resources before the first navigation): nothing goes on the network.
IN_BROWSER_SCHEMES = {"data", "blob", "about", "chrome", "chrome-untrusted", "devtools"}
NETWORK_SCHEMES = {"http", "https", "ws", "wss"}


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in IN_BROWSER_SCHEMES:
        return True
    return parts.scheme in NETWORK_SCHEMES and parts.hostname == LOOPBACK


def _chrome_options():
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    options.add_experimental_option("prefs", {"intl.accept_languages": "es"})
    return options


@pytest.fixture
def browser(live_server, tmp_path_factory, monkeypatch, request):
    """Selenium's Chrome WebDriver on Debian's headless Chromium, one fresh profile per test."""
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} and {CHROMEDRIVER} are needed for the browser tests "
            "(Debian packages chromium and chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must never try to download a browser or a driver.
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = _chrome_options()
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path_factory.getbasetemp())
    options.add_argument(f"--user-data-dir={profile}")
    # Chromium's own words (date fields, form-validation bubbles) in Latin-American Spanish when
    # Debian's chromium-l10n is installed; --lang only sets Accept-Language on Linux.
    service = Service(CHROMEDRIVER, env={**os.environ, "LANGUAGE": "es_419:es"})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    # what the tests read beside the driver (selenium's class does not declare them)
    driver.network_log = NetworkLog(driver)  # pyright: ignore[reportAttributeAccessIssue]
    driver.live_url = live_server  # pyright: ignore[reportAttributeAccessIssue]
    request.node._browser = driver
    try:
        yield driver
    finally:
        request.node._browser = None
        try:
            driver.quit()
        finally:
            shutil.rmtree(profile, ignore_errors=True)


def _screenshot_dir(node) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", node.name).strip("-")
    return SCREENSHOTS / name


def _save_full_page(driver, path: Path) -> Path:
    """A PNG of the whole page, not only the 1280x900 viewport."""
    path.parent.mkdir(parents=True, exist_ok=True)
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    width = max(int(size["width"]), 1)
    height = min(max(int(size["height"]), 1), 12000)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


@pytest.fixture
def screenshot(browser, request):
    """``screenshot("name")`` saves ``.state/screenshots/<test>/<NN>-name.png`` and returns it."""
    folder = _screenshot_dir(request.node)
    shutil.rmtree(folder, ignore_errors=True)  # only this run's pictures
    counter = iter(range(1, 1000))

    def take(name: str) -> Path:
        browser.network_log.drain()
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
        return _save_full_page(browser, folder / f"{next(counter):02d}-{slug}.png")

    request.node._screenshot_folder = folder
    return take


@pytest.fixture
def login(browser, live_server):
    """``login(name, password)``: the real login form at /user/login, CSRF token and all."""
    from selenium.webdriver.common.by import By

    def log_in(name: str, password: str) -> None:
        browser.get(f"{live_server}/user/login")
        wait_for_page(browser)
        form = browser.find_element(By.ID, "field-login").find_element(
            By.XPATH, "./ancestor::form"
        )
        assert form.find_elements(By.CSS_SELECTOR, "input[type=hidden][name=_csrf_token]"), (
            "the login form carries no CSRF token"
        )
        browser.find_element(By.ID, "field-login").send_keys(name)
        browser.find_element(By.ID, "field-password").send_keys(password)
        click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        path = urlsplit(browser.current_url).path
        assert not path.startswith("/user/login"), (
            f"login of {name!r} failed: still on {browser.current_url}"
        )

    return log_in


# --------------------------------------------------------------------------------------------
# Guards and failure pictures


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a browser test's body: fail it if its page left 127.0.0.1 or the app raised."""
    result = yield
    driver = getattr(item, "_browser", None)
    if driver is not None:
        foreign = driver.network_log.foreign()
        assert not foreign, (
            "the page requested hosts other than 127.0.0.1:\n  " + "\n  ".join(foreign)
        )
    server = getattr(item, "_live_server", None)
    if server is not None and server.errors:
        pytest.fail("the app raised while serving the browser:\n" + "\n".join(server.errors))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        driver = getattr(item, "_browser", None)
        if driver is not None:
            try:
                folder = getattr(item, "_screenshot_folder", None) or _screenshot_dir(item)
                path = _save_full_page(driver, folder / "failure.png")
                report.sections.append(
                    ("browser", f"failure screenshot: {path}\nURL: {driver.current_url}")
                )
            except Exception as exc:  # the browser may be gone; the failure itself matters more
                report.sections.append(("browser", f"no failure screenshot: {exc!r}"))
        server = getattr(item, "_live_server", None)
        if server is not None and server.errors:
            report.sections.append(("live server errors", "\n".join(server.errors)))
    return report
