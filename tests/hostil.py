"""Hostile input for the tests: cross-site scripting payloads, the free-text fields of every
dataset type (read from the scheming schemas, so a field added later is attacked too), builders
of datasets that carry a payload in every one of them, and the checks a browser page must pass.

Every payload that runs sets ``window.__xss`` or calls ``alert``/``confirm``/``prompt`` (which
:data:`GUARD_SCRIPT` hooks before any script of the page runs). Payloads that a browser would
only run on a hover, a focus or a click are caught by :data:`PAGE_CHECK`, which looks for what
an injection leaves in the DOM: an event-handler attribute, a ``javascript:``/``data:`` address
or an executable ``<script>`` carrying the marker.
"""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from typing import Any


@dataclasses.dataclass(frozen=True)
class Payload:
    """A hostile text: ``key`` names it in reports; ``members``, for a combined value, are the
    keys of the payloads it is made of."""

    key: str
    text: str
    members: tuple[str, ...] = ()


PAYLOADS: tuple[Payload, ...] = (
    Payload("script", "<script>window.__xss=1</script>"),
    Payload("img", "<img src=x onerror=alert(1)>"),
    Payload("svg", "<svg onload=window.__xss=1><circle r=9></circle></svg>"),
    Payload("comillas-dobles", '"><img src=x onerror=window.__xss=1>'),
    Payload("comillas-simples",
            "' onmouseover='window.__xss=1' autofocus onfocus='window.__xss=1' x='"),
    Payload("javascript", "javascript:window.__xss=1"),
    Payload("javascript-oculto", " JaVaScRiPt:window.__xss=1"),
    Payload("data", "data:text/html,<script>alert(1)</script>"),
    Payload("markdown-enlace",
            "[clic](javascript:window.__xss=1) [otro](jav&#x09;ascript:alert(1))"),
    Payload("markdown-html",
            '<a href="javascript:window.__xss=1">clic</a> <details open ontoggle=window.__xss=1>'
            '<summary>x</summary></details> <iframe srcdoc="<script>parent.__xss=1</script>">'
            "</iframe>"),
    # CKAN 2.12.0's render_markdown links bare addresses after sanitising, also inside an
    # attribute value: this one would leave an onerror handler on the image.
    Payload("markdown-autoenlace", '![a](x "b>http://x.com/onerror=window.__xss=1//")'),
    Payload("titulo", "</title><script>window.__xss=1</script>"),
    Payload("script-json", '</script><script>window.__xss=1</script>"};window.__xss=1;//'),
    Payload("plantilla", "{{7*7}} ${7*7} {%raw%} #{7*7}"),
)

PAYLOAD_BY_KEY = {payload.key: payload for payload in PAYLOADS}


def _combine(key: str, keys: tuple[str, ...], separator: str) -> Payload:
    return Payload(key, separator.join(PAYLOAD_BY_KEY[k].text for k in keys), members=keys)


#: The values the tests store: every payload, grouped so that one dataset carries several and the
#: browser opens fewer pages. An address payload stays alone (a browser follows it only from the
#: start of a link); the ones that break out of HTML text, attributes, the title or a script go on
#: one line, as typed in a form (whichever context fails first, its marker shows); the Markdown
#: ones in paragraphs of their own, so that each is parsed as written.
COMBINED: tuple[Payload, ...] = (
    PAYLOAD_BY_KEY["javascript"],
    PAYLOAD_BY_KEY["javascript-oculto"],
    PAYLOAD_BY_KEY["data"],
    _combine("html", ("script", "img", "svg", "comillas-dobles", "comillas-simples", "titulo",
                      "script-json", "plantilla"), " "),
    _combine("markdown", ("markdown-enlace", "markdown-html", "markdown-autoenlace"), "\n\n"),
)
assert sorted(m for c in COMBINED for m in c.members or (c.key,)) == sorted(PAYLOAD_BY_KEY), \
    "every payload goes into exactly one combined value"

# --- Free-text fields of the schemas ----------------------------------------------------------

#: Presets whose values are free text (what a person types is stored as typed).
TEXT_PRESETS = {None, "title", "markdown", "multiple_text", "tag_string_autocomplete",
                "resource_url_upload", "resource_format_autocomplete"}
#: Validators that leave text as typed (anything else checks a format: numbers, dates, keys).
TEXT_VALIDATORS = {"ignore_missing", "not_empty", "unicode_safe", "scheming_required",
                   "remove_whitespace", "package_version_validator"}


