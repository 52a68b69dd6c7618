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
