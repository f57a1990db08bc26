"""The catalog as a WSGI application, for a production server (gunicorn here, uwsgi in CKAN's
Docker images, which ship their own equivalent of this module).

    CKAN_INI=/etc/ckan/ckan.ini gunicorn --workers 2 ckanext.hueyapan.wsgi:application

``services/gunicorn.sh`` starts it that way for the benchmarks and the load test.
"""
from __future__ import annotations

import configparser
import os
from logging.config import fileConfig

from ckan.cli import load_config
from ckan.config.middleware import make_app

__all__ = ["application"]

_ini = os.environ.get("CKAN_INI")
if not _ini:
    raise RuntimeError("CKAN_INI must name the configuration file (e.g. /etc/ckan/ckan.ini)")
_parser = configparser.RawConfigParser(strict=False)
_parser.read(_ini)
if _parser.has_section("loggers"):  # a configuration may leave logging to its defaults
    fileConfig(_ini, defaults={"here": os.path.dirname(os.path.abspath(_ini))},
               disable_existing_loggers=False)
application = make_app(load_config(_ini))
