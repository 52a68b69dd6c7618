"""Plain tables in and out for `cuishou label`: CSV, XLSX, JSONL, one-message-per-line text, or stdin.

Phone exports are handled by `cuishou.io`; this module is for tables that already have a text column.
"""
from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cuishou.errors import InputError

#: used when the requested text column is absent and the user did not name one explicitly
TEXT_ALIASES = ("text", "body", "content", "message", "sms", "内容", "短信内容", "短信", "消息内容", "正文")


@dataclass
class Table:
    df: pd.DataFrame
    text_column: str
    source: str
    first_line: int = 2  #: file line number of the first data row (1 for headerless text)
    notes: list[str] = field(default_factory=list)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK, as QQ同步助手 writes)."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("这是二进制文件，不是文本表格（如是手机备份数据库，请用 cuishou inspect 查看）", file=name)
    for enc in ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(f"无法识别的文字编码（既不是 UTF-8 也不是 GBK/GB18030，第 {line} 行附近）", file=name) from None


def read_table(path: str, *, text_column: str = "text", explicit: bool = False) -> Table:
    """Read INPUT into a DataFrame of strings (every column kept, in order) and pick the text column."""
    name = "标准输入" if path == "-" else path
    if path == "-":
        data = sys.stdin.buffer.read()
        suffix = ""
    else:
        p = Path(path)
        if not p.exists():
            raise InputError("文件不存在", file=name)
        if p.is_dir():
            raise InputError("这是一个目录，请给出表格文件", file=name)
        data = p.read_bytes()
        suffix = p.suffix.lower()
    if not data.strip():
        raise InputError("文件是空的", file=name)
    notes: list[str] = []
    first_line = 2
    if suffix in (".xlsx", ".xlsm"):
        try:
            df = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, engine="openpyxl")
        except Exception as e:  # openpyxl raises many types for a damaged workbook
            raise InputError(f"无法读取 Excel 文件（{type(e).__name__}）", file=name) from None
    else:
        text, enc = _decode(data, name)
        if enc != "utf-8-sig":
            notes.append(f"{name}：按 {enc.upper()} 编码读取")
        if suffix in (".jsonl", ".ndjson"):
            rows = []
            for i, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"不是合法的 JSON（{e.msg}）", file=name, row=i) from None
                if not isinstance(obj, dict):
                    raise InputError("每行应是一个 JSON 对象", file=name, row=i)
                rows.append(obj)
            first_line = 1
            if any(not ln.strip() for ln in text.splitlines()):
                notes.append(f"{name}：空行已忽略，行号按非空行计")
            df = pd.DataFrame(rows).astype(str) if rows else pd.DataFrame()
        elif suffix == ".csv" or (suffix != ".txt" and _looks_like_csv(text, text_column)):
            try:
                df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False)
            except pd.errors.ParserError as e:
                raise InputError(f"CSV 格式错误（{e}）", file=name) from None
        else:  # plain text: one message per line
            df = pd.DataFrame({"text": text.splitlines()})
            text_column, explicit, first_line = "text", True, 1
    if df.empty and not len(df.columns):
        raise InputError("表格中没有任何数据", file=name)
    col = _pick_column(df, text_column, explicit, name)
    if len(df) == 0:
        raise InputError("表格只有表头，没有数据行", file=name)
    return Table(df=df, text_column=col, source=name, first_line=first_line, notes=notes)


def _looks_like_csv(text: str, text_column: str) -> bool:
    first = text.split("\n", 1)[0]
    return "," in first and any(a in first for a in (text_column, *TEXT_ALIASES))


def _pick_column(df: pd.DataFrame, wanted: str, explicit: bool, name: str) -> str:
    if wanted in df.columns:
        return wanted
    if not explicit:
        for a in TEXT_ALIASES:
            if a in df.columns:
                return a
    raise InputError(f"找不到文本列 “{wanted}”（现有列：{', '.join(map(str, df.columns))}；用 --text-column 指定）",
                     file=name)


def write_table(df: pd.DataFrame, output: str | None) -> None:
    """Format follows OUTPUT's extension (.csv, .jsonl, .xlsx); None → CSV on standard output."""
    from cuishou.fsutil import atomic_write_bytes, atomic_write_text

    if output is None or output == "-":
        sys.stdout.write(df.to_csv(index=False))
        return
    suffix = Path(output).suffix.lower()
    if suffix == ".csv":
        atomic_write_text(output, df.to_csv(index=False), encoding="utf-8-sig")
    elif suffix in (".jsonl", ".ndjson"):
        atomic_write_text(output, df.to_json(orient="records", lines=True, force_ascii=False))
    elif suffix == ".xlsx":
        buf = io.BytesIO()
        df.to_excel(buf, index=False, engine="openpyxl")
        atomic_write_bytes(output, buf.getvalue())
    else:
        raise InputError(f"不支持的输出格式 “{suffix or '无扩展名'}”（可用 .csv、.jsonl、.xlsx）", file=output)
