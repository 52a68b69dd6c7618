"""Law registry: which legal provisions a label or finding engages, chosen by the message's date.

Data files beside this module (edit those, not this code):

- ``provisions.json``: every provision the report may show (verbatim excerpt, source, confidence V/S).
- ``mapping.json``: label / finding → primary and supporting provision ids (README §9 of ``../shared/law``).
- ``never_cite.json``: citations known to be wrong or obsolete (README §8), as regex rules.

Rules kept here:

- 治安管理处罚法: conduct before 2026-01-01 (Beijing time) → 2012 text (PSAPL12-*); from 2026-01-01 → 2025
  revision (PSAPL25-*). Selection is generic: a provision applies on a date inside ``in_force_from..in_force_to``.
- An article number that is not confirmed is never printed (``article is None`` → "条文序号待核").
- CL-293-1 (催收非法债务罪) is returned only when the caller says the debt looks illegal (``illegal_debt=True``).
"""
from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from typing import Literal

__all__ = [
    "BEIJING",
    "KIND_ZH",
    "PSAPL_SWITCH",
    "NeverCiteRule",
    "Provision",
    "ProvisionRef",
    "all_provisions",
    "find_never_cite",
    "format_citation",
    "get",
    "is_industry_norm",
    "is_statute",
    "local_date",
    "never_cite_rules",
    "provisions_for",
    "provisions_for_tags",
    "tags",
]

#: China has used UTC+8 without DST since 1991; a fixed offset needs no tzdata.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
#: First day on which the 2025 revision of 治安管理处罚法 applies (README §2).
PSAPL_SWITCH = date(2026, 1, 1)

Kind = Literal["statute", "judicial_interpretation", "regulation", "industry_norm"]
Role = Literal["primary", "supporting"]

KIND_ZH: dict[str, str] = {
    "statute": "法律、行政法规",
    "judicial_interpretation": "司法解释及司法文件",
    "regulation": "监管规定",
    "industry_norm": "行业规范（非法律）",
}
_KINDS = frozenset(KIND_ZH)
_ROLES: tuple[Role, ...] = ("primary", "supporting")
_FLAGS = frozenset({"illegal_debt"})
#: excerpts are verbatim fragments joined by this separator
FRAGMENT_SEP = "……"
_LRB_URL = "https://github.com/LawRefBook/Laws/blob/2f4c5c23716267af9dbebbbbd6cbbf732b101981/"
#: time-bounded provisions newer than this get an explicit date note when the message date is unknown
_RECENT = date(2024, 1, 1)
_UNKNOWN_DATE_PSAPL = "消息时间不明：2026年1月1日前的行为适用2012年修正本，此后适用2025年修订本，请按消息时间择一"


@dataclass(frozen=True)
class Provision:
    """One citable provision. ``article is None`` means the number is unconfirmed and must not be shown."""

    id: str
    law: str
    short_title: str
    article: str | None
    offence: str
    kind: Kind
    version: str
    in_force_from: date | None
    in_force_to: date | None
    text: str | None
    source: str
    text_file: str | None
    confidence: Literal["V", "S"]
    note: str
    version_group: str | None = None
    article_caveat: str | None = None
    issuer: str | None = None

    @property
    def number_confirmed(self) -> bool:
        return self.article is not None and not self.article_caveat

    @property
    def fragments(self) -> tuple[str, ...]:
        """The verbatim pieces of ``text`` (an excerpt may skip parts of an article, marked ……)."""
        return tuple(f for f in (self.text or "").split(FRAGMENT_SEP) if f.strip())

    @property
    def source_url(self) -> str:
        """``LRB:<path>`` expanded to the pinned GitHub snapshot; URLs and other sources unchanged."""
        return _LRB_URL + self.source[4:] if self.source.startswith("LRB:") else self.source

    @property
    def kind_zh(self) -> str:
        return KIND_ZH[self.kind]

    def applies_on(self, day: date) -> bool:
        return (self.in_force_from is None or self.in_force_from <= day) and (
            self.in_force_to is None or day <= self.in_force_to
        )


@dataclass(frozen=True)
class ProvisionRef:
    """A provision as engaged by one tag: its role, the condition under which it applies, and any date caveat."""

    provision: Provision
    role: Role
    tag: str
    condition: str | None = None
    version_note: str | None = None

    @property
    def id(self) -> str:
        return self.provision.id

    @property
    def citation(self) -> str:
        return format_citation(self.provision)

    def to_dict(self) -> dict:
        p = self.provision
        return {
            "id": p.id, "role": self.role, "tag": self.tag, "citation": self.citation, "kind": p.kind,
            "kind_zh": p.kind_zh, "confidence": p.confidence, "text": p.text, "note": p.note,
            "condition": self.condition, "version_note": self.version_note, "source": p.source_url,
        }


