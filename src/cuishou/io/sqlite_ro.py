"""Read-only SQLite access for evidence files.

Opened ONLY through a `file:…?mode=ro&immutable=1` URI: SQLite then never creates a journal, WAL or shm file and
never writes a byte (mvt once "recovered" an sms.db and destroyed it). The price: pages still in a `-wal`
side file are not seen, so readers note when one exists. Corruption is reported, never repaired; rows read
before a corrupt page are kept.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from cuishou.errors import InputError
from cuishou.io.records import Collector

SQLITE_MAGIC = b"SQLite format 3\x00"


def ro_uri(path: str | Path) -> str:
    return Path(path).resolve().as_uri() + "?mode=ro&immutable=1"


class _TextDecoder:
    """text_factory that never raises: invalid UTF-8 is replaced by U+FFFD and counted."""

    def __init__(self) -> None:
        self.bad = 0

    def __call__(self, b: bytes) -> str:
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            self.bad += 1
            return b.decode("utf-8", "replace")


class ROConnection(sqlite3.Connection):
    decoder: _TextDecoder
    padded_copy: str | None = None  # temp copy of a truncated file, deleted on close
    truncation_note: str | None = None

    def close(self) -> None:
        super().close()
        if self.padded_copy:
            Path(self.padded_copy).unlink(missing_ok=True)
            self.padded_copy = None


def declared_size(head: bytes) -> int | None:
    """Database size the header promises (page size × page count), or None if the header is unusable."""
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return None
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    return page * int.from_bytes(head[28:32], "big") or None


def _padded_copy(path: Path, page: int, want: int) -> str:
    """Copy the whole pages of a truncated database into the temp dir and zero-fill to the declared size.

    The original is never touched (its hash was taken before). The page cut in half is dropped too, so no row is
    ever read from half a page; pages past the cut read as corrupt, and a scan in rowid order yields the rows
    before the break and then stops with a note.
    """
    keep = (path.stat().st_size // page) * page
    fd, tmp = tempfile.mkstemp(prefix="cuishou-truncated-", suffix=".db")
    with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
        left = keep
        while left > 0 and (block := src.read(min(1 << 20, left))):
            out.write(block)
            left -= len(block)
        out.truncate(want)
    return tmp


def connect(path: str | Path) -> ROConnection:
    p = Path(path)
    with open(p, "rb") as f:
        head = f.read(100)
    size, want = p.stat().st_size, declared_size(head)
    target, padded = p, None
    if want and size < want:
        padded = _padded_copy(p, want // int.from_bytes(head[28:32], "big"), want)
        target = Path(padded)
    try:
        con = sqlite3.connect(ro_uri(target), uri=True, factory=ROConnection)
        con.padded_copy = padded
        con.decoder = _TextDecoder()
        con.text_factory = con.decoder
        con.execute("PRAGMA query_only = 1")
        con.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.DatabaseError as e:
        if padded:
            Path(padded).unlink(missing_ok=True)
        raise InputError(f"SQLite 数据库已损坏或被截断，无法读取表结构（{e}）", file=str(path)) from None
    if padded:
        con.truncation_note = (f"数据库文件被截断：表头声明 {want} 字节，实际只有 {size} 字节；"
                               f"已在临时副本上补零后只读打开（原文件未改动），截断处之后的记录无法读取")
    return con


def tables(con: sqlite3.Connection) -> dict[str, list[str]]:
    """{table name: [column names]} (names as stored; callers compare case-insensitively)."""
    out: dict[str, list[str]] = {}
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
        try:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{_q(name)}")').fetchall()]
        except sqlite3.DatabaseError:
            cols = []
        out[name] = cols
    return out


def find_table(tabs: dict[str, list[str]], name: str) -> str | None:
    for t in tabs:
        if t.lower() == name.lower():
            return t
    return None


def colset(cols: list[str]) -> set[str]:
    return {c.lower() for c in cols}


def _q(ident: str) -> str:
    return ident.replace('"', '""')


def quote(ident: str) -> str:
    return f'"{_q(ident)}"'


def read_table(con: ROConnection, sql: str, ctx: Collector, where: str,
               to_fields: Callable[[sqlite3.Row], tuple[str, dict | str]]) -> None:
    """Run `sql`, turn each row into (ref, fields-or-skip-reason) and feed the collector.

    A corrupt page stops the scan with a note; rows before it are kept (rows come in rowid order).
    """
    con.row_factory = sqlite3.Row
    n = 0
    try:
        for row in con.execute(sql):  # row by row: a batch fetch would lose good rows before a bad page
            n += 1
            ref, rec = to_fields(row)
            ctx.take(ref, rec, check_direction=False)
    except sqlite3.DatabaseError as e:
        ctx.note(f"表 {where} 在读取第 {n + 1} 行时出错（数据库损坏或被截断：{e}）；之前的 {n} 行已保留，之后的未读取")
    if con.decoder.bad:
        ctx.note(f"{con.decoder.bad} 个文本值不是有效的 UTF-8，无法解码的字节已替换为 U+FFFD（�）")
        con.decoder.bad = 0


def wal_note(path: str | Path) -> str | None:
    for side in ("-wal", "-journal"):
        p = Path(str(path) + side)
        if p.exists() and p.stat().st_size > 0:
            return (f"发现 {p.name}：为保证不写入证据文件，数据库以只读不可变方式打开，"
                    f"该侧文件中尚未合并的记录不会被读取")
    return None


def is_sqlite(head: bytes) -> bool:
    return head.startswith(SQLITE_MAGIC)


def file_size(path: str | Path) -> int:
    return os.path.getsize(path)
