import json
import shutil

import numpy as np
import pandas as pd
import pytest

from cuishou.errors import DatasetError, ModelError
from cuishou.model import TrainConfig, load_model, train_model
from cuishou.model.corpus import grouped_train_test, read_corpus, split_groups, validate_corpus
from cuishou.model.thresholds import choose_threshold

from conftest import TINY_CORPUS


def test_training_is_deterministic(tmp_path):
    df = read_corpus(TINY_CORPUS)
    texts = df["text"].tolist()
    a = train_model(df, TrainConfig()).model.predict_proba(texts)
    b = train_model(df, TrainConfig()).model.predict_proba(texts)
    assert np.array_equal(a, b)


def test_meta_records_what_a_model_needs(tiny_model_dir):
    meta = json.loads((tiny_model_dir / "meta.json").read_text("utf-8"))
    for key in ("format_version", "versions", "labels", "thresholds", "data_sha256", "model_sha256", "created",
                "command", "config", "guideline_version"):
        assert key in meta
    assert set(meta["versions"]) >= {"cuishou", "scikit-learn", "jieba"}
    assert meta["labels"][0] == "collection"
    assert (tiny_model_dir / "metrics.json").exists() and (tiny_model_dir / "README.md").exists()


def test_newer_format_refused(tiny_model_dir, tmp_path):
    d = tmp_path / "newer"
    shutil.copytree(tiny_model_dir, d)
    meta = json.loads((d / "meta.json").read_text("utf-8"))
    meta["format_version"] = 99
    (d / "meta.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelError, match="升级"):
        load_model(d)


def test_missing_meta(tmp_path):
    with pytest.raises(ModelError, match="meta.json"):
        load_model(tmp_path)


def test_threshold_meets_precision_target():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    s = np.clip(y * 0.6 + rng.normal(0.2, 0.2, 500), 0, 1)
    t, how = choose_threshold(y, s, precision_target=0.9)
    pred = s >= t
    assert "precision" in how
    assert (y[pred] == 1).mean() >= 0.9
    # a lower threshold that still meets the target would have been chosen: check we took max recall
    lower = s[(s < t)]
    if len(lower):
        t2 = lower.max()
        p2 = (y[s >= t2] == 1).mean()
        assert p2 < 0.9 or t2 < 0.05


def test_threshold_one_class_defaults():
    assert choose_threshold(np.zeros(5), np.linspace(0, 1, 5), precision_target=0.9)[0] == 0.5


def test_gate_blocks_violation_without_collection(tiny_model):
    model, _ = tiny_model
    proba = np.array([[0.01, 0.99, 0.99, 0.99, 0.99, 0.99]])
    assert model.decide(proba).sum() == 0


def test_corpus_validation_errors():
    base = {"text": ["还钱"], "collection": ["1"], "labels": [""]}
    with pytest.raises(DatasetError, match="未知标签"):
        validate_corpus(pd.DataFrame({**base, "labels": ["violence"]}))
    with pytest.raises(DatasetError, match="矛盾"):
        validate_corpus(pd.DataFrame({**base, "collection": ["0"], "labels": ["threat"]}))
    with pytest.raises(DatasetError, match="为空"):
        validate_corpus(pd.DataFrame({**base, "text": ["  "]}))
    with pytest.raises(DatasetError, match="缺少列"):
        validate_corpus(pd.DataFrame({"text": ["x"]}))


def test_grouped_split_keeps_siblings_and_near_duplicates_together():
    texts = ["再不还钱就去你家堵门让你邻居都看看", "再不还钱就去你家堵门让你邻居都看看！！", "您的验证码是1234",
             "晚上一起吃饭吗", "明天开会", "快递到了", "老赖还钱", "房租转你了"]
    groups = ["a", "b", "c", "c", "d", "e", "f", "g"]
    clusters = split_groups(texts, groups, threshold=0.8)
    assert clusters[0] == clusters[1]          # near-duplicates merged across groups
    assert clusters[2] == clusters[3]          # same group
    for seed in range(20):
        train, test = grouped_train_test(clusters, groups, test_size=0.4, seed=seed)
        for c in np.unique(clusters):
            m = clusters == c
            assert train[m].all() or test[m].all()


def test_lawful_budget_lowers_lawful_flags_and_logs():
    from cuishou.model.thresholds import apply_lawful_budget

    rng = np.random.default_rng(1)
    n = 400
    y = np.zeros((n, 6), dtype=int)
    y[:, 0] = 1
    y[:200, 1] = 1                                   # 200 threats, 200 lawful reminders
    s = np.zeros((n, 6))
    s[:, 0] = 0.99
    s[:200, 1] = rng.uniform(0.4, 1.0, 200)
    s[200:, 1] = rng.uniform(0.0, 0.7, 200)          # lawful reminders overlap the threat scores
    t0 = np.array([0.5, 0.45, 0.5, 0.5, 0.5, 0.5])
    before = ((s[200:, 1] >= t0[1])).mean()
    t, log = apply_lawful_budget(t0, s, y, budget=0.02, max_cost=np.inf)
    after = ((s[200:, 1] >= t[1])).mean()
    assert before > 0.2 and after <= 0.02 and t[1] > t0[1] and log
    assert (t[2:] == t0[2:]).all()                   # labels with no lawful hits are untouched
    # with a cost cap, steps that lose many true threats per lawful flag are refused and the stop is logged
    t_cap, log_cap = apply_lawful_budget(t0, s, y, budget=0.02, max_cost=1.0)
    assert t0[1] <= t_cap[1] <= t[1] and "stopped" in log_cap[-1]


def test_fast_vectorizer_equals_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from cuishou.model.pipeline import FastTfidfVectorizer
    from cuishou.text import normalize_many, word_ngrams

    train = normalize_many(read_corpus(TINY_CORPUS)["text"].tolist())
    new = normalize_many(["再不还钱明天就去你单位找领导 张先生 单号123", "全新的词汇从未见过", "", "🔪🔪"])
    for kw in (dict(analyzer="char", ngram_range=(1, 3)), dict(analyzer=word_ngrams)):
        ref = TfidfVectorizer(sublinear_tf=True, lowercase=False, dtype=np.float32, **kw).fit(train)
        fast = FastTfidfVectorizer(sublinear_tf=True, lowercase=False, dtype=np.float32, **kw).fit(train)
        assert abs(ref.transform(new) - fast.transform(new)).max() < 1e-7
        assert ref.transform(new).nnz == fast.transform(new).nnz


def test_split_is_stable_when_the_corpus_grows():
    """Adding rows never moves an existing row across the split (metrics stay comparable)."""
    base = [f"消息{i}号：内容各不相同{'甲乙丙丁戊己庚辛'[i % 8]}{i * 7919}" for i in range(200)]
    groups = [f"g{i}" for i in range(200)]
    c1 = split_groups(base, groups, threshold=0.8)
    _, t1 = grouped_train_test(c1, groups, test_size=0.2, seed=3)
    more = base + [f"新增消息{i}：另一批{i * 104729}" for i in range(100)]
    more_groups = groups + [f"n{i}" for i in range(100)]
    c2 = split_groups(more, more_groups, threshold=0.8)
    _, t2 = grouped_train_test(c2, more_groups, test_size=0.2, seed=3)
    assert (t2[:200] == t1).all()
    assert 0.1 < t1.mean() < 0.3


def test_violation_f1_by_part_scores_each_part_apart():
    from cuishou.model.train import violation_f1_by_part

    df = pd.DataFrame({"source": ["x; part=a", "x; part=a", "x; part=b", "x; part=b", "x; part=c"]})
    y = np.array([[1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0] * 6])
    pred = np.array([[1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0], [1, 0, 0, 1, 0, 0], [0] * 6])
    out = violation_f1_by_part(df, y, pred)
    assert out["a"] == {"n": 2, "positives": 2, "micro_f1": 1.0}
    assert out["b"]["micro_f1"] == 0.0 and "c" not in out  # part c has no violation to score
