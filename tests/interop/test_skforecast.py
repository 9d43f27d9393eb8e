"""An skrnn regressor inside skforecast's forecasters forecasts as the native skrnn route does
on the same rows: lags newest first, exogenous columns, the multi-series level column."""

import warnings

import numpy as np
import pandas as pd
import pytest
from _native import FAST, full_window_pipeline, recursive_with_exog, windows_with_exog
from skforecast.direct import ForecasterDirect
from skforecast.exceptions import InputTypeWarning
from skforecast.recursive import ForecasterRecursive, ForecasterRecursiveMultiSeries
from sklearn.pipeline import Pipeline

import skrnn
from skrnn import LagLayoutWarning, LSTMRegressor, make_supervised
from skrnn.datasets import load_stock

WINDOW, STEPS = 5, 4


@pytest.fixture(scope="module")
def closes():
    """IBM's last closes, indexed by position (skforecast wants a frequency)."""
    values = load_stock("IBM")["Close"].to_numpy()[-160:]
    return pd.Series(values, index=pd.RangeIndex(len(values)), name="y")


def test_recursive_forecaster_matches_the_native_recursion(closes):
    frame = closes.to_frame()
    X, y = make_supervised(frame, target="y")
    native = full_window_pipeline(X, y, WINDOW)
    expected = skrnn.forecast(native, frame, target="y", steps=STEPS)

    forecaster = ForecasterRecursive(LSTMRegressor(lags="newest_first", **FAST), lags=WINDOW)
    forecaster.fit(closes)
    np.testing.assert_allclose(forecaster.predict(STEPS), expected["y"], rtol=1e-12)
    assert forecaster.estimator.skip_.exact  # the target's last value found, as natively


def test_reading_skforecasts_lags_oldest_first_is_reported(closes):
    forecaster = ForecasterRecursive(LSTMRegressor(**FAST), lags=WINDOW)
    with pytest.warns(LagLayoutWarning, match="lags='newest_first'"):
        forecaster.fit(closes)


def test_recursive_forecaster_with_exog(closes):
    rng = np.random.default_rng(0)
    exog = pd.DataFrame({"promo": rng.integers(0, 2, len(closes) + STEPS).astype(float)})
    past, future = exog.iloc[: len(closes)], exog.iloc[len(closes) :]
    windows, y = windows_with_exog(closes, past, WINDOW)
    model = LSTMRegressor(**FAST).fit(windows, y)
    expected = recursive_with_exog(model, closes, future, WINDOW)

    forecaster = ForecasterRecursive(LSTMRegressor(lags=WINDOW, **FAST), lags=WINDOW)
    forecaster.fit(closes, exog=past)
    np.testing.assert_allclose(forecaster.predict(STEPS, exog=future), expected, rtol=1e-12)
    assert forecaster.estimator.net_.module_.rnn.input_size == 2


def test_direct_forecaster_matches_one_native_model_per_step(closes):
    frame = closes.to_frame()
    X, y = make_supervised(frame, target="y", horizon=STEPS)
    expected = [
        full_window_pipeline(X, y.iloc[:, step], WINDOW).predict(frame)[-1] for step in range(STEPS)
    ]
    forecaster = ForecasterDirect(
        LSTMRegressor(lags="newest_first", **FAST), lags=WINDOW, steps=STEPS
    )
    forecaster.fit(closes)
    np.testing.assert_allclose(forecaster.predict(), expected, rtol=1e-12)
    # Each step's model finds the target's last value, its target steps ahead.
    assert all(model.skip_.exact for model in forecaster.estimators_.values())


def test_multiseries_forecaster_matches_the_native_panel():
    stocks = {ticker: load_stock(ticker)["Close"].to_numpy()[-120:] for ticker in ("IBM", "MSFT")}
    index = pd.RangeIndex(120)
    series = pd.DataFrame(stocks, index=index)
    panel = pd.concat(
        [
            pd.DataFrame({"ticker": name, "y": values}, index=index)
            for name, values in stocks.items()
        ]
    )
    X, y = make_supervised(panel, target="y", group="ticker")
    native = full_window_pipeline(X, y, WINDOW, group="ticker")
    expected = skrnn.forecast(native, panel, target="y", steps=STEPS, group="ticker")

    forecaster = ForecasterRecursiveMultiSeries(
        LSTMRegressor(**FAST), lags=WINDOW, transformer_series=None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputTypeWarning)  # a wide frame is fine here
        forecaster.fit(series)
    predicted = forecaster.predict(STEPS)
    assert forecaster.estimator.lag_layout_["series"] == WINDOW  # _level_skforecast
    for name in stocks:
        np.testing.assert_allclose(
            predicted.loc[predicted["level"] == name, "pred"],
            expected.loc[expected["ticker"] == name, "y"],
            rtol=1e-6,
        )


def test_the_forecaster_can_backtest(closes):
    """skforecast's backtesting runs the skrnn estimator like any regressor."""
    from skforecast.model_selection import TimeSeriesFold, backtesting_forecaster

    forecaster = ForecasterRecursive(LSTMRegressor(lags="newest_first", **FAST), lags=WINDOW)
    folds = TimeSeriesFold(steps=STEPS, initial_train_size=120, refit=False)
    metric, predictions = backtesting_forecaster(
        forecaster, closes, cv=folds, metric="mean_absolute_error", show_progress=False
    )
    assert len(predictions) == len(closes) - 120
    assert np.isfinite(metric.iloc[0, 0])
    assert isinstance(forecaster.estimator, LSTMRegressor)
    assert not isinstance(forecaster.estimator, Pipeline)
