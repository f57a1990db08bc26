"""Command line: ``ckan hueyapan ...``."""
from __future__ import annotations

import secrets
import string

import click

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan import comunidades

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
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    tk.get_action("user_create")(
        {"user": site_user["name"], "ignore_auth": True},
        {"name": usuario, "email": correo, "password": password, "fullname": "Administración"},
    )
    user = model.User.get(usuario)
    assert user is not None
    user.sysadmin = True
    model.Session.commit()
    click.echo("Cuenta de administración creada (se muestra solo esta vez):")
    click.echo(f"  usuario:    {usuario}")
    click.echo(f"  contraseña: {password}")
