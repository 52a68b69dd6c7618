"""Texts or a message table → labels, scores and the phrases that drove each flag.

The classifier sees text only; whether a message reached the debtor or a contact is decided later from the
export's metadata (findings/report).
"""
from __future__ import annotations

import multiprocessing
import os
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Union

import numpy as np
import pandas as pd

from cuishou.labels import ALL_NAMES, VIOLATION_NAMES, join_labels
from cuishou.schema import LABEL_COLUMNS

if TYPE_CHECKING:  # only for annotations: importing the sklearn model here would cost every run seconds
    from cuishou.model.pipeline import CuishouModel
    from cuishou.model.scorer import Scorer

#: what can label: the array scorer (normal use) or a fitted sklearn model (training, evaluation)
Labeller = Union["Scorer", "CuishouModel"]

#: longer bodies are classified on their first MAX_CHARS characters (a 50 MB "message" must not stall a run)
MAX_CHARS = 5000
_TOP_PHRASES = 3
#: below this many distinct texts one process is faster than starting workers
PARALLEL_MIN = 8000

_WORKER_MODEL: Labeller | None = None  # set before forking; children inherit it without pickling


def _score(model: Labeller, texts: list[str], explain: bool) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if not texts:
        return np.zeros((0, len(ALL_NAMES))), np.zeros((0, len(ALL_NAMES)), dtype=np.int8), []
    x = model.transform(texts)
    proba = model.proba_from_features(x)
    dec = model.decide(proba)
    return proba, dec, (_explain(model, x, dec) if explain else [""] * len(texts))


def _score_in_worker(args: tuple[list[str], bool]):
    return _score(_WORKER_MODEL, *args)


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _score_parallel(model: Labeller, texts: list[str], explain: bool, n_jobs: int):
    """Split the texts across forked workers (Linux): tokenising and n-gram counting are pure Python, so
    processes, not threads, use the second core. Results are identical to one process."""
    from cuishou.text import warm_up

    global _WORKER_MODEL
    warm_up()  # dictionaries and tables loaded once, shared with the forked workers
    _WORKER_MODEL = model
    try:
        bounds = np.linspace(0, len(texts), n_jobs + 1).astype(int)
        chunks = [(texts[a:b], explain) for a, b in zip(bounds[:-1], bounds[1:])]
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(n_jobs, mp_context=ctx) as ex:
            parts = list(ex.map(_score_in_worker, chunks))
    finally:
        _WORKER_MODEL = None
    return (np.vstack([p[0] for p in parts]), np.vstack([p[1] for p in parts]),
            [e for p in parts for e in p[2]])


def classify_texts(model: Labeller, texts: list[str], *, explain: bool = True,
                   n_jobs: int | None = None) -> pd.DataFrame:
    """LABEL_COLUMNS for each text (same order). Identical texts are scored once (collectors repeat templates);
    large batches use every core (`n_jobs`, default: all available)."""
    clipped = [t[:MAX_CHARS] for t in texts]
    uniq: dict[str, int] = {}
    idx = np.fromiter((uniq.setdefault(t, len(uniq)) for t in clipped), dtype=np.int64, count=len(clipped))
    u_texts = list(uniq)
    n_jobs = _default_jobs() if n_jobs is None else n_jobs
    if n_jobs > 1 and len(u_texts) >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
        proba, dec, u_evidence = _score_parallel(model, u_texts, explain, n_jobs)
    else:
        proba, dec, u_evidence = _score(model, u_texts, explain)
    u_labels = _label_strings(dec)
    out = pd.DataFrame({
        "collection": dec[idx, 0].astype(int),
        "labels": np.asarray(u_labels, dtype=object)[idx] if u_texts else [],
        **{f"p_{n}": np.round(proba[idx, j], 4) for j, n in enumerate(ALL_NAMES)},
        "evidence": np.asarray(u_evidence, dtype=object)[idx] if u_texts else [],
    })
    return out[list(LABEL_COLUMNS)]


def _label_strings(dec: np.ndarray) -> list[str]:
    """The `labels` cell of each row: 32 possible label sets, so each string is built once."""
    codes = (dec[:, 1:].astype(np.int64) << np.arange(len(VIOLATION_NAMES))).sum(axis=1)
    table = {int(c): join_labels(n for k, n in enumerate(VIOLATION_NAMES) if int(c) >> k & 1) for c in np.unique(codes)}
    return [table[c] for c in codes.tolist()]


