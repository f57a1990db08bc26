"""Small waiting helpers for the browser tests (Selenium's explicit waits, no sleeps)."""
from __future__ import annotations

from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT = 30


def wait_for_page(driver, timeout: float = TIMEOUT) -> None:
    """Until the current document has finished loading."""
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def click_and_wait(driver, element, timeout: float = TIMEOUT) -> None:
    """Click something that loads a page (a submit button, a link) and wait for that page.

    Works for ordinary navigation and for CKAN's htmx-boosted links (facets), which replace the
    body without a new document: either way the clicked element goes away.
    """
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
    )
    element.click()
    WebDriverWait(driver, timeout).until(ec.staleness_of(element))
    wait_for_page(driver, timeout)
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.querySelector('.htmx-request') === null")
    )


def visit(driver, url: str, timeout: float = TIMEOUT) -> None:
    driver.get(url)
    wait_for_page(driver, timeout)
