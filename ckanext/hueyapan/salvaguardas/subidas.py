"""What the catalog accepts as an uploaded file: its size and what it really is.

CKAN 2.12 serves an uploaded resource inline from the catalog's own address, with the media type
of its file name (or the ``mimetype`` the uploader typed), and checks neither its content nor,
until after the dataset has been saved, its size. An HTML page or an SVG image with a script
would then run in the browser of whoever opens the link, with their session in the catalog
(stored cross-site scripting: CKAN advisories CVE-2021-25967 and CVE-2025-24372 for images).

**Resources** (:func:`check_resource`, from the ``before_resource_create``/``_update`` hooks):

* larger than ``ckan.max_resource_size`` megabytes: refused before anything is stored;
* what the file *is* is read from its content with libmagic, never trusted from the name or the
  declared type: it must be one of ``ckanext.hueyapan.subidas.tipos_recurso`` (data, documents,
  archives and raster images by default);
* whatever that option says, web pages (HTML, XHTML), SVG images, scripts and programs are
  refused, by content, by the file name's extension, by the declared ``Content-Type`` and by the
  resource's ``mimetype`` field (which decides how the catalog serves the file);
* an XML file (KML, GML ...) must not hold XHTML, SVG, MathML or XSLT elements, a ``script``
  element nor an ``xml-stylesheet``. That check runs whenever the content, the file name, the
  declared type or the ``mimetype`` field says XML of any kind (``/xml``, ``+xml``), HTML, SVG
  or script, not only when libmagic recognises XML (it reads an XML file that does not begin
  with ``<?xml`` as plain text), and again on the stored file when a ``resource_update`` or
  ``resource_patch`` changes only the ``mimetype`` or the name to such a type.

Whatever passed, the catalog serves uploaded files as inert downloads (``cabeceras``).

**Organization, group and user images** (:func:`check_image`, from the chained ``*_create`` and
``*_update`` actions in ``logic/chained.py``): at most ``ckan.max_image_size`` megabytes, and a real
raster picture that Pillow decodes as PNG, JPEG, GIF or WebP, among CKAN's
``ckan.upload.{group,user}.mimetypes``.

Messages are in Spanish, on the field of the form where the file is chosen (``url`` for a
resource, ``image_url`` for an image).
"""
from __future__ import annotations

import io
import mimetypes
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, BinaryIO, cast

import ckan.plugins.toolkit as tk

__all__ = ["check_image", "check_resource", "content_type"]

MB = 1024 * 1024
#: Bytes of a file libmagic reads to tell what it is (an XLSX needs its first entries).
_HEAD_BYTES = MB

#: Content that a browser runs (as a page, a script or a style sheet): never served by the catalog.
ACTIVE_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "image/svg+xml", "image/svg+xml-compressed",
    "text/javascript", "application/javascript", "application/x-javascript",
    "application/ecmascript", "text/ecmascript", "text/jscript", "application/xslt+xml",
    "text/xsl", "application/x-shockwave-flash", "text/x-php", "application/x-httpd-php",
    "text/vbscript", "application/hta", "text/x-component",
})
#: Programs and scripts a computer would run.
PROGRAM_TYPES = frozenset({
    "application/x-dosexec", "application/x-msdownload", "application/x-msdos-program",
    "application/vnd.microsoft.portable-executable", "application/x-executable",
    "application/x-pie-executable", "application/x-sharedlib", "application/x-mach-binary",
    "application/x-elf", "application/x-sh", "text/x-shellscript", "application/x-csh",
    "application/x-bat", "application/x-msi", "application/java-archive",
    "application/x-java-archive", "application/vnd.android.package-archive", "text/x-python",
    "text/x-script.python", "text/x-perl", "application/x-perl", "text/x-ruby",
})
#: XML vocabularies a browser renders as a page or runs (a KML or GML file holds none of them).
_ACTIVE_XML_NAMESPACES = (
    "http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg",
    "http://www.w3.org/1998/Math/MathML", "http://www.w3.org/1999/XSL/Transform",
)
#: Raster pictures an organization, group or user image may be, by Pillow's format name.
_RASTER = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}

#: How the formats are named to people (the option lists media types).
_FORMAT_NAMES = {
    "text/csv": "CSV", "text/plain": "TXT", "text/tab-separated-values": "TSV",
    "application/json": "JSON", "application/geo+json": "GeoJSON", "text/xml": "XML (KML, GML)",
    "application/xml": "XML", "application/pdf": "PDF", "application/zip": "ZIP (SHP, KMZ)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.presentation": "ODP",
    "application/vnd.ms-excel": "XLS", "application/msword": "DOC",
    "application/vnd.ms-powerpoint": "PPT", "application/vnd.sqlite3": "GeoPackage",
    "application/x-sqlite3": "GeoPackage", "image/png": "PNG", "image/jpeg": "JPEG",
    "image/gif": "GIF", "image/webp": "WebP", "image/tiff": "TIFF",
}


