"""Text normalisation and tokenisation, shared by training and labelling.

The model's pipeline references these functions by import path, so joblib pickles point here: keep the names
and module path stable (changing them breaks shipped models). Not called `tokenize` (stdlib clash).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

_URL = re.compile(r"(?:https?://|www\.)[^\s\u4e00-\u9fff，。！？、]+|[a-z0-9.-]+\.(?:cn|com|net|cc|top|vip)(?:/[^\s\u4e00-\u9fff]*)?", re.I)
_MASK = re.compile(r"[*＊•●×xX]{2,}")
_DIGITS = re.compile(r"\d(?:[\d,.]*\d)?")
# separators inserted between Chinese characters to dodge keyword filters: "曝 光", "坐.牢", "报-警"
_CJK_SPLIT = re.compile(r"(?<=[\u4e00-\u9fff])[\s.·•\-_/\\|~]+(?=[\u4e00-\u9fff])")
_SPACES = re.compile(r"\s+")
# placeholders left by anonymised exports and datasets: DIGIT, PHONE, NAME, PLACE, URL, [收件人姓名]
_PH_NUM = re.compile(r"DIGIT|PHONE|NUMBER")
_PH_NAME = re.compile(r"NAME|\[[^\]]{0,8}(?:姓名|名字)[^\]]{0,8}\]|【[^】]{0,8}姓名[^】]{0,8}】")
_PH_PLACE = re.compile(r"PLACE|ADDRESS")
_PH_URL = re.compile(r"(?<![A-Za-z])URL(?![A-Za-z])")
_PH_ANY = re.compile(r"DIGIT|PHONE|NUMBER|NAME|PLACE|ADDRESS|URL|姓名|名字")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _compat_table() -> tuple[re.Pattern, dict[str, str]]:
    """Every BMP character whose NFKC form differs (full-width punctuation "，！", "…", circled digits …) and
    that form, built once (~40 ms)."""
    table = {}
    for cp in range(0xA0, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        n = unicodedata.normalize("NFKC", c)
        if n != c:
            table[c] = n
    return re.compile("[" + "".join(map(re.escape, sorted(table))) + "]"), table


def _nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), ~3x faster on Chinese SMS.

    Almost every Chinese message contains full-width punctuation, which sends CPython down its slow path for the
    whole string. Replacing each character by its own NFKC form first leaves the NFKD decomposition unchanged,
    so the NFKC of the result equals the NFKC of the text; if the result is already normalised (the quick
    check), it is that NFKC. Anything else (combining marks, characters beyond the BMP) still gets the full
    normalisation, so the result is always exact."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    pattern, table = _compat_table()
    s = pattern.sub(lambda m: table[m.group()], text)
    return s if unicodedata.is_normalized("NFKC", s) else unicodedata.normalize("NFKC", s)


def normalize(text: str) -> str:
    """Canonical form the features see.

    - NFKC: full-width letters/digits/punctuation → half-width (ＳＢ → SB, １２３ → 123);
    - lower case; traditional → simplified (OpenCC t2s), so HK/TW/Cantonese texts share features;
    - placeholders of anonymised data (DIGIT, NAME, PLACE, URL, [收件人姓名]) → 0 / 某 / 某地 / urllink;
    - URLs → ``urllink``; masks (``****``, ``xx``) → ``*``; digit runs → ``0`` (amounts and numbers are not signal);
    - separators between Chinese characters removed (``曝 光`` → ``曝光``);
    - emoji are kept: they carry signal (🔪, 💀).
    """
    if not text:
        return ""
    s = _nfkc(text)
    if _PH_ANY.search(s):  # rare: skip four substitutions on ordinary text
        s = _PH_URL.sub(" urllink ", _PH_PLACE.sub("某地", _PH_NAME.sub("某", _PH_NUM.sub("0", s))))
    s = _t2s().convert(s.lower())
    if "." in s or "/" in s:  # every URL form the pattern knows has one of these
        s = _URL.sub(" urllink ", s)
    s = _MASK.sub("*", s)
    s = _DIGITS.sub("0", s)
    s = _CJK_SPLIT.sub("", s)
    return _SPACES.sub(" ", s).strip()


def normalize_many(texts) -> list[str]:
    """Vectorised form for the sklearn pipeline (FunctionTransformer). (Normalising a whole batch joined into
    one string was measured: no faster, since the regular expressions, not the calls, take the time.)"""
    return [normalize(t) for t in texts]


def _userdict_lines() -> list[tuple[str, int]]:
    text = resources.files("cuishou").joinpath("data/userdict.txt").read_text("utf-8")
    return [(w, int(f)) for w, f, *_ in (ln.split() for ln in text.splitlines() if ln.strip())]


@lru_cache(maxsize=1)
def _python_jieba():
    """The reference engine: jieba itself (pure Python)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for w, f in _userdict_lines():
        tk.add_word(w, f)
    return lambda t: tk.lcut(t, HMM=False)


@lru_cache(maxsize=1)
def token_engine():
    """jieba's dictionary and algorithm, run by jieba-rs (rjieba) when installed: same tokens, ~13x faster.

    Python jieba stays the reference and the fallback; tests check both give identical tokens.
    """
    try:
        import rjieba
    except ImportError:
        return _python_jieba()
    tk = rjieba.Jieba()
    for w, f in _userdict_lines():
        tk.add_word(w, f, None)
    return lambda t: tk.cut(t, hmm=False)


def words(text: str) -> list[str]:
    """jieba word tokens of an already-normalised text (no HMM: faster, and out-of-vocabulary names fall back
    to characters, which the character n-grams cover anyway). Whitespace and lone punctuation are dropped."""
    return [w for w in token_engine()(text) if _keep(w)]


@lru_cache(maxsize=1 << 16)
def _keep(w: str) -> bool:
    """Drop whitespace and lone punctuation (cached: the same few tokens recur millions of times)."""
    return bool(w.strip()) and not (len(w) == 1 and unicodedata.category(w)[0] in "PZ")


def word_ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams ("后果 自负", "上门 拜访"): a pair of words often decides a label where each
    word alone is neutral (上门 in a visit notice vs. 上门 堵门)."""
    w = words(text)
    return w + [f"{a} {b}" for a, b in zip(w, w[1:])]


def warm_up() -> None:
    """Load dictionaries and tables once (jieba's ~1 s start) before timing-sensitive work."""
    _compat_table()
    words(normalize("初始化"))
