"""The generated Solr schema: CKAN's schema plus ckanext-spatial's and our facet fields, with
Spanish analysis for CKAN's full-text field type.

Plain tests: no database, no Solr (tests/busqueda/test_relevancia.py asks the running Solr). They
compare against the schema.xml shipped by the installed ckan, so that a CKAN upgrade that clashes
with our changes shows here.
"""
from __future__ import annotations

import json
import pathlib
import xml.etree.ElementTree as ET

import pytest

from ckanext.hueyapan.busqueda import esquema_solr

# Elements of a schema whose attributes define it, and the attribute naming each.
SCHEMA_ELEMENTS = {
    "fieldType": "name",
    "fieldtype": "name",
    "field": "name",
    "dynamicField": "name",
}


@pytest.fixture(scope="module")
def shipped() -> ET.Element:
    return ET.parse(esquema_solr.ckan_schema_path()).getroot()


@pytest.fixture(scope="module")
def generated() -> ET.Element:
    return ET.fromstring(esquema_solr.build_schema())


def _by_name(root: ET.Element, tags: tuple[str, ...]) -> dict[str, ET.Element]:
    return {el.get("name", ""): el for tag in tags for el in root.iter(tag)}


def _field_type(root: ET.Element, field_name: str) -> tuple[ET.Element, ET.Element]:
    field = _by_name(root, ("field",))[field_name]
    types = _by_name(root, ("fieldType", "fieldtype"))
    return field, types[field.get("type", "")]


def test_schema_is_read_from_the_installed_ckan():
    import ckan

    path = esquema_solr.ckan_schema_path()
    assert path.is_file()
    assert pathlib.Path(ckan.__file__).resolve().parent in path.parents


def test_schema_keeps_ckan_name_and_version(shipped, generated):
    assert generated.tag == "schema"
    assert generated.get("name") == shipped.get("name")
    assert generated.get("version") == shipped.get("version")
    assert generated.findtext("uniqueKey") == shipped.findtext("uniqueKey")


def test_schema_passes_ckans_version_check(monkeypatch, tmp_path):
    """CKAN refuses to start when the Solr schema name is not a supported ckan-X.Y."""
    import ckan.lib.search as search

    schema_file = tmp_path / "schema.xml"
    schema_file.write_text(esquema_solr.build_schema(), encoding="utf-8")
    # check_solr_schema_version() first pings Solr; these tests run without it.
    monkeypatch.setattr(search, "is_available", lambda: True)
    assert search.check_solr_schema_version(str(schema_file)) is True


@pytest.mark.parametrize("tag", sorted(SCHEMA_ELEMENTS))
def test_schema_keeps_every_ckan_declaration(shipped, generated, tag):
    ours = _by_name(generated, (tag,))
    for name, element in _by_name(shipped, (tag,)).items():
        assert name in ours, f"<{tag} name={name!r}> of ckan's schema is missing"
        assert ours[name].attrib == element.attrib, f"<{tag} name={name!r}> was changed"


def test_schema_keeps_every_ckan_copy_field(shipped, generated):
    def copies(root: ET.Element) -> list[tuple[str, str]]:
        return [(el.get("source", ""), el.get("dest", "")) for el in root.iter("copyField")]

    assert set(copies(shipped)) <= set(copies(generated))


def test_schema_only_adds_the_spatial_and_facet_declarations(shipped, generated):
    added = set(_by_name(generated, ("field",))) - set(_by_name(shipped, ("field",)))
    assert added == {*esquema_solr.BBOX_FIELDS, esquema_solr.GEOM_FIELD, *esquema_solr.DATE_FIELDS}
    dynamic = set(_by_name(generated, ("dynamicField",))) - set(
        _by_name(shipped, ("dynamicField",)))
    assert dynamic == {esquema_solr.FACET_FIELDS_PATTERN}


def test_facet_fields_are_multivalued_strings_and_dates_are_dates(generated):
    facet = _by_name(generated, ("dynamicField",))[esquema_solr.FACET_FIELDS_PATTERN]
    assert (facet.get("type"), facet.get("multiValued")) == ("string", "true")
    for name in esquema_solr.DATE_FIELDS:
        field, field_type = _field_type(generated, name)
        assert field_type.get("class") == "solr.DatePointField"


