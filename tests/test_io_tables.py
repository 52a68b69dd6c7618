"""Generic tables (CSV/XLSX/JSON): presets, mappings, encodings, missing columns, local times, giant cells."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import build_exports as B  # noqa: E402

from cuishou.errors import InputError  # noqa: E402
from cuishou.io import detect_format, read_exports  # noqa: E402
from cuishou.io.columns import normalize_mapping  # noqa: E402
from cuishou.io.times import parse_time_text  # noqa: E402

EX = Path(__file__).resolve().parent / "fixtures" / "exports"
ROWS = "号码,内容,时间,类型\n13800000001,再不还钱 后果自负,2026/1/2 11:04,收件箱\n13800000001,好,2026/1/2 11:05,发件箱\n"


def _one(path, **kw):
    r = read_exports([path], **kw)
    f = r.files[0]
    assert f.read == f.parsed + f.skipped
    return r, f


@pytest.mark.parametrize("preset", [None, "qq"])
def test_qq_sync_gbk_csv(preset):
    assert detect_format(EX / "qq_sync.csv") == "csv"
    r, f = _one(EX / "qq_sync.csv", preset=preset)
    assert (f.read, f.parsed, f.skipped) == (4, 3, 1)
    t = r.table
    assert t.body.iloc[0] == "您好，您在某平台的欠款已逾期，请及时还款"
    assert list(t.direction) == ["in", "out", "in"]
    assert t.time_raw.iloc[0] == "2026/01/02 11:04:05" and t.time_utc.iloc[0] == "2026-01-02T03:04:05.000Z"
    assert t.contact_name.iloc[2] == "催收员"
    assert [(s.ref, s.reason) for s in r.skips] == [("line 4", "草稿（未发送），不作为收发记录")]
    assert any("GB18030" in n for n in f.notes)
    assert any("按 Asia/Shanghai 本地时间解释" in n for n in f.notes)


def test_tz_changes_local_interpretation():
    r, f = _one(EX / "qq_sync.csv", tz="UTC")
    assert r.table.time_utc.iloc[0] == "2026-01-02T11:04:05.000Z" and set(r.table.tz) == {"UTC"}
    with pytest.raises(InputError, match="时区"):
        read_exports(EX / "qq_sync.csv", tz="Mars/Olympus")


@pytest.mark.parametrize("codec,note", [("utf-8", None), ("utf-8-sig", None), ("utf-16", "UTF-16"),
                                        ("utf-16-le", "UTF-16-LE"), ("utf-16-be", "UTF-16-BE"), ("gbk", "GB18030")])
def test_csv_encodings(tmp_path, codec, note):
    p = tmp_path / "x.csv"
    p.write_bytes(ROWS.encode(codec))
    assert detect_format(p) == "csv"
    r, f = _one(p)
    assert list(r.table.body) == ["再不还钱 后果自负", "好"]
    assert r.table.address.iloc[0] == "13800000001"
    if note:
        assert any(note in n for n in f.notes)


def test_tsv(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text(ROWS.replace(",", "\t"), encoding="utf-8")
    r, _ = _one(p)
    assert len(r.table) == 2


def test_gbk_that_is_ascii_at_first(tmp_path):
    """Encoding is judged on the whole file, not a prefix."""
    p = tmp_path / "late.csv"
    ascii_rows = "".join(f"1380000{i:04d},ok,2026/1/2 11:04,1\n" for i in range(8000))
    p.write_bytes(("address,body,date,type\n" + ascii_rows + "13800000001,催收,2026/1/2 11:04,1\n").encode("gbk"))
    r, f = _one(p)
    assert r.table.body.iloc[-1] == "催收"


def test_missing_columns_auto(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("号码,内容\n138,hi\n", encoding="utf-8")
    with pytest.raises(InputError, match="缺少.*时间") as e:
        read_exports(p)
    assert str(p) in str(e.value) and "号码、内容" in str(e.value)


def test_missing_mapped_column(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("号码,内容\n138,hi\n", encoding="utf-8")
    with pytest.raises(InputError, match="日期"):
        read_exports(p, mapping={"号码": "address", "日期": "time"})


def test_mapping_both_directions(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("who,what,when,dir\n13800000001,hi,2026-01-02 11:04,来信\n", encoding="utf-8")
    assert detect_format(p) is None  # no phone columns by name
    for mapping in ({"who": "address", "what": "body", "when": "time", "dir": "direction"},
                    {"address": "who", "body": "what", "time": "when", "direction": "dir"}):
        r, _ = _one(p, mapping=mapping)
        assert r.table.iloc[0][["address", "body", "direction"]].tolist() == ["13800000001", "hi", "in"]
    with pytest.raises(InputError, match="字段"):
        normalize_mapping({"who": "nonsense"})


def test_plain_text_table_detected_as_none():
    assert detect_format(EX / "plain_text.csv") is None
    with pytest.raises(InputError, match="缺少"):
        read_exports(EX / "plain_text.csv")


def test_call_detail_table(tmp_path):
    p = tmp_path / "calls.csv"
    p.write_text("对方号码,通话时间,通话类型,通话时长\n13800000001,2026-01-02 11:04:05,被叫,35\n", encoding="utf-8")
    r, f = _one(p)
    row = r.table.iloc[0]
    assert row.kind == "call" and row.direction == "in" and row.call_duration_s == 35.0 and row.body == ""


def test_empty_and_blank_rows(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("号码,内容,时间\n13800000001,,2026/1/2 11:04\n,,\n\n13800000002,x,bad-time\n", encoding="utf-8")
    r, f = _one(p)
    assert list(r.table.body) == ["", "x"]  # empty body kept
    assert [(s.ref, s.reason) for s in r.skips] == [("line 3", "空行")]
    assert r.table.time_utc.iloc[1] == "" and r.table.time_raw.iloc[1] == "bad-time"
    assert any("无法解析" in n for n in f.notes)


def test_giant_cell_50mb(tmp_path):
    p = tmp_path / "big.csv"
    body = "催" * (50 * 1024 * 1024 // 3)
    p.write_text(f"号码,内容,时间\n138,{body},2026/1/2 11:04\n139,after,2026/1/2 11:05\n", encoding="utf-8")
    r, f = _one(p)
    assert len(r.table.body.iloc[0]) == len(body) and r.table.body.iloc[1] == "after"


def test_xlsx_chinese_headers():
    assert detect_format(EX / "cn_headers.xlsx") == "xlsx"
    r, f = _one(EX / "cn_headers.xlsx")
    t = r.table
    assert list(t.address) == ["13800000120", "13800000120", "13800000121"]  # numeric cell → digits
    assert list(t.time_utc) == ["2026-01-02T03:04:05.000Z", "2026-01-02T03:05:05.000Z", "2026-01-02T05:04:05.000Z"]
    assert list(t.direction) == ["in", "out", "in"]
    assert t.source_ref.iloc[0] == "短信!row 2"
    assert any("说明" in n and "忽略" in n for n in f.notes)


def test_json_array_and_truncation(tmp_path):
    r, f = _one(EX / "messages.json")
    assert list(r.table.direction) == ["in", "out", "in"]
    assert r.table.time_utc.iloc[2] == "2026-01-02T03:06:05.000Z"
    text = B.json_text()
    p = tmp_path / "cut.json"
    p.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    r, f = _one(p)
    assert f.parsed == 2 and any("中断" in n for n in f.notes)


def test_json_lines(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"号码":"138","内容":"a","时间":"2026/1/2 11:04"}\n{"号码":"139","内容":"b","时间":"2026/1/2 11:05"}\n'
                 '{"号码":', encoding="utf-8")
    r, f = _one(p)
    assert list(r.table.body) == ["a", "b"] and r.skips[0].ref == "line 3"


@pytest.mark.parametrize("text,expected,how", [
    ("1767323045000", "2026-01-02T03:04:05.000Z", "epoch_ms"),
    ("1767323045", "2026-01-02T03:04:05.000Z", "epoch_s"),
    ("2026/1/2 11:04", "2026-01-02T03:04:00.000Z", "local"),
    ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000Z", "aware"),
    ("2026-01-02 11:04:05+08:00", "2026-01-02T03:04:05.000Z", "aware"),
    ("2026年1月2日 下午8:56:00", "2026-01-02T12:56:00.000Z", "local"),
    ("2026年1月2日 上午12:30:00", "2026-01-01T16:30:00.000Z", "local"),
    ("2026/13/40 11:04", "", ""),
    ("昨天", "", ""),
    ("42", "", ""),
])
def test_time_parsing(text, expected, how):
    assert parse_time_text(text, "Asia/Shanghai") == (expected, how)
