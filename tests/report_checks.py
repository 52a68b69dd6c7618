"""Checks applied to every report a test generates: the never-cite list (law README §8) and basic sanity.

`never_cite_guard` wraps `cuishou.pipeline.render_all`, so every report or bundle built while it is active is
checked: the whole output against all message dates, and each message's provisions against its own date (a
2026 message must not get 治安管理处罚法 第四十二条, an earlier one not the 2025 numbering). Import the fixture
into a test module (or conftest) to apply it there.
"""
from __future__ import annotations

import pytest

GENERATED: list[dict] = []


def never_cite_problems(ctx, files: dict[str, bytes]) -> list[str]:
    from cuishou.law import find_never_cite

    problems = []
    dates = [it.local_date for it in ctx.items if it.local_date is not None]
    for rel, data in files.items():
        if rel.endswith(".xlsx"):
            continue
        text = data.decode("utf-8-sig", "replace")
        problems += [f"{rel}: {p}" for p in find_never_cite(text, message_dates=dates or None)]
    for it in ctx.items:
        if it.local_date is None:
            continue
        text = "\n".join(f"{c.citation}\n{c.text}" for c in (*it.cites, *it.supporting))
        problems += [f"{it.eid} ({it.local_date}): {p}" for p in find_never_cite(text, message_dates=[it.local_date])]
    return problems


@pytest.fixture(autouse=True)
def never_cite_guard(monkeypatch):
    import cuishou.pipeline as pl

    real = pl.render_all

    def checked(ctx):
        files = real(ctx)
        problems = never_cite_problems(ctx, files)
        GENERATED.append({"items": len(ctx.items), "problems": problems})
        assert not problems, "never-cite violations:\n" + "\n".join(problems)
        return files

    monkeypatch.setattr(pl, "render_all", checked)
    yield


def labelled_table(rows: list[dict]):
    """A hand-built labelled table (schema + LABEL_COLUMNS + label_status) from short row specs.

    Each spec needs `address`, `time_utc`, `body`; optional: labels, collection, kind, direction, tz,
    call_duration_s, call_status, contact_name, evidence, p (dict label -> probability).
    """
    import pandas as pd

    from cuishou.labels import VIOLATION_NAMES
    from cuishou.schema import LABEL_COLUMNS, MESSAGE_COLUMNS, make_msg_id

    out = []
    for i, spec in enumerate(rows, 1):
        kind = spec.get("kind", "sms")
        labels = spec.get("labels", "")
        coll = spec.get("collection", 1 if labels else 0)
        ref = f"{kind}[{i}]"
        r = {
            "msg_id": make_msg_id("f" * 64, ref), "source_file": spec.get("source_file", "sms-test.xml"),
            "source_sha256": "f" * 64, "source_ref": ref, "kind": kind, "direction": spec.get("direction", "in"),
            "address": spec["address"], "contact_name": spec.get("contact_name", ""), "time_utc": spec["time_utc"],
            "time_raw": spec.get("time_raw", "0"), "tz": spec.get("tz", "Asia/Shanghai"),
            "body": "" if kind == "call" else spec["body"], "blocked": False,
            "call_duration_s": spec.get("call_duration_s", float("nan")),
            "call_status": spec.get("call_status", ""),
            "collection": float("nan") if kind == "call" else float(coll), "labels": "" if kind == "call" else labels,
            "p_collection": float("nan") if kind == "call" else (0.9 if coll else 0.1),
            "evidence": spec.get("evidence", ""),
            "label_status": "通话记录" if kind == "call" else "labelled",
        }
        for n in VIOLATION_NAMES:
            r[f"p_{n}"] = spec.get("p", {}).get(n, 0.95 if n in labels.split(";") else 0.02)
        out.append(r)
    df = pd.DataFrame(out)
    return df[list(MESSAGE_COLUMNS) + list(LABEL_COLUMNS) + ["label_status"]]


class FakeRead:
    """Stands in for io.ReadResult when a test builds the table by hand."""

    def __init__(self, table, files=(), skips=(), merged=()):
        self.table, self.files, self.skips, self.merged_duplicates = table, list(files), list(skips), list(merged)
