"""Training configuration: one frozen dataclass, saved with every model (meta.json → config)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters and split settings.

    seed: every random choice (split, CV folds, solver) derives from it — same data + config ⇒ same model.
    test_size: share of *groups* held out for the final test split.
    cv_folds: grouped folds used for out-of-fold probabilities (thresholds) and cross-validated metrics.
    precision_target: each violation label's threshold is the lowest that keeps out-of-fold precision ≥ this;
        None = the F1-best threshold (the lawful budget below still applies).
    gate_precision_target: the same for the `collection` gate. Most corpus rows are collection, so a loose
        target would let the gate pass almost anything; the gate is what keeps ordinary SMS unflagged.
    lawful_budget: after per-label thresholds, violation thresholds are raised (cheapest recall loss first)
        until at most this share of lawful reminders is flagged out-of-fold — lawful reminders must not be flagged.
    other_budget: the violation gate is the loosest collection score at which at most this share of ordinary
        SMS is flagged out-of-fold.
    char_ngram: character n-gram range; word features come from jieba.
    C: inverse regularisation of the linear models.
    learner: "logreg" (liblinear logistic regression) or "svm" (linear SVM, squared hinge); both are
        sigmoid-calibrated, so scores stay probabilities. Configs saved before this field read as "logreg".
    calibration_folds: folds inside CalibratedClassifierCV (sigmoid calibration).
    gated: violation models are fitted on collection rows only (see pipeline.GatedClassifier).
    near_dup_threshold: cosine similarity of character 3-gram TF-IDF above which two rows are merged into one
        group for splitting, so paraphrased siblings never straddle train and test.
    """

    seed: int = 20260101
    test_size: float = 0.2
    cv_folds: int = 5
    precision_target: float | None = None
    gate_precision_target: float = 0.99
    lawful_budget: float = 0.02
    other_budget: float = 0.003
    char_ngram: tuple[int, int] = (1, 3)
    min_df: int = 2
    C: float = 2.0
    learner: str = "svm"
    calibration_folds: int = 5
    near_dup_threshold: float = 0.8
    gated: bool = True

    def to_dict(self) -> dict:
        d = asdict(self)
        d["char_ngram"] = list(self.char_ngram)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw.setdefault("learner", "logreg")  # saved before the field existed: those models are logistic regressions
        if "char_ngram" in kw:
            kw["char_ngram"] = tuple(kw["char_ngram"])
        return cls(**kw)
