"""What front-padded windows lose with the linear skip's maps for 1, 2, 4, ... steps.

A window with ``L < window`` real steps (the first rows of a series, or of the rows passed
to ``predict``) gets the skip's ridge regression restricted to its last ``g`` steps, ``g``
the largest of 1, 2, 4, ... not above ``L``: memory linear in the window. Before, it got the
regression restricted to all its ``L`` steps: one map per number of real steps, memory
quadratic in the window. This script measures the difference, and two other closed forms
that need no per-length maps at all, on the skip alone (no network):

restricted   the regression on all L real steps (the previous design)
powers-of-2  the regression on the last g steps, g = 1, 2, 4, ... <= L (the current design)
mean         the full-window regression, missing lags replaced by their training means
persistence  the last value of the target ("tomorrow = today")

For each series the skip is fitted on the training rows; every full window of the hold-out
is then cut to its last L steps, for each L from 1 to window - 1, and predicted. The table
gives the mean over L of the hold-out MSE, divided by the MSE of the same windows uncut.

    python benchmarks/padded_skip.py            # bundled stocks, sine, AR(2), two multivariate
    .venv-extras/bin/python benchmarks/padded_skip.py   # + sunspots and CO2 (statsmodels)
"""

import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler
from speed import raw_series

import skrnn
from skrnn import SlidingWindow, make_supervised
from skrnn._baseline import find_persistence
from skrnn._compact import CompactWindows
from skrnn._skip import _Design, fit_skip
from skrnn.datasets import load_stock, make_sine

RULES = ["restricted", "powers-of-2", "mean", "persistence"]


def _ar(n, seed, season=None):
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(2, n):
        x[t] = (0.6 if season is None else 0.5) * x[t - 1] - 0.3 * x[t - 2] + rng.normal()
    if season is None:
        return pd.DataFrame({"value": x})
    wave = np.sin(2 * np.pi * np.arange(n) / season)
    return pd.DataFrame({"value": x + 2 * wave, "season": wave})


def _five_features(n=20_000, seed=0):
    """benchmarks/speed.py's series: feature 0 driven by its own past and features 1, 2."""
    return pd.DataFrame(raw_series(n, seed), columns=[f"f{j}" for j in range(5)])


def series_list():
    """(name, frame, target, window, train fraction)."""
    out = [(t, load_stock(t), "Close", 7, 0.7) for t in ("IBM", "AAPL", "MSFT")]
    out += [
        ("sine", make_sine(1000, noise=0.1, random_state=0), "value", 20, 0.8),
        ("ar2", _ar(3000, 0), "value", 10, 0.8),
        ("seasonal ar2", _ar(2000, 0, season=25), "value", 10, 0.8),
        ("speed.py", _five_features(), "f0", 32, 0.8),
    ]
    try:
        import statsmodels.api as sm
    except ImportError:
        return out
    sun = sm.datasets.sunspots.load_pandas().data[["SUNACTIVITY"]]
    co2 = sm.datasets.co2.load_pandas().data.interpolate().dropna()
    return [*out, ("sunspots", sun, "SUNACTIVITY", 24, 0.8), ("co2", co2, "co2", 52, 0.8)]


def compare(frame, target, window, fraction):
    X, y = make_supervised(frame, target=target)
    n_train = int(len(X) * fraction)
    scaled = StandardScaler().fit(X[:n_train]).transform(X)
    windows = CompactWindows.from_array(SlidingWindow(window).fit_transform(scaled))
    y = y.to_numpy(dtype=np.float64).reshape(-1, 1)
    y = (y - y[:n_train].mean()) / y[:n_train].std()
    train = windows.subset(np.arange(n_train))
    skip = fit_skip(train, y[:n_train])
    persistence = fit_skip(train, y[:n_train], kind="persistence")
    full = np.flatnonzero(train.lengths == window)
    pmap = find_persistence(train.last(), y[:n_train], skip.feature, train.successors)
    moments = (
        None if skip.lags is None else _Design(train, y[:n_train], pmap).moments(full, skip.lags)
    )
    history = train.rows(full).astype(np.float64)
    fill = history.mean(axis=0)  # the training mean of each step and feature
    if skip.lags == "relative":
        fill = (history - history[:, -1:]).mean(axis=0)  # of each lag minus the last value
    test = np.arange(n_train, len(X))
    values, target_values = windows.rows(test).astype(np.float64), y[test]
    _, weight, bias = skip.maps()[-1]  # the full window's map
    reference = np.mean((np.einsum("nwf,wfh->nh", values, weight) + bias - target_values) ** 2)
    errors = {rule: [] for rule in RULES}
    for n_real in range(1, window):
        cut = CompactWindows.from_array(
            np.where(np.arange(window)[:, None] < window - n_real, np.nan, values)
        )
        predictions = {
            "powers-of-2": skip.predict(cut),
            "persistence": persistence.predict(cut),
            "restricted": _restricted(skip, pmap, moments, values, n_real),
        }
        filled = values.copy()
        filled[:, : window - n_real] = fill[: window - n_real]
        if skip.lags == "relative":
            filled[:, : window - n_real] += values[:, -1:]
        predictions["mean"] = np.einsum("nwf,wfh->nh", filled, weight) + bias
        for rule in RULES:
            errors[rule].append(np.mean((predictions[rule] - target_values) ** 2))
    return skip.lags, {rule: np.mean(errors[rule]) / reference for rule in RULES}


def _restricted(skip, pmap, moments, values, n_real):
    """The previous design's map for n_real real steps, applied to their last n_real steps."""
    n_features = values.shape[2]
    slope, intercept = pmap.slope[0], pmap.intercept[0]
    last = values[:, -1, pmap.feature]
    out = np.zeros((len(values), len(pmap.slope)))
    if skip.lags not in ("levels", "all_features"):
        out += last[:, None] * pmap.slope + pmap.intercept
    if skip.lags is None:
        return out
    n_used = n_real - 1 if skip.lags == "relative" else n_real
    columns = n_used * n_features if skip.lags == "all_features" else n_used
    coef, offset = moments.ridge(skip.alpha, last=columns)
    out += offset
    if not n_used:
        return out
    real = values[:, values.shape[1] - n_real :]
    if skip.lags == "all_features":
        return out + real.reshape(len(real), -1) @ coef
    levels = real[:, :, pmap.feature] * slope + intercept
    if skip.lags == "relative":
        return out + (levels[:, :-1] - levels[:, -1:]) @ coef
    return out + levels @ coef


def main():
    warnings.simplefilter("ignore")
    print(f"# python benchmarks/padded_skip.py  (skrnn {skrnn.__version__})")
    print("# hold-out MSE of windows cut to L real steps, mean over L = 1 .. window - 1,")
    print("# divided by the MSE of the same windows uncut")
    header = f"{'series':>13} {'window':>6} {'lags':>12} " + " ".join(f"{r:>12}" for r in RULES)
    print(header)
    for name, frame, target, window, fraction in series_list():
        lags, ratios = compare(frame, target, window, fraction)
        cells = " ".join(f"{ratios[r]:12.4f}" for r in RULES)
        print(f"{name:>13} {window:6d} {lags or 'None':>12} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
