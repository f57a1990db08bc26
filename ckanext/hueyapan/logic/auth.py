"""Authorization of the plugin's actions."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["hueyapan_comunidad_list", "hueyapan_comunidad_show"]


@tk.auth_allow_anonymous_access
def hueyapan_comunidad_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may list the communities: they are public reference data."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def hueyapan_comunidad_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may read a community, retired or merged ones included."""
    return {"success": True}
