"""Loading, finding and removing the example data: the stories of ``relatos.py`` made datasets,
proposals and users of the catalog, marked so that they are found and removed again.
"""
from __future__ import annotations

import datetime
import io
import logging
import os
import secrets
import shutil
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.model import system_info
from ckan.types import Context

from ckanext.hueyapan import comun, participacion
from ckanext.hueyapan.ejemplos.fotos import draw
from ckanext.hueyapan.ejemplos.relatos import MARCA, VERSION, Archivo, Historia, historias
from ckanext.hueyapan.model import Comunidad, Propuesta

__all__ = ["ETIQUETA", "FUENTE", "Resultado", "load", "list_datasets", "is_loaded", "remove"]

log = logging.getLogger(__name__)

#: Tag of every example dataset: ``fq=tags:datos-de-ejemplo`` finds them all.
ETIQUETA = "datos-de-ejemplo"
#: The harvest source of the example spreadsheet of earlier versions (removed when found).
FUENTE = "obras-datos-de-ejemplo"
_MARCADOR = "ckanext.hueyapan.datos_ejemplo.cargados"
_USUARIOS = "ejemplo-"
_AVISO = (f"**{MARCA}.** Registro generado para mostrar el catálogo: no es información oficial "
          "del Ayuntamiento. Las personas, empresas y documentos que menciona son ficticios.")


@dataclass
class Resultado:
    creados: list[str] = field(default_factory=list)
    actualizados: list[str] = field(default_factory=list)
    sin_cambios: list[str] = field(default_factory=list)
    #: stories this catalog refuses (the obra without consultation, where
    #: ``ckanext.hueyapan.obra.consulta_obligatoria`` stops it), with the reason
    omitidos: dict[str, str] = field(default_factory=dict)


# --- loading ------------------------------------------------------------------------------------

def _contexto() -> Context:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _campos(historia: Historia) -> dict[str, Any]:
    """The dataset dict of a story: marked in title, description and tag."""
    datos = dict(historia.datos)
    return {**datos, "type": historia.tipo, "name": historia.nombre,
            "title": f"{datos['title']} ({MARCA})",
            "notes": f"{_AVISO}\n\n**Historia del ejemplo:** {historia.historia}",
            "tags": [{"name": ETIQUETA}], "private": False}


def _area(name: str) -> str:
    group = model.Group.get(name)
    if group is None or group.state != "active":
        raise tk.ObjectNotFound(f"Falta el área «{name}»: ejecute «ckan hueyapan cargar-areas».")
    return group.id


def _usuario(name: str) -> model.User:
    user = model.User.get(name)
    if user is None:
        label = name.removeprefix(_USUARIOS).replace("-", " ")
        tk.get_action("user_create")(_contexto(), {
            "name": name, "email": f"{name}@ejemplo.invalid",
            "password": secrets.token_urlsafe(24),
            "fullname": f"{label.capitalize()} (proponente ficticio, {MARCA})",
            "about": f"{MARCA}: cuenta inventada para mostrar la participación en convocatorias."})
        user = model.User.get(name)
        assert user is not None, name  # just created
        user.email = None  # nobody to write to: the review sends no e-mail
        model.Session.commit()
    elif user.state != "active":
        user.state = "active"
        model.Session.commit()
    return user


def _upload(package_id: str, archivo: Archivo, titulo: str) -> None:
    data, filename, mimetype = draw(archivo, titulo)
    tk.get_action("resource_create")(_contexto(), {
        "package_id": package_id, "name": archivo.nombre, "url": filename,
        "description": archivo.descripcion or f"{MARCA}: documento generado, sin valor oficial.",
        "tipo_recurso": archivo.tipo_recurso, "format": "JPEG" if archivo.foto else "PDF",
        "upload": FileStorage(stream=io.BytesIO(data), filename=filename, content_type=mimetype)})


