"""Spanish full-text search: a relevance test set over a small made-up catalog.

``tests/data/relevancia.yaml`` holds about fifty example datasets of Hueyapan de Ocampo and the
queries a visitor would type to find them: without accents ("energia"), in another inflection
or derivation ("pavimentar" for "pavimentación", "obra" for "obras"), full sentences with
articles and prepositions, community names without accents and upper case. Every expected
dataset must be among the first ``TOP_N`` results of ``package_search`` with CKAN's own query
parameters (dismax over ``name^4 title^4 tags^2 groups^2 text``).

These queries pass with the Spanish analysis of ``ckanext.hueyapan.busqueda.esquema_solr`` and many
fail with the English analysis of CKAN's shipped schema: ``bench/relevancia.py`` runs the same
functions against both schemas and compares their recall.
"""
from __future__ import annotations

import json
import pathlib
import urllib.parse
import urllib.request
from typing import Any, TypedDict

import pytest
import yaml

from ckan.plugins import toolkit
from ckan.types import Context

#: The data file shared with bench/relevancia.py.
RELEVANCE_SET = pathlib.Path(__file__).resolve().parents[1] / "data" / "relevancia.yaml"
#: How deep in the results an expected dataset must be.
TOP_N = 10
#: What every example title says.
EXAMPLE_MARK = "(datos de ejemplo)"
#: The kinds of query the set must cover (the `caso` of each query).
CASES = frozenset({"acentos", "morfologia", "plural", "vacias", "comunidad", "mayusculas"})
ORGANIZATION = {"name": "ayuntamiento-hueyapan", "title": "Ayuntamiento de Hueyapan de Ocampo"}


class Dataset(TypedDict):
    name: str
    title: str
    notes: str
    tags: list[str]


class Query(TypedDict):
    q: str
    caso: str
    esperados: list[str]


class Miss(TypedDict):
    q: str
    caso: str
    faltan: list[str]
    obtenidos: list[str]


def load_relevance_set(path: pathlib.Path = RELEVANCE_SET) -> tuple[list[Dataset], list[Query]]:
    """The example datasets and the queries of the relevance set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["conjuntos"], data["consultas"]


def _site_context() -> Context:
    user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": user["name"], "ignore_auth": True}


def create_corpus(datasets: list[Dataset]) -> dict[str, Any]:
    """Create the organization and the datasets (type ``dataset``) through ``package_create``,
    which indexes each of them in the Solr core of ``solr_url``. Returns the organization."""
    org = toolkit.get_action("organization_create")(_site_context(), dict(ORGANIZATION))
    for dataset in datasets:
        toolkit.get_action("package_create")(
            _site_context(),
            {
                "type": "dataset",
                "name": dataset["name"],
                "title": dataset["title"],
                "notes": dataset["notes"],
                "tag_string": ",".join(dataset["tags"]),
                "owner_org": org["id"],
            },
        )
    return org


def search_names(q: str, rows: int = TOP_N) -> list[str]:
    """Names of the first ``rows`` results of package_search for ``q``, as the search page asks."""
    result = toolkit.get_action("package_search")({"ignore_auth": True}, {"q": q, "rows": rows})
    return [dataset["name"] for dataset in result["results"]]


def run_queries(queries: list[Query]) -> tuple[list[dict[str, Any]], list[Miss]]:
    """Run every query; return one record per query (recall at ``TOP_N``) and the misses."""
    records: list[dict[str, Any]] = []
    misses: list[Miss] = []
    for query in queries:
        found = search_names(query["q"])
        missing = [name for name in query["esperados"] if name not in found]
        expected = len(query["esperados"])
        records.append({
            "q": query["q"],
            "caso": query["caso"],
            "esperados": expected,
            "encontrados": expected - len(missing),
            "recall": (expected - len(missing)) / expected,
        })
        if missing:
            misses.append(
                {"q": query["q"], "caso": query["caso"], "faltan": missing, "obtenidos": found}
            )
    return records, misses


def analyse(text: str) -> list[str]:
    """The tokens the running Solr core (``solr_url``) indexes for ``text`` in a ``text`` field."""
    query = urllib.parse.urlencode(
        {"analysis.fieldtype": "text", "analysis.fieldvalue": text, "wt": "json"})
    url = f"{toolkit.config['solr_url'].rstrip('/')}/analysis/field?{query}"
    with urllib.request.urlopen(url, timeout=30) as response:
        stages = json.load(response)["analysis"]["field_types"]["text"]["index"]
    return [token["text"] for token in stages[-1]]


# Words that must meet in the index: accents, plurals, gender, verb ~ noun.
SAME_STEM = [
    ("energía", "energia", "ENERGÍA"),
    ("comité", "comite"),
    ("obra", "obras"),
    ("mujer", "mujeres"),
    ("árbol", "árboles", "arboles"),
    ("camión", "camion", "camiones"),
    ("pavimentación", "pavimentacion", "pavimentaciones", "pavimentar", "pavimentadas"),
    ("rehabilitación", "rehabilitar", "rehabilitado"),
    ("educación", "educativo", "educativa"),
    ("público", "pública", "publicos"),
    ("niños", "niñas"),
]
# Words that must stay apart.
DIFFERENT_STEM = [("camino", "camión"), ("obra", "obrero"), ("beca", "becerro")]


@pytest.mark.parametrize("words", SAME_STEM, ids=lambda words: words[0])
def test_solr_conflates_spanish_forms(words):
    stems = {tuple(analyse(word)) for word in words}
    assert len(stems) == 1, stems


@pytest.mark.parametrize("words", DIFFERENT_STEM, ids=lambda words: "-".join(words))
def test_solr_keeps_different_words_apart(words):
    assert analyse(words[0]) != analyse(words[1])


def test_relevance_set_is_well_formed():
    datasets, queries = load_relevance_set()
    names = [d["name"] for d in datasets]
    assert 40 <= len(datasets) <= 60
    assert len(set(names)) == len(names)
    assert all(d["title"].endswith(EXAMPLE_MARK) for d in datasets)
    assert len(queries) >= 40
    assert {q["caso"] for q in queries} == CASES
    for query in queries:
        assert 1 <= len(query["esperados"]) <= TOP_N, query["q"]
        assert set(query["esperados"]) <= set(names), query["q"]
    assert len({q["q"] for q in queries}) == len(queries)


@pytest.mark.usefixtures("with_plugins", "clean_db_all", "clean_index")
def test_spanish_queries_find_their_datasets():
    datasets, queries = load_relevance_set()
    create_corpus(datasets)
    assert toolkit.get_action("package_search")({}, {"rows": 0})["count"] == len(datasets)

    records, misses = run_queries(queries)

    report = "\n".join(
        f"  {m['q']!r} ({m['caso']}): faltan {m['faltan']}, primeros: {m['obtenidos'][:5]}"
        for m in misses
    )
    assert not misses, f"{len(misses)} of {len(records)} queries miss datasets:\n{report}"
