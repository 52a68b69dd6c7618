"""Merge the hand-written parts in datasets/parts/ into datasets/corpus.csv with provenance.

Run from the repository root: `python datasets/build_corpus.py`. Deterministic: same parts ⇒ same corpus.
Exact duplicates (after normalisation) are dropped; a text written twice with different labels is a
contradiction and is reported and left out until someone decides it. `corrections.csv` (annotation QA:
id, collection, labels, decision, note) is applied last; a corrected row says so in its `source`.
"""
from __future__ import annotations

import csv
import hashlib
import sys
from collections import Counter, defaultdict
from pathlib import Path

from cuishou.labels import GUIDELINE_VERSION, parse_labels
from cuishou.text import normalize

HERE = Path(__file__).resolve().parent
PARTS = HERE / "parts"
OUT = HERE / "corpus.csv"
CORRECTIONS = HERE / "corrections.csv"
COLUMNS = ["id", "text", "collection", "labels", "recipient", "source", "licence", "guideline", "group"]
SOURCE = "hand-written (cuishou team, drafted with LLM assistance, reviewed by rule checks)"
LICENCE = "Apache-2.0 (cuishou project)"
PARTS_GUIDELINE = "1.0"  # parts without a `guideline` column were labelled under guideline 1.0


def main() -> int:
    rows, contradictions = [], []
    by_key: dict[str, list[dict]] = defaultdict(list)
    for part in sorted(PARTS.glob("*.csv")):
        with part.open(encoding="utf-8", newline="") as f:
            for i, r in enumerate(csv.DictReader(f), start=2):
                text = (r.get("text") or "").strip()
                if not text:
                    print(f"{part.name}:{i}: empty text, dropped", file=sys.stderr)
                    continue
                labels = ";".join(parse_labels(r.get("labels", ""), row=i))
                coll = str(r.get("collection", "")).strip()
                if coll not in ("0", "1") or (labels and coll == "0"):
                    print(f"{part.name}:{i}: invalid collection/labels {coll!r}/{labels!r}, dropped", file=sys.stderr)
                    continue
                rec = (r.get("recipient") or "unknown").strip()
                if rec not in ("borrower", "third_party", "unknown"):
                    rec = "unknown"
                row = {"text": text, "collection": coll, "labels": labels, "recipient": rec,
                       "group": f"{part.stem}:{(r.get('group') or f'r{i}').strip()}", "_part": part.stem,
                       "guideline": (r.get("guideline") or PARTS_GUIDELINE).strip()}
                by_key[normalize(text)].append(row)
    for key, group in by_key.items():
        variants = {(g["collection"], g["labels"]) for g in group}
        if len(variants) > 1:
            contradictions.append((group[0]["text"], sorted(variants)))
            continue
        rows.append(group[0])
    rows.sort(key=lambda r: (r["_part"], r["group"], r["text"]))
    fixes = _read_corrections()
    n_fixed = 0
    for r in rows:
        fix = fixes.get(_row_id(r["text"]))
        if fix and (fix["collection"], fix["labels"]) != (r["collection"], r["labels"]):
            r["qa"] = f"; relabelled in QA from {r['collection']}/{r['labels'] or '-'}: {fix['note']}"
            r["collection"], r["labels"] = fix["collection"], fix["labels"]
            if fix["collection"] == "0":
                r["recipient"] = "unknown"  # GUIDELINE §7: every collection = 0 row
            r["guideline"] = GUIDELINE_VERSION
            n_fixed += 1
    print(f"QA corrections applied: {n_fixed}", file=sys.stderr)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({"id": _row_id(r["text"]), "text": r["text"], "collection": r["collection"], "labels": r["labels"],
                        "recipient": r["recipient"], "source": f"{SOURCE}; part={r['_part']}{r.get('qa', '')}",
                        "licence": LICENCE,
                        "guideline": r.get("guideline", PARTS_GUIDELINE), "group": r["group"]})
    counts = Counter()
    for r in rows:
        counts["collection" if r["collection"] == "1" else "other"] += 1
        if r["collection"] == "1" and not r["labels"]:
            counts["lawful"] += 1
        for lab in filter(None, r["labels"].split(";")):
            counts[lab] += 1
    print(f"{len(rows)} rows -> {OUT}; dropped contradictions: {len(contradictions)}", file=sys.stderr)
    for t, v in contradictions[:20]:
        print(f"  contradiction: {t[:40]}… {v}", file=sys.stderr)
    print(dict(sorted(counts.items())), file=sys.stderr)
    return 0


def _row_id(text: str) -> str:
    return "hw-" + hashlib.sha256(normalize(text).encode()).hexdigest()[:12]


def _read_corrections() -> dict[str, dict]:
    if not CORRECTIONS.exists():
        return {}
    out = {}
    with CORRECTIONS.open(encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f), start=2):
            if r.get("decision") != "fix":
                continue
            labels = ";".join(parse_labels(r.get("labels", ""), row=i))
            coll = str(r.get("collection", "")).strip()
            if coll not in ("0", "1") or (labels and coll == "0"):
                raise SystemExit(f"corrections.csv:{i}: invalid collection/labels")
            out[r["id"]] = {"collection": coll, "labels": labels, "note": (r.get("note") or "").replace(";", ",")}
    return out


if __name__ == "__main__":
    raise SystemExit(main())