def _refuse(field: str, message: str) -> None:
    raise tk.ValidationError({field: [message]})


def _stream(upload: Any) -> BinaryIO:
    return upload.stream


def _size(upload: Any) -> int:
    stream = _stream(upload)
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _read(upload: Any, limit: int | None = None) -> bytes:
    stream = _stream(upload)
    stream.seek(0)
    data = stream.read() if limit is None else stream.read(limit)
    stream.seek(0)
    return data


def content_type(data: bytes) -> str:
    """The media type of ``data`` from its content (libmagic), e.g. ``text/csv``."""
    import magic

    return magic.from_buffer(data, mime=True) if data else "application/x-empty"


def _base_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def _name_type(filename: str | None) -> str:
    """The media type browsers and CKAN give a file of that name (by its extension)."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    return _base_type(mimetypes.guess_type(name)[0])


def _is_active(media_type: str) -> bool:
    return (media_type in ACTIVE_TYPES or media_type in PROGRAM_TYPES
            or media_type.startswith("image/svg"))


def _describe(media_type: str) -> str:
    """What a refused media type is, said to people."""
    if media_type in ("text/html", "application/xhtml+xml"):
        return tk._("a web page (HTML)")
    if media_type.startswith("image/svg"):
        return tk._("an SVG image, which can carry scripts")
    if media_type in PROGRAM_TYPES:
        return tk._("a program or a script")
    if media_type in ACTIVE_TYPES:
        return tk._("a script or active web content ({type})").format(type=media_type)
    return tk._("of type {type}").format(type=media_type)


def _format_list(media_types: list[str]) -> str:
    names: list[str] = []
    for media_type in media_types:
        name = _FORMAT_NAMES.get(media_type, media_type)
        if name not in names:
            names.append(name)
    return ", ".join(names)


def _active_xml(data: bytes) -> str | None:
    """Why an XML file would be rendered or run by a browser (None when it would not). A file
    that does not parse is refused too: the browser's parser might read what ours could not."""
    parser = ET.XMLPullParser(events=("start", "pi"))
    try:
        parser.feed(data)
        parser.close()
        # only the events asked for: ("start" or "pi", an element)
        for event, element in cast("Iterator[tuple[str, ET.Element]]", parser.read_events()):
            if event == "pi":
                if (element.text or "").strip().lower().startswith("xml-stylesheet"):
                    return "xml-stylesheet"
                continue
            tag = element.tag if isinstance(element.tag, str) else ""
            namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
            if namespace in _ACTIVE_XML_NAMESPACES or tag.rsplit("}", 1)[-1].lower() == "script":
                return tag
    except ET.ParseError:
        return "not-well-formed"
    return None


def _says_markup(media_type: str) -> bool:
    """XML of any kind, HTML, SVG or script: a type a browser may render as a page and run."""
    return bool(media_type) and (
        media_type.endswith(("/xml", "+xml")) or "html" in media_type or _is_active(media_type))


def _looks_like_markup(data: bytes) -> bool:
    """The content begins with a tag (after a byte-order mark and blanks), in UTF-8 or UTF-16."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if data.startswith(bom):
            data = data[len(bom):]
            break
    head = data[:64].replace(b"\x00", b"").lstrip(b" \t\r\n")
    return head.startswith(b"<")


def _check_markup(field: str, name: str, data: bytes, strict: bool) -> None:
    """Refuse XML content a browser would run. ``strict``: something says the file is XML, so
    one that does not parse is refused too (the browser's parser might read what ours could
    not); otherwise only content that parses and holds active elements is refused."""
    found = _active_xml(data)
    if found == "not-well-formed":
        if strict:
            _refuse(field, tk._("The file \"{name}\" is not well-formed XML").format(name=name))
        return
    if found:
        _refuse(field, _active_message(name, "application/xhtml+xml"))


def _stored_file(resource: dict[str, Any]) -> bytes | None:
    """The bytes of the file already stored for ``resource`` (None when there is none here)."""
    from ckan.lib import uploader

    if not resource.get("id"):
        return None
    path = uploader.get_resource_uploader(resource).get_path(resource["id"])
    limit = tk.asint(tk.config.get("ckan.max_resource_size")) * MB
    try:
        with open(path, "rb") as handle:
            return handle.read(limit + 1)
    except (OSError, TypeError):
        return None


def _check_type_fields(resource: dict[str, Any], name: str) -> None:
    """The resource's ``mimetype`` decides how the catalog serves its file."""
    declared = _base_type(resource.get("mimetype"))
    if declared and _is_active(declared):
        _refuse("mimetype", tk._(
            "The media type \"{type}\" would make browsers run the file \"{name}\" as a web page "
            "or a program: leave the field empty or give the type of the data").format(
                type=declared, name=name))


