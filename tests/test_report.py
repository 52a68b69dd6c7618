"""Renderers and report assembly on hand-built tables: escaping, highlighting, provisions by date,
formula neutralisation, complaint drafts, masking, and atomic writes."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from report_checks import FakeRead, labelled_table, never_cite_guard  # noqa: F401  (autouse guard)

from cuishou.pipeline import build_context, render_all
from cuishou.report.complaints import NIFA_LIMIT, draft_nifa, lines_12321
from cuishou.report.html import highlight, render_html, timeline_svg
from cuishou.report.masking import Masker, mask_number, third_party_names
from cuishou.report.spreadsheets import neutralise
from cuishou.schema import SourceFile

COLLECTOR, FRIEND = "13800000201", "+8613800000501"
META = {"name": "test-model", "created": "2026-01-01", "model_sha256": "ab" * 32,
        "thresholds": {"threat": 0.5}, "versions": {"scikit-learn": "x"}}


def _table():
    return labelled_table([
        {"address": COLLECTOR, "time_utc": "2025-12-12T15:40:00Z", "labels": "threat",
         "body": "装死是吧？<script>alert(1)</script> 明晚带几个兄弟去你家门口等你 & 你的同事李娜也会知道",
         "evidence": "threat:带几个兄弟|家门口"},
        {"address": COLLECTOR, "time_utc": "2026-01-03T02:15:00Z", "labels": "threat;impersonation",
         "body": "【法院执行局】你的案件已进入强制执行程序，联系专员13800000202可撤案，或找你朋友13800000777。",
         "evidence": "threat:强制执行;impersonation:法院执行局"},
        {"address": COLLECTOR, "time_utc": "2026-01-04T02:15:00Z", "labels": "insult", "body": "=HYPERLINK(\"x\")老赖",
         "evidence": "insult:老赖"},
        {"address": "106900000011", "time_utc": "2025-12-26T02:10:00Z", "collection": 1,
         "body": "【招商银行】您尾号3421的信用卡本期账单金额2,356.80元。"},
        {"address": FRIEND, "time_utc": "2025-12-20T10:03:00Z", "body": "伟哥，刚才有人给我发短信说你欠钱",
         "contact_name": "李娜"},
        {"address": COLLECTOR, "time_utc": "2025-12-20T10:00:00Z", "body": "", "kind": "call", "call_duration_s": 0.0},
        {"address": COLLECTOR, "time_utc": "2025-12-14T02:22:00Z", "body": "我15号先还一部分", "direction": "out",
         "labels": "threat"},
    ])


def _ctx(**kw):
    files = [SourceFile(path="sms-test.xml", sha256="f" * 64, size=123, format="sbr_xml", read=7, parsed=7)]
    return build_context(_table(), FakeRead(_table(), files), model_meta=META, argv=["cuishou", "report"],
                         generated_utc="2026-03-10T00:00:00Z", own_numbers=("13800000001",), own_name="张伟", **kw)


def test_context_lists_received_flagged_messages_in_time_order():
    ctx = _ctx()
    assert [it.eid for it in ctx.items] == ["E-0001", "E-0002", "E-0003"]
    assert [it.labels for it in ctx.items] == [("threat",), ("threat", "impersonation"), ("insult",)]
    assert ctx.items[0].local_time == "2025-12-12 23:40:00" and ctx.items[0].tz == "Asia/Shanghai"
    assert ctx.counts["sent_flagged"] == 1 and any("本机发出" in w for w in ctx.warnings)
    assert ctx.accounting["read"] == 7 and ctx.accounting["labelled"] == 6
    assert ctx.accounting["classify_skipped"] == {"通话记录": 1}


def test_provisions_follow_the_message_date():
    """治安管理处罚法: 2012 numbering before 2026-01-01, the 2025 revision from then on (law README §2)."""
    ctx = _ctx()
    before, after = ctx.items[0], ctx.items[1]
    ids_before = {c.id for c in before.cites}
    ids_after = {c.id for c in after.cites}
    assert "PSAPL12-42" in ids_before and not any(i.startswith("PSAPL25") for i in ids_before)
    assert any(i.startswith("PSAPL25-50") for i in ids_after) and not any(i.startswith("PSAPL12") for i in ids_after)
    assert "CL-293-1" not in ids_before | ids_after        # needs an illegal-debt signal the tool cannot see
    assert all(c.role == "primary" for it in ctx.items for c in it.cites)


def test_html_is_escaped_self_contained_and_ordered():
    ctx = _ctx()
    html = render_html(ctx)
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; 你的同事" in html
    assert "<mark>带几个兄弟</mark>" in html and "<mark>家门口</mark>" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", html), "no external resources"
    assert "@page { size: A4" in html
    order = [html.index(s) for s in ('id="summary"', 'id="timeline"', 'id="findings"', 'id="messages"',
                                     'id="notes"', 'id="method"')]
    assert order == sorted(order)
    assert "<svg" in html and "2026-01-01 起适用修订后的治安管理处罚法" in html
    for needle in ("不是法律意见", "不能证明", "ab" * 32, "行业规范（不是法律", "conf-V", "Asia/Shanghai"):
        assert needle in html, needle
    # statutes and industry norms are listed under separate headings in the notes
    notes = html[html.index('id="notes"'):html.index('id="files"')]
    assert notes.index("法律法规、司法解释") < notes.index("行业规范（不是法律")


def test_highlight_merges_overlaps_and_escapes_inside_marks():
    assert highlight("a<b>c", ["<b>"]) == "a<mark>&lt;b&gt;</mark>c"
    assert highlight("上门堵你", ["上门", "门堵"]) == "<mark>上门堵</mark>你"
    assert highlight("x\ny", []) == "x<br>y"


def test_timeline_keeps_empty_days_and_stacks_categories():
    import datetime as dt

    import pandas as pd
    d = pd.DataFrame({"威胁恐吓": [2, 1], "合法催收提醒": [1, 0]}, index=[dt.date(2025, 12, 30), dt.date(2026, 1, 2)])
    svg = timeline_svg(d, {"威胁恐吓": "#c0392b", "合法催收提醒": "#aab7b8"})
    assert svg.count("<rect x=") - 2 == 3                # 3 bars (legend swatches excluded)
    assert "12-30" in svg and "2026-01-01 起适用" in svg


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"), ("-abc", "'-abc"), ("\t=1", "'\t=1"), ("+86 138 0000 0000", "'+86 138 0000 0000"),
    ("+8613800000000", "+8613800000000"), ("-5", "-5"), ("+3.5", "+3.5"), ("13800000000", "13800000000"),
    ("还钱=1", "还钱=1"), ("", ""),
])
def test_formula_neutralisation(value, expected):
    assert neutralise(value) == expected


def test_evidence_csv_and_xlsx():
    from openpyxl import load_workbook

    files = render_all(_ctx())
    raw = files["evidence.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    head, body = rows[0], rows[1:]
    assert {"短信内容", "发件人", "收件人", "发(收)时间（当地）", "保存位置", "原始文件SHA-256", "记录SHA-256"} <= set(head)
    col = {h: i for i, h in enumerate(head)}
    assert len(body) == 3
    assert body[2][col["短信内容"]].startswith("'=HYPERLINK")
    assert body[0][col["发件人"]] == COLLECTOR and body[0][col["收件人"]] == "13800000001"
    assert body[0][col["保存位置"]].startswith("收件箱；sms-test.xml sms[1]")
    wb = load_workbook(io.BytesIO(files["evidence.xlsx"]))
    ws = wb["电子数据清单"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert all(c.data_type == "s" for c in cells if c.value is not None)
    assert any(c.value == "'=HYPERLINK(\"x\")老赖" for c in cells)
    assert any(c.value == COLLECTOR for c in cells)


def test_complaints_are_filled_with_placeholders_for_unknowns():
    files = render_all(_ctx())
    names = {k for k in files if k.startswith("complaints/")}
    assert {"complaints/12378_金融监管投诉.md", "complaints/互金协会举报.md", "complaints/12321_短信举报.txt",
            "complaints/报案材料.md", "complaints/民事起诉_事实部分.md"} <= names
    police = files["complaints/报案材料.md"].decode()
    assert "张伟" in police and "【待填写：身份证号码】" in police and "受案回执" in police
    assert "E-0001" in police and COLLECTOR in police
    nifa = files["complaints/互金协会举报.md"].decode()
    assert "2 MB" in nifa and "【待填写：公司注册地址或办公地址" in nifa
    lines = files["complaints/12321_短信举报.txt"].decode().splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{COLLECTOR}*") for line in lines)


def test_12321_lines_are_single_line_and_nifa_flags_big_attachments():
    ctx = _ctx()
    ctx.items[0].body = "第一行\n第二行"
    assert lines_12321(ctx).splitlines()[0] == f"{COLLECTOR}*第一行 第二行"
    text = draft_nifa(ctx, {"report.html": NIFA_LIMIT + 1, "evidence.csv": 1000})
    assert "超过 2 MB" in text and "可直接上传" in text


def test_mask_third_parties():
    ctx = _ctx(mask_third_parties=True)
    body0, body1 = ctx.items[0].body, ctx.items[1].body
    assert "李娜" not in body0 and "李*" in body0
    assert "13800000777" not in body1 and "138******77" in body1
    assert "13800000202" not in body1                    # a number in the text is masked unless it is a collector's
    assert ctx.items[0].address == COLLECTOR              # collectors stay verbatim
    html = render_html(ctx)
    assert "李娜" not in html and "遮盖只影响显示" in html
    assert mask_number("+8613800000501") == "+86138******01"
    m = Masker(enabled=False, names={"李娜"})
    assert m.text("李娜 13800000777") == "李娜 13800000777"
    assert third_party_names(["您是王磊的紧急联系人"], ["妈妈", "(Unknown)"], own_name="张伟") == {"王磊"}


def test_include_labels_limits_sections_and_counts():
    ctx = _ctx(include_labels=("insult",))
    assert [it.labels for it in ctx.items] == [("insult",)]
    assert ctx.counts["excluded"] == 2
    html = render_html(ctx)
    assert 'id="cat-insult"' in html and 'id="cat-threat"' not in html


def test_report_write_is_atomic(tmp_path, monkeypatch):
    """A failure in the middle of writing leaves neither the target folder nor a temporary one behind."""
    import cuishou.pipeline as pl

    monkeypatch.setattr(pl, "analyse", lambda inputs, **kw: (_ctx(), None))
    out = tmp_path / "report"
    s = pl.build_report(["x"], out)
    assert (out / "report.html").exists() and s.flagged == 3
    assert set(s.outputs) >= {"report.html", "evidence.csv", "evidence.xlsx", "summary.json"}

    calls = {"n": 0}
    real = pl.atomic_write_bytes

    def boom(path, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full (simulated)")
        real(path, data)

    monkeypatch.setattr(pl, "atomic_write_bytes", boom)
    out2 = tmp_path / "report2"
    with pytest.raises(OSError):
        pl.build_report(["x"], out2)
    assert not out2.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    # a failed re-run over an existing report leaves the old one intact
    calls["n"] = 0
    before = (out / "report.html").read_bytes()
    with pytest.raises(OSError):
        pl.build_report(["x"], out)
    assert (out / "report.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_refuses_to_overwrite_an_unrelated_folder(tmp_path, monkeypatch):
    import cuishou.pipeline as pl
    from cuishou.errors import InputError

    monkeypatch.setattr(pl, "analyse", lambda inputs, **kw: (_ctx(), None))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("x")
    with pytest.raises(InputError):
        pl.build_report(["x"], tmp_path / "mine")
    assert (tmp_path / "mine" / "thesis.docx").exists()


def test_never_cite_guard_catches_a_bad_citation():
    from report_checks import never_cite_problems

    from cuishou.report import Cite
    ctx = _ctx()
    bad = Cite(id="X", citation="《民法典》第六百七十一条", text="超过LPR四倍的部分不予支持", source="", confidence="S")
    ctx.items[0].cites = (bad,)
    assert never_cite_problems(ctx, {"report.html": render_html(ctx).encode()})


def test_summary_json_matches_items():
    import json
    files = render_all(_ctx())
    s = json.loads(files["summary.json"])
    assert [i["eid"] for i in s["items"]] == ["E-0001", "E-0002", "E-0003"]
    assert s["model"]["sha256"] == "ab" * 32
    assert Path  # keep import used


def test_category_support_lists_only_that_categorys_provisions():
    """The threat+impersonation message must not carry impersonation-only provisions into the threat section."""
    from cuishou.law import provisions_for

    ctx = _ctx()
    item = next(it for it in ctx.items if set(it.labels) == {"threat", "impersonation"})
    day = item.local_date
    threat_ids = {r.provision.id for r in provisions_for("threat", day)}
    imp_only = {r.provision.id for r in provisions_for("impersonation", day)} - threat_ids
    assert imp_only, "the registry should have impersonation-only provisions (e.g. 刑法第二百七十九条)"
    assert {c.id for c in item.supporting_by_label["threat"]} <= threat_ids
    assert not {c.id for c in item.supporting_by_label["threat"]} & imp_only
    # the union (used for the notes) still has everything
    assert {c.id for c in item.supporting} >= {c.id for c in item.supporting_by_label["impersonation"]}