@pytest.mark.parametrize("name", esquema_solr.BBOX_FIELDS)
def test_bbox_fields_are_float_points(generated, name):
    field, field_type = _field_type(generated, name)
    assert field_type.get("class") == "solr.FloatPointField"
    assert field.get("indexed") == "true"
    assert field.get("docValues") == "true"
    assert "true" not in (field.get("multiValued"), field_type.get("multiValued"))


def test_bbox_fields_cover_what_ckanext_spatial_indexes(generated):
    """Every field the solr-bbox backend adds to a dataset is declared (not the string
    catch-all)."""
    from ckanext.spatial.search import SolrBBoxSearchBackend

    polygon = {
        "type": "Polygon",
        "coordinates": [[[-97.6, 19.9], [-97.3, 19.9], [-97.3, 20.1], [-97.6, 20.1],
                         [-97.6, 19.9]]],
    }
    dataset = {"id": "d", "spatial": json.dumps(polygon)}
    added = set(SolrBBoxSearchBackend().index_dataset(dict(dataset))) - set(dataset)
    assert added
    assert added <= set(esquema_solr.BBOX_FIELDS) <= set(_by_name(generated, ("field",)))


def test_spatial_geom_is_a_jts_rpt_field(generated):
    field, field_type = _field_type(generated, "spatial_geom")
    # ckanext.spatial.solr_geom_field_name's default
    assert esquema_solr.GEOM_FIELD == "spatial_geom"
    assert field.get("multiValued") == "true"
    assert field.get("indexed") == "true"
    assert field_type.get("class") == "solr.SpatialRecursivePrefixTreeFieldType"
    assert field_type.attrib == {
        "name": esquema_solr.GEOM_FIELD_TYPE,
        "class": "solr.SpatialRecursivePrefixTreeFieldType",
        "spatialContextFactory": "JTS",
        "autoIndex": "true",
        "validationRule": "repairBuffer0",
        "distErrPct": "0.025",
        "maxDistErr": "0.001",
        "distanceUnits": "kilometers",
    }


