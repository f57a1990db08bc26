"""Authorization of the plugin's actions. Reading is public; changing reference data is for
sysadmins (CKAN lets sysadmins through before these functions run, so they return False)."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz
from ckan.types import AuthResult, Context, DataDict

from ckanext.hueyapan.logic import propuestas

__all__ = [  # pyright: ignore[reportUnsupportedDunderAll] - spreads propuestas.__all__
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
    *propuestas.__all__,  # one auth function per action of the proposals, defined below
    "package_create",  # chained to CKAN's, for harvest sources (below)
    "package_update",
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


# Proposals: the actions check who may read or change each proposal (participacion.role); here
# only "logged in or not" is decided.

def hueyapan_propuesta_create(context: Context, data_dict: DataDict) -> AuthResult:
    """A registered user (anonymous visitors cannot submit)."""
    return {"success": bool(context.get("user")),
            "msg": tk._("Log in to take part in a call")}


@tk.auth_allow_anonymous_access
def _read(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


hueyapan_propuesta_show = _read
hueyapan_propuesta_list = _read
hueyapan_convocatoria_resultados = _read


def _logged_in(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": bool(context.get("user")), "msg": tk._("Log in first")}


hueyapan_propuesta_estado = _logged_in
hueyapan_propuesta_convertir = _logged_in
hueyapan_propuesta_informe = _logged_in


# Harvest sources. ckanext-harvest authorises creating or editing a source as creating or editing
# the source's own dataset, in the área that owns it. But our spreadsheet harvester publishes
# into the área its configuration names ("organizacion"), as the site user: without this check
# an admin of área B could fill área A with datasets through a source of B's.

def _harvest_target_refused(context: Context, data_dict: DataDict | None) -> AuthResult | None:
    """A refusal when ``data_dict`` is a hueyapan_tabular source whose configuration names an
    área where the user may not create datasets; None otherwise."""
    if not data_dict or data_dict.get("source_type") != "hueyapan_tabular":
        return None
    try:
        config: Any = json.loads(data_dict.get("config") or "{}")
    except (TypeError, ValueError):
        return None  # the harvester's own validation explains the mistake
    target = config.get("organizacion") if isinstance(config, dict) else None
    if not target or authz.has_user_permission_for_group_or_org(
            target, context.get("user"), "create_dataset"):
        return None
    return {"success": False, "msg": tk._(
        "This harvest source would publish in the area \"{area}\", where you may not publish "
        "datasets: choose one of your areas in \"organizacion\"").format(area=target)}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access  # as CKAN's own: anonymous users reach its rule
def package_create(next_auth: Any, context: Context,
                   data_dict: DataDict | None = None) -> AuthResult:
    result = next_auth(context, data_dict)
    return (result.get("success") and _harvest_target_refused(context, data_dict)) or result


@tk.chained_auth_function
@tk.auth_allow_anonymous_access  # as CKAN's own: anonymous users reach its rule
def package_update(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    result = next_auth(context, data_dict)
    return (result.get("success") and _harvest_target_refused(context, data_dict)) or result
