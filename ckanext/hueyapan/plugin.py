from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.hueyapan.busqueda import indice
from ckanext.hueyapan.comun import idioma
from ckanext.hueyapan.paginas import cifras
from ckanext.hueyapan.registros import licencias
from ckanext.hueyapan.salvaguardas import (
    cabeceras,
    caidas,
    csrf,
    cuentas,
    limites,
    recursos,
    sesiones,
)
from ckanext.hueyapan.salvaguardas.compresion import GzipMiddleware


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.cli
@tk.blanket.helpers
@tk.blanket.blueprints
class HueyapanPlugin(DefaultTranslation, p.SingletonPlugin):
    """Wiring of the Hueyapan de Ocampo catalog. Behaviour lives in the modules it names."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.INotifier, inherit=True)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "hueyapan")
        licencias.configure(config)

    # IMiddleware

    def make_middleware(self, app: Any, config: Any) -> Any:
        app.before_request(csrf.enforce)  # after CKAN's and Flask-WTF's own hooks
        cabeceras.install(app)  # security headers; uploaded files as inert downloads
        limites.install(app)  # login, reset and registration attempts per account and address
        sesiones.install(app)  # logout and a new password end sessions for good
        if tk.asbool(config.get("ckanext.hueyapan.gzip")):
            app.wsgi_app = GzipMiddleware(app.wsgi_app)
        caidas.install(app)  # Solr or PostgreSQL down: a Spanish 503
        idioma.write_js_translations()  # CKAN writes them only in `ckan run`
        return app

    # INotifier

    def notify_about_topic(self, already_notified: bool, topic: str,
                           details: dict[str, Any] | None = None) -> bool:
        return cuentas.notify_about_topic(already_notified, topic, details)

    # IFacets

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return indice.add_facets(facets_dict, package_type)

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return indice.before_index(licencias.prepare_index(pkg_dict))

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return indice.before_search(search_params)

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        for result in search_results.get("results", []):
            recursos.hide_internal(result)  # editors read it with package_show
            licencias.complete(result)
        return indice.after_search(search_results, search_params)

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        if not recursos.may_edit(context, pkg_dict):
            recursos.hide_internal(pkg_dict)
        licencias.complete(pkg_dict)
        return indice.after_show(pkg_dict)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        cifras.invalidate()

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        cifras.invalidate()

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        cifras.invalidate()

    # IResourceController

    def before_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        recursos.before_create_or_update(context, resource)

    def before_resource_update(
        self, context: Any, current: dict[str, Any], resource: dict[str, Any]
    ) -> None:
        recursos.before_create_or_update(context, resource)
