"""Checks on every resource before it is stored: size and type of uploads (``subidas``), the
privacy guard and image metadata.

* A CSV or XLSX file, uploaded or linked, that holds personal data (CURPs, RFCs of persons,
  phone numbers, e-mail or street addresses) is refused with a Spanish message naming the
  columns and first rows. A sysadmin may publish it anyway by writing the reason in the
  resource's ``excepcion_privacidad`` field; who authorised it and when is added to that field,
  so it stays on the resource and in its activity stream.
* Uploaded images lose their EXIF GPS and device data before they reach the file storage.
"""
from __future__ import annotations

import datetime
import io
import logging
from typing import Any
from urllib.parse import urlparse

import requests
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan import authz
from ckan.types import Context

from ckanext.hueyapan.salvaguardas import imagenes, privacidad, redes, subidas

__all__ = ["before_create_or_update", "hide_internal", "may_edit"]

log = logging.getLogger(__name__)

OVERRIDE_FIELD = "excepcion_privacidad"
_AUTHORISED_MARK = " — "


def _read_upload(upload: FileStorage) -> bytes:
    upload.stream.seek(0)
    data = upload.stream.read()
    upload.stream.seek(0)
    return data


def _fetch_link(url: str) -> bytes | None:
    """The linked file's bytes (bounded), or None when it cannot be read."""
    if urlparse(url).scheme not in ("http", "https"):
        return None
    limit = tk.config["ckanext.hueyapan.privacidad.max_bytes_enlace"]
    try:
        with redes.session().get(url, stream=True, timeout=10) as response:
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size >= limit:
                    break
            return b"".join(chunks)
    except requests.RequestException as error:
        log.warning("Privacy guard could not read the linked file %s: %s", url, error)
        return None


def _override(context: Context, resource: dict[str, Any]) -> str | None:
    """The sysadmin's recorded override, or None when there is none."""
    reason = (resource.get(OVERRIDE_FIELD) or "").strip()
    if not reason:
        return None
    user = context.get("user")
    if not (user and authz.is_sysadmin(user)):
        raise tk.ValidationError({OVERRIDE_FIELD: [
            tk._("Only a site administrator may authorise publishing a file with personal data")
        ]})
    if _AUTHORISED_MARK not in reason:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        reason = reason + _AUTHORISED_MARK + tk._("authorised by {user}, {when}").format(
            user=user, when=stamp)
    return reason


def _guard_table(context: Context, resource: dict[str, Any], data: bytes, filename: str) -> None:
    try:
        findings = privacidad.scan_table(data, filename)
    except privacidad.PrivacyScanError as error:
        raise tk.ValidationError({"url": [str(error)]}) from error
    if not findings:
        return
    reason = _override(context, resource)
    if reason is None:
        raise tk.ValidationError({"url": [privacidad.describe(findings)]})
    resource[OVERRIDE_FIELD] = reason
    log.warning("Personal data published by override on %s: %s (%s)",
                filename, [f.kind for f in findings], reason)


def before_create_or_update(context: Context, resource: dict[str, Any]) -> None:
    subidas.check_resource(resource)  # size and real type first: nothing is stored otherwise
    upload = resource.get("upload")
    if isinstance(upload, FileStorage) and upload.filename:
        data = _read_upload(upload)
        if privacidad.is_table(upload.filename, upload.mimetype):
            _guard_table(context, resource, data, upload.filename)
            return
        try:
            stripped = imagenes.strip_image_metadata(data, upload.filename)
        except privacidad.PrivacyScanError as error:
            raise tk.ValidationError({"url": [str(error)]}) from error
        if stripped is not None:
            resource["upload"] = FileStorage(
                stream=io.BytesIO(stripped), filename=upload.filename,
                content_type=upload.content_type, name=upload.name,
            )
        return
    url = resource.get("url") or ""
    if url and resource.get("url_type") != "upload" and privacidad.is_table(url, None):
        data = _fetch_link(url)
        if data is not None:
            _guard_table(context, resource, data, urlparse(url).path)


def hide_internal(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Remove what only the dataset's editors may read: the recorded privacy exception of each
    resource (why a file flagged as holding personal data was published)."""
    for resource in pkg_dict.get("resources") or []:
        resource.pop(OVERRIDE_FIELD, None)
    return pkg_dict


def may_edit(context: Context, pkg_dict: dict[str, Any]) -> bool:
    """Whether whoever asks may edit the dataset. Visitors without an account never may: the
    check is skipped for them (most package_show calls of a public catalog; measured by
    bench/rendimiento.py)."""
    if not context.get("ignore_auth") and not context.get("user"):
        return False
    try:
        tk.check_access("package_update", context.copy(), {"id": pkg_dict.get("id")})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True
