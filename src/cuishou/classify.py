"""Texts or a message table → labels, scores and the phrases that drove each flag.

The classifier sees text only; whether a message reached the debtor or a contact is decided later from the
export's metadata (findings/report).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from cuishou.labels import ALL_NAMES, VIOLATION_NAMES, join_labels
from cuishou.model.pipeline import CuishouModel
from cuishou.schema import LABEL_COLUMNS

#: longer bodies are classified on their first MAX_CHARS characters (a 50 MB "message" must not stall a run)
MAX_CHARS = 5000
_TOP_PHRASES = 3


def classify_texts(model: CuishouModel, texts: list[str], *, explain: bool = True) -> pd.DataFrame:
    """LABEL_COLUMNS for each text (same order). Identical texts are scored once (collectors repeat templates)."""
    clipped = [t[:MAX_CHARS] for t in texts]
    uniq: dict[str, int] = {}
    idx = np.fromiter((uniq.setdefault(t, len(uniq)) for t in clipped), dtype=np.int64, count=len(clipped))
    u_texts = list(uniq)
    x = model.transform(u_texts) if u_texts else None
    proba = model.proba_from_features(x) if u_texts else np.zeros((0, len(ALL_NAMES)))
    dec = model.decide(proba)
    u_labels = [join_labels(n for n, d in zip(VIOLATION_NAMES, row[1:]) if d) for row in dec]
    u_evidence = _explain(model, x, dec) if explain and u_texts else [""] * len(u_texts)
    out = pd.DataFrame({
        "collection": dec[idx, 0].astype(int),
        "labels": np.asarray(u_labels, dtype=object)[idx] if u_texts else [],
        **{f"p_{n}": np.round(proba[idx, j], 4) for j, n in enumerate(ALL_NAMES)},
        "evidence": np.asarray(u_evidence, dtype=object)[idx] if u_texts else [],
    })
    return out[list(LABEL_COLUMNS)]


def _explain(model: CuishouModel, x, dec: np.ndarray) -> list[str]:
    """For each flagged label: the features whose weight × value pushed the score up most.

    Format: ``threat:坐牢|上门;insult:老赖`` (normalised text: simplified characters, digits as 0). Only labels
    that were flagged are explained; an unflagged collection message gets its collection phrases.
    """
    names = model.feature_names
    out = []
    x = x.tocsr()
    for i in range(x.shape[0]):
        row = x.getrow(i)
        parts = []
        flagged = [n for n, d in zip(VIOLATION_NAMES, dec[i, 1:]) if d] or (["collection"] if dec[i, 0] else [])
        for name in flagged:
            contrib = row.data * model.coef[name][row.indices]
            order = np.argsort(-contrib)
            phrases: list[str] = []
            for k in order:
                if contrib[k] <= 0 or len(phrases) >= _TOP_PHRASES:
                    break
                ph = names[row.indices[k]].split("__", 1)[1].strip()
                if not _useful(ph) or any(ph in p for p in phrases):
                    continue
                phrases = [p for p in phrases if p not in ph] + [ph]
            if phrases:
                parts.append(f"{name}:{'|'.join(phrases)}")
        out.append(";".join(parts))
    return out


def _useful(ph: str) -> bool:
    """Skip single common characters and bare digits/punctuation; keep emoji and multi-character phrases."""
    if not ph or ph in {"0", "*", "urllink"}:
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


def classify_messages(table: pd.DataFrame, model: CuishouModel) -> pd.DataFrame:
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
