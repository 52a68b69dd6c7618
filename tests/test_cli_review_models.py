"""`cuishou review`, `cuishou train --add` and `cuishou models` through the CLI (the thin layer over learning.py)."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import TINY_CORPUS

#: hand-written messages not in any corpus, with the answers a careful human would give
INBOX = [
    ("明天再不还钱，我们就带人去你单位门口拉横幅", "1", "threat;third_party"),
    ("你妈的，老赖一个，还不起就别借", "1", "insult"),
    ("【某某法院】你已被列为被告，请立即联系专员缴纳欠款，否则强制执行", "1", "impersonation"),
    ("你好，你同事刘某在我司借款3万逾期90天，身份证号4401**********5678，请转告他", "1", "third_party;privacy"),
    ("尊敬的客户，您本期账单应还1200元，还款日为本月15日，请按时还款", "1", ""),
    ("您的分期已逾期2天，请尽快处理，逾期会产生罚息", "1", ""),
    ("周末一起去爬山吗", "0", ""),
    ("【京东】您的订单已发货，请注意查收", "0", ""),
    ("验证码 889911，5分钟内有效", "0", ""),
    ("上次借你的那一千块下个月发工资就还你", "1", ""),
    ("再装死就把你的照片P成通缉令发到你小区业主群", "1", "threat;privacy;insult"),
    ("我们是律师事务所，已向公安机关报案，你将被刑事拘留", "1", "threat;impersonation"),
]


@pytest.fixture
def env(tmp_path, monkeypatch):
    import cuishou.paths as paths

    monkeypatch.setenv("CUISHOU_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(paths, "base_corpus_path", lambda: TINY_CORPUS)      # the tiny corpus plays the base
    monkeypatch.setattr(paths, "shipped_model_dir", lambda: tmp_path / "no-shipped-model")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    from cuishou.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_review_then_train_add_then_models(env, tiny_model_dir, tiny_test_n, monkeypatch):
    monkeypatch.setattr("cuishou.learning.MIN_SUPPORT", 1)  # tiny fixture: judge every label (see test_learning)
    pd.DataFrame({"text": [t for t, _, _ in INBOX]}).to_csv(env / "inbox.csv", index=False)
    r = run("review", "inbox.csv", "-o", "to_label.csv", "-n", "8", "--model", str(tiny_model_dir))
    assert r.exit_code == 0, r.output
    assert "挑出" in r.output and "train --add to_label.csv" in r.output
    d = pd.read_csv(env / "to_label.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert 0 < len(d) <= 8 and (env / "to_label.GUIDELINE.md").exists()

    # the human answers every message wrongly (violations → lawful): refused, exit code 3, table printed
    truth = {t: (c, lab) for t, c, lab in INBOX}
    d["collection"] = [truth[t][0] for t in d["text"]]
    d["labels"] = ["" for _ in d["text"]]
    wrong = pd.concat([d, pd.DataFrame({"text": [f"你好，你{n}的欠款已逾期，请尽快还款" for n in "甲乙丙丁戊己庚辛"],
                                        "collection": "1", "labels": "threat;insult;impersonation"})])
    wrong.to_csv(env / "wrong.csv", index=False)
    r = run("train", "--add", "wrong.csv", "--baseline", str(tiny_model_dir))
    assert r.exit_code == 3, r.output
    assert f"固定测试集 (n={tiny_test_n})" in r.output and "old 旧" in r.output and "✗ 回归检查未通过" in r.output
    assert "已保存但未启用" in r.output

    r = run("models")
    assert r.exit_code == 0 and "rejected" in r.output and "v0001-" in r.output
    listing = json.loads(run("models", "list", "--json").output)
    assert [(v["status"], v["active"]) for v in listing] == [("rejected", False)]

    # deliberately activate the rejected version, then roll back to "no user model" is impossible here
    # (no shipped model in this setup): the error says so
    r = run("models", "use", "v0001")
    assert r.exit_code == 0 and "已启用 default/v0001-" in r.output and "未通过回归检查" in r.output
    assert json.loads(run("models", "list", "--json").output)[0]["active"] is True
    r = run("models", "use", "shipped")
    assert r.exit_code == 1 and "没有随包附带的模型" in r.output
    r = run("models", "use", "v0042")
    assert r.exit_code == 1 and "找不到模型版本" in r.output


def test_models_use_shipped_rolls_back(env, tiny_model_dir, monkeypatch):
    import shutil

    import cuishou.paths as paths
    from cuishou.paths import default_model_dir

    monkeypatch.setattr(paths, "shipped_model_dir", lambda: tiny_model_dir)
    shutil.copytree(tiny_model_dir, env / "home" / "models" / "default" / "v0001-20260101T000000Z")
    assert run("models", "use", "v0001").exit_code == 0
    assert default_model_dir().name == "v0001-20260101T000000Z"
    out = run("models").output
    assert "* default/v0001" in out and "  shipped" in out
    assert run("models", "use", "shipped").exit_code == 0
    assert default_model_dir() == tiny_model_dir
    assert "* shipped" in run("models").output


def test_train_add_option_errors(env, tiny_model_dir):
    bad = env / "bad.csv"
    pd.DataFrame({"text": ["还钱", "快还"], "collection": ["1", "0"], "labels": ["", "insult"]}).to_csv(bad, index=False)
    r = run("train", "--add", "bad.csv", "--baseline", str(tiny_model_dir))
    assert r.exit_code == 1 and "bad.csv 第 3 行" in r.output and "collection=0 矛盾" in r.output
    r = run("train", "--add", "bad.csv", "--out", "x")
    assert r.exit_code == 2 and "--out" in r.output
    r = run("train", "--add", "bad.csv", "--seed", "3")
    assert r.exit_code == 2 and "--seed" in r.output
    r = run("train", "--baseline", str(tiny_model_dir))
    assert r.exit_code == 2
    assert not (env / "home").exists()


def test_train_without_add_is_unchanged(env):
    r = run("train", "--data", str(TINY_CORPUS), "--out", "m", "--no-telecom")
    assert r.exit_code == 0, r.output
    assert (env / "m" / "meta.json").exists() and "模型已保存到 m" in r.output
    assert not (env / "home").exists()
