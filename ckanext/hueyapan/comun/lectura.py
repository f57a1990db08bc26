"""Reading spreadsheets at the byte level, shared by the privacy guard and the harvester: the
encoding and delimiter of a CSV file, whether a zip is a workbook that fits in memory, and the
normalised forms of a header or a name (as written, and without its parentheses); and
``encabezados.yaml``, the headers, values and empty markers the municipality's sheets use."""
from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import unicodedata
import zipfile
from collections import Counter
from importlib import resources
from itertools import islice
from typing import Any

import yaml

__all__ = ["INNER", "PARENTHESES", "SNIFF_CHARS", "ZIP_MAGIC", "ReadError", "aliases_file",
           "detect_encoding", "is_workbook_zip", "name_forms", "normalise_header",
           "sniff_delimiter"]


class ReadError(Exception):
    """A file could not be read. ``message`` (also ``str(error)``) is a user-facing sentence,
    already translated for the current request."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


ZIP_MAGIC = b"PK\x03\x04"
SNIFF_CHARS = 64 * 1024

_DELIMITERS = (",", ";", "\t", "|")

_SNIFF_ROWS = 50

_DECODE_SAMPLE_BYTES = 1024 * 1024

# The shared strings of a workbook are held in memory whole: refuse a (zip-bomb) size.
_MAX_SHARED_STRINGS_BYTES = 128 * 1024 * 1024

def normalise_header(text: str) -> str:
    """Lowercase, without accents, with every run of non-alphanumerics turned into one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()

def detect_encoding(data: bytes) -> str:
    """Encoding of a CSV file: UTF-8 (with or without BOM), UTF-16 (with BOM) or Windows-1252,
    judged on its first megabyte."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:_DECODE_SAMPLE_BYTES]
    for candidate in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(candidate)().decode(sample, final=len(data) == len(sample))
        except UnicodeDecodeError:
            continue
        return candidate
    return "latin-1"

def sniff_delimiter(sample: str) -> str:
    """The delimiter among , ; tab | that splits the first rows into the most consistent width."""
    if len(sample) >= SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # no half row at the end
    best, best_score = ",", (False, 0, 0)
    for delimiter in _DELIMITERS:
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            widths = [
                len(row) for row in islice(reader, _SNIFF_ROWS) if any(cell.strip() for cell in row)
            ]
        except csv.Error:
            continue
        # Title rows above the header are one cell wide whatever the delimiter: only rows that
        # the delimiter really splits count, so two title rows never outvote the table.
        split = [w for w in widths if w > 1]
        if not split:
            continue
        width, frequency = Counter(split).most_common(1)[0]
        score = (True, frequency, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best

def is_workbook_zip(data: bytes) -> bool:
    """Whether ``data`` is a zip archive whose shared strings fit in memory."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            shared = sum(
                info.file_size for info in archive.infolist()
                if info.filename.lower().startswith("xl/sharedstrings")
            )
    except Exception:
        return False
    return shared <= _MAX_SHARED_STRINGS_BYTES


@functools.cache
def aliases_file() -> dict[str, Any]:
    text = (resources.files("ckanext.hueyapan.hojas") / "encabezados.yaml").read_text("utf-8")
    return yaml.safe_load(text) or {}

PARENTHESES = re.compile(r"\([^)]*\)")

INNER = re.compile(r"\(([^)]*)\)")

def name_forms(text: str) -> list[str]:
    """Normalised forms of a header or value: as written, and without its parentheses."""
    forms = [normalise_header(text)]
    bare = normalise_header(PARENTHESES.sub(" ", text))
    if bare and bare not in forms:
        forms.append(bare)
    return [form for form in forms if form]
