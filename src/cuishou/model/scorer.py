"""Labelling without scikit-learn: the fitted pipeline compiled to plain arrays (`scorer.npz`).

Why: importing scikit-learn and unpickling `model.joblib` cost seconds per run, and sklearn's analysers build
every n-gram as a Python string. The scorer counts a whole batch at once with numpy (one tokeniser call per
batch, character n-grams as integer keys), then applies every calibrated fold model in one matrix product.
Its features equal the pipeline's (tested on the corpus) and its probabilities agree to float rounding.

Security: `scorer.npz` holds only numeric and byte arrays and is read with ``allow_pickle=False``, so unlike
`model.joblib` it cannot run code; its SHA-256 is still recorded in meta.json and checked before loading.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from cuishou.labels import ALL_NAMES
from cuishou.model.decision import Decisions
from cuishou.text import _keep, normalize_many, token_engine

SCORER_FORMAT = 1
#: texts per batch: large enough to amortise numpy calls, small enough to keep the arrays in cache
BATCH = 4000
_SEP = "\n"  # normalised texts never contain a newline (all whitespace collapses to one space)


class CompileError(ValueError):
    """The pipeline has a shape the scorer cannot reproduce exactly (labelling then uses model.joblib)."""


def _pack(terms: list[str]) -> np.ndarray:
    return np.frombuffer(_SEP.join(terms).encode("utf-8"), dtype=np.uint8)


def _unpack(blob: np.ndarray) -> list[str]:
    return blob.tobytes().decode("utf-8").split(_SEP) if blob.size else []


def _char_key(gram: str) -> int:
    """An n-gram of ≤ 3 characters as one integer: 21 bits per code point (Unicode needs 21)."""
    k = 0
    for ch in gram:
        k = (k << 21) | ord(ch)
    return k


class _TokenCodes(dict):
    """token → code: ≥ 0 a unigram's index, -1 a token outside the vocabulary, -2 a token the features drop
    (whitespace, lone punctuation). Filled on first sight, so each distinct token costs one Python call."""

    def __init__(self, unigram_index: dict[str, int]):
        super().__init__()
        self._uni = unigram_index

    def __missing__(self, tok: str) -> int:
        code = self._uni.get(tok, -1) if _keep(tok) else -2
        if len(self) < 2_000_000:  # new exports bring new names; keep the cache bounded
            self[tok] = code
        return code


class Scorer(Decisions):
    """What labelling needs, as arrays: vocabularies, IDF weights, the fold models' weights and calibration,
    thresholds and the violation gate. Offers what classify uses of `CuishouModel`."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.arrays = arrays
        words, chars = _unpack(arrays["word_terms"]), _unpack(arrays["char_terms"])
        self.n_words = len(words)
        self.feature_names = np.array([f"words__{t}" for t in words] + [f"chars__{t}" for t in chars], dtype=object)
        uni = {t: i for i, t in enumerate(words) if " " not in t}
        self._uni_col = np.fromiter(uni.values(), dtype=np.int64, count=len(uni))
        self._uni_pos = {t: j for j, t in enumerate(uni)}  # token → position in _uni_col
        self._codes = _TokenCodes(self._uni_pos)
        bi_keys, bi_cols = [], []
        nu = len(uni)
        for col, t in enumerate(words):
            if " " in t:
                a, _, b = t.partition(" ")
                if a not in self._uni_pos or b not in self._uni_pos or " " in b:
                    raise CompileError(f"word feature {t!r} is not a pair of vocabulary words")
                bi_keys.append(self._uni_pos[a] * nu + self._uni_pos[b])
                bi_cols.append(col)
        self._nu = nu
        self._bigrams = _IntTable(bi_keys, bi_cols)
        by_n: dict[int, tuple[list[int], list[int]]] = {1: ([], []), 2: ([], []), 3: ([], [])}
        for col, t in enumerate(chars):
            if not 1 <= len(t) <= 3:
                raise CompileError(f"character feature {t!r} is not a 1–3-gram")
            by_n[len(t)][0].append(_char_key(t))
            by_n[len(t)][1].append(col + self.n_words)
        self._char_tables = {n: _IntTable(*kc) for n, kc in by_n.items() if kc[0]}
        self._idf = np.concatenate([arrays["word_idf"], arrays["char_idf"]]).astype(np.float32)
        self.n_features = len(self._idf)
        self._W = arrays["W"]
        self._b, self._a_cal, self._b_cal = arrays["intercept"], arrays["cal_a"], arrays["cal_b"]
        self._col_label = arrays["col_label"].astype(np.int64)
        self._folds = np.bincount(self._col_label, minlength=len(ALL_NAMES)).astype(np.float64)
        self.thresholds = {n: float(v) for n, v in zip(ALL_NAMES, arrays["thresholds"])}
        gate = float(arrays["gate"])
        self.gate = None if np.isnan(gate) else gate
        self.coef = {n: arrays["coef"][j] for j, n in enumerate(ALL_NAMES)}

    # ---- features -------------------------------------------------------------------------------------------
    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """TF-IDF features of raw texts, identical to the pipeline's `normalize → FeatureUnion`."""
        parts = [self._transform_normalised(normalize_many(texts[i:i + BATCH])) for i in range(0, len(texts), BATCH)]
        if not parts:
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")

    def _transform_normalised(self, normed: list[str]) -> sp.csr_matrix:
        joined = _SEP.join(normed)
        starts = np.zeros(len(normed), dtype=np.int64)
        np.cumsum([len(t) + 1 for t in normed[:-1]], out=starts[1:])
        wr, wc = self._word_entries(joined, starts)
        cr, cc = self._char_entries(joined)
        rows, cols = np.concatenate([wr, cr]), np.concatenate([wc, cc])
        counts = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                               shape=(len(normed), self.n_features))
        counts.sum_duplicates()
        return self._tfidf(counts)

    def _word_entries(self, joined: str, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Word unigrams and bigrams of kept tokens: one tokeniser call for the whole batch. jieba cuts at every
        newline, so the joined batch yields each text's own tokens (checked: the lengths must add up)."""
        toks = token_engine()(joined)
        lens = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
        if int(lens.sum()) != len(joined):
            raise RuntimeError("tokeniser did not return the text it was given")
        tok_start = np.cumsum(lens) - lens
        codes = np.fromiter(map(self._codes.__getitem__, toks), dtype=np.int64, count=len(toks))
        kept = codes != -2
        codes, doc = codes[kept], np.searchsorted(starts, tok_start[kept], side="right") - 1
        known = codes >= 0
        rows = [doc[known]]
        cols = [self._uni_col[codes[known]]]
        pair = (doc[:-1] == doc[1:]) & known[:-1] & known[1:]
        keys = codes[:-1][pair] * self._nu + codes[1:][pair]
        hit, col = self._bigrams.lookup(keys)
        rows.append(doc[:-1][pair][hit])
        cols.append(col)
        return np.concatenate(rows), np.concatenate(cols)

    def _char_entries(self, joined: str) -> tuple[np.ndarray, np.ndarray]:
        """Character 1–3-grams as 21-bit-per-character integer keys; n-grams across a separator are dropped."""
        cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        sep = cp == ord(_SEP)
        doc = np.cumsum(sep)
        rows, cols = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for n, table in self._char_tables.items():
            m = len(cp) - n + 1
            if m <= 0:
                continue
            key = cp[:m].copy()
            bad = sep[:m].copy()
            for k in range(1, n):
                key = (key << 21) | cp[k:k + m]
                bad |= sep[k:k + m]
            ok = ~bad
            hit, col = table.lookup(key[ok])
            rows.append(doc[:m][ok][hit])
            cols.append(col)
        return np.concatenate(rows), np.concatenate(cols)

    def _tfidf(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """sklearn's TfidfTransformer (sublinear tf, idf, l2) on the count matrix; like the FeatureUnion, the
        word block and the character block are each normalised on their own."""
        x = counts
        np.log(x.data, x.data)
        x.data += 1.0
        x.data *= self._idf[x.indices]
        n = x.shape[0]
        block = np.repeat(np.arange(n) * 2, np.diff(x.indptr)) + (x.indices >= self.n_words)
        norms = np.sqrt(np.bincount(block, weights=x.data.astype(np.float64) ** 2, minlength=2 * n))
        norms[norms == 0] = 1.0
        x.data /= norms[block].astype(np.float32)
        return x

    # ---- scores and decisions -------------------------------------------------------------------------------
    def proba_from_features(self, x) -> np.ndarray:
        """(n, 6): per label the mean over its calibration folds of sigmoid(-(a·(x·w + b) + c))."""
        d = np.asarray(x @ self._W, dtype=np.float64) + self._b
        p = 1.0 / (1.0 + np.exp(self._a_cal * d + self._b_cal))
        out = np.zeros((p.shape[0], len(ALL_NAMES)))
        np.add.at(out.T, self._col_label, p.T)
        return out / self._folds


class _IntTable:
    """int64 key → column, as an open-addressing hash table probed for a whole array of keys at once: a few
    vectorised rounds instead of a binary search's ~16 dependent memory reads per key."""

    _MUL = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, keys: list[int], cols: list[int]):
        k, c = np.asarray(keys, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        self.bits = max(4, int(np.ceil(np.log2(max(len(k), 1) * 2))) + 1)  # load factor ≤ 1/4
        size = 1 << self.bits
        self.keys = np.full(size, -1, dtype=np.int64)  # -1: empty (keys are non-negative)
        self.cols = np.zeros(size, dtype=np.int64)
        if len(np.unique(k)) != len(k):
            raise CompileError("duplicate feature keys")
        slot, todo = self._slot(k), np.arange(len(k))
        while len(todo):
            free = self.keys[slot] == -1
            cand, s_free = todo[free], slot[free]
            _, first = np.unique(s_free, return_index=True)  # one key per free slot this round
            self.keys[s_free[first]] = k[cand[first]]
            self.cols[s_free[first]] = c[cand[first]]
            placed = np.zeros(len(todo), dtype=bool)
            placed[np.flatnonzero(free)[first]] = True
            todo, slot = todo[~placed], (slot[~placed] + ~free[~placed]) & (size - 1)

    def _slot(self, k: np.ndarray) -> np.ndarray:
        return ((k.astype(np.uint64) * self._MUL) >> np.uint64(64 - self.bits)).astype(np.int64)

    def lookup(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mask of keys found, their columns in the order of q[mask])."""
        found = np.full(len(q), -1, dtype=np.int64)
        todo, slot = np.arange(len(q)), self._slot(q)
        mask = len(self.keys) - 1
        while len(todo):
            here = self.keys[slot]
            hit = here == q[todo]
            found[todo[hit]] = self.cols[slot[hit]]
            go_on = ~hit & (here != -1)
            todo, slot = todo[go_on], (slot[go_on] + 1) & mask
        ok = found >= 0
        return ok, found[ok]


# ---- compiling a fitted pipeline ---------------------------------------------------------------------------
def compile_arrays(model) -> dict[str, np.ndarray]:
    """The arrays of a fitted `CuishouModel` (needs scikit-learn: called at training time, not labelling)."""
    steps = model.pipeline.named_steps
    (_, wvec), (_, cvec) = steps["features"].transformer_list
    from cuishou.text import word_ngrams

    for vec in (wvec, cvec):
        if not (vec.sublinear_tf and vec.use_idf and vec.norm == "l2" and not vec.lowercase
                and vec.strip_accents is None and vec.preprocessor is None):
            raise CompileError("features must be sublinear, l2-normalised TF-IDF without preprocessing")
    if wvec.analyzer is not word_ngrams or cvec.analyzer != "char" or not (
            1 <= cvec.ngram_range[0] and cvec.ngram_range[1] <= 3):
        raise CompileError("features must be word_ngrams and character 1–3-grams")
    words = sorted(wvec.vocabulary_, key=wvec.vocabulary_.get)
    chars = sorted(cvec.vocabulary_, key=cvec.vocabulary_.get)
    if any(_SEP in t for t in words + chars):
        raise CompileError("a feature contains a newline")
    W, b, a_cal, b_cal, col_label = [], [], [], [], []
    for j, est in enumerate(steps["clf"].estimators_):
        ccs = getattr(est, "calibrated_classifiers_", None)
        if not ccs:  # e.g. a constant predictor for a label with one class in training
            raise CompileError(f"label {j} has no calibrated fold models")
        for cc in ccs:
            lr = cc.estimator
            if not hasattr(lr, "coef_") or lr.coef_.shape[0] != 1:
                raise CompileError("each fold model must be one linear decision function")
            cal = cc.calibrators[0]
            W.append(lr.coef_.ravel())
            b.append(float(np.ravel(lr.intercept_)[0]))
            a_cal.append(float(cal.a_))
            b_cal.append(float(cal.b_))
            col_label.append(j)
    return {
        "format": np.array(SCORER_FORMAT),
        "word_terms": _pack(words), "char_terms": _pack(chars),
        "word_idf": wvec.idf_.astype(np.float32), "char_idf": cvec.idf_.astype(np.float32),
        "W": np.column_stack(W).astype(np.float32), "intercept": np.array(b), "cal_a": np.array(a_cal),
        "cal_b": np.array(b_cal), "col_label": np.array(col_label, dtype=np.int8),
        "thresholds": np.array([model.thresholds[n] for n in ALL_NAMES], dtype=np.float64),
        "gate": np.array(np.nan if model.gate is None else model.gate, dtype=np.float64),
        "coef": np.vstack([model.coef[n] for n in ALL_NAMES]).astype(np.float32),
    }


def arrays_to_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def read_arrays(path: str | Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    if int(arrays.get("format", -1)) != SCORER_FORMAT:
        raise CompileError(f"scorer format {arrays.get('format')} is not {SCORER_FORMAT}")
    return arrays
