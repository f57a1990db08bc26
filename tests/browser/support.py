"""Small waiting helpers for the browser tests (Selenium's explicit waits, no sleeps)."""
from __future__ import annotations

from pathlib import Path

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


# --- Accessibility (axe-core) -------------------------------------------------------------------

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(driver, impacts=("serious", "critical")) -> list[dict]:
    """WCAG 2.1 A/AA violations axe-core finds on the current page, of the given impacts.

    axe-core comes from npm (package-lock.json, installed by services/install.sh) and is injected
    into the page; nothing is fetched from the network."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run services/install.sh (npm ci)")
    driver.execute_script(AXE.read_text("utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
        " resultTypes: ['violations']})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}]));",
        WCAG_21_AA,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n.get("target") for n in v.get("nodes", [])][:5]}
        for v in result if v.get("impact") in impacts
    ]


# --- English left on a Spanish page ---------------------------------------------------------------

#: Common strings of CKAN core, scheming, harvest and spatial as they appear untranslated.
CKAN_ENGLISH = (
    "Datasets", "Dataset", "Organizations", "Groups", "About", "Log in", "Register", "Search",
    "Search datasets", "Powered by", "License", "Licenses", "Formats", "Tags", "Welcome",
    "Home", "found", "No description", "There is no description", "Add Dataset", "Showing",
    "Order by", "Relevance", "Name Ascending", "Name Descending", "Last Modified", "Popular",
    "Filter Results", "Clear All", "Activity Stream", "Followers", "Explore", "More information",
    "Download", "Resources", "Data and Resources", "Additional Info", "Field", "Value", "Source",
    "Author", "Maintainer", "Version", "State", "Last Updated", "Created", "Publish",
    "Toggle navigation", "Submit", "Show More", "Show Only Popular", "Go to resource", "Preview",
    "Map", "Spatial", "Harvested from", "Data Explorer", "Share", "Edit", "Manage",
    "Sign up", "Remove", "Previous", "Next", "Read more", "Skip to main content",
    # found on the staff pages (tests/browser/test_paginas_personal.py): CKAN's staff templates
    # and JavaScript, ckanext-activity and ckanext-harvest
    "Save", "Cancel", "Delete", "Update", "Upload", "Link", "Clear", "Draft", "Private",
    "Username", "Members", "Member Since", "News feed", "Activity occurred on",
    "Open details page", "This information is visible to you", "Manage resource", "Navigate to",
    "Please Confirm", "Reorder resources", "Save order", "Configuration", "No organization",
    "Harvest", "Harvest Sources", "Harvest Jobs", "Reharvest", "Jobs", "Job Report",
    "Source type", "Update frequency", "Not yet", "Started", "Finished", "errors",
    "not modified", "active",
)


def english_on_page(driver) -> list[str]:
    """The strings of ``CKAN_ENGLISH`` found as whole words in what a visitor reads or hears:
    the visible text and the accessible names (aria-label, title, placeholder, alt)."""
    return words_on_page(driver, CKAN_ENGLISH)


def words_on_page(driver, words) -> list[str]:
    """The given words or phrases found as whole words in what a visitor reads or hears: the
    visible text, the title and the accessible names (aria-label, title, placeholder, alt)."""
    import re

    text = driver.execute_script(
        "const parts = [document.body.innerText, document.title];"
        "for (const el of document.querySelectorAll("
        "    '[aria-label],[title],[placeholder],img[alt]')) {"
        "  for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {"
        "    if (el.hasAttribute(a)) parts.push(el.getAttribute(a)); } }"
        "return parts.join('\\n');"
    )
    return sorted({word for word in words
                   if re.search(r"(?<![\wÁÉÍÓÚáéíóúÑñ])" + re.escape(word)
                                + r"(?![\wÁÉÍÓÚáéíóúÑñ])", text)})


#: What a Python or JSON value looks like when a template prints it instead of its text.
RAW_VALUES = r"\[\]|\{\}|\[\s*'|\{\s*'|(?<![\w-])None(?![\w-])"


def raw_values_on_page(driver) -> list[str]:
    """Raw values shown to a visitor (an empty list ``[]``, ``{}``, a Python list or ``None``):
    in the visible text, and in the values of the visible text fields, with a little context."""
    import re

    shown = driver.execute_script(
        "const parts = document.body.innerText.split('\\n').map(line => ['', line]);"
        "for (const el of document.querySelectorAll("
        "    'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea')) {"
        "  if (el.offsetParent !== null && el.value) parts.push([el.id || el.name, el.value]); }"
        "return parts;"
    )
    return sorted({(f"{field} = " if field else "") + text.strip()[:80]
                   for field, text in shown if re.search(RAW_VALUES, text)})


# --- Nothing wider than the screen ----------------------------------------------------------------

def too_wide(driver) -> list[str]:
    """What makes the page scroll sideways: the page itself when it is wider than the window, and
    every element that reaches past the window's right edge (up to 8). Leaflet's tiles and panes
    are left out: a map container clips them (overflow: hidden)."""
    return driver.execute_script(
        "const w = document.documentElement.clientWidth; const out = [];"
        "const page = document.documentElement.scrollWidth;"
        "if (page > w) out.push('page ' + page);"
        "for (const el of document.querySelectorAll('body *:not(.leaflet-container *)')) {"
        "  const r = el.getBoundingClientRect();"
        "  if (r.width && r.right > w + 1)"
        "    out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));"
        "} return out.slice(0, 8);")


# --- Content-Security-Policy ----------------------------------------------------------------------

#: Registered before any script of every page (``watch_csp``): each violation the browser reports
#: (the event Chromium also writes to its console) is kept in ``window.__csp``.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '?') + ' at '
                    + (e.sourceFile || '?') + ':' + e.lineNumber
                    + (e.sample ? ' «' + e.sample.slice(0, 80) + '»' : ''));
}, true);
"""