def _analyzers(root: ET.Element, type_name: str) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Each analyzer of a field type as its list of (element tag, attributes)."""
    field_type = _by_name(root, ("fieldType", "fieldtype"))[type_name]
    return {
        str(analyzer.get("type")): [
            (child.tag, dict(child.attrib)) for child in analyzer if isinstance(child.tag, str)
        ]
        for analyzer in field_type.iter("analyzer")
    }


def test_full_text_fields_use_the_spanish_type(generated):
    """The fields package_search queries as text (``text`` is the catch-all copy target)."""
    for name in ("title", "notes", "text"):
        field, field_type = _field_type(generated, name)
        assert field_type.get("name") == esquema_solr.SPANISH_TEXT_TYPE
    extras = _by_name(generated, ("dynamicField",))["extras_*"]
    assert extras.get("type") == esquema_solr.SPANISH_TEXT_TYPE


@pytest.mark.parametrize("analyzer", ["index", "query"])
def test_text_type_keeps_ckans_chain_up_to_lowercase_then_spanish(shipped, generated, analyzer):
    ckan = _analyzers(shipped, esquema_solr.SPANISH_TEXT_TYPE)[analyzer]
    ours = _analyzers(generated, esquema_solr.SPANISH_TEXT_TYPE)[analyzer]
    lowercase = ("filter", {"class": "solr.LowerCaseFilterFactory"})
    head = ckan[: ckan.index(lowercase) + 1]

    assert ours[: len(head)] == head  # tokenizer, synonyms, word splitting, lowercase
    assert ours[len(head):] == [("filter", attrs | {"class": factory})
                                for factory, attrs in esquema_solr.SPANISH_TEXT_FILTERS]


@pytest.mark.parametrize("analyzer", ["index", "query"])
def test_text_type_folds_accents_before_a_spanish_stemmer(generated, analyzer):
    chain = [attrs for _, attrs in _analyzers(generated, esquema_solr.SPANISH_TEXT_TYPE)[analyzer]]
    classes = [attrs.get("class") for attrs in chain]
    stemmers = [a for a in chain if a.get("class") == "solr.SnowballPorterFilterFactory"]
    assert [stemmer.get("language") for stemmer in stemmers] == ["Spanish"]
    fold = classes.index("solr.ASCIIFoldingFilterFactory")
    assert fold < classes.index("solr.SpanishPluralStemFilterFactory")
    assert fold < classes.index("solr.SnowballPorterFilterFactory")
    assert classes[-1] == "solr.ASCIIFoldingFilterFactory"
    assert "solr.StopFilterFactory" not in classes  # see the module docstring of esquema_solr


def test_an_unknown_filter_in_ckans_text_type_is_an_error():
    """A CKAN upgrade that changes the language part of its text type must be looked at."""
    root = ET.parse(esquema_solr.ckan_schema_path()).getroot()
    field_type = _by_name(root, ("fieldType",))[esquema_solr.SPANISH_TEXT_TYPE]
    analyzer = field_type.find("analyzer")
    assert analyzer is not None
    ET.SubElement(analyzer, "filter", {"class": "solr.StopFilterFactory"})
    with pytest.raises(esquema_solr.SchemaError, match="StopFilterFactory"):
        esquema_solr._spanish_text(root)


def test_index_and_query_analysis_agree_after_lowercase(generated):
    analyzers = _analyzers(generated, esquema_solr.SPANISH_TEXT_TYPE)

    def tail(chain: list[tuple[str, dict[str, str]]]) -> list[tuple[str, dict[str, str]]]:
        return chain[[a.get("class") for _, a in chain].index("solr.LowerCaseFilterFactory"):]

    assert tail(analyzers["index"]) == tail(analyzers["query"])


def test_other_field_types_are_ckans(shipped, generated):
    for name in _by_name(shipped, ("fieldType", "fieldtype")):
        if name != esquema_solr.SPANISH_TEXT_TYPE:
            assert _analyzers(generated, name) == _analyzers(shipped, name), name


def test_build_schema_is_deterministic():
    assert esquema_solr.build_schema() == esquema_solr.build_schema()


def test_write_core_writes_every_file_the_schema_refers_to(tmp_path):
    conf = tmp_path / "conf"
    written = esquema_solr.write_core(conf)

    assert all(path.parent == conf and path.is_file() for path in written)
    schema = (conf / "schema.xml").read_text(encoding="utf-8")
    assert schema == esquema_solr.build_schema()

    # Every attribute value naming a resource file, found independently of the module.
    referenced = {
        part.strip()
        for element in ET.fromstring(schema).iter()
        for value in element.attrib.values()
        if value.endswith((".txt", ".xml", ".json"))
        for part in value.split(",")
    }
    assert {"protwords.txt", "synonyms.txt"} <= referenced
    for name in referenced | {"stopwords.txt"}:
        assert (conf / name).is_file(), f"{name} is referenced but was not written"

    solrconfig = ET.parse(conf / "solrconfig.xml").getroot()
    assert solrconfig.findtext("luceneMatchVersion") == "9.0"
    assert solrconfig.find("schemaFactory").get("class") == "ClassicIndexSchemaFactory"
    assert solrconfig.find("updateHandler/updateLog") is not None


def test_write_core_is_a_command(tmp_path, capsys):
    assert esquema_solr.main([str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert str(tmp_path / "schema.xml") in printed
    assert esquema_solr.main([]) == 2


def test_the_plain_ckan_core_is_ckans_schema_unchanged(tmp_path):
    """``--ckan`` (plain-CKAN test stores, make test-ckan): CKAN's schema as shipped, with every
    word list it names."""
    written = esquema_solr.write_ckan_core(tmp_path)
    assert (tmp_path / "schema.xml").read_bytes() == esquema_solr.ckan_schema_path().read_bytes()
    names = esquema_solr.referenced_files((tmp_path / "schema.xml").read_text(encoding="utf-8"))
    assert names and all((tmp_path / name).is_file() for name in names)
    assert tmp_path / "solrconfig.xml" in written
