"""iPhone `sms.db` (message/handle/chat) and `CallHistory.storedata` (ZCALLRECORD), from an iTunes/Finder backup.

LEFT JOINs throughout: an inner join on `handle` drops messages with handle_id = 0 (own messages in group chats),
which then fall back to `chat.chat_identifier`. Columns differ across iOS versions, so the query is built
from what the file actually has.
"""
from __future__ import annotations

import sqlite3

from cuishou.io.attributed_body import decode_attributed_body
from cuishou.io.records import Collector
from cuishou.io.sqlite_ro import ROConnection, colset, find_table, quote, read_table, tables
from cuishou.io.times import iso_from_cocoa

FORMAT_SMS = "ios_sms_db"
FORMAT_CALLS = "ios_call_history"

# Manifest.db file IDs = sha1(domain + "-" + relativePath); fixed for every backup
SMS_FILE_ID = "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
CALLS_FILE_ID = "5a4935c78a5255723f707230a451d79c540d2741"


def is_sms_db(tabs: dict[str, list[str]]) -> bool:
    return find_table(tabs, "message") is not None and find_table(tabs, "handle") is not None


def is_call_history(tabs: dict[str, list[str]]) -> bool:
    return find_table(tabs, "ZCALLRECORD") is not None


def _sms_query(tabs: dict[str, list[str]]) -> str:
    mcols = colset(tabs[find_table(tabs, "message")])
    opt = lambda c: f"m.{c}" if c.lower() in mcols else f"NULL AS {c}"  # noqa: E731
    chat_sel = "NULL AS chat_identifier"
    if find_table(tabs, "chat") and find_table(tabs, "chat_message_join"):
        chat_sel = ("(SELECT c.chat_identifier FROM chat_message_join cmj JOIN chat c ON c.ROWID = cmj.chat_id "
                    "WHERE cmj.message_id = m.ROWID LIMIT 1) AS chat_identifier")
    return (f"SELECT m.ROWID AS rid, {opt('text')}, {opt('attributedBody')}, {opt('date')}, {opt('is_from_me')}, "
            f"{opt('service')}, {opt('item_type')}, h.id AS handle, {chat_sel} "
            f"FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id ORDER BY m.ROWID")


def sms_row(row: sqlite3.Row, counts: dict[str, int]) -> tuple[str, dict | str]:
    ref = f"message.ROWID={row['rid']}"
    item_type = row["item_type"]
    if item_type not in (None, 0):
        return ref, f"不是短信正文（item_type={item_type}，如群聊改名、成员变动）"
    body = row["text"]
    if body is None:
        text, how = decode_attributed_body(row["attributedBody"])
        if text is not None:
            counts[how] = counts.get(how, 0) + 1
            body = text
        elif row["attributedBody"]:
            counts["undecodable"] = counts.get("undecodable", 0) + 1
    raw = row["date"]
    time_utc, unit = iso_from_cocoa(raw) if isinstance(raw, (int, float)) else ("", "")
    counts[f"unit_{unit}"] = counts.get(f"unit_{unit}", 0) + 1
    direction = "out" if row["is_from_me"] == 1 else ("in" if row["is_from_me"] == 0 else "")
    address = row["handle"] or row["chat_identifier"] or ""
    return ref, dict(kind="sms", direction=direction, address=address, time_utc=time_utc,
                     time_raw="" if raw is None else str(raw), body=body or "")


def read_sms(path: str, ctx: Collector, con: ROConnection) -> None:
    tabs = tables(con)
    counts: dict[str, int] = {}
    read_table(con, _sms_query(tabs), ctx, "message", lambda r: sms_row(r, counts))
    if counts.get("pytypedstream") or counts.get("fallback"):
        n = counts.get("pytypedstream", 0) + counts.get("fallback", 0)
        how = "pytypedstream" if counts.get("pytypedstream") else "内置备用解码器"
        ctx.note(f"{n} 条消息的 text 为空，正文从 attributedBody 解码（{how}）")
    if counts.get("undecodable"):
        ctx.note(f"{counts['undecodable']} 条消息的 attributedBody 无法解码，正文留空")
    if counts.get("unit_ns"):
        ctx.note(f"{counts['unit_ns']} 条时间为 2001 纪元纳秒（iOS 11 及以后）")
    if counts.get("unit_s"):
        ctx.note(f"{counts['unit_s']} 条时间为 2001 纪元秒（早期 iOS）")
    if counts.get("unit_unix_s"):
        ctx.note(f"{counts['unit_unix_s']} 条时间按 1970 纪元秒解释（早期 iOS 的短信）")


def call_row(row: sqlite3.Row) -> tuple[str, dict | str]:
    ref = f"ZCALLRECORD.Z_PK={row['pk']}"
    addr = row["addr"]
    if isinstance(addr, bytes):
        addr = addr.decode("utf-8", "replace").rstrip("\x00")
    raw = row["zdate"]
    time_utc, _ = iso_from_cocoa(raw) if isinstance(raw, (int, float)) else ("", "")
    orig = row["orig"]
    direction = "out" if orig == 1 else ("in" if orig == 0 else "")
    dur = row["dur"]
    return ref, dict(kind="call", direction=direction, address=addr or "", contact_name=row["name"] or "",
                     time_utc=time_utc, time_raw="" if raw is None else str(raw), body="",
                     duration=float(dur) if isinstance(dur, (int, float)) else None,
                     call_status="outgoing" if orig == 1 else ("answered" if isinstance(dur, (int, float)) and dur > 0
                                                               else ""))


def read_calls(path: str, ctx: Collector, con: ROConnection) -> None:
    tabs = tables(con)
    t = find_table(tabs, "ZCALLRECORD")
    cols = colset(tabs[t])
    opt = lambda c, a: f"{c} AS {a}" if c.lower() in cols else f"NULL AS {a}"  # noqa: E731
    sql = (f"SELECT Z_PK AS pk, {opt('ZADDRESS', 'addr')}, {opt('ZDATE', 'zdate')}, {opt('ZNAME', 'name')}, "
           f"{opt('ZDURATION', 'dur')}, {opt('ZORIGINATED', 'orig')} FROM {quote(t)} ORDER BY Z_PK")
    read_table(con, sql, ctx, t, call_row)
