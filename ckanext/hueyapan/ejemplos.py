"""Generated example data ("Datos de ejemplo"): never official, always marked, switchable off.

``obras_rows(n, seed)`` makes plausible obra rows from the real communities (amounts, dates and
FAIS categories with realistic spreads); ``obras_csv`` writes them with the Spanish headers of the
obra template, which the tabular harvester reads. ``make run`` registers a harvest source for the
shipped file ``public/ejemplos/obras-datos-de-ejemplo.csv`` when ``ckanext.hueyapan.datos_ejemplo``
is true; ``python -m ckanext.hueyapan.ejemplos`` writes that file again (it is deterministic).
"""
from __future__ import annotations

import csv
import datetime
import io
import random
import sys
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["MARCA", "HEADERS", "SAMPLE_PATH", "communities", "obras_rows", "obras_csv"]

MARCA = "Datos de ejemplo"
#: Name of the harvest source of the example spreadsheet (``ckan hueyapan cosecha-ejemplo``).
FUENTE = "obras-datos-de-ejemplo"
SAMPLE_PATH = "ejemplos/obras-datos-de-ejemplo.csv"
HEADERS = (
    "Clave de la obra", "Nombre de la obra", "Descripción", "Ejercicio fiscal", "Comunidades",
    "Etapa", "Rubro FAIS", "Modalidad FAIS", "Fuente de financiamiento 1", "Monto fuente 1",
    "Monto aprobado (MXN)", "Fecha de inicio", "Fecha de término programada",
    "Personas beneficiadas (total)",
)
_WORKS = {
    "agua_potable": ("Ampliación de la red de agua potable", "construccion"),
    "drenaje_letrinas": ("Construcción de drenaje sanitario", "construccion"),
    "urbanizacion": ("Pavimentación con concreto hidráulico de calle", "construccion"),
    "electrificacion": ("Ampliación de la red eléctrica", "ampliacion"),
    "educacion": ("Rehabilitación de aulas de la escuela primaria", "rehabilitacion"),
    "salud": ("Rehabilitación de la casa de salud", "rehabilitacion"),
    "vivienda": ("Construcción de cuartos dormitorio", "construccion"),
}


def communities() -> list[tuple[str, str, int]]:
    """(INEGI key, name, 2020 population) of the shipped localities."""
    text = (resources.files("ckanext.hueyapan") / "data" / "hueyapan_localidades.csv").read_text(
        "utf-8")
    return [(r["cvegeo"], r["nom_loc"], int(r["pob_total_2020"] or 0))
            for r in csv.DictReader(io.StringIO(text))]


def obras_rows(n: int, seed: int = 30073, year: int = 2025) -> list[dict[str, str]]:
    """``n`` example obras, reproducible for a given seed. Keys are ``EJEMPLO-<year>-<nnnn>``."""
    rng = random.Random(seed)
    places = [c for c in communities() if c[1] != "La Nueva Esperanza"]  # names shared by two
    weights = [max(c[2], 50) for c in places]
    rows = []
    for number in range(1, n + 1):
        key, place, population = rng.choices(places, weights=weights)[0]
        rubro = rng.choice(list(_WORKS))
        work, modalidad = _WORKS[rubro]
        amount = round(rng.lognormvariate(13.3, 0.7), -2)  # ~600k pesos median, long tail
        start = datetime.date(year, 1, 15) + datetime.timedelta(days=rng.randrange(0, 240))
        end = start + datetime.timedelta(days=rng.randrange(45, 180))
        fund = "FISM-DF (FAIS municipal, Ramo 33)" if rng.random() < 0.8 else "Recursos propios"
        rows.append({
            "Clave de la obra": f"EJEMPLO-{year}-{number:04d}",
            "Nombre de la obra": f"{work} en {place} ({MARCA})",
            "Descripción": f"{MARCA}: registro generado para mostrar el catálogo; no es una obra real.",
            "Ejercicio fiscal": str(year),
            "Comunidades": place,
            "Etapa": "Planeación",
            "Rubro FAIS": rubro,
            "Modalidad FAIS": modalidad,
            "Fuente de financiamiento 1": fund,
            "Monto fuente 1": f"${amount:,.2f}",
            "Monto aprobado (MXN)": f"${amount:,.2f}",
            "Fecha de inicio": start.strftime("%d/%m/%Y"),
            "Fecha de término programada": end.isoformat(),
            "Personas beneficiadas (total)": str(max(20, int(population * rng.uniform(0.05, 0.6)))),
        })
    return rows


def obras_csv(rows: list[dict[str, str]]) -> bytes:
    """The rows as a CSV with a title row above the header, as staff's files often have."""
    out = io.StringIO()
    out.write(f"Obras públicas — {MARCA} (generados, no oficiales)\n")
    writer = csv.DictWriter(out, fieldnames=HEADERS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _sample_file() -> Path:
    return Path(str(resources.files("ckanext.hueyapan"))) / "public" / SAMPLE_PATH


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else _sample_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(obras_csv(obras_rows(24)))
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
