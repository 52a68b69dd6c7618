"""The decision rule shared by the sklearn model and the array scorer (kept free of heavy imports)."""
from __future__ import annotations

import numpy as np

from cuishou.labels import ALL_NAMES


def decide(proba: np.ndarray, thresholds: np.ndarray, gate: float) -> np.ndarray:
    """(n, 6) 0/1 decisions: a violation needs its own threshold and the collection gate; a flagged violation
    implies collection = 1 (the label set stays consistent with the guideline)."""
    y = (proba >= thresholds).astype(np.int8)
    y[:, 1:] &= (proba[:, :1] >= gate).astype(np.int8)
    y[:, 0] |= y[:, 1:].any(axis=1).astype(np.int8)
    return y


def effective(proba: np.ndarray, gate: float) -> np.ndarray:
    """Scores as the decision sees them: violation scores are 0 where the collection gate is not met."""
    out = proba.copy()
    out[:, 1:] *= (proba[:, :1] >= gate)
    return out


class Decisions:
    """Scores → decisions for anything with `transform`, `proba_from_features`, `thresholds` (per label in
    ALL_NAMES) and `gate` (None: the collection threshold is the gate)."""

    thresholds: dict[str, float]
    gate: float | None

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n, 6) probabilities in ALL_NAMES order."""
        return self.proba_from_features(self.transform(texts))

    def _gate(self) -> float:
        return self.thresholds["collection"] if self.gate is None else self.gate

    def effective(self, proba: np.ndarray) -> np.ndarray:
        """Scores as the decision sees them: violation scores are 0 where the collection gate is not met."""
        return effective(proba, self._gate())

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """(n, 6) 0/1 decisions (see `decide`)."""
        return decide(proba, np.array([self.thresholds[n] for n in ALL_NAMES]), self._gate())
