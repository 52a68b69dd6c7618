"""The one label registry. Everything that names a label reads it from here (data file: data/labels.json)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cuishou.errors import DatasetError


@dataclass(frozen=True)
class Label:
    name: str
    zh: str
    definition: str


@lru_cache(maxsize=1)
def _registry() -> dict:
    return json.loads(resources.files("cuishou").joinpath("data/labels.json").read_text("utf-8"))


GUIDELINE_VERSION: str = _registry()["guideline_version"]
GATE: Label = Label(**_registry()["gate"])
VIOLATIONS: tuple[Label, ...] = tuple(Label(**v) for v in _registry()["violations"])
VIOLATION_NAMES: tuple[str, ...] = tuple(v.name for v in VIOLATIONS)
#: model output order: the gate first, then the violation labels
ALL_NAMES: tuple[str, ...] = (GATE.name, *VIOLATION_NAMES)
ZH: dict[str, str] = {GATE.name: GATE.zh, **{v.name: v.zh for v in VIOLATIONS}}
LAWFUL_ZH: str = _registry()["derived"]["lawful_reminder"]["zh"]
OTHER_ZH: str = _registry()["derived"]["other"]["zh"]


def parse_labels(value: object, *, row: int | None = None) -> tuple[str, ...]:
    """`"threat;insult"` → ("threat", "insult") in registry order; empty/NaN → (); unknown name → DatasetError."""
    if value is None or (isinstance(value, float) and value != value):
        return ()
    parts = [p.strip() for p in str(value).replace("；", ";").replace(",", ";").split(";") if p.strip()]
    unknown = [p for p in parts if p not in VIOLATION_NAMES]
    if unknown:
        where = f"第 {row} 行：" if row is not None else ""
        raise DatasetError(f"{where}未知标签 {', '.join(unknown)}（可用：{', '.join(VIOLATION_NAMES)}）")
    return tuple(n for n in VIOLATION_NAMES if n in parts)


def join_labels(names) -> str:
    """Registry-ordered `;`-joined string, the on-disk form of a label set."""
    s = set(names)
    return ";".join(n for n in VIOLATION_NAMES if n in s)


def category_zh(collection: int, labels: tuple[str, ...]) -> str:
    """Human category for one message: its violation labels, else lawful reminder / ordinary SMS."""
    if labels:
        return "、".join(ZH[n] for n in labels)
    return LAWFUL_ZH if collection else OTHER_ZH
