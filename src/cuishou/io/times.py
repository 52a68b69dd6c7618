"""Time conversion: every stored time becomes ISO-8601 UTC with millisecond precision and a trailing Z.

One canonical form (always `.mmmZ`) so that the same instant read from two different exports compares equal
(de-duplication) and sorts lexicographically.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cuishou.errors import InputError

UTC = timezone.utc
COCOA_OFFSET_S = 978_307_200  # 2001-01-01T00:00:00Z as a Unix time
_MIN_S = 631_152_000  # 1990-01-01: older than any phone export we expect
_MAX_S = 4_102_444_800  # 2100-01-01


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    """ZoneInfo for `name`, or an InputError the user can act on."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"未知时区：{name!r}（示例：Asia/Shanghai）") from None


def plausible_s(seconds: float) -> bool:
    return _MIN_S <= seconds < _MAX_S


def iso_from_unix_ms(ms: int) -> str:
    """Unix milliseconds → `YYYY-MM-DDTHH:MM:SS.mmmZ`; "" if outside 1990–2100 (a corrupt or unit-confused value)."""
    s, frac = divmod(int(ms), 1000)
    if not plausible_s(s):
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{frac:03d}Z"


def iso_from_unix_s(seconds: float) -> str:
    return iso_from_unix_ms(round(seconds * 1000))


def iso_from_datetime(dt: datetime) -> str:
    """An aware datetime → canonical UTC string."""
    dt = dt.astimezone(UTC)
    if not plausible_s(dt.timestamp()):
        return ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{dt.microsecond // 1000:03d}Z"


def iso_from_cocoa(value: float | int, now_s: float | None = None) -> tuple[str, str]:
    """Apple 2001-epoch value → (iso, unit). The unit is decided per value by magnitude, as iOS changed it in iOS 11.

    > 1e11 cannot be seconds (that is year 5000+), so it is nanoseconds. A seconds value that would land in the
    future as a 2001-epoch time but is a plausible *Unix* time is the pre-iOS-5 Unix-epoch SMS case.
    """
    v = float(value)
    if v == 0:
        return "", "zero"
    if abs(v) > 1e11:
        ns = int(value)
        return iso_from_unix_ms(COCOA_OFFSET_S * 1000 + ns // 1_000_000), "ns"
    now = time.time() if now_s is None else now_s
    if v + COCOA_OFFSET_S > now + 86_400 and plausible_s(v) and v <= now + 86_400:
        return iso_from_unix_s(v), "unix_s"
    return iso_from_unix_s(v + COCOA_OFFSET_S), "s"


_NUM = re.compile(r"[+-]?\d+(\.\d+)?")
_CN = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(上午|下午|中午|晚上|凌晨|早上)?\s*"
    r"(?:(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})\s*秒?)?)?\s*$"
)
_ISOISH = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|GMT|UTC|GMT[+-]\d{1,2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
_PM = {"下午", "晚上"}
_AM = {"上午", "凌晨", "早上"}


def _offset(spec: str) -> timezone:
    s = spec.upper().removeprefix("GMT").removeprefix("UTC")
    if s in ("", "Z"):
        return UTC
    sign = -1 if s[0] == "-" else 1
    digits = s[1:].replace(":", "")
    h, m = (int(digits[:-2] or 0), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    return timezone(sign * timedelta(hours=h, minutes=m))


def parse_time_text(text: str, tz: str) -> tuple[str, str]:
    """A stored time as text → (iso_utc, how). `how` is "epoch_ms", "epoch_s", "aware", "local" or "" (unparsed).

    "local" means the text carried no zone and was interpreted in `tz`; callers must say so in a note.
    """
    t = text.strip()
    if not t:
        return "", ""
    if _NUM.fullmatch(t):
        v = float(t)
        if plausible_s(v / 1000):
            return iso_from_unix_ms(round(v)), "epoch_ms"
        if plausible_s(v):
            return iso_from_unix_s(v), "epoch_s"
        return "", ""
    m = _ISOISH.fullmatch(t)
    if m:
        y, mo, d, hh, mi, ss, frac, off = m.groups()
        try:
            dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0),
                          int((frac or "0").ljust(6, "0")[:6]))
        except ValueError:
            return "", ""
        if off:
            return iso_from_datetime(dt.replace(tzinfo=_offset(off))), "aware"
        return iso_from_datetime(dt.replace(tzinfo=zone(tz))), "local"
    m = _CN.fullmatch(t)
    if m:
        y, mo, d, ampm, hh, mi, ss = m.groups()
        h = int(hh or 0)
        if ampm in _PM and h < 12:
            h += 12
        elif ampm in _AM and h == 12:
            h = 0
        try:
            dt = datetime(int(y), int(mo), int(d), h, int(mi or 0), int(ss or 0), tzinfo=zone(tz))
        except ValueError:
            return "", ""
        return iso_from_datetime(dt), "local"
    return "", ""


def parse_time_value(value: object, tz: str) -> tuple[str, str]:
    """Like parse_time_text but also for spreadsheet cells (datetime objects, Excel serial numbers)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return iso_from_datetime(value), "aware"
        return iso_from_datetime(value.replace(tzinfo=zone(tz))), "local"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        # Excel serial day number (1899-12-30 epoch), local wall time
        dt = datetime(1899, 12, 30) + timedelta(days=float(value))
        return iso_from_datetime(dt.replace(tzinfo=zone(tz))), "local"
    if value is None:
        return "", ""
    return parse_time_text(str(value), tz)


def local_display(iso_utc: str, tz: str) -> str:
    """`2026-01-02T03:04:05.000Z` → `2026-01-02 11:04:05` in `tz` (for people, never for storage)."""
    if not iso_utc:
        return ""
    dt = datetime.strptime(iso_utc, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return dt.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M:%S")
