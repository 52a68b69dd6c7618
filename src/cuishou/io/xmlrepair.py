"""Streaming pre-pass that makes real-world phone-export XML well-formed without loading it.

SMS Backup & Restore writes emoji as numeric references to UTF-16 surrogate halves (`&#55357;&#56832;`), which
every strict XML parser rejects. This wrapper re-combines such pairs into one reference (`&#128512;`), replaces
references and raw characters that XML 1.0 forbids with U+FFFD, transcodes to UTF-8 (so GBK files work with
expat), and counts every change so the reader can log it. It is a file-like object with `read(n)`, fed to
defusedxml's iterparse chunk by chunk: memory stays bounded by the chunk size (plus expat's longest token).
"""
from __future__ import annotations

import codecs
import re
from collections import Counter

_CHUNK = 1 << 20
_MAX_GIVE = 16 << 20
_REF = re.compile(r"&#(x[0-9A-Fa-f]{1,8}|[0-9]{1,10});")
_BAD_LITERAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DECL_ENC = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def _valid_xml_char(cp: int) -> bool:
    return (cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD
            or 0x10000 <= cp <= 0x10FFFF)


def _codepoint(token: str) -> int:
    return int(token[1:], 16) if token[0] in "xX" else int(token)


def repair_text(text: str, stats: Counter) -> str:
    """Fix one chunk of decoded XML text (pure). `stats` counts "surrogate_pairs", "bad_refs", "bad_chars"."""
    if "&#" in text:
        out: list[str] = []
        pos = 0
        pending: tuple[int, int, int] | None = None  # (start, end, high surrogate) not yet emitted
        for m in _REF.finditer(text):
            cp = _codepoint(m.group(1))
            if pending is not None:
                p_start, p_end, high = pending
                pending = None
                if m.start() == p_end and 0xDC00 <= cp <= 0xDFFF:
                    out.append(text[pos:p_start])
                    out.append(f"&#{0x10000 + ((high - 0xD800) << 10) + (cp - 0xDC00)};")
                    pos = m.end()
                    stats["surrogate_pairs"] += 1
                    continue
                out.append(text[pos:p_start] + "&#65533;")  # lone high surrogate
                pos = p_end
                stats["bad_refs"] += 1
            if 0xD800 <= cp <= 0xDBFF:
                pending = (m.start(), m.end(), cp)
                continue
            if not _valid_xml_char(cp):
                out.append(text[pos:m.start()] + "&#65533;")
                pos = m.end()
                stats["bad_refs"] += 1
        if pending is not None:
            out.append(text[pos:pending[0]] + "&#65533;")
            pos = pending[1]
            stats["bad_refs"] += 1
        out.append(text[pos:])
        text = "".join(out)
    if _BAD_LITERAL.search(text):
        text, n = _BAD_LITERAL.subn("\ufffd", text)
        stats["bad_chars"] += n
    return text


_REF_AT_END = re.compile(r"&#(?:x[0-9A-Fa-f]{1,8}|[0-9]{1,10});\Z")


def _safe_split(text: str) -> int:
    """Index where the unprocessed tail starts: a reference (or surrogate pair) may straddle the chunk end.

    The tail starts at the first "&" among the last 40 characters, moved back over a complete reference just
    before it (the high half of a pair whose low half is in the tail).
    """
    tail_start = max(0, len(text) - 40)
    amp = text.find("&", tail_start)
    cut = len(text) if amp < 0 else amp
    m = _REF_AT_END.search(text, max(0, cut - 14), cut)
    return m.start() if m else cut


class RepairedXML:
    """Read-only, forward-only byte stream of repaired UTF-8 XML."""

    def __init__(self, path: str, encoding: str):
        self._f = open(path, "rb")  # noqa: SIM115 — closed in close()/at EOF
        self._dec = codecs.getincrementaldecoder(encoding)("strict")
        self._carry = ""
        self._buf = bytearray()
        self._first = True
        self._eof = False
        self._give = 1 << 16
        self.stats: Counter = Counter()

    def _fill(self) -> None:
        raw = self._f.read(_CHUNK)
        self._eof = not raw
        text = self._carry + self._dec.decode(raw, final=self._eof)
        if self._eof:
            self._carry = ""
        else:
            cut = _safe_split(text)
            text, self._carry = text[:cut], text[cut:]
        if self._first and text:
            self._first = False
            text = _DECL_ENC.sub(r"\1\2UTF-8\2", text.lstrip("\ufeff"), count=1)
        self._buf += repair_text(text, self.stats).encode("utf-8")
        if self._eof:
            self._f.close()

    def read(self, n: int = -1) -> bytes:
        """Returns up to max(n, a growing block size) bytes.

        ElementTree asks for 16 KiB at a time, and expat < 2.6 re-scans an unfinished token on every feed, so a
        50 MB attribute would cost 3,000 re-scans. Handing out blocks that double up to 16 MiB keeps that
        linear-ish while memory stays bounded by the block size.
        """
        if n >= 0:
            n = max(n, self._give)
            self._give = min(self._give * 2, _MAX_GIVE)
        while not self._eof and (n < 0 or len(self._buf) < n):
            self._fill()
        if n < 0:
            n = len(self._buf)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> RepairedXML:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def stats_notes(stats: Counter) -> list[str]:
    notes = []
    if stats["surrogate_pairs"]:
        notes.append(f"修复了 {stats['surrogate_pairs']} 处以 UTF-16 代理对数字引用存储的表情符号（如 &#55357;&#56832;）")
    if stats["bad_refs"]:
        notes.append(f"{stats['bad_refs']} 处 XML 不允许的字符引用已替换为 U+FFFD（�）")
    if stats["bad_chars"]:
        notes.append(f"{stats['bad_chars']} 个 XML 不允许的控制字符已替换为 U+FFFD（�）")
    return notes
