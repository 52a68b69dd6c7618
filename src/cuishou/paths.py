"""Where shipped data lives: inside the installed wheel (cuishou/_shipped) or beside src/ in a checkout."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

_PKG = Path(str(resources.files("cuishou")))
_REPO = _PKG.parent.parent  # src/cuishou -> repo root in a checkout


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.exists():
            return c
    return candidates[0]


def default_model_dir() -> Path:
    """`$CUISHOU_MODEL` if set, else the shipped models/default (wheel copy first, checkout copy second)."""
    env = os.environ.get("CUISHOU_MODEL")
    if env:
        return Path(env)
    return _first_existing(_PKG / "_shipped" / "models" / "default", _REPO / "models" / "default")


def base_corpus_path() -> Path:
    """The hand-written base corpus that ships with the package (retraining works without a clone)."""
    return _first_existing(_PKG / "_shipped" / "datasets" / "corpus.csv", _REPO / "datasets" / "corpus.csv")


def guideline_path() -> Path:
    return _first_existing(_PKG / "_shipped" / "datasets" / "GUIDELINE.md", _REPO / "datasets" / "GUIDELINE.md")
