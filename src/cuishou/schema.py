"""The one message-table schema every step downstream of the readers uses.

A *message table* is a pandas DataFrame with exactly MESSAGE_COLUMNS (in this order, dtypes as documented),
one row per record read from a phone export (SMS, MMS text, or call). Readers in `cuishou.io` produce it;
`classify` appends LABEL_COLUMNS; findings, law tagging and the renderers only read it.

| column          | dtype   | meaning |
|-----------------|---------|---------|
| msg_id          | str     | stable id: first 16 hex of sha256(source_sha256 + ":" + source_ref) |
| source_file     | str     | path of the original export as given by the user |
| source_sha256   | str     | SHA-256 of the whole original file, computed before parsing |
| source_ref      | str     | where the record sits: `sms[12]` (XML element index), `message.ROWID=34`, `line 18` |
| kind            | str     | "sms", "mms" or "call" |
| direction       | str     | "in" or "out" ("" when the export does not say) |
| address         | str     | the counterpart number exactly as stored (never normalised) |
| contact_name    | str     | contact name as stored, "" if none |
| time_utc        | str     | ISO-8601 UTC with "Z" (e.g. 2026-01-02T03:04:05.123Z); "" if the time is unusable |
| time_raw        | str     | the stored time value, untouched (e.g. "1700000000000", "2026/1/2 11:04") |
| tz              | str     | IANA zone used for local display, default Asia/Shanghai |
| body            | str     | message text verbatim ("" for calls) |
| blocked         | bool    | True if the record came from a blocked/harassment store |
| call_duration_s | float   | seconds for calls, NaN otherwise |
| call_status     | str     | calls only: answered, missed, rejected, blocked, voicemail, outgoing; "" if unknown |
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

MESSAGE_COLUMNS: tuple[str, ...] = (
    "msg_id", "source_file", "source_sha256", "source_ref", "kind", "direction", "address",
    "contact_name", "time_utc", "time_raw", "tz", "body", "blocked", "call_duration_s", "call_status",
)

#: added by classify, in this order (the `cuishou label` contract)
LABEL_COLUMNS: tuple[str, ...] = (
    "collection", "labels", "p_collection", "p_threat", "p_third_party", "p_insult", "p_privacy",
    "p_impersonation", "evidence",
)

DEFAULT_TZ = "Asia/Shanghai"


def make_msg_id(source_sha256: str, source_ref: str) -> str:
    return hashlib.sha256(f"{source_sha256}:{source_ref}".encode()).hexdigest()[:16]


def empty_message_table() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "call_duration_s" else ("bool" if c == "blocked" else "object"))
                         for c in MESSAGE_COLUMNS})


@dataclass(frozen=True)
class Skip:
    """A record that was read but not turned into a row, with where it sits and why."""
    file: str
    ref: str
    reason: str


@dataclass
class SourceFile:
    """One input file: its identity and the accounting `read == parsed + skipped`."""
    path: str
    sha256: str
    size: int
    format: str
    read: int = 0
    parsed: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class ReadResult:
    """What the readers return: the message table, every skip, and per-file accounting."""
    table: pd.DataFrame
    skips: list[Skip] = field(default_factory=list)
    files: list[SourceFile] = field(default_factory=list)
    merged_duplicates: list[tuple[str, str]] = field(default_factory=list)  # (kept msg_id, dropped msg_id)
