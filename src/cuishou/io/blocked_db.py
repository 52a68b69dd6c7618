"""Blocked-message stores (骚扰拦截): Huawei backup `harassment.db` and a MIUI firewall log.

Neither schema is published (formats README §1d, §7). This reader therefore defines what it accepts and says
so: any table whose name mentions harass/intercept/block/spam/firewall and that has a number column and a time
column (synonyms below) is read; rows with a text column are SMS, rows without are calls. The MIUI variant is
a table `firewalllog` (column names from miui.provider.ExtraTelephony$FirewallLog: number, date, type, data,
reason) where type 1 = call and 2 = SMS. Every record is marked blocked=True and direction "in".
"""
from __future__ import annotations

import sqlite3

from cuishou.io.android_db import _ms
from cuishou.io.records import Collector
from cuishou.io.sqlite_ro import ROConnection, colset, quote, read_table, tables

FORMAT_HARASSMENT = "huawei_harassment_db"
FORMAT_MIUI = "miui_firewall_db"

ADDRESS = ("address", "number", "phone", "phone_number", "phonenumber", "addr", "tel", "sender")
TIME = ("date", "time", "block_time", "blocktime", "date_time", "intercept_time", "timestamp")
BODY = ("body", "content", "msg_body", "sms_body", "data", "text", "message", "msg")
NAME = ("name", "contact_name", "contact")
DURATION = ("duration", "dur")
_TABLE_HINTS = ("harass", "intercept", "block", "spam", "firewall")
_MIUI_TABLES = ("firewalllog", "firewall_log", "firewall")


def _pick(cols: set[str], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in cols), None)


def blocked_tables(tabs: dict[str, list[str]]) -> list[str]:
    out = []
    for t, cols in tabs.items():
        cs = colset(cols)
        if any(h in t.lower() for h in _TABLE_HINTS) and _pick(cs, ADDRESS) and _pick(cs, TIME):
            out.append(t)
    return out


def is_miui(tabs: dict[str, list[str]]) -> bool:
    return any(t.lower() in _MIUI_TABLES for t in blocked_tables(tabs))


def is_blocked_store(tabs: dict[str, list[str]]) -> bool:
    return bool(blocked_tables(tabs))


def _row(row: sqlite3.Row, table: str, miui: bool) -> tuple[str, dict | str]:
    ref = f"{table}.rowid={row['rid']}"
    raw = row["t"]
    body = row["b"]
    if miui and row["ty"] is not None:
        kind = "call" if str(row["ty"]) == "1" else "sms"
    else:
        kind = "sms" if row["has_body"] else "call"
    dur = row["d"]
    return ref, dict(kind=kind, direction="in", address=str(row["a"] or ""), contact_name=row["n"] or "",
                     time_utc=_ms(raw), time_raw="" if raw is None else str(raw),
                     body="" if kind == "call" else (body or "") if isinstance(body, str) else "",
                     blocked=True, duration=(float(dur) if isinstance(dur, (int, float)) and kind == "call"
                                             else (0.0 if kind == "call" else None)),
                     call_status="blocked" if kind == "call" else "")


def read(path: str, ctx: Collector, con: ROConnection) -> None:
    tabs = tables(con)
    for t in blocked_tables(tabs):
        cs = colset(tabs[t])
        miui = t.lower() in _MIUI_TABLES
        a, tm, b = _pick(cs, ADDRESS), _pick(cs, TIME), _pick(cs, BODY)
        n, d = _pick(cs, NAME), _pick(cs, DURATION)
        sql = (f"SELECT rowid AS rid, {quote(a)} AS a, {quote(tm)} AS t, "
               f"{quote(b) if b else 'NULL'} AS b, {1 if b else 0} AS has_body, "
               f"{quote(n) if n else 'NULL'} AS n, {quote(d) if d else 'NULL'} AS d, "
               f"{'type' if miui and 'type' in cs else 'NULL'} AS ty FROM {quote(t)} ORDER BY rowid")
        read_table(con, sql, ctx, t, lambda r, t=t, miui=miui: _row(r, t, miui))
        ctx.note(f"表 {t} 按拦截记录读取（列：号码={a}，时间={tm}，内容={b or '无'}）；该格式无公开说明，列含义为本工具的约定")
