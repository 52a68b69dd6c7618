"""Model: pipeline, training, thresholds, evaluation, and hash-checked persistence."""
from cuishou.model.artifacts import load_model, read_meta, save_model
from cuishou.model.config import TrainConfig
from cuishou.model.pipeline import CuishouModel
from cuishou.model.train import TrainResult, train_model

__all__ = ["CuishouModel", "TrainConfig", "TrainResult", "load_model", "read_meta", "save_model", "train_model"]
