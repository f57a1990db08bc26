"""Actions of the communities register (API: /api/3/action/hueyapan_comunidad_*)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.hueyapan.logic import schema
from ckanext.hueyapan.model import ESTADO_ACTIVA, Comunidad

__all__ = ["hueyapan_comunidad_list", "hueyapan_comunidad_show"]


def _validate(data_dict: DataDict, schema_: dict[str, Any], context: Context) -> DataDict:
    data, errors = tk.navl_validate(data_dict, schema_, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


@tk.side_effect_free
def hueyapan_comunidad_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """List the communities of the municipality, ordered by name.

    :param incluir_retiradas: also list retired and merged communities (default: false)
    :type incluir_retiradas: bool
    :param con_geometria: include each community's GeoJSON geometry (default: false)
    :type con_geometria: bool
    :returns: communities with their INEGI key (``cvegeo``, null for communities INEGI does not
        map), name, ámbito, reference point, 2020 census figures and state
    :rtype: list of dictionaries
    """
    tk.check_access("hueyapan_comunidad_list", context, data_dict)
    data = _validate(data_dict, schema.comunidad_list_schema(), context)
    query = model.Session.query(Comunidad)
    if not data.get("incluir_retiradas"):
        query = query.filter(Comunidad.estado == ESTADO_ACTIVA)
    with_geometry = bool(data.get("con_geometria"))
    return [c.as_dict(with_geometry) for c in query.order_by(Comunidad.nombre, Comunidad.cvegeo)]


@tk.side_effect_free
def hueyapan_comunidad_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Show one community, retired and merged ones included.

    :param id: the community's id or its 9-digit INEGI key (``cvegeo``)
    :type id: string
    :param con_geometria: include the GeoJSON geometry (default: true)
    :type con_geometria: bool
    :rtype: dictionary
    """
    tk.check_access("hueyapan_comunidad_show", context, data_dict)
    data = _validate(data_dict, schema.comunidad_show_schema(), context)
    key = data["id"]
    comunidad = (
        model.Session.query(Comunidad)
        .filter((Comunidad.id == key) | (Comunidad.cvegeo == key))
        .first()
    )
    if comunidad is None:
        raise tk.ObjectNotFound(tk._("Community not found: {key}").format(key=key))
    return comunidad.as_dict(data.get("con_geometria", True))
