"""Android SQLite stores: AOSP `mmssms.db` (`sms`, incl. Xiaomi extra columns), the AOSP call log (`calls`), and
Huawei's decrypted backup `sms.db` (`sms_tb`, no `_id`: the SQLite rowid locates the record).

All use Android's Telephony codes: type 1 inbox, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued; date in ms.
"""
from __future__ import annotations

import sqlite3

from cuishou.io.records import SMS_DIRECTION, Collector, android_call
from cuishou.io.sqlite_ro import ROConnection, colset, find_table, quote, read_table, tables
from cuishou.io.times import iso_from_unix_ms

FORMAT_MMSSMS = "android_mmssms_db"
FORMAT_CALLLOG = "android_calllog_db"
FORMAT_HUAWEI = "huawei_sms_db"

_SMS_NEEDED = {"address", "date", "body", "type"}
_CALLS_NEEDED = {"number", "date", "duration", "type"}
XIAOMI_COLUMNS = {"mx_status", "mx_id", "block_type", "sim_id", "b2c_ttl", "fake_cell_type", "url_risky_type"}


def is_mmssms(tabs: dict[str, list[str]]) -> bool:
    t = find_table(tabs, "sms")
    return t is not None and _SMS_NEEDED <= colset(tabs[t])


def is_calllog(tabs: dict[str, list[str]]) -> bool:
    t = find_table(tabs, "calls")
    return t is not None and _CALLS_NEEDED <= colset(tabs[t])


def is_huawei(tabs: dict[str, list[str]]) -> bool:
    t = find_table(tabs, "sms_tb")
    return t is not None and _SMS_NEEDED <= colset(tabs[t])


def _ms(raw: object) -> str:
    if isinstance(raw, (int, float)):
        return iso_from_unix_ms(int(raw))
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return iso_from_unix_ms(int(raw))
    return ""


def sms_row(row: sqlite3.Row, table: str, id_col: str) -> tuple[str, dict | str]:
    ref = f"{table}.{id_col}={row['rid']}"
    t = str(row["type"]) if row["type"] is not None else ""
    if t == "3":
        return ref, "草稿（未发送），不作为收发记录"
    raw = row["date"]
    keys = row.keys()
    blocked = "block_type" in keys and isinstance(row["block_type"], int) and row["block_type"] > 0
    return ref, dict(kind="sms", direction=SMS_DIRECTION.get(t, ""), address=row["address"] or "",
                     time_utc=_ms(raw), time_raw="" if raw is None else str(raw), body=row["body"] or "",
                     blocked=blocked)


def _read_sms_table(ctx: Collector, con: ROConnection, table: str, id_col: str) -> None:
    cols = colset(tables(con)[table])
    extra = ", block_type" if "block_type" in cols else ""
    rid = "_id" if id_col == "_id" and "_id" in cols else "rowid"
    sql = f"SELECT {rid} AS rid, address, date, type, body{extra} FROM {quote(table)} ORDER BY {rid}"
    read_table(con, sql, ctx, table, lambda r: sms_row(r, table, rid))


def read_mmssms(path: str, ctx: Collector, con: ROConnection) -> None:
    tabs = tables(con)
    t = find_table(tabs, "sms")
    extras = XIAOMI_COLUMNS & colset(tabs[t])
    if extras:
        ctx.note(f"检测到小米（MIUI）扩展列：{', '.join(sorted(extras))}；block_type>0 的记录标为已拦截")
    _read_sms_table(ctx, con, t, "_id")
    if is_calllog(tabs):
        read_calllog(path, ctx, con)


def read_huawei(path: str, ctx: Collector, con: ROConnection) -> None:
    tabs = tables(con)
    _read_sms_table(ctx, con, find_table(tabs, "sms_tb"), "rowid")
    if find_table(tabs, "pdu_tb"):
        ctx.note("文件含彩信表 pdu_tb/part_tb：本版本只读取 sms_tb 中的短信")


def call_row(row: sqlite3.Row, table: str, id_col: str) -> tuple[str, dict | str]:
    ref = f"{table}.{id_col}={row['rid']}"
    t = str(row["type"]) if row["type"] is not None else ""
    raw = row["date"]
    dur = row["duration"]
    return ref, android_call(t, float(dur) if isinstance(dur, (int, float)) else None, address=row["number"] or "",
                             contact_name=row["name"] or "", time_utc=_ms(raw),
                             time_raw="" if raw is None else str(raw))


def read_calllog(path: str, ctx: Collector, con: ROConnection) -> None:
    tabs = tables(con)
    t = find_table(tabs, "calls")
    cols = colset(tabs[t])
    rid = "_id" if "_id" in cols else "rowid"
    name = "name" if "name" in cols else "NULL AS name"
    sql = f"SELECT {rid} AS rid, number, date, duration, type, {name} FROM {quote(t)} ORDER BY {rid}"
    read_table(con, sql, ctx, t, lambda r: call_row(r, t, rid))
