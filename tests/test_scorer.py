"""The array scorer (scorer.npz) must label exactly as the sklearn pipeline it was compiled from."""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from cuishou.classify import _explain, classify_texts
from cuishou.errors import ModelIntegrityError
from cuishou.model import load_model, load_scorer
from cuishou.model.corpus import read_corpus
from cuishou.model.scorer import Scorer, _IntTable, compile_arrays

from conftest import ROOT, TINY_CORPUS

EDGE_TEXTS = ["", " ", "还钱", "還錢！！", "sb 还钱💀🔪", "曝 光 你", "ＳＢ１２３", "a", "😀" * 5,
              "再不还钱明天就去你单位找你领导，" * 40, "http://t.cn/abc 点击还款", "[收件人姓名]您好，您的借款已逾期",
              "x\x1ey", "中\n中", "ΑΣ test", "　全角空格　"]


def _texts():
    return read_corpus(TINY_CORPUS)["text"].tolist() + EDGE_TEXTS


def _same_features(a, b) -> None:
    a, b = a.tocsr(), b.tocsr()
    a.sort_indices()
    b.sort_indices()
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.allclose(a.data, b.data, rtol=0, atol=1e-6)


def test_scorer_reproduces_the_pipeline(tiny_model):
    model, _ = tiny_model
    scorer = Scorer(compile_arrays(model))
    texts = _texts()
    xs, xm = scorer.transform(texts), model.transform(texts)
    _same_features(xs, xm)
    ps, pm = scorer.proba_from_features(xs), model.proba_from_features(xm)
    assert np.abs(ps - pm).max() < 1e-5
    assert np.array_equal(scorer.decide(ps), model.decide(pm))
    assert classify_texts(scorer, texts)["labels"].tolist() == classify_texts(model, texts)["labels"].tolist()


def test_scorer_batches_and_singles_agree(tiny_model):
    """Features and evidence of a text never depend on the other texts of its batch (or batch boundaries)."""
    from cuishou.model import scorer as mod

    model, _ = tiny_model
    scorer = Scorer(compile_arrays(model))
    texts = _texts()
    whole = scorer.transform(texts)
    old = mod.BATCH
    try:
        mod.BATCH = 7
        _same_features(scorer.transform(texts), whole)
    finally:
        mod.BATCH = old
    dec = scorer.decide(scorer.proba_from_features(whole))
    together = _explain(scorer, whole, dec)
    alone = [_explain(scorer, scorer.transform([t]), dec[i:i + 1])[0] for i, t in enumerate(texts)]
    assert together == alone


def test_shipped_scorer_matches_shipped_joblib(shipped_model_dir):
    texts = read_corpus(ROOT / "datasets" / "corpus.csv")["text"].tolist()[::7] + EDGE_TEXTS
    scorer, _ = load_scorer(shipped_model_dir)
    model, _ = load_model(shipped_model_dir)
    assert isinstance(scorer, Scorer)
    xs, xm = scorer.transform(texts), model.transform(texts)
    _same_features(xs, xm)
    ps, pm = scorer.proba_from_features(xs), model.proba_from_features(xm)
    assert np.abs(ps - pm).max() < 1e-5
    assert np.array_equal(scorer.decide(ps), model.decide(pm))


@pytest.mark.parametrize("loader, victim", [(load_model, "model.joblib"), (load_scorer, "scorer.npz"),
                                            (load_scorer, "model.joblib")])
def test_hash_check_refuses_a_folder_with_any_tampered_file(tiny_model_dir, tmp_path, loader, victim):
    """Training loads model.joblib, labelling scorer.npz; either refuses a folder whose files do not match the
    hashes meta.json recorded."""
    bad = tmp_path / "bad"
    shutil.copytree(tiny_model_dir, bad)
    with open(bad / victim, "ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelIntegrityError, match="拒绝加载"):
        loader(bad)


def test_folder_without_scorer_labels_through_joblib(tiny_model_dir, tmp_path):
    """Model folders written before scorers existed (a user's earlier versions) keep working."""
    old = tmp_path / "old"
    shutil.copytree(tiny_model_dir, old)
    (old / "scorer.npz").unlink()
    meta = json.loads((old / "meta.json").read_text("utf-8"))
    del meta["scorer_sha256"], meta["scorer_bytes"]
    (old / "meta.json").write_text(json.dumps(meta), "utf-8")
    model, _ = load_scorer(old)
    scorer, _ = load_scorer(tiny_model_dir)
    assert not isinstance(model, Scorer)
    assert classify_texts(model, EDGE_TEXTS)["labels"].tolist() == classify_texts(scorer, EDGE_TEXTS)["labels"].tolist()


def test_scorer_file_is_plain_arrays(tiny_model_dir):
    with np.load(tiny_model_dir / "scorer.npz", allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)


def test_labelling_never_imports_sklearn(tiny_model_dir, tmp_path):
    """Importing scikit-learn and unpickling cost seconds per run; labelling must need neither."""
    src = tmp_path / "msgs.txt"
    src.write_text("\n".join(EDGE_TEXTS[2:8]), "utf-8")
    code = ("import sys; from cuishou.workflows import label_input; "
            f"r = label_input({str(src)!r}, model_dir={str(tiny_model_dir)!r}); "
            "assert r.labelled > 0; bad = [m for m in sys.modules if m.split('.')[0] in ('sklearn', 'joblib')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_int_table_finds_exactly_its_keys():
    rng = np.random.default_rng(1)
    keys = np.unique(rng.integers(0, 1 << 62, 5000))
    cols = rng.permutation(len(keys))
    table = _IntTable(keys.tolist(), cols.tolist())
    queries = np.concatenate([keys, rng.integers(0, 1 << 62, 5000), keys[:10]])
    hit, found = table.lookup(queries)
    ref = dict(zip(keys.tolist(), cols.tolist()))
    assert hit.tolist() == [q in ref for q in queries.tolist()]
    assert found.tolist() == [ref[q] for q in queries.tolist() if q in ref]


@pytest.mark.parametrize("learner", ["logreg", "svm"])
def test_scorer_compiles_either_learner(learner):
    from cuishou.model import TrainConfig, train_model

    model = train_model(read_corpus(TINY_CORPUS), TrainConfig(learner=learner)).model
    scorer = Scorer(compile_arrays(model))
    texts = _texts()
    ps, pm = scorer.predict_proba(texts), model.predict_proba(texts)
    assert np.abs(ps - pm).max() < 1e-5
    assert np.array_equal(scorer.decide(ps), model.decide(pm))


def test_configs_saved_before_the_learner_field_read_as_logreg():
    from cuishou.model import TrainConfig

    old = TrainConfig().to_dict()
    del old["learner"]
    assert TrainConfig.from_dict(old).learner == "logreg"
