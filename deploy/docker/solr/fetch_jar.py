"""Download one file and keep it only if its SHA-256 is the expected one.

Used by deploy/docker/solr/Dockerfile for the JTS library (Maven Central), so that the image
never holds a jar other than the one pinned there::

    python3 fetch_jar.py URL SHA256 DESTINATION
"""
from __future__ import annotations

import hashlib
import sys
import urllib.request


def fetch(url: str, sha256: str, destination: str) -> None:
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256.lower():
        raise SystemExit(f"{url}: SHA-256 is {digest}, expected {sha256}; nothing written")
    with open(destination, "wb") as out:
        out.write(data)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: fetch_jar.py URL SHA256 DESTINATION")
    fetch(*sys.argv[1:])
