"""iPhone (iTunes/Finder) backup folders: find sms.db and CallHistory.storedata through Manifest.db.

Files in a backup are stored as `<first two hex>/<fileID>`; Manifest.db's `Files` table maps fileID to
(domain, relativePath). If Manifest.db cannot be read (an encrypted backup), the user must decrypt first.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from cuishou.errors import InputError
from cuishou.io.hashing import sha256_file
from cuishou.io.sqlite_ro import SQLITE_MAGIC, ro_uri

WANTED = {
    "Library/SMS/sms.db": "ios_sms_db",
    "Library/CallHistoryDB/CallHistory.storedata": "ios_call_history",
}
FIXED_IDS = {
    "3d0d7e5fb2ce288813306e4d4636395e047a3d28": "ios_sms_db",
    "5a4935c78a5255723f707230a451d79c540d2741": "ios_call_history",
}


def is_ios_backup(d: Path) -> bool:
    return (d / "Manifest.db").is_file() or any((d / i[:2] / i).is_file() for i in FIXED_IDS)


def locate(d: Path) -> tuple[list[tuple[Path, str, str]], list[str]]:
    """→ ([(file, format, relativePath)], notes)."""
    notes: list[str] = []
    found: dict[str, tuple[Path, str, str]] = {}
    manifest = d / "Manifest.db"
    if manifest.is_file():
        with open(manifest, "rb") as f:
            if f.read(16) != SQLITE_MAGIC:
                raise InputError("Manifest.db 不是 SQLite 数据库：这很可能是加密的 iPhone 备份，请先解密"
                                 "（例如 mvt-ios decrypt-backup），再把解密后的目录交给本工具", file=str(d))
        try:
            con = sqlite3.connect(ro_uri(manifest), uri=True)
            try:
                rows = con.execute(
                    "SELECT fileID, relativePath FROM Files WHERE relativePath IN (?, ?)", tuple(WANTED)
                ).fetchall()
            finally:
                con.close()
        except sqlite3.DatabaseError as e:
            raise InputError(f"无法读取 Manifest.db（{e}）", file=str(d)) from None
        notes.append(f"Manifest.db SHA-256：{sha256_file(manifest)}")
        for file_id, rel in rows:
            p = d / file_id[:2] / file_id
            if p.is_file():
                found[file_id] = (p, WANTED[rel], rel)
    for file_id, fmt in FIXED_IDS.items():
        p = d / file_id[:2] / file_id
        if file_id not in found and p.is_file():
            rel = next(k for k, v in WANTED.items() if v == fmt)
            found[file_id] = (p, fmt, rel)
    if not found:
        raise InputError("iPhone 备份目录中没有找到 sms.db 或 CallHistory.storedata", file=str(d))
    return sorted(found.values()), notes
