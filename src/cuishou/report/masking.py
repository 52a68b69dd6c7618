"""`--mask-third-parties`: hide numbers and names of people who are neither the user nor a collector.

Reports go to regulators and police; the contacts who were dragged in have not agreed to be named there.
Masking changes only what is displayed; hashes always refer to the unmasked originals.
"""
from __future__ import annotations

import re

from cuishou.findings import digits_of

_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_NAME = rf"[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}?"
_STOP = r"(?=[的在欠是，。,.!！?？、：:\s说还请他她也和跟]|$)"
_NAME_CUES = [
    re.compile(rf"(?:紧急联系人|联系人|同事|朋友|家人|亲戚|父亲|母亲|爸爸|妈妈|老公|老婆|丈夫|妻子|儿子|女儿|哥哥|弟弟|姐姐|妹妹|告诉|转告|通知)[：:\s]*({_NAME}){_STOP}"),
    re.compile(rf"({_NAME})的(?:紧急)?联系人"),
]
_PHONE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_KIN = {"妈妈", "爸爸", "老婆", "老公", "儿子", "女儿", "哥哥", "弟弟", "姐姐", "妹妹", "老妈", "老爸"}


def mask_number(number: str) -> str:
    """Keep the first 3 and last 2 digits so the same contact stays recognisable across the report."""
    s = str(number)
    idx = [i for i, ch in enumerate(s) if ch.isdigit()]
    if len(idx) <= 5:
        return "*" * len(s)
    keep = set(idx[:3] + idx[-2:]) if not s.startswith("+") else set(idx[:5] + idx[-2:])
    return "".join(ch if (not ch.isdigit() or i in keep) else "*" for i, ch in enumerate(s))


def mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def third_party_names(bodies, contact_names=(), *, own_name: str | None = None) -> set[str]:
    """Names to mask: names of non-collector contacts plus names the texts give for contacts/other debtors."""
    names = {n.strip() for n in contact_names if n and n.strip() and n.strip() not in _KIN
             and not n.startswith("(") and len(n.strip()) <= 4}
    for b in bodies:
        if not isinstance(b, str):
            continue
        for rx in _NAME_CUES:
            for m in rx.finditer(b):
                names.add(m.group(1))
    names = {re.sub(r"\(.*\)|（.*）", "", n) for n in names}
    if own_name:
        names = {n for n in names if n and n not in own_name and own_name not in n}
    return {n for n in names if len(n) >= 2}


class Masker:
    """Masks third-party numbers/names in display text; a no-op when disabled."""

    def __init__(self, *, enabled: bool, keep_numbers=(), names=()):
        self.enabled = enabled
        self.keep = {digits_of(n) for n in keep_numbers if digits_of(n)}
        self.names = sorted(set(names), key=len, reverse=True)
        self._name_rx = re.compile("|".join(map(re.escape, self.names))) if self.names else None

    def number(self, number: str) -> str:
        if not self.enabled or not number or digits_of(number) in self.keep:
            return number
        return mask_number(number)

    def name(self, name: str) -> str:
        if not self.enabled or not name:
            return name
        return mask_name(name) if name in self.names else name

    def text(self, text: str) -> str:
        if not self.enabled or not isinstance(text, str) or not text:
            return text
        out = _PHONE.sub(lambda m: m.group(0) if digits_of(m.group(0)) in self.keep else mask_number(m.group(0)), text)
        if self._name_rx:
            out = self._name_rx.sub(lambda m: mask_name(m.group(0)), out)
        return out