@dataclass(frozen=True)
class NeverCiteRule:
    id: str
    readme: str
    what: str
    context: Literal["all_messages_from_2026", "all_messages_before_2026"] | None
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class _Entry:
    id: str
    requires: frozenset[str]
    condition: str | None


# ---------------------------------------------------------------- loading


def _load(name: str) -> dict:
    return json.loads(resources.files(__name__).joinpath(name).read_text("utf-8"))


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@lru_cache(maxsize=1)
def _provisions() -> dict[str, Provision]:
    out: dict[str, Provision] = {}
    for raw in _load("provisions.json")["provisions"]:
        p = Provision(**{**raw, "in_force_from": _iso(raw["in_force_from"]), "in_force_to": _iso(raw["in_force_to"])})
        if p.id in out:
            raise ValueError(f"provisions.json: duplicate id {p.id}")
        if p.kind not in _KINDS or p.confidence not in ("V", "S") or not p.offence:
            raise ValueError(f"provisions.json: {p.id}: bad kind/confidence/offence")
        if p.confidence == "V" and not (p.text and p.text_file):
            raise ValueError(f"provisions.json: {p.id}: a V provision needs text and text_file")
        out[p.id] = p
    return out


@lru_cache(maxsize=1)
def _mapping() -> dict[str, dict[Role, tuple[_Entry, ...]]]:
    provs = _provisions()
    out: dict[str, dict[Role, tuple[_Entry, ...]]] = {}
    for tag, spec in _load("mapping.json")["tags"].items():
        roles: dict[Role, tuple[_Entry, ...]] = {}
        for role in _ROLES:
            entries = []
            for e in spec.get(role, []):
                e = {"id": e} if isinstance(e, str) else e
                entry = _Entry(e["id"], frozenset(e.get("requires", ())), e.get("condition"))
                if entry.id not in provs:
                    raise ValueError(f"mapping.json: {tag}.{role}: unknown provision {entry.id}")
                if entry.requires - _FLAGS:
                    raise ValueError(f"mapping.json: {tag}.{role}: unknown requirement {set(entry.requires - _FLAGS)}")
                entries.append(entry)
            roles[role] = tuple(entries)
        out[tag] = roles
    return out


@lru_cache(maxsize=1)
def _rules() -> tuple[NeverCiteRule, ...]:
    return tuple(
        NeverCiteRule(r["id"], r["readme"], r["what"], r["context"], tuple(re.compile(p) for p in r["patterns"]))
        for r in _load("never_cite.json")["rules"]
    )


def all_provisions() -> tuple[Provision, ...]:
    """Every provision in the registry, in file order."""
    return tuple(_provisions().values())


def get(provision_id: str) -> Provision:
    try:
        return _provisions()[provision_id]
    except KeyError:
        raise KeyError(f"unknown provision id {provision_id!r}") from None


def tags() -> tuple[str, ...]:
    """Labels and findings that have a mapping (threat, …, night, frequency, …)."""
    return tuple(_mapping())


def never_cite_rules() -> tuple[NeverCiteRule, ...]:
    return _rules()


# ---------------------------------------------------------------- dates


def local_date(when: datetime | date) -> date:
    """Calendar date in Beijing time. A naive datetime is taken as already local (Beijing) time."""
    if isinstance(when, datetime):
        return when.date() if when.tzinfo is None else when.astimezone(BEIJING).date()
    if isinstance(when, date):
        return when
    raise TypeError(f"expected datetime or date, got {type(when).__name__}")


def _undated_note(p: Provision) -> str | None:
    if p.version_group == "PSAPL":
        return _UNKNOWN_DATE_PSAPL
    if p.in_force_to is not None:
        return f"消息时间不明：仅适用于{p.in_force_to.isoformat()}及以前的行为"
    if p.in_force_from is not None and p.in_force_from >= _RECENT:
        return f"消息时间不明：仅适用于{p.in_force_from.isoformat()}起的行为"
    return None


# ---------------------------------------------------------------- lookup


