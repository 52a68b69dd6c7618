"""Merge records that appear in several overlapping backups.

Key: (kind, direction, address, time_utc, body) — the issue's four fields plus kind, so a call never merges
with an SMS. Only records from *different* files merge: two identical messages inside one export are kept
both, because a harasser sending the same text twice in one minute is evidence, not a duplicate.
"""
from __future__ import annotations

import pandas as pd

KEY = ["kind", "direction", "address", "time_utc", "body"]


def dedupe(table: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]], dict[str, int]]:
    """→ (table without later-file duplicates, [(kept msg_id, dropped msg_id)], {file: rows dropped}) (pure)."""
    if table.empty or table["source_file"].nunique() < 2:
        return table, [], {}
    gid = table.groupby(KEY, sort=False, dropna=False).ngroup()
    first_file = table["source_file"].groupby(gid).transform("first")
    drop = table["source_file"] != first_file
    if not drop.any():
        return table, [], {}
    kept_id = table["msg_id"].groupby(gid).transform("first")
    merged = list(zip(kept_id[drop].tolist(), table.loc[drop, "msg_id"].tolist()))
    per_file = {str(k): int(v) for k, v in table.loc[drop, "source_file"].value_counts().items()}
    return table.loc[~drop].reset_index(drop=True), merged, per_file
