"""Shared fixtures: a tiny model trained once per session on the committed tiny corpus (a few seconds)."""
from __future__ import annotations

from pathlib import Path

import pytest

from report_checks import never_cite_guard  # noqa: F401  autouse: every report any test renders is checked

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TINY_CORPUS = FIXTURES / "tiny_corpus.csv"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def tiny_test_n() -> int:
    """Size of the tiny corpus's fixed grouped test split under the default config."""
    from cuishou.model import TrainConfig
    from cuishou.model.corpus import grouped_train_test, read_corpus, split_groups

    df, c = read_corpus(TINY_CORPUS), TrainConfig()
    clusters = split_groups(df["text"].tolist(), df["group"].tolist(), threshold=c.near_dup_threshold)
    return int(grouped_train_test(clusters, df["group"].tolist(), test_size=c.test_size, seed=c.seed)[1].sum())


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    from cuishou.workflows import train_corpus

    out = tmp_path_factory.mktemp("models") / "tiny"
    train_corpus([TINY_CORPUS], out, argv=["test"], log=lambda m: None)
    return out


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from cuishou.model import load_model

    return load_model(tiny_model_dir)


@pytest.fixture
def shipped_model_dir() -> Path:
    d = ROOT / "models" / "default"
    if not (d / "meta.json").exists():
        pytest.skip("shipped model models/default not built in this checkout")
    return d


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (as on a user's machine)")
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_user_state(monkeypatch, tmp_path_factory):
    """No developer's own model choice or user corpus may leak into a test."""
    monkeypatch.delenv("CUISHOU_MODEL", raising=False)
    monkeypatch.setenv("CUISHOU_HOME", str(tmp_path_factory.mktemp("cuishou_home")))
    yield
