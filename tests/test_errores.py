"""Error pages in Spanish: the web server's generic English texts are replaced, the catalog's own
messages kept."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.usefixtures("with_plugins")


def _text(response) -> str:
    page = BeautifulSoup(response.body, "html.parser")
    return " ".join(page.find(id="error-content").get_text(" ").split())


def test_an_unknown_address_is_a_spanish_404(app):
    text = _text(app.get("/no-existe", status=404))
    assert "No encontramos esta página" in text and "(error 404)" in text
    assert "requested URL" not in text and "Not Found" not in text


def test_the_catalogs_own_message_is_kept(app):
    text = _text(app.get("/plantillas/no-existe.csv", status=404))
    assert "No hay plantilla para «no-existe»" in text
