"""Patterns across messages: what no single SMS shows (frequency, bursts, night-time, third-party recipients,
several numbers for one platform, calls).

Pure functions over the labelled table (schema.MESSAGE_COLUMNS + schema.LABEL_COLUMNS + `label_status`).
Every finding carries its raw numbers and the tag the law registry is asked about; the wording states counts and
date spans, never a legal conclusion ("多次" is shown as "N 条，自…至…").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

#: 22:00–08:00 local time (GB/T 45251-2025 and the 中国银行业协会 guideline use this window)
NIGHT_START_HOUR = 22
NIGHT_END_HOUR = 8
#: a burst: at least BURST_MIN messages from one subject within BURST_WINDOW_MIN minutes
BURST_MIN = 3
BURST_WINDOW_MIN = 10
#: a per-day frequency finding needs this many collection messages from the subject (or two on one day)
FREQUENCY_MIN_MESSAGES = 3
#: findings are listed in this order (most specific first), then by size
KIND_ORDER = ("multi_number", "third_party_recipient", "night", "burst", "calls", "per_day")
#: call norms quoted in findings (numbers only; the law registry supplies the provisions)
CONNECTED_CALLS_PER_DAY = 3   # GB/T 45251-2025: 拨通 ≤3 次/日
ATTEMPTS_PER_DAY = 6          # 中国银行业协会指引: 同一联系方式尝试拨打 ≤6 次/日

_SIGNATURE = re.compile(r"[【\[]([^【】\[\]\n]{1,24})[】\]]")
_CALL_MISSED = {"missed", "voicemail"}
_CALL_REJECTED = {"rejected", "blocked"}

# Recipient cues (GUIDELINE §7): the text addresses someone *about another person's* debt.
_RELATIVE = r"(?:朋友|同事|家人|亲戚|亲属|儿子|女儿|老公|老婆|丈夫|妻子|父亲|母亲|爸爸|妈妈|哥哥|弟弟|姐姐|妹妹|同学|领导|员工|室友)"
_THIRD_PARTY_CUES = [
    re.compile(r"(?:你|您)(?:是|系|作为)[^，。,.!！?？\n]{0,12}(?:的)?(?:紧急)?联系人"),
    re.compile(r"(?:作为|身为)[^，。,.!！?？\n]{0,12}(?:紧急)?联系人"),
    re.compile(r"(?:请|麻烦|务必)?(?:你|您)?(?:尽快|及时)?转告"),
    re.compile(r"(?:通知|告诉|提醒|督促|叫|让)(?:他|她)(?:尽快|马上|立即|今天)?(?:还|处理|联系|回电)"),
    re.compile(r"(?:你|您)的?" + _RELATIVE + r"[^，。,.!！?？\n]{0,8}(?:欠|逾期|借款|贷款|拖欠)"),
    re.compile(r"(?:他|她)(?:在我司|在本平台|在平台)?(?:的)?(?:欠款|借款|逾期|欠)"),
    re.compile(r"代(?:为|他|她)?(?:还款|偿还|还)"),
]


@dataclass(frozen=True)
class Finding:
    """One pattern, with its numbers; `tag` is what `cuishou.law.provisions_for` is asked about."""
    tag: str                     # frequency | night | third_party_recipient | multi_number | calls
    kind: str                    # per_day | burst | night | third_party_recipient | multi_number | calls
    subject: str                 # sender address verbatim, or 【platform】
    subject_kind: str            # "sender" | "platform"
    title: str                   # short Chinese heading
    detail: str                  # Chinese statement with the numbers
    numbers: dict = field(default_factory=dict)
    msg_ids: tuple[str, ...] = ()
    dates: tuple[date, ...] = ()  # local dates of the events (law version is chosen per date)

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("tag", "kind", "subject", "subject_kind", "title", "detail")}
        d["numbers"] = self.numbers
        d["msg_ids"] = list(self.msg_ids)
        d["dates"] = [x.isoformat() for x in self.dates]
        return d


# --------------------------------------------------------------------------------------------- helpers

def local_times(table: pd.DataFrame) -> pd.Series:
    """Naive local datetimes, each row converted with its own `tz` (NaT where time_utc is unusable)."""
    utc = pd.to_datetime(table["time_utc"].replace("", None), utc=True, errors="coerce", format="ISO8601")
    out = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
    tzs = table["tz"].fillna("").replace("", "Asia/Shanghai")
    for tz in tzs.unique():
        m = (tzs == tz).to_numpy()
        out.loc[m] = utc[m].dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[ns]").to_numpy()
    return out


def platform_signature(body: str) -> str:
    """The first 【…】 signature in a message ("" if none); brackets kept so it reads as quoted."""
    if not isinstance(body, str):
        return ""
    m = _SIGNATURE.search(body)
    return f"【{m.group(1).strip()}】" if m else ""


def digits_of(number: str) -> str:
    """Digits of a number without a +86/0086 country prefix, for matching the user's own numbers only."""
    d = re.sub(r"\D", "", str(number or ""))
    for p in ("0086", "86"):
        if d.startswith(p) and len(d) - len(p) == 11:
            return d[len(p):]
    return d


