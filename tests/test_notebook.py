"""notebooks/01-corpus-and-model.ipynb stays runnable: executed top to bottom with nbclient."""
from __future__ import annotations

import time

import pytest

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "01-corpus-and-model.ipynb"


def _execute(model_dir, monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib", reason="matplotlib is in the [test] extra")
    if not (ROOT / "datasets" / "corpus.csv").exists():
        pytest.skip("datasets/corpus.csv is absent")
    monkeypatch.setenv("CUISHOU_MODEL", str(model_dir))      # the kernel inherits the environment
    monkeypatch.setenv("CUISHOU_HOME", str(tmp_path / "home"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    t0 = time.monotonic()
    client.execute()  # raises CellExecutionError with the failing cell's traceback
    elapsed = time.monotonic() - t0
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 2      # label counts + PR curves
    assert not [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not (tmp_path / "home").exists()                                  # the notebook only reads
    return elapsed


def test_notebook_runs_on_shipped_model(shipped_model_dir, monkeypatch, tmp_path):
    assert _execute(shipped_model_dir, monkeypatch, tmp_path) < 60


def test_notebook_runs_on_tiny_model(tiny_model_dir, monkeypatch, tmp_path):
    """Also exercised where the shipped model is not built (a fresh checkout)."""
    assert _execute(tiny_model_dir, monkeypatch, tmp_path) < 60
