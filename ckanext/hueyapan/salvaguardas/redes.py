"""Which addresses the catalog's server may fetch on behalf of a harvest source.

A harvest source is an address staff type; the harvest consumers then fetch it from inside the
municipality's network. Without a check, a source pointing at ``http://127.0.0.1:8983/solr/...``,
a router's admin page or a cloud metadata address (``169.254.169.254``) would make the catalog
fetch it (server-side request forgery). :func:`check` refuses every address that is not public
on the internet (loopback, private, link-local, carrier-grade NAT, multicast, reserved), after
resolving the host name, unless ``ckanext.hueyapan.cosecha.permitir_direcciones_locales`` is true
(the test configuration sets it: the tests serve their sources on 127.0.0.1). The catalog's own
address (``ckan.site_url``) is always allowed: its public files are what any visitor reads.
"""
from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

if TYPE_CHECKING:
    import requests

__all__ = ["AddressNotAllowed", "GuardedAdapter", "check", "locals_allowed", "session"]


class AddressNotAllowed(ValueError):
    """The address is not a public internet address."""


def locals_allowed() -> bool:
    return tk.asbool(tk.config.get("ckanext.hueyapan.cosecha.permitir_direcciones_locales"))


def _own_site(parts: Any) -> bool:
    """The catalog's own address (ckan.site_url): its public files, e.g. a resource of the
    catalog harvested as a spreadsheet, are what any visitor can read."""
    site = urlsplit(tk.config.get("ckan.site_url") or "")
    default = {"http": 80, "https": 443}
    return (parts.hostname == site.hostname and parts.scheme == site.scheme
            and (parts.port or default.get(parts.scheme))
            == (site.port or default.get(site.scheme)))


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check(url: str) -> None:
    """Raise :class:`AddressNotAllowed` (Spanish message) unless ``url`` is http(s) to a host
    whose every address is public, or local addresses are allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressNotAllowed(tk._("The address must start with http:// or https://"))
    if locals_allowed() or _own_site(parts):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, port,
                                                                    proto=socket.IPPROTO_TCP)}
    except (OSError, ValueError, UnicodeError) as error:
        raise AddressNotAllowed(tk._("The server {host} could not be found").format(
            host=parts.hostname)) from error
    if not addresses or not all(_public(address) for address in addresses):
        raise AddressNotAllowed(tk._(
            "The address {host} is a local or private network address: the catalog only "
            "harvests public internet addresses").format(host=parts.hostname))


def _adapter_class() -> type:
    from requests.adapters import HTTPAdapter
    from requests.exceptions import ConnectionError as RequestsConnectionError

    class GuardedAdapter(HTTPAdapter):
        """An HTTP adapter that checks every request (each redirect too) with :func:`check`."""

        def send(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
            try:
                check(request.url)
            except AddressNotAllowed as error:
                raise RequestsConnectionError(str(error), request=request) from error
            return super().send(request, *args, **kwargs)

    return GuardedAdapter


GuardedAdapter = _adapter_class()


def session() -> requests.Session:
    """A requests session that fetches only public addresses (every redirect is checked)."""
    import requests

    guarded = requests.Session()
    adapter = GuardedAdapter()
    guarded.mount("http://", adapter)
    guarded.mount("https://", adapter)
    return guarded
