"""skrnn networks inside MAPIE's conformal regressors: split conformal, conformalized
quantiles and the time-series route (EnbPI, ACI) give intervals that cover about as often
as they say, and windows built before MAPIE never splice rows that were not adjacent."""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import LSTMRegressor, ShortHistoryWarning, SlidingWindow, make_supervised

mapie_regression = pytest.importorskip("mapie.regression")
from mapie.regression.quantile_regression import _MapieQuantileRegressor  # noqa: E402
from mapie.subsample import BlockBootstrap  # noqa: E402

WINDOW = 5
LEVELS = [0.8, 0.95]
# Small and deterministic; the linear start makes even an untrained network a fair forecast.
FAST = dict(hidden_size=4, max_epochs=3, early_stopping=False, random_state=0)
N_FIT, N_CALIBRATE = 600, 400  # then the test rows


class RecordingLSTM(LSTMRegressor):
    """An LSTMRegressor that keeps the input of its last fit (as a 3-D array of windows)."""

    def fit(self, X, y):
        self.seen_ = np.asarray(X, dtype=float)
        return super().fit(X, y)


@pytest.fixture(scope="module")
def series():
    """An AR(1) series with steady noise (exchangeable errors: conformal intervals must
    cover at their level), plus the time step as a column, to see which rows a window
    holds."""
    rng = np.random.default_rng(0)
    values = np.empty(1400)
    values[0] = 0.0
    for t in range(1, len(values)):
        values[t] = 0.8 * values[t - 1] + rng.normal()
    frame = pd.DataFrame({"value": values, "step": np.arange(len(values), dtype=float)})
    return make_supervised(frame, target="value")


@pytest.fixture(scope="module")
def windows(series):
    """Every row's window, built once before MAPIE: one row of named lag columns each."""
    X, _ = series
    features = make_pipeline(StandardScaler(), SlidingWindow(WINDOW, flatten=True))
    return features.set_output(transform="pandas").fit(X[:N_FIT]).transform(X)


def _coverage(y, intervals):
    """Coverage of each level of MAPIE's (n, 2, n_levels) intervals."""
    y = np.asarray(y)[:, None]
    return np.mean((y >= intervals[:, 0, :]) & (y <= intervals[:, 1, :]), axis=0)


def _close_to_nominal(coverage, n_test):
    """Within four binomial standard deviations of each level (and 0.1 at most)."""
    levels = np.array(LEVELS)
    tolerance = np.minimum(4 * np.sqrt(levels * (1 - levels) / n_test), 0.1)
    return np.abs(coverage - levels) <= tolerance


def test_the_network_reads_the_lag_columns_as_windows(series, windows):
    X, y = series
    full = slice(WINDOW - 1, N_FIT)  # rows with a whole window of history
    network = LSTMRegressor(**FAST).fit(windows[full], y[full])
    assert network.lag_layout_["steps"].shape == (WINDOW, 2)
    scaled = StandardScaler().fit(X[:N_FIT]).transform(X)
    cut = SlidingWindow(WINDOW).fit_transform(scaled)
    native = LSTMRegressor(**FAST).fit(cut[full], y[full])
    np.testing.assert_allclose(
        network.predict(windows[N_FIT:]), native.predict(cut[N_FIT:]), rtol=1e-5, atol=1e-6
    )


def test_split_conformal_covers_on_a_time_ordered_calibration_block(series, windows):
    _, y = series
    network = LSTMRegressor(**FAST).fit(windows[:N_FIT], y[:N_FIT])
    calibration = slice(N_FIT, N_FIT + N_CALIBRATE)
    mapie = mapie_regression.SplitConformalRegressor(
        network, confidence_level=LEVELS, prefit=True
    ).conformalize(windows[calibration], y[calibration])
    _, intervals = mapie.predict_interval(windows[N_FIT + N_CALIBRATE :])
    y_test = y[N_FIT + N_CALIBRATE :]
    coverage = _coverage(y_test, intervals)
    assert _close_to_nominal(coverage, len(y_test)).all(), coverage
    assert (intervals[:, 1, 1] - intervals[:, 0, 1] > intervals[:, 1, 0] - intervals[:, 0, 0]).all()


def test_split_conformal_accepts_a_prefit_pipeline(series):
    X, y = series
    pipeline = make_pipeline(StandardScaler(), SlidingWindow(WINDOW), LSTMRegressor(**FAST))
    pipeline.fit(X[:N_FIT], y[:N_FIT])
    calibration = slice(N_FIT, N_FIT + N_CALIBRATE)
    # MAPIE checks that the last step is fitted by predicting one row of zeros: a window
    # of one time step, with a ShortHistoryWarning.
    with pytest.warns(ShortHistoryWarning):
        mapie = mapie_regression.SplitConformalRegressor(
            pipeline, confidence_level=LEVELS, prefit=True
        ).conformalize(X[calibration], y[calibration])
    # Predict from the whole series, so that every window has its full history.
    _, intervals = mapie.predict_interval(X)
    y_test = y[N_FIT + N_CALIBRATE :]
    coverage = _coverage(y_test, intervals[N_FIT + N_CALIBRATE :])
    assert _close_to_nominal(coverage, len(y_test)).all(), coverage


