"""An skrnn regressor inside sktime's make_reduction (recursive; local and global pooling)
forecasts as the native skrnn route does on the same rows."""

import warnings

import numpy as np
import pandas as pd
import pytest
from _native import FAST, full_window_pipeline, recursive_with_exog, windows_with_exog
from sktime.forecasting.compose import (
    DirectReductionForecaster,
    RecursiveReductionForecaster,
    make_reduction,
)

import skrnn
from skrnn import LSTMRegressor, make_supervised
from skrnn.datasets import load_stock

WINDOW, STEPS = 5, 4


def reduction(estimator, pooling="local"):
    """make_reduction, recursive, keeping its data as sktime 1.2 does by default."""
    forecaster = make_reduction(
        estimator, strategy="recursive", window_length=WINDOW, pooling=pooling
    )
    return forecaster.set_config(remember_data=True)


@pytest.fixture(scope="module")
def closes():
    values = load_stock("MSFT")["Close"].to_numpy()[-160:]
    return pd.Series(values, index=pd.RangeIndex(len(values)), name="y")


@pytest.fixture(scope="module")
def expected(closes):
    frame = closes.to_frame()
    X, y = make_supervised(frame, target="y")
    native = full_window_pipeline(X, y, WINDOW)
    return skrnn.forecast(native, frame, target="y", steps=STEPS)["y"].to_numpy()


@pytest.mark.parametrize(
    ("pooling", "lags"),
    [("local", "oldest_first"), ("local", "auto"), ("global", "auto")],
)
def test_recursive_reduction_matches_the_native_recursion(closes, expected, pooling, lags):
    forecaster = make_reduction(
        LSTMRegressor(lags=lags, **FAST),
        strategy="recursive",
        window_length=WINDOW,
        pooling=pooling,
    )
    forecaster.set_config(remember_data=True)
    forecaster.fit(closes, fh=np.arange(1, STEPS + 1))
    np.testing.assert_allclose(forecaster.predict(), expected, rtol=1e-12)
    estimator = forecaster.estimator_
    assert estimator.skip_.exact


def test_global_reduction_reads_its_lag_names(closes):
    forecaster = reduction(LSTMRegressor(**FAST), "global")
    forecaster.fit(closes, fh=[1])
    layout = forecaster.estimator_.lag_layout_
    np.testing.assert_array_equal(layout["steps"][:, 0], np.arange(WINDOW)[::-1])


@pytest.mark.parametrize("reducer", [DirectReductionForecaster, RecursiveReductionForecaster])
def test_reducers_prefix_names_are_read_newest_first(closes, reducer):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is experimental", category=UserWarning)
        forecaster = reducer(LSTMRegressor(**FAST), window_length=WINDOW)
        forecaster.set_config(remember_data=True)
        forecaster.fit(closes, fh=[1, 2])
    estimators = getattr(forecaster, "estimators_", None) or [forecaster.estimator_]
    for estimator in estimators:
        layout = estimator.lag_layout_
        np.testing.assert_array_equal(layout["steps"][:, 0], np.arange(WINDOW)[::-1])
        assert estimator.skip_.exact


def test_global_reduction_with_exog(closes):
    rng = np.random.default_rng(1)
    index = pd.RangeIndex(len(closes) + STEPS)
    exog = pd.DataFrame({"promo": rng.integers(0, 2, len(index)).astype(float)}, index=index)
    past, future = exog.iloc[: len(closes)], exog.iloc[len(closes) :]
    windows, y = windows_with_exog(closes, past, WINDOW)
    model = LSTMRegressor(**FAST).fit(windows, y)

    forecaster = reduction(LSTMRegressor(**FAST), "global")
    forecaster.fit(closes, X=past, fh=np.arange(1, STEPS + 1))
    np.testing.assert_allclose(
        forecaster.predict(X=future), recursive_with_exog(model, closes, future, WINDOW), rtol=1e-12
    )
