"""ckanext-scheming dataset schemas of the catalog (YAML files in this folder)."""
