"""Model: pipeline, training, thresholds, evaluation, and hash-checked persistence.

Names are imported lazily: labelling needs only `load_scorer` (numpy), and must not pay for importing
scikit-learn, which `train_model` and `CuishouModel` pull in.
"""
from __future__ import annotations

import importlib

_WHERE = {
    "load_model": "artifacts", "load_scorer": "artifacts", "read_meta": "artifacts", "save_model": "artifacts",
    "TrainConfig": "config", "CuishouModel": "pipeline", "TrainResult": "train", "train_model": "train",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'cuishou.model' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cuishou.model.{_WHERE[name]}"), name)