def _explain(model: Labeller, x, dec: np.ndarray) -> list[str]:
    """For each flagged label: the features whose weight × value pushed the score up most.

    Format: ``threat:坐牢|上门;insult:老赖`` (normalised text: simplified characters). Only flagged labels are
    explained; a collection message with no violation gets its collection phrases. The ranking is done for all
    rows of a label at once (one sort); only the few best candidates of each row reach Python.
    """
    x = x.tocsr()
    x.sort_indices()  # ties are then ordered by column, so a message's evidence never depends on its batch
    n = x.shape[0]
    row_of = np.repeat(np.arange(n), np.diff(x.indptr))
    parts: list[list[str]] = [[] for _ in range(n)]
    no_violation = ~dec[:, 1:].any(axis=1)
    for j, name in [(j + 1, v) for j, v in enumerate(VIOLATION_NAMES)] + [(0, "collection")]:
        flagged = dec[:, j].astype(bool) & (no_violation if j == 0 else True)
        if not flagged.any():
            continue
        entries = np.flatnonzero(flagged[row_of])
        contrib = x.data[entries] * model.coef[name][x.indices[entries]]
        pos = contrib > 0
        entries, contrib = entries[pos], contrib[pos]
        order = np.argsort(_row_desc_key(row_of[entries], contrib), kind="stable")
        entries, rows = entries[order], row_of[entries[order]]
        first = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
        rank = np.arange(len(rows)) - np.repeat(first, np.diff(np.r_[first, len(rows)]))
        keep = rank < 4 * _TOP_PHRASES
        entries, rows = entries[keep], rows[keep]
        cols = x.indices[entries]
        cache = _phrase_cache(model, np.unique(cols))
        cand = list(map(cache.__getitem__, cols.tolist()))
        bounds = np.r_[0, np.flatnonzero(np.diff(rows)) + 1, len(rows)].tolist()
        row_ids = rows[bounds[:-1]].tolist() if len(rows) else []
        for r, a, b in zip(row_ids, bounds[:-1], bounds[1:]):
            phrases = _top_phrases(cand[a:b])
            if phrases:
                parts[r].append(f"{name}:{'|'.join(phrases)}")
    return [";".join(p) for p in parts]


def _row_desc_key(rows: np.ndarray, contrib: np.ndarray) -> np.ndarray:
    """One integer per entry that sorts by row, then by contribution descending: a positive float32's bits
    order like its value. A stable sort of these keys (fast: rows are already in order) keeps ties in column
    order."""
    bits = contrib.astype(np.float32).view(np.uint32).astype(np.uint64)
    return (rows.astype(np.uint64) << np.uint64(32)) | (np.uint64(0xFFFFFFFF) - bits)


def _top_phrases(candidates: list[tuple[str | None, str]]) -> list[str]:
    """Up to _TOP_PHRASES readable phrases from (phrase or None, cleaned name) in descending contribution, no
    phrase inside another; a flag is never left unexplained (the best unreadable feature is the fallback)."""
    phrases: list[str] = []
    fallback = ""
    for ph, cleaned in candidates:
        if len(phrases) >= _TOP_PHRASES:
            break
        if ph is None:
            fallback = fallback or cleaned
            continue
        if any(ph in p for p in phrases):
            continue
        phrases = [p for p in phrases if p not in ph] + [ph]
    return phrases or ([fallback] if fallback else [])


def _phrase_cache(model: Labeller, features: np.ndarray) -> dict[int, tuple[str | None, str]]:
    """feature → (phrase as a reader sees it, or None if it explains nothing; its cleaned name), filled for
    `features`. Cached on the model object: the same few thousand features recur in every message."""
    cache = model.__dict__.setdefault("_phrase_cache", {})
    for f in features.tolist():
        if f not in cache:
            cleaned = _clean(str(model.feature_names[f]))
            cache[f] = (cleaned if _useful(cleaned) else None, cleaned)
    return cache


def _clean(feature_name: str) -> str:
    """"words__不 还" → "不还"; "chars__身份证0" → "身份证"; edge punctuation ("还,") and spaces dropped."""
    kind, _, ph = feature_name.partition("__")
    ph = (ph.replace(" ", "") if kind == "words" else ph).strip("0* ")
    while ph and unicodedata.category(ph[0])[0] in "PZ":
        ph = ph[1:]
    while ph and unicodedata.category(ph[-1])[0] in "PZ":
        ph = ph[:-1]
    return ph.strip("0* ")


#: function words: a phrase made only of these explains nothing to a reader
_FUNCTION_CHARS = set("你我他她它们的了是在会就把给被和与也都还要不吗呢吧啊这那有个您请")


def _useful(ph: str) -> bool:
    """Skip bare digits/punctuation and function-word-only phrases; keep emoji and content phrases."""
    if not ph or ph in {"0", "*", "urllink"} or all(c in _FUNCTION_CHARS or not c.strip() for c in ph):
        return False
    if len(ph) == 1:
        return not ("\u4e00" <= ph <= "\u9fff") and not ph.isascii()
    return any(c.isalnum() or ord(c) > 0x2000 for c in ph)


def parse_evidence(evidence: str) -> dict[str, list[str]]:
    """Inverse of the evidence format: ``{"threat": ["坐牢", "上门"], …}``."""
    out: dict[str, list[str]] = {}
    for part in filter(None, (evidence or "").split(";")):
        name, _, phrases = part.partition(":")
        out[name] = [p for p in phrases.split("|") if p]
    return out


def classify_messages(table: pd.DataFrame, model: Labeller) -> pd.DataFrame:
    """A message table with LABEL_COLUMNS and `label_status` appended.

    SMS/MMS rows with text are classified (`label_status` = "labelled"); calls and empty bodies are kept but
    not classified, with the reason in `label_status` ("通话记录", "空内容"), so read = labelled + skipped.
    """
    body = table["body"].fillna("").astype(str)
    is_call = table["kind"].astype(str).eq("call")
    empty = body.str.strip().eq("")
    todo = (~is_call & ~empty).to_numpy()
    labelled = classify_texts(model, body[todo].tolist())
    out = table.copy()
    for c in LABEL_COLUMNS:
        out[c] = pd.Series([np.nan if c.startswith("p_") or c == "collection" else ""] * len(out),
                           index=out.index, dtype="float64" if c.startswith("p_") or c == "collection" else object)
        out.loc[todo, c] = labelled[c].to_numpy()
    out["label_status"] = np.where(todo, "labelled", np.where(is_call, "通话记录", "空内容"))
    return out