def provisions_for(tag: str, when: datetime | date | None, *, illegal_debt: bool = False) -> list[ProvisionRef]:
    """Provisions engaged by one label or finding for conduct at ``when``.

    ``when`` picks the version in force on that Beijing-time date (治安管理处罚法 2012 before 2026-01-01, 2025
    from then on; norms not yet issued are left out). ``when=None``: every version is returned and the
    time-bounded ones carry a ``version_note`` saying which period each covers. ``illegal_debt`` must be True
    for CL-293-1 (催收非法债务罪) to appear, e.g. when a usury_hint finding exists for the same platform.
    """
    table = _mapping().get(tag.strip().lower())
    if table is None:
        raise ValueError(f"未知标签或发现 {tag!r}（可用：{', '.join(tags())}）")
    day = None if when is None else local_date(when)
    flags = {"illegal_debt"} if illegal_debt else set()
    out: list[ProvisionRef] = []
    for role in _ROLES:
        for e in table[role]:
            if not e.requires <= flags:
                continue
            p = _provisions()[e.id]
            if day is not None and not p.applies_on(day):
                continue
            out.append(ProvisionRef(p, role, tag, e.condition, _undated_note(p) if day is None else None))
    return out


def provisions_for_tags(
    tag_names: Iterable[str], when: datetime | date | None, *, illegal_debt: bool = False
) -> list[ProvisionRef]:
    """Union over several tags, each provision once (primary wins over supporting; first tag otherwise)."""
    best: dict[str, ProvisionRef] = {}
    for t in tag_names:
        for ref in provisions_for(t, when, illegal_debt=illegal_debt):
            old = best.get(ref.id)
            if old is None or (old.role == "supporting" and ref.role == "primary"):
                best[ref.id] = ref
    order = {"primary": 0, "supporting": 1}
    return sorted(best.values(), key=lambda r: order[r.role])  # stable: keeps mapping order within a role


# ---------------------------------------------------------------- kinds and rendering


def is_statute(p: Provision) -> bool:
    """True for 法律 and 行政法规 only: not judicial interpretations, regulator rules or industry norms."""
    return p.kind == "statute"


def is_industry_norm(p: Provision) -> bool:
    """GB/T 45251—2025, 中国银行业协会 guideline: norms, not law; word breaches as 违反行业规范."""
    return p.kind == "industry_norm"


def format_citation(p: Provision) -> str:
    """Short Chinese citation. An unconfirmed number is never printed:

    《刑法》第二百九十三条之一（催收非法债务罪）
    《治安管理处罚法》（2025年修订）关于冒充国家机关工作人员招摇撞骗的规定（条文序号待核）
    两高《关于办理寻衅滋事刑事案件适用法律若干问题的解释》第一条第三款、第三条（……）
    """
    show_version = p.version_group is not None or p.kind in ("regulation", "industry_norm") or "〔" in p.version
    title = f"{p.issuer or ''}《{p.short_title}》" + (f"（{p.version}）" if show_version else "")
    if p.article is None:
        return f"{title}关于{p.offence}的规定（条文序号待核）"
    caveat = f"；{p.article_caveat}" if p.article_caveat else ""
    return f"{title}{p.article}（{p.offence}{caveat}）"


# ---------------------------------------------------------------- never-cite

_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
_CODE = re.compile(r"<(style|script)\b.*?</\1\s*>", re.S | re.I)


def _normalise(text: str) -> str:
    if _TAG.search(text):  # HTML: drop CSS/JS (widths like 24% … 36% are not citations), then the tags
        text = _TAG.sub("", _CODE.sub("", text))
    return unicodedata.normalize("NFKC", html.unescape(text))


def _as_dates(message_dates) -> list[date]:
    if message_dates is None:
        return []
    if isinstance(message_dates, (date, datetime)):
        message_dates = [message_dates]
    return [local_date(d) for d in message_dates if d is not None]


def find_never_cite(
    text: str, *, message_dates: datetime | date | Iterable[datetime | date] | None = None
) -> list[str]:
    """Violations of the never-cite list in a generated text (plain text, Markdown or HTML).

    Each item reads ``"<rule id>: <why>（README <ref>）：「<matched text>」"``; empty list = clean.
    ``message_dates``: the dates of the messages this text cites law for. With them, 治安管理处罚法 第四十二条
    is flagged when every message is from 2026-01-01 on, and the 2025 revision when every message is earlier.
    Check per message or per section when a report spans both periods.
    """
    norm = _normalise(text)
    days = _as_dates(message_dates)
    found: list[str] = []
    seen: set[tuple[str, str]] = set()
    for rule in _rules():
        if rule.context == "all_messages_from_2026" and not (days and min(days) >= PSAPL_SWITCH):
            continue
        if rule.context == "all_messages_before_2026" and not (days and max(days) < PSAPL_SWITCH):
            continue
        for pat in rule.patterns:
            for m in pat.finditer(norm):
                key = (rule.id, m.group(0))
                if key not in seen:
                    seen.add(key)
                    found.append(f"{rule.id}: {rule.what}（README {rule.readme}）：「{m.group(0)}」")
    return found
