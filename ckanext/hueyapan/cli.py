"""Command line: ``ckan hueyapan ...``."""
from __future__ import annotations

import secrets
import string
from importlib import resources

import click
import yaml

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.hueyapan import ejemplos
from ckanext.hueyapan.comun import DATASET_TYPES
from ckanext.hueyapan.harvesters.workers import consume
from ckanext.hueyapan.paginas import salidas
from ckanext.hueyapan.registros import comunidades, vocabularios

__all__ = ["hueyapan"]


@click.group(short_help="Catálogo de Hueyapan de Ocampo")
def hueyapan() -> None:
    """Tareas del catálogo de Hueyapan de Ocampo."""


@hueyapan.command("cargar-comunidades")
def load_communities() -> None:
    """Carga las localidades INEGI que aún no estén en el registro de comunidades."""
    inserted, present = comunidades.seed_localities()
    click.echo(
        f"Comunidades: {inserted} localidades INEGI cargadas, {present} ya estaban en el registro."
    )


@hueyapan.command("cargar-vocabularios")
def load_vocabularies() -> None:
    """Carga los términos de los vocabularios que falten (nunca cambia los existentes)."""
    inserted, present = vocabularios.seed_terms()
    click.echo(f"Vocabularios: {inserted} términos cargados, {present} ya estaban.")


def _site_context() -> Context:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


@hueyapan.command("cargar-areas")
def load_areas() -> None:
    """Crea como organizaciones las áreas municipales que falten."""
    text = (resources.files("ckanext.hueyapan") / "data" / "areas.yaml").read_text("utf-8")
    created = 0
    for area in yaml.safe_load(text):
        if model.Group.get(area["name"]) is None:
            tk.get_action("organization_create")(_site_context(), dict(area))
            created += 1
    click.echo(f"Áreas municipales: {created} creadas.")


@hueyapan.command("consumidor")
@click.argument("cola", type=click.Choice(["gather", "fetch"]))
def harvest_consumer(cola: str) -> None:
    """Consumidor de la cola de cosecha gather o fetch (en lugar de 'ckan harvester
    gather-consumer|fetch-consumer', que terminan tras un minuto sin trabajo con redis-py 8)."""
    consume(cola)


@hueyapan.command("cosecha-ejemplo")
def example_harvest() -> None:
    """Carga los datos de ejemplo con fechas relativas a hoy (o los quita si están apagados)."""
    if not tk.asbool(tk.config["ckanext.hueyapan.datos_ejemplo"]):
        removed = ejemplos.remove()
        click.echo(f"{ejemplos.MARCA}: apagados (ckanext.hueyapan.datos_ejemplo = false); "
                   f"{removed} conjuntos de datos de ejemplo quitados.")
        return
    try:
        result = ejemplos.load()
    except tk.ObjectNotFound as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{ejemplos.MARCA}: {len(result.creados)} creados, "
               f"{len(result.actualizados)} con fechas al día de hoy, "
               f"{len(result.sin_cambios)} sin cambios (etiqueta «{ejemplos.ETIQUETA}»).")
    for name, reason in result.omitidos.items():
        click.echo(f"{ejemplos.MARCA}: «{name}» no se cargó: {reason}")


@hueyapan.command("quitar-ejemplos")
def remove_examples() -> None:
    """Quita todos los datos de ejemplo: conjuntos, archivos, propuestas y proponentes ficticios."""
    removed = ejemplos.remove()
    click.echo(f"{ejemplos.MARCA}: {removed} conjuntos de datos quitados.")


@hueyapan.command("crear-admin")
@click.option("--usuario", default="admin", show_default=True)
@click.option("--correo", default="admin@localhost", show_default=True)
def create_sysadmin(usuario: str, correo: str) -> None:
    """Crea la cuenta de administración (sysadmin) si no existe e imprime su contraseña una vez."""
    if model.User.get(usuario) is not None:
        click.echo(f"La cuenta de administración «{usuario}» ya existe; su contraseña no cambia.")
        return
    alphabet = string.ascii_letters + string.digits
    password = "".join(secrets.choice(alphabet) for _ in range(20))
    tk.get_action("user_create")(
        _site_context(),
        {"name": usuario, "email": correo, "password": password, "fullname": "Administración"},
    )
    user = model.User.get(usuario)
    if user is None:
        raise click.ClickException(f"No se pudo crear la cuenta «{usuario}».")
    user.sysadmin = True
    model.Session.commit()
    click.echo("Cuenta de administración creada (se muestra solo esta vez):")
    click.echo(f"  usuario:    {usuario}")
    click.echo(f"  contraseña: {password}")


@hueyapan.command("salidas")
@click.option("--tipo", "tipos", multiple=True, type=click.Choice(list(DATASET_TYPES)),
              help="Solo estos tipos (por omisión, los tres).")
def outputs_table(tipos: tuple[str, ...]) -> None:
    """Imprime, para cada filtro de cada tipo, cuántos conjuntos de datos da cada salida (página
    de búsqueda, API, CSV, XLSX, resumen, OC4IDS, Atom, comunidad, inicio); termina con error si
    alguna no coincide."""
    flask_app = click.get_current_context().meta["flask_app"]
    filas = salidas.tabla(flask_app, tipos or DATASET_TYPES)
    click.echo(salidas.texto(filas))
    malas = [fila for fila in filas if fila.discrepancias]
    if malas:
        raise click.ClickException(
            f"{len(malas)} de {len(filas)} filtros no coinciden en todas las salidas.")
    click.echo(f"Las {len(filas)} filas coinciden en todas las salidas.")
