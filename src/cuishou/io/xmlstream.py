"""Shared streaming driver for record-per-element XML exports (SMS Backup & Restore, 超级备份).

defusedxml iterparse over the repaired byte stream; each top-level element is yielded once complete and then
dropped from the tree, so memory does not grow with the file. A parse error (truncated file, garbage) ends the
iteration with a note saying where it broke; the records before it are kept, and a record cut in half is
counted as skipped.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import iterparse

from cuishou.errors import InputError
from cuishou.io.encoding import sniff_file
from cuishou.io.records import Collector
from cuishou.io.xmlrepair import RepairedXML, stats_notes

_DECL = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")


@dataclass
class XmlRoot:
    tag: str = ""
    attrib: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # top-level tag → how many seen


def declared_encoding(path: str) -> str | None:
    with open(path, "rb") as f:
        m = _DECL.match(f.read(512))
    return m.group(1).decode("ascii") if m else None


def iter_records(path: str, ctx: Collector, root: XmlRoot) -> Iterator[tuple[str, int, Element]]:
    """Yield (tag, 1-based index among same-tag siblings, element) for every complete top-level record."""
    encoding, enc_note = sniff_file(path, declared_encoding(path))
    if enc_note:
        ctx.note(enc_note)
    stream = RepairedXML(path, encoding)
    depth = 0
    current: tuple[str, int] | None = None
    root_el: Element | None = None
    try:
        for event, el in iterparse(stream, events=("start", "end"), forbid_dtd=False):
            if event == "start":
                depth += 1
                if depth == 1:
                    root_el = el
                    root.tag, root.attrib = el.tag, dict(el.attrib)
                elif depth == 2:
                    n = root.counts.get(el.tag, 0) + 1
                    root.counts[el.tag] = n
                    current = (el.tag, n)
                continue
            depth -= 1
            if depth == 1 and current is not None:
                tag, n = current
                current = None
                yield tag, n, el
                root_el.clear()
    except ParseError as e:
        line, col = getattr(e, "position", (0, 0))
        kept = ctx.source.read
        ctx.note(f"XML 在第 {line} 行第 {col} 列处中断或出错（{_short(e)}）；此前已读取 {kept} 条记录（已保留），之后的内容未读取")
        if current is not None:
            ctx.skip(f"{current[0]}[{current[1]}]", f"记录不完整：文件在第 {line} 行处中断")
    except defusedxml.DefusedXmlException as e:
        raise InputError(f"XML 含有实体声明或外部引用（可能是恶意构造的文件），拒绝解析：{type(e).__name__}",
                         file=ctx.display_path) from None
    finally:
        stream.close()
    for note in stats_notes(stream.stats):
        ctx.note(note)


def _short(e: Exception) -> str:
    s = str(e)
    return s if len(s) < 120 else s[:117] + "…"
