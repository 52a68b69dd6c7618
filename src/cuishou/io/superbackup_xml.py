"""超级备份 (Super Backup, com.idea.backup.smscontactspro) XML: `<allsms>` of `<sms>` and `<alllogs>` of `<log>`.

`date` is Unix ms; the Chinese `time` string ("2013年12月26日 下午8:56:00") is display only and ignored like SBR's
readable_date.
"""
from __future__ import annotations

from cuishou.io.records import Collector, android_call_status, clean_null
from cuishou.io.sbr_xml import _CALL_BLOCKED, _CALL_DIRECTION, _DRAFT, _SMS_DIRECTION, _check_count, _time
from cuishou.io.xmlstream import XmlRoot, iter_records

FORMAT = "superbackup_xml"


def sms_fields(a: dict[str, str]) -> dict | str:
    t = a.get("type", "")
    if t == _DRAFT:
        return "草稿（未发送），不作为收发记录"
    time_utc, raw = _time(a)
    return dict(kind="sms", direction=_SMS_DIRECTION.get(t, ""), address=clean_null(a.get("address")),
                contact_name=clean_null(a.get("name")), time_utc=time_utc, time_raw=raw, body=a.get("body", ""))


def log_fields(a: dict[str, str]) -> dict | str:
    t = a.get("type", "")
    time_utc, raw = _time(a)
    try:
        dur = float(a.get("dur", "") or 0)
    except ValueError:
        dur = float("nan")
    return dict(kind="call", direction=_CALL_DIRECTION.get(t, ""), address=clean_null(a.get("number")),
                contact_name=clean_null(a.get("name")), time_utc=time_utc, time_raw=raw, body="",
                blocked=(t == _CALL_BLOCKED), duration=dur, call_status=android_call_status(t, dur))


def read(path: str, ctx: Collector) -> None:
    root = XmlRoot()
    for tag, n, el in iter_records(path, ctx, root):
        ref = f"{tag}[{n}]"
        if tag == "sms":
            rec = sms_fields(el.attrib)
        elif tag == "log":
            rec = log_fields(el.attrib)
        else:
            ctx.skip(ref, f"未知的元素 <{tag}>")
            continue
        ctx.take(ref, rec, check_direction=False)
    _check_count(root, ctx)
