"""CKAN's API contract holds for the catalog's four dataset types (issue 23): what a CKAN client
(ckanapi scripts, portals that harvest the catalog) relies on. ``make test-ckan``
(contrato/comparar.py) runs CKAN's own tests with our plugins; these are the regressions it found.
"""
from __future__ import annotations

import lxml.html
import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import convocatoria, obra, programa
from tests.sesion import csrf_token, log_in

AUTH = "Authorization"

#: The keys plain CKAN 2.12.0 gives a dataset in package_create, package_show and package_search
#: (probed on plain CKAN), and what it gives for those a client did not send.
STANDARD_KEYS = (
    "author", "author_email", "creator_user_id", "extras", "groups", "id", "isopen", "license_id",
    "license_title", "maintainer", "maintainer_email", "metadata_created", "metadata_modified",
    "name", "notes", "num_resources", "num_tags", "organization", "owner_org", "private",
    "relationships_as_object", "relationships_as_subject", "resources", "state", "tags", "title",
    "type", "url", "version",
)
EMPTY = {"author": None, "author_email": None, "maintainer": None, "maintainer_email": None,
         "url": None, "version": None, "notes": None, "extras": []}


def dataset(org, **fields):
    """The smallest dataset of the general type."""
    data = {"type": "dataset", "owner_org": org["id"], "name": "padron-desayunos-2025",
            "title": "Padrón de desayunos escolares 2025"}
    data.update(fields)
    return data


MAKERS = [obra, programa, convocatoria, dataset]


@pytest.fixture
def staff(comunidades):
    user = factories.SysadminWithToken()
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    return user, org


def api(app, user, action, data):
    return app.post(f"/api/3/action/{action}", json=data, headers={AUTH: user["token"]})


