"""vMessage (.vmsg/.vmg) and 超级备份 XML."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import build_exports as B  # noqa: E402

from cuishou.io import detect_format, read_exports  # noqa: E402

EX = Path(__file__).resolve().parent / "fixtures" / "exports"


def test_vmsg():
    assert detect_format(EX / "sms.vmsg") == "vmsg"
    r = read_exports(EX / "sms.vmsg")
    t = r.table
    assert list(t.body) == ["再不还钱就去你家", "好的", "链接 http://example.invalid/pay"]  # QP soft break joined
    assert list(t.direction) == ["in", "out", "in"]
    assert list(t.address) == ["+8613800000100", "13800000100", "13800000101"]
    assert t.time_utc.tolist() == ["2026-01-02T03:04:05.000Z", "2026-01-02T03:05:05.000Z", "2026-01-02T03:06:05.000Z"]
    assert t.time_raw.iloc[1] == str(B.T0_MS + 60_000)  # DateOrigin preferred
    assert t.source_ref.iloc[0] == "vmsg[1] line 1"
    notes = r.files[0].notes
    assert any("本地时间" in n for n in notes) and any("GMT" in n for n in notes)


def test_vmsg_truncated(tmp_path):
    text = B.vmsg_text()
    p = tmp_path / "cut.vmsg"
    p.write_text(text[:-60], encoding="utf-8")
    r = read_exports(p)
    f = r.files[0]
    assert (f.read, f.parsed, f.skipped) == (3, 2, 1)
    assert "END:VMSG" in r.skips[0].reason and any("截断" in n for n in f.notes)


def test_vmsg_name_does_not_matter(tmp_path):
    p = tmp_path / "backup.txt"
    p.write_text(B.vmsg_text(), encoding="utf-8")
    assert detect_format(p) == "vmsg"


def test_superbackup_sms_and_calls():
    assert detect_format(EX / "superbackup_sms.xml") == "superbackup_xml"
    r = read_exports([EX / "superbackup_sms.xml", EX / "superbackup_calls.xml"])
    t = r.table
    sms = t[t.kind == "sms"]
    assert list(sms.direction) == ["in", "out", "in"] and sms.contact_name.iloc[2] == "李四"
    assert sms.time_utc.iloc[0] == "2026-01-02T03:04:05.000Z" and sms.body.iloc[2] == ""
    calls = t[t.kind == "call"]
    assert list(calls.call_duration_s) == [15.0, 0.0] and list(calls.source_ref) == ["log[1]", "log[2]"]