def check_resource(resource: dict[str, Any]) -> None:
    """Refuse (``ValidationError``, Spanish) an uploaded resource file that is too large or is
    not an accepted type, and an upload whose name or ``mimetype`` would be served as a page or a
    program. Call before anything is stored."""
    from werkzeug.datastructures import FileStorage

    upload = resource.get("upload")
    if not (isinstance(upload, FileStorage) and upload.filename):
        if resource.get("url_type") == "upload":
            name = PurePosixPath(str(resource.get("url") or "").split("?", 1)[0]).name
            name_type = _name_type(name)
            if _is_active(name_type):
                _refuse("url", _active_message(name, name_type))
            _check_type_fields(resource, name)
            declared = _base_type(resource.get("mimetype"))
            if _says_markup(name_type) or _says_markup(declared):
                stored = _stored_file(resource)
                if stored is not None:
                    field = "mimetype" if _says_markup(declared) else "url"
                    _check_markup(field, name, stored, strict=True)
        return
    name = PurePosixPath(upload.filename.replace("\\", "/")).name
    limit = tk.asint(tk.config.get("ckan.max_resource_size")) * MB
    if _size(upload) > limit:
        _refuse("url", tk._(
            "The file \"{name}\" weighs more than {limit} MB, the largest file a resource may "
            "have").format(name=name, limit=limit // MB))
    for claimed in (_name_type(name), _base_type(upload.content_type)):
        if _is_active(claimed):
            _refuse("url", _active_message(name, claimed))
    _check_type_fields(resource, name)
    head = _read(upload, _HEAD_BYTES)
    detected = content_type(head)
    if _is_active(detected):
        _refuse("url", _active_message(name, detected))
    allowed = [_base_type(t)
               for t in tk.aslist(tk.config.get("ckanext.hueyapan.subidas.tipos_recurso"))]
    if detected not in allowed:
        _refuse("url", tk._(
            "The file \"{name}\" is {kind}, a type the catalog does not accept for a resource. "
            "Accepted formats: {formats}").format(
                name=name, kind=_describe(detected), formats=_format_list(allowed)))
    claims = (detected, _name_type(name), _base_type(upload.content_type),
              _base_type(resource.get("mimetype")))
    if any(_says_markup(claim) for claim in claims) or _looks_like_markup(head):
        _check_markup("url", name, _read(upload),
                      strict=any(_says_markup(claim) for claim in claims))


def _active_message(name: str, media_type: str) -> str:
    return tk._(
        "The file \"{name}\" is {kind}: the catalog does not accept web pages, SVG images, "
        "scripts or programs, which could run in the browser or the computer of whoever opens "
        "them").format(name=name, kind=_describe(media_type))


def check_image(data_dict: dict[str, Any], object_type: str) -> None:
    """Refuse (``ValidationError`` on ``image_url``, Spanish) an uploaded organization, group
    (``object_type`` ``group``) or user (``user``) image that is too large or is not a real PNG,
    JPEG, GIF or WebP picture allowed by ``ckan.upload.<object_type>.mimetypes``."""
    from PIL import Image, UnidentifiedImageError
    from werkzeug.datastructures import FileStorage

    upload = data_dict.get("image_upload")
    if not (isinstance(upload, FileStorage) and upload.filename):
        return
    name = PurePosixPath(upload.filename.replace("\\", "/")).name
    limit = tk.asint(tk.config.get("ckan.max_image_size")) * MB
    if _size(upload) > limit:
        _refuse("image_url", tk._(
            "The image \"{name}\" weighs more than {limit} MB, the largest image allowed").format(
                name=name, limit=limit // MB))
    configured = [_base_type(t) for t in
                  tk.aslist(tk.config.get(f"ckan.upload.{object_type}.mimetypes"))]
    allowed = list(_RASTER) if "*" in configured else [t for t in configured if t in _RASTER]
    refused = tk._("The file \"{name}\" is not a picture in one of these formats: "
                   "{formats}").format(name=name, formats=_format_list(allowed))
    data = _read(upload)
    detected = content_type(data[:_HEAD_BYTES])
    if detected not in allowed:
        _refuse("image_url", refused)
    for claimed in (_name_type(name), _base_type(upload.content_type)):
        if claimed and claimed not in allowed and claimed != "application/octet-stream":
            _refuse("image_url", refused)
    try:
        with Image.open(io.BytesIO(data), formats=[_RASTER[detected]]) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        _refuse("image_url", refused)
