"""Plain-text (Chinese) overview of a ReadResult: what `cuishou inspect` prints. Pure: result in, text out."""
from __future__ import annotations

import pandas as pd

from cuishou.io.dedupe import dedupe
from cuishou.io.detect import FORMAT_LABELS
from cuishou.io.times import local_display
from cuishou.schema import ReadResult

KIND_CN = {"sms": "短信", "mms": "彩信", "call": "通话"}
DIR_CN = {"in": "接收/呼入", "out": "发送/呼出", "": "方向未知"}
_MAX_SKIPS_SHOWN = 20


def _counts(series: pd.Series, names: dict[str, str]) -> str:
    vc = series.value_counts()
    return "，".join(f"{names.get(k, k)} {v}" for k, v in vc.items()) or "无"


def file_summary(rows: pd.DataFrame, f, skips: list, tz: str, top: int) -> list[str]:
    out = [f"文件：{f.path}",
           f"  格式：{FORMAT_LABELS.get(f.format, f.format)}（{f.format}）",
           f"  SHA-256：{f.sha256}",
           f"  大小：{f.size} 字节",
           f"  记录：读取 {f.read} 条 = 解析 {f.parsed} 条 + 跳过 {f.skipped} 条"]
    if len(rows):
        out.append(f"  按类型：{_counts(rows['kind'], KIND_CN)}")
        out.append(f"  按方向：{_counts(rows['direction'], DIR_CN)}")
        nblocked = int(rows["blocked"].sum())
        if nblocked:
            out.append(f"  拦截记录：{nblocked} 条")
        nempty = int(((rows["kind"] != "call") & (rows["body"] == "")).sum())
        if nempty:
            out.append(f"  空内容短信：{nempty} 条（保留，由分类步骤决定）")
        times = rows.loc[rows["time_utc"] != "", "time_utc"]
        if len(times):
            out.append(f"  时间范围：{local_display(times.min(), tz)} 至 {local_display(times.max(), tz)}（{tz}）")
        missing = len(rows) - len(times)
        if missing:
            out.append(f"  无有效时间：{missing} 条")
        senders = rows.loc[rows["address"] != "", "address"].value_counts().head(top)
        if len(senders):
            out.append(f"  主要号码（前 {top}）：")
            out.extend(f"    {addr}  {n} 条" for addr, n in senders.items())
    if f.notes:
        out.append("  说明：")
        out.extend(f"    - {n}" for n in f.notes)
    if skips:
        out.append(f"  跳过的记录（{len(skips)} 条）：")
        out.extend(f"    {s.ref}：{s.reason}" for s in skips[:_MAX_SKIPS_SHOWN])
        if len(skips) > _MAX_SKIPS_SHOWN:
            out.append(f"    ……另有 {len(skips) - _MAX_SKIPS_SHOWN} 条未列出")
    return out


def summarize(result: ReadResult, tz: str, top: int = 5) -> str:
    """Per file: format, hash, counts by kind and direction, date range, top senders, notes and skips."""
    lines: list[str] = []
    by_file = dict(tuple(result.table.groupby("source_file", sort=False))) if len(result.table) else {}
    for f in result.files:
        rows = by_file.get(f.path, result.table.iloc[0:0])
        skips = [s for s in result.skips if s.file == f.path]
        lines.extend(file_summary(rows, f, skips, tz, top))
        lines.append("")
    total_read = sum(f.read for f in result.files)
    total_parsed = sum(f.parsed for f in result.files)
    total_skipped = sum(f.skipped for f in result.files)
    lines.append(f"合计：{len(result.files)} 个文件，读取 {total_read} 条 = 解析 {total_parsed} 条 + 跳过 {total_skipped} 条")
    if len(result.files) > 1:
        _, merged, _ = dedupe(result.table)
        if merged:
            lines.append(f"多个备份之间有 {len(merged)} 条重复记录（同类型、方向、号码、时间、内容），后续命令会合并，只保留先读到的一份")
    return "\n".join(lines)
