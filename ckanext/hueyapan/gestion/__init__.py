"""The work of the municipal áreas in the catalog: what waits for them (``area.py``, the page
"Mi área") and an obra published from its essentials (``alta.py``, the short new-obra path)."""
