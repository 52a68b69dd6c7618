"""Saving and loading models.

Security: model.joblib is a pickle, and unpickling can run arbitrary code. `load_model` therefore refuses any
model.joblib whose SHA-256 differs from the one recorded in its meta.json. This protects against a corrupted or
swapped file, not against someone who rewrites both files: only load model folders you (or this project) made.

Labelling (`load_scorer`) reads `scorer.npz` instead: plain arrays, loaded with ``allow_pickle=False`` after the
same hash check, so it cannot run code and needs no scikit-learn. Heavy imports (joblib, scikit-learn) happen
only inside the functions that need them, so labelling never pays for them.
"""
from __future__ import annotations

import io
import json
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from cuishou import __version__
from cuishou.errors import ModelError, ModelIntegrityError
from cuishou.fsutil import atomic_dir, atomic_write_text, sha256_bytes, sha256_file
from cuishou.labels import ALL_NAMES, GUIDELINE_VERSION, ZH
from cuishou.model.config import TrainConfig

if TYPE_CHECKING:
    from cuishou.model.pipeline import CuishouModel
    from cuishou.model.scorer import Scorer

FORMAT_VERSION = 1
MODEL_FILE, META_FILE, METRICS_FILE, CARD_FILE = "model.joblib", "meta.json", "metrics.json", "README.md"
SCORER_FILE = "scorer.npz"
#: why an unrecorded model.joblib is refused (shown in the error)
_PICKLE_WHY = "joblib/pickle 文件可以执行代码，只加载哈希已登记的模型"


def _versions() -> dict:
    import jieba
    import joblib
    import numpy
    import sklearn

    return {"cuishou": __version__, "scikit-learn": sklearn.__version__, "jieba": jieba.__version__,
            "numpy": numpy.__version__, "joblib": joblib.__version__, "python": platform.python_version()}


