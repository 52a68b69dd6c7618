"""Renderers: turn computed results (a ReportContext) into files. They compute nothing legal or statistical.

`ReportContext` is built by `cuishou.pipeline`; every renderer is a pure function of it, so each can be
tested on a hand-built context without the model, the readers or the law registry.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Cite:
    """A provision as shown in a report (flattened from `cuishou.law.ProvisionRef`)."""
    id: str
    citation: str          # format_citation(p), e.g. 《治安管理处罚法》（2012）第四十二条
    text: str              # verbatim excerpt
    source: str
    confidence: str        # "V" verified / "S" secondary
    kind: str = "statute"  # statute | judicial_interpretation | regulation | industry_norm (cuishou.law kinds)
    note: str = ""
    unconfirmed: bool = False   # article number not confirmed: offence named without a number
    version: str = ""
    short: str = ""        # compact form for per-message lists (full citation is in the notes)
    role: str = "primary"  # primary: shown beside each message; supporting: listed once per category

    @property
    def legal(self) -> bool:
        """Law proper (statutes, judicial interpretations), as opposed to regulator rules and industry norms."""
        return self.kind in ("statute", "judicial_interpretation")


#: how the report groups provisions, in this order; industry norms are never presented as law
KIND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("法律法规、司法解释", ("statute", "judicial_interpretation")),
    ("监管规定", ("regulation",)),
    ("行业规范（不是法律，违反不等于违法）", ("industry_norm",)),
)


@dataclass
class EvidenceItem:
    """One flagged message as every renderer shows it (display fields already masked if asked)."""
    eid: str
    msg_id: str
    labels: tuple[str, ...]
    address: str            # display form (verbatim unless masked)
    contact_name: str
    direction: str          # "in" / "out"
    kind: str
    local_time: str         # YYYY-MM-DD HH:MM:SS in `tz`
    tz: str
    time_utc: str
    time_raw: str
    body: str               # display form (verbatim unless masked)
    phrases: tuple[str, ...]
    scores: dict            # label -> probability
    score: float            # highest probability among the item's labels
    source_file: str
    source_ref: str
    source_sha256: str
    record_sha256: str
    blocked: bool
    platform: str
    recipient: str          # "third_party" when the text addresses someone other than the debtor
    local_date: object = None
    cites: tuple[Cite, ...] = ()        # primary provisions for this message's labels on its date
    supporting: tuple[Cite, ...] = ()   # supporting provisions of all its labels (for the notes)
    supporting_by_label: dict = field(default_factory=dict)  # label → its own supporting provisions


@dataclass
class FindingView:
    finding: object         # cuishou.findings.Finding
    title: str
    detail: str
    cites: tuple[Cite, ...] = ()


@dataclass
class ReportContext:
    generated_utc: str
    tool_version: str
    argv: list[str]
    tz: str
    own_numbers: tuple[str, ...]
    own_name: str | None
    include_labels: tuple[str, ...]
    masked: bool
    files: list                 # schema.SourceFile
    skips: list                 # schema.Skip
    accounting: dict            # read, labelled, reader_skipped, classify_skipped{reason:n}, merged
    items: list[EvidenceItem]
    findings: list[FindingView]
    daily: pd.DataFrame         # index local date, columns category zh, values counts
    category_colors: dict
    counts: dict                # label -> n flagged; plus "lawful", "other", "calls"
    collectors: list[dict]      # per sender summary rows
    model_meta: dict
    notes: list[Cite]           # every provision shown, in first-use order
    time_range: tuple[str, str]
    warnings: list[str] = field(default_factory=list)


__all__ = ["KIND_GROUPS", "Cite", "EvidenceItem", "FindingView", "ReportContext"]
