"""The pages satisfy their Content-Security-Policy in headless Chromium (issue 16).

One browser session opens a representative set of public pages and, logged in as a sysadmin, of
staff pages (every dataset type's forms with their widgets, the resource form, áreas, harvest
sources, the user's and the site's settings), with the catalog's real policy on. A listener
registered before any script of the page keeps every ``securitypolicyviolation`` Chromium reports;
any, on any page, fails the test. So does inline code left in the DOM that would break the policy
only when used (an ``onclick=``, a ``javascript:`` link, an inline ``<script>``). The widgets that
had such code (the list and repeating fields of the forms, the resource's upload and link buttons,
the API token list) are used, to show they still work without it. A script injected into a page is
blocked and reported: the listener sees what it must. (Made-up data.)
"""
from __future__ import annotations

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser.support import click_and_wait, csp_problems, visit, watch_csp
from tests.fabricas import area_obras, convocatoria, dia, obra, programa

PASSWORD = "Politica-Hueyapan-2026"
LOS_MANGOS = "300730030"
#: A box around the municipality (west, south, east, north): the spatial search.
BBOX = "-95.6,17.9,-94.8,18.5"


@pytest.fixture
def catalogo(comunidades, live_server):
    """An área with a sysadmin, one dataset of each type (the obra with a linked document) and
    a harvest source."""
    from tests.harvesters.conftest import create_source

    admin = factories.Sysadmin(name="admin-csp", password=PASSWORD, image_url="")
    org = area_obras()
    context = {"user": admin["name"]}
    made = {
        "obra": call_action("package_create", dict(context), **obra(org)),
        "programa-social": call_action("package_create", dict(context), **programa(org)),
        "convocatoria": call_action("package_create", dict(context), **convocatoria(
            org, fecha_apertura=dia(-5), fecha_cierre=dia(30), fecha_resultados=dia(45))),
        "dataset": call_action("package_create", dict(context), type="dataset",
                               owner_org=org["id"], name="padron-de-localidades",
                               title="Padrón de localidades", notes="Datos de ejemplo.",
                               extras=[{"key": "spatial", "value": '{"type": "Point", '
                                        '"coordinates": [-95.15, 18.15]}'}]),
    }
    made["recurso"] = call_action("resource_create", dict(context), package_id=made["obra"]["id"],
                                  name="Expediente técnico", format="PDF",
                                  url="https://example.org/expediente.pdf")
    made["fuente"] = create_source(
        name="obras-tesoreria", title="Obras de Tesorería (datos de ejemplo)",
        url=f"{live_server}/obras.csv", source_type="hueyapan_tabular", owner_org=org["id"],
        config={"tipo": "obra", "organizacion": org["name"]})
    call_action("api_token_create", dict(context), user=admin["name"], name="lectura")
    made.update(admin=admin, org=org)
    return made


def _public_pages(made) -> list[str]:
    obra_, recurso = made["obra"]["name"], made["recurso"]["id"]
    return [
        "/", "/obra/", "/obra/?hueyapan_etapa=planeacion", f"/obra/?ext_bbox={BBOX}",
        f"/obra/{obra_}", f"/obra/{obra_}/resource/{recurso}",
        f"/programa-social/{made['programa-social']['name']}",
        f"/convocatoria/{made['convocatoria']['name']}", f"/comunidad/{LOS_MANGOS}", "/comunidad/",
        "/datos-para-periodistas", "/plantillas", "/user/login", "/user/register",
        f"/dataset/?ext_bbox={BBOX}", f"/dataset/{made['dataset']['name']}", "/organization/",
        f"/organization/{made['org']['name']}", "/harvest/", "/no-existe-esta-pagina",
    ]


def _staff_pages(made) -> list[str]:
    obra_, recurso, admin = made["obra"]["name"], made["recurso"]["id"], made["admin"]["name"]
    pages = ["/dashboard/datasets", "/dataset/new", f"/{'obra'}/{obra_}/resource/new",
             f"/obra/{obra_}/resource/{recurso}/edit", f"/obra/{obra_}/resource/{recurso}",
             f"/organization/edit/{made['org']['name']}", "/organization/new",
             f"/organization/members/{made['org']['name']}", "/harvest/new",
             f"/harvest/{made['fuente']['name']}", f"/harvest/edit/{made['fuente']['name']}",
             f"/user/edit/{admin}", f"/user/{admin}/api-tokens", "/ckan-admin/config",
             "/ckan-admin/", f"/obra/{obra_}", "/dashboard/", f"/user/{admin}",
             f"/dataset/activity/{made['dataset']['name']}",
             f"/convocatoria/{made['convocatoria']['name']}/propuestas",
             f"/convocatoria/{made['convocatoria']['name']}/propuesta/nueva"]
    for tipo in ("obra", "programa-social", "convocatoria", "dataset"):
        pages += [f"/{tipo}/new", f"/{tipo}/edit/{made[tipo]['name']}"]
    return pages


def _check(browser, base: str, path: str, problems: list[str]) -> None:
    visit(browser, base + path)
    problems += [f"{path}: {problem}" for problem in csp_problems(browser)]