def _create(historia: Historia) -> dict[str, Any]:
    campos = _campos(historia)
    convocatoria = historia.tipo == "convocatoria" and historia.propuestas
    if convocatoria:  # open today while its proposals arrive, then its own dates
        campos.update(fecha_apertura=comun.today().isoformat(),
                      fecha_cierre=comun.today().isoformat())
        for key in ("fecha_resultados", "fecha_apertura_propuestas", "obras_resultantes",
                    "resultados_recibidas", "resultados_aprobadas", "resultados_rechazadas",
                    "resultados_mujeres", "resultados_hombres"):
            campos.pop(key, None)
    dataset = tk.get_action("package_create")(_contexto(), {**campos,
                                                             "owner_org": _area(historia.area)})
    for archivo in historia.archivos:
        _upload(dataset["id"], archivo, campos["title"])
    return dataset


def _propose(historia: Historia, dataset: dict[str, Any],
              obras: dict[str, Historia]) -> list[str]:
    """Submit the story's proposals as their proponents, review them as the área, convert the
    one whose story says so; returns the names of the obras made."""
    made = []
    for item in historia.propuestas:
        user = _usuario(item.usuario)
        acta = Archivo("Acta de asamblea", "otro", ("Acta de asamblea comunitaria",
                                                    "Documento generado, sin firmas."), foto=False)
        data, filename, mimetype = draw(acta, item.titulo)
        shown = tk.get_action("hueyapan_propuesta_create")({"user": user.name}, {
            "convocatoria": dataset["id"], "titulo": f"{item.titulo} ({MARCA})",
            "comunidad": item.comunidad, "problema": item.problema,
            "descripcion": item.descripcion, "beneficiarios_mujeres": item.mujeres,
            "beneficiarios_hombres": item.hombres, "costo_estimado": item.costo,
            "contacto_nombre": f"Persona de contacto ficticia ({MARCA})",
            "contacto_correo": f"{item.usuario}@ejemplo.invalid",
            "acta": FileStorage(stream=io.BytesIO(data), filename=filename,
                                content_type=mimetype)})
        for estado in item.revision:
            tk.get_action("hueyapan_propuesta_estado")(_contexto(), {
                "id": shown["id"], "estado": estado, "motivo": item.motivo})
        if item.convertir_en:
            converted = tk.get_action("hueyapan_propuesta_convertir")(
                _contexto(), {"id": shown["id"], "tipo": "obra"})
            obra = obras[item.convertir_en]
            tk.get_action("package_patch")(_contexto(), {
                "id": converted["dataset"]["id"], **_campos(obra)})
            for archivo in obra.archivos:
                _upload(converted["dataset"]["id"], archivo, _campos(obra)["title"])
            made.append(obra.nombre)
    return made


def _date_propuestas(historia: Historia, package_id: str) -> None:
    """Date each proposal on the day its story says it arrived (inside the call's window)."""
    hoy = comun.today()
    por_titulo = {f"{item.titulo} ({MARCA})": item for item in historia.propuestas}
    for propuesta in model.Session.query(Propuesta).filter(
            Propuesta.convocatoria_id == package_id):
        item = por_titulo.get(propuesta.titulo)
        if item is not None:
            propuesta.creado = datetime.datetime.combine(
                hoy + datetime.timedelta(days=item.dia), datetime.time(12),
                tzinfo=comun.TIMEZONE)
    model.Session.commit()


def _activo(name: str) -> model.Package | None:
    package = model.Package.get(name)
    if package is not None and package.state != "active":
        tk.get_action("dataset_purge")(_contexto(), {"id": package.id})
        return None
    return package


def _remove_old_source() -> bool:
    source = model.Package.get(FUENTE)
    if source is None:
        return False
    context = _contexto()
    if source.state == "active":
        tk.get_action("harvest_source_clear")(context, {"id": source.id})
    tk.get_action("dataset_purge")(context, {"id": source.id})
    return True


