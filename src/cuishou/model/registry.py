"""Versioned user models: list them, choose the active one, resolve a name to a folder.

Layout under `paths.user_home()`:

    corpus/user.csv                       the user's labelled rows (merged by `cuishou train --add`)
    models/<name>/<version>/              one full model folder per retraining (model.joblib, meta.json,
                                          metrics.json, README.md, user_corpus.csv = the user rows it used)
    models/active.json                    {"name": …, "version": …}; absent ⇒ the shipped model

Versions are named `v0003-20261125T153000Z` (sequence number per name, then UTC creation time) and are never
overwritten; a version the regression guard refused is kept with `"status": "rejected"` in its meta.json so it can
be inspected, or activated deliberately with `cuishou models use`.

Only file reads and writes here: no scikit-learn, no unpickling.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cuishou.errors import ModelError
from cuishou.fsutil import atomic_write_text, sha256_file

ACTIVE_FILE = "active.json"
SHIPPED = "shipped"
_VERSION_RE = re.compile(r"^v(\d{4,})-(\d{8}T\d{6}Z)$")


def _home(home: str | Path | None) -> Path:
    from cuishou.paths import user_home

    return Path(home) if home is not None else user_home()


def models_root(home: str | Path | None = None) -> Path:
    return _home(home) / "models"


def user_corpus_path(home: str | Path | None = None) -> Path:
    return _home(home) / "corpus" / "user.csv"


@dataclass
class ModelVersion:
    """One model folder the user can choose: the shipped one or a retrained version."""

    name: str                      # "default" (model name) or "shipped"
    version: str                   # "v0003-20261125T153000Z", or "shipped"
    path: Path
    meta: dict = field(default_factory=dict)
    active: bool = False
    error: str = ""                # why the folder cannot be used, if it cannot

    @property
    def shipped(self) -> bool:
        return self.version == SHIPPED

    @property
    def key(self) -> str:
        return SHIPPED if self.shipped else f"{self.name}/{self.version}"

    @property
    def status(self) -> str:
        if self.error:
            return "broken"
        if self.shipped:
            return SHIPPED
        return self.meta.get("status", "accepted")

    @property
    def test_metrics(self) -> dict | None:
        """Metrics on the fixed base test split (the ones the guard compares)."""
        m = self.meta.get("test_metrics")
        if m is not None:
            return m
        try:
            metrics = json.loads((self.path / "metrics.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return metrics.get("test")


def _read_version(name: str, version: str, path: Path) -> ModelVersion:
    mv = ModelVersion(name=name, version=version, path=path)
    try:
        mv.meta = json.loads((path / "meta.json").read_text("utf-8"))
    except FileNotFoundError:
        mv.error = "缺少 meta.json"
    except (OSError, ValueError) as e:
        mv.error = f"meta.json 无法读取（{e}）"
    return mv


def _read_active(home: str | Path | None = None) -> dict | None:
    p = models_root(home) / ACTIVE_FILE
    if not p.exists():
        return None
    try:
        d = json.loads(p.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"{p} 无法解析（{e}）；删除它即回到随包附带的模型") from None
    if not isinstance(d, dict) or not d.get("name") or not d.get("version"):
        raise ModelError(f"{p} 内容不完整；删除它即回到随包附带的模型")
    return d


def active_model_dir(home: str | Path | None = None) -> Path | None:
    """The folder named by active.json, or None when the shipped model is in force.

    A dangling active.json is an error (silently falling back would label with a model the user did not choose).
    """
    d = _read_active(home)
    if d is None:
        return None
    path = models_root(home) / d["name"] / d["version"]
    if not (path / "meta.json").exists():
        raise ModelError(f"当前启用的模型 {d['name']}/{d['version']} 不存在或不完整（{path}）；"
                         "用 cuishou models 查看可用版本，cuishou models use 版本号|shipped 重新选择")
    return path


def list_versions(home: str | Path | None = None, *, include_shipped: bool = True) -> list[ModelVersion]:
    """The shipped model (when present) then every user version, oldest first within each name."""
    from cuishou.paths import shipped_model_dir

    try:
        active = _read_active(home)
    except ModelError:
        active = {"name": None, "version": None}  # broken pointer: nothing is in force, not even shipped
    out: list[ModelVersion] = []
    if include_shipped:
        sd = shipped_model_dir()
        if (sd / "meta.json").exists():
            out.append(_read_version(SHIPPED, SHIPPED, sd))
    root = models_root(home)
    if root.is_dir():
        for name_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for vdir in sorted(p for p in name_dir.iterdir() if p.is_dir() and _VERSION_RE.match(p.name)):
                out.append(_read_version(name_dir.name, vdir.name, vdir))
    for mv in out:
        mv.active = (active is None and mv.shipped) or (
            active is not None and not mv.shipped and (mv.name, mv.version) == (active["name"], active["version"]))
    return out


def resolve(spec: str, home: str | Path | None = None) -> ModelVersion:
    """`shipped`, `NAME/VERSION`, a full version name, or an unambiguous prefix such as `v0003`."""
    spec = spec.strip().rstrip("/")
    versions = list_versions(home)
    if spec == SHIPPED:
        for mv in versions:
            if mv.shipped:
                return mv
        raise ModelError("这个安装中没有随包附带的模型（models/default）")
    if "/" in spec:
        name, _, ver = spec.partition("/")
        cands = [mv for mv in versions if not mv.shipped and mv.name == name and mv.version.startswith(ver)]
    else:
        cands = [mv for mv in versions if not mv.shipped and mv.version.startswith(spec)]
    if not cands:
        known = ", ".join(mv.key for mv in versions) or "（无）"
        raise ModelError(f"找不到模型版本 {spec!r}（可用：{known}）")
    exact = [mv for mv in cands if mv.version == spec.rpartition("/")[2]]
    if len(exact) == 1:
        return exact[0]
    if len(cands) > 1:
        raise ModelError(f"{spec!r} 对应多个版本：{', '.join(mv.key for mv in cands)}；请写完整")
    return cands[0]


def verify(mv: ModelVersion) -> None:
    """Check the folder is complete and model.joblib matches meta.json's SHA-256 (without unpickling)."""
    if mv.error:
        raise ModelError(f"模型 {mv.key} 不可用：{mv.error}")
    blob = mv.path / "model.joblib"
    if not blob.exists():
        raise ModelError(f"模型 {mv.key} 缺少 model.joblib")
    if sha256_file(blob) != mv.meta.get("model_sha256"):
        raise ModelError(f"模型 {mv.key} 的 model.joblib 与 meta.json 记录的 SHA-256 不一致，拒绝启用")


