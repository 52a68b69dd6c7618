"""evidence.csv (UTF-8 with BOM, so Excel reads the Chinese) and evidence.xlsx: one row per flagged message.

Columns follow what a Chinese 电子数据清单 / court record asks for: 内容、发(收)件人、发(收)时间、保存位置、完整性校验值.
Message text is attacker-controlled: a cell a spreadsheet would run as a formula is neutralised with a leading
apostrophe, while phone numbers such as +8613800000000 stay verbatim.
"""
from __future__ import annotations

import csv
import io
import re

from cuishou.labels import ZH
from cuishou.report import EvidenceItem, ReportContext

COLUMNS = ("证据编号", "类别", "短信内容", "发件人", "收件人", "方向", "发(收)时间（当地）", "时区", "时间（UTC）",
           "原始时间值", "保存位置", "原始文件", "原始文件SHA-256", "记录SHA-256", "模型得分", "触发词", "可能涉及的规定")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value) -> str:
    """Prefix "'" when a cell would be read as a formula: = @ tab CR at the start, or +/- not followed by a number."""
    s = "" if value is None else str(value)
    if not s:
        return s
    if s[0] in "=@\t\r":
        return "'" + s
    if s[0] in "+-" and not _NUMBER.fullmatch(s):
        return "'" + s
    return s


def _recipient(it: EvidenceItem, ctx: ReportContext) -> str:
    me = "、".join(ctx.own_numbers) if ctx.own_numbers else "本机"
    return me if it.direction != "out" else it.address


def rows(ctx: ReportContext) -> list[list[str]]:
    out = []
    for it in ctx.items:
        sender = it.address if it.direction != "out" else ("、".join(ctx.own_numbers) or "本机")
        box = "发件箱" if it.direction == "out" else ("拦截记录" if it.blocked else "收件箱")
        cites = "；".join(
            f"{c.citation}[{c.confidence}]{'' if c.legal else ('（行业规范）' if c.kind == 'industry_norm' else '（监管规定）')}"
            for c in it.cites)
        out.append([
            it.eid, "、".join(ZH.get(l, l) for l in it.labels), it.body, sender, _recipient(it, ctx),
            "接收" if it.direction != "out" else "发送", it.local_time, it.tz, it.time_utc, it.time_raw,
            f"{box}；{it.source_file} {it.source_ref}", it.source_file, it.source_sha256, it.record_sha256,
            f"{it.score:.3f}", "；".join(it.phrases), cites,
        ])
    return [[neutralise(v) for v in r] for r in out]


def render_csv(ctx: ReportContext) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    w.writerows(rows(ctx))
    return buf.getvalue().encode("utf-8-sig")


def render_xlsx(ctx: ReportContext) -> bytes:
    """Every value is a neutralised Python str, so openpyxl stores text (never a formula) and numbers keep
    their + and leading zeros. Write-only mode without per-cell styles keeps 100k rows fast."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("电子数据清单")
    widths = (9, 12, 60, 18, 18, 6, 20, 14, 24, 16, 30, 24, 30, 30, 8, 24, 50)
    for i, wdt in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = wdt
    ws.freeze_panes = "A2"
    head = []
    for c in COLUMNS:
        cell = WriteOnlyCell(ws, value=c)
        cell.font = Font(bold=True)
        head.append(cell)
    ws.append(head)
    for r in rows(ctx):
        assert not any(v.startswith("=") for v in r)   # neutralise() guarantees it; openpyxl would write a formula
        ws.append(r)
    info = wb.create_sheet("说明")
    for line in (
        "本表每行一条被标记为违规的短信，字段对应电子数据清单：内容、发(收)件人、发(收)时间、保存位置、完整性校验值。",
        "“原始文件SHA-256”是整个导出文件的哈希；“记录SHA-256”是该条记录解析后字段的哈希。",
        "以 = + - @ 开头、可能被电子表格当作公式执行的内容，已在开头加单引号 ' 以防执行；其余内容逐字照录。",
        "类别是软件的判断，不是法律结论。",
    ):
        info.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
