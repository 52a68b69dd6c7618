"""`cuishou report`: read (io) → classify → findings → law → render, written atomically.

The only place where the steps meet. Each step is a plain function owned elsewhere; this module chooses the
provisions by each message's local date, builds the ReportContext the renderers share, and writes the folder
in one rename (fsutil.atomic_dir) so an interrupted run leaves nothing half-written.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pandas as pd

from cuishou import __version__
from cuishou.errors import InputError
from cuishou.findings import compute_findings, daily_counts, describe_dt, prepare
from cuishou.fsutil import atomic_dir, atomic_write_bytes, sha256_bytes
from cuishou.labels import LAWFUL_ZH, VIOLATION_NAMES, ZH, parse_labels
from cuishou.report import Cite, EvidenceItem, FindingView, ReportContext
from cuishou.report.masking import Masker, third_party_names
from cuishou.schema import DEFAULT_TZ, MESSAGE_COLUMNS

REPORT_FILES = ("report.html", "evidence.csv", "evidence.xlsx", "summary.json")
COLORS = {"威胁恐吓": "#c0392b", "骚扰第三人": "#d35400", "侮辱谩骂": "#8e44ad", "泄露隐私": "#2471a3",
          "冒充公检法/律师": "#117a65", LAWFUL_ZH: "#aab7b8", "其他违规（未纳入本报告）": "#d5d8dc"}
_P_COL = {n: f"p_{n}" for n in VIOLATION_NAMES}


@dataclass
class ReportSummary:
    """What `build_report` did, for the CLI to print and for the bundle to record."""
    out_dir: Path
    read: int
    labelled: int
    skipped: int
    flagged: int
    counts: dict
    findings: int
    merged: int = 0                                    # duplicates across overlapping exports, merged by io
    outputs: dict = field(default_factory=dict)        # relative path -> sha256
    inputs: list = field(default_factory=list)         # schema.SourceFile
    model_meta: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


# ------------------------------------------------------------------------------------------ law lookup

def _cite(ref) -> Cite:
    p = ref.provision
    note = "；".join(x for x in (getattr(ref, "condition", None), getattr(ref, "version_note", None), p.note) if x)
    short = f"{p.issuer or ''}《{p.short_title}》{p.article}" if p.article else ref.citation
    return Cite(id=p.id, citation=ref.citation, short=short, text=p.text or "（本条只列名称，未收录原文）", source=p.source_url,
                confidence=p.confidence, kind=p.kind, note=note, unconfirmed=p.article is None, version=p.version,
                role=ref.role)


@lru_cache(maxsize=4096)
def _cites_for(tag: str, day) -> tuple[Cite, ...]:
    """Provisions for one tag on one local date (version chosen by date; CL-293-1 needs an illegal-debt signal,
    which this tool does not assess, so it is never listed)."""
    from cuishou.law import provisions_for, tags

    if tag not in tags():
        return ()
    return tuple(_cite(r) for r in provisions_for(tag, day))


def _union(groups) -> tuple[Cite, ...]:
    out: dict[str, Cite] = {}
    for g in groups:
        for c in g:
            out.setdefault(c.id, c)
    return tuple(out.values())


# ------------------------------------------------------------------------------------------ helpers

def record_sha256(row) -> str:
    """SHA-256 of one parsed record (canonical JSON of the schema fields), so a single row can be checked."""
    rec = {}
    for c in MESSAGE_COLUMNS:
        v = row[c]
        if isinstance(v, float) and math.isnan(v):
            v = None
        elif hasattr(v, "item"):
            v = v.item()
        rec[c] = v
    blob = json.dumps(rec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _phrases(evidence: str, labels) -> tuple[str, ...]:
    from cuishou.classify import parse_evidence

    parsed = parse_evidence(evidence if isinstance(evidence, str) else "")
    out: list[str] = []
    for lab in labels:
        for p in parsed.get(lab, []):
            for piece in p.split():
                if piece and piece not in out:
                    out.append(piece)
    return tuple(out)


def _locate(body: str, phrases) -> tuple[str, ...]:
    """Map normalised phrases back onto the verbatim text (digits → 0, full width, trad. → simp. are per char)."""
    if not phrases or not isinstance(body, str):
        return tuple(phrases or ())
    if all(p in body for p in phrases):
        return tuple(dict.fromkeys(phrases))
    try:
        per_char = [_norm_char(ch) for ch in body]
        if any(len(c) != 1 for c in per_char):
            raise ValueError
        norm = "".join(per_char).lower()
    except Exception:
        return tuple(phrases)
    out = []
    for p in phrases:
        if p in body:
            out.append(p)
            continue
        i = norm.find(p.lower())
        out.append(body[i:i + len(p)] if i >= 0 else p)
    return tuple(dict.fromkeys(out))


def _s(v) -> str:
    """str() that turns None/NaN into "" (pandas gives NaN for missing text)."""
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


@lru_cache(maxsize=65536)
def _norm_char(ch: str) -> str:
    from cuishou.text import normalize

    return normalize(ch) or ch


def _category_factory(include):
    def category_of(row) -> str:
        labs = [l for l in parse_labels(row.labels) if l in include]
        if labs:
            return ZH[labs[0]]
        return "其他违规（未纳入本报告）" if row.flagged else LAWFUL_ZH
    return category_of


def _model_info(meta: dict) -> dict:
    m = dict(meta or {})
    m.setdefault("sha256", m.get("model_sha256", "未知"))
    return m


# ------------------------------------------------------------------------------------------ context

def build_context(labelled: pd.DataFrame, read_result, *, model_meta: dict, own_numbers=(), own_name=None,
                  tz: str = DEFAULT_TZ, include_labels=None, mask_third_parties: bool = False,
                  argv=None, generated_utc: str | None = None) -> ReportContext:
    """Everything the renderers need, computed once. Pure apart from the law-registry lookups."""
    include = tuple(n for n in VIOLATION_NAMES if include_labels is None or n in set(include_labels))
    t = prepare(labelled, own_numbers=own_numbers, own_name=own_name)
    findings = compute_findings(labelled, prepared=t)

    coll = t[t["is_msg"] & t["inbound"] & t["is_collection"]]
    collectors = set(coll["address"])
    keep = set(collectors) | set(own_numbers)
    others = t[~t["address"].isin(keep)]
    names = third_party_names(
        t.loc[t["is_collection"], "body"], others["contact_name"].dropna().unique(), own_name=own_name) \
        if mask_third_parties else set()
    masker = Masker(enabled=mask_third_parties, keep_numbers=keep, names=names)

    # evidence items: flagged rows whose labels intersect the included ones
    labs = t["labels"].fillna("").map(lambda s: tuple(l for l in parse_labels(s) if l in include))
    # only received messages are evidence of collection conduct; the user's own sent texts never are
    flagged = t[t["flagged"] & (labs.map(len) > 0) & t["inbound"] & t["is_msg"]].sort_values(["local_dt", "msg_id"])
    items: list[EvidenceItem] = []
    flagged_labs = labs.loc[flagged.index].tolist()
    for i, (r, item_labels) in enumerate(zip(flagged.to_dict("records"), flagged_labs), 1):
        scores = {l: float(r.get(_P_COL[l], float("nan"))) for l in item_labels}
        day = r["local_date"] if pd.notna(r["local_dt"]) else None
        per_label = {l: (_cites_for(l, day) if day is not None else _cites_for_undated(l)) for l in item_labels}
        all_cites = _union(per_label.values())
        cites = tuple(c for c in all_cites if c.role == "primary")
        primary_ids = {x.id for x in cites}
        supporting = tuple(c for c in all_cites if c.role != "primary" and c.id not in primary_ids)
        supporting_by_label = {l: tuple(c for c in cs if c.role != "primary" and c.id not in primary_ids)
                               for l, cs in per_label.items()}
        items.append(EvidenceItem(
            eid=f"E-{i:04d}", msg_id=str(r["msg_id"]), labels=item_labels,
            address=masker.number(str(r["address"])), contact_name=masker.name(_s(r["contact_name"])),
            direction=_s(r["direction"]), kind=str(r["kind"]), local_time=describe_dt(r["local_dt"]),
            tz=_s(r["tz"]) or tz, time_utc=str(r["time_utc"]), time_raw=str(r["time_raw"]),
            body=masker.text(str(r["body"])),
            phrases=_locate(masker.text(str(r["body"])), _phrases(r.get("evidence", ""), item_labels)),
            scores=scores, score=max((v for v in scores.values() if v == v), default=float("nan")),
            source_file=str(r["source_file"]), source_ref=str(r["source_ref"]), source_sha256=str(r["source_sha256"]),
            record_sha256=record_sha256(r), blocked=bool(r["blocked"]), platform=str(r["platform"]),
            recipient=str(r["recipient"]), local_date=day, cites=cites, supporting=supporting,
            supporting_by_label=supporting_by_label))

    views = []
    for f in findings:
        cites = tuple(c for c in _union(_cites_for(f.tag, d) for d in f.dates) if c.role == "primary")
        subject = masker.number(f.subject) if f.subject_kind == "sender" else f.subject
        views.append(FindingView(finding=f, title=masker.text(f.title).replace(f.subject, subject),
                                 detail=masker.text(f.detail), cites=cites))

    notes = list(_union([it.cites for it in items] + [v.cites for v in views] + [it.supporting for it in items]))

    calls = t[t["kind"] == "call"]
    coll_rows = []
    for addr, g in coll.groupby("address", sort=False):
        sig = g["platform"][g["platform"] != ""]
        coll_rows.append({
            "address": masker.number(str(addr)), "platform": sig.mode().iat[0] if len(sig) else "",
            "messages": int(len(g)), "flagged": int(g["flagged"].sum()), "night": int(g["night"].sum()),
            "calls": int((calls["address"] == addr).sum()),
            "first": describe_dt(g["local_dt"].min()), "last": describe_dt(g["local_dt"].max())})
    coll_rows.sort(key=lambda c: (-c["flagged"], -c["messages"]))

    lab_ok = t["label_status"].fillna("") == "labelled" if "label_status" in t else pd.Series(True, index=t.index)
    counts = {l: sum(1 for it in items if l in it.labels) for l in include}
    counts["lawful"] = int((t["is_collection"] & ~t["flagged"] & t["inbound"]).sum())
    counts["sent"] = int((lab_ok & ~t["inbound"]).sum())
    counts["excluded"] = int((t["flagged"] & t["inbound"] & (labs.map(len) == 0)).sum())
    counts["sent_flagged"] = int((t["flagged"] & ~t["inbound"]).sum())
    counts["other"] = int((lab_ok & ~t["is_collection"] & t["inbound"]).sum())
    counts["calls"] = int(len(calls))

    files = list(read_result.files)
    reader_skipped = len(read_result.skips)
    statuses = t.get("label_status", pd.Series("labelled", index=t.index)).fillna("未分类")
    classify_skipped = {k: int(v) for k, v in statuses[statuses != "labelled"].value_counts().items()}
    accounting = {"read": sum(f.read for f in files) if files else len(t) + reader_skipped,
                  "labelled": int((statuses == "labelled").sum()), "reader_skipped": reader_skipped,
                  "classify_skipped": classify_skipped, "merged": len(read_result.merged_duplicates),
                  "rows": int(len(t))}
    warnings = []
    total = accounting["labelled"] + reader_skipped + sum(classify_skipped.values()) + accounting["merged"]
    if total != accounting["read"]:
        warnings.append(f"计数不一致：读取 {accounting['read']} 条，已分类+跳过+合并 = {total} 条，请核对原始文件。")
    if counts["sent_flagged"]:
        warnings.append(f"本机发出（或来自本机号码）的短信中有 {counts['sent_flagged']} 条被模型标记，"
                        "它们不是催收方的行为，未列入证据。")
    if counts["excluded"]:
        warnings.append(f"另有 {counts['excluded']} 条短信只被标记为本报告未纳入的类别（--labels），未逐条列出。")

    dts = t["local_dt"].dropna()
    return ReportContext(
        generated_utc=generated_utc or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        tool_version=__version__, argv=list(argv if argv is not None else sys.argv), tz=tz,
        own_numbers=tuple(own_numbers), own_name=own_name, include_labels=include, masked=mask_third_parties,
        files=files, skips=list(read_result.skips), accounting=accounting, items=items, findings=views,
        daily=daily_counts(t, _category_factory(include)), category_colors=COLORS, counts=counts,
        collectors=coll_rows, model_meta=_model_info(model_meta), notes=notes,
        time_range=(describe_dt(dts.min()) if len(dts) else "—", describe_dt(dts.max()) if len(dts) else "—"),
        warnings=warnings)


def _cites_for_undated(tag: str) -> tuple[Cite, ...]:
    from cuishou.law import provisions_for, tags

    return tuple(_cite(r) for r in provisions_for(tag, None)) if tag in tags() else ()


def summary_json(ctx: ReportContext) -> dict:
    """Machine-readable twin of the report (tests and the bundle read it)."""
    return {
        "tool": {"name": "cuishou", "version": ctx.tool_version}, "generated_utc": ctx.generated_utc,
        "argv": ctx.argv, "tz": ctx.tz, "masked": ctx.masked, "include_labels": list(ctx.include_labels),
        "accounting": ctx.accounting, "counts": ctx.counts, "time_range": list(ctx.time_range),
        "model": {k: ctx.model_meta.get(k) for k in ("name", "created", "sha256", "thresholds", "versions")},
        "inputs": [{"path": f.path, "sha256": f.sha256, "size": f.size, "format": f.format, "read": f.read,
                    "parsed": f.parsed, "skipped": f.skipped, "notes": f.notes} for f in ctx.files],
        "items": [{"eid": it.eid, "msg_id": it.msg_id, "labels": list(it.labels), "local_time": it.local_time,
                   "tz": it.tz, "address": it.address, "source_file": it.source_file, "source_ref": it.source_ref,
                   "record_sha256": it.record_sha256, "score": None if it.score != it.score else round(it.score, 4),
                   "provisions": [c.id for c in it.cites],
                   "supporting": [c.id for c in it.supporting]} for it in ctx.items],
        "findings": [{**v.finding.as_dict(), "title": v.title, "detail": v.detail,
                      "provisions": [c.id for c in v.cites]} for v in ctx.findings],
        "provisions": [{"id": c.id, "citation": c.citation, "kind": c.kind, "confidence": c.confidence,
                        "unconfirmed": c.unconfirmed} for c in ctx.notes],
        "warnings": ctx.warnings,
    }


# ------------------------------------------------------------------------------------------ writing

def render_all(ctx: ReportContext) -> dict[str, bytes]:
    """Relative path → bytes for every file of the report folder."""
    from cuishou.report.complaints import render_complaints
    from cuishou.report.html import render_html
    from cuishou.report.spreadsheets import render_csv, render_xlsx

    files = {"report.html": render_html(ctx).encode("utf-8"), "evidence.csv": render_csv(ctx),
             "evidence.xlsx": render_xlsx(ctx)}
    sizes = {k: len(v) for k, v in files.items()}
    for name, text in render_complaints(ctx, sizes).items():
        files[f"complaints/{name}"] = text.encode("utf-8")
    files["summary.json"] = (json.dumps(summary_json(ctx), ensure_ascii=False, indent=1, default=str) + "\n").encode()
    return files


def write_files(files: dict[str, bytes], out_dir: Path) -> dict[str, str]:
    """Write into an existing (temporary) directory; returns relative path → sha256."""
    out = {}
    for rel, data in files.items():
        atomic_write_bytes(out_dir / rel, data)
        out[rel] = sha256_bytes(data)
    return out


def _check_target(out_dir: Path) -> None:
    """Only replace an empty folder or an earlier report, never an unrelated folder the user pointed at."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise InputError("输出路径已存在且不是目录", file=str(out_dir))
        entries = list(out_dir.iterdir())
        if entries and not (out_dir / "summary.json").exists():
            raise InputError("输出目录已存在且不是 cuishou 报告目录，请换一个目录", file=str(out_dir))


