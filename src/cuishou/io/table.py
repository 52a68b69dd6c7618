"""Generic tables: CSV/TSV (any of UTF-8, UTF-8-BOM, UTF-16, GBK/GB18030), XLSX and JSON/JSON Lines.

CSV is streamed row by row with no cell-size limit (a 50 MB cell is kept verbatim, not a crash); XLSX goes
through openpyxl's read-only (streaming) mode; a JSON array is decoded item by item so that a truncated file
keeps the items before the break. Times without a zone are local time in `tz`, and a note says so.
"""
from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from cuishou.errors import InputError
from cuishou.io.columns import KIND_VALUES, direction_of, is_phone_table, normalize_mapping, require, resolve
from cuishou.io.encoding import sniff_file
from cuishou.io.records import Collector
from cuishou.io.times import parse_time_value

FORMAT_CSV, FORMAT_XLSX, FORMAT_JSON = "csv", "xlsx", "json"
_HEADER_SCAN = 10
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def cell_text(v: Any) -> str:
    """A cell as stored, as text: 13800000000.0 (Excel numbers) → "13800000000"."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    return str(v)


def row_fields(cells: list[Any], cols: dict[str, int], tz: str, default_kind: str) -> tuple[dict | str, str]:
    """One table row → (fields or skip reason, how the time was read) (pure)."""
    get = lambda f: cells[cols[f]] if f in cols and cols[f] < len(cells) else None  # noqa: E731
    if all(cell_text(c).strip() == "" for c in cells):
        return "空行", ""
    direction = ""
    if "direction" in cols:
        d = direction_of(cell_text(get("direction")))
        if d is None:
            return "草稿（未发送），不作为收发记录", ""
        direction = d
    kind = default_kind
    if "kind" in cols:
        kind = KIND_VALUES.get(cell_text(get("kind")).strip().lower(), default_kind)
    address = cell_text(get("address"))
    body = cell_text(get("body")) if kind != "call" else ""
    if not address.strip() and not body.strip():
        return "号码和内容都为空", ""
    raw_time = get("time")
    time_utc, how = parse_time_value(raw_time, tz)
    duration = None
    if kind == "call":
        try:
            duration = float(cell_text(get("duration")) or "nan")
        except ValueError:
            duration = math.nan
    return dict(kind=kind, direction=direction, address=address, contact_name=cell_text(get("contact_name")),
                time_utc=time_utc, time_raw=cell_text(raw_time), body=body, duration=duration), how


def _find_header(rows: Iterator[tuple[int, list[Any]]], field_to_col: dict[str, str]
                 ) -> tuple[int, list[Any], dict[str, int]]:
    """The header is the first of the first few rows that names a number and a time column."""
    first = None
    for k, (ref_n, row) in enumerate(rows):
        if not any(cell_text(c).strip() for c in row):
            continue
        if first is None:
            first = (ref_n, row)
        try:
            cols = resolve(row, field_to_col)
        except InputError:
            if field_to_col and k + 1 >= _HEADER_SCAN:
                raise
            continue
        if is_phone_table(cols) or field_to_col:
            return ref_n, row, cols
        if k + 1 >= _HEADER_SCAN:
            break
    if first is None:
        raise InputError("表格为空（没有表头行）")
    resolve(first[1], field_to_col)  # re-raise a mapping error against the first row
    return first[0], first[1], resolve(first[1], {})


def _consume(ctx: Collector, rows: Iterable[tuple[str, list[Any]]], cols: dict[str, int]) -> None:
    default_kind = "sms" if "body" in cols or "duration" not in cols else "call"
    if default_kind == "call" and "kind" not in cols:
        ctx.note("表格没有内容列但有通话时长列，按通话记录读取")
    hows: dict[str, int] = {}
    for ref, cells in rows:
        rec, how = row_fields(cells, cols, ctx.tz, default_kind)
        if ctx.take(ref, rec, check_direction="direction" in cols):
            hows[how] = hows.get(how, 0) + 1
    if hows.get("local"):
        ctx.note(f"{hows['local']} 条时间没有时区（如 2026/1/2 11:04），按 {ctx.tz} 本地时间解释")


def csv_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        return csv.excel


def read_csv(path: str, ctx: Collector, mapping: dict[str, str] | None) -> None:
    encoding, note = sniff_file(path)
    if note:
        ctx.note(note)
    field_to_col = normalize_mapping(mapping)
    with open(path, encoding=encoding, newline="") as f:
        sample = f.read(65536)
        f.seek(0)
        reader = csv.reader(f, csv_dialect(sample))
        state = {"line": 1}

        def numbered() -> Iterator[tuple[int, list[str]]]:
            try:
                for row in reader:
                    start = state["line"]
                    state["line"] = reader.line_num + 1
                    if row:
                        yield start, row
            except csv.Error as e:
                ctx.note(f"CSV 在第 {reader.line_num} 行处格式错误（{e}）；之前的记录已保留，之后的未读取")

        rows = numbered()
        header_line, header, cols = _find_header(rows, field_to_col)
        require(cols, header)
        _consume(ctx, ((f"line {n}", r) for n, r in rows), cols)


def read_xlsx(path: str, ctx: Collector, mapping: dict[str, str] | None) -> None:
    import openpyxl  # openpyxl parses through defusedxml when it is installed

    field_to_col = normalize_mapping(mapping)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 — zip/xml errors of every kind mean "not a readable workbook"
        raise InputError(f"无法读取 XLSX 工作簿（{type(e).__name__}: {e}）", file=ctx.display_path) from None
    try:
        used = 0
        for ws in wb.worksheets:
            rows = ((i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), 1))
            try:
                _, header, cols = _find_header(rows, field_to_col)
            except InputError:
                ctx.note(f"工作表 {ws.title} 为空或缺少指定的列，已忽略")
                continue
            if not is_phone_table(cols) and not field_to_col:
                ctx.note(f"工作表 {ws.title} 没有号码/时间列，已忽略")
                continue
            require(cols, header)
            used += 1
            _consume(ctx, ((f"{ws.title}!row {n}", r) for n, r in rows), cols)
        if not used:
            raise InputError("工作簿中没有包含号码和时间列的工作表；可用 --map 字段=列名 指定", file=ctx.display_path)
    finally:
        wb.close()


def _json_items(path: str, encoding: str, ctx: Collector) -> Iterator[tuple[str, dict]]:
    """Yield (ref, object) from a JSON array (incrementally), an object holding one array, or JSON Lines."""
    dec = json.JSONDecoder()
    with open(path, encoding=encoding) as f:
        text = f.read(1 << 20)
        eof = len(text) < (1 << 20)
        stripped = text.lstrip("\ufeff \t\r\n")
        if stripped.startswith("{") and _looks_jsonl(stripped):
            yield from _jsonl(path, encoding, ctx)
            return
        if stripped.startswith("{"):
            try:
                obj = json.loads(stripped + f.read())
            except json.JSONDecodeError as e:
                if "Extra data" not in str(e):
                    raise InputError(f"JSON 在第 {e.lineno} 行第 {e.colno} 列处格式错误或中断", file=ctx.display_path) from None
                yield from _jsonl(path, encoding, ctx)
                return
            arr = next((v for v in obj.values() if isinstance(v, list)), None) if isinstance(obj, dict) else None
            if arr is None:
                raise InputError("JSON 对象中没有记录列表", file=ctx.display_path)
            for i, item in enumerate(arr):
                yield f"[{i}]", item
            return
        if not stripped.startswith("["):
            raise InputError("不是 JSON 数组或对象", file=ctx.display_path)
        buf, pos, i = stripped, 1, 0
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buf) and buf[pos] == "]":
                return
            try:
                item, end = dec.raw_decode(buf, pos)
            except json.JSONDecodeError:
                if eof:
                    ctx.note(f"JSON 数组在第 {i + 1} 项处中断或格式错误；之前的 {i} 项已保留")
                    return
                more = f.read(max(1 << 20, len(buf)))
                eof = not more
                buf = buf[pos:] + more
                pos = 0
                continue
            yield f"[{i}]", item
            i += 1
            buf, pos = buf[end:], 0


def _looks_jsonl(text: str) -> bool:
    """First line is a complete flat object → JSON Lines (streamed line by line)."""
    line = text.split("\n", 1)[0]
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return False
    return isinstance(obj, dict) and not any(isinstance(v, list) for v in obj.values())


def _jsonl(path: str, encoding: str, ctx: Collector) -> Iterator[tuple[str, dict]]:
    with open(path, encoding=encoding) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield f"line {n}", json.loads(line)
            except json.JSONDecodeError:
                ctx.skip(f"line {n}", "该行不是有效的 JSON（可能被截断）")


def read_json(path: str, ctx: Collector, mapping: dict[str, str] | None) -> None:
    encoding, note = sniff_file(path)
    if note:
        ctx.note(note)
    field_to_col = normalize_mapping(mapping)
    items = _json_items(path, encoding, ctx)
    header: list[str] | None = None
    cols: dict[str, int] = {}

    def rows() -> Iterator[tuple[str, list[Any]]]:
        for ref, obj in items:
            if not isinstance(obj, dict):
                ctx.skip(ref, "不是 JSON 对象")
                continue
            yield ref, [obj.get(h) for h in header]

    first = next(items, None)
    if first is None:
        raise InputError("JSON 中没有记录", file=ctx.display_path)
    ref0, obj0 = first
    if not isinstance(obj0, dict):
        raise InputError("JSON 记录不是对象（需要 {\"号码\": …, \"时间\": …} 形式）", file=ctx.display_path)
    header = list(obj0.keys())
    cols = resolve(header, field_to_col)
    require(cols, header)

    def all_rows() -> Iterator[tuple[str, list[Any]]]:
        yield ref0, [obj0.get(h) for h in header]
        yield from rows()

    _consume(ctx, all_rows(), cols)


def json_keys(head_text: str) -> list[str]:
    """Keys of the first JSON object in a prefix (for detection without reading the whole file)."""
    import re
    start = head_text.find("{")
    if start < 0:
        return []
    return re.findall(r'"((?:[^"\\]|\\.){1,64})"\s*:', head_text[start:start + 4096])
