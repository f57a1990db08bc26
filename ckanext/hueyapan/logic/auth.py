"""Authorization of the plugin's actions. Reading is public; changing reference data is for
sysadmins (CKAN lets sysadmins through before these functions run, so they return False)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "hueyapan_comunidad_list",
    "hueyapan_comunidad_show",
    "hueyapan_comunidad_create",
    "hueyapan_comunidad_update",
    "hueyapan_comunidad_merge",
    "hueyapan_comunidad_retire",
    "hueyapan_termino_list",
    "hueyapan_termino_create",
    "hueyapan_termino_update",
    "hueyapan_resumen",
]


@tk.auth_allow_anonymous_access
def hueyapan_comunidad_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may list the communities: they are public reference data."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def hueyapan_comunidad_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may read a community, retired or merged ones included."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def hueyapan_termino_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may read the vocabularies."""
    return {"success": True}


def _sysadmins_only(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only site administrators may change reference data")}


hueyapan_comunidad_create = _sysadmins_only
hueyapan_comunidad_update = _sysadmins_only
hueyapan_comunidad_merge = _sysadmins_only
hueyapan_comunidad_retire = _sysadmins_only
hueyapan_termino_create = _sysadmins_only
hueyapan_termino_update = _sysadmins_only


@tk.auth_allow_anonymous_access
def hueyapan_resumen(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may summarise what they can search: package_search applies their permissions."""
    return {"success": True}
