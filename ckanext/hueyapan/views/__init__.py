"""Web pages of the catalog, as Flask blueprints.

``toolkit.blanket.blueprints`` registers every name in ``__all__``, each of which must be a Flask
blueprint:

- ``hueyapan``: one blueprint (its endpoints are ``hueyapan.<view>``), its page families in a
  module each, which adds its routes here with ``register``: ``guias.py`` (the templates for
  staff, the page for journalists), ``exportaciones.py`` (CSV, XLSX, OC4IDS and the data
  dictionary; the page of a filter that is not valid), ``comunidades.py`` (a page per community),
  ``cambios.py`` (the Atom feeds), and the staff pages, one task per screen: ``area.py`` (Mi área,
  the short new-obra path), ``consultas.py`` (a consultation with its minutes), ``avance.py``
  (progress of an obra, beneficiaries of a programa), ``publicacion.py`` (withdraw, publish
  again, close a call, record its results);
- ``propuestas``: the proposals to calls (``propuestas.py``).

The modules never import this one: it imports them.
"""
from __future__ import annotations

from flask import Blueprint

from ckanext.hueyapan.views import area, cambios, comunidades, consultas, exportaciones, guias
from ckanext.hueyapan.views.avance import register as register_avance
from ckanext.hueyapan.views.propuestas import propuestas
from ckanext.hueyapan.views.publicacion import register as register_publicacion

__all__ = ["hueyapan", "propuestas"]


hueyapan = Blueprint("hueyapan", __name__)

guias.register(hueyapan)
exportaciones.register(hueyapan)
comunidades.register(hueyapan)
cambios.register(hueyapan)
register_avance(hueyapan)
area.register(hueyapan)
consultas.register(hueyapan)
register_publicacion(hueyapan)
