"""CKAN's standard keys in every dataset the API gives, for all four types.

Plain CKAN gives every standard key of a dataset in ``package_create``, ``package_show`` and
``package_search``, ``null`` (or an empty list) when the dataset has no value: clients such as
ckanapi scripts and other portals that harvest the catalog read ``pkg["author"]`` without
checking. ckanext-scheming's show schema drops a field of the type's schema when it is empty, and
a type without the field (an obra has no ``author``) never has the key. :func:`complete` puts
back, with the empty value plain CKAN gives, every standard key that is absent (also a resource's
name, description and format); a key that is present is never changed. Called from
``search.after_show``, which both ``package_show`` and every search result pass through
(``package_create`` answers with ``package_show``).
"""
from __future__ import annotations

from typing import Any, Final

__all__ = ["VACIOS", "VACIOS_RECURSO", "complete"]

#: Standard keys of a dataset and what plain CKAN 2.12.0 gives when the dataset has no value.
VACIOS: Final[dict[str, Any]] = {
    "author": None,
    "author_email": None,
    "maintainer": None,
    "maintainer_email": None,
    "url": None,
    "version": None,
    "notes": None,
    "owner_org": None,
    "license_id": None,
    "extras": [],
    "tags": [],
    "groups": [],
    "resources": [],
    "relationships_as_object": [],
    "relationships_as_subject": [],
}

#: Standard keys of a resource that the resource fields of our schemas drop when empty.
VACIOS_RECURSO: Final[dict[str, Any]] = {"name": None, "description": None, "format": None}


def complete(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add to ``pkg_dict`` the standard keys it lacks, empty as plain CKAN gives them."""
    for key, empty in VACIOS.items():
        if key not in pkg_dict:
            pkg_dict[key] = list(empty) if isinstance(empty, list) else empty
    if "license_title" not in pkg_dict and pkg_dict.get("license_id") is None:
        pkg_dict["license_title"] = None
    for resource in pkg_dict["resources"]:
        if isinstance(resource, dict):
            for key, empty in VACIOS_RECURSO.items():
                resource.setdefault(key, empty)
    return pkg_dict
