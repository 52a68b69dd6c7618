"""SHA-256 of an input file, computed before any parsing so the hash describes the untouched original."""
from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Stream the file in 1 MiB blocks (bounded memory for multi-GB exports)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
    return h.hexdigest()