#: What would break the policy only when used (an event fired, a link followed): event-handler
#: attributes, javascript: addresses and inline scripts left in the page's DOM.
INLINE_CODE = """
const found = [];
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
  + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '');
const say = (el, a) => found.push(name(el) + ' ' + a.name + '=' + a.value.trim().slice(0, 60));
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) {
    if (/^on/i.test(a.name)) say(el, a);
    if (['href', 'src', 'action', 'formaction', 'data'].includes(a.name)
        && /^[\\s\\u0000-\\u001f]*javascript:/i.test(a.value)) say(el, a);
  }
}
for (const s of document.querySelectorAll('script:not([src])')) {
  if (!s.type || /javascript|module/i.test(s.type)) {
    found.push('inline <script> ' + s.text.trim().slice(0, 60));
  }
}
return found;
"""


def watch_csp(driver) -> None:
    """From the next page on, the browser keeps every CSP violation it reports."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})


def csp_violations(driver) -> list[str]:
    """The CSP violations the current page reported so far (``watch_csp`` first)."""
    return list(driver.execute_script(
        "return window.__csp || ['the CSP listener is not installed']"))


def csp_problems(driver) -> list[str]:
    """The CSP violations the current page reported, and the inline code left in its DOM."""
    return csp_violations(driver) + driver.execute_script(INLINE_CODE)


# --- The staff pages: what none may have, filling their fields ------------------------------------

def page_problems(driver, narrow: bool, csp: bool = True) -> dict[str, list]:
    """What no page may have, by kind, the kinds found only: CKAN's English, serious or critical
    axe findings, CSP problems (``watch_csp`` first; ``csp=False`` when it was not installed)
    and, when ``narrow`` (a phone), anything wider than the window."""
    problems = {
        "english": english_on_page(driver),
        "axe": axe_violations(driver),
        "csp": csp_problems(driver) if csp else [],
        "too wide": too_wide(driver) if narrow else [],
    }
    return {kind: found for kind, found in problems.items() if found}


def small_targets(driver, selectors) -> list[str]:
    """The controls (the first match of each CSS selector) less than 44 px tall, or missing: a
    thumb on a phone needs 44 px."""
    return driver.execute_script(
        "return arguments[0].map(s => [s, document.querySelector(s)])"
        ".filter(([s, el]) => !el || el.getBoundingClientRect().height < 44)"
        ".map(([s, el]) => s + ' '"
        "     + (el ? Math.round(el.getBoundingClientRect().height) : 'missing'));",
        list(selectors))


def fill_field(driver, name: str, text: str) -> None:
    """Type ``text`` into the form field named ``name``; a date field gets its ISO value, as
    its picker would leave it (the order of typing depends on the browser's language)."""
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.NAME, name)
    if field.get_attribute("type") == "date":
        driver.execute_script("arguments[0].value = arguments[1];"
                              "arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
                              field, text)
    else:
        field.clear()
        field.send_keys(text)