def analyse(inputs, *, model_dir=None, own_numbers=(), own_name=None, tz: str = DEFAULT_TZ,
            include_labels=None, mask_third_parties: bool = False, argv=None) -> tuple[ReportContext, object]:
    """Read, classify and compute; no file is written."""
    from cuishou.classify import classify_messages
    from cuishou.io import read_exports
    from cuishou.model import load_scorer

    if include_labels is not None:
        unknown = set(include_labels) - set(VIOLATION_NAMES)
        if unknown:
            raise InputError(f"未知类别 {', '.join(sorted(unknown))}（可用：{', '.join(VIOLATION_NAMES)}）")
    rr = read_exports(list(inputs), tz=tz)
    model, meta = load_scorer(model_dir)
    labelled = classify_messages(rr.table, model)
    ctx = build_context(labelled, rr, model_meta=meta, own_numbers=tuple(own_numbers), own_name=own_name, tz=tz,
                        include_labels=include_labels, mask_third_parties=mask_third_parties, argv=argv)
    return ctx, rr


def build_report(inputs, out_dir, *, model_dir=None, own_numbers=(), own_name=None, tz: str = DEFAULT_TZ,
                 include_labels=None, mask_third_parties: bool = False, argv=None) -> ReportSummary:
    """Write the report folder (report.html, evidence.csv/xlsx, complaints/, summary.json) in one rename."""
    out_dir = Path(out_dir)
    _check_target(out_dir)
    ctx, _ = analyse(inputs, model_dir=model_dir, own_numbers=own_numbers, own_name=own_name, tz=tz,
                     include_labels=include_labels, mask_third_parties=mask_third_parties, argv=argv)
    files = render_all(ctx)
    with atomic_dir(out_dir, overwrite=True) as tmp:
        outputs = write_files(files, tmp)
    return summarise(ctx, out_dir, outputs)


def summarise(ctx: ReportContext, out_dir: Path, outputs: dict) -> ReportSummary:
    a = ctx.accounting
    return ReportSummary(
        out_dir=Path(out_dir), read=a["read"], labelled=a["labelled"],
        skipped=a["reader_skipped"] + sum(a["classify_skipped"].values()), flagged=len(ctx.items), merged=a["merged"],
        counts=dict(ctx.counts), findings=len(ctx.findings), outputs=outputs, inputs=list(ctx.files),
        model_meta=ctx.model_meta, warnings=list(ctx.warnings))


__all__ = ["ReportSummary", "build_report", "build_context", "analyse", "render_all", "write_files",
           "summary_json", "record_sha256", "REPORT_FILES"]
