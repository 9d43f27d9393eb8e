"""
=====================================
Many series, one network
=====================================

A long frame holds several series, one row per series and day: here the daily closes of
the four tickers shipped with skrnn. ``group=`` tells :func:`~skrnn.make_supervised` and
:class:`~skrnn.SlidingWindow` which rows belong together, so targets and windows never
cross from one series into the next, and one network learns from all four. The regressor
scales every window by its own recent level (``window_scaling="auto"``: logs, for positive
prices), so a $30 stock and a $700 one train alike, and forecasts come back in each
series' dollars.
"""

# %%
import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline

from skrnn import (
    GRURegressor,
    PanelTimeSeriesSplit,
    PersistenceRegressor,
    SlidingWindow,
    make_supervised,
)
from skrnn.datasets import load_stock

tickers = ["AAPL", "GOOG", "IBM", "MSFT"]
panel = pd.concat(
    [load_stock(t)[["Close"]].assign(ticker=t).reset_index() for t in tickers],
    ignore_index=True,
)[["Date", "ticker", "Close"]]
panel.groupby("ticker")["Close"].describe()[["count", "min", "max"]]

# %%
# Targets and windows within each series
# --------------------------------------
# ``make_supervised`` shifts the close within each ticker; the last row of every ticker,
# whose next close is unknown, is dropped. The id column stays in ``X`` for SlidingWindow,
# which uses it and drops it. The date is not a feature.
X, y = make_supervised(panel[["ticker", "Close"]], target="Close", group="ticker")

# %%
# Holding out the last fifth of every series
# ------------------------------------------
# :class:`~skrnn.PanelTimeSeriesSplit` splits each series in time on its own: with one
# split and a test size of a fifth of the shortest series, it holds out the last rows of
# every ticker at once, as a forecasting competition would.
test_size = int(0.2 * X.groupby("ticker").size().min())
cv = PanelTimeSeriesSplit(n_splits=1, test_size=test_size, group="ticker")
train, test = next(cv.split(X))


def evaluate(model):
    model.fit(X.iloc[train], y.iloc[train])
    # The hold-out windows reach back into the training rows: the history a forecaster
    # has. Predict on every row, keep the hold-out.
    pred = model.predict(X)[test]
    by_ticker = pd.Series(np.abs(pred - y.iloc[test].to_numpy())).groupby(
        X["ticker"].iloc[test].to_numpy()
    )
    return by_ticker.mean()


window = SlidingWindow(7, group="ticker")
persistence = evaluate(make_pipeline(window, PersistenceRegressor()))
network = make_pipeline(SlidingWindow(7, group="ticker"), GRURegressor(random_state=0))
one_network = evaluate(network)
pd.DataFrame({"persistence MAE": persistence, "one GRU for all": one_network}).assign(
    ratio=lambda t: t["one GRU for all"] / t["persistence MAE"]
)

# %%
# On daily prices, a near random walk, the network keeps its linear start: exactly
# persistence for every ticker, in each ticker's own units. On related series with
# structure (seasonal sales, sensors of one kind), the same three lines learn across the
# series; see the M3 competition results in the accuracy page of the documentation.
print(f"best_epoch_ = {network[-1].best_epoch_}, scaling = {network[-1].window_scaling_.kind}")
