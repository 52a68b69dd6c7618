"""Text-encoding sniffing for phone exports: UTF-8 (with or without BOM), UTF-16 and GBK/GB18030.

Chinese tools (QQ同步助手) write GBK; Excel wants UTF-8 with a BOM; some Windows tools write UTF-16. A sample is
not enough (a GBK file may be pure ASCII for its first megabyte), so the whole file is validated in a
streaming pass before a codec is chosen.
"""
from __future__ import annotations

import codecs
from pathlib import Path

from cuishou.errors import InputError

_CHUNK = 1 << 20


def bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return None


def utf16_without_bom(head: bytes) -> str | None:
    """Mostly-ASCII UTF-16 has a NUL in every other byte; Chinese-heavy UTF-16 is caught by the UTF-8 check failing."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decodes_fully(path: str | Path, encoding: str) -> bool:
    dec = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with open(path, "rb") as f:
            while block := f.read(_CHUNK):
                dec.decode(block)
            dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decodes_head(head: bytes, encoding: str) -> bool:
    """Like decodes_fully for a prefix: a multi-byte character cut at the end of the sample is not an error."""
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def sniff_head(head: bytes) -> str | None:
    """Best guess from a prefix only (for format detection); None if it does not look like text."""
    enc = bom_encoding(head) or utf16_without_bom(head)
    if enc:
        return enc
    if b"\x00" in head:
        return None
    for enc in ("utf-8", "gb18030"):
        if decodes_head(head, enc):
            return enc
    return None


def sniff_file(path: str | Path, declared: str | None = None) -> tuple[str, str | None]:
    """Choose the codec for the whole file → (encoding, note or None). Raises InputError if nothing fits.

    Order: BOM, UTF-16 heuristics, the declared encoding (XML prolog), UTF-8, then GB18030 (a superset of GBK
    and GB2312). A note is returned whenever the choice is not the obvious one, so the report can say so.
    """
    with open(path, "rb") as f:
        head = f.read(65536)
    enc = bom_encoding(head) or utf16_without_bom(head)
    if enc:
        return enc, (None if enc in ("utf-8-sig",) else f"文件编码为 {enc.upper()}")
    declared_n = (declared or "").strip().lower().replace("_", "-")
    if declared_n in ("gbk", "gb2312", "gb18030", "cp936"):
        if decodes_fully(path, "gb18030"):
            return "gb18030", f"文件编码为 {declared.upper()}（按 GB18030 解码）"
    if decodes_fully(path, "utf-8"):
        return "utf-8", None
    if decodes_fully(path, "gb18030"):
        what = f"声明为 {declared} 但" if declared_n and declared_n not in ("gbk", "gb2312", "gb18030") else ""
        return "gb18030", f"{what}文件实际编码为 GBK/GB18030，已按 GB18030 解码"
    if declared_n and declared_n not in ("utf-8", "utf8"):
        try:
            codecs.lookup(declared_n)
        except LookupError:
            pass
        else:
            if decodes_fully(path, declared_n):
                return declared_n, f"文件编码为 {declared}"
    raise InputError("无法识别文件编码（不是 UTF-8、UTF-16 或 GBK/GB18030）", file=str(path))
