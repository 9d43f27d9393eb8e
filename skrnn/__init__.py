"""skrnn: recurrent neural networks as scikit-learn estimators, built on skorch.

The public names are imported on first use (PEP 562), so ``import skrnn`` and the ``skrnn``
command's ``--help`` do not pay for importing PyTorch.
"""

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Public name -> the private module that defines it.
_LAZY = {
    "CompactWindows": "_compact",
    "DivergenceWarning": "_callbacks",
    "GRUClassifier": "_classifier",
    "GRURegressor": "_regressor",
    "LSTMClassifier": "_classifier",
    "LSTMRegressor": "_regressor",
    "LagLayoutWarning": "_lags",
    "PanelTimeSeriesSplit": "_split",
    "PersistenceRegressor": "_baseline",
    "RNNClassifier": "_classifier",
    "RNNRegressor": "_regressor",
    "ShortHistoryWarning": "_window",
    "SlidingWindow": "_window",
    "StartKeptWarning": "_callbacks",
    "compare_forecasters": "_compare",
    "forecast": "_forecast",
    "future_dates": "_forecast",
    "load": "_io",
    "make_supervised": "_window",
    "save": "_io",
}

__all__ = [
    "CompactWindows",
    "DivergenceWarning",
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "LagLayoutWarning",
    "PanelTimeSeriesSplit",
    "PersistenceRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "ShortHistoryWarning",
    "SlidingWindow",
    "StartKeptWarning",
    "compare_forecasters",
    "forecast",
    "future_dates",
    "load",
    "make_supervised",
    "save",
]

if TYPE_CHECKING:  # what static tools see; at run time __getattr__ does the imports
    from ._baseline import PersistenceRegressor
    from ._callbacks import DivergenceWarning, StartKeptWarning
    from ._classifier import GRUClassifier, LSTMClassifier, RNNClassifier
    from ._compact import CompactWindows
    from ._compare import compare_forecasters
    from ._forecast import forecast, future_dates
    from ._io import load, save
    from ._lags import LagLayoutWarning
    from ._regressor import GRURegressor, LSTMRegressor, RNNRegressor
    from ._split import PanelTimeSeriesSplit
    from ._window import ShortHistoryWarning, SlidingWindow, make_supervised


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
