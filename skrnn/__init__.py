"""skrnn: recurrent neural networks as scikit-learn estimators, built on skorch."""

from ._baseline import PersistenceRegressor
from ._callbacks import DivergenceWarning
from ._classifier import GRUClassifier, LSTMClassifier, RNNClassifier
from ._io import load, save
from ._regressor import GRURegressor, LSTMRegressor, RNNRegressor
from ._window import SlidingWindow, make_supervised

__version__ = "0.1.0"

__all__ = [
    "DivergenceWarning",
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "PersistenceRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "SlidingWindow",
    "load",
    "make_supervised",
    "save",
]
