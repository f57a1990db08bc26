"""The architecture rules, read from the code itself (AST), with the layer map the README shows.

The README's "Arquitectura" section holds the map between ``<!-- mapa-de-capas -->`` and
``<!-- /mapa-de-capas -->``: one table row per layer, the modules or packages of that layer in
backticks (a name ending in ``/`` is a package: everything under it). The rules:

- every module of the package is on the map, once (migrations excepted: Alembic loads them);
- a module imports only from its own layer or lower ones, and the imports never form a cycle
  (imports inside functions count too);
- nothing imports ``helpers``, ``views`` or ``plugin``; ``logic/`` never imports ``harvesters/``;
- no ``_private`` name is imported or read from another module, and every name used from another
  module is in that module's ``__all__``;
- an import inside a function carries a comment (same line or the line above) saying why;
- a configuration key declared with a default in a ``config_declaration.yaml`` is never read with
  a second, repeated default in code (``config.get(key, default)``).

The checker works on any tree, so the tests at the end prove it fails on what it forbids.
"""
from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "ckanext.hueyapan"
NEVER_IMPORTED = ("helpers", "views", "plugin")
EXCLUDED = ("migration/",)
MAP_START, MAP_END = "<!-- mapa-de-capas -->", "<!-- /mapa-de-capas -->"


@dataclasses.dataclass(frozen=True)
class Capa:
    numero: int
    nombres: tuple[str, ...]  # "model.py", "logic/action.py", "busqueda/"


@dataclasses.dataclass
class Importacion:
    origen: str  # dotted module name, relative to the package: "logic.validators"
    destino: str
    nombre: str | None  # the name taken from ``destino`` (None: the module itself)
    linea: int
    en_funcion: bool
    comentada: bool


def leer_mapa(texto: str) -> list[Capa]:
    """The layers of the map in the README text ``texto``."""
    if MAP_START not in texto or MAP_END not in texto:
        raise AssertionError(f"el README no tiene el mapa de capas ({MAP_START} … {MAP_END})")
    bloque = texto.split(MAP_START, 1)[1].split(MAP_END, 1)[0]
    capas = []
    for fila in bloque.splitlines():
        celdas = [c.strip() for c in fila.strip().strip("|").split("|")]
        if len(celdas) >= 2 and celdas[0].isdigit():
            capas.append(Capa(int(celdas[0]), tuple(re.findall(r"`([^`]+)`", celdas[1]))))
    return capas


def _modulos(raiz: Path) -> dict[str, Path]:
    """Dotted names (relative to the package; "" is its ``__init__``) of the package at
    ``raiz``."""
    encontrados = {}
    for archivo in sorted(raiz.rglob("*.py")):
        relativo = archivo.relative_to(raiz).as_posix()
        if "__pycache__" in relativo or relativo.startswith(EXCLUDED):
            continue
        partes = relativo[:-3].split("/")
        if partes[-1] == "__init__":
            partes = partes[:-1]
        encontrados[".".join(partes)] = archivo
    return encontrados


def _ruta(modulo: str, es_paquete: bool) -> str:
    if not modulo:
        return "__init__.py"
    return modulo.replace(".", "/") + ("/" if es_paquete else ".py")


def capa_de(modulo: str, archivos: dict[str, Path], capas: list[Capa]) -> list[int]:
    """The layers naming ``modulo``: the most specific name wins (a module over its package)."""
    es_paquete = archivos[modulo].name == "__init__.py"
    ruta = _ruta(modulo, es_paquete)
    mejor, largo = [], -1
    for capa in capas:
        for nombre in capa.nombres:
            if ruta == nombre or (nombre.endswith("/") and ruta.startswith(nombre)):
                if len(nombre) > largo:
                    mejor, largo = [capa.numero], len(nombre)
                elif len(nombre) == largo:
                    mejor.append(capa.numero)
    return mejor


