from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.cli
@tk.blanket.helpers
class HueyapanPlugin(DefaultTranslation, p.SingletonPlugin):
    """Wiring of the Hueyapan de Ocampo catalog. Behaviour lives in the modules it names."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
