"""Metrics: per-label quality, false-flag rates on the two must-not-flag classes, external SMS sets."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_fscore_support

from cuishou.labels import ALL_NAMES, VIOLATION_NAMES


def metrics_from_predictions(y_true: np.ndarray, proba: np.ndarray, y_pred: np.ndarray) -> dict:
    """Per-label precision/recall/F1/PR-AUC (on the gated, effective scores)/support, macro-F1 over the violation labels, false-flag rates.

    A message is *flagged* when any violation label is predicted. Lawful reminders are rows with
    collection = 1 and no violation; ordinary SMS are rows with collection = 0.
    """
    out: dict = {"n": int(len(y_true)), "labels": {}}
    for j, name in enumerate(ALL_NAMES):
        p, r, f, _ = precision_recall_fscore_support(y_true[:, j], y_pred[:, j], average="binary", zero_division=0)
        ap = float(average_precision_score(y_true[:, j], proba[:, j])) if 0 < y_true[:, j].sum() < len(y_true) else None
        out["labels"][name] = {"precision": float(p), "recall": float(r), "f1": float(f), "pr_auc": ap,
                               "support": int(y_true[:, j].sum())}
    out["macro_f1_violations"] = float(np.mean([out["labels"][n]["f1"] for n in VIOLATION_NAMES]))
    flagged = y_pred[:, 1:].any(axis=1)
    lawful = (y_true[:, 0] == 1) & (y_true[:, 1:].sum(axis=1) == 0)
    other = y_true[:, 0] == 0
    out["lawful_flagged_rate"] = float(flagged[lawful].mean()) if lawful.any() else None
    out["lawful_n"] = int(lawful.sum())
    out["other_flagged_rate"] = float(flagged[other].mean()) if other.any() else None
    out["other_n"] = int(other.sum())
    out["other_collection_rate"] = float(y_pred[other, 0].mean()) if other.any() else None
    return out


def evaluate(model, texts: list[str], y_true: np.ndarray) -> dict:
    proba = model.predict_proba(texts)
    return metrics_from_predictions(y_true, model.effective(proba), model.decide(proba))


TELECOM_FILES = {
    "label00.csv": ("normal", "utf-8"),
    "label01.csv": ("fraud_police", "utf-8"),
    "label02.csv": ("fraud_loan", "utf-8"),
    "label03.csv": ("fraud_service", "utf-8"),
    "label04.csv": ("fraud_acquaintance", "gb18030"),
}


def find_telecom_dir(start: Path | None = None) -> Path | None:
    """`../shared/corpora/telecom-sms` beside the checkout (evaluation only; never copied into the project)."""
    here = Path(start or Path.cwd()).resolve()
    for base in [here, *here.parents, Path(__file__).resolve().parents[3]]:
        cand = base.parent / "shared" / "corpora" / "telecom-sms"
        if cand.is_dir():
            return cand
    return None


def evaluate_telecom(model, directory: Path) -> dict:
    """Share of each telecom file flagged with any violation (none of them is debt collection)."""
    res = {}
    for fname, (name, enc) in TELECOM_FILES.items():
        p = directory / fname
        if not p.exists():
            continue
        texts = pd.read_csv(p, encoding=enc, dtype=str, keep_default_na=False)["content"].tolist()
        proba = model.predict_proba(texts)
        y = model.decide(proba)
        res[name] = {"n": len(texts), "flagged_rate": float(y[:, 1:].any(axis=1).mean()),
                     "collection_rate": float(y[:, 0].mean())}
    return res
