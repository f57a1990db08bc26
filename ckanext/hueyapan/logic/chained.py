"""Checks on CKAN's own actions, run before them (``toolkit.chained_action``).

* Organization, group and user images (``*_create`` and ``*_update``): size and real type
  (:func:`ckanext.hueyapan.salvaguardas.subidas.check_image`), before CKAN reads the upload.
* Harvest sources (``package_create``, ``package_update`` and so ``package_patch`` of a dataset
  stored or declared of type ``harvest``, which is what ``harvest_source_create``/``_update`` and
  the harvest source form call, for every harvester type; a ``"type": "dataset"`` in the request
  does not skip it): on every change the address must be on the public internet, unless
  ``ckanext.hueyapan.cosecha.permitir_direcciones_locales`` is true (:func:`check_source_url`).
  The harvest consumers check every request again when they fetch (``redes``), so a source saved
  while local addresses were allowed still cannot reach them once they are not.
* Obras (``package_create``, ``package_update`` and so ``package_patch`` and ``package_revise``,
  whoever calls them: the staff forms, the "Actualizar avance" page, API clients, the harvest,
  the example data): the headline progress (``avance_fisico``, ``avance_financiero``) is computed
  from the history ``historial_avance``, and a new headline becomes a cut of that history
  dated today (:func:`ckanext.hueyapan.reglas.avance.reconcile`).
* Users' passwords (``user_update``, and so ``user_patch``, the password reset form and the user
  edit form): a new one ends the user's sessions on every device (``sesiones``), after CKAN.
* Users' e-mail hashes (``user_show``, ``user_list``, the members of ``organization_show`` and
  ``group_show``): only for the user themself and sysadmins (``cuentas.without_email_hash``).
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, ChainedAction, Context, DataDict
from ckanext.scheming.plugins import expand_form_composite

from ckanext.hueyapan import comun
from ckanext.hueyapan.reglas import avance
from ckanext.hueyapan.salvaguardas import cuentas, redes, sesiones, subidas

__all__ = [
    "group_create", "group_show", "group_update", "organization_create", "organization_show",
    "organization_update", "package_create", "package_update", "user_create", "user_list",
    "user_show", "user_update",
]

HARVEST_SOURCE_TYPE = "harvest"


def _checking_image(name: str, kind: str) -> ChainedAction:
    """The chained ``name`` (an organization, group or user action) that checks the uploaded
    image (``kind``: "group" or "user") before CKAN reads it."""
    def action(up_func: Action, context: Context, data_dict: DataDict) -> Any:
        subidas.check_image(data_dict, kind)
        return up_func(context, data_dict)

    action.__name__ = action.__qualname__ = name
    return tk.chained_action(action)


organization_create = _checking_image("organization_create", "group")
organization_update = _checking_image("organization_update", "group")
group_create = _checking_image("group_create", "group")
group_update = _checking_image("group_update", "group")
user_create = _checking_image("user_create", "user")
# and a new password ends the user's sessions on every device
user_update = sesiones.ending_sessions_on_new_password(_checking_image("user_update", "user"))


def check_source_url(url: Any) -> None:
    """Refuse (``ValidationError`` on ``url``, Spanish) a harvest source address that is not on
    the public internet (loopback, private, link-local such as the cloud metadata address
    169.254.169.254, or a host name that resolves to one), unless the configuration allows it."""
    if not isinstance(url, str) or not url.strip():
        return  # ckanext-harvest's schema says the address is missing
    try:
        redes.check(url.strip())
    except redes.AddressNotAllowed as error:
        raise tk.ValidationError({"url": [str(error)]}) from error


def _stored(data_dict: DataDict) -> model.Package | None:
    key = data_dict.get("id") or data_dict.get("name")
    return model.Package.get(key) if isinstance(key, str) and key else None


def _is_source(data_dict: DataDict, stored: model.Package | None) -> bool:
    """A harvest source, stored as one or declared as one: the ``type`` a caller sends
    (``"dataset"`` in a ``package_patch``) never hides a stored one."""
    return (data_dict.get("type") == HARVEST_SOURCE_TYPE
            or (stored is not None and stored.type == HARVEST_SOURCE_TYPE))


def _day_of(moment: datetime.datetime | None) -> datetime.date | None:
    """The day in Mexico City of a moment CKAN stored (naive UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=datetime.timezone.utc).astimezone(comun.TIMEZONE).date()


def _with_progress(data_dict: DataDict, stored: model.Package | None) -> DataDict:
    """The data of a write of an obra with its headline progress computed from its history
    (:func:`ckanext.hueyapan.reglas.avance.reconcile`), against the ``stored`` obra when it is
    an update; any other dataset's data as it came. A new dict: the caller's (a form's, which
    shows it again on an error) is not changed."""
    if (data_dict.get("type") or (stored.type if stored is not None else None)) != "obra":
        return data_dict
    data = dict(data_dict)
    # the staff form sends the history as "historial_avance-0-fecha" ...: read as scheming does
    expand_form_composite(data, {avance.HISTORY})
    previous = None
    if stored is not None:
        extras = stored.extras or {}
        previous = {measure: extras.get(measure) for measure in avance.MEASURES}
    return avance.reconcile(data, comun.today(), previous,
                            _day_of(stored.metadata_modified) if stored is not None else None)


@tk.chained_action
def package_create(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    if _is_source(data_dict, None):
        check_source_url(data_dict.get("url"))
    return up_func(context, _with_progress(data_dict, None))


@tk.chained_action
def package_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Also ``package_patch``, which calls it. The address is checked on every change of a
    source, whatever the request's ``type`` says, even when the address itself is unchanged."""
    stored = _stored(data_dict)
    if _is_source(data_dict, stored):
        check_source_url(data_dict.get("url"))
    return up_func(context, _without_withdrawal(_with_progress(data_dict, stored), stored))


def _without_withdrawal(data_dict: DataDict, stored: model.Package | None) -> DataDict:
    """A public dataset carries no record of a withdrawal (``comun.RETIRO_KEYS``: reason, date,
    user): publishing again through the API (``package_patch`` with ``private`` false, which
    sends the stored extras back) drops it as the page "Volver a publicar" does."""
    private = data_dict.get("private", stored.private if stored is not None else False)
    extras = data_dict.get("extras")
    if tk.asbool(private) or not isinstance(extras, list):
        return data_dict
    kept = [extra for extra in extras
            if not (isinstance(extra, dict) and extra.get("key") in comun.RETIRO_KEYS)]
    return data_dict if len(kept) == len(extras) else {**data_dict, "extras": kept}


def _hiding_email_hash(name: str, field: str | None) -> ChainedAction:
    """The chained read action ``name`` without other users' e-mail hashes (in its result, or
    in its result's ``field``)."""
    def action(up_func: Action, context: Context, data_dict: DataDict) -> Any:
        result = up_func(context, data_dict)
        cuentas.without_email_hash(context, result.get(field, []) if field else result)
        return result

    action.__name__ = action.__qualname__ = name
    return tk.side_effect_free(tk.chained_action(action))


user_show = _hiding_email_hash("user_show", None)
user_list = _hiding_email_hash("user_list", None)
organization_show = _hiding_email_hash("organization_show", "users")
group_show = _hiding_email_hash("group_show", "users")
