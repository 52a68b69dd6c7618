"""Where data lives.

Shipped data (model, base corpus, guideline): inside the installed wheel (cuishou/_shipped) or beside src/ in a
checkout. User data (user corpus, retrained model versions): `$CUISHOU_HOME`, else platformdirs' user data
directory — never inside the installed package.
"""
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
    """The model every command uses unless told otherwise, first found of:

    1. `$CUISHOU_MODEL`;
    2. the user's active retrained version (`<user_home>/models/active.json`, set by `cuishou train --add` or
       `cuishou models use`);
    3. the shipped models/default (wheel copy first, checkout copy second).
    """
    env = os.environ.get("CUISHOU_MODEL")
    if env:
        return Path(env)
    from cuishou.model.registry import active_model_dir

    active = active_model_dir()
    if active is not None:
        return active
    return shipped_model_dir()


def shipped_model_dir() -> Path:
    """The model that ships with the package (wheel copy first, checkout copy second)."""
    return _first_existing(_PKG / "_shipped" / "models" / "default", _REPO / "models" / "default")


def user_home() -> Path:
    """Root of the user's data: `$CUISHOU_HOME`, else platformdirs.user_data_dir("cuishou").

    Refuses a location inside the installed package (an upgrade would delete it, and a shared install must not
    hold one user's messages).
    """
    from cuishou.errors import CuishouError

    env = os.environ.get("CUISHOU_HOME")
    if env:
        home = Path(env).expanduser()
    else:
        import platformdirs

        home = Path(platformdirs.user_data_dir("cuishou", appauthor=False))
    resolved = home.resolve()
    pkg = _PKG.resolve()
    if resolved == pkg or pkg in resolved.parents:
        raise CuishouError(f"用户数据目录 {home} 位于程序包目录 {pkg} 之内；请把 CUISHOU_HOME 设为包外的目录")
    return home


def base_corpus_path() -> Path:
    """The hand-written base corpus that ships with the package (retraining works without a clone)."""
    return _first_existing(_PKG / "_shipped" / "datasets" / "corpus.csv", _REPO / "datasets" / "corpus.csv")


def guideline_path() -> Path:
    return _first_existing(_PKG / "_shipped" / "datasets" / "GUIDELINE.md", _REPO / "datasets" / "GUIDELINE.md")
