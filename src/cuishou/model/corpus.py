"""Reading and validating the labelled corpus, and the grouped split that keeps siblings together."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cuishou.errors import DatasetError
from cuishou.labels import ALL_NAMES, VIOLATION_NAMES, parse_labels

CORPUS_COLUMNS = ("id", "text", "collection", "labels", "recipient", "source", "licence", "guideline", "group")
RECIPIENTS = ("borrower", "third_party", "unknown")


def read_corpus(path: str | Path) -> pd.DataFrame:
    """Read a corpus CSV (UTF-8) and validate it; rows are returned in file order."""
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"找不到语料文件：{path}")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as e:
        raise DatasetError(f"{path}：不是 UTF-8 编码（{e.reason}）") from None
    return validate_corpus(df, name=str(path))


def validate_corpus(df: pd.DataFrame, *, name: str = "语料") -> pd.DataFrame:
    """Check columns and every row; returns a copy with `collection` as int and `labels` canonicalised."""
    missing = [c for c in ("text", "collection", "labels") if c not in df.columns]
    if missing:
        raise DatasetError(f"{name}：缺少列 {', '.join(missing)}")
    df = df.copy()
    out_labels, out_coll = [], []
    for i, (text, coll, labels) in enumerate(zip(df["text"], df["collection"], df["labels"]), start=2):
        if not str(text).strip():
            raise DatasetError(f"{name} 第 {i} 行：短信内容为空")
        c = str(coll).strip()
        if c not in ("0", "1"):
            raise DatasetError(f"{name} 第 {i} 行：collection 必须是 0 或 1，实际为 {coll!r}")
        labs = parse_labels(labels, row=i)
        if labs and c == "0":
            raise DatasetError(f"{name} 第 {i} 行：标签 {';'.join(labs)} 与 collection=0 矛盾（违规标签意味着是催收）")
        out_coll.append(int(c))
        out_labels.append(";".join(labs))
    df["collection"] = out_coll
    df["labels"] = out_labels
    if "group" not in df.columns or (df["group"] == "").any():
        # rows without a group are their own group
        g = df["group"] if "group" in df.columns else pd.Series([""] * len(df), index=df.index)
        df["group"] = [gg or f"row-{i}" for i, gg in enumerate(g)]
    return df


def label_matrix(df: pd.DataFrame) -> np.ndarray:
    """(n, 6) 0/1 matrix in ALL_NAMES order: collection, then the violation labels."""
    y = np.zeros((len(df), len(ALL_NAMES)), dtype=np.int8)
    y[:, 0] = df["collection"].to_numpy()
    for j, name in enumerate(VIOLATION_NAMES, start=1):
        y[:, j] = df["labels"].map(lambda s, n=name: n in s.split(";")).to_numpy()
    return y


def split_groups(texts: list[str], groups: list[str], *, threshold: float) -> np.ndarray:
    """Merge the given groups with near-duplicate links (char 3-gram TF-IDF cosine ≥ threshold).

    Returns an integer cluster id per row; a grouped split on it never separates template siblings or
    paraphrases, even when the writer put them in different groups.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    from cuishou.text import normalize_many

    n = len(texts)
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first: dict[str, int] = {}
    for i, g in enumerate(groups):
        if g in first:
            union(i, first[g])
        else:
            first[g] = i
    if n > 1:
        x = TfidfVectorizer(analyzer="char", ngram_range=(3, 3)).fit_transform(normalize_many(texts))
        for start in range(0, n, 2000):  # blockwise: memory stays O(2000 × n)
            sims = (x[start:start + 2000] @ x.T).tocoo()
            for a, b, v in zip(sims.row, sims.col, sims.data):
                if v >= threshold and a + start < b:
                    union(a + start, b)
    return np.array([find(i) for i in range(n)])


def grouped_train_test(clusters: np.ndarray, groups, *, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (train, test): whole clusters go to one side.

    A cluster is named by the smallest `group` value in it and goes to test when a seeded SHA-256 of that name
    falls below `test_size`. Unlike a permutation, this keeps every existing cluster on its side when the corpus
    grows, so metrics stay comparable across corpus versions and retraining compares on a fixed split.
    """
    import hashlib

    name: dict[int, str] = {}
    for c, g in zip(clusters.tolist(), map(str, groups)):
        if c not in name or g < name[c]:
            name[c] = g
    cut = int(test_size * 2**64)
    in_test = {c: int.from_bytes(hashlib.sha256(f"{seed}:{g}".encode()).digest()[:8], "big") < cut
               for c, g in name.items()}
    test = np.fromiter((in_test[c] for c in clusters.tolist()), dtype=bool, count=len(clusters))
    return ~test, test


def held_out_split(df: pd.DataFrame, config) -> tuple[np.ndarray, np.ndarray]:
    """(clusters, test mask) of a corpus under `config` (near_dup_threshold, test_size, seed).

    The one recipe for the grouped held-out split: training, `evaluate`, the retraining guard and the notebook
    must all agree on it for "the fixed test split" to mean the same rows everywhere.
    """
    groups = df["group"].astype(str).tolist()
    clusters = split_groups(df["text"].astype(str).tolist(), groups, threshold=config.near_dup_threshold)
    _train, test = grouped_train_test(clusters, groups, test_size=config.test_size, seed=config.seed)
    return clusters, test
