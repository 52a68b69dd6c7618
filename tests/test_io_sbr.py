"""SMS Backup & Restore XML (sms, mms, calls) and the XML bad-input cases: truncation, invalid references,
wrong encodings, entity bombs, giant attributes, chunk boundaries of the streaming repair pass."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import build_exports as B  # noqa: E402

from cuishou.errors import InputError  # noqa: E402
from cuishou.io import detect_format, read_exports  # noqa: E402
from cuishou.io import xmlrepair  # noqa: E402

EX = Path(__file__).resolve().parent / "fixtures" / "exports"


def _one(path, **kw):
    r = read_exports([path], **kw)
    assert len(r.files) == 1
    f = r.files[0]
    assert f.read == f.parsed + f.skipped
    return r, f


def test_sbr_sms_fields():
    r, f = _one(EX / "sms-20260102.xml")
    assert detect_format(EX / "sms-20260102.xml") == "sbr_xml"
    t = r.table.set_index("source_ref")
    assert (f.read, f.parsed, f.skipped) == (7, 6, 1)
    first = t.loc["sms[1]"]
    assert first.address == "+8613800000001" and first.direction == "in" and first.kind == "sms"
    assert first.time_utc == "2026-01-02T03:04:05.000Z"  # from date, not the bogus readable_date (2099)
    assert first.time_raw == "1767323045000"
    assert first.contact_name == ""  # "(Unknown)" means none
    assert t.loc["sms[2]"].direction == "out"
    assert t.loc["sms[3]"].body == "还钱😡不然后果自负"
    assert any("代理对" in n for n in f.notes)
    assert t.loc["sms[5]"].body == ""  # empty body kept
    assert t.loc["sms[6]"].body == "A&B 两行\n第二行"
    mms = t.loc["mms[1]"]
    assert mms.kind == "mms" and mms.address == "+8613800000004" and mms.body == "【某贷】您已逾期，请立即处理"
    assert [(s.ref, s.reason) for s in r.skips] == [("sms[4]", "草稿（未发送），不作为收发记录")]
    assert r.skips[0].file == str(EX / "sms-20260102.xml")
    assert set(r.table.source_sha256) == {f.sha256}


def test_sbr_calls():
    r, f = _one(EX / "calls-20260102.xml")
    t = r.table
    assert list(t.kind) == ["call"] * 4
    assert list(t.direction) == ["in", "out", "in", "in"]
    assert list(t.call_duration_s) == [60.0, 0.0, 0.0, 0.0]
    assert list(t.blocked) == [False, False, False, True]  # type 6 = blocked by the phone
    assert set(t.body) == {""}


def test_truncated_xml_keeps_records_before_break(tmp_path):
    full = B.sbr_sms_text()
    p = tmp_path / "cut.xml"
    p.write_text(full[: full.index("<parts>") + 10], encoding="utf-8")
    r, f = _one(p)
    assert list(r.table.source_ref) == ["sms[1]", "sms[2]", "sms[3]", "sms[5]"]
    assert ("mms[1]", "记录不完整：文件在第 11 行处中断") in [(s.ref, s.reason) for s in r.skips]
    assert any("第 11 行" in n and "中断" in n for n in f.notes)
    assert any("count=7" in n for n in f.notes)


def test_truncated_between_records(tmp_path):
    full = B.sbr_sms_text()
    p = tmp_path / "cut.xml"
    p.write_text(full[: full.index("/>", full.index("<sms")) + 3], encoding="utf-8")
    r, f = _one(p)
    assert f.parsed == 1 and f.skipped == 0
    assert any("中断" in n for n in f.notes)


def test_invalid_character_references_replaced_and_logged(tmp_path):
    p = tmp_path / "bad.xml"
    p.write_text(B.SBR_HEADER + '<smses count="2">\n'
                 + B.sbr_sms("13800000001", B.T0_MS, 1, "a&#1;b&#55357;c&#xDE00;d&#x1F600;")
                 + B.sbr_sms("13800000001", B.T0_MS, 1, "raw\x01ctl") + "</smses>\n", encoding="utf-8")
    r, f = _one(p)
    assert list(r.table.body) == ["a\ufffdb\ufffdc\ufffdd😀", "raw\ufffdctl"]
    assert any("3 处" in n and "U+FFFD" in n for n in f.notes)
    assert any("控制字符" in n for n in f.notes)


@pytest.mark.parametrize("chunk", [3, 7, 16, 29])
def test_repair_stream_chunk_boundaries(monkeypatch, chunk):
    """Surrogate pairs and references straddling a read boundary are still repaired."""
    monkeypatch.setattr(xmlrepair, "_CHUNK", chunk)
    r, f = _one(EX / "sms-20260102.xml")
    assert "还钱😡不然后果自负" in set(r.table.body)
    assert f.parsed == 6


def test_gbk_bytes_declared_utf8(tmp_path):
    p = tmp_path / "gbk.xml"
    p.write_bytes(B.sbr_sms_text().encode("gbk", errors="ignore"))
    r, f = _one(p)
    assert r.table.body.iloc[0] == "再不还款明天就去你单位"
    assert any("GB18030" in n for n in f.notes)


def test_utf16_xml(tmp_path):
    p = tmp_path / "u16.xml"
    p.write_bytes(B.sbr_sms_text().replace("encoding='UTF-8'", "encoding='UTF-16'").encode("utf-16"))
    assert detect_format(p) == "sbr_xml"
    r, f = _one(p)
    assert f.parsed == 6 and r.table.body.iloc[0] == "再不还款明天就去你单位"


def test_undecodable_file_is_an_input_error(tmp_path):
    p = tmp_path / "latin.xml"
    p.write_bytes(b"<?xml version='1.0' encoding='UTF-8'?>\n<smses count='1'><sms body='\xff\xfe\x80\x81\xff' "
                  b"address='1' date='1767323045000' type='1'/></smses>")
    with pytest.raises(InputError, match="编码"):
        read_exports([p])


@pytest.mark.parametrize("dtd", [
    '<!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    '<!DOCTYPE smses [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
])
def test_entity_bomb_and_external_entity_refused(tmp_path, dtd):
    p = tmp_path / "bomb.xml"
    p.write_text(f'<?xml version="1.0"?>\n{dtd}\n<smses count="1"><sms address="1" date="{B.T0_MS}" type="1" '
                 'body="&d;"/></smses>\n'.replace("&d;", "&x;" if "SYSTEM" in dtd else "&d;"))
    with pytest.raises(InputError, match="实体") as e:
        read_exports([p])
    assert str(p) in str(e.value)


def test_giant_attribute_50mb(tmp_path):
    body = "催" * (50 * 1024 * 1024 // 3)
    p = tmp_path / "big.xml"
    p.write_text(B.SBR_HEADER + '<smses count="2">\n' + B.sbr_sms("13800000001", B.T0_MS, 1, body)
                 + B.sbr_sms("13800000002", B.T0_MS, 1, "after") + "</smses>\n", encoding="utf-8")
    r, f = _one(p)
    assert f.parsed == 2 and len(r.table.body.iloc[0]) == len(body) and r.table.body.iloc[1] == "after"


def test_many_records_streamed(tmp_path):
    p = tmp_path / "many.xml"
    B.write_sbr_big(p, 20_000)
    r, f = _one(p)
    assert f.parsed == 20_000 and r.table.msg_id.is_unique
    assert r.table.source_ref.iloc[-1] == "sms[20000]"