@dataclasses.dataclass(frozen=True)
class TextField:
    """A free-text field of a schema: ``group`` is the repeating group of a subfield."""

    name: str
    group: str | None = None
    kind: str = "text"  # text, markdown, list, tags, address

    @property
    def path(self) -> str:
        return f"{self.group}.{self.name}" if self.group else self.name


def _kind(field: dict[str, Any]) -> str | None:
    """The kind of free text a schema field holds, or None when it is not free text."""
    if field.get("repeating_subfields"):
        return None
    if field.get("choices") or field.get("choices_helper") or field.get("vocabulario"):
        return None
    preset = field.get("preset")
    if preset not in TEXT_PRESETS or field.get("form_snippet") == "license.html":
        return None
    validators = set((field.get("validators") or "").split())
    if validators - TEXT_VALIDATORS:
        return None
    if preset == "markdown" or field.get("form_snippet") == "markdown.html":
        return "markdown"
    if preset == "multiple_text":
        return "list"
    if preset == "tag_string_autocomplete":
        return "tags"
    if preset == "resource_url_upload" or field.get("display_snippet") == "link.html":
        return "address"
    return "text"


@functools.cache
def schemas() -> dict[str, dict[str, Any]]:
    """The scheming schemas of the catalog, by dataset type (``obra``, ``programa-social`` ...)."""
    from importlib import resources

    import yaml

    folder = resources.files("ckanext.hueyapan") / "schemas"
    found = {}
    for path in folder.iterdir():
        if path.name.endswith(".yaml") and path.name != "presets.yaml":
            schema = yaml.safe_load(path.read_text("utf-8"))
            found[schema["dataset_type"]] = schema
    return found


def text_fields(dataset_type: str, section: str = "dataset_fields") -> list[TextField]:
    """Every free-text field of a type (``section``: ``dataset_fields`` or ``resource_fields``),
    the text subfields of its repeating groups included."""
    fields = []
    for field in schemas()[dataset_type].get(section, []):
        kind = _kind(field)
        if kind:
            fields.append(TextField(field["field_name"], kind=kind))
        for subfield in field.get("repeating_subfields") or []:
            kind = _kind(subfield)
            if kind:
                fields.append(TextField(subfield["field_name"], field["field_name"], kind))
    return fields


# --- Datasets that carry a payload in every free-text field --------------------------------------

#: Valid values of the subfields that are not free text, by preset (a repeating row needs them).
_SUBFIELD_VALUES = {"hueyapan_fecha": "2025-04-01", "hueyapan_entero": "10",
                    "hueyapan_monto": "1000", "hueyapan_porcentaje": "10"}
_VOCABULARY_VALUES = {"fuente_financiamiento": "fism"}


def _row(group: dict[str, Any], text: str, comunidad: str) -> dict[str, Any]:
    row = {}
    for subfield in group["repeating_subfields"]:
        name = subfield["field_name"]
        if _kind(subfield):
            row[name] = text
        elif subfield.get("preset") in _SUBFIELD_VALUES:
            row[name] = _SUBFIELD_VALUES[subfield["preset"]]
        elif subfield.get("vocabulario") in _VOCABULARY_VALUES:
            row[name] = _VOCABULARY_VALUES[subfield["vocabulario"]]
        elif subfield.get("choices_helper") == "hueyapan_comunidad_choices":
            row[name] = comunidad
    return row


def with_payload(data: dict[str, Any], text: str, comunidad: str) -> dict[str, Any]:
    """``data`` (a valid dataset) with ``text`` in every free-text field of its type, and one row
    holding it in every repeating group that has text subfields."""
    data = dict(data)
    for field in schemas()[data["type"]]["dataset_fields"]:
        kind = _kind(field)
        if kind == "list":
            data[field["field_name"]] = [text]
        elif kind:
            data[field["field_name"]] = text
        elif field.get("repeating_subfields") and any(
                _kind(sub) for sub in field["repeating_subfields"]):
            data[field["field_name"]] = [_row(field, text, comunidad)]
    return data


def resource_with_payload(dataset_type: str, text: str, **fields: Any) -> dict[str, Any]:
    """A resource with ``text`` in every free-text resource field of the type."""
    data = {field.name: text for field in text_fields(dataset_type, "resource_fields")}
    data.update(fields)
    return data


