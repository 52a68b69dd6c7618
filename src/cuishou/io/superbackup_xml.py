"""超级备份 (Super Backup, com.idea.backup.smscontactspro) XML: `<allsms>` of `<sms>` and `<alllogs>` of `<log>`.

`date` is Unix ms; the Chinese `time` string ("2013年12月26日 下午8:56:00") is display only and ignored like SBR's
readable_date.
"""
from __future__ import annotations

from cuishou.io.records import SMS_DIRECTION, SMS_DRAFT, Collector, android_call, clean_null, parse_duration
from cuishou.io.sbr_xml import _time, read_records

FORMAT = "superbackup_xml"


def sms_fields(a: dict[str, str]) -> dict | str:
    t = a.get("type", "")
    if t == SMS_DRAFT:
        return "草稿（未发送），不作为收发记录"
    time_utc, raw = _time(a)
    return dict(kind="sms", direction=SMS_DIRECTION.get(t, ""), address=clean_null(a.get("address")),
                contact_name=clean_null(a.get("name")), time_utc=time_utc, time_raw=raw, body=a.get("body", ""))


def log_fields(a: dict[str, str]) -> dict | str:
    time_utc, raw = _time(a)
    return android_call(a.get("type", ""), parse_duration(a.get("dur")), address=clean_null(a.get("number")),
                        contact_name=clean_null(a.get("name")), time_utc=time_utc, time_raw=raw)


def read(path: str, ctx: Collector) -> None:
    read_records(path, ctx, {"sms": lambda el: sms_fields(el.attrib), "log": lambda el: log_fields(el.attrib)},
                 check_direction=False)
