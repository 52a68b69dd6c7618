"""read_exports as a whole: schema, accounting, directories, several inputs, de-duplication, unknown formats,
and the hard rule that no input is ever written (hash + mtime of every fixture before and after)."""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import build_exports as B  # noqa: E402

from cuishou.cli import cli  # noqa: E402
from cuishou.errors import InputError, UnknownFormatError  # noqa: E402
from cuishou.io import detect_format, read_exports, sha256_file  # noqa: E402
from cuishou.schema import MESSAGE_COLUMNS, empty_message_table, make_msg_id  # noqa: E402

EX = Path(__file__).resolve().parent / "fixtures" / "exports"
ALL = sorted(p for p in EX.iterdir() if p.is_file())
PHONE = [p for p in ALL if p.name != "plain_text.csv"]


def _state(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under root: (sha256, mtime_ns). Also catches new side files (-wal, -journal)."""
    return {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_schema_and_accounting_for_every_fixture():
    r = read_exports(PHONE)
    assert tuple(r.table.columns) == MESSAGE_COLUMNS
    assert r.table.dtypes.to_dict() == empty_message_table().dtypes.to_dict()
    assert [Path(f.path).name for f in r.files] == [p.name for p in PHONE]
    for f in r.files:
        assert f.read == f.parsed + f.skipped, f.path
        assert f.sha256 == sha256_file(f.path) and f.size == os.path.getsize(f.path)
        assert f.format != "unknown"
    assert len(r.skips) == sum(f.skipped for f in r.files)
    assert r.table.msg_id.is_unique
    for row in r.table.itertuples():
        assert row.msg_id == make_msg_id(row.source_sha256, row.source_ref)
        assert row.kind in {"sms", "mms", "call"} and row.direction in {"in", "out", ""}
        assert row.time_utc == "" or (row.time_utc.endswith("Z") and len(row.time_utc) == 24)


def test_msg_ids_stable_across_runs():
    a = read_exports(EX / "sms-20260102.xml").table.msg_id.tolist()
    b = read_exports(EX / "sms-20260102.xml").table.msg_id.tolist()
    assert a == b


def test_directory_input_ignores_unknown_files(tmp_path):
    for name in ("sms-20260102.xml", "qq_sync.csv", "plain_text.csv"):
        shutil.copyfile(EX / name, tmp_path / name)
    (tmp_path / "sub").mkdir()
    shutil.copyfile(EX / "sms.vmsg", tmp_path / "sub" / "sms.vmsg")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    assert detect_format(tmp_path) == "directory"
    r = read_exports(tmp_path)
    fmt = {Path(f.path).name: f.format for f in r.files}
    assert fmt == {"photo.jpg": "unknown", "plain_text.csv": "unknown", "qq_sync.csv": "csv",
                   "sms-20260102.xml": "sbr_xml", "sms.vmsg": "vmsg"}
    ignored = {Path(f.path).name: f.notes for f in r.files if f.format == "unknown"}
    assert any("忽略" in n for n in ignored["photo.jpg"]) and any("忽略" in n for n in ignored["plain_text.csv"])
    assert len(r.table) == 6 + 3 + 3


def test_unknown_format_names_the_file(tmp_path):
    p = tmp_path / "photo.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    with pytest.raises(UnknownFormatError, match="photo.jpg"):
        read_exports(p)
    q = tmp_path / "feed.xml"
    q.write_text("<?xml version='1.0'?><rss><channel/></rss>")
    with pytest.raises(UnknownFormatError, match="rss"):
        read_exports(q)
    z = tmp_path / "a.zip"
    z.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(UnknownFormatError, match="a.zip"):
        read_exports(z)


def test_missing_and_empty_inputs(tmp_path):
    with pytest.raises(InputError, match="不存在"):
        read_exports(tmp_path / "nope.xml")
    (tmp_path / "empty.xml").write_bytes(b"")
    with pytest.raises(InputError, match="为空"):
        read_exports(tmp_path / "empty.xml")


def test_overlapping_backups_deduplicated(tmp_path):
    """Two SMS Backup & Restore files sharing records: the later copies merge into the earlier ones."""
    old, new = tmp_path / "sms-1.xml", tmp_path / "sms-2.xml"
    recs = [B.sbr_sms("13800000001", B.T0_MS + i * 1000, 1, f"第{i}条") for i in range(5)]
    old.write_text(B.SBR_HEADER + '<smses count="3">\n' + "".join(recs[:3]) + "</smses>\n", encoding="utf-8")
    new.write_text(B.SBR_HEADER + '<smses count="4">\n' + "".join(recs[1:5]) + "</smses>\n", encoding="utf-8")
    r = read_exports([old, new])
    assert list(r.table.body) == ["第0条", "第1条", "第2条", "第3条", "第4条"]
    assert len(r.merged_duplicates) == 2
    kept = dict(zip(r.table.msg_id, r.table.source_file))
    for k, d in r.merged_duplicates:
        assert kept[k] == str(old) and d not in kept
    assert [f.parsed for f in r.files] == [3, 4]  # per-file accounting is before merging
    assert any("2 条" in n and "合并" in n for n in r.files[1].notes)
    assert len(read_exports([old, new], dedupe=False).table) == 7


def test_identical_messages_inside_one_file_are_kept(tmp_path):
    p = tmp_path / "sms.xml"
    rec = B.sbr_sms("13800000001", B.T0_MS, 1, "还钱")
    p.write_text(B.SBR_HEADER + '<smses count="2">\n' + rec + rec + "</smses>\n", encoding="utf-8")
    r = read_exports(p)
    assert len(r.table) == 2 and r.merged_duplicates == []


def test_same_file_twice_and_copy(tmp_path):
    copy = tmp_path / "copy.xml"
    shutil.copyfile(EX / "sms-20260102.xml", copy)
    r = read_exports([EX / "sms-20260102.xml", EX / "sms-20260102.xml", copy])
    assert len(r.files) == 2 and len(r.table) == 6 and len(r.merged_duplicates) == 6
    assert any("SHA-256 一致" in n for n in r.files[1].notes)


def test_unknown_preset():
    with pytest.raises(InputError, match="预设"):
        read_exports(EX / "qq_sync.csv", preset="nokia")


def test_forced_format_preset():
    r = read_exports(EX / "superbackup_sms.xml", preset="superbackup")
    assert r.files[0].format == "superbackup_xml"


def test_inputs_never_written(tmp_path):
    """Hash and mtime of every fixture (and of an iPhone backup folder) before and after read_exports and
    `cuishou inspect`; no side file (-wal, -journal, -shm) may appear."""
    backup = B.build_ios_backup(tmp_path / "backup", EX / "ios_sms.db", EX / "CallHistory.storedata")
    before_ex, before_bk = _state(EX), _state(backup)
    read_exports(PHONE)
    read_exports([EX, backup])
    for p in PHONE:
        detect_format(p)
    runner = CliRunner()
    res = runner.invoke(cli, ["inspect", *map(str, PHONE), str(backup)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["inspect", str(EX)])
    assert res.exit_code == 0, res.output
    assert _state(EX) == before_ex
    assert _state(backup) == before_bk


def test_call_status_from_android_call_types():
    """Findings count missed/rejected/blocked calls: the readers must keep the call outcome."""
    from cuishou.io import read_exports as _read

    t = _read([EX / "calls-20260102.xml"]).table
    assert t["kind"].eq("call").all()
    assert t["call_status"].tolist() == ["answered", "outgoing", "missed", "blocked"]
    sms = _read([EX / "sms-20260102.xml"]).table
    assert sms["call_status"].eq("").all()