def save_model(model: CuishouModel, out_dir: str | Path, *, metrics: dict, config: TrainConfig, data_sha256: str,
               n_rows: int, argv: list[str] | None = None, overwrite: bool = False, extra_meta: dict | None = None) -> dict:
    """Write model.joblib, scorer.npz, meta.json, metrics.json and a model card into `out_dir`, atomically."""
    import joblib

    buf = io.BytesIO()
    joblib.dump(model, buf, compress=3)
    blob = buf.getvalue()
    scorer_blob = compile_scorer(model)
    meta = {
        "format_version": FORMAT_VERSION,
        "name": Path(out_dir).name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(),
        "labels": list(ALL_NAMES),
        "guideline_version": GUIDELINE_VERSION,
        "thresholds": model.thresholds,
        "violation_gate": model.gate,
        "config": config.to_dict(),
        "data_sha256": data_sha256,
        "data_rows": n_rows,
        "model_sha256": sha256_bytes(blob),
        "model_bytes": len(blob),
        **({"scorer_sha256": sha256_bytes(scorer_blob), "scorer_bytes": len(scorer_blob)} if scorer_blob else {}),
        "command": argv if argv is not None else sys.argv,
        **(extra_meta or {}),
    }
    with atomic_dir(out_dir, overwrite=overwrite) as tmp:
        (tmp / MODEL_FILE).write_bytes(blob)
        if scorer_blob:
            (tmp / SCORER_FILE).write_bytes(scorer_blob)
        atomic_write_text(tmp / META_FILE, json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
        atomic_write_text(tmp / METRICS_FILE, json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
        atomic_write_text(tmp / CARD_FILE, model_card(meta, metrics))
    return meta


def compile_scorer(model: CuishouModel) -> bytes | None:
    """scorer.npz bytes for a fitted model, or None if its pipeline has a shape the scorer cannot reproduce
    (labelling then falls back to model.joblib)."""
    from cuishou.model.scorer import CompileError, arrays_to_bytes, compile_arrays

    try:
        return arrays_to_bytes(compile_arrays(model))
    except CompileError:
        return None


def read_meta(model_dir: str | Path) -> dict:
    p = Path(model_dir) / META_FILE
    if not p.exists():
        raise ModelError(f"模型目录 {model_dir} 缺少 {META_FILE}（不是 cuishou 训练的模型，或目录不完整）")
    try:
        return json.loads(p.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelError(f"{p} 无法解析：{e}") from None


def _open_model_dir(model_dir: str | Path | None) -> tuple[Path, dict]:
    from cuishou.paths import default_model_dir

    model_dir = Path(model_dir) if model_dir else default_model_dir()
    meta = read_meta(model_dir)
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ModelError(f"模型格式版本 {meta['format_version']} 比本程序支持的 {FORMAT_VERSION} 新，请升级 cuishou")
    return model_dir, meta


def _checked(path: Path, expected: str | None, why: str) -> Path:
    """`path` if its SHA-256 is the one meta.json recorded; otherwise refuse (never load an unrecorded file)."""
    if not path.exists():
        raise ModelError(f"模型目录 {path.parent} 缺少 {path.name}")
    actual = sha256_file(path)
    if actual != expected:
        raise ModelIntegrityError(
            f"{path} 的 SHA-256（{actual[:16]}…）与 meta.json 记录的不一致，拒绝加载（{why}）")
    return path


def load_model(model_dir: str | Path | None = None) -> tuple[CuishouModel, dict]:
    """Load a model folder after checking model.joblib against the SHA-256 recorded in meta.json."""
    import joblib

    from cuishou.model.pipeline import CuishouModel

    model_dir, meta = _open_model_dir(model_dir)
    blob_path = _checked(model_dir / MODEL_FILE, meta.get("model_sha256"), _PICKLE_WHY)
    model = joblib.load(blob_path)
    if not isinstance(model, CuishouModel):
        raise ModelError(f"{blob_path} 不是 cuishou 模型")
    return model, meta


def load_scorer(model_dir: str | Path | None = None) -> tuple[Scorer | CuishouModel, dict]:
    """What labelling uses: scorer.npz (hash-checked, no pickle, no scikit-learn) when the folder has one;
    a model folder from before scorers existed falls back to its hash-checked model.joblib.

    model.joblib is hash-checked here too (not unpickled): a folder with a swapped or damaged file is refused
    whichever file labelling reads, so `label`, `report` and `train` agree on which folders are sound."""
    from cuishou.model.scorer import CompileError, Scorer, read_arrays

    model_dir, meta = _open_model_dir(model_dir)
    if not meta.get("scorer_sha256"):
        return load_model(model_dir)
    _checked(model_dir / MODEL_FILE, meta.get("model_sha256"), _PICKLE_WHY)
    path = _checked(model_dir / SCORER_FILE, meta["scorer_sha256"], "只加载哈希已登记的模型文件")
    try:
        return Scorer(read_arrays(path)), meta
    except (CompileError, KeyError, ValueError, OSError) as e:
        raise ModelError(f"{path} 无法读取：{e}") from None


_LEARNER_ZH = {"logreg": "逻辑回归", "svm": "线性 SVM"}


def _fmt(v) -> str:
    return "—" if v is None else f"{v:.3f}"


def model_card(meta: dict, metrics: dict) -> str:
    """A short Markdown card: what the model is, how it was measured, where it is weak."""
    lines = [f"# 模型卡 / Model card: `{meta['name']}`", "",
             f"- 创建时间 created: {meta['created']}",
             f"- model.joblib SHA-256: `{meta['model_sha256']}`",
             f"- 训练数据 data: {meta['data_rows']} 行, SHA-256 `{meta['data_sha256']}`",
             f"- 标注规范 guideline: v{meta['guideline_version']}",
             "- 版本 versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
             f"- 命令 command: `{' '.join(map(str, meta['command']))}`", "",
             "jieba 词（一元+二元）+ 字符 1–3-gram TF-IDF；催收判定一个模型（全部语料），五个违规标签各一个模型"
             f"（只在催收短信上训练）；均为 sigmoid 校准的{_LEARNER_ZH.get(meta.get('config', {}).get('learner', 'logreg'), '线性模型')}。"
             "阈值在按组交叉验证的折外分数上选取：违规标签取 F1 最优，"
             "再为“合法提醒误标 ≤ 2%”逐步上调；违规还须催收分数达到门槛（violation gate）。",
             f"- violation gate: {meta.get('violation_gate')}",
             "- 标注用 scorer.npz（纯数组，allow_pickle=False 读取，SHA-256 见 meta.json）；model.joblib 用于训练、评估和再训练。"
             " Labelling reads scorer.npz (plain arrays, hash-checked); model.joblib serves training and evaluation.",
             "Only text is seen: who received a message is decided by the report from the export's metadata.", ""]
    split = metrics.get("split", {})
    lines += [f"## 留出测试集 / Grouped held-out test split (train {split.get('train')}, test {split.get('test')}, "
              f"groups {split.get('groups')})", ""]
    for key, title in (("test", "held-out test"), ("cv", "grouped CV (out-of-fold)")):
        m = metrics.get(key)
        if not m:
            continue
        lines += [f"### {title}", "", "| label | 中文 | threshold | precision | recall | F1 | PR-AUC | support |",
                  "|---|---|---|---|---|---|---|---|"]
        for name in ALL_NAMES:
            r = m["labels"][name]
            lines.append(f"| {name} | {ZH[name]} | {metrics['thresholds'][name]:.3f} | {_fmt(r['precision'])} | "
                         f"{_fmt(r['recall'])} | {_fmt(r['f1'])} | {_fmt(r['pr_auc'])} | {r['support']} |")
        lines += ["", f"- macro-F1 (5 violation labels): {_fmt(m['macro_f1_violations'])}",
                  f"- lawful reminders flagged: {_fmt(m['lawful_flagged_rate'])} (n={m['lawful_n']})",
                  f"- ordinary SMS flagged: {_fmt(m['other_flagged_rate'])} (n={m['other_n']})", ""]
        if m.get("by_part"):
            lines += ["Must-not-flag rows by corpus part (hard_negatives and rough_chat are adversarial on purpose):", "",
                      "| part | n | flagged |", "|---|---|---|"]
            lines += [f"| {k} | {v['n']} | {_fmt(v['flagged_rate'])} |" for k, v in m["by_part"].items()]
            lines.append("")
        if m.get("f1_by_part"):
            lines += ["Violation micro-F1 by corpus part (real_* and r2_*/r3_* parts imitate real inboxes and are the "
                      "harder, more telling figure):", "", "| part | rows | violation labels | micro-F1 |", "|---|---|---|---|"]
            lines += [f"| {k} | {v['n']} | {v['positives']} | {_fmt(v['micro_f1'])} |" for k, v in m["f1_by_part"].items()]
            lines.append("")
    if metrics.get("telecom"):
        lines += ["### External: telecom SMS set (evaluation only, not in training)", "",
                  "| file | n | flagged | judged collection |", "|---|---|---|---|"]
        for k, v in metrics["telecom"].items():
            lines.append(f"| {k} | {v['n']} | {_fmt(v['flagged_rate'])} | {_fmt(v['collection_rate'])} |")
        lines.append("")
    lines += ["## 局限 / Limits", "",
              "- 训练语料为团队撰写的短信（见 datasets/README.md），真实短信分布可能不同；标签是模型的判断，不是法律结论。",
              "- Written corpus, not real messages: expect lower quality on real inboxes; labels are opinions, not legal findings.",
              ""]
    return "\n".join(lines)
