"""Plain functions behind the train / evaluate / label commands (the CLI only parses options and prints)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cuishou.errors import InputError
from cuishou.fsutil import sha256_bytes
from cuishou.schema import LABEL_COLUMNS


def load_training_data(paths: list[str | Path]) -> tuple[pd.DataFrame, str]:
    """Concatenate corpus files (validated); the data hash covers their bytes in order."""
    from cuishou.model.corpus import read_corpus

    frames, digest = [], []
    for p in paths:
        frames.append(read_corpus(p))
        digest.append(sha256_bytes(Path(p).read_bytes()))
    df = pd.concat(frames, ignore_index=True)
    data_sha = digest[0] if len(digest) == 1 else sha256_bytes("".join(digest).encode())
    return df, data_sha


def train_corpus(data: list[str | Path], out_dir: str | Path, *, config=None, argv=None, overwrite=False,
                 telecom_dir: Path | None = None, log=print) -> dict:
    """Train on corpus file(s), evaluate on the grouped held-out split (and telecom set if present), save."""
    from cuishou.model import TrainConfig, save_model, train_model
    from cuishou.model.evaluate import evaluate_telecom

    config = config or TrainConfig()
    df, data_sha = load_training_data(data)
    log(f"语料 {len(df)} 行（{', '.join(map(str, data))}）")
    result = train_model(df, config, log=log)
    metrics = result.metrics
    if telecom_dir is not None:
        metrics["telecom"] = evaluate_telecom(result.model, telecom_dir)
    save_model(result.model, out_dir, metrics=metrics, config=config, data_sha256=data_sha, n_rows=len(df),
               argv=argv, overwrite=overwrite)
    return metrics


@dataclass
class LabelRun:
    df: pd.DataFrame
    rows: int
    labelled: int
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    notes: list[str] = field(default_factory=list)


def label_input(path: str, *, model_dir=None, text_column: str = "text", explicit_column: bool = False,
                tz: str | None = None) -> LabelRun:
    """Label a plain table / text file / stdin, or a phone export (detected by content).

    The input is read before the model is loaded: a bad file fails at once, without waiting for the model."""
    from cuishou.classify import classify_texts
    from cuishou.model import load_scorer
    from cuishou.tables import read_table

    if _detect_export(path):
        return _label_export(path, model_dir, tz)
    table = read_table(path, text_column=text_column, explicit=explicit_column)
    df = table.df
    clash = [c for c in LABEL_COLUMNS if c in df.columns]
    if clash:
        raise InputError(f"输入已含有输出列 {', '.join(clash)}，请先删除或改名", file=table.source)
    model, _meta = load_scorer(model_dir)
    texts = df[table.text_column].fillna("").astype(str)
    ok = texts.str.strip().ne("").to_numpy()
    res = classify_texts(model, texts[ok].tolist())
    out = df.copy()
    for c in LABEL_COLUMNS:
        col = pd.Series([""] * len(out), index=out.index, dtype=object)
        col[ok] = res[c].to_numpy()
        out[c] = col
    skipped = [(f"{table.source} 第 {i + table.first_line} 行", "空内容") for i in np.where(~ok)[0]]
    return LabelRun(df=out, rows=len(out), labelled=int(ok.sum()), skipped=skipped, notes=table.notes)


def _detect_export(path: str) -> bool:
    if path == "-":
        return False
    from cuishou.errors import UnknownFormatError
    from cuishou.io import detect_format

    if not Path(path).exists():
        return False
    if Path(path).is_dir():
        return True
    try:
        return detect_format(path) is not None
    except UnknownFormatError:
        return False  # not a phone export: the table reader gives the precise reason (encoding, binary…)


def _label_export(path: str, model_dir, tz: str | None) -> LabelRun:
    from cuishou.classify import classify_messages
    from cuishou.io import read_exports
    from cuishou.model import load_scorer
    from cuishou.schema import DEFAULT_TZ

    rr = read_exports([path], tz=tz or DEFAULT_TZ)
    model, _meta = load_scorer(model_dir)
    out = classify_messages(rr.table, model)
    skipped = [(f"{s.file} {s.ref}", s.reason) for s in rr.skips]
    not_labelled = out["label_status"] != "labelled"
    skipped += [(f"{r.source_file} {r.source_ref}", r.label_status) for r in out[not_labelled].itertuples()]
    by_id = dict(zip(out["msg_id"], out["source_ref"]))
    skipped += [(f"{dropped}", f"与 {by_id.get(kept, kept)} 重复（重叠备份），已合并") for kept, dropped in rr.merged_duplicates]
    notes = [f"{f.path}：格式 {f.format}，读取 {f.read} 条，解析 {f.parsed} 条，跳过 {f.skipped} 条" for f in rr.files]
    notes += [n for f in rr.files for n in f.notes]
    return LabelRun(df=out.drop(columns=["label_status"]), rows=int(sum(f.read for f in rr.files)),
                    labelled=int((~not_labelled).sum()), skipped=skipped, notes=notes)


def evaluate_model(model_dir=None, *, data: list[str | Path] | None = None, telecom_dir: Path | None = None,
                   config=None, log=print) -> dict:
    """Re-measure a saved model: its recorded held-out split (recomputed from the same data and seed),
    grouped CV metrics from its metrics.json, and the telecom set when present."""
    from cuishou.model import TrainConfig, load_model
    from cuishou.model.corpus import held_out_split, label_matrix
    from cuishou.model.evaluate import evaluate, evaluate_telecom
    from cuishou.model.train import is_evaluable
    from cuishou.paths import base_corpus_path, default_model_dir

    model, meta = load_model(model_dir)
    config = config or TrainConfig.from_dict(meta.get("config", {}))
    data = data or [base_corpus_path()]
    df, data_sha = load_training_data(data)
    texts = df["text"].astype(str).tolist()
    _clusters, test = held_out_split(df, config)
    same_data = data_sha == meta.get("data_sha256")
    if not same_data:
        log("注意：评估数据与训练数据的哈希不同；若两者有重叠，分数会偏高。")
    mask = test & is_evaluable(df)
    y = label_matrix(df)
    res = {"model": meta["name"], "model_sha256": meta["model_sha256"], "data_sha256": data_sha,
           "same_data_as_training": same_data,
           "test": evaluate(model, [texts[i] for i in np.where(mask)[0]], y[mask])}
    if telecom_dir is not None:
        res["telecom"] = evaluate_telecom(model, telecom_dir)
    metrics_file = Path(model_dir or default_model_dir()) / "metrics.json"
    if metrics_file.exists():  # grouped CV is computed at training time (it needs the refits) and stored
        import json

        recorded = json.loads(metrics_file.read_text("utf-8"))
        res["cv"] = recorded.get("cv")
        res["split"] = recorded.get("split")
    return res
