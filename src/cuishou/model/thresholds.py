"""Per-label decision thresholds chosen on held-out (out-of-fold) scores for a stated precision target."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve


def choose_threshold(y_true: np.ndarray, scores: np.ndarray, *, precision_target: float | None) -> tuple[float, str]:
    """Lowest threshold whose precision ≥ target (the one with most recall); else the F1-best one.

    Returns (threshold, how) so the model card can say which rule applied. Thresholds are clipped to
    [0.05, 0.95] so a tiny validation set never yields a degenerate 0 or 1.
    """
    y_true = np.asarray(y_true).astype(int)
    if y_true.sum() == 0 or y_true.sum() == len(y_true):
        return 0.5, "default (one class only)"
    prec, rec, thr = precision_recall_curve(y_true, scores)
    prec, rec = prec[:-1], rec[:-1]  # align with thr
    ok = np.where(prec >= precision_target)[0] if precision_target is not None else np.array([], dtype=int)
    if len(ok):
        best = ok[np.argmax(rec[ok])]
        how = f"precision>={precision_target:.2f}"
    else:
        f1 = 2 * prec * rec / np.maximum(prec + rec, 1e-12)
        best = int(np.argmax(f1))
        how = "max-F1" if precision_target is None else "max-F1 (precision target unreachable)"
    return float(np.clip(thr[best], 0.05, 0.95)), how


def choose_gate(thresholds: np.ndarray, scores: np.ndarray, y: np.ndarray, *, budget: float,
                max_cost: float = 3.0, max_gate: float = 0.95) -> tuple[float, list[str]]:
    """Collection score a message needs before any violation can be flagged.

    Start at the collection threshold. While more than `budget` of ordinary SMS (collection = 0) would be flagged
    out-of-fold, raise the gate just past the next flagged ordinary SMS — but only while each step loses at most
    `max_cost` true violations per ordinary SMS it clears (same rule as the lawful budget).
    """
    other = y[:, 0] == 0
    viol = y[:, 1:].any(axis=1)
    hit = (scores[:, 1:] >= thresholds[1:]).any(axis=1)
    gate = float(thresholds[0])
    log: list[str] = []
    if not other.any():
        return gate, log
    while True:
        flagged_other = other & hit & (scores[:, 0] >= gate)
        if flagged_other.sum() / other.sum() <= budget:
            break
        new_gate = float(np.min(scores[flagged_other, 0])) + 1e-6
        if new_gate > max_gate:
            log.append(f"gate stopped at {gate:.3f}: next step above {max_gate}")
            break
        cleared = int((flagged_other & (scores[:, 0] < new_gate)).sum())
        lost = int((viol & hit & (scores[:, 0] >= gate) & (scores[:, 0] < new_gate)).sum())
        if lost / max(cleared, 1) > max_cost:
            log.append(f"gate stopped at {gate:.3f} (ordinary rate {flagged_other.sum() / other.sum():.4f}): "
                       f"next step would lose {lost} violations for {cleared} ordinary SMS")
            break
        gate = new_gate
        log.append(f"gate → {gate:.3f} (−{cleared} ordinary flags, −{lost} true violations)")
    return gate, log


def apply_lawful_budget(thresholds: np.ndarray, scores: np.ndarray, y: np.ndarray, *, budget: float,
                        gate: float | None = None, max_threshold: float = 0.95,
                        max_cost: float = 3.0) -> tuple[np.ndarray, list[str]]:
    """Raise violation thresholds until at most `budget` of lawful reminders are flagged (out-of-fold).

    `thresholds`, `scores` and `y` are in ALL_NAMES order (column 0 = the collection gate). Lawful reminders are
    rows with collection = 1 and no violation. Each step raises the one label threshold whose next step clears a
    flagged lawful reminder at the lowest cost in true positives lost; the log says what moved and why.
    A step that would lose more than `max_cost` true positives per lawful flag removed is not taken: such lawful
    reminders look exactly like violations to the model, and chasing them only destroys recall.
    """
    t = thresholds.astype(float).copy()
    lawful = (y[:, 0] == 1) & (y[:, 1:].sum(axis=1) == 0)
    if not lawful.any():
        return t, []
    gate = scores[:, 0] >= (t[0] if gate is None else gate)
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
        if best is None or best[0] > max_cost:
            log.append(f"stopped at lawful rate {rate:.3f} (budget {budget:.3f}): next step would cost "
                       + ("too much recall" if best else f"a threshold above {max_threshold}"))
            break
        _, j, new_t, tp_lost, gain = best
        t[j] = new_t
        rate = flagged(t)[lawful].mean()
        log.append(f"label {j}: threshold → {new_t:.3f} (−{gain} lawful flags, −{tp_lost} true positives)")
    return t, log
