"""The native skrnn routes the frameworks' forecasts are compared with."""

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from skrnn import LSTMRegressor, SlidingWindow, make_supervised

# Small and deterministic: the same fit on the same rows gives the same weights.
FAST = dict(hidden_size=4, max_epochs=2, early_stopping=False, random_state=0)


def full_window_pipeline(X, y, window, group=None, **params):
    """SlidingWindow -> LSTMRegressor fitted on the rows with a full window of history only:
    the rows a framework's lag matrix holds (it drops the first window - 1 rows)."""
    sliding = SlidingWindow(window, group=group).fit(X)
    windows = sliding.transform(X)
    if group is None:
        keep = np.arange(window - 1, len(X))
    else:
        keep = np.flatnonzero(X.groupby(group, sort=False).cumcount().to_numpy() >= window - 1)
    model = LSTMRegressor(**(FAST | params)).fit(windows[keep], np.asarray(y)[keep])
    return Pipeline([("window", sliding), ("model", model)])


def windows_with_exog(y, exog, window):
    """(windows, targets) of the layout lags + exogenous columns: the target's last
    `window` values oldest first, and the exogenous values of the date forecast repeated at
    every step (what skforecast's and sktime's global reduction pass)."""
    frame = pd.concat([y.rename("y"), exog], axis=1)
    X, target = make_supervised(frame, target="y", future=list(exog.columns))
    lags = SlidingWindow(window).fit_transform(X[["y"]])[window - 1 :]
    known = X[[f"{name}_t+1" for name in exog.columns]].to_numpy()[window - 1 :]
    repeated = np.repeat(known[:, None], window, axis=1)
    return np.concatenate([lags, repeated], axis=2), target.to_numpy()[window - 1 :]


def recursive_with_exog(model, y, exog_future, window):
    """Forecasts of a model fitted on windows_with_exog, one step at a time."""
    history = list(np.asarray(y, dtype=float)[-window:])
    forecasts = []
    for row in exog_future.to_numpy(dtype=float):
        lags = np.asarray(history[-window:])[:, None]
        window_3d = np.concatenate([lags, np.repeat(row[None], window, axis=0)], axis=1)
        value = float(model.predict(window_3d[None])[0])
        forecasts.append(value)
        history.append(value)
    return np.asarray(forecasts)
