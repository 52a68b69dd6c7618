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


def apply_lawful_budget(thresholds: np.ndarray, scores: np.ndarray, y: np.ndarray, *, budget: float,
                        max_threshold: float = 0.95) -> tuple[np.ndarray, list[str]]:
    """Raise violation thresholds until at most `budget` of lawful reminders are flagged (out-of-fold).

    `thresholds`, `scores` and `y` are in ALL_NAMES order (column 0 = the collection gate). Lawful reminders are
    rows with collection = 1 and no violation. Each step raises the one label threshold whose next step clears a
    flagged lawful reminder at the lowest cost in true positives lost; the log says what moved and why.
    """
    t = thresholds.astype(float).copy()
    lawful = (y[:, 0] == 1) & (y[:, 1:].sum(axis=1) == 0)
    if not lawful.any():
        return t, []
    gate = scores[:, 0] >= t[0]
    log: list[str] = []

    def flagged(tt):
        return ((scores[:, 1:] >= tt[1:]) & gate[:, None]).any(axis=1)

    rate = flagged(t)[lawful].mean()
    while rate > budget:
        best = None
        fl = flagged(t)
        for j in range(1, t.size):
            hits = lawful & fl & (scores[:, j] >= t[j])
            if not hits.any():
                continue
            new_t = float(np.min(scores[hits, j])) + 1e-6  # just above the lowest-scoring lawful hit
            if new_t > max_threshold:
                continue
            tp_lost = int(((y[:, j] == 1) & gate & (scores[:, j] >= t[j]) & (scores[:, j] < new_t)).sum())
            tt = t.copy()
            tt[j] = new_t
            gain = int(fl[lawful].sum() - flagged(tt)[lawful].sum())
            if gain <= 0:
                continue
            cost = tp_lost / gain
            if best is None or cost < best[0]:
                best = (cost, j, new_t, tp_lost, gain)
        if best is None:
            log.append(f"budget {budget:.3f} not reachable below threshold {max_threshold}; lawful rate {rate:.3f}")
            break
        _, j, new_t, tp_lost, gain = best
        t[j] = new_t
        rate = flagged(t)[lawful].mean()
        log.append(f"label {j}: threshold → {new_t:.3f} (−{gain} lawful flags, −{tp_lost} true positives)")
    return t, log
