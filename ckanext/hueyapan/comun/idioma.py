"""The catalog's language: messages marked for extraction, CKAN's messages our catalog corrects,
the messages of CKAN's JavaScript, and the default language for texts made outside a visitor's
request.

Job reports and e-mails are read by staff and citizens in the catalog's language (Spanish), not
in the language of whoever triggered them, and ckanext-harvest's consumers run outside any
request, where CKAN's ``_()`` has no locale.
"""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import ckan.plugins.toolkit as tk

__all__ = ["CORRECTED_MESSAGES", "CORRECTED_PLURALS", "N_", "default_language",
           "write_js_translations"]

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message and its plural for extraction (the name the extraction knows for one); it
    is translated where it is shown."""
    return singular, plural


#: Messages of CKAN's, its extensions' and ckanext-harvest's staff pages that their Spanish
#: catalogs leave in English ("Publish", "Unpublish", ckanext-harvest has no Spanish at all),
#: misspell ("Actrulizar") or write in another Spanish ("Podés", "ficheros", "Feed de Noticias"),
#: and texts their templates pass to ``_()`` as values (a job's status, a harvester's title, the
#: licences of our register). Listed here so that the extraction keeps them in our catalog, whose
#: translations win over CKAN's (plugins' catalogs are merged after CKAN's, and ckanext-harvest
#: ships no Spanish); ``tests/browser/test_paginas_personal.py`` checks every staff page.
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
    # CKAN's JavaScript (comun.idioma.write_js_translations): the confirmation dialog, the search of
    # a list, the image upload
    N_("Please Confirm"),
    N_("Searching..."),
    N_("Please select the file to upload again"),
    # The dashboard and a user's pages
    N_("Dashboard"),
    N_("News feed"),
    N_("Activity from items that I'm following"),
    N_("My Datasets"),
    N_("My Groups"),
    N_("Add Organization"),
    N_("0 Datasets"),
    N_("0 Members"),
    N_("Open details page for {name}"),
    N_("Member Since"),
    N_("This information is visible to you and admins"),
    N_("active"),
    N_("pending"),
    N_("deleted"),
    N_("Activity Stream"),
    N_("Activity occurred on: {time}"),
    N_("{actor} created the {dataset_type} {dataset}"),
    N_("{actor} updated the {dataset_type} {dataset}"),
    N_("{actor} deleted the {dataset_type} {dataset}"),
    N_("Account Info"),
    N_("Your profile lets other CKAN users know about who you are and what you do."),
    N_("Change details"),
    N_("A little information about yourself"),
    N_("eg. Joe Bloggs"),
    N_("Joe Bloggs"),
    N_("eg. joe@example.com"),
    N_("joe@example.com"),
    N_("Change password"),
    N_("Confirm Password"),
    N_("Update Profile"),
    # An organization's pages (the áreas)
    N_("Add Member"),
    N_("If you wish to add an existing user, search for their username below."),
    N_("Custom Field"),
    N_("My Organization"),
    N_("Update Organization"),
    N_("my-organization"),
    N_("Create an Organization"),
    N_("Create Organization"),
    N_("What are Organizations?"),
    N_("CKAN Organizations are used to create, manage and publish collections of datasets. Users "
       "can have different roles within an Organization, depending on their level of "
       "authorisation to create, edit and publish."),
    N_("Open details page for dataset - {title}"),
    # The sysadmin's pages (/ckan-admin)
    N_("Administer CKAN"),
    N_("<p>As a sysadmin user you have full control over this CKAN instance. Proceed with "
       'care!</p> <p>For guidance on using sysadmin features, see the CKAN <a href="%(docs_url)s" '
       'target="_blank" rel="noreferrer">sysadmin guide</a></p>'),
    N_("Current Sysadmins"),
    N_("Promote user to Sysadmin"),
    N_("Promote"),
    N_("Revoke Sysadmin permission"),
    N_("Username"),
    N_("Activities"),
    N_("Harvest"),
    N_("CKAN config options"),
    N_("<p><strong>Site Title:</strong> This is the title of this CKAN instance It appears in "
       "various places throughout CKAN.</p> <p><strong>Custom Stylesheet:</strong> Define an "
       "alternative main CSS file.</p> <p><strong>Site Tag Logo:</strong> This is the logo that "
       "appears in the header of all the CKAN instance templates.</p> <p><strong>About:</strong> "
       'This text will appear on this CKAN instances <a href="%(about_url)s">about page</a>.</p> '
       "<p><strong>Intro Text:</strong> This text will appear on this CKAN instances <a "
       'href="%(home_url)s">home page</a> as a welcome to visitors.</p> <p><strong>Custom '
       "CSS:</strong> This is a block of CSS that appears in <code>&lt;head&gt;</code> tag of "
       "every page. If you wish to customize the templates more fully we recommend <a "
       'href="%(docs_url)s" target="_blank" rel="noreferrer">reading the documentation</a>.</p>'),
    N_("Site Title"),
    N_("Custom Stylesheet"),
    N_("Custom CSS"),
    N_("Update Config"),
    # The tags of a dataset (their links' names)
    N_("Search datasets with the tag: {name}"),
    N_("Search datasets with the tag: {tag}"),
    # Resource lists of the staff forms
    N_("Manage resource: {name}"),
    # The licences of the register (data/licencias.json), shown in the forms and on the pages
    N_("Creative Commons Attribution"),
    N_("Creative Commons Attribution Share-Alike"),
    N_("Creative Commons CCZero"),
    N_("Open Data Commons Attribution License"),
    N_("Open Data Commons Open Database License (ODbL)"),
    N_("Open Data Commons Public Domain Dedication and License (PDDL)"),
    # ckanext-harvest: its pages (sources, jobs, reports), its form and its messages
    N_("Harvest Sources"),
    N_("Harvest sources"),
    N_("Add Harvest Source"),
    N_("Create Harvest Source"),
    N_("Create harvest source"),
    N_("Edit harvest source"),
    N_("Search harvest sources..."),
    N_("Sorry no harvest sources found"),
    N_('Sorry no harvest sources found for "{query}"'),
    N_("Harvest sources allow importing remote metadata into this catalog. Remote sources can be "
       "other catalogs such as other CKAN instances, CSW servers or Web Accessible Folders (WAF) "
       "(depending on the actual harvesters enabled for this instance)."),
    N_("There is no description for this harvest source"),
    N_("There are no datasets associated to this harvest source."),
    N_("read more"),
    N_("Reharvest"),
    N_("This will re-run the harvesting for this source. Any updates at the source will overwrite "
       "the local datasets. Sources with a large number of datasets may take a significant amount "
       "of time to finish harvesting. Please confirm you would like us to start reharvesting."),
    N_("Start a new harvesting job for this harvest source now"),
    N_("Stop"),
    N_("Warning: This will remove all datasets for this source, as well as all previous job "
       "reports. Are you sure you want to continue?"),
    N_("Delete all harvest jobs and existing datasets from this source"),
    N_("Clear"),
    N_("View harvest source"),
    N_("Jobs"),
    N_("Last Harvest Job"),
    N_("View full job report"),
    N_("No jobs yet for this source"),
    N_("Harvest Jobs"),
    N_("Job: "),
    N_("Started:"),
    N_("Finished:"),
    N_("Not yet"),
    N_("Job Report"),
    N_("Back to job list"),
    N_("Error Summary"),
    N_("No errors for this job"),
    N_("Only the 20 most frequent errors are shown"),
    N_("Job Errors"),
    N_("Document Errors"),
    N_("documents with errors"),
    N_("Error Report"),
    N_("Remote content"),
    N_("Local content"),
    N_("Count"),
    N_("Message"),
    N_("Details"),
    N_("Id"),
    N_("Started"),
    N_("Finished"),
    N_("New"),
    N_("Running"),
    N_("Aborted"),
    N_("This should include the http:// part of the URL"),
    N_("eg. A descriptive title"),
    N_("Update frequency"),
    N_("Manual"),
    N_("Monthly"),
    N_("Weekly"),
    N_("Biweekly"),
    N_("Daily"),
    N_("Always"),
    N_("Frequency"),
    N_("Type"),
    N_("Configuration"),
    N_("No organization"),
    N_("This will flag the source as deleted but keep all its datasets and previous jobs. Are you "
       "sure you want to delete this harvest source?"),
    N_("Warning: Apart from deleting this source, this command will remove all its datasets, as "
       "well as all previous job reports. Are you sure you want to continue?"),
    N_("Delete source"),
    N_("Delete and clear source"),
    N_("Generic DCAT RDF Harvester"),
    N_("Harvests remote CKAN instances"),
    N_("Harvester for DCAT datasets from an RDF graph"),
    N_("Harvest will start shortly. Refresh this page for updates."),
    N_("A harvest job has already been scheduled for this source"),
    N_("Cannot create new harvest jobs on inactive sources. First, please change the source "
       "status to 'active'."),
    N_("Harvest source cleared"),
    N_("Harvesting source successfully cleared"),
    N_("Harvesting source successfully inactivated"),
    N_("Harvest source not found"),
    N_("Harvest job not found"),
    N_("No content found"),
    N_("Not authorized to see this page"),
)

#: The same for messages with a plural form.
CORRECTED_PLURALS = (
    ngettext("{num} Dataset", "{num} Datasets"),
    ngettext("{num} Member", "{num} Members"),
    ngettext("%(count)s dataset found.", "%(count)s datasets found."),
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


def write_js_translations() -> None:
    """Write the messages of CKAN's JavaScript modules in each offered language, with our
    catalog's translations, where CKAN's ``/api/i18n/<language>`` reads them: the "Edit" of the
    web-address preview, the upload and link buttons, "Reorder resources", the confirmation
    dialog. CKAN writes them only in ``ckan run`` and ``ckan translation js``; an app made any
    other way (gunicorn with ``wsgi.py``, the tests' live server) answered ``{}``, and every one
    of those messages showed in English.

    A language whose file is newer than its catalogs is left as it is (nothing is read), so this
    costs nothing on an app made after the first; each file is replaced whole, so that processes
    starting together never serve half of one. A folder that cannot be written is logged, not
    raised: the pages still work, with those messages in English.
    """
    from ckan.lib import i18n
    from ckan.plugins import ITranslation, PluginImplementations

    catalogs = [(Path(i18n.get_ckan_i18n_dir()), "ckan")] + [
        (Path(plugin.i18n_directory()), plugin.i18n_domain())
        for plugin in PluginImplementations(ITranslation)]
    target = Path(i18n.get_js_translations_dir())
    used_in_scripts: set[str] | None = None
    for language in sorted(i18n.get_locales_from_config()):
        sources = [path for folder, domain in catalogs
                   if (path := folder / language / "LC_MESSAGES" / f"{domain}.po").is_file()]
        written = target / f"{language}.js"
        if not sources or (written.is_file() and written.stat().st_mtime
                           >= max(path.stat().st_mtime for path in sources)):
            continue
        if used_in_scripts is None:
            # the messages the scripts use: their templates (.pot) say where each one is used
            used_in_scripts = set().union(*(
                i18n._get_js_translation_entries(str(pot)) for folder, domain in catalogs
                if (pot := folder / f"{domain}.pot").is_file()))
        partial = written.with_name(f"{written.name}.{os.getpid()}")
        try:
            target.mkdir(parents=True, exist_ok=True)
            i18n._build_js_translation(language, [str(path) for path in sources],
                                       used_in_scripts, str(partial))
            partial.replace(written)
        except OSError as error:
            log.error("CKAN's JavaScript messages in %s not written to %s: %s", language,
                      target, error)
