"""Per-label decision thresholds chosen on held-out (out-of-fold) scores for a stated precision target."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve


def choose_threshold(y_true: np.ndarray, scores: np.ndarray, *, precision_target: float) -> tuple[float, str]:
    """Lowest threshold whose precision ≥ target (the one with most recall); else the F1-best one.

    Returns (threshold, how) so the model card can say which rule applied. Thresholds are clipped to
    [0.05, 0.95] so a tiny validation set never yields a degenerate 0 or 1.
    """
    y_true = np.asarray(y_true).astype(int)
    if y_true.sum() == 0 or y_true.sum() == len(y_true):
        return 0.5, "default (one class only)"
    prec, rec, thr = precision_recall_curve(y_true, scores)
    prec, rec = prec[:-1], rec[:-1]  # align with thr
    ok = np.where(prec >= precision_target)[0]
    if len(ok):
        best = ok[np.argmax(rec[ok])]
        how = f"precision>={precision_target:.2f}"
    else:
        f1 = 2 * prec * rec / np.maximum(prec + rec, 1e-12)
        best = int(np.argmax(f1))
        how = "max-F1 (precision target unreachable)"
    return float(np.clip(thr[best], 0.05, 0.95)), how
