"""vMessage (`.vmsg` from OPPO/Meizu "导出短信", Samsung Kies `.vmg`): BEGIN:VMSG … END:VMSG blocks.

Read line by line (streaming). The body is a `Subject`/`TEXT` property, usually quoted-printable UTF-8 with
soft line breaks. `DateOrigin` (Unix ms) is preferred over the display `Date`; a `Date` without zone is local
time in `tz`, one ending in GMT/UTC is taken as stated.
"""
from __future__ import annotations

import quopri
import re

from cuishou.io.encoding import sniff_file
from cuishou.io.records import Collector
from cuishou.io.times import iso_from_unix_ms, parse_time_text

FORMAT = "vmsg"

_PROP = re.compile(r"^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$")
_IN = {"DELIVER", "INBOX", "RECEIVED"}
_OUT = {"SUBMIT", "SENDBOX", "SENTBOX", "OUTBOX", "SENT"}
_BODY_PROPS = {"SUBJECT", "TEXT", "BODY"}


def _decode_value(params: str, value: str) -> str:
    p = params.upper()
    if "QUOTED-PRINTABLE" in p:
        m = re.search(r"CHARSET=([A-Za-z0-9_-]+)", params, re.IGNORECASE)
        charset = m.group(1) if m else "utf-8"
        raw = quopri.decodestring(value.encode("ascii", "replace"))
        try:
            return raw.decode(charset, "replace")
        except LookupError:
            return raw.decode("utf-8", "replace")
    return value


def record_fields(lines: list[str], tz: str) -> tuple[dict | str, str]:
    """One BEGIN:VMSG block (lines without the BEGIN/END) → (fields or skip reason, how the time was read)."""
    props: dict[str, str] = {}
    body_parts: list[str] = []
    section: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = _PROP.match(line)
        if m and m.group(1).upper() == "BEGIN":
            section.append(m.group(3).strip().upper())
            continue
        if m and m.group(1).upper() == "END":
            if section:
                section.pop()
            continue
        in_body = bool(section) and section[-1] == "VBODY"
        name = m.group(1).upper() if m else ""
        if in_body and name in _BODY_PROPS:
            params, value = m.group(2), m.group(3)
            if "QUOTED-PRINTABLE" in params.upper():
                while value.endswith("=") and i < len(lines):  # soft line break
                    value = value[:-1] + lines[i]
                    i += 1
            body_parts.append(_decode_value(params, value))
        elif in_body and not (name.startswith("X-") or name in ("DATE", "DATEORIGIN")):
            body_parts.append(line)  # plain continuation text (may itself contain ":")
        elif m and section and section[-1] == "VCARD" and name == "TEL":
            props.setdefault("TEL", m.group(3).strip())
        elif m and section and section[-1] == "VCARD" and name in ("FN", "N"):
            props.setdefault("NAME", m.group(3).strip().strip(";"))
        elif m:
            props.setdefault(name, m.group(3).strip())
    kind_s = (props.get("X-MESSAGE-TYPE") or props.get("X-BOX") or props.get("X-IRMC-BOX") or "").upper()
    if "DRAFT" in kind_s:
        return "草稿（未发送），不作为收发记录", ""
    direction = "in" if kind_s in _IN else ("out" if kind_s in _OUT else "")
    if not direction:
        box = (props.get("X-BOX") or props.get("X-IRMC-BOX") or "").upper()
        direction = "in" if box in _IN else ("out" if box in _OUT else "")
    how = ""
    if props.get("DATEORIGIN", "").isdigit():
        raw = props["DATEORIGIN"]
        time_utc, how = iso_from_unix_ms(int(raw)), "epoch_ms"
    else:
        raw = props.get("DATE", "")
        time_utc, how = parse_time_text(raw, tz)
    return dict(kind="sms", direction=direction, address=props.get("TEL", ""),
                contact_name=props.get("NAME", ""), time_utc=time_utc, time_raw=raw,
                body="\n".join(body_parts)), how


def read(path: str, ctx: Collector) -> None:
    encoding, note = sniff_file(path)
    if note:
        ctx.note(note)
    n = 0
    block: list[str] | None = None
    start_line = 0
    hows: dict[str, int] = {}
    with open(path, encoding=encoding, newline="") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if block is None:
                if line.strip().upper() == "BEGIN:VMSG":
                    block, start_line = [], lineno
                    n += 1
                continue
            if line.strip().upper() == "END:VMSG":
                ref = f"vmsg[{n}] line {start_line}"
                rec, how = record_fields(block, ctx.tz)
                block = None
                if ctx.take(ref, rec):
                    hows[how] = hows.get(how, 0) + 1
            else:
                block.append(line)
    if block is not None:
        ctx.skip(f"vmsg[{n}] line {start_line}", f"记录不完整：文件在第 {lineno} 行结束，缺少 END:VMSG")
        ctx.note(f"文件在第 {lineno} 行处截断；之前的完整记录已保留")
    if hows.get("local"):
        ctx.note(f"{hows['local']} 条时间没有时区，按 {ctx.tz} 本地时间解释")
    if hows.get("aware"):
        ctx.note(f"{hows['aware']} 条时间按其标注的时区（如 GMT）解释")