def test_conformalized_quantiles_of_a_quantile_network(series, windows, monkeypatch):
    """MAPIE sets the quantile of each of its three networks by the parameter names skrnn
    shares with HistGradientBoostingRegressor, once told the class."""
    _, y = series
    names = {"loss_name": "loss", "alpha_name": "quantile"}
    monkeypatch.setitem(_MapieQuantileRegressor.quantile_estimator_params, "LSTMRegressor", names)
    calibration = slice(N_FIT, N_FIT + N_CALIBRATE)
    mapie = mapie_regression.ConformalizedQuantileRegressor(
        LSTMRegressor(loss="quantile", **FAST), confidence_level=0.8
    )
    mapie.fit(windows[:N_FIT], y[:N_FIT]).conformalize(windows[calibration], y[calibration])
    quantiles = [e.quantile for e in mapie._mapie_quantile_regressor.estimators_]
    np.testing.assert_allclose(quantiles, [0.1, 0.9, 0.5])
    _, intervals = mapie.predict_interval(windows[N_FIT + N_CALIBRATE :])
    y_test = y[N_FIT + N_CALIBRATE :]
    coverage = _coverage(y_test, intervals)[0]
    assert abs(coverage - 0.8) <= 4 * np.sqrt(0.16 / len(y_test)), coverage


def _spliced(windows_seen):
    """How many windows hold time steps that were not adjacent rows of the series."""
    steps = windows_seen[:, :, 1]  # the (scaled) step column, oldest first
    gaps = np.diff(steps, axis=1)
    return int((~np.isclose(gaps, gaps[:, :1], rtol=1e-6)).any(axis=1).sum())


def _time_series_regressor(estimator):
    cv = BlockBootstrap(n_resamplings=3, length=50, overlapping=True, random_state=0)
    return mapie_regression.TimeSeriesRegressor(
        estimator, method="aci", cv=cv, agg_function="mean", random_state=0
    )


@pytest.fixture(scope="module")
def time_series_route(series, windows):
    """The time-series route fitted on the windows of the rows before the test rows."""
    _, y = series
    mapie = _time_series_regressor(RecordingLSTM(**FAST))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows left out by no sample
        warnings.simplefilter("ignore", UserWarning)
        mapie.fit(windows[: N_FIT + N_CALIBRATE], np.asarray(y)[: N_FIT + N_CALIBRATE])
    return mapie


def test_bootstrap_of_windows_built_before_mapie_never_splices(time_series_route):
    fits = time_series_route.estimator_.estimators_
    assert len(fits) == 3
    for fit in fits:
        # The network received the lag columns of whole windows, each from adjacent rows.
        seen = fit.seen_.reshape(len(fit.seen_), WINDOW, 2)
        assert _spliced(seen) == 0


def test_windows_cut_inside_mapie_splice_the_bootstrap_rows(series):
    """The contrast: SlidingWindow inside the Pipeline cuts windows from the resampled
    rows, so windows straddle the joins of bootstrap blocks."""
    X, y = series
    pipeline = make_pipeline(StandardScaler(), SlidingWindow(WINDOW), RecordingLSTM(**FAST))
    mapie = _time_series_regressor(pipeline)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        mapie.fit(X[:N_FIT], y[:N_FIT])
    seen = [fit[-1].seen_[WINDOW - 1 :] for fit in mapie.estimator_.estimators_]
    assert all(_spliced(windows_seen) > 0 for windows_seen in seen)


def test_time_series_route_covers_with_rolling_scores(series, windows, time_series_route):
    """EnbPI: forecast 20 rows, then roll their scores in once their outcomes are known."""
    _, y = series
    y = np.asarray(y)
    mapie = copy.deepcopy(time_series_route)
    rows, start = windows.to_numpy(), N_FIT + N_CALIBRATE
    intervals = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        for block in range(start, len(y), 20):
            stop = min(block + 20, len(y))
            _, interval = mapie.predict(rows[block:stop], ensemble=True, confidence_level=LEVELS)
            intervals.append(interval)
            mapie.update(rows[block:stop], y[block:stop], ensemble=True)
    coverage = _coverage(y[start:], np.concatenate(intervals))
    assert _close_to_nominal(coverage, len(y) - start).all(), coverage


def test_aci_widens_the_band_after_misses(series, windows, time_series_route):
    _, y = series
    mapie = copy.deepcopy(time_series_route)
    rows, start = windows.to_numpy(), N_FIT + N_CALIBRATE
    row = rows[start : start + 1]

    def width():
        _, interval = mapie.predict(
            row, ensemble=True, confidence_level=[0.8], allow_infinite_bounds=True
        )
        return float(interval[0, 1, 0] - interval[0, 0, 0])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        before = width()
        surprises = np.asarray(y)[start : start + 10] + 100.0  # far outside every band
        mapie.adapt_conformal_inference(rows[start : start + 10], surprises, gamma=0.01)
        assert mapie.current_alpha[0.2] == pytest.approx(0.2 - 10 * 0.01 * 0.8)
        assert width() > before
