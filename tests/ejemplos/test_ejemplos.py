"""Example data ("Datos de ejemplo") tells true stories: every stage, flags only where the story
has them, dates relative to today, marked, idempotent, switchable off and removable. Loaded
through the command ``make run`` runs (``ckan hueyapan cosecha-ejemplo``)."""
from __future__ import annotations

import datetime
import io
import itertools
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.lib import uploader
from ckan.tests.helpers import call_action

from ckanext.hueyapan import comun, ejemplos
from ckanext.hueyapan.busqueda import indice
from ckanext.hueyapan.model import Propuesta
from ckanext.hueyapan.paginas import cifras
from ckanext.hueyapan.registros import vocabularios
from ckanext.hueyapan.reglas import alertas

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index", "comunidades")

def _etapas() -> set[str]:
    return {term.clave for term in vocabularios.terms("etapa_obra")}


def _load(cli) -> str:
    result = cli.invoke(ckan_command, ["hueyapan", "cosecha-ejemplo"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.fixture
def encendidos(cli, ckan_config, monkeypatch):
    cifras.invalidate()
    areas = cli.invoke(ckan_command, ["hueyapan", "cargar-areas"])
    assert areas.exit_code == 0, areas.output
    monkeypatch.setitem(ckan_config, "ckanext.hueyapan.datos_ejemplo", True)
    return cli


def _show(name: str) -> dict:
    return call_action("package_show", id=name)


def _snapshot() -> dict:
    packages = {p.name: (p.metadata_modified, p.state, p.private) for p in ejemplos.list_datasets()}
    activities = model.Session.execute(sa.text("SELECT count(*) FROM activity")).scalar()
    return {"packages": packages, "activities": activities,
            "propuestas": sorted((p.id, p.estado, str(p.creado), p.dataset_id)
                                 for p in model.Session.query(Propuesta)),
            "resources": model.Session.query(model.Resource).filter_by(state="active").count(),
            "users": sorted(u.name for u in model.Session.query(model.User).filter_by(
                state="active"))}


def test_every_story_keeps_its_flags_whatever_the_day():
    """The dates move with the day: on any day of a year the flags of each obra are those its
    story declares (checked on the stories themselves, before any dataset is made)."""
    start = datetime.date(2026, 1, 1)
    for offset in range(0, 366, 7):
        hoy = start + datetime.timedelta(days=offset)
        obras = [h for h in ejemplos.historias(hoy) if h.tipo == "obra"]
        for historia in obras:
            assert set(alertas.flags(historia.datos, hoy)["alertas"]) == historia.alertas, (
                hoy, historia.nombre)
        states = [indice.estado_convocatoria(h.datos, hoy) for h in ejemplos.historias(hoy)
                  if h.tipo == "convocatoria"]
        assert sorted(states, key=str) == ["abierta", "abierta", "cerrada", "proxima", "resuelta"]
        vigentes = [h for h in ejemplos.historias(hoy) if h.tipo == "programa-social"
                    and h.datos["vigencia_inicio"] <= hoy.isoformat() <= h.datos["vigencia_fin"]]
        assert len(vigentes) == 2
    assert {h.datos["etapa"] for h in obras} == _etapas()
    assert {a for h in obras for a in h.alertas} == {"retraso", "sobrecosto",
                                                     "adjudicacion_directa", "sin_consulta"}
    # one story per flag: only the late, over-budget, direct-award and unconsulted ones
    assert sorted(a for h in obras for a in h.alertas) == [
        "adjudicacion_directa", "retraso", "sin_consulta", "sobrecosto"]


def test_every_story_is_consistent_in_itself():
    """Progress history ends at the headline progress and never goes back, payments follow the
    financial progress, funding adds up, counts by sex add up to the totals."""
    hoy = comun.today()
    for historia in ejemplos.historias(hoy):
        datos = historia.datos
        assert ejemplos.MARCA not in datos["title"]  # added once, by the loader
        for campo in ("beneficiarios_total",):
            if campo in datos:
                assert datos[campo] == datos["beneficiarios_mujeres"] + datos[
                    "beneficiarios_hombres"], historia.nombre
        for row in datos.get("beneficiarios", []):
            assert row["total"] == row["mujeres"] + row["hombres"], historia.nombre
        if historia.tipo != "obra":
            continue
        cortes = sorted(datos.get("historial_avance", []), key=lambda row: row["fecha"])
        assert all(row["fecha"] <= hoy.isoformat() for row in cortes), historia.nombre
        assert all(a["avance_fisico"] <= b["avance_fisico"] and
                   a["avance_financiero"] <= b["avance_financiero"]
                   for a, b in itertools.pairwise(cortes)), historia.nombre
        if "avance_fisico" in datos:
            assert (cortes[-1]["avance_fisico"], cortes[-1]["avance_financiero"]) == (
                datos["avance_fisico"], datos["avance_financiero"]), historia.nombre
        base = float(datos.get("monto_modificado") or datos.get("monto_contratado")
                     or datos["monto_aprobado"])
        if "monto_ejercido" in datos and "monto_final" not in datos:
            paid = float(datos["monto_ejercido"]) / base * 100
            assert abs(paid - datos["avance_financiero"]) < 1, historia.nombre
        fuentes = sum(float(f["monto"]) for f in datos["fuentes_financiamiento"])
        assert fuentes in (float(datos["monto_aprobado"]),
                           float(datos.get("monto_modificado") or 0)), historia.nombre
        for consulta in datos.get("consultas", []):
            assert consulta["fecha"] < hoy.isoformat()
            assert consulta["acta"] in {a.nombre for a in historia.archivos}


def test_make_run_loads_true_stories(encendidos, app, monkeypatch):
    first = _load(encendidos)
    stories = ejemplos.historias()
    assert f"{len(stories)} creados" in first

    # every dataset marked in title, description and tag; none private
    found = call_action("package_search", fq=f"tags:{ejemplos.ETIQUETA}", rows=100,
                        include_private=True)
    assert found["count"] == len(stories)
    for dataset in found["results"]:
        assert ejemplos.MARCA in dataset["title"] and ejemplos.MARCA in dataset["notes"]
        assert not dataset["private"]

    # obras in every stage, each with exactly the flags its story declares
    obras = [h for h in stories if h.tipo == "obra"]
    for historia in obras:
        obra = _show(historia.nombre)
        assert obra["etapa"] == historia.datos["etapa"]
        assert set(obra["alertas"]) == historia.alertas, historia.nombre
        assert len(obra["resources"]) == len(historia.archivos)
        assert bool(obra.get("consultas")) != ("sin_consulta" in historia.alertas)
    assert {_show(h.nombre)["etapa"] for h in obras} == _etapas()

    # photos: drawn JPEGs, stored without EXIF
    photos = [r for h in obras for r in _show(h.nombre)["resources"]
              if r["tipo_recurso"] == "evidencia_fotografica"]
    assert len(photos) >= 5
    for resource in photos:
        path = uploader.get_resource_uploader(resource).get_path(resource["id"])
        image = Image.open(io.BytesIO(Path(path).read_bytes()))
        assert image.format == "JPEG" and not image.getexif()

    minutes = [r for h in obras for r in _show(h.nombre)["resources"]
               if r["tipo_recurso"] in ("acta_consulta", "finiquito", "convenio_modificatorio")]
    assert len(minutes) == sum(1 for h in obras for a in h.archivos if not a.foto)
    for resource in minutes:
        path = uploader.get_resource_uploader(resource).get_path(resource["id"])
        assert Path(path).read_bytes().startswith(b"%PDF") and resource["format"] == "PDF"

    # the home page figures: every stage, programas vigentes, two open calls
    figures = cifras.compute()
    assert {item["clave"] for item in figures["obras_por_etapa"]} == _etapas()
    assert figures["programas_vigentes"] == 2
    assert len(figures["convocatorias_abiertas"]) == 2
    page = app.get("/").get_data(as_text=True)
    assert 'class="hy-aviso-ejemplo"' in page
    numbers = [int(n) for n in re.findall(r'<span class="hy-numero">(\d+)</span>', page)]
    obras_n, programas_n, abiertas_n = numbers[:3]  # obras, programas vigentes, open calls
    assert (obras_n, programas_n, abiertas_n) == (len(obras), 2, 2)
    for historia in stories:
        if historia.nombre in ("ejemplo-convocatoria-proyectos-comunitarios",
                               "ejemplo-licitacion-pavimentacion-santa-catalina"):
            assert f"/convocatoria/{historia.nombre}" in page

    # convocatorias: one of each estado; the resuelta one shows its review and the obra it made
    estados = {h.nombre: indice.estado_convocatoria(_show(h.nombre))
               for h in stories if h.tipo == "convocatoria"}
    assert sorted(estados.values(), key=str) == [
        "abierta", "abierta", "cerrada", "proxima", "resuelta"]
    resultados = call_action("hueyapan_convocatoria_resultados",
                             id="ejemplo-convocatoria-obras-comunitarias")
    assert resultados["publicados"] is True
    assert resultados["por_estado"] == {"convertida": 1, "aprobada": 1, "rechazada": 1}
    convertida = model.Session.query(Propuesta).filter_by(estado="convertida").one()
    assert model.Package.get(convertida.dataset_id).name == "ejemplo-obra-pozo-zapoapan-de-amapan"
    assert _show("ejemplo-obra-pozo-zapoapan-de-amapan")["convocatoria_origen"] == [
        "ejemplo-convocatoria-obras-comunitarias"]
    cerrada = model.Session.query(Propuesta).join(
        model.Package, model.Package.id == Propuesta.convocatoria_id).filter(
        model.Package.name == "ejemplo-convocatoria-mejoramiento-escuelas").all()
    assert sorted(p.estado for p in cerrada) == ["aprobada", "en_revision", "rechazada"]
    for propuesta in model.Session.query(Propuesta):
        assert propuesta.contacto_correo.endswith("@ejemplo.invalid")
        assert ejemplos.MARCA in propuesta.titulo
        proponente = model.Session.get(model.User, propuesta.usuario_id)
        assert proponente.name.startswith("ejemplo-") and proponente.email is None
        assert ejemplos.MARCA in (proponente.fullname or "")

    # programas: beneficiaries by community and sex
    programa = _show("ejemplo-programa-alimentario-personas-mayores")
    assert all(row["mujeres"] and row["hombres"] for row in programa["beneficiarios"])

    # every page shows
    for historia in stories:
        assert app.get(f"/{historia.tipo}/{historia.nombre}").status_code == 200

    # a second run the same day changes nothing
    before = _snapshot()
    again = _load(encendidos)
    assert f"0 creados, 0 con fechas al día de hoy, {len(stories)} sin cambios" in again
    assert _snapshot() == before

    # the next day, the dates move with it and the stories stay true
    tomorrow = comun.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(comun, "today", lambda: tomorrow)
    moved = _load(encendidos)
    assert f"0 creados, {len(stories)} con fechas al día de hoy, 0 sin cambios" in moved
    for historia in obras:
        obra = _show(historia.nombre)
        assert set(obra["alertas"]) == historia.alertas, historia.nombre
        assert obra["fecha_termino_programada"] == ejemplos.historias(tomorrow)[
            [h.nombre for h in stories].index(historia.nombre)].datos["fecha_termino_programada"]
    assert _snapshot()["propuestas"] != before["propuestas"]  # proposals dated with their call


def test_switch_off_and_removal(encendidos, ckan_config, monkeypatch, app):
    # the harvest source of the old static spreadsheet (dates of 2025) goes on the next run
    old = call_action("harvest_source_create", context={"user": call_action(
        "get_site_user")["name"], "ignore_auth": True}, name=ejemplos.FUENTE,
        title="Obras públicas (Datos de ejemplo)", url="http://127.0.0.1:5000/ejemplo.csv",
        source_type="hueyapan_tabular", owner_org="obras-publicas",
        config='{"tipo": "obra", "organizacion": "obras-publicas"}')
    assert ejemplos.is_loaded()
    _load(encendidos)
    assert model.Package.get(old["id"]) is None
    assert ejemplos.is_loaded()
    removed = encendidos.invoke(ckan_command, ["hueyapan", "quitar-ejemplos"])
    assert removed.exit_code == 0, removed.output
    assert f"{len(ejemplos.historias())} conjuntos de datos quitados" in removed.output
    assert ejemplos.list_datasets() == []
    assert model.Session.query(Propuesta).count() == 0
    assert not ejemplos.is_loaded()
    assert 'class="hy-aviso-ejemplo"' not in app.get("/").get_data(as_text=True)
    assert not [u for u in model.Session.query(model.User).filter_by(state="active")
                if u.name.startswith("ejemplo-")]

    # loads again after a removal (proponents come back), then the switch removes it all
    assert f"{len(ejemplos.historias())} creados" in _load(encendidos)
    monkeypatch.setitem(ckan_config, "ckanext.hueyapan.datos_ejemplo", False)
    off = _load(encendidos)
    assert "apagados" in off
    assert ejemplos.list_datasets() == []
    assert call_action("package_search", q="*:*")["count"] == 0
