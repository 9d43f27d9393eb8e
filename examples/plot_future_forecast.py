"""
=========================================================
Forecasting the next 30 days of a CSV with a calendar
=========================================================

A shop's daily sales rise at weekends and jump on holidays. Both are known in advance: the
calendar of the next 30 days is there before the sales are. This example reads a sales CSV,
trains two networks that see the calendar of the days they forecast, and forecasts the 30
days after the end of the file with :func:`skrnn.forecast`:

- **direct**: one network with 30 outputs, trained on ``make_supervised(..., horizon=30)``;
- **recursive**: a one-step network applied 30 times, each forecast becoming the next
  day's sales.

Beside them, the forecasts every model must beat: persistence (every day like the last),
the seasonal naive forecast (every day like the same weekday last week) and a linear
model on the same windows and calendar (ridge regression, applied recursively).
"""

# %%
# A CSV of daily sales
# --------------------
# Two years of sales with a weekend lift, holidays, a slow trend and noise; the last 30 days
# are kept aside as the "future" the forecasts are scored on.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skrnn
from skrnn import GRURegressor, PersistenceRegressor, SlidingWindow, make_supervised

rng = np.random.default_rng(0)
dates = pd.date_range("2023-01-01", periods=760, freq="D", name="Date")
holidays = pd.DatetimeIndex(
    [f"{year}-{day}" for year in (2023, 2024, 2025) for day in ("01-01", "04-07", "05-01",
     "07-14", "08-15", "11-01", "12-24", "12-25", "12-31")]
)  # fmt: skip
calendar = pd.DataFrame(
    {
        "holiday": dates.isin(holidays).astype(float),
        "weekend": (dates.day_of_week >= 5).astype(float),
    },
    index=dates,
)
sales = (
    200
    + 0.05 * np.arange(len(dates))
    + 60 * calendar["weekend"]
    + 150 * calendar["holiday"]
    + rng.normal(0, 8, len(dates))
)
folder = Path(tempfile.mkdtemp())
calendar.assign(sales=sales).iloc[:-30].to_csv(folder / "sales.csv")
calendar.iloc[-30:].to_csv(folder / "calendar.csv")  # the next 30 days: known in advance
truth = sales.iloc[-30:]

# %%
# What a user has: the file of past sales, and the calendar of the days to forecast.
history = pd.read_csv(folder / "sales.csv", parse_dates=["Date"], index_col="Date")
future = pd.read_csv(folder / "calendar.csv", parse_dates=["Date"], index_col="Date")
history.tail(3)

# %%
# Future-known covariates
# -----------------------
# ``future=["holiday", "weekend"]`` adds, to each row ``t``, the calendar of the days it
# forecasts: ``holiday_t+1 .. holiday_t+30``. Without them a network must guess from the
# past whether day ``t + k`` is a holiday; with them it reads it.
horizon, window = 30, 14
covariates = ["holiday", "weekend"]
X, y = make_supervised(history, target="sales", horizon=horizon, future=covariates)
X.columns[:6].tolist()


def network():
    return make_pipeline(
        StandardScaler(),
        SlidingWindow(window),
        GRURegressor(hidden_size=16, max_epochs=40, lr=3e-3, random_state=0),
    )


direct = network().fit(X, y)

# %%
# The one-step model sees the calendar of the next day only; :func:`skrnn.forecast` takes
# the calendar of each later day from ``future`` as it steps forward.
X1, y1 = make_supervised(history, target="sales", future=covariates)
recursive = network().fit(X1, y1)

# %%
# Forecasting past the end of the file
# ------------------------------------
# The result is indexed by the dates forecast (those of ``future``) and says which method
# made it.
forecasts = {
    "direct": skrnn.forecast(direct, history, target="sales", future=future),
    "recursive": skrnn.forecast(recursive, history, target="sales", steps=30, future=future),
}
forecasts["direct"].head()

# %%
# The naive forecasts: persistence (:class:`~skrnn.PersistenceRegressor`, applied
# recursively it repeats the last day) and the same weekday last week.
Xp, yp = make_supervised(history[["sales"]], target="sales")
persistence = make_pipeline(SlidingWindow(1), PersistenceRegressor()).fit(Xp, yp)
forecasts["persistence"] = skrnn.forecast(persistence, history, target="sales", steps=30)
last_week = history["sales"].iloc[-7:].to_numpy()
seasonal = pd.DataFrame({"sales": np.resize(last_week, 30)}, index=future.index)
forecasts["seasonal naive"] = seasonal

# %%
# The linear model: ridge regression on the flattened windows of the one-step rows,
# calendar included, forecast recursively as the one-step network is.
ridge = make_pipeline(StandardScaler(), SlidingWindow(window, flatten=True), RidgeCV())
ridge.fit(X1, y1)
forecasts["ridge"] = skrnn.forecast(ridge, history, target="sales", steps=30, future=future)

scores = pd.Series(
    {name: mean_absolute_error(truth, result["sales"]) for name, result in forecasts.items()},
    name="MAE over the 30 days",
)
scores.round(1)

# %%
# The calendar is what the naive forecasts lack: the seasonal naive forecast repeats last
# week's weekends but misses the holidays ahead (and repeats any holiday of last week), and
# persistence misses both. The networks read both from ``future``: their linear start
# regresses the change in sales on the relative lags and on the calendar (which looks
# stationary, where the sales drift), and that start is what both networks keep here, level
# with ridge regression on the same windows. The recursive model learns one mapping
# (tomorrow's calendar to tomorrow's sales) from every training row and applies it 30
# times; the direct one learns 30, one per output, from the same rows. Direct models earn
# their place where the inputs other than the target are *not* known ahead (prices of
# other goods, the weather): recursion would need their future values, and
# :func:`skrnn.forecast` refuses a recursive forecast without them.
fig, ax = plt.subplots(figsize=(9, 4))
ax.plot(history["sales"].iloc[-45:], color="0.6", label="history")
ax.plot(truth, color="black", label="what happened")
styles = {
    "direct": "-",
    "recursive": "--",
    "persistence": ":",
    "seasonal naive": "-.",
    "ridge": (0, (1, 3)),
}
for name, result in forecasts.items():
    ax.plot(result["sales"], linestyle=styles[name], label=f"{name} (MAE {scores[name]:.1f})")
for day in future.index[future["holiday"] > 0]:
    ax.axvline(day, color="tab:red", alpha=0.2)
ax.set_ylabel("sales")
ax.set_title("The next 30 days, forecast from the end of the file (holidays shaded)")
ax.legend(loc="upper left", fontsize="small")
fig.autofmt_xdate()
plt.show()