def _importaciones(modulo: str, archivo: Path, archivos: dict[str, Path]) -> list[Importacion]:
    fuente = archivo.read_text(encoding="utf-8")
    lineas = fuente.splitlines()
    arbol = ast.parse(fuente)
    padres = {hijo: padre for padre in ast.walk(arbol) for hijo in ast.iter_child_nodes(padre)}
    es_paquete = archivo.name == "__init__.py"
    encontradas = []

    def dentro_de_funcion(nodo: ast.AST) -> bool:
        while nodo in padres:
            nodo = padres[nodo]
            if isinstance(nodo, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return True
        return False

    def comentada(linea: int) -> bool:
        actual = lineas[linea - 1]
        anterior = lineas[linea - 2].strip() if linea >= 2 else ""
        return "#" in actual or anterior.startswith("#")

    def propio(nombre: str) -> str | None:
        if nombre == PACKAGE:
            return ""
        if nombre.startswith(PACKAGE + "."):
            return nombre[len(PACKAGE) + 1:]
        return None

    for nodo in ast.walk(arbol):
        pares: list[tuple[str, str | None]] = []
        if isinstance(nodo, ast.Import):
            for alias in nodo.names:
                destino = propio(alias.name)
                if destino is not None and destino in archivos:
                    pares.append((destino, None))
        elif isinstance(nodo, ast.ImportFrom):
            if nodo.level:
                base = modulo.split(".") if modulo else []
                base = base if es_paquete else base[:-1]
                base = base[:len(base) - (nodo.level - 1)]
                desde = ".".join(base + ([nodo.module] if nodo.module else []))
            else:
                desde = propio(nodo.module or "")
                if desde is None:
                    continue
            for alias in nodo.names:
                submodulo = f"{desde}.{alias.name}" if desde else alias.name
                if submodulo in archivos:
                    pares.append((submodulo, None))
                elif desde in archivos:
                    pares.append((desde, alias.name))
        else:
            continue
        for destino, nombre in pares:
            encontradas.append(Importacion(modulo, destino, nombre, nodo.lineno,
                                           dentro_de_funcion(nodo), comentada(nodo.lineno)))
    return encontradas


def _publicos(archivo: Path) -> set[str] | None:
    """The names of ``__all__`` of a module (None when it has none)."""
    for nodo in ast.parse(archivo.read_text(encoding="utf-8")).body:
        destinos = nodo.targets if isinstance(nodo, ast.Assign) else (
            [nodo.target] if isinstance(nodo, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in destinos):
            assert isinstance(nodo, (ast.Assign, ast.AnnAssign))
            valor = nodo.value
            if isinstance(valor, (ast.List, ast.Tuple)):
                return {e.value for e in valor.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return None


def _atributos_usados(archivo: Path, modulo: str, archivos: dict[str, Path]
                      ) -> Iterable[tuple[str, str, int]]:
    """(module, attribute, line) for every ``alias.attribute`` where alias is one of our modules
    imported as a whole."""
    arbol = ast.parse(archivo.read_text(encoding="utf-8"))
    alias_de: dict[str, str] = {}
    for imp in _importaciones(modulo, archivo, archivos):
        if imp.nombre is None:
            local = imp.destino.rsplit(".", 1)[-1]
            for nodo in ast.walk(arbol):
                if isinstance(nodo, (ast.Import, ast.ImportFrom)) and nodo.lineno == imp.linea:
                    for alias in nodo.names:
                        if alias.name.rsplit(".", 1)[-1] == local:
                            if alias.asname:
                                alias_de[alias.asname] = imp.destino
                            elif isinstance(nodo, ast.ImportFrom):
                                alias_de[local] = imp.destino
    for nodo in ast.walk(arbol):
        if (isinstance(nodo, ast.Attribute) and isinstance(nodo.value, ast.Name)
                and nodo.value.id in alias_de):
            yield alias_de[nodo.value.id], nodo.attr, nodo.lineno


def _ciclos(aristas: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (or a module importing itself)."""
    indice: dict[str, int] = {}
    bajo: dict[str, int] = {}
    pila: list[str] = []
    en_pila: set[str] = set()
    componentes = []
    contador = 0

    def visitar(v: str) -> None:
        nonlocal contador
        indice[v] = bajo[v] = contador
        contador += 1
        pila.append(v)
        en_pila.add(v)
        for w in sorted(aristas.get(v, ())):
            if w not in indice:
                visitar(w)
                bajo[v] = min(bajo[v], bajo[w])
            elif w in en_pila:
                bajo[v] = min(bajo[v], indice[w])
        if bajo[v] == indice[v]:
            componente = []
            while True:
                w = pila.pop()
                en_pila.discard(w)
                componente.append(w)
                if w == v:
                    break
            if len(componente) > 1 or v in aristas.get(v, ()):
                componentes.append(sorted(componente))

    for v in sorted(aristas):
        if v not in indice:
            visitar(v)
    return componentes


def _config_keys_with_default(raiz: Path) -> set[str]:
    keys = set()
    for archivo in raiz.rglob("config_declaration.yaml"):
        data = yaml.safe_load(archivo.read_text(encoding="utf-8")) or {}
        for grupo in data.get("groups", []):
            for opcion in grupo.get("options", []):
                if "default" in opcion:
                    keys.add(opcion["key"])
    return keys


def revisar(raiz: Path, capas: list[Capa]) -> list[str]:
    """Every breach of the rules in the package at ``raiz`` with the layer map ``capas``, as
    Spanish messages that name the file and line."""
    archivos = _modulos(raiz)
    fallas: list[str] = []

    def donde(modulo: str, linea: int | None = None) -> str:
        ruta = archivos[modulo].relative_to(raiz.parent.parent).as_posix()
        return f"{ruta}:{linea}" if linea else ruta

    niveles: dict[str, int] = {}
    for modulo in archivos:
        encontradas = capa_de(modulo, archivos, capas)
        if not encontradas:
            fallas.append(f"{donde(modulo)}: no está en el mapa de capas del README")
        elif len(encontradas) > 1:
            fallas.append(f"{donde(modulo)}: está en más de una capa del mapa ({encontradas})")
        else:
            niveles[modulo] = encontradas[0]

    aristas: dict[str, set[str]] = {}
    publicos = {m: _publicos(a) for m, a in archivos.items()}
    for modulo, archivo in archivos.items():
        for imp in _importaciones(modulo, archivo, archivos):
            destino = imp.destino
            if destino == modulo or modulo.startswith(destino + ".") and imp.nombre is None:
                continue
            aristas.setdefault(modulo, set()).add(destino)
            lugar = donde(modulo, imp.linea)
            if modulo in niveles and destino in niveles and niveles[modulo] < niveles[destino]:
                fallas.append(f"{lugar}: importa {destino} hacia arriba "
                              f"(capa {niveles[modulo]} → capa {niveles[destino]})")
            if (destino.split(".")[0] in NEVER_IMPORTED
                    and modulo.split(".")[0] != destino.split(".")[0]):
                fallas.append(f"{lugar}: importa {destino}, que nadie debe importar")
            if modulo.startswith("logic") and destino.startswith("harvesters"):
                fallas.append(f"{lugar}: logic/ importa harvesters/ ({destino})")
            if imp.nombre is not None:
                if imp.nombre.startswith("_"):
                    fallas.append(f"{lugar}: importa el nombre privado {imp.nombre} de {destino}")
                elif imp.nombre != "*" and ((nombres := publicos[destino]) is None
                                            or imp.nombre not in nombres):
                    fallas.append(f"{lugar}: usa {imp.nombre}, que no está en __all__ de {destino}")
            if imp.en_funcion and not imp.comentada:
                fallas.append(f"{lugar}: importa {destino} dentro de una función sin un "
                              "comentario que diga por qué")
        for destino, atributo, linea in _atributos_usados(archivo, modulo, archivos):
            if f"{destino}.{atributo}" in archivos or atributo.startswith("__"):
                continue
            if atributo.startswith("_") and not atributo.startswith("__"):
                fallas.append(f"{donde(modulo, linea)}: lee el nombre privado {atributo} de "
                              f"{destino}")
            elif (nombres := publicos[destino]) is not None and atributo not in nombres:
                fallas.append(f"{donde(modulo, linea)}: usa {destino}.{atributo}, que no está "
                              f"en su __all__")

    for ciclo in _ciclos(aristas):
        fallas.append(f"ciclo de importaciones: {' → '.join(ciclo + ciclo[:1])}")

    claves = _config_keys_with_default(raiz)
    for modulo, archivo in archivos.items():
        for nodo in ast.walk(ast.parse(archivo.read_text(encoding="utf-8"))):
            clave = None
            if (isinstance(nodo, ast.Call) and isinstance(nodo.func, ast.Attribute)
                    and nodo.func.attr == "get" and len(nodo.args) >= 2):
                clave = _clave_leida(nodo)  # config.get(key, default)
            elif isinstance(nodo, ast.BoolOp) and isinstance(nodo.op, ast.Or):
                clave = _clave_leida(nodo.values[0])  # config.get(key) or default
            if clave in claves and isinstance(nodo, ast.expr):  # a Call or a BoolOp
                fallas.append(f"{donde(modulo, nodo.lineno)}: repite en el código el valor "
                              f"predeterminado de {clave}, declarado en "
                              "config_declaration.yaml")
    return fallas


def _clave_leida(nodo: ast.AST) -> str | None:
    """The key a ``config.get(key, ...)`` or ``config[key]`` reads (through a wrapping call
    such as ``tk.asint(...)``), or None."""
    while (isinstance(nodo, ast.Call) and len(nodo.args) == 1
           and not (isinstance(nodo.func, ast.Attribute) and nodo.func.attr == "get")):
        nodo = nodo.args[0]
    if (isinstance(nodo, ast.Call) and isinstance(nodo.func, ast.Attribute)
            and nodo.func.attr == "get" and nodo.args and isinstance(nodo.args[0], ast.Constant)):
        return str(nodo.args[0].value)
    if isinstance(nodo, ast.Subscript) and isinstance(nodo.slice, ast.Constant):
        return str(nodo.slice.value)
    return None


# --- The catalog -------------------------------------------------------------------------------


def test_the_catalog_follows_its_architecture():
    capas = leer_mapa((REPO / "README.md").read_text(encoding="utf-8"))
    fallas = revisar(REPO / "ckanext" / "hueyapan", capas)
    assert fallas == [], "\n".join(fallas)


def test_the_map_names_only_what_exists():
    raiz = REPO / "ckanext" / "hueyapan"
    for capa in leer_mapa((REPO / "README.md").read_text(encoding="utf-8")):
        for nombre in capa.nombres:
            assert (raiz / nombre).exists(), f"el mapa de capas nombra {nombre}, que no existe"


#: Test folders that are not a package of the extension: the browser journeys and the data.
TEST_FOLDERS_OF_THEIR_OWN = ("browser", "data")


def test_the_tests_mirror_the_package_tree():
    raiz = REPO / "ckanext" / "hueyapan"
    for carpeta in sorted(p for p in (REPO / "tests").iterdir() if p.is_dir()):
        if carpeta.name in TEST_FOLDERS_OF_THEIR_OWN or carpeta.name.startswith((".", "_")):
            continue
        assert (raiz / carpeta.name / "__init__.py").exists(), (
            f"tests/{carpeta.name}/ no corresponde a un paquete de ckanext/hueyapan/")
    capacidades = {c.nombres for c in leer_mapa((REPO / "README.md").read_text("utf-8"))}
    paquetes = {n.rstrip("/") for nombres in capacidades for n in nombres if n.endswith("/")}
    for paquete in sorted(paquetes - {"comun", "schemas", "participacion"}):
        assert (REPO / "tests" / paquete).is_dir(), (
            f"el paquete {paquete}/ no tiene tests/{paquete}/")


# --- The checker fails on what it forbids ------------------------------------------------------


def _paquete(tmp_path: Path, modulos: dict[str, str], declaracion: str = "") -> Path:
    raiz = tmp_path / "ckanext" / "hueyapan"
    for nombre, fuente in {"__init__.py": "", **modulos}.items():
        archivo = raiz / nombre
        archivo.parent.mkdir(parents=True, exist_ok=True)
        archivo.write_text(fuente, encoding="utf-8")
    if declaracion:
        (raiz / "config_declaration.yaml").write_text(declaracion, encoding="utf-8")
    return raiz


MAPA = [Capa(2, ("arriba.py", "helpers.py")), Capa(1, ("a.py", "b.py", "logic/")),
        Capa(0, ("__init__.py", "abajo.py", "harvesters/"))]


def test_a_cycle_is_refused(tmp_path):
    raiz = _paquete(tmp_path, {
        "a.py": "from ckanext.hueyapan import b\n__all__ = ['x']\nx = 1\n",
        "b.py": "from ckanext.hueyapan.a import x\n__all__ = []\n",
    })
    assert revisar(raiz, MAPA) == [
        "ciclo de importaciones: a → b → a"]


def test_a_cycle_through_an_import_inside_a_function_is_refused_too(tmp_path):
    raiz = _paquete(tmp_path, {
        "a.py": "import ckanext.hueyapan.b\n__all__ = ['f']\n",
        "b.py": "__all__ = ['g']\ndef g():\n    # late: a imports b\n"
                "    from ckanext.hueyapan import a\n    return a.f\n",
    })
    assert revisar(raiz, MAPA) == ["ciclo de importaciones: a → b → a"]


def test_an_upward_import_and_the_forbidden_ones_are_refused(tmp_path):
    raiz = _paquete(tmp_path, {
        "arriba.py": "__all__ = ['y']\ny = 1\n",
        "helpers.py": "__all__ = ['h']\nh = 1\n",
        "abajo.py": "from ckanext.hueyapan.arriba import y\n__all__ = []\n",
        "a.py": "from ckanext.hueyapan.helpers import h\n__all__ = []\n",
        "logic/__init__.py": "",
        "logic/v.py": "from ckanext.hueyapan.harvesters import t\n__all__ = []\n",
        "harvesters/__init__.py": "",
        "harvesters/t.py": "__all__ = []\n",
    })
    assert sorted(revisar(raiz, MAPA)) == sorted([
        "ckanext/hueyapan/abajo.py:1: importa arriba hacia arriba (capa 0 → capa 2)",
        "ckanext/hueyapan/a.py:1: importa helpers hacia arriba (capa 1 → capa 2)",
        "ckanext/hueyapan/a.py:1: importa helpers, que nadie debe importar",
        "ckanext/hueyapan/logic/v.py:1: logic/ importa harvesters/ (harvesters.t)",
    ])


def test_private_names_and_names_outside_all_are_refused(tmp_path):
    raiz = _paquete(tmp_path, {
        "abajo.py": "__all__ = ['publico']\npublico = _oculto = otro = 1\n",
        "a.py": "from ckanext.hueyapan.abajo import _oculto, otro\n"
                "from ckanext.hueyapan import abajo\n__all__ = []\n"
                "z = abajo._oculto + abajo.otro + abajo.publico\n",
    })
    assert sorted(revisar(raiz, MAPA)) == sorted([
        "ckanext/hueyapan/a.py:1: importa el nombre privado _oculto de abajo",
        "ckanext/hueyapan/a.py:1: usa otro, que no está en __all__ de abajo",
        "ckanext/hueyapan/a.py:4: lee el nombre privado _oculto de abajo",
        "ckanext/hueyapan/a.py:4: usa abajo.otro, que no está en su __all__",
    ])


def test_an_import_inside_a_function_needs_its_reason(tmp_path):
    raiz = _paquete(tmp_path, {
        "abajo.py": "__all__ = ['x']\nx = 1\n",
        "a.py": "__all__ = ['f', 'g']\ndef f():\n    from ckanext.hueyapan.abajo import x\n"
                "    return x\ndef g():\n    from ckanext.hueyapan.abajo import x  # costly\n"
                "    return x\n",
    })
    assert revisar(raiz, MAPA) == [
        "ckanext/hueyapan/a.py:3: importa abajo dentro de una función sin un comentario que "
        "diga por qué"]


def test_a_module_off_the_map_and_a_repeated_config_default_are_refused(tmp_path):
    raiz = _paquete(tmp_path, {
        "suelto.py": "__all__ = []\n",
        "a.py": "__all__ = []\nconfig = {}\nv = config.get('ckanext.hueyapan.algo', 5)\n"
                "w = config.get('ckanext.hueyapan.algo')\n"
                "x = int(config.get('ckanext.hueyapan.algo') or 5)\n",
    }, declaracion="version: 1\ngroups:\n- options:\n  - key: ckanext.hueyapan.algo\n"
                   "    default: 5\n")
    assert revisar(raiz, MAPA) == [
        "ckanext/hueyapan/suelto.py: no está en el mapa de capas del README",
        "ckanext/hueyapan/a.py:3: repite en el código el valor predeterminado de "
        "ckanext.hueyapan.algo, declarado en config_declaration.yaml",
        "ckanext/hueyapan/a.py:5: repite en el código el valor predeterminado de "
        "ckanext.hueyapan.algo, declarado en config_declaration.yaml"]


@pytest.mark.parametrize("texto", ["", "## Arquitectura\nsin mapa\n"])
def test_a_readme_without_the_map_fails_clearly(texto):
    with pytest.raises(AssertionError, match="no tiene el mapa de capas"):
        leer_mapa(texto)
