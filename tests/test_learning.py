"""The learning loop on small data: review → answers → retrain under the guard → versions → rollback.

The base corpus is tests/fixtures/tiny_corpus.csv (50 rows, a fixed test split of 10) and the baseline is the
session's tiny model trained on it; the "user's" answers are rows of the real corpus (datasets/corpus.csv), whose
labels are the truth. Each retraining takes ~3 s.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, TINY_CORPUS

ALL5 = "threat;third_party;insult;privacy;impersonation"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("CUISHOU_HOME", str(h))
    return h


@pytest.fixture(scope="session")
def answers() -> pd.DataFrame:
    """~150 labelled rows from the real corpus (not in the tiny corpus), every category represented."""
    corpus = ROOT / "datasets" / "corpus.csv"
    if not corpus.exists():
        pytest.skip("datasets/corpus.csv is absent")
    from cuishou.text import normalize

    df = pd.read_csv(corpus, dtype=str, keep_default_na=False)
    tiny = {normalize(t) for t in pd.read_csv(TINY_CORPUS, dtype=str)["text"]}
    df = df[~df["text"].map(normalize).isin(tiny) & ~df["source"].str.startswith("augmented")]
    parts = [df[df["labels"].str.contains(n)].sample(frac=1, random_state=7).head(25)
             for n in ("threat", "third_party", "insult", "privacy", "impersonation")]
    parts.append(df[(df["collection"] == "1") & (df["labels"] == "")].sample(frac=1, random_state=7).head(30))
    parts.append(df[df["collection"] == "0"].sample(frac=1, random_state=7).head(35))
    out = pd.concat(parts).drop_duplicates("text")
    out = out[~out["text"].map(normalize).duplicated()]
    return out[["text", "collection", "labels"]].reset_index(drop=True)


def flipped(df: pd.DataFrame) -> pd.DataFrame:
    """Deliberately wrong answers: violations marked lawful, lawful reminders marked with every violation."""
    bad = df.copy()
    bad["labels"] = ["" if lab else (ALL5 if c == "1" else "") for c, lab in zip(df["collection"], df["labels"])]
    return bad


def fill(review_csv: Path, truth: pd.DataFrame, out: Path) -> Path:
    """The human's part: overwrite the pre-filled collection/labels with the answers (extra columns stay)."""
    d = pd.read_csv(review_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    t = truth.set_index("text")
    d["collection"] = [t.at[x, "collection"] for x in d["text"]]
    d["labels"] = [t.at[x, "labels"] for x in d["text"]]
    d.to_csv(out, index=False, encoding="utf-8-sig")
    return out


def _files_under(p: Path) -> set[str]:
    return {str(f.relative_to(p)) for f in p.rglob("*") if "__pycache__" not in f.parts}


# ------------------------------------------------------------------------------------------------ review

def test_review_picks_explains_and_prefills(tmp_path, tiny_model_dir, tiny_model, answers):
    from cuishou.classify import classify_texts
    from cuishou.learning import P_COLUMNS, REVIEW_COLUMNS, review
    from cuishou.text import normalize

    tiny_text = pd.read_csv(TINY_CORPUS, dtype=str)["text"][0]
    inbox = pd.DataFrame({"内容": [*answers["text"], answers["text"][0], answers["text"][0] + " ", tiny_text]})
    inbox.to_csv(tmp_path / "inbox.csv", index=False)
    out = tmp_path / "to_label.csv"
    res = review([str(tmp_path / "inbox.csv")], out, n=40, model_dir=tiny_model_dir, base=TINY_CORPUS)

    d = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(d.columns[:len(REVIEW_COLUMNS)]) == list(REVIEW_COLUMNS)
    assert 0 < len(d) <= 40 and res.picked == len(d)
    assert res.already_labelled == 1 and tiny_text not in set(d["text"])
    assert res.distinct == len(answers) + 1                   # the two copies of row 0 collapse
    assert d["text"].map(normalize).is_unique
    assert (d["reason"].str.len() > 0).all()
    assert d["reason"].str.contains("接近阈值|模型内部分歧|自相矛盾|没见过的词").all()
    # pre-filled with the current prediction
    pred = classify_texts(tiny_model[0], d["text"].tolist())
    assert d["collection"].astype(int).tolist() == pred["collection"].tolist()
    assert d["labels"].tolist() == pred["labels"].tolist()
    assert np.allclose(d[list(P_COLUMNS)].astype(float), pred[list(P_COLUMNS)].astype(float))
    guide = tmp_path / "to_label.GUIDELINE.md"
    assert res.guideline == guide and guide.exists()
    g = guide.read_text("utf-8")
    assert "impersonation" in g and "冒充" in g and "train --add" in g and "标注规范" in g


def test_review_phone_export_keeps_context(tmp_path, tiny_model_dir):
    from cuishou.learning import review

    export = ROOT / "datasets" / "samples" / "android" / "sms-20260310.xml"
    if not export.exists():
        pytest.skip("sample export absent")
    out = tmp_path / "r.csv"
    res = review([str(export)], out, n=5, model_dir=tiny_model_dir, base=TINY_CORPUS)
    d = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(d) == res.picked <= 5
    for c in ("msg_id", "address", "time", "source"):
        assert c in d.columns
    assert d["time"].str.endswith("Z").all()


def test_pick_round_robin_and_unseen_words(tiny_model):
    from cuishou.learning import _pick, unseen_words

    scores = {"a": np.array([0.9, 0.8, 0.7, 0, 0]), "b": np.array([0, 0, 0, 0.1, 0.2])}
    assert _pick(scores, 2) == [0, 4]                      # one from each heuristic before a second from any
    assert _pick(scores, 10) == [0, 4, 1, 3, 2]            # no duplicates, nothing without a reason
    miss, total = unseen_words(tiny_model[0], ["量子纠缠实验室招聘博士后研究员"])[0]
    assert total >= 3 and len(miss) >= 3


# ------------------------------------------------------------------------------------------------ validation

@pytest.mark.parametrize("rows,needle", [
    ([("你好", "1", "threat;bogus")], "未知标签 bogus"),
    ([("还钱", "0", "threat")], "collection=0 矛盾"),
    ([("", "1", "")], "短信内容为空"),
    ([("还钱", "2", "")], "collection 必须是 0 或 1"),
])
def test_added_rows_are_validated_with_file_and_row(tmp_path, rows, needle):
    from cuishou.errors import DatasetError
    from cuishou.learning import retrain_with

    f = tmp_path / "mine.csv"
    pd.DataFrame([("正常的一行", "0", ""), *rows], columns=["text", "collection", "labels"]).to_csv(f, index=False)
    with pytest.raises(DatasetError) as e:
        retrain_with([f], base=TINY_CORPUS)
    assert "mine.csv 第 3 行" in str(e.value) and needle in str(e.value)


def test_missing_column_and_contradictions(tmp_path):
    from cuishou.errors import DatasetError
    from cuishou.learning import read_labelled, retrain_with

    f = tmp_path / "nolabels.csv"
    pd.DataFrame({"text": ["a"], "collection": ["1"]}).to_csv(f, index=False)
    with pytest.raises(DatasetError, match="nolabels.csv：缺少列 labels"):
        retrain_with([f], base=TINY_CORPUS)
    g = tmp_path / "twice.csv"
    pd.DataFrame({"text": ["快还钱", "快还钱！", "快还钱"], "collection": ["1", "1", "1"],
                  "labels": ["", "", "insult"]}).to_csv(g, index=False)
    with pytest.raises(DatasetError, match="twice.csv 第 2 行 与 twice.csv 第 4 行"):
        retrain_with([g], base=TINY_CORPUS)
    # blank spreadsheet lines are skipped; Chinese label names and full-width separators are accepted
    h = tmp_path / "ok.csv"
    h.write_text("text,collection,labels,extra\n你这个老赖，明天上门,1,威胁恐吓；侮辱谩骂,x\n,,,\n", "utf-8-sig")
    rows = read_labelled(h)
    assert rows["labels"].tolist() == ["threat;insult"] and len(rows) == 1
    assert not (Path(tmp_path) / "home").exists()          # nothing written on a validation error


# ------------------------------------------------------------------------------------------------ the loop

def test_whole_loop_guard_versions_rollback(tmp_path, home, tiny_model_dir, answers, tiny_test_n, monkeypatch):
    # the tiny fixture's fixed test split has ~9 rows: judge every label anyway, or nothing would be judged
    monkeypatch.setattr("cuishou.learning.MIN_SUPPORT", 1)
    """review → wrong answers → refused (saved, not active) → forced → right answers → accepted → rollback."""
    from cuishou.learning import review, retrain_with
    from cuishou.model import read_meta
    from cuishou.model.registry import list_versions, set_active, user_corpus_path
    from cuishou.paths import default_model_dir

    pkg = ROOT / "src" / "cuishou"
    before = _files_under(pkg), _files_under(ROOT / "models")
    inbox = tmp_path / "inbox.txt"
    inbox.write_text("\n".join(answers["text"]) + "\n", "utf-8")
    out = tmp_path / "to_label.csv"
    r = review([str(inbox)], out, n=200, model_dir=tiny_model_dir, base=TINY_CORPUS)
    assert r.picked > 60

    # 1. deliberately wrong answers: the guard refuses; the version is kept as rejected; nothing changes
    bad = fill(out, flipped(answers), tmp_path / "bad.csv")
    o1 = retrain_with([bad], base=TINY_CORPUS, baseline=tiny_model_dir)
    assert not o1.accepted and not o1.activated and o1.refusals
    assert any("F1 从" in x for x in o1.refusals)
    assert o1.comparison["base_test"]["n"] == tiny_test_n and o1.comparison["base_test"]["old"] is not None
    assert o1.comparison["user_holdout"]["n"] == o1.holdout_rows > 0
    assert "✗" in o1.table and "threat F1" in o1.table and "lawful flagged" in o1.table
    assert read_meta(o1.path)["status"] == "rejected"
    assert not user_corpus_path().exists()
    assert not (home / "models" / "active.json").exists()
    assert (o1.path / "user_corpus.csv").exists()          # the rows it was trained with, for inspection

    # 2. forced: active, user corpus written with provenance
    o2 = retrain_with([bad], base=TINY_CORPUS, baseline=tiny_model_dir, force=True)
    assert o2.activated and o2.forced and read_meta(o2.path)["status"] == "forced"
    assert default_model_dir() == o2.path
    u = pd.read_csv(user_corpus_path(), dtype=str, keep_default_na=False)
    assert len(u) == o2.added == r.picked
    assert u["source"].str.fullmatch(r"user:bad\.csv:\d{4}-\d{2}-\d{2}").all()
    assert (u["licence"] == "user-provided").all() and (u["guideline"] != "").all()

    # 3. the right answers, compared with the active (bad) model: accepted; the user rows are updated in place
    #    (with the product's real support minimum: a label with one test example is not judged)
    monkeypatch.setattr("cuishou.learning.MIN_SUPPORT", 5)
    good = fill(out, answers, tmp_path / "good.csv")
    o3 = retrain_with([good], base=TINY_CORPUS)
    assert o3.baseline == str(o2.path)
    assert o3.accepted and o3.activated, o3.table
    assert o3.updated_user > 0 and o3.added == o3.updated_user and o3.user_rows == r.picked
    assert default_model_dir() == o3.path
    new, old = o3.comparison["base_test"]["new"], o3.comparison["base_test"]["old"]
    assert new["macro_f1_violations"] > old["macro_f1_violations"]

    # 4. the listing and rollback
    vs = [v for v in list_versions() if not v.shipped]
    assert [v.status for v in vs] == ["rejected", "forced", "accepted"]
    assert [v.active for v in vs] == [False, False, True]
    assert vs[0].meta["data_sha256"] == vs[1].meta["data_sha256"] != vs[2].meta["data_sha256"]
    assert all(v.test_metrics["labels"]["threat"]["f1"] is not None for v in vs)
    set_active(vs[1].version.split("-")[0])                # "v0002"
    assert default_model_dir() == o2.path
    rolled = json.loads((home / "models" / "active.json").read_text("utf-8"))
    assert rolled["version"] == vs[1].version

    # user data never lands in the package or the shipped models folder
    assert (_files_under(pkg), _files_under(ROOT / "models")) == before
    assert all(str(p).startswith(str(home)) for p in (o1.path, o2.path, o3.path, user_corpus_path()))


def test_user_rows_override_base_and_duplicates(tmp_path, tiny_model_dir):
    from cuishou.learning import retrain_with

    base = pd.read_csv(TINY_CORPUS, dtype=str, keep_default_na=False)
    lawful = base[(base["collection"] == "1") & (base["labels"] == "")].iloc[0]
    threat = base[base["labels"] == "threat"].iloc[0]
    f = tmp_path / "mine.csv"
    pd.DataFrame({"text": [lawful["text"], threat["text"] + "  ", "新的一条：记得周五前还我那两千块"],
                  "collection": ["1", "1", "1"], "labels": ["insult", "threat", ""]}).to_csv(f, index=False)
    o = retrain_with([f], base=TINY_CORPUS, baseline=tiny_model_dir, force=True)
    assert (o.overrides_base, o.duplicates, o.added) == (1, 1, 2)
    assert any("更正了基础语料中的 1 条" in n for n in o.notes)


def test_no_baseline_accepts_with_note(tmp_path, monkeypatch):
    import cuishou.paths as paths
    from cuishou.learning import retrain_with

    monkeypatch.setattr(paths, "shipped_model_dir", lambda: tmp_path / "nothing")
    f = tmp_path / "mine.csv"
    pd.DataFrame({"text": ["周五前记得还我那两千块"], "collection": ["1"], "labels": [""]}).to_csv(f, index=False)
    o = retrain_with([f], base=TINY_CORPUS)
    assert o.accepted and o.activated and o.comparison["base_test"]["old"] is None
    assert any("没有可对比的旧模型" in n for n in o.notes)


# ------------------------------------------------------------------------------------------------ units

def _m(f1: dict, lawful: float | None) -> dict:
    from cuishou.labels import ALL_NAMES

    return {"labels": {n: {"f1": f1.get(n, 0.8)} for n in ALL_NAMES}, "lawful_flagged_rate": lawful, "lawful_n": 20}


def test_guard_rules():
    from cuishou.learning import guard

    assert guard(None, _m({}, 0.1)) == []
    assert guard(_m({}, 0.1), _m({"threat": 0.781}, 0.1)) == []           # a drop of 0.019 is tolerated
    (r,) = guard(_m({}, 0.1), _m({"threat": 0.779}, 0.1))
    assert "threat" in r and "0.021" in r
    (r,) = guard(_m({}, 0.10), _m({"threat": 0.9}, 0.15))                  # any rise of lawful false flags
    assert "合法提醒" in r
    assert guard(_m({}, None), _m({}, 0.5)) == []                          # no lawful rows to compare on
    assert guard(_m({"collection": 0.9}, 0.1), _m({"collection": 0.1}, 0.1)) == []  # the gate is not guarded


def test_user_holdout_is_stable_as_the_corpus_grows():
    from cuishou.learning import user_holdout

    groups = [f"user:g{i}" for i in range(200)]
    a = user_holdout(groups, seed=1, share=0.2)
    b = user_holdout(groups + [f"user:h{i}" for i in range(100)], seed=1, share=0.2)
    assert (a == b[:200]).all() and 0.1 < a.mean() < 0.3
    assert user_holdout(groups[:5], seed=1, share=0.0001).sum() >= 1


def test_registry_resolution_and_errors(tmp_path, home, tiny_model_dir, monkeypatch):
    import shutil

    from cuishou.errors import CuishouError, ModelError
    from cuishou.model.registry import new_version_name, resolve, set_active
    from cuishou.paths import default_model_dir, user_home

    root = home / "models" / "default"
    for v in ("v0001-20260101T000000Z", "v0002-20260102T000000Z"):
        shutil.copytree(tiny_model_dir, root / v)
    assert new_version_name("default").startswith("v0003-")
    assert resolve("v0002").version == "v0002-20260102T000000Z"
    assert resolve("default/v0001-20260101T000000Z").version.startswith("v0001")
    with pytest.raises(ModelError, match="多个版本"):
        resolve("v000")
    with pytest.raises(ModelError, match="找不到"):
        resolve("v0009")
    # order: $CUISHOU_MODEL → active user version → shipped
    set_active("v0001")
    assert default_model_dir() == root / "v0001-20260101T000000Z"
    monkeypatch.setenv("CUISHOU_MODEL", str(tiny_model_dir))
    assert default_model_dir() == tiny_model_dir
    monkeypatch.delenv("CUISHOU_MODEL")
    # a tampered model is not activated; a dangling pointer is an error, not a silent fallback
    (root / "v0002-20260102T000000Z" / "model.joblib").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="SHA-256"):
        set_active("v0002")
    shutil.rmtree(root / "v0001-20260101T000000Z")
    with pytest.raises(ModelError, match="不存在"):
        default_model_dir()
    # never inside the package
    monkeypatch.setenv("CUISHOU_HOME", str(ROOT / "src" / "cuishou" / "userdata"))
    with pytest.raises(CuishouError, match="程序包目录"):
        user_home()


def test_guard_ignores_labels_with_too_few_test_examples():
    from cuishou.learning import MIN_SUPPORT, guard

    def m(f1, support):
        labels = {n: {"f1": 0.9, "support": 50} for n in ("threat", "third_party", "insult", "privacy", "impersonation")}
        labels["impersonation"] = {"f1": f1, "support": support}
        return {"labels": labels, "lawful_flagged_rate": 0.01, "lawful_n": 100}

    assert guard(m(1.0, MIN_SUPPORT - 1), m(0.5, MIN_SUPPORT - 1)) == []        # one example: not judged
    assert guard(m(1.0, MIN_SUPPORT), m(0.5, MIN_SUPPORT))                       # enough examples: refused