def created(app, user, data) -> dict:
    response = api(app, user, "package_create", data)
    assert response.status_code == 200, response.body
    return response.json["result"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
class TestUpdateWithoutName:
    def test_package_update_with_id_and_no_name_keeps_the_name(self, app, staff, make):
        user, org = staff
        shown = call_action("package_show", id=created(app, user, make(org))["id"])
        data = {k: v for k, v in shown.items() if k != "name"}
        data["title"] = "Título corregido"
        response = api(app, user, "package_update", data)
        assert response.status_code == 200, response.body
        after = call_action("package_show", id=shown["id"])
        assert (after["name"], after["title"]) == (shown["name"], "Título corregido")

    def test_package_update_without_name_nor_title_is_accepted(self, app, staff, make):
        """CKAN's update schema makes both optional (an omitted title is then cleared, as
        CKAN's model does for a column it is not given); the name stays."""
        user, org = staff
        shown = call_action("package_show", id=created(app, user, make(org))["id"])
        data = {k: v for k, v in shown.items() if k not in ("name", "title")}
        response = api(app, user, "package_update", data)
        assert response.status_code == 200, response.body
        assert call_action("package_show", id=shown["id"])["name"] == shown["name"]

    def test_package_create_still_needs_a_name(self, app, staff, make):
        user, org = staff
        data = {k: v for k, v in make(org).items() if k != "name"}
        response = api(app, user, "package_create", data)
        assert response.status_code == 409, response.body
        assert "name" in response.json["error"]

    def test_package_update_refuses_an_empty_name(self, app, staff, make):
        user, org = staff
        shown = call_action("package_show", id=created(app, user, make(org))["id"])
        response = api(app, user, "package_update", {**shown, "name": ""})
        assert response.status_code == 409, response.body
        assert "name" in response.json["error"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
class TestStandardKeys:
    def _check(self, pkg: dict, sent: dict) -> None:
        missing = [key for key in STANDARD_KEYS if key not in pkg]
        assert not missing, f"{pkg['type']} lacks {missing}"
        for key, empty in EMPTY.items():
            if key not in sent:
                assert pkg[key] == empty, (key, pkg[key])

    def test_create_show_and_search_give_every_standard_key(self, app, staff, make):
        user, org = staff
        sent = make(org)
        result = created(app, user, sent)
        self._check(result, sent)
        self._check(call_action("package_show", id=result["id"]), sent)
        found = app.get("/api/3/action/package_search", query_string={"q": f"name:{sent['name']}"})
        assert found.json["result"]["count"] == 1
        self._check(found.json["result"]["results"][0], sent)

    def test_a_resource_without_description_has_the_key(self, app, staff, make):
        user, org = staff
        pkg = created(app, user, make(org))
        response = api(app, user, "resource_create", {
            "package_id": pkg["id"], "url": "https://hueyapan.gob.mx/datos.csv"})
        assert response.status_code == 200, response.body
        for resource in (response.json["result"],
                         call_action("package_show", id=pkg["id"])["resources"][0]):
            assert resource["description"] is None and "name" in resource and "format" in resource

    def test_given_values_are_kept(self, app, staff, make):
        user, org = staff
        given = {"author": "Dirección de Obras", "maintainer": "Ana Pérez",
                 "maintainer_email": "obras@hueyapan.gob.mx", "url": "https://hueyapan.gob.mx/obras",
                 "version": "1.0"}
        shown = call_action("package_show", id=created(app, user, make(org, **given))["id"])
        assert {key: shown[key] for key in given} == given


# --- Collaborators who are not members of the dataset's área --------------------------------------

def area_options(page) -> list[tuple[str, bool]]:
    """The options (value, selected) of the dataset form's área select."""
    assert page.status_code == 200
    root = lxml.html.fromstring(page.get_data(as_text=True))
    return [(option.get("value"), option.get("selected") is not None)
            for option in root.get_element_by_id("field-organizations").iter("option")]


def posted(data: dict, page, area: str) -> dict:
    """What the form posts for ``data`` (the builder's plain fields, as
    tests/salvaguardas/test_csrf.py) when the user keeps the área the select shows."""
    fields = {key: value for key, value in data.items()
              if isinstance(value, str) or (isinstance(value, list)
                                            and all(isinstance(v, str) for v in value))}
    return {**fields, "owner_org": area, "_csrf_token": csrf_token(page), "save": ""}


def form_errors(page) -> str:
    """The errors a refused form shows."""
    root = lxml.html.fromstring(page.get_data(as_text=True))
    return " | ".join(" ".join(node.text_content().split())
                      for node in root.xpath('//*[contains(@class, "error")]'))


@pytest.fixture
def colaborador(staff):
    """A user who is an editor of another área and a collaborator (editor) of datasets of
    Obras Públicas, with which they have nothing else to do."""
    other = factories.Organization(name="desarrollo-social", title="Desarrollo Social")
    user = factories.UserWithToken(name="colaboradora")
    call_action("organization_member_create", id=other["id"], username=user["name"],
                role="editor")
    return user, other


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", "true")
@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
class TestCollaboratorOutsideTheArea:
    def _shared(self, app, staff, colaborador, make) -> dict:
        user, org = staff
        pkg = created(app, user, make(org))
        call_action("package_collaborator_create", id=pkg["id"], user_id=colaborador[0]["id"],
                    capacity="editor")
        log_in(app, colaborador[0]["name"])
        return pkg

    def test_the_form_keeps_the_dataset_area_and_saving_keeps_owner_org(
            self, app, staff, colaborador, make):
        org = staff[1]
        pkg = self._shared(app, staff, colaborador, make)
        url = f"/{pkg['type']}/edit/{pkg['name']}"
        page = app.get(url)
        options = area_options(page)
        assert options == [(org["id"], True)]  # the only choice: they may not move it
        data = posted(make(org, title="Título corregido por la colaboradora"), page, options[0][0])
        saved = app.post(url, data=data, follow_redirects=False)
        assert saved.status_code == 302, form_errors(saved)
        after = call_action("package_show", id=pkg["id"])
        assert (after["owner_org"], after["title"]) == (
            org["id"], "Título corregido por la colaboradora")

    @pytest.mark.ckan_config("ckan.auth.allow_collaborators_to_change_owner_org", "true")
    def test_a_collaborator_allowed_to_move_it_also_sees_their_areas(
            self, app, staff, colaborador, make):
        org, other = staff[1], colaborador[1]
        pkg = self._shared(app, staff, colaborador, make)
        options = area_options(app.get(f"/{pkg['type']}/edit/{pkg['name']}"))
        assert (org["id"], True) in options and (other["id"], False) in options
