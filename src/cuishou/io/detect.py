"""Format detection by content (never by file name): magic bytes, SQLite table sets, XML root, headers."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from cuishou.errors import InputError, UnknownFormatError
from cuishou.io import android_db, blocked_db, ios
from cuishou.io.backup import is_ios_backup
from cuishou.io.columns import is_phone_table, resolve
from cuishou.io.encoding import sniff_head
from cuishou.io.sqlite_ro import connect, is_sqlite, tables
from cuishou.io.table import _HEADER_SCAN, csv_dialect, json_keys

FORMAT_LABELS: dict[str, str] = {
    "sbr_xml": "SMS Backup & Restore XML（安卓）",
    "superbackup_xml": "超级备份 XML（安卓）",
    "ios_sms_db": "iPhone 短信数据库 sms.db",
    "ios_call_history": "iPhone 通话记录 CallHistory.storedata",
    "ios_backup": "iPhone（iTunes/Finder）备份目录",
    "android_mmssms_db": "安卓短信数据库 mmssms.db",
    "android_calllog_db": "安卓通话记录数据库（calls 表）",
    "huawei_sms_db": "华为备份短信数据库 sms.db（sms_tb）",
    "huawei_harassment_db": "华为骚扰拦截数据库 harassment.db",
    "miui_firewall_db": "小米（MIUI）拦截记录数据库",
    "vmsg": "vMessage 短信（OPPO/魅族 .vmsg、三星 .vmg）",
    "csv": "CSV 表格",
    "xlsx": "Excel 表格（XLSX）",
    "json": "JSON",
    "directory": "目录",
    "unknown": "未识别",
}

_HEAD = 65536
_XML_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]*\[.*?\])?[^>]*>|\s+)*", re.S)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_XML_FORMATS = {"smses": "sbr_xml", "calls": "sbr_xml", "allsms": "superbackup_xml", "alllogs": "superbackup_xml"}


def _sqlite_format(path: Path) -> str:
    con = connect(path)
    try:
        tabs = tables(con)
        truncated = bool(con.truncation_note)
    finally:
        con.close()
    if truncated and not tabs:
        raise InputError("SQLite 数据库被截断，连表结构都已丢失，无法读取任何记录", file=str(path))
    if ios.is_sms_db(tabs):
        return ios.FORMAT_SMS
    if ios.is_call_history(tabs):
        return ios.FORMAT_CALLS
    if android_db.is_huawei(tabs):
        return android_db.FORMAT_HUAWEI
    if android_db.is_mmssms(tabs):
        return android_db.FORMAT_MMSSMS
    if android_db.is_calllog(tabs):
        return android_db.FORMAT_CALLLOG
    if blocked_db.is_miui(tabs):
        return blocked_db.FORMAT_MIUI
    if blocked_db.is_blocked_store(tabs):
        return blocked_db.FORMAT_HARASSMENT
    names = "、".join(sorted(tabs)[:12]) or "（无表）"
    raise UnknownFormatError(f"无法识别的 SQLite 数据库（表：{names}）", file=str(path))


def _xlsx_is_phone(path: Path) -> bool:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            for k, row in enumerate(ws.iter_rows(values_only=True, max_row=_HEADER_SCAN)):
                if is_phone_table(resolve(list(row), {})):
                    return True
    finally:
        wb.close()
    return False


def _csv_is_phone(text: str) -> bool:
    lines = text.splitlines()[:_HEADER_SCAN + 1]
    sample = "\n".join(lines)
    rows = list(csv.reader(io.StringIO(sample), csv_dialect(sample)))
    return any(is_phone_table(resolve(r, {})) for r in rows[:_HEADER_SCAN])


def detect_format(path: str | Path) -> str | None:
    """Name of the export format of `path`, judged by content.

    Returns None for a readable plain table (CSV/XLSX/JSON) without phone-export columns (no number + time), so a
    caller such as `cuishou label` can treat it as a generic text table. Raises UnknownFormatError for content no
    reader knows (binary junk, unknown XML or SQLite), InputError for a missing, empty or unreadable file.
    """
    p = Path(path)
    if p.is_dir():
        return "ios_backup" if is_ios_backup(p) else "directory"
    if not p.exists():
        raise InputError("文件不存在", file=str(path))
    with open(p, "rb") as f:
        head = f.read(_HEAD)
    if not head:
        raise InputError("文件为空", file=str(path))
    if is_sqlite(head):
        return _sqlite_format(p)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(p) as z:
                is_xlsx = "xl/workbook.xml" in z.namelist()
        except zipfile.BadZipFile:
            raise UnknownFormatError("损坏的 ZIP/XLSX 文件", file=str(path)) from None
        if not is_xlsx:
            raise UnknownFormatError("ZIP 压缩包不是 XLSX 工作簿（请先解压）", file=str(path))
        try:
            return "xlsx" if _xlsx_is_phone(p) else None
        except Exception as e:  # noqa: BLE001
            raise InputError(f"无法读取 XLSX 工作簿（{type(e).__name__}）", file=str(path)) from None
    enc = sniff_head(head)
    if enc is None and b"\x00" not in head:
        enc = "latin-1"  # text in an unknown encoding: detect by its ASCII structure, the reader reports the codec
    if enc is None:
        raise UnknownFormatError("无法识别的文件格式（二进制内容，不是已知的短信导出）", file=str(path))
    text = head.decode(enc, errors="ignore").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("<"):
        m = _XML_ROOT.match(stripped, _XML_PROLOG.match(stripped).end())
        root = m.group(1) if m else ""
        if root.lower() in _XML_FORMATS:
            return _XML_FORMATS[root.lower()]
        raise UnknownFormatError(f"无法识别的 XML（根元素 <{root or '?'}>）", file=str(path))
    if "BEGIN:VMSG" in stripped[:4096].upper():
        return "vmsg"
    if stripped.startswith(("[", "{")):
        keys = json_keys(stripped)
        return "json" if is_phone_table(resolve(keys, {})) else None
    return "csv" if _csv_is_phone(text) else None


def table_kind(path: str | Path) -> str:
    """csv / xlsx / json for a table whose columns must come from --map or --preset."""
    with open(path, "rb") as f:
        head = f.read(_HEAD)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    enc = sniff_head(head) or "utf-8"
    stripped = head.decode(enc, errors="ignore").lstrip("\ufeff \t\r\n")
    return "json" if stripped.startswith(("[", "{")) else "csv"