def recipient_cue(body: str, own_name: str | None = None) -> tuple[str, str]:
    """('third_party' | 'borrower' | 'unknown', the phrase that decided it) for one message text."""
    if not isinstance(body, str) or not body:
        return "unknown", ""
    for rx in _THIRD_PARTY_CUES:
        m = rx.search(body)
        if m:
            return "third_party", m.group(0)
    if own_name and own_name in body:
        return "borrower", own_name
    return "unknown", ""


def _is_true(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").fillna(0).astype(float) >= 0.5


def prepare(table: pd.DataFrame, *, own_numbers=(), own_name: str | None = None) -> pd.DataFrame:
    """Add the derived columns findings and renderers share: local time/date, platform, flags, recipient cue."""
    t = table.copy()
    t["local_dt"] = local_times(t)
    t["local_date"] = t["local_dt"].dt.date
    t["platform"] = t["body"].map(platform_signature)
    own = {digits_of(n) for n in own_numbers if digits_of(n)}
    t["is_own"] = t["address"].map(lambda a: digits_of(a) in own) if own else False
    labelled = t.get("label_status", pd.Series("labelled", index=t.index)).fillna("") == "labelled"
    coll = _is_true(t["collection"]) if "collection" in t else pd.Series(False, index=t.index)
    labels = t["labels"].fillna("").astype(str) if "labels" in t else pd.Series("", index=t.index)
    t["flagged"] = labelled & (labels != "")
    t["is_collection"] = labelled & (coll | t["flagged"])
    t["inbound"] = (t["direction"].fillna("") != "out") & ~t["is_own"]
    t["is_msg"] = t["kind"].isin(["sms", "mms"])
    h = t["local_dt"].dt.hour
    t["night"] = (h >= NIGHT_START_HOUR) | (h < NIGHT_END_HOUR)
    cues = t["body"].map(lambda b: recipient_cue(b, own_name))
    t["recipient"] = cues.map(lambda c: c[0])
    t["recipient_cue"] = cues.map(lambda c: c[1])
    return t


def _span(dts: pd.Series) -> str:
    dts = dts.dropna()
    if dts.empty:
        return "时间不明"
    a, b = dts.min(), dts.max()
    if a.date() == b.date():
        return f"{a:%Y-%m-%d} 当天"
    return f"{a:%Y-%m-%d} 至 {b:%Y-%m-%d} 期间"


def _dates(dts: pd.Series) -> tuple[date, ...]:
    return tuple(sorted({d.date() for d in dts.dropna()}))


def _ids(g: pd.DataFrame) -> tuple[str, ...]:
    return tuple(g["msg_id"].astype(str))


def _subject_label(subject: str, kind: str) -> str:
    return f"号码 {subject} " if kind == "sender" else f"署名 {subject} 的各号码"


# --------------------------------------------------------------------------------------------- per subject

def _bursts(dts: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Maximal runs where ≥BURST_MIN consecutive messages fall within BURST_WINDOW_MIN minutes of the run start."""
    ts = sorted(dts.dropna())
    out, i = [], 0
    window = pd.Timedelta(minutes=BURST_WINDOW_MIN)
    while i < len(ts):
        j = i
        while j + 1 < len(ts) and ts[j + 1] - ts[i] <= window:
            j += 1
        if j - i + 1 >= BURST_MIN:
            out.append((ts[i], ts[j], j - i + 1))
            i = j + 1
        else:
            i += 1
    return out


def _message_findings(g: pd.DataFrame, subject: str, kind: str) -> list[Finding]:
    out: list[Finding] = []
    who = _subject_label(subject, kind)
    n = len(g)
    n_flagged = int(g["flagged"].sum())
    per_day = g.groupby("local_date").size()
    span = _span(g["local_dt"])
    if n >= FREQUENCY_MIN_MESSAGES or int(per_day.max()) >= 2:
        top_day, top = per_day.idxmax(), int(per_day.max())
        out.append(Finding(
            tag="frequency", kind="per_day", subject=subject, subject_kind=kind,
            title=f"{who.strip()}：{n} 条催收短信",
            detail=(f"{who}在 {span}共发来 {n} 条催收短信（其中 {n_flagged} 条被标记为违规），"
                    f"分布在 {len(per_day)} 天；单日最多 {top} 条（{top_day}），平均每个发送日 {n / len(per_day):.1f} 条。"),
            numbers={"messages": n, "flagged": n_flagged, "days": int(len(per_day)), "max_per_day": top,
                     "max_day": str(top_day), "first": str(g["local_dt"].min()), "last": str(g["local_dt"].max())},
            msg_ids=_ids(g), dates=_dates(g["local_dt"])))
    bursts = _bursts(g["local_dt"])
    if bursts:
        big = max(bursts, key=lambda b: b[2])
        mins = (big[1] - big[0]).total_seconds() / 60
        mask = pd.Series(False, index=g.index)
        for a, b, _ in bursts:
            mask |= (g["local_dt"] >= a) & (g["local_dt"] <= b)
        in_bursts = g[mask]
        out.append(Finding(
            tag="frequency", kind="burst", subject=subject, subject_kind=kind,
            title=f"{who.strip()}：{len(bursts)} 次短时间集中发送",
            detail=(f"{who}有 {len(bursts)} 次在 {BURST_WINDOW_MIN} 分钟内连续发来至少 {BURST_MIN} 条催收短信；"
                    f"最集中的一次是 {big[0]:%Y-%m-%d %H:%M} 起 {mins:.0f} 分钟内 {big[2]} 条。"),
            numbers={"bursts": len(bursts), "largest": big[2], "largest_start": str(big[0]),
                     "largest_minutes": round(mins, 1), "window_minutes": BURST_WINDOW_MIN, "min_messages": BURST_MIN},
            msg_ids=_ids(in_bursts), dates=_dates(in_bursts["local_dt"])))
    night = g[g["night"]]
    if len(night):
        out.append(Finding(
            tag="night", kind="night", subject=subject, subject_kind=kind,
            title=f"{who.strip()}：{len(night)} 条在 22:00–次日 08:00 发送",
            detail=(f"{who}的 {n} 条催收短信中有 {len(night)} 条在当地时间 22:00 至次日 08:00 之间发出"
                    f"（{_span(night['local_dt'])}，涉及 {_nights(night['local_dt'])} 个夜晚）；"
                    f"其中最接近凌晨 3 点的一条在 {_extreme_night(night['local_dt'])}。"),
            numbers={"night_messages": int(len(night)), "messages": n, "nights": _nights(night["local_dt"]),
                     "window": f"{NIGHT_START_HOUR:02d}:00-{NIGHT_END_HOUR:02d}:00"},
            msg_ids=_ids(night), dates=_dates(night["local_dt"])))
    tp = g[g["recipient"] == "third_party"]
    if len(tp):
        cues = "、".join(f"“{c}”" for c in tp["recipient_cue"].drop_duplicates().head(3))
        out.append(Finding(
            tag="third_party_recipient", kind="third_party_recipient", subject=subject, subject_kind=kind,
            title=f"{who.strip()}：{len(tp)} 条发给债务人以外的人",
            detail=(f"{who}有 {len(tp)} 条催收短信的收件人按文字看不是债务人本人（如 {cues}），"
                    f"即本机机主被当作联系人/第三人催收（{_span(tp['local_dt'])}）。"),
            numbers={"messages": int(len(tp)), "cues": list(tp["recipient_cue"].drop_duplicates())},
            msg_ids=_ids(tp), dates=_dates(tp["local_dt"])))
    return out


def _nights(dts: pd.Series) -> int:
    """Distinct nights: 22:00–08:00 belongs to the evening's date, so one night is never counted twice."""
    return int((dts.dropna() - pd.Timedelta(hours=NIGHT_END_HOUR)).dt.date.nunique())


def _extreme_night(dts: pd.Series) -> str:
    """The night message closest to 03:00, i.e. the most intrusive one, as a readable timestamp."""
    key = dts.dropna().map(lambda x: abs(((x.hour - 3) % 24 + 12) % 24 - 12) * 60 + x.minute)
    return f"{dts.loc[key.idxmin()]:%Y-%m-%d %H:%M}" if len(key) else "时间不明"


def _multi_number(g: pd.DataFrame, platform: str) -> Finding | None:
    addrs = g.groupby("address", sort=False).size()
    if len(addrs) < 2:
        return None
    parts = "、".join(f"{a}（{c} 条）" for a, c in addrs.items())
    return Finding(
        tag="multi_number", kind="multi_number", subject=platform, subject_kind="platform",
        title=f"署名 {platform} 的短信来自 {len(addrs)} 个号码",
        detail=(f"署名 {platform} 的 {len(g)} 条催收短信来自 {len(addrs)} 个不同号码：{parts}（{_span(g['local_dt'])}）。"
                f"短信署名只说明发件人自称该平台，号码与平台的关系需另行核实。"),
        numbers={"numbers": list(addrs.index), "per_number": {a: int(c) for a, c in addrs.items()}, "messages": int(len(g))},
        msg_ids=_ids(g), dates=_dates(g["local_dt"]))


def _call_status(t: pd.DataFrame) -> pd.Series:
    """'connected' | 'missed' | 'rejected' | 'unanswered' (not connected, the export does not say why).

    Uses schema `call_status` (answered/missed/rejected/blocked/voicemail/outgoing); where it is empty, a call
    with a duration counts as connected and one without as unanswered.
    """
    dur = pd.to_numeric(t["call_duration_s"], errors="coerce").fillna(0)
    status = pd.Series(np.where(dur > 0, "connected", "unanswered"), index=t.index)
    if "call_status" in t:
        cs = t["call_status"].fillna("").astype(str).str.strip().str.lower()
        status[cs == "answered"] = "connected"
        status[cs.isin(_CALL_MISSED)] = "missed"
        status[cs.isin(_CALL_REJECTED)] = "rejected"
    return status


def _call_finding(c: pd.DataFrame, subject: str, kind: str) -> Finding | None:
    c = c[c["inbound"]]
    if c.empty:
        return None
    who = _subject_label(subject, kind)
    st = _call_status(c)
    connected, missed, rejected, unans = (int((st == s).sum()) for s in ("connected", "missed", "rejected", "unanswered"))
    per_day = c.groupby("local_date").size()
    conn_day = c[st == "connected"].groupby("local_date").size()
    over_conn = int((conn_day > CONNECTED_CALLS_PER_DAY).sum())
    over_att = int((per_day > ATTEMPTS_PER_DAY).sum())
    night = int(c["night"].sum())
    not_conn = "、".join(x for x in (f"未接 {missed} 次" if missed else "", f"拒接/拦截 {rejected} 次" if rejected else "",
                                     f"未接通 {unans} 次（导出文件未说明是未接还是拒接）" if unans else "") if x)
    return Finding(
        tag="calls", kind="calls", subject=subject, subject_kind=kind,
        title=f"{who.strip()}：来电 {len(c)} 次",
        detail=(f"{who}在 {_span(c['local_dt'])}来电 {len(c)} 次：接通 {connected} 次，{not_conn or '无未接通'}；"
                f"单日最多 {int(per_day.max())} 次（{per_day.idxmax()}）；22:00–次日 08:00 来电 {night} 次；"
                f"接通超过每日 {CONNECTED_CALLS_PER_DAY} 次的有 {over_conn} 天，来电超过每日 {ATTEMPTS_PER_DAY} 次的有 {over_att} 天。"),
        numbers={"calls": int(len(c)), "connected": connected, "missed": missed, "rejected": rejected,
                 "unanswered": unans, "max_per_day": int(per_day.max()), "max_day": str(per_day.idxmax()),
                 "night_calls": night, "days_over_connected_limit": over_conn, "days_over_attempt_limit": over_att},
        msg_ids=_ids(c), dates=_dates(c["local_dt"]))


# --------------------------------------------------------------------------------------------- entry point

def compute_findings(table: pd.DataFrame, *, own_numbers=(), own_name: str | None = None,
                     prepared: pd.DataFrame | None = None) -> list[Finding]:
    """All findings for a labelled table, per sender (address verbatim) then per platform signature."""
    t = prepared if prepared is not None else prepare(table, own_numbers=own_numbers, own_name=own_name)
    msgs = t[t["is_msg"] & t["inbound"] & t["is_collection"]]
    out: list[Finding] = []
    for addr, g in msgs.groupby("address", sort=True):
        out.extend(_message_findings(g.sort_values("local_dt"), str(addr), "sender"))
    for plat, g in msgs[msgs["platform"] != ""].groupby("platform", sort=True):
        g = g.sort_values("local_dt")
        mn = _multi_number(g, str(plat))
        if mn:
            out.append(mn)
            # per-platform patterns only add information when several numbers are involved
            out.extend(f for f in _message_findings(g, str(plat), "platform"))
    calls = t[t["kind"] == "call"]
    if not calls.empty:
        collectors = set(msgs["address"])
        for addr, c in calls[calls["address"].isin(collectors)].groupby("address", sort=True):
            f = _call_finding(c, str(addr), "sender")
            if f:
                out.append(f)
        plat_of = msgs[msgs["platform"] != ""].drop_duplicates("address").set_index("address")["platform"]
        for plat, addrs in plat_of.groupby(plat_of).groups.items():
            if len(addrs) < 2:
                continue
            c = calls[calls["address"].isin(set(addrs))]
            if c["address"].nunique() >= 2:
                f = _call_finding(c, str(plat), "platform")
                if f:
                    out.append(f)
    return sorted(out, key=lambda f: (KIND_ORDER.index(f.kind), -len(f.msg_ids), f.subject))


def daily_counts(prepared: pd.DataFrame, category_of) -> pd.DataFrame:
    """Per local day × category counts of inbound collection messages (the timeline's data)."""
    m = prepared[prepared["is_msg"] & prepared["inbound"] & prepared["is_collection"]].copy()
    if m.empty:
        return pd.DataFrame()
    m["cat"] = [category_of(r) for r in m.itertuples(index=False)]
    return m.groupby(["local_date", "cat"]).size().unstack(fill_value=0).sort_index()


def describe_dt(dt) -> str:
    """Local timestamp as shown everywhere in the report."""
    if dt is None or (isinstance(dt, float)) or pd.isna(dt):
        return "时间不明"
    return f"{dt:%Y-%m-%d %H:%M:%S}"


__all__ = ["Finding", "compute_findings", "prepare", "local_times", "platform_signature", "recipient_cue",
           "digits_of", "daily_counts", "describe_dt", "NIGHT_START_HOUR", "NIGHT_END_HOUR"]