def load() -> Resultado:
    """Load the example catalog, or bring its dates to today. The same day twice: no change."""
    hoy = comun.today()
    if model.Session.query(Comunidad).count() == 0:
        raise tk.ObjectNotFound("El registro de comunidades está vacío: ejecute "
                                "«ckan hueyapan cargar-comunidades».")
    _remove_old_source()
    marcador = f"{VERSION} {hoy.isoformat()}"
    al_dia = system_info.get_system_info(_MARCADOR) == marcador
    stories = historias(hoy)
    obras = {h.nombre: h for h in stories if h.tipo == "obra"}
    result = Resultado()
    for historia in stories:
        if historia.nombre in result.creados:
            continue  # an obra made just now from its proposal
        package = _activo(historia.nombre)
        if package is None and historia.desde_propuesta:
            continue  # made by converting its proposal: only while its convocatoria is made
        if package is None:
            try:
                dataset = _create(historia)
            except tk.ValidationError as error:
                if "sin_consulta" not in historia.alertas:
                    raise
                result.omitidos[historia.nombre] = str(error.error_summary)
                log.warning("%s: %s left out: %s", MARCA, historia.nombre, error.error_summary)
                continue
            result.creados.append(historia.nombre)
            if not historia.propuestas:
                continue
            result.creados += _propose(historia, dataset, obras)
            package = model.Package.get(dataset["id"])
            assert package is not None, dataset["id"]  # just created
        elif al_dia:
            result.sin_cambios.append(historia.nombre)
            continue
        else:
            result.actualizados.append(historia.nombre)
        if historia.propuestas:
            _date_propuestas(historia, package.id)
        tk.get_action("package_patch")(_contexto(), {"id": package.id, **_campos(historia)})
    system_info.set_system_info(_MARCADOR, marcador)
    return result


# --- finding and removing -----------------------------------------------------------------------

def list_datasets(solo_activos: bool = False) -> list[model.Package]:
    """The example datasets (by their tag), in any state unless ``solo_activos``."""
    query = (model.Session.query(model.Package)
             .join(model.PackageTag, model.PackageTag.package_id == model.Package.id)
             .join(model.Tag, model.Tag.id == model.PackageTag.tag_id)
             .filter(model.Tag.name == ETIQUETA, model.PackageTag.state == "active"))
    if solo_activos:
        query = query.filter(model.Package.state == "active")
    return query.all()


def is_loaded() -> bool:
    """Whether the catalog shows example data right now (one small query)."""
    tagged = model.Session.execute(sa.text(
        "SELECT 1 FROM package p JOIN package_tag pt ON pt.package_id = p.id "
        "JOIN tag t ON t.id = pt.tag_id WHERE t.name = :tag AND p.state = 'active' "
        "AND pt.state = 'active' LIMIT 1"), {"tag": ETIQUETA}).first()
    if tagged is not None:
        return True
    source = model.Package.get(FUENTE)
    return source is not None and source.state == "active"


def _delete_archivos(package: model.Package) -> None:
    from ckan.lib import uploader

    for resource in package.resources_all:
        if resource.url_type == "upload":
            path = uploader.get_resource_uploader({"id": resource.id}).get_path(resource.id)
            try:
                os.remove(path)
            except OSError:
                pass


def remove() -> int:
    """Remove every example dataset (purged, with its files and proposals), the harvest source
    of earlier versions and its datasets, and retire the fictitious proponents. Returns how many
    datasets went."""
    context = _contexto()
    removed = int(_remove_old_source())
    packages = list_datasets()
    ids = {p.id for p in packages}
    propuestas = model.Session.query(Propuesta).filter(Propuesta.convocatoria_id.in_(ids)).all()
    ids |= {p.dataset_id for p in propuestas if p.dataset_id}
    for propuesta in propuestas:
        acta = participacion.file_path(propuesta, "acta")
        if acta is not None:
            shutil.rmtree(acta.parent, ignore_errors=True)
        model.Session.delete(propuesta)
    model.Session.commit()
    for package_id in ids:
        package = model.Package.get(package_id)
        if package is None:
            continue
        _delete_archivos(package)
        tk.get_action("dataset_purge")(context, {"id": package_id})
        removed += 1
    for user in model.Session.query(model.User).filter(
            model.User.name.like(f"{_USUARIOS}%"), model.User.about.like(f"{MARCA}:%"),
            model.User.state == "active"):
        tk.get_action("user_delete")(context, {"id": user.id})
    system_info.delete_system_info(_MARCADOR)
    return removed
