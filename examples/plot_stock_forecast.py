"""
=======================================================
Forecasting a stock's next close with a tuned pipeline
=======================================================

The stock forecaster of the tutorials, done the scikit-learn way: a chronological 70/30
split, a :class:`~sklearn.pipeline.Pipeline` of scaler, windows and LSTM (so the scaler
learns from the training rows only), and a grid search over forward-chaining folds
(:class:`~sklearn.model_selection.TimeSeriesSplit`), never over shuffled ones.

Every number is shown beside persistence ("tomorrow's close is today's") and a ridge
regression on the same lags. Daily closing prices are close to a random walk, so
persistence is a strong forecast: read the networks' scores relative to it.
"""

# %%
# Daily prices of IBM
# -------------------
# :func:`~skrnn.datasets.load_stock` returns the open, high, low, close and volume of
# each trading day. We forecast the next close from the last days of all five columns.
import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import LSTMRegressor, PersistenceRegressor, SlidingWindow, make_supervised
from skrnn.datasets import load_stock
from skrnn.plotting import ForecastDisplay

prices = load_stock("IBM").loc["2008":]
X, y = make_supervised(prices, target="Close")
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, shuffle=False)
n_train = len(X_train)
print(f"train: {X_train.index[0]:%Y-%m-%d} to {X_train.index[-1]:%Y-%m-%d}, {n_train} rows")
print(f"test:  {X_test.index[0]:%Y-%m-%d} to {X_test.index[-1]:%Y-%m-%d}, {len(X_test)} rows")

# %%
# Tuning the window by forward-chaining cross-validation
# ------------------------------------------------------
# Each fold trains on the oldest rows and validates on the rows that follow them. The
# search, like any scikit-learn search, refits the best pipeline on all training rows.
lstm = make_pipeline(
    StandardScaler(),
    SlidingWindow(),
    LSTMRegressor(hidden_size=16, max_epochs=20, random_state=0),
)
search = GridSearchCV(
    lstm,
    {"slidingwindow__window": [7, 14]},
    cv=TimeSeriesSplit(n_splits=3),
    scoring="neg_mean_absolute_error",
).fit(X_train, y_train)
pd.DataFrame(search.cv_results_)[["param_slidingwindow__window", "mean_test_score"]]

# %%
# The baselines
# -------------
# Persistence needs no tuning; :class:`~sklearn.linear_model.RidgeCV` chooses its penalty
# itself, on 14 lags of every column.
persistence = make_pipeline(StandardScaler(), SlidingWindow(), PersistenceRegressor())
persistence = persistence.fit(X_train, y_train)
ridge = make_pipeline(
    StandardScaler(), SlidingWindow(14, flatten=True), RidgeCV(alphas=np.logspace(-3, 3, 13))
)
ridge = ridge.fit(X_train, y_train)

# %%
# Scoring on the hold-out
# -----------------------
# We predict from the whole series and keep the test rows: each test row's window then
# reaches back into the training period, the history a forecaster has on that day.
# Predicting ``X_test`` alone would front-pad the windows of its first rows (see the user
# guide on front padding).
forecasts = {
    "Persistence": persistence.predict(X)[n_train:],
    "Ridge on lags": ridge.predict(X)[n_train:],
    "LSTM (tuned)": search.predict(X)[n_train:],
}
mae = pd.Series({name: mean_absolute_error(y_test, pred) for name, pred in forecasts.items()})
pd.DataFrame({"test MAE": mae, "MAE / persistence": mae / mae["Persistence"]})

# %%
# The LSTM corrects a linear forecast (its skip connection), starting from it, and keeps
# its trained weights only if they beat that start on the most recent training rows. On
# daily prices they rarely do: the network stays at (or very near) persistence instead of
# losing to it.
network = search.best_estimator_[-1]
print(f"epochs run: {network.n_iter_}, weights kept from epoch {network.best_epoch_}")

# %%
display = ForecastDisplay.from_predictions(
    y_test.iloc[-100:],
    forecasts["LSTM (tuned)"][-100:],
    baseline=forecasts["Persistence"][-100:],
    name="LSTM",
)
_ = display.ax_.set_title("IBM close: the last 100 days of the hold-out")
