"""
=====================================
Forecasting five days ahead at once
=====================================

``make_supervised(..., horizon=5)`` pairs each day with the next five closes: ``y`` has
five columns and one network predicts all five (a *direct* multi-step forecast, with no
feeding of forecasts back as inputs). How much worse does the forecast get with each step
ahead, and does anything beat "the next five closes all equal today's"?
"""

# %%
import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRURegressor, PersistenceRegressor, SlidingWindow, make_supervised
from skrnn.datasets import load_stock
from skrnn.plotting import ForecastDisplay

horizon = 5
prices = load_stock("MSFT").loc["2009":]
X, y = make_supervised(prices, target="Close", horizon=horizon)
y.head(3)

# %%
# A gap between training and test rows
# ------------------------------------
# The targets of the last four training rows would reach into the test period. Leaving
# ``horizon - 1`` rows out between the two keeps every test value unseen, as the ``gap``
# parameter of :class:`~sklearn.model_selection.TimeSeriesSplit` does between folds.
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, shuffle=False)
n_train = len(X_train)
X_train, y_train = X_train.iloc[: -(horizon - 1)], y_train.iloc[: -(horizon - 1)]

# %%
# Three models with five outputs
# ------------------------------
# Persistence forecasts today's close for every step; ridge fits one linear model per
# step; the GRU has one output per step.
window = 10
models = {
    "Persistence": make_pipeline(StandardScaler(), SlidingWindow(window), PersistenceRegressor()),
    "Ridge on lags": make_pipeline(
        StandardScaler(), SlidingWindow(window, flatten=True), RidgeCV(np.logspace(-3, 3, 13))
    ),
    "GRU": make_pipeline(
        StandardScaler(),
        SlidingWindow(window),
        GRURegressor(hidden_size=16, max_epochs=20, random_state=0),
    ),
}
forecasts = {}
for name, model in models.items():
    model.fit(X_train, y_train)
    forecasts[name] = model.predict(X)[n_train:]
forecasts["GRU"].shape

# %%
# Error per step ahead
# --------------------
# ``multioutput="raw_values"`` scores each column separately.
mae = pd.DataFrame(
    {
        name: mean_absolute_error(y_test, pred, multioutput="raw_values")
        for name, pred in forecasts.items()
    },
    index=pd.Index(range(1, horizon + 1), name="days ahead"),
)
mae.round(3)

# %%
# The error of every forecast grows with the horizon, roughly like the square root of the
# number of days, as it does for a random walk; the relative order of the models stays.
ax = mae.plot(marker="o", figsize=(6, 4))
ax.set_ylabel("test MAE")
_ = ax.set_title("MSFT close: error by forecast horizon")

# %%
# The five-days-ahead forecast (``output=4``) on the last 100 test days.
display = ForecastDisplay.from_predictions(
    y_test.iloc[-100:],
    forecasts["GRU"][-100:],
    baseline=forecasts["Persistence"][-100:],
    name="GRU",
    output=horizon - 1,
)
_ = display.ax_.set_title("Close in 5 days")
