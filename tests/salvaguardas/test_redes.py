"""No harvest source and no linked file makes the catalog fetch a local or private address
(server-side request forgery), unless the configuration allows it."""
from __future__ import annotations

import pytest

from ckanext.hueyapan.salvaguardas import redes

LOCALES = [
    "http://127.0.0.1:8983/solr/ckan/select?q=*:*",
    "http://localhost/",
    "http://10.0.0.5/obras.csv",
    "http://192.168.1.1/admin",
    "http://172.16.0.1/",
    "http://169.254.169.254/latest/meta-data/",   # cloud metadata
    "http://100.64.0.1/",                          # carrier-grade NAT
    "http://[::1]:5000/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/",
]


@pytest.mark.ckan_config("ckanext.hueyapan.cosecha.permitir_direcciones_locales", "false")
@pytest.mark.parametrize("url", LOCALES)
def test_local_and_private_addresses_are_refused(url):
    with pytest.raises(redes.AddressNotAllowed) as error:
        redes.check(url)
    assert "red local o privada" in str(error.value) or "local or private" in str(error.value)


@pytest.mark.ckan_config("ckanext.hueyapan.cosecha.permitir_direcciones_locales", "false")
def test_public_addresses_and_the_catalog_itself_are_allowed():
    redes.check("http://8.8.8.8/datos.csv")
    redes.check("https://[2001:4860:4860::8888]/catalogo.ttl")
    redes.check("http://test.ckan.net/ejemplos/obras.csv")  # ckan.site_url of test.ini


@pytest.mark.ckan_config("ckanext.hueyapan.cosecha.permitir_direcciones_locales", "false")
@pytest.mark.parametrize("url", ["ftp://example.org/obras.csv", "file:///etc/passwd", "http:///x"])
def test_only_http_addresses(url):
    with pytest.raises(redes.AddressNotAllowed):
        redes.check(url)


@pytest.mark.ckan_config("ckanext.hueyapan.cosecha.permitir_direcciones_locales", "false")
def test_the_guarded_session_refuses_before_connecting():
    """redes.session() checks in the transport adapter, so every hop of a redirect is checked
    the same way as the first request."""
    import requests

    with pytest.raises(requests.ConnectionError) as error:
        redes.session().get("http://127.0.0.1:9/", timeout=5)
    assert "127.0.0.1" in str(error.value)


@pytest.mark.ckan_config("ckanext.hueyapan.cosecha.permitir_direcciones_locales", "true")
def test_the_tests_configuration_allows_loopback():
    redes.check("http://127.0.0.1:8000/obras.csv")
