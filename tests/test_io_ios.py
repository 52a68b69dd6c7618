"""iPhone sms.db / CallHistory.storedata / backup folders: joins, 2001-epoch units, attributedBody decoding."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import build_exports as B  # noqa: E402

from cuishou.errors import InputError  # noqa: E402
from cuishou.io import attributed_body, detect_format, read_exports  # noqa: E402
from cuishou.io.times import iso_from_cocoa  # noqa: E402

EX = Path(__file__).resolve().parent / "fixtures" / "exports"


def test_sms_db_rows():
    assert detect_format(EX / "ios_sms.db") == "ios_sms_db"
    r = read_exports(EX / "ios_sms.db")
    f = r.files[0]
    assert (f.read, f.parsed, f.skipped) == (6, 5, 1)
    t = r.table.set_index("source_ref")
    assert t.loc["message.ROWID=1"].body == "您的借款已逾期，请尽快处理"
    assert t.loc["message.ROWID=1"].time_utc == "2026-01-02T03:04:05.000Z"
    assert t.loc["message.ROWID=2"].body == "不还钱就通知你的家人"  # text NULL → attributedBody
    assert t.loc["message.ROWID=6"].body == "这是一条很长的催收短信，" * 8  # 0x81 length prefix
    own = t.loc["message.ROWID=3"]  # handle_id 0: LEFT JOIN keeps it, address from chat
    assert own.direction == "out" and own.address == "+8613800000011"
    assert own.time_utc == "2026-01-02T03:06:05.000Z" and own.time_raw == str((B.T0_MS + 120_000) // 1000 - B.COCOA)
    assert t.loc["message.ROWID=5"].body == ""
    assert r.skips[0].ref == "message.ROWID=4" and "item_type=1" in r.skips[0].reason
    assert any("attributedBody" in n and "pytypedstream" in n for n in f.notes)
    assert any("纳秒" in n for n in f.notes)


def test_attributed_body_fallback_without_pytypedstream(monkeypatch):
    monkeypatch.setattr(attributed_body, "TypedStreamReader", None)
    r = read_exports(EX / "ios_sms.db")
    t = r.table.set_index("source_ref")
    assert t.loc["message.ROWID=2"].body == "不还钱就通知你的家人"
    assert t.loc["message.ROWID=6"].body == "这是一条很长的催收短信，" * 8
    assert any("备用解码器" in n for n in r.files[0].notes)


@pytest.mark.parametrize("text", ["短", "x" * 127, "y" * 128, "长" * 30000])
def test_attributed_body_decoders_agree(text):
    blob = B.attributed_body_blob(text)
    assert attributed_body.decode_fallback(blob) == text
    assert attributed_body.decode_attributed_body(blob) == (text, "pytypedstream")


def test_attributed_body_garbage_does_not_raise():
    assert attributed_body.decode_attributed_body(b"\x00garbage NSString \x01+\xff") == (None, "")
    assert attributed_body.decode_attributed_body(None) == (None, "")


def test_cocoa_units():
    assert iso_from_cocoa(789015845) == ("2026-01-02T03:04:05.000Z", "s")
    assert iso_from_cocoa(789015845_123456789) == ("2026-01-02T03:04:05.123Z", "ns")
    assert iso_from_cocoa(0) == ("", "zero")
    # pre-iOS-5 SMS stored Unix seconds: read as 2001-epoch they would lie in the future
    now = 1_767_323_045  # 2026-01-02
    assert iso_from_cocoa(1_300_000_000, now_s=now) == ("2011-03-13T07:06:40.000Z", "unix_s")
    assert iso_from_cocoa(700_000_000, now_s=now) == ("2023-03-08T20:26:40.000Z", "s")


def test_call_history():
    assert detect_format(EX / "CallHistory.storedata") == "ios_call_history"
    r = read_exports(EX / "CallHistory.storedata")
    t = r.table
    assert list(t.direction) == ["in", "out", "in"]
    assert list(t.address) == ["+8613800000020", "13800000021", "13800000022"]  # BLOB address decoded
    assert t.call_duration_s.iloc[0] == 42.5 and t.contact_name.iloc[1] == "某人"
    assert t.time_utc.iloc[0] == "2026-01-02T03:04:05.000Z"


def test_backup_folder_via_manifest(tmp_path):
    root = B.build_ios_backup(tmp_path / "backup", EX / "ios_sms.db", EX / "CallHistory.storedata")
    assert detect_format(root) == "ios_backup"
    r = read_exports(root)
    assert [f.format for f in r.files] == ["ios_sms_db", "ios_call_history"]
    assert r.files[0].path.endswith("3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28")
    assert any("Library/SMS/sms.db" in n for n in r.files[0].notes)
    assert any("Manifest.db SHA-256" in n for n in r.files[0].notes)
    assert len(r.table) == 5 + 3


def test_backup_folder_without_manifest_uses_fixed_ids(tmp_path):
    root = B.build_ios_backup(tmp_path / "backup", EX / "ios_sms.db", EX / "CallHistory.storedata")
    (root / "Manifest.db").unlink()
    r = read_exports(root)
    assert {f.format for f in r.files} == {"ios_sms_db", "ios_call_history"}


def test_encrypted_backup_is_explained(tmp_path):
    root = B.build_ios_backup(tmp_path / "backup", EX / "ios_sms.db", EX / "CallHistory.storedata")
    (root / "Manifest.db").write_bytes(b"\x8a\x91encrypted" * 100)
    with pytest.raises(InputError, match="加密"):
        read_exports(root)


def test_wal_side_file_is_noted_not_touched(tmp_path):
    db = tmp_path / "sms.db"
    shutil.copyfile(EX / "ios_sms.db", db)
    wal = tmp_path / "sms.db-wal"
    wal.write_bytes(b"x" * 100)
    r = read_exports(db)
    assert any("sms.db-wal" in n for n in r.files[0].notes)
    assert wal.read_bytes() == b"x" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sms.db", "sms.db-wal"]
