"""The linear skip forecast the regressors start from (issue 9's design)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, SlidingWindow, make_supervised
from skrnn._baseline import find_persistence
from skrnn._compact import CompactWindows
from skrnn._skip import _Design, fit_skip, pack_per_step_maps, skip_lengths, skip_map_index


def _random_walk_prices(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(0.01 * rng.normal(size=n)))
    spread = np.abs(rng.normal(size=n)) * 0.5
    return pd.DataFrame(
        {
            "Open": close + rng.normal(size=n) * 0.2,
            "High": close + spread,
            "Low": close - spread,
            "Close": close,
            "Volume": rng.uniform(1e6, 5e6, size=n),
        }
    )


def _ar2(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(2, n):
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + rng.normal()
    return pd.DataFrame({"value": x})


def _split(frame, target, fraction):
    X, y = make_supervised(frame, target=target)
    n = int(len(X) * fraction)
    return X[:n], y[:n], X[n:], y[n:]


@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler])
def test_exact_persistence_map_is_recovered_behind_a_scaler(scaler):
    X, y, X_test, _ = _split(_random_walk_prices(), "Close", 0.7)
    model = make_pipeline(
        scaler(),
        SlidingWindow(7),
        LSTMRegressor(skip="persistence", window_scaling=None, max_epochs=1, random_state=0),
    ).fit(X, y)
    est = model[-1]
    assert est.skip_.exact
    assert est.skip_.feature == 3
    windows = CompactWindows.from_array(model[:-1].transform(X_test))
    skip = est.skip_.predict(windows)[:, 0] * est.target_scale_ + est.target_mean_
    np.testing.assert_allclose(skip, X_test["Close"], rtol=1e-5)


def test_random_walk_gives_persistence_level_error():
    X, y, X_test, y_test = _split(_random_walk_prices(seed=1), "Close", 0.7)
    persistence = mean_absolute_error(y_test, X_test["Close"])
    for cell in (RNNRegressor, LSTMRegressor, GRURegressor):
        model = make_pipeline(StandardScaler(), SlidingWindow(7), cell(random_state=0))
        mae = mean_absolute_error(y_test, model.fit(X, y).predict(X_test))
        assert mae <= 1.01 * persistence, cell.__name__
        assert not model[-1].skip_.stationary


def test_ar2_gives_ridge_level_error():
    X, y, X_test, y_test = _split(_ar2(), "value", 0.8)
    ridge = make_pipeline(StandardScaler(), SlidingWindow(10, flatten=True), RidgeCV())
    ridge_mae = mean_absolute_error(y_test, ridge.fit(X, y).predict(X_test))
    model = make_pipeline(StandardScaler(), SlidingWindow(10), GRURegressor(random_state=0))
    mae = mean_absolute_error(y_test, model.fit(X, y).predict(X_test))
    assert mae <= 1.01 * ridge_mae
    assert model[-1].skip_.stationary
    assert model[-1].skip_.lags == "levels"


def _seasonal_ar(n=2000, seed=0):
    """A stationary series driven by an exogenous feature (a season) beside its own lags."""
    rng = np.random.default_rng(seed)
    season = np.sin(2 * np.pi * np.arange(n) / 25)
    value = np.zeros(n)
    for t in range(2, n):
        value[t] = 0.5 * value[t - 1] - 0.3 * value[t - 2] + rng.normal()
    return pd.DataFrame({"value": value + 2 * season, "season": season})


def test_stationary_series_uses_every_features_lags():
    X, y, X_test, y_test = _split(_seasonal_ar(), "value", 0.8)
    ridge = make_pipeline(StandardScaler(), SlidingWindow(10, flatten=True), RidgeCV())
    ridge_mae = mean_absolute_error(y_test, ridge.fit(X, y).predict(X_test))
    own_lags = make_pipeline(StandardScaler(), SlidingWindow(10, flatten=True), RidgeCV())
    own_mae = mean_absolute_error(y_test, own_lags.fit(X[["value"]], y).predict(X_test[["value"]]))
    model = make_pipeline(StandardScaler(), SlidingWindow(10), GRURegressor(random_state=0))
    mae = mean_absolute_error(y_test, model.fit(X, y).predict(X_test))
    assert model[-1].skip_.lags == "all_features"
    assert ridge_mae < 0.97 * own_mae  # the season matters: the target's own lags miss it
    assert mae <= 1.01 * ridge_mae
    # Padded windows get the regression restricted to their last steps, on every feature.
    for _, weight, _ in model[-1].skip_.maps():
        assert weight[:, 1].any()
    assert np.isfinite(model.predict(X[:3])).all()


@pytest.mark.parametrize("budget", [20, 19])
def test_joint_lags_are_tried_within_the_column_budget(monkeypatch, budget):
    # The joint fit costs O(columns^2) memory: beyond the budget, only the target's lags.
    monkeypatch.setattr("skrnn._skip.MAX_JOINT_COLUMNS", budget)
    X, y, _, _ = _split(_seasonal_ar(), "value", 1.0)
    windows = CompactWindows.from_array(SlidingWindow(10).fit_transform(X.to_numpy()))
    y2d = y.to_numpy()[:, None]
    skip = fit_skip(windows, (y2d - y2d.mean()) / y2d.std())
    assert (skip.lags == "all_features") == (budget >= 10 * 2)
    assert skip.weight[:, 1].any() == (budget >= 10 * 2)


def test_plain_configuration_is_reachable():
    X, y, _, _ = _split(_random_walk_prices(n=300), "Close", 1.0)
    model = make_pipeline(
        StandardScaler(),
        SlidingWindow(5),
        LSTMRegressor(skip=None, center=False, max_epochs=2, random_state=0),
    ).fit(X, y)
    module = model[-1].net_.module_
    assert model[-1].skip_ is None
    assert not module.skip
    assert not module.center
    assert not hasattr(module, "skip_weight")
    assert module.head.weight.abs().sum() > 0  # default initialisation, not zero


def test_untrained_module_is_the_skip_forecast():
    X, y, X_test, _ = _split(_ar2(n=600), "value", 0.8)
    model = make_pipeline(
        StandardScaler(),
        SlidingWindow(6),
        LSTMRegressor(window_scaling=None, max_epochs=1, lr=1e-12, random_state=0),
    ).fit(X, y)
    est = model[-1]
    windows = CompactWindows.from_array(model[:-1].transform(X_test))
    skip = est.skip_.predict(windows)[:, 0] * est.target_scale_ + est.target_mean_
    np.testing.assert_allclose(model.predict(X_test), skip, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("window", [1, 2, 6, 8, 9])
def test_skip_lengths_are_powers_of_two_and_the_window(window):
    lengths = skip_lengths(window)
    assert lengths[-1] == window
    assert lengths[:-1] == [2**k for k in range(len(lengths) - 1)]
    assert all(g < window for g in lengths[:-1])
    assert sum(lengths) < 3 * window  # linear in the window
    n_real = np.arange(1, window + 1)
    used = np.array(lengths)[skip_map_index(n_real, window)]
    assert (used <= n_real).all()
    assert (2 * used > n_real).all()  # more than half of the real steps
    assert used[-1] == window


def test_padded_windows_use_the_regression_on_their_most_recent_lags():
    X, y, _, _ = _split(_ar2(n=800), "value", 1.0)
    windows = CompactWindows.from_array(SlidingWindow(6).fit_transform(X))
    y2d = y.to_numpy()[:, None]
    y2d = (y2d - y2d.mean()) / y2d.std()
    skip = fit_skip(windows, y2d)
    assert skip.lags == "levels"
    assert skip.weight.shape == (1 + 2 + 4 + 6, 1, 1)
    # The same ridge as scikit-learn's, on the last g steps of the full training windows.
    full = windows.lengths == 6
    values = windows.rows(np.arange(len(windows)))[:, :, 0].astype(np.float64)
    levels = (
        find_persistence(windows.last(), y2d, 0, windows.successors)
        .predict(values.reshape(-1, 1))[:, 0]
        .reshape(values.shape)
    )
    predicted = skip.predict(windows)[:, 0]
    for g, weight, _ in skip.maps():
        assert weight.any()
        ridge = Ridge(alpha=skip.alpha).fit(levels[full, -g:], y2d[full, 0])
        # Windows with 4 or 5 real steps use their last 4; full windows all 6.
        rows = skip_map_index(windows.lengths, 6) == skip_lengths(6).index(g)
        assert rows.any()
        np.testing.assert_allclose(predicted[rows], ridge.predict(levels[rows, -g:]), atol=1e-9)
    assert np.isfinite(predicted).all()


def _old_full_window_map(windows, y, skip):
    """What the previous implementation (a map per number of real steps, shape (window,
    window, n_features, n_outputs)) applied to full windows: its last slice, by its formula."""
    window, n_features, n_outputs = windows.window, windows.n_features, y.shape[1]
    pmap = find_persistence(windows.last(), y, "auto", windows.successors)
    full = np.flatnonzero(windows.lengths == window)
    weight, bias = np.zeros((window, n_features, n_outputs)), np.zeros(n_outputs)
    target = weight[:, pmap.feature]
    if skip.lags not in ("levels", "all_features"):
        target[-1], bias[:] = pmap.slope, pmap.intercept
    if skip.lags is not None:
        moments = _Design(windows, y, pmap).moments(full, skip.lags)
        n_used = window - 1 if skip.lags == "relative" else window
        columns = n_used * n_features if skip.lags == "all_features" else n_used
        coef, intercept = moments.ridge(skip.alpha, last=columns)
        bias += intercept
        slope0, intercept0 = pmap.slope[0], pmap.intercept[0]
        if skip.lags == "all_features":
            weight[:n_used] = coef.reshape(n_used, n_features, n_outputs)
        elif skip.lags == "relative":
            target[:n_used] += slope0 * coef
            target[-1] -= slope0 * coef.sum(axis=0)
        else:
            target[:n_used] += slope0 * coef
            bias += intercept0 * coef.sum(axis=0)
    return lambda w: np.einsum("nwf,wfh->nh", w.rows(full).astype(np.float64), weight) + bias


@pytest.mark.parametrize(
    ("frame", "target", "window", "horizon", "lags"),
    [
        (_random_walk_prices(n=900, seed=3), "Close", 7, 1, None),
        (_ar2(n=1500), "value", 10, 2, "levels"),
        (_seasonal_ar(n=1500), "value", 10, 3, "all_features"),
        (_ar2(n=1500).cumsum(), "value", 8, 1, "relative"),
    ],
)
def test_full_windows_predict_as_the_per_step_maps_did(frame, target, window, horizon, lags):
    X, y = make_supervised(frame, target=target, horizon=horizon)
    windows = CompactWindows.from_array(
        SlidingWindow(window).fit_transform(StandardScaler().fit_transform(X))
    )
    y2d = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    y2d = (y2d - y2d.mean(axis=0)) / y2d.std(axis=0)
    skip = fit_skip(windows, y2d)
    assert skip.lags == lags
    full = windows.lengths == window
    old = _old_full_window_map(windows, y2d, skip)(windows)
    np.testing.assert_allclose(skip.predict(windows)[full], old, rtol=1e-9, atol=1e-9)


def test_per_step_maps_convert_to_the_skip_layout():
    rng = np.random.default_rng(0)
    window, n_features, n_outputs = 6, 2, 3
    old_weight = rng.normal(size=(window, window, n_features, n_outputs))
    old_bias = rng.normal(size=(window, n_outputs))
    weight, bias = pack_per_step_maps(old_weight, old_bias)
    assert weight.shape == (1 + 2 + 4 + 6, n_features, n_outputs)
    offset = 0
    for k, g in enumerate(skip_lengths(window)):
        np.testing.assert_array_equal(weight[offset : offset + g], old_weight[g - 1, window - g :])
        np.testing.assert_array_equal(bias[k], old_bias[g - 1])
        offset += g


def test_multi_output_gets_persistence_for_every_horizon():
    X, y = make_supervised(_random_walk_prices(n=800), target="Close", horizon=3)
    model = make_pipeline(
        StandardScaler(),
        SlidingWindow(5),
        GRURegressor(skip="persistence", window_scaling=None, max_epochs=1),
    ).fit(X, y)
    est = model[-1]
    windows = CompactWindows.from_array(model[:-1].transform(X))
    skip = est.skip_.predict(windows) * est.target_scale_ + est.target_mean_
    for column in skip.T:
        np.testing.assert_allclose(column, X["Close"], rtol=1e-5)


def _trend_with_calendar(n=1200, seed=0):
    """Daily sales: a drifting level (no mean to revert to), a weekend lift and holidays."""
    rng = np.random.default_rng(seed)
    days = np.arange(n)
    calendar = pd.DataFrame(
        {"holiday": (rng.random(n) < 0.03).astype(float), "weekend": (days % 7 >= 5) * 1.0}
    )
    level = 200 + 0.05 * days + np.cumsum(rng.normal(0, 1, n))
    sales = level + 60 * calendar["weekend"] + 150 * calendar["holiday"] + rng.normal(0, 8, n)
    return calendar.assign(sales=sales)


def test_a_trending_target_is_corrected_by_stationary_covariates():
    # The calendar of the day forecast (future covariates) is stationary, the sales are
    # not: the start regresses the change on relative lags and the calendar's values.
    frame = _trend_with_calendar()
    X, y = make_supervised(frame, target="sales", future=["holiday", "weekend"])
    n = int(0.8 * len(X))
    ridge = make_pipeline(StandardScaler(), SlidingWindow(14, flatten=True), RidgeCV())
    ridge_mae = mean_absolute_error(y[n:], ridge.fit(X[:n], y[:n]).predict(X)[n:])
    start = make_pipeline(StandardScaler(), SlidingWindow(14), LSTMRegressor(random_state=0)).fit(
        X[:n], y[:n]
    )
    skip = start[-1].skip_
    assert skip.lags == "relative_features"
    persistence_mae = mean_absolute_error(y[n:], X["sales"][n:])
    mae = mean_absolute_error(y[n:], start.predict(X)[n:])
    assert mae < 0.5 * persistence_mae
    assert mae <= 1.02 * ridge_mae


def test_relative_features_maps_are_the_ridge_on_their_last_steps():
    frame = _trend_with_calendar(n=600, seed=1)
    X, y = make_supervised(frame, target="sales", future=["holiday", "weekend"])
    windows = CompactWindows.from_array(SlidingWindow(6).fit_transform(X.to_numpy()))
    y2d = y.to_numpy()[:, None]
    skip = fit_skip(windows, y2d)
    assert skip.lags == "relative_features"
    pmap = find_persistence(windows.last(), y2d, "auto", windows.successors)
    design = _Design(windows, y2d, pmap)
    design.others = [k for k in range(windows.n_features) if k != pmap.feature]
    assert skip.weight[:, design.others].any(axis=(0, 2)).all()  # the whole calendar
    full = np.flatnonzero(windows.lengths == 6)
    features, residual = design.features_target(full, "relative_features")
    values = windows.rows(full).astype(np.float64)
    for g, weight, bias in skip.maps():
        columns = g * (len(design.others) + 1) - 1
        ridge = Ridge(alpha=skip.alpha).fit(features[:, -columns:], residual[:, 0])
        expected = ridge.predict(features[:, -columns:]) + pmap.predict(windows.last()[full])[:, 0]
        got = np.einsum("nwf,wfh->nh", values[:, -g:], weight)[:, 0] + bias[0]
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-7)


def test_covariates_that_their_window_determines_are_tested_without_error():
    # A month's sine and cosine are fixed by their last two values: the Dickey-Fuller
    # regression is singular (its float32 rounding once made a variance negative).
    rng = np.random.default_rng(0)
    for n in range(300, 700, 37):
        for window in (6, 8, 13, 14, 24):
            month = np.arange(n) % 12
            frame = np.column_stack(
                [
                    np.sin(2 * np.pi * month / 12),
                    np.cos(2 * np.pi * month / 12),
                    300
                    + 0.1 * np.arange(n)
                    + 3 * np.sin(2 * np.pi * month / 12)
                    + rng.normal(0, 0.3, n),
                ]
            )
            scaled = StandardScaler().fit_transform(frame)
            windows = CompactWindows.from_array(SlidingWindow(window).fit_transform(scaled)[:-1])
            skip = fit_skip(windows, frame[1:, 2:])
            assert np.isfinite(skip.weight).all()
