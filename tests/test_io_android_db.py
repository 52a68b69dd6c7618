"""Android/Huawei/MIUI SQLite stores and corrupt or truncated databases (read-only URIs throughout)."""
from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import build_exports as B  # noqa: E402

from cuishou.errors import InputError, UnknownFormatError  # noqa: E402
from cuishou.io import detect_format, read_exports  # noqa: E402
from cuishou.io.sqlite_ro import ro_uri  # noqa: E402

EX = Path(__file__).resolve().parent / "fixtures" / "exports"


def _acc(r):
    for f in r.files:
        assert f.read == f.parsed + f.skipped
    return r.files[0]


def test_mmssms_xiaomi():
    assert detect_format(EX / "mmssms.db") == "android_mmssms_db"
    r = read_exports(EX / "mmssms.db")
    f = _acc(r)
    assert (f.read, f.parsed, f.skipped) == (4, 3, 1)
    t = r.table.set_index("source_ref")
    assert t.loc["sms._id=1"].direction == "in" and t.loc["sms._id=2"].direction == "out"
    assert t.loc["sms._id=4"].blocked and not t.loc["sms._id=1"].blocked  # Xiaomi block_type
    assert t.loc["sms._id=1"].time_raw == str(B.T0_MS)
    assert r.skips[0].ref == "sms._id=3"
    assert any("小米" in n for n in f.notes)


def test_calllog():
    assert detect_format(EX / "calllog.db") == "android_calllog_db"
    t = read_exports(EX / "calllog.db").table
    assert list(t.kind) == ["call"] * 3 and list(t.blocked) == [False, False, True]
    assert list(t.call_duration_s) == [30.0, 0.0, 0.0]


def test_huawei_sms_tb():
    assert detect_format(EX / "huawei_sms.db") == "huawei_sms_db"
    r = read_exports(EX / "huawei_sms.db")
    t = r.table
    assert list(t.source_ref) == ["sms_tb.rowid=1", "sms_tb.rowid=2", "sms_tb.rowid=3"]
    assert list(t.direction) == ["in", "out", "in"] and t.body.iloc[2] == ""
    assert any("pdu_tb" in n for n in r.files[0].notes)


def test_huawei_harassment_blocked():
    assert detect_format(EX / "harassment.db") == "huawei_harassment_db"
    r = read_exports(EX / "harassment.db")
    t = r.table
    assert t.blocked.all() and set(t.direction) == {"in"}
    assert list(t.kind) == ["sms", "call", "call"]
    assert t.body.iloc[0] == "【催收】你的家人已收到通知"
    assert any("约定" in n for n in r.files[0].notes)


def test_miui_firewall():
    assert detect_format(EX / "miui_firewall.db") == "miui_firewall_db"
    t = read_exports(EX / "miui_firewall.db").table
    assert list(t.kind) == ["sms", "call"] and t.blocked.all()
    assert t.body.iloc[0] == "今天不还，明天上门" and t.body.iloc[1] == ""


def test_unknown_sqlite(tmp_path):
    p = tmp_path / "other.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(UnknownFormatError, match="recipes") as e:
        read_exports(p)
    assert str(p) in str(e.value)


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    p = tmp_path_factory.mktemp("db") / "mmssms_big.db"
    B.write_mmssms(p, extra_rows=3000)
    return p


@pytest.mark.parametrize("frac", [0.1, 0.5, 0.9])
def test_truncated_sqlite_keeps_rows_before_break(tmp_path, big_db, frac):
    data = big_db.read_bytes()
    p = tmp_path / "cut.db"
    p.write_bytes(data[: int(len(data) * frac)])
    r = read_exports(p)
    f = _acc(r)
    assert 0 < f.parsed < 3003
    assert any("截断" in n for n in f.notes) and any("之前的" in n for n in f.notes)
    # rows kept are a clean prefix: ids 1, 2, 4, 5, … with no garbage rows
    ids = [int(x.split("=")[1]) for x in r.table.source_ref]
    assert ids == sorted(ids) and ids[:3] == [1, 2, 4] and ids[-1] == f.read
    assert (r.table.time_utc != "").all()
    assert p.read_bytes() == data[: int(len(data) * frac)]


def test_header_only_sqlite_is_an_input_error(tmp_path, big_db):
    p = tmp_path / "hdr.db"
    p.write_bytes(big_db.read_bytes()[:100])
    with pytest.raises(InputError, match="损坏|截断"):
        read_exports(p)


def test_corrupt_page_is_noted(tmp_path, big_db):
    data = bytearray(big_db.read_bytes())
    data[4096 * 40: 4096 * 41] = os.urandom(4096)
    p = tmp_path / "corrupt.db"
    p.write_bytes(bytes(data))
    try:
        r = read_exports(p)
    except InputError as e:  # the random page may hit the schema: still a clean, named error
        assert str(p) in str(e)
        return
    f = _acc(r)
    assert f.parsed < 3003 and any("损坏" in n for n in f.notes)


def test_invalid_utf8_and_huge_values(tmp_path):
    p = tmp_path / "mmssms.db"
    B.write_mmssms(p)
    con = sqlite3.connect(p)
    con.execute("UPDATE sms SET body = CAST(x'e582acfffe6f6b' AS TEXT) WHERE _id = 1")
    con.execute("UPDATE sms SET body = ? WHERE _id = 2", ("债" * 5_000_000,))
    con.commit()
    con.close()
    r = read_exports(p)
    t = r.table.set_index("source_ref")
    assert t.loc["sms._id=1"].body.startswith("催") and "\ufffd" in t.loc["sms._id=1"].body
    assert len(t.loc["sms._id=2"].body) == 5_000_000
    assert any("UTF-8" in n for n in r.files[0].notes)


def test_ro_uri_is_immutable():
    uri = ro_uri(EX / "mmssms.db")
    assert uri.startswith("file:///") and uri.endswith("?mode=ro&immutable=1")
