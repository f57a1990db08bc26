"""The catalog in a real browser: Spanish pages, and a staff member logging in through the form."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from ckan.tests import factories

from tests.browser.support import visit


@pytest.mark.parametrize("path", ["/", "/dataset/"], ids=["inicio", "dataset"])
def test_page_renders_in_spanish(browser, live_server, screenshot, path):
    visit(browser, live_server + path)
    screenshot(f"pagina-{path.strip('/') or 'inicio'}")

    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert "Obras públicas" in browser.find_element(By.TAG_NAME, "body").text
    assert browser.title, "the page has no title"
    # The no-external-request guard runs after the test body (see conftest.py).


def test_staff_member_logs_in_and_lands_on_mi_area(browser, live_server, screenshot, login):
    user = factories.User(
        name="maria-lopez",
        fullname="María López Hernández",
        password="Hueyapan-2024!",
        image_url="",
    )

    visit(browser, live_server + "/user/login")
    screenshot("formulario-de-acceso")
    login(user["name"], "Hueyapan-2024!")
    screenshot("mi-area")

    assert urlsplit(browser.current_url).path == "/mi-area"
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "María López Hernández" in page
    # The account bar of a logged-in user: a link to Mi área and the log-out form (a POST).
    assert browser.find_elements(By.CSS_SELECTOR, "a[href$='/mi-area']")
    assert browser.find_elements(By.CSS_SELECTOR, "form[action$='/user/_logout'][method=post]")
