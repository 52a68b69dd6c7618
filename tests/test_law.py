"""Law registry: verbatim excerpts, mapping, date switch, unconfirmed numbers, never-cite list, kinds."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import cuishou.law as law
from cuishou.labels import VIOLATION_NAMES
from cuishou.law import (
    find_never_cite,
    format_citation,
    get,
    is_industry_norm,
    is_statute,
    provisions_for,
    provisions_for_tags,
)

SHARED = Path(__file__).parents[1].parent / "shared"
LAW_DIR = SHARED / "law"
TEXTS = LAW_DIR / "texts"
SH = ZoneInfo("Asia/Shanghai")

FINDINGS = ("night", "frequency", "third_party_recipient", "multi_number", "calls", "usury_hint")
ALL_TAGS = (*VIOLATION_NAMES, *FINDINGS)
U_IDS = ("PSAPL25-PI", "PSAPL25-EXTORT", "PSAPL25-IMPERSONATE", "PSAPL25-XUNXIN")
SAMPLE_WHENS = (
    None,
    date(2021, 6, 1),
    datetime(2025, 6, 1, 12, 0, tzinfo=SH),
    datetime(2025, 12, 31, 23, 59, tzinfo=SH),
    datetime(2026, 1, 1, 0, 0, tzinfo=SH),
    date(2026, 3, 1),
)
_WS = re.compile(r"\s+")


def _squash(s: str) -> str:
    return _WS.sub("", s)


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not shipped with the package)")
    return path


def _mapping_raw() -> dict:
    return json.loads(resources.files("cuishou.law").joinpath("mapping.json").read_text("utf-8"))


def _ids(refs) -> list[str]:
    return [r.id for r in refs]


# ---------------------------------------------------------------- excerpts


def test_v_excerpts_are_verbatim_in_shared_texts():
    texts = _need(TEXTS)
    checked = 0
    for p in law.all_provisions():
        if p.confidence != "V":
            continue
        src = texts / p.text_file
        assert src.is_file(), f"{p.id}: {p.text_file} not in {texts}"
        body = _squash(src.read_text("utf-8"))
        assert p.fragments, p.id
        for frag in p.fragments:
            assert len(_squash(frag)) >= 4, f"{p.id}: fragment too short to be evidence: {frag!r}"
            assert _squash(frag) in body, f"{p.id}: not verbatim in {p.text_file}: {frag[:40]!r}"
            checked += 1
    assert checked >= 60


def test_s_quotes_are_as_the_readme_gives_them():
    readme = _squash(_need(LAW_DIR / "README.md").read_text("utf-8")).replace("**", "")
    for p in law.all_provisions():
        if p.confidence == "S":
            for frag in p.fragments:
                assert _squash(frag) in readme, f"{p.id}: S quote not found in README: {frag[:40]!r}"


def test_v_sources_name_the_lrb_file():
    for p in law.all_provisions():
        if p.confidence == "V":
            assert p.source.startswith("LRB:") and p.source.endswith(".md"), p.id
            assert p.source_url.startswith("https://github.com/LawRefBook/Laws/blob/2f4c5c2"), p.id
        else:
            assert p.text_file is None, p.id


def test_registry_schema():
    provs = law.all_provisions()
    assert len({p.id for p in provs}) == len(provs)
    for p in provs:
        assert p.confidence in ("V", "S"), p.id
        assert p.kind in law.KIND_ZH, p.id
        assert p.law and p.offence and p.version and p.note is not None, p.id
        if p.in_force_from and p.in_force_to:
            assert p.in_force_from <= p.in_force_to, p.id
    for pid in ("CC-671", "NIFA-2018"):
        with pytest.raises(KeyError):
            get(pid)


# ---------------------------------------------------------------- mapping


def test_every_mapped_id_exists_and_every_tag_is_mapped():
    known = {p.id for p in law.all_provisions()}
    raw = _mapping_raw()["tags"]
    for tag, spec in raw.items():
        for role in ("primary", "supporting"):
            for e in spec[role]:
                pid = e if isinstance(e, str) else e["id"]
                assert pid in known, f"{tag}.{role}: {pid}"
    assert set(ALL_TAGS) == set(raw) == set(law.tags())


def test_mapping_follows_readme_section_9():
    text = _need(LAW_DIR / "README.md").read_text("utf-8")
    block = json.loads(re.search(r"## 9\..*?```json\n(.*?)```", text, re.S).group(1))
    ours = {}
    for tag, spec in _mapping_raw()["tags"].items():
        ours[tag] = {role: {e if isinstance(e, str) else e["id"] for e in spec[role]} for role in ("primary", "supporting")}
    for cat, spec in block.items():
        if cat.startswith("_"):
            continue
        tag = "usury_hint" if cat == "USURY" else cat.lower()
        for role in ("primary", "supporting"):
            missing = set(spec.get(role, ())) - ours[tag][role]
            assert not missing, f"{cat}.{role}: {missing}"
        missing = set(spec.get("pre_2026", ())) - ours[tag]["primary"] - ours[tag]["supporting"]
        assert not missing, f"{cat}.pre_2026: {missing}"
        assert not set(spec.get("never_cite", ())) & (ours[tag]["primary"] | ours[tag]["supporting"])


def test_unknown_tag_is_an_error():
    with pytest.raises(ValueError, match="未知"):
        provisions_for("violence", date(2026, 1, 1))


# ---------------------------------------------------------------- dates


def test_date_switch_at_midnight_beijing():
    before = _ids(provisions_for("threat", datetime(2025, 12, 31, 23, 59, tzinfo=SH)))
    after = _ids(provisions_for("threat", datetime(2026, 1, 1, 0, 0, tzinfo=SH)))
    assert "PSAPL12-42" in before and not any(i.startswith("PSAPL25") for i in before)
    assert "PSAPL25-50-1-5" in after and not any(i.startswith("PSAPL12") for i in after)
    # 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Beijing; a naive datetime is taken as Beijing time
    assert "PSAPL25-50-1-5" in _ids(provisions_for("threat", datetime(2025, 12, 31, 16, 30, tzinfo=timezone.utc)))
    assert "PSAPL12-42" in _ids(provisions_for("threat", datetime(2025, 12, 31, 23, 59)))
    assert "PSAPL12-42" in _ids(provisions_for("threat", datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=9)))))
    assert "PSAPL25-50-1-5" in _ids(provisions_for("insult", date(2026, 1, 1)))


@pytest.mark.parametrize("tag", ALL_TAGS)
def test_exactly_one_psapl_version_per_dated_message(tag):
    for when in SAMPLE_WHENS[1:]:
        ids = _ids(provisions_for(tag, when, illegal_debt=True))
        old = any(i.startswith("PSAPL12") for i in ids)
        new = any(i.startswith("PSAPL25") for i in ids)
        assert not (old and new), (tag, when)


def test_unknown_date_lists_both_versions_with_a_note():
    refs = provisions_for("threat", None)
    ids = _ids(refs)
    assert "PSAPL12-42" in ids and "PSAPL25-50-1-5" in ids
    for r in refs:
        if r.id.startswith("PSAPL"):
            assert r.version_note and "2026年1月1日" in r.version_note
    assert all(r.version_note is None for r in provisions_for("threat", date(2026, 2, 1)))


def test_norms_not_yet_issued_are_left_out():
    assert "CBA-2026" not in _ids(provisions_for("night", date(2025, 12, 1)))
    assert "CBA-2026" in _ids(provisions_for("night", date(2026, 2, 1)))
    assert "STD-GBT45251" not in _ids(provisions_for("night", date(2025, 1, 1)))


# ---------------------------------------------------------------- unconfirmed numbers

_NUMBER = re.compile(r"第[一二三四五六七八九十百零〇\d]+条")


def test_u_items_have_no_number_and_name_the_offence():
    for pid in U_IDS:
        p = get(pid)
        assert p.article is None and p.offence and p.confidence != "U"
        c = format_citation(p)
        assert "条文序号待核" in c and p.offence in c and not _NUMBER.search(c), c
    assert (
        format_citation(get("PSAPL25-IMPERSONATE"))
        == "《治安管理处罚法》（2025年修订）关于冒充国家机关工作人员招摇撞骗的规定（条文序号待核）"
    )


def test_no_unconfirmed_number_is_ever_rendered():
    for p in law.all_provisions():
        c = format_citation(p)
        if p.article is None:
            assert "条文序号待核" in c and not _NUMBER.search(c), c
        if p.version_group == "PSAPL" and p.version == "2025年修订":
            shown = " ".join(filter(None, (c, p.text, p.note, p.offence)))
            assert not re.search(r"第(五十六|五十八|三十)条", shown), p.id
            for n in _NUMBER.findall(c):
                assert n == "第五十条", c  # the only confirmed number of the 2025 law
    assert "项号待核" in format_citation(get("PSAPL25-50-1-1"))
    assert format_citation(get("CL-293-1")) == "《刑法》第二百九十三条之一（催收非法债务罪）"


# ---------------------------------------------------------------- CL-293-1


@pytest.mark.parametrize("tag", ALL_TAGS)
def test_cl_293_1_only_with_illegal_debt(tag):
    for when in SAMPLE_WHENS:
        assert "CL-293-1" not in _ids(provisions_for(tag, when)), (tag, when)
    with_flag = _ids(provisions_for(tag, date(2026, 3, 1), illegal_debt=True))
    assert ("CL-293-1" in with_flag) == (tag in ("threat", "third_party", "third_party_recipient", "usury_hint"))
    assert "CL-293-1" not in _ids(provisions_for(tag, date(2021, 2, 1), illegal_debt=True))  # before 2021-03-01


def test_conditional_wording_for_thresholds():
    insult = {r.id: r for r in provisions_for("insult", date(2026, 3, 1))}
    assert "公然" in insult["CL-246"].condition and "情节严重" in insult["CL-246"].condition
    assert "才可能" in insult["JI-DEFAME-2013"].condition and "网上发布" in insult["JI-DEFAME-2013"].condition
    privacy = {r.id: r for r in provisions_for("privacy", date(2026, 3, 1))}
    assert "情节严重" in privacy["CL-253-1"].condition and privacy["JI-PI-2017"].condition
    threat = {r.id: r for r in provisions_for("threat", date(2026, 3, 1), illegal_debt=True)}
    assert "非法债务" in threat["CL-293-1"].condition and "一般不认定" in threat["CL-293"].condition


def test_union_over_tags_keeps_each_provision_once_primary_first():
    refs = provisions_for_tags(["frequency", "threat"], date(2026, 3, 1))
    ids = _ids(refs)
    assert len(ids) == len(set(ids))
    assert {r.id: r.role for r in refs}["PSAPL25-50-1-5"] == "primary"  # supporting for frequency, primary for threat
    roles = [r.role for r in refs]
    assert roles == sorted(roles, key=("primary", "supporting").index)


# ---------------------------------------------------------------- never cite

BAD = [
    ("依据《民法典》第六百七十一条，超过LPR四倍的部分不予支持", "NC-CC671"),
    ("民法典第671条规定利率上限", "NC-CC671"),
    ("<td>《民法典》<b>第六百七十一条</b></td>", "NC-CC671"),
    ("年利率24%以内受保护，24%–36%为自然债务，超过36%无效", "NC-24-36"),
    ("年利率２４％至３６％之间", "NC-24-36"),
    ("LPR四倍（2025年为13.8%）", "NC-LPR-13.8"),
    ("情节严重的，处五日以上十日以下拘留", "NC-PSAPL42-MISQUOTE"),
    ("《互联网金融逾期债务催收自律公约》第16条：8:00-22:00", "NC-NIFA-2018"),
    ("依据催收自律公约，禁止在21:00至次日8:00联系", "NC-NIFA-2018"),
    ("只能在8:00-20:00催收，每日不超过3次", "NC-NIFA-2018"),
    ("GB/T 45251规定催收数据至少保存5年", "NC-GBT-5Y"),
    ("《商业银行信用卡业务监督管理办法》第68条：应当对债务人信息保密，不得泄露给第三方", "NC-CBRC68-PARAPHRASE"),
    ("《个人信息保护法》第24条禁止催收机器人来电", "NC-PIPL-24"),
    ("可以向银保监会投诉", "NC-CBIRC-TARGET"),
    ("拨打银保监会热线", "NC-CBIRC-TARGET"),
    ("国家机关或者金融、电信、交通、教育、医疗等单位的工作人员", "NC-CL253-1-OLD"),
    ("《中国金融消费者权益保护实施办法》第21条", "NC-PBOC-TITLE"),
    ("《治安管理处罚法》第五十六条（个人信息）", "NC-PSAPL25-UNVERIFIED-NUMBER"),
    ("《治安管理处罚法》（2025年修订）第五十八条", "NC-PSAPL25-UNVERIFIED-NUMBER"),
    ("治安管理处罚法第三十条 寻衅滋事", "NC-PSAPL25-UNVERIFIED-NUMBER"),
    ("《治安管理处罚法》（2012年修正）第五十条", "NC-PSAPL-VERSION-MIX"),
]


@pytest.mark.parametrize("text,rule", BAD)
def test_never_cite_catches_bad_citations(text, rule):
    hits = find_never_cite(text)
    assert any(h.startswith(rule + ":") for h in hits), (text, hits)


def test_psapl_42_needs_the_message_dates():
    t = "依据《治安管理处罚法》第四十二条第（五）项"
    assert not find_never_cite(t)
    assert not find_never_cite(t, message_dates=[date(2025, 11, 1)])
    assert not find_never_cite(t, message_dates=[date(2025, 11, 1), date(2026, 2, 1)])  # mixed: 42 covers the old ones
    hits = find_never_cite(t, message_dates=[datetime(2026, 1, 1, 0, 5, tzinfo=SH), date(2026, 2, 1)])
    assert any(h.startswith("NC-PSAPL12-42-FOR-2026:") for h in hits)
    assert any(h.startswith("NC-PSAPL12-42-FOR-2026:") for h in find_never_cite(t, message_dates=date(2026, 5, 1)))
    new = "《治安管理处罚法》（2025年修订）第五十条第一款第（五）项"
    assert not find_never_cite(new, message_dates=[date(2026, 5, 1)])
    assert any(h.startswith("NC-PSAPL25-FOR-PRE-2026:") for h in find_never_cite(new, message_dates=[date(2025, 5, 1)]))


GOOD = [
    "投诉渠道：国家金融监督管理总局（12378）",
    "《中国人民银行金融消费者权益保护实施办法》",
    "GB/T 45251—2025：双方未约定的，催收作业不应在每日22:00至次日8:00进行；相关记录至少保存2年",
    "《民法典》第六百八十条：禁止高利放贷",
    "请保留手机中的原始短信，并记录收到时间 08:15 与 21:40。",
    "《治安管理处罚法》（2012年修正）第四十二条；《刑法》第三十条；《民法典》第一千零三十三条",
    "<style>td{width:24%} th{width:36%}</style><p>《民法典》第六百八十条</p>",
]


@pytest.mark.parametrize("text", GOOD)
def test_never_cite_quiet_on_correct_statements(text):
    assert find_never_cite(text) == []


def test_never_cite_quiet_on_everything_the_registry_renders():
    for p in law.all_provisions():
        rendered = "\n".join(filter(None, (format_citation(p), p.law, p.offence, p.text, p.note, p.version)))
        days = [date(2025, 6, 1)] if p.version == "2012年修正" else [date(2026, 6, 1)] if p.version == "2025年修订" else None
        assert find_never_cite(rendered, message_dates=days) == [], p.id
    for tag in ALL_TAGS:
        for when in SAMPLE_WHENS:
            refs = provisions_for(tag, when, illegal_debt=True)
            rendered = "\n".join(
                "；".join(filter(None, (r.citation, r.condition, r.version_note, r.provision.note))) for r in refs
            )
            assert find_never_cite(rendered, message_dates=None if when is None else [when]) == [], (tag, when)


# ---------------------------------------------------------------- statutes vs norms


def test_statutes_and_industry_norms_are_separated():
    for pid in ("STD-GBT45251", "CBA-2026"):
        p = get(pid)
        assert is_industry_norm(p) and not is_statute(p) and "非法律" in p.note
    for pid in ("CL-293", "PSAPL12-42", "PSAPL25-50-1-5", "CC-1033", "PIPL-13"):
        assert is_statute(get(pid)) and not is_industry_norm(get(pid))
    for pid in ("JI-XUNXIN-2013", "SPC-PL-25", "CBRC-CC-68"):
        assert not is_statute(get(pid)) and not is_industry_norm(get(pid))
    for tag in ("night", "frequency", "calls"):
        primary = [r.provision for r in provisions_for(tag, date(2026, 3, 1)) if r.role == "primary"]
        assert primary and all(is_industry_norm(p) for p in primary), tag
    assert law.KIND_ZH["industry_norm"].endswith("（非法律）")