# --- What a page must not hold -------------------------------------------------------------------

#: Run before any script of every page (Chrome DevTools' Page.addScriptToEvaluateOnNewDocument):
#: remembers every alert, confirm, prompt and print call instead of opening a dialog.
GUARD_SCRIPT = """
window.__dialogos = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = function (message) { window.__dialogos.push(name + ':' + message); };
}
"""

#: Run on a loaded page (async). It waits two frames and a moment, so that image errors, SVG
#: loads and <details> toggles have fired; then hovers and focuses every element (synthetic
#: mouseover, mouseenter and focus events: what a visitor's pointer and keyboard would do, so that
#: an injected handler of that kind runs too) and waits again. Returns what ran, what was
#: injected, the page's text and title, and the text of the elements matching each CSS selector
#: of ``arguments[0]`` (SVG ones by their text content: a map's <title> tooltips).
PAGE_CHECK = """
const done = arguments[arguments.length - 1];
const selectors = arguments[0] || [];
const settle = (then) => requestAnimationFrame(
  () => requestAnimationFrame(() => setTimeout(then, 60)));
settle(() => {
  for (const el of document.body ? document.body.querySelectorAll('*') : []) {
    for (const kind of ['mouseover', 'mouseenter', 'focus']) {
      try { el.dispatchEvent(new Event(kind)); } catch (e) { /* a page script's own error */ }
    }
  }
  settle(check);
});
function check() {
  const marker = /__xss|alert\\s*\\(|confirm\\s*\\(|prompt\\s*\\(/i;
  const active = /^[\\s\\u0000-\\u001f]*(javascript|data|vbscript)\\s*:/i;
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data',
                                 'poster', 'background', 'srcdoc']);
  const injected = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
  for (const el of document.querySelectorAll('*')) {
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase(), value = attribute.value;
      if (name.startsWith('on') && marker.test(value)) {
        injected.push(describe(el) + ' ' + name + '="' + value + '"');
      } else if (urlAttributes.has(name) && marker.test(value)
                 && (name === 'srcdoc' || active.test(value.replace(/[\\t\\n\\r]/g, '')))) {
        injected.push(describe(el) + ' ' + name + '="' + value + '"');
      } else if (name === 'content' && el.tagName === 'META' && /url\\s*=/i.test(value)
                 && marker.test(value)) {
        injected.push(describe(el) + ' content="' + value + '"');
      }
    }
    if (el.tagName === 'SCRIPT') {
      const type = (el.getAttribute('type') || 'text/javascript').toLowerCase();
      const executable = /^(text\\/javascript|application\\/javascript|module|)$/.test(type);
      if (executable && marker.test(el.textContent)) {
        injected.push('script: ' + el.textContent.slice(0, 120));
      } else if (/json/.test(type)) {
        try { JSON.parse(el.textContent); } catch (e) { injected.push('broken JSON script'); }
      }
    }
  }
  const shown = {};
  for (const selector of selectors) {
    shown[selector] = Array.from(
      document.querySelectorAll(selector),
      e => e.innerText === undefined ? e.textContent : e.innerText).join('\\n');
  }
  done({ran: window.__xss === undefined ? null : String(window.__xss),
        dialogs: window.__dialogos || null, injected: injected, url: location.href,
        title: document.title, text: document.body ? document.body.innerText : '',
        shown: shown});
}
"""


def problems(result: dict[str, Any], page: str) -> list[str]:
    """What :data:`PAGE_CHECK` found wrong on ``page``, as readable lines."""
    found = []
    if result["ran"] is not None:
        found.append(f"{page}: a payload ran (window.__xss = {result['ran']})")
    if result["dialogs"] is None:
        found.append(f"{page}: the dialog guard was not installed (the check cannot see alerts)")
    elif result["dialogs"]:
        found.append(f"{page}: a payload opened dialogs {result['dialogs']}")
    found += [f"{page}: injected {item}" for item in result["injected"]]
    return found


def fold(text: str) -> str:
    """``text`` with its whitespace folded as a browser shows it (and an input keeps it)."""
    return " ".join(text.split())


def visible(texts: Iterable[str], page_text: str) -> list[str]:
    """The ``texts`` that the page does not show literally (whitespace folded)."""
    folded = fold(page_text)
    return [text for text in texts if fold(text) not in folded]