def set_active(spec: str | ModelVersion, home: str | Path | None = None) -> ModelVersion:
    """Make a version the default for every command (`shipped` removes active.json). Verified first."""
    mv = spec if isinstance(spec, ModelVersion) else resolve(spec, home)
    verify(mv)
    p = models_root(home) / ACTIVE_FILE
    if mv.shipped:
        if p.exists():
            p.unlink()
    else:
        atomic_write_text(p, json.dumps({"name": mv.name, "version": mv.version,
                                         "set": datetime.now(timezone.utc).isoformat(timespec="seconds")},
                                        ensure_ascii=False, indent=2) + "\n")
    mv.active = True
    return mv


def current(home: str | Path | None = None) -> ModelVersion | None:
    """The version in force (user active, else shipped), or None when neither exists."""
    for mv in list_versions(home):
        if mv.active:
            return mv
    return None


def new_version_name(name: str, home: str | Path | None = None, *, now: datetime | None = None) -> str:
    """Next `vNNNN-YYYYMMDDTHHMMSSZ` for `name` (the sequence never reuses a number)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name in (SHIPPED, ".", ".."):
        raise ModelError(f"模型名 {name!r} 只能含字母、数字、_ . -，且不能是 {SHIPPED}")
    d = models_root(home) / name
    seqs = [int(m.group(1)) for p in (d.iterdir() if d.is_dir() else []) if (m := _VERSION_RE.match(p.name))]
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    return f"v{max(seqs, default=0) + 1:04d}-{stamp}"
