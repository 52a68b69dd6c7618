"""Training: grouped split, out-of-fold thresholds, final fit, held-out metrics. No file I/O here."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from cuishou.labels import ALL_NAMES
from cuishou.model.config import TrainConfig
from cuishou.model.corpus import held_out_split, label_matrix
from cuishou.model.evaluate import metrics_from_predictions
from cuishou.model.pipeline import CuishouModel, build_pipeline, extract_coefficients
from cuishou.model.thresholds import apply_lawful_budget, choose_gate, choose_threshold


@dataclass
class TrainResult:
    model: CuishouModel
    metrics: dict          # {"test": …, "cv": …, "split": …, "thresholds": …}
    train_mask: np.ndarray
    test_mask: np.ndarray


def is_evaluable(df: pd.DataFrame) -> np.ndarray:
    """Only hand-written (and user-labelled) rows are evaluated; augmented variants are training-only."""
    if "source" not in df.columns:
        return np.ones(len(df), dtype=bool)
    return ~df["source"].astype(str).str.startswith("augmented").to_numpy()


def _parts(df: pd.DataFrame) -> np.ndarray:
    return df["source"].astype(str).str.extract(r"part=([\w-]+)")[0].fillna("other").to_numpy()


def flag_rates_by_part(df: pd.DataFrame, y: np.ndarray, y_pred: np.ndarray) -> dict:
    """False-flag rates of the must-not-flag rows per corpus part (`part=` in `source`): everyday SMS and
    deliberately adversarial hard negatives behave very differently and are reported apart."""
    if "source" not in df.columns:
        return {}
    parts = _parts(df)
    must_not = (y[:, 0] == 0) | (y[:, 1:].sum(axis=1) == 0)
    flagged = y_pred[:, 1:].any(axis=1)
    out = {}
    for part in sorted(set(parts[must_not])):
        m = must_not & (parts == part)
        out[part] = {"n": int(m.sum()), "flagged_rate": float(flagged[m].mean())}
    return out


def violation_f1_by_part(df: pd.DataFrame, y: np.ndarray, y_pred: np.ndarray) -> dict:
    """Micro-F1 over the five violation labels per corpus part: the parts written in the style of real inboxes
    are much harder than the first, tidier ones, and one pooled figure would hide that."""
    if "source" not in df.columns:
        return {}
    parts = _parts(df)
    out = {}
    for part in sorted(set(parts)):
        m = parts == part
        t, p = y[m, 1:].astype(bool), y_pred[m, 1:].astype(bool)
        if not t.any():
            continue
        tp = int((t & p).sum())
        denom = int(t.sum() + p.sum())
        out[part] = {"n": int(m.sum()), "positives": int(t.sum()), "micro_f1": 2 * tp / denom if denom else None}
    return out


def _fit(texts: list[str], y: np.ndarray, config: TrainConfig):
    pipe = build_pipeline(config)
    pipe.fit(texts, y)
    return pipe


def train_model(df: pd.DataFrame, config: TrainConfig = TrainConfig(), *, test_mask: np.ndarray | None = None,
                log=lambda msg: None) -> TrainResult:
    """Fit on the train side of a grouped split; thresholds from grouped out-of-fold scores; test on the rest.

    `test_mask` may be given to evaluate on a fixed split (the retraining guard compares models on one split).
    """
    texts = df["text"].astype(str).tolist()
    y = label_matrix(df)
    evaluable = is_evaluable(df)
    clusters, split_test = held_out_split(df, config)
    if test_mask is None:
        test_mask = split_test
        train_mask = ~test_mask
    else:
        test_mask = np.asarray(test_mask, dtype=bool)
        # a cluster with any test row is wholly withheld from training
        test_clusters = set(clusters[test_mask].tolist())
        train_mask = np.array([c not in test_clusters for c in clusters])
    test_mask = test_mask & evaluable
    tr = np.where(train_mask)[0]
    log(f"训练 {len(tr)} 条，测试 {int(test_mask.sum())} 条（按组划分，{len(np.unique(clusters))} 个组）")

    # out-of-fold scores on the training side → thresholds and cross-validated metrics
    oof = np.full((len(df), len(ALL_NAMES)), np.nan)
    n_folds = max(2, min(config.cv_folds, len(np.unique(clusters[tr]))))
    for k, (a, b) in enumerate(GroupKFold(n_splits=n_folds).split(tr, groups=clusters[tr])):
        pipe = _fit([texts[i] for i in tr[a]], y[tr[a]], config)
        oof[tr[b]] = pipe.predict_proba([texts[i] for i in tr[b]])
        log(f"  交叉验证第 {k + 1}/{n_folds} 折完成")
    val = tr[evaluable[tr]]
    thresholds, how = {}, {}
    for j, name in enumerate(ALL_NAMES):
        target = config.gate_precision_target if j == 0 else config.precision_target
        thresholds[name], how[name] = choose_threshold(y[val, j], oof[val, j], precision_target=target)

    t_vec = np.array([thresholds[n] for n in ALL_NAMES])
    gate, gate_log = choose_gate(t_vec, oof[val], y[val], budget=config.other_budget)
    t_vec, budget_log = apply_lawful_budget(t_vec, oof[val], y[val], budget=config.lawful_budget, gate=gate)
    budget_log = gate_log + budget_log
    thresholds = {n: float(v) for n, v in zip(ALL_NAMES, t_vec)}
    for line in budget_log:
        log("  " + line)

    pipe = _fit([texts[i] for i in tr], y[tr], config)
    coef, names = extract_coefficients(pipe)
    model = CuishouModel(pipeline=pipe, thresholds=thresholds, coef=coef, feature_names=names, gate=gate)

    metrics: dict = {
        "split": {"train": int(len(tr)), "test": int(test_mask.sum()), "groups": int(len(np.unique(clusters))),
                  "cv_folds": n_folds, "seed": config.seed},
        "thresholds": thresholds,
        "violation_gate": gate,
        "threshold_rule": how,
        "lawful_budget_steps": budget_log,
        "cv": metrics_from_predictions(y[val], model.effective(oof[val]), model.decide(oof[val])),
    }
    metrics["cv"]["note"] = "grouped out-of-fold scores on the training side; thresholds were chosen on these same scores"
    if test_mask.any():
        te = np.where(test_mask)[0]
        proba = model.predict_proba([texts[i] for i in te])
        metrics["test"] = metrics_from_predictions(y[te], model.effective(proba), model.decide(proba))
        metrics["test"]["by_part"] = flag_rates_by_part(df.iloc[te], y[te], model.decide(proba))
        metrics["test"]["f1_by_part"] = violation_f1_by_part(df.iloc[te], y[te], model.decide(proba))
    return TrainResult(model=model, metrics=metrics, train_mask=train_mask, test_mask=test_mask)
