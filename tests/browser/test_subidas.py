"""An uploaded file opened in headless Chromium runs nothing in the catalog's origin (issue 16).

The file is an XML document with an XHTML ``script`` (the stored XSS of the issue: served as
``application/xml``, Chromium ran it when a sysadmin clicked "Descargar"). The upload checks now
refuse it, so the test puts it behind them, as a file stored before they existed would be, and
opens its ``/download`` address. The script would ask the server for ``/xss-ran``; Chromium's
network log must not hold that request. Without the download headers the pages' policy still
stops it; with both switched off, the detector sees the script run.
"""
from __future__ import annotations

import io
import time

import pytest
import requests

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import area_obras, obra
from tests.salvaguardas.test_subidas import XML_CON_SCRIPT, _store_legacy

AUTH = "Authorization"


def _script_ran(browser, url: str) -> bool:
    browser.network_log.drain()
    before = len(browser.network_log.urls)
    browser.get(url)
    time.sleep(1.5)  # a script that runs asks for /xss-ran at once
    browser.network_log.drain()
    return any(u.endswith("/xss-ran") for u in browser.network_log.urls[before:])


@pytest.fixture
def stored_xml(live_server, comunidades):
    """The download address of an uploaded resource whose stored file is the XHTML script."""
    user = factories.SysadminWithToken()
    org = area_obras()
    dataset = call_action("package_create", {"user": user["name"]}, **obra(org))
    answer = requests.post(f"{live_server}/api/3/action/resource_create", headers={
        AUTH: user["token"]}, data={"package_id": dataset["id"], "name": "avance"},
        files={"upload": ("avance.txt", io.BytesIO(b"Notas\n"), "text/plain")}, timeout=60)
    assert answer.status_code == 200, answer.text
    resource = answer.json()["result"]
    _store_legacy(resource, XML_CON_SCRIPT, "application/xml")
    return f"{live_server}/obra/{dataset['name']}/resource/{resource['id']}/download/avance.xml"


def test_an_xml_upload_opened_in_chromium_runs_nothing(browser, stored_xml, monkeypatch):
    served = requests.get(stored_xml, timeout=30)
    assert served.content == XML_CON_SCRIPT
    assert served.headers["Content-Type"].startswith("application/xml")
    assert not _script_ran(browser, stored_xml)

    from ckanext.hueyapan.salvaguardas import cabeceras

    monkeypatch.setattr(cabeceras, "is_uploaded_file", lambda: False)
    # without the download headers, the pages' policy still refuses the inline script
    assert not _script_ran(browser, stored_xml)
    monkeypatch.setattr(cabeceras, "page_policy", lambda: cabeceras.FRAME_ANCESTORS)
    assert _script_ran(browser, stored_xml), "the detector did not see the unguarded script run"
