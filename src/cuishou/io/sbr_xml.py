"""SMS Backup & Restore (SyncTech) XML: `<smses>` with `<sms>` and `<mms>`, and `<calls>` with `<call>`.

`date` (Unix ms) is the time of record; `readable_date` is a locale- and zone-dependent display string and is
ignored. MMS contribute only their text parts (images are not evidence text); the sender of a received MMS is
the `<addr type="137">`.
"""
from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

from cuishou.io.records import (SMS_DIRECTION, SMS_DRAFT, Collector, android_call, clean_contact, clean_null,
                                parse_duration)
from cuishou.io.times import iso_from_unix_ms
from cuishou.io.xmlstream import XmlRoot, iter_records

FORMAT = "sbr_xml"

_ADDR_FROM, _ADDR_TO = "137", "151"


def _time(a: dict[str, str], key: str = "date") -> tuple[str, str]:
    raw = a.get(key, "")
    try:
        return iso_from_unix_ms(int(raw)), raw
    except ValueError:
        return "", raw


def sms_fields(a: dict[str, str]) -> dict | str:
    """One `<sms>` → record fields, or a skip reason (pure)."""
    t = a.get("type", "")
    if t == SMS_DRAFT:
        return "草稿（未发送），不作为收发记录"
    time_utc, raw = _time(a)
    return dict(kind="sms", direction=SMS_DIRECTION.get(t, ""), address=clean_null(a.get("address")),
                contact_name=clean_contact(a.get("contact_name")), time_utc=time_utc, time_raw=raw,
                body=a.get("body", ""))


def mms_fields(el: Element) -> dict | str:
    a = el.attrib
    box = a.get("msg_box", "")
    if box == SMS_DRAFT:
        return "彩信草稿（未发送），不作为收发记录"
    direction = SMS_DIRECTION.get(box, "")
    texts = [p.get("text", "") for p in el.iter("part")
             if p.get("seq") != "-1" and p.get("ct", "").startswith("text/plain")]
    addrs = el.iter("addr")
    wanted = _ADDR_FROM if direction == "in" else _ADDR_TO
    picked = [x.get("address", "") for x in addrs if x.get("type") == wanted]
    address = ",".join(picked) if picked else clean_null(a.get("address"))
    time_utc, raw = _time(a)
    return dict(kind="mms", direction=direction, address=address, contact_name=clean_contact(a.get("contact_name")),
                time_utc=time_utc, time_raw=raw, body="\n".join(clean_null(t) for t in texts))


def call_fields(a: dict[str, str]) -> dict | str:
    time_utc, raw = _time(a)
    return android_call(a.get("type", ""), parse_duration(a.get("duration")), address=clean_null(a.get("number")),
                        contact_name=clean_contact(a.get("contact_name")), time_utc=time_utc, time_raw=raw)


def read(path: str, ctx: Collector) -> None:
    read_records(path, ctx, {"sms": lambda el: sms_fields(el.attrib), "mms": mms_fields,
                             "call": lambda el: call_fields(el.attrib)})


def read_records(path: str, ctx: Collector, handlers: dict[str, Callable[[Element], dict | str]], *,
                 check_direction: bool = True) -> None:
    """Stream the record elements of a backup XML: each known tag's handler gives fields or a skip reason;
    unknown elements are skipped with their name; the root's declared count is checked at the end."""
    root = XmlRoot()
    for tag, n, el in iter_records(path, ctx, root):
        ref = f"{tag}[{n}]"
        handler = handlers.get(tag)
        if handler is None:
            ctx.skip(ref, f"未知的元素 <{tag}>")
            continue
        ctx.take(ref, handler(el), check_direction=check_direction)
    _check_count(root, ctx)


def _check_count(root: XmlRoot, ctx: Collector) -> None:
    """The root's `count` attribute is the exporter's own total: a mismatch is a completeness signal."""
    declared = root.attrib.get("count")
    seen = sum(root.counts.values())
    if declared and declared.isdigit() and int(declared) != seen:
        ctx.note(f"根元素声明 count={declared}，实际读到 {seen} 条记录")
