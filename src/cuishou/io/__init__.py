"""Phone-export readers: every supported backup format → one message table (see cuishou.schema).

`read_exports` is the entry point. Rules it keeps: inputs are hashed (SHA-256) before parsing and never written
(SQLite via `mode=ro&immutable=1`, XML via defusedxml), XML and CSV are streamed, and for every file
read == parsed + skipped, each skip with a location and a reason.

Decisions (documented here because downstream relies on them):
- Empty bodies are kept as rows with body "" (the classifier decides); drafts (Android type 3) are skipped.
- Several inputs: overlapping backups are merged (see dedupe.py); ReadResult.merged_duplicates lists merges.
- In a directory, files no reader knows are listed as format "unknown" with the reason, not an error; a file
  named explicitly that no reader knows raises UnknownFormatError.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cuishou.errors import InputError, UnknownFormatError
from cuishou.io import android_db, backup, blocked_db, ios, sbr_xml, superbackup_xml, table, vmsg
from cuishou.io.columns import PRESETS
from cuishou.io.dedupe import dedupe as _dedupe
from cuishou.io.detect import FORMAT_LABELS, detect_format, table_kind
from cuishou.io.hashing import sha256_file
from cuishou.io.records import Collector
from cuishou.io.sqlite_ro import connect, wal_note
from cuishou.io.times import zone
from cuishou.schema import DEFAULT_TZ, ReadResult, SourceFile, empty_message_table

__all__ = ["read_exports", "detect_format", "FORMAT_LABELS", "PRESETS", "sha256_file"]

_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass
class _Job:
    path: Path
    explicit: bool  # named by the user (errors raise) vs found in a directory (errors become notes)
    fmt: str | None = None
    notes: list[str] = field(default_factory=list)


def _expand(paths: Iterable[str | os.PathLike]) -> list[_Job]:
    jobs: list[_Job] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError("文件或目录不存在", file=str(p))
        if p.is_dir() and backup.is_ios_backup(p):
            found, notes = backup.locate(p)
            for f, fmt, rel in found:
                jobs.append(_Job(f, True, fmt, [f"来自 iPhone 备份目录 {p}：{rel}", *notes]))
            continue
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or name.endswith(_SIDE_FILES):
                        continue
                    jobs.append(_Job(Path(root) / name, False))
            continue
        jobs.append(_Job(p, True))
    out = []
    for j in jobs:
        key = j.path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(j)
    return out


def _apply_preset(preset: str | None, mapping: dict[str, str] | None) -> tuple[str | None, dict[str, str] | None]:
    if not preset:
        return None, mapping
    if preset in FORMAT_LABELS and preset not in ("directory", "unknown", "ios_backup"):
        return preset, mapping
    if preset not in PRESETS:
        names = "、".join(list(PRESETS) + [f for f in FORMAT_LABELS if f not in ("directory", "unknown", "ios_backup")])
        raise InputError(f"未知的预设 {preset!r}；可用：{names}")
    spec = PRESETS[preset]
    merged = dict(spec.get("mapping") or {})
    merged.update(mapping or {})
    return spec.get("format"), (merged or None)


def _dispatch(fmt: str, path: str, ctx: Collector, mapping: dict[str, str] | None) -> None:
    if fmt == "sbr_xml":
        return sbr_xml.read(path, ctx)
    if fmt == "superbackup_xml":
        return superbackup_xml.read(path, ctx)
    if fmt == "vmsg":
        return vmsg.read(path, ctx)
    if fmt == "csv":
        return table.read_csv(path, ctx, mapping)
    if fmt == "xlsx":
        return table.read_xlsx(path, ctx, mapping)
    if fmt == "json":
        return table.read_json(path, ctx, mapping)
    sqlite_readers = {
        ios.FORMAT_SMS: ios.read_sms, ios.FORMAT_CALLS: ios.read_calls,
        android_db.FORMAT_MMSSMS: android_db.read_mmssms, android_db.FORMAT_CALLLOG: android_db.read_calllog,
        android_db.FORMAT_HUAWEI: android_db.read_huawei,
        blocked_db.FORMAT_HARASSMENT: blocked_db.read, blocked_db.FORMAT_MIUI: blocked_db.read,
    }
    if fmt in sqlite_readers:
        note = wal_note(path)
        if note:
            ctx.note(note)
        con = connect(path)
        if con.truncation_note:
            ctx.note(con.truncation_note)
        try:
            return sqlite_readers[fmt](path, ctx, con)
        finally:
            con.close()
    raise UnknownFormatError(f"没有读取 {fmt} 格式的程序", file=path)


def _read_one(job: _Job, tz: str, forced: str | None, mapping: dict[str, str] | None
              ) -> tuple[SourceFile, pd.DataFrame | None, list]:
    path = str(job.path)
    src = SourceFile(path=path, sha256=sha256_file(path), size=job.path.stat().st_size, format="unknown",
                     notes=list(job.notes))
    ctx = Collector(src, path, tz)
    try:
        fmt = job.fmt or forced or detect_format(path)
        if fmt is None and (mapping or job.explicit):
            fmt = table_kind(path)  # the reader explains which columns are missing
        if fmt is None:
            src.notes.append("不含号码/时间列的普通表格，已忽略")
            return src, None, []
        src.format = fmt
        _dispatch(fmt, path, ctx, mapping)
    except InputError as e:
        if job.explicit:
            if e.file is None:
                raise type(e)(str(e), file=path) from None
            raise
        src.format = "unknown"
        src.notes.append(f"已忽略：{e}")
        return src, None, []
    frame = ctx.finish()
    return src, frame, ctx.skips


def read_exports(paths: str | os.PathLike | Iterable[str | os.PathLike], *, tz: str = DEFAULT_TZ,
                 preset: str | None = None, mapping: dict[str, str] | None = None,
                 dedupe: bool = True) -> ReadResult:
    """Read phone exports (files, directories, iPhone backup folders) into one message table.

    `preset`: a name from PRESETS (e.g. "qq" for QQ同步助手 CSV) or a format name to force a reader.
    `mapping`: {column: schema field} for tables no synonym covers (fields: address, body, time, direction,
    contact_name, duration, kind). `tz`: zone for local-time-only sources and for display.
    """
    zone(tz)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    forced, mapping = _apply_preset(preset, mapping)
    jobs = _expand(paths)
    if not jobs:
        raise InputError("没有可读取的输入文件")
    result = ReadResult(table=empty_message_table())
    frames = []
    by_sha: dict[str, str] = {}
    for job in jobs:
        src, frame, skips = _read_one(job, tz, forced, mapping)
        if src.sha256 in by_sha and src.format != "unknown":
            src.notes.append(f"与 {by_sha[src.sha256]} 内容完全相同（SHA-256 一致）")
        by_sha.setdefault(src.sha256, src.path)
        result.files.append(src)
        result.skips.extend(skips)
        if frame is not None and not frame.empty:
            frames.append(frame)
    if frames:
        result.table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if dedupe:
        result.table, result.merged_duplicates, per_file = _dedupe(result.table)
        for f in result.files:
            if per_file.get(f.path):
                f.notes.append(f"{per_file[f.path]} 条与先读入的备份重复，已合并（保留先读入的一份）")
    return result
