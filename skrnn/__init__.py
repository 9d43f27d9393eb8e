"""skrnn: recurrent neural networks as scikit-learn estimators, built on skorch."""

from ._baseline import PersistenceRegressor
from ._callbacks import DivergenceWarning
from ._regressor import GRURegressor, LSTMRegressor, RNNRegressor
from ._window import SlidingWindow, make_supervised

__version__ = "0.1.0"

__all__ = [
    "DivergenceWarning",
    "GRURegressor",
    "LSTMRegressor",
    "PersistenceRegressor",
    "RNNRegressor",
    "SlidingWindow",
    "make_supervised",
]
