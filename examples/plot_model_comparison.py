"""
=========================================================================
Deep RNN, bidirectional RNN, LSTM and GRU against persistence and ridge
=========================================================================

The side-by-side comparison of recurrent architectures from the tutorials, done so that
every model is actually trained (each estimator has its own ``fit``, its own optimizer and
its own weights), scored on the same chronological hold-out, and read against two
baselines: persistence ("tomorrow = today") and a ridge regression on the same lags.

Each architecture is fitted twice: as skrnn builds it by default (the network corrects a
linear forecast, see the user guide) and as the tutorials build it by hand
(``skip=None, center=False``: a network on standardized price windows).
"""

# %%
# Data: IBM's daily close
# -----------------------
# Like the tutorials, one input column: the close itself.
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import (
    GRURegressor,
    LSTMRegressor,
    PersistenceRegressor,
    RNNRegressor,
    SlidingWindow,
    make_supervised,
)
from skrnn.datasets import load_stock

close = load_stock("IBM").loc["2009":, ["Close"]]
X, y = make_supervised(close, target="Close")
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, shuffle=False)
n_train = len(X_train)
window = 16

# %%
# The models
# ----------
# The tutorials' networks have two layers of 64 units; smaller ones train faster and
# forecast no worse here. :func:`~sklearn.base.clone` gives each plain variant its own,
# unfitted copy.
common = dict(hidden_size=16, max_epochs=15, random_state=0)
networks = {
    "Deep RNN": RNNRegressor(num_layers=2, **common),
    "Bidirectional RNN": RNNRegressor(bidirectional=True, **common),
    "LSTM": LSTMRegressor(**common),
    "GRU": GRURegressor(**common),
}


def pipeline(model, flatten=False):
    return make_pipeline(StandardScaler(), SlidingWindow(window, flatten=flatten), model)


models = {
    "Persistence": pipeline(PersistenceRegressor()),
    "Ridge on lags": pipeline(RidgeCV(alphas=np.logspace(-3, 3, 13)), flatten=True),
}
for name, network in networks.items():
    models[name] = pipeline(network)
    models[f"{name}, plain"] = pipeline(clone(network).set_params(skip=None, center=False))

# %%
# Fit and score every model
# -------------------------
rows = {}
forecasts = {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    forecasts[name] = model.predict(X)[n_train:]
    final = model[-1]
    rows[name] = {
        "test MAE": mean_absolute_error(y_test, forecasts[name]),
        "epochs": getattr(final, "n_iter_", np.nan),
        "kept epoch": getattr(final, "best_epoch_", np.nan),
        "fit s": seconds,
    }
table = pd.DataFrame(rows).T
table.insert(1, "MAE / persistence", table["test MAE"] / table.loc["Persistence", "test MAE"])
table.round(3).astype({"epochs": "Int64", "kept epoch": "Int64"})

# %%
# Every network was trained: each ran its epochs (``epochs``), and the plain networks'
# forecasts differ from each other. The default networks kept the weights they started
# from (``kept epoch`` 0) wherever training did not beat them significantly on the most
# recent training rows; they then *are* their linear forecast, which on a random walk is
# persistence or very close to it.
#
# The plain networks are what the tutorials get: trained on standardized prices, they
# must output price levels above any they saw in training, and lose to persistence many
# times over.
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
table["MAE / persistence"].plot.barh(ax=ax, color="tab:blue")
ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
ax.invert_yaxis()
ax.set_xscale("log")
ax.set_xlabel("test MAE / persistence MAE (log scale, lower is better)")
_ = ax.set_title("IBM daily close, one day ahead")
