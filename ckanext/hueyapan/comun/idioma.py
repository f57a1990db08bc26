"""The catalog's default language for texts made outside a visitor's request.

Job reports and e-mails are read by staff and citizens in the catalog's language (Spanish), not
in the language of whoever triggered them, and ckanext-harvest's consumers run outside any
request, where CKAN's ``_()`` has no locale.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import ckan.plugins.toolkit as tk

__all__ = ["CORRECTED_MESSAGES", "N_", "default_language"]


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


#: Messages of CKAN's staff pages that CKAN's Spanish catalog leaves in English ("Publish",
#: "Unpublish"), misspells ("Actrulizar") or writes in another Spanish ("Podés", "ficheros").
#: Listed here so that the extraction keeps them in our catalog, whose translations win over
#: CKAN's; ``tests/views/test_paginas_personal.py`` checks the pages that show them.
CORRECTED_MESSAGES = (
    N_("Publish"),
    N_("Unpublish"),
    N_("Update {object_type}"),
    N_("Navigate to resource: {name_or_id}"),
    N_("Navigate to resource: {name}"),
    N_('You can use <a href="#markdown" title="Markdown quick reference" data-bs-toggle="popover" '
       'data-bs-content="%(markdown_tooltip)s" data-bs-html="true">Markdown formatting</a> here'),
    N_("A CKAN Dataset is a collection of data resources (such as files), together with a "
       "description and other information, at a fixed URL. Datasets are what users see when "
       "searching for data."),
)


@contextlib.contextmanager
def default_language() -> Iterator[None]:
    """Messages in the catalog's default language (Spanish), in a request or in the consumers.

    Outside a request (ckanext-harvest's consumers, background jobs) CKAN's ``_()`` has no locale:
    a request context is opened on the Flask app — the one the CKAN command line keeps in its
    click context, or the current one — for the duration of the block.
    """
    import click
    from flask import has_request_context
    from flask_babel import force_locale

    language = tk.config["ckan.locale_default"]
    if has_request_context():
        with force_locale(language):
            yield
        return
    click_context = click.get_current_context(silent=True)
    app = click_context.meta.get("flask_app") if click_context is not None else None
    if app is None:
        from flask import current_app, has_app_context

        # current_app is werkzeug's proxy of the app (typed as the app itself)
        app = (current_app._get_current_object()  # pyright: ignore[reportAttributeAccessIssue]
               if has_app_context() else None)
    if app is None:
        yield
        return
    with app.test_request_context(), force_locale(language):
        yield
