"""The collector every reader fills: rows (column-wise), skips, notes, and the read = parsed + skipped count.

Rows are kept as one list per column rather than one dict per row: a million-message export then costs a
few hundred MB instead of a few GB.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from cuishou.schema import MESSAGE_COLUMNS, Skip, SourceFile, make_msg_id

_OBJ = [c for c in MESSAGE_COLUMNS if c not in ("blocked", "call_duration_s")]


@dataclass
class Collector:
    """Accumulates one input file's records. Readers call add / skip / warn / note; nothing else."""

    source: SourceFile
    display_path: str
    tz: str
    cols: dict[str, list] = field(default_factory=lambda: {c: [] for c in MESSAGE_COLUMNS})
    skips: list[Skip] = field(default_factory=list)
    warnings: Counter = field(default_factory=Counter)

    def add(self, ref: str, *, kind: str, direction: str, address: str, time_utc: str, time_raw: str,
            body: str = "", contact_name: str = "", blocked: bool = False,
            duration: float | None = None, call_status: str = "") -> None:
        c = self.cols
        sha = self.source.sha256
        c["msg_id"].append(make_msg_id(sha, ref))
        c["source_file"].append(self.display_path)
        c["source_sha256"].append(sha)
        c["source_ref"].append(ref)
        c["kind"].append(kind)
        c["direction"].append(direction)
        c["address"].append(address)
        c["contact_name"].append(contact_name)
        c["time_utc"].append(time_utc)
        c["time_raw"].append(time_raw)
        c["tz"].append(self.tz)
        c["body"].append(body)
        c["blocked"].append(bool(blocked))
        c["call_duration_s"].append(math.nan if duration is None else float(duration))
        c["call_status"].append(call_status)
        self.source.read += 1
        self.source.parsed += 1

    def take(self, ref: str, rec: dict | str, *, check_direction: bool = True) -> bool:
        """The one way a reader hands over a parsed record: a string is a skip reason, a dict becomes a row
        (with a folded warning when its time or direction could not be read). Returns True if added."""
        if isinstance(rec, str):
            self.skip(ref, rec)
            return False
        if not rec["time_utc"]:
            self.warn("时间缺失或无法解析，time_utc 留空")
        if check_direction and not rec["direction"]:
            self.warn("收发类型无法识别，direction 留空")
        self.add(ref, **rec)
        return True

    def skip(self, ref: str, reason: str) -> None:
        self.skips.append(Skip(self.display_path, ref, reason))
        self.source.read += 1
        self.source.skipped += 1

    def warn(self, message: str) -> None:
        """A repeated per-record observation; folded into one note with a count at the end."""
        self.warnings[message] += 1

    def note(self, message: str) -> None:
        self.source.notes.append(message)

    def finish(self) -> pd.DataFrame:
        for msg, n in self.warnings.items():
            self.note(f"{msg}（共 {n} 条）")
        self.warnings.clear()
        data = {c: pd.Series(self.cols[c], dtype=object) for c in _OBJ}
        data["blocked"] = pd.Series(self.cols["blocked"], dtype=bool)
        data["call_duration_s"] = pd.Series(self.cols["call_duration_s"], dtype="float64")
        self.cols = {c: [] for c in MESSAGE_COLUMNS}
        return pd.DataFrame(data, columns=list(MESSAGE_COLUMNS))


# Android's Telephony codes, shared by every Android-derived format (SMS Backup & Restore, 超级备份,
# mmssms/calllog databases, Huawei sms_tb).
#: Telephony.TextBasedSmsColumns.TYPE / MMS msg_box: 1 inbox, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued
SMS_DIRECTION = {"1": "in", "2": "out", "4": "out", "5": "out", "6": "out"}
SMS_DRAFT = "3"
#: CallLog.Calls.TYPE: 1 in, 2 out, 3 missed, 4 voicemail, 5 rejected, 6 blocked, 7 answered elsewhere
_CALL_DIRECTION = {"1": "in", "2": "out", "3": "in", "4": "in", "5": "in", "6": "in", "7": "in"}
_CALL_BLOCKED = "6"
_ANDROID_CALL_STATUS = {"2": "outgoing", "3": "missed", "4": "voicemail", "5": "rejected", "6": "blocked",
                        "7": "answered"}


def android_call(call_type: str, duration: float | None, **fields) -> dict:
    """Record fields of one Android call-log entry: the type code decides direction, blocked and outcome."""
    return dict(kind="call", direction=_CALL_DIRECTION.get(call_type, ""), body="",
                blocked=call_type == _CALL_BLOCKED, duration=duration,
                call_status=android_call_status(call_type, duration), **fields)


def parse_duration(raw: str | None) -> float:
    """A duration attribute in seconds; missing → 0, unreadable → NaN (kept, not guessed)."""
    try:
        return float(raw or 0)
    except ValueError:
        return math.nan


def android_call_status(call_type: str, duration: float | None) -> str:
    """Type 1 (incoming) counts as answered only with a positive duration; otherwise the outcome is unknown."""
    if call_type == "1":
        return "answered" if duration and duration > 0 else ""
    return _ANDROID_CALL_STATUS.get(call_type, "")


def clean_null(value: str | None) -> str:
    """SMS Backup & Restore writes missing values as the literal string "null"."""
    return "" if value is None or value == "null" else value


def clean_contact(value: str | None) -> str:
    v = clean_null(value)
    return "" if v in ("(Unknown)", "(unknown)") else v
