"""The web pages answer, in Spanish by default."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


@pytest.mark.usefixtures("with_plugins", "clean_db_all", "clean_index")
@pytest.mark.parametrize("url, spanish_text", [
    ("/", "Conjuntos de datos"),
    ("/dataset/", "Conjuntos de datos"),
])
def test_page_answers_in_spanish(app, url, spanish_text):
    response = app.get(url)
    assert response.status_code == 200
    page = BeautifulSoup(response.body, "html.parser")
    assert page.html["lang"] == "es"
    assert spanish_text in page.get_text()
    assert "Fuente: INEGI" in page.find("footer").get_text()


@pytest.mark.usefixtures("with_plugins", "clean_db_all", "clean_index")
def test_english_is_available(app):
    response = app.get("/en/dataset/")
    assert response.status_code == 200
    assert BeautifulSoup(response.body, "html.parser").html["lang"] == "en"
