import pickle

from cuishou.text import normalize, normalize_many, words


def test_fullwidth_and_case():
    assert normalize("ＳＢ１２３") == "sb0"


def test_traditional_to_simplified():
    assert normalize("再不還錢就讓你坐牢") == "再不还钱就让你坐牢"


def test_masks_digits_urls():
    n = normalize("尾号138****5678 欠款8,000元 详见 https://xx.cn/a1b2")
    assert "0*0" in n and "0元" in n and "urllink" in n and "xx.cn" not in n


def test_dodge_separators_removed_between_chinese():
    assert normalize("曝 光") == "曝光"
    assert normalize("坐.牢") == "坐牢"
    assert normalize("ok 好") == "ok 好"  # only between Chinese characters


def test_emoji_kept():
    assert "🔪" in normalize("小心点🔪")


def test_empty():
    assert normalize("") == "" and words("") == []


def test_words_fixed_strings():
    assert words(normalize("不还就爆你通讯录")) == ["不", "还", "就", "爆通讯录"] or "爆通讯录" in words("不还就爆通讯录")
    assert "征信" in words("影响您的征信")
    assert all(w.strip() for w in words("你好， 世界！"))


def test_picklable_for_joblib():
    assert pickle.loads(pickle.dumps(words)) is words
    assert pickle.loads(pickle.dumps(normalize_many)) is normalize_many


def test_fast_engine_gives_jieba_tokens():
    """rjieba (jieba-rs) must cut exactly like the reference Python jieba with the same user dictionary."""
    import pytest

    pytest.importorskip("rjieba")
    from conftest import TINY_CORPUS
    import pandas as pd

    from cuishou.text import _python_jieba, token_engine

    texts = pd.read_csv(TINY_CORPUS)["text"].tolist() + ["再不还钱就爆通讯录，明天去你单位找领导", "曝光你的身份证号和住址"]
    fast, ref = token_engine(), _python_jieba()
    for t in map(normalize, texts):
        assert fast(t) == ref(t), t


def test_anonymisation_placeholders():
    assert normalize("满DIGIT元送NAME，详见URL") == "满0元送某,详见 urllink"
    assert normalize("亲爱的[收件人姓名]，PLACE见") == "亲爱的某,某地见"


def test_fast_nfkc_equals_unicodedata():
    """`_nfkc` must be exactly NFKC: on the corpus and on random strings of characters that compose,
    reorder or decompose in interesting ways."""
    import random
    import unicodedata

    from cuishou.text import _nfkc
    from conftest import ROOT

    corpus = ROOT / "datasets" / "corpus.csv"
    texts = corpus.read_text("utf-8").splitlines() if corpus.exists() else []
    rng = random.Random(0)
    alphabet = [chr(c) for c in [*range(0x20, 0x7F), *range(0xFF01, 0xFF66), 0x3000, 0x2026, 0x301, 0x308, 0x327,
                                 0x3099, 0x309A, 0x304B, 0x1100, 0x1161, 0x11A8, 0xAC00, 0x2460, 0x3231, 0x1D400,
                                 0x1F600, 0x41, 0x65, 0x4E00, 0xF900, 0x2F00, 0xFE50, 0x0B47, 0x0B3E, 0x212B, 0xFB01]]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(50_000)]
    assert [_nfkc(t) for t in texts] == [unicodedata.normalize("NFKC", t) for t in texts]