def _use_the_form_widgets(browser, problems: list[str]) -> None:
    """On the obra's form: a list field and a repeating group get one more entry, an entry is
    removed, all without leaving the page; the checks run again after the clicks."""
    def count(selector: str) -> int:
        return len(browser.find_elements(By.CSS_SELECTOR, selector))

    lists = browser.find_elements(By.CSS_SELECTOR, "[data-module=scheming-multiple-text]")
    if not lists:
        problems.append("obra form: no list field to use")
        return
    fieldset = lists[0]
    before = len(fieldset.find_elements(By.CSS_SELECTOR, "li"))
    browser.execute_script("arguments[0].click()",
                           fieldset.find_element(By.CSS_SELECTOR, "a[name=multiple-add]"))
    WebDriverWait(browser, 10).until(
        lambda d: len(fieldset.find_elements(By.CSS_SELECTOR, "li")) == before + 1)
    remove = fieldset.find_elements(By.CSS_SELECTOR, "a[name=multiple-remove]")[-1]
    browser.execute_script("arguments[0].click()", remove)
    WebDriverWait(browser, 10).until(
        lambda d: len(fieldset.find_elements(By.CSS_SELECTOR, "li")) == before)
    groups = count(".scheming-subfield-group")
    browser.execute_script("arguments[0].click()",
                           browser.find_element(By.CSS_SELECTOR, "a[name=repeating-add]"))
    WebDriverWait(browser, 10).until(lambda d: count(".scheming-subfield-group") == groups + 1)
    if "/edit/" not in browser.current_url:
        problems.append(f"obra form: the widgets left the page for {browser.current_url}")


def _use_the_resource_buttons(browser, problems: list[str]) -> None:
    """On the resource form: "Link" shows the address field, "Remove" takes it away again."""
    browser.execute_script("arguments[0].click()",
                           browser.find_element(By.ID, "resource-link-button"))
    url = browser.find_element(By.ID, "field-resource-url")
    WebDriverWait(browser, 10).until(lambda d: url.is_displayed())
    if browser.switch_to.active_element != url:
        problems.append("resource form: the Link button did not move the focus to the address")
    url.send_keys("https://example.org/avance.csv")
    remove = url.find_element(By.XPATH, "ancestor::div[contains(@class,'select-type')]"
                                        "//button[contains(@class,'btn-remove-url')]")
    browser.execute_script("arguments[0].click()", remove)
    WebDriverWait(browser, 10).until(lambda d: not url.is_displayed())
    if url.get_attribute("value"):
        problems.append("resource form: Remove left the address in the field")


def _use_the_token_list(browser, problems: list[str]) -> None:
    """On the user's API tokens: a token created through the form joins the list; ticking a
    token enables "Revoke tokens", unticking it disables the button again."""
    rows = len(browser.find_elements(By.CSS_SELECTOR, "#api-tokens-table tbody tr"))
    browser.find_element(By.CSS_SELECTOR, "form input[name=name]").send_keys("publicacion")
    browser.find_element(By.CSS_SELECTOR, "button[value=create]").click()
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(
        By.CSS_SELECTOR, "#api-tokens-table tbody tr")) == rows + 1)
    button = browser.find_element(By.ID, "revoke-tokens-button")
    box = browser.find_element(By.CSS_SELECTOR, "#api-tokens-table input[name=token]")
    box.click()
    WebDriverWait(browser, 10).until(lambda d: button.is_enabled())
    box.click()
    WebDriverWait(browser, 10).until(lambda d: not button.is_enabled())


def test_every_page_satisfies_the_policy(browser, live_server, catalogo, login, screenshot):
    watch_csp(browser)
    problems: list[str] = []

    # the listener sees a violation: an inline script added to a page is blocked and reported
    visit(browser, live_server + "/")
    ran = browser.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        "document.body.appendChild(s); return window.__ran === 1;")
    reported = browser.execute_script("return window.__csp")
    assert not ran and any("script-src" in r for r in reported), reported

    public = _public_pages(catalogo)
    for path in public:
        _check(browser, live_server, path, problems)
    # a facet is followed by htmx, which swaps the page's body under the first page's policy
    visit(browser, live_server + "/obra/")
    facet = browser.find_element(By.CSS_SELECTOR, "a[href*='hueyapan_etapa=']")
    click_and_wait(browser, facet)
    problems += [f"/obra/ after a facet: {p}" for p in csp_problems(browser)]
    screenshot("busqueda-con-faceta")

    login(catalogo["admin"]["name"], PASSWORD)
    staff = _staff_pages(catalogo)
    for path in staff:
        _check(browser, live_server, path, problems)
    obra_ = catalogo["obra"]["name"]
    for path, use in ((f"/obra/edit/{obra_}", _use_the_form_widgets),
                      (f"/obra/{obra_}/resource/new", _use_the_resource_buttons),
                      (f"/user/{catalogo['admin']['name']}/api-tokens", _use_the_token_list)):
        _check(browser, live_server, path, problems)
        try:
            use(browser, problems)
        except WebDriverException as error:  # reported with the rest
            problems.append(f"{path}: {use.__name__} failed: {error.msg}")
        problems += [f"{path} after {use.__name__}: {p}" for p in csp_problems(browser)]
    screenshot("formulario-de-recurso")

    print(f"{len(public)} public and {len(staff)} staff pages checked")
    assert not problems, "\n".join(problems)
