"""The displays of skrnn.plotting, drawn with matplotlib's Agg backend."""

import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRURegressor, PersistenceRegressor, RNNRegressor, SlidingWindow, make_supervised
from skrnn.datasets import make_sine
from skrnn.plotting import ForecastDisplay, TrainingHistoryDisplay

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt

TINY = dict(hidden_size=4, max_epochs=3, random_state=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def series():
    X, y = make_supervised(make_sine(200, random_state=0), target="value")
    return X, y


@pytest.fixture(scope="module")
def fitted(series):
    X, y = series
    model = make_pipeline(StandardScaler(), SlidingWindow(5), RNNRegressor(**TINY)).fit(X, y)
    baseline = make_pipeline(StandardScaler(), SlidingWindow(5), PersistenceRegressor()).fit(X, y)
    return model, baseline


def test_importing_skrnn_does_not_import_matplotlib():
    code = "import sys, skrnn, skrnn.plotting, skrnn.cli; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# -- ForecastDisplay --------------------------------------------------------------------------
def test_from_predictions_draws_truth_forecast_and_baseline():
    y_true = np.array([1.0, 2.0, 4.0, 3.0])
    y_pred = np.array([1.5, 2.0, 3.0, 3.5])
    y_base = np.array([0.0, 1.0, 2.0, 4.0])
    display = ForecastDisplay.from_predictions(y_true, y_pred, baseline=y_base, name="net")
    assert set(display.lines_) == {"true", "pred", "baseline"}
    np.testing.assert_array_equal(display.lines_["true"].get_ydata(), y_true)
    np.testing.assert_array_equal(display.lines_["pred"].get_ydata(), y_pred)
    np.testing.assert_array_equal(display.lines_["baseline"].get_ydata(), y_base)
    np.testing.assert_array_equal(display.lines_["pred"].get_xdata(), np.arange(4))
    # Each forecast's legend label carries its MAE over the plotted points.
    assert display.lines_["pred"].get_label() == "net (MAE 0.5)"
    assert display.lines_["baseline"].get_label() == "Persistence (MAE 1.25)"
    assert display.ax_.figure is display.figure_
    legend = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert legend == ["Truth", "net (MAE 0.5)", "Persistence (MAE 1.25)"]


def test_a_gap_in_the_truth_is_drawn_and_left_out_of_the_mae():
    y_true = np.array([1.0, np.nan, 4.0, 3.0])
    y_pred = np.array([1.5, 2.0, 3.0, 3.5])
    display = ForecastDisplay.from_predictions(y_true, y_pred, name="net")
    assert display.lines_["pred"].get_label() == "net (MAE 0.6667 on 3 rows)"
    with pytest.raises(TypeError, match="output must be an int"):
        ForecastDisplay.from_predictions(y_true, y_pred, output=0.5)


def test_periods_labels_and_pandas_order():
    periods = pd.period_range("2020-01", periods=4, freq="M")
    y_true = pd.Series([1.0, 2.0, 4.0, 3.0], index=periods)
    y_pred = pd.Series([1.5, 2.0, 3.0, 3.5], index=periods)
    display = ForecastDisplay.from_predictions(y_true, y_pred[::-1])  # same rows, reversed
    np.testing.assert_array_equal(display.lines_["pred"].get_ydata(), y_pred)
    assert display.lines_["pred"].get_label() == "Forecast (MAE 0.5)"
    bands = ForecastDisplay.from_predictions(
        y_true, y_pred[::-1], lower=y_pred[::-1] - 1, upper=y_pred[::-1] + 1
    )  # the bounds too are taken by label
    np.testing.assert_array_equal(_band_bounds(bands.bands_["interval"])[0], y_pred - 1)
    assert bands.bands_["interval"].get_label() == "Interval (coverage 1.00)"
    frame = pd.DataFrame({"h1": [1.0, 2.0], "h2": [2.0, 3.0]})
    reordered = ForecastDisplay.from_predictions(frame, frame[["h2", "h1"]])
    assert reordered.lines_["pred"].get_label() == "Forecast (MAE 0)"
    by_position = ForecastDisplay.from_predictions(y_true, y_pred.set_axis(range(4)))
    np.testing.assert_array_equal(by_position.lines_["pred"].get_ydata(), y_pred)
    with pytest.raises(TypeError, match="y_true must be numbers"):
        ForecastDisplay.from_predictions(np.array(["a", "b"]), np.array([1.0, 2.0]))


def test_from_predictions_without_baseline_on_given_axes():
    fig, ax = plt.subplots()
    display = ForecastDisplay.from_predictions([1.0, 2.0], [1.0, 2.5], ax=ax)
    assert display.ax_ is ax
    assert display.figure_ is fig
    assert set(display.lines_) == {"true", "pred"}
    assert display.lines_["pred"].get_label() == "Forecast (MAE 0.25)"


def test_dates_index_of_a_series_is_the_x_axis():
    index = pd.date_range("2020-01-01", periods=5, freq="D", name="Date")
    y_true = pd.Series(np.arange(5.0), index=index)
    display = ForecastDisplay.from_predictions(y_true, np.arange(5.0) + 1)
    np.testing.assert_array_equal(display.lines_["true"].get_xdata(), index.to_numpy())
    assert isinstance(display.ax_.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert display.ax_.get_xlabel() == "Date"


def test_multi_output_draws_the_chosen_output():
    y_true = np.arange(12.0).reshape(6, 2)
    y_pred = y_true + np.array([0.5, -1.0])
    display = ForecastDisplay.from_predictions(y_true, y_pred, output=1)
    np.testing.assert_array_equal(display.lines_["true"].get_ydata(), y_true[:, 1])
    np.testing.assert_array_equal(display.lines_["pred"].get_ydata(), y_pred[:, 1])
    assert display.lines_["pred"].get_label() == "Forecast (MAE 1)"


def test_line_kwargs_override_the_style():
    display = ForecastDisplay.from_predictions(
        [1.0, 2.0],
        [1.0, 2.0],
        baseline=[0.0, 1.0],
        true_kwargs={"color": "red"},
        pred_kwargs={"linewidth": 3},
        baseline_kwargs={"label": "naive"},
    )
    assert display.lines_["true"].get_color() == "red"
    assert display.lines_["pred"].get_linewidth() == 3
    assert display.lines_["baseline"].get_label() == "naive"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y_pred": [1.0, 2.0]}, r"y_true has shape \(3, 1\) but the pred forecast has shape"),
        ({"baseline": [1.0]}, "the baseline forecast has shape"),
        ({"index": [0, 1]}, r"index must have one entry per sample \(3\)"),
        ({"output": 1}, r"output=1 is out of range for 1 output\(s\)"),
        ({"y_pred": np.zeros((3, 1, 1))}, "y_pred must be 1-D"),
    ],
)
def test_from_predictions_checks_shapes(kwargs, message):
    arguments = {"y_pred": [1.0, 2.0, 3.0], **kwargs}
    y_pred = arguments.pop("y_pred")
    with pytest.raises(ValueError, match=message):
        ForecastDisplay.from_predictions([1.0, 2.0, 3.0], y_pred, **arguments)


def test_from_estimator_predicts_with_the_estimator_and_the_baseline(series, fitted):
    X, y = series
    model, baseline = fitted
    display = ForecastDisplay.from_estimator(model, X, y, baseline=baseline)
    np.testing.assert_allclose(display.lines_["pred"].get_ydata(), model.predict(X))
    np.testing.assert_allclose(display.lines_["baseline"].get_ydata(), baseline.predict(X))
    np.testing.assert_array_equal(display.lines_["true"].get_xdata(), y.index)
    assert display.lines_["pred"].get_label().startswith("RNNRegressor (MAE ")
    assert display.lines_["baseline"].get_label().startswith("PersistenceRegressor (MAE ")


def test_from_estimator_accepts_baseline_predictions_and_names(series, fitted):
    X, y = series
    model, _ = fitted
    display = ForecastDisplay.from_estimator(
        model, X, y, baseline=X["value"].to_numpy(), name="RNN", baseline_name="last value"
    )
    assert display.lines_["pred"].get_label().startswith("RNN (MAE")
    assert display.lines_["baseline"].get_label().startswith("last value (MAE")


def test_from_estimator_needs_a_fitted_estimator(series):
    X, y = series
    with pytest.raises(NotFittedError):
        ForecastDisplay.from_estimator(make_pipeline(SlidingWindow(5), RNNRegressor()), X, y)


# -- ForecastDisplay: prediction intervals ----------------------------------------------------
def _band_bounds(band):
    """The lower and upper edges of a fill_between band, as drawn."""
    vertices = band.get_paths()[0].vertices
    n = (len(vertices) - 3) // 2  # start, n lower points, end, n upper points reversed, close
    return vertices[1 : n + 1, 1], vertices[n + 2 : 2 * n + 2, 1][::-1]


def test_coverage_counts_only_the_dates_with_a_truth():
    y_true = np.array([1.0, 2.0, 3.0, np.nan, np.nan])  # a forecast past the data
    display = ForecastDisplay.from_predictions(
        y_true, np.arange(1.0, 6.0), lower=np.zeros(5), upper=np.full(5, 10.0)
    )
    assert display.bands_["interval"].get_label() == "Interval (coverage 1.00)"


def test_from_predictions_draws_a_band_labelled_with_its_coverage():
    y_true = np.array([1.0, 2.0, 4.0, 3.0, 5.0])
    lower = y_true - 1.0
    upper = np.array([2.0, 3.0, 3.5, 4.0, 4.0])  # misses 4.0 and 5.0
    display = ForecastDisplay.from_predictions(y_true, y_true, lower=lower, upper=upper)
    assert set(display.bands_) == {"interval"}
    band = display.bands_["interval"]
    assert band.get_label() == "Interval (coverage 0.60)"
    drawn_lower, drawn_upper = _band_bounds(band)
    np.testing.assert_array_equal(drawn_lower, lower)
    np.testing.assert_array_equal(drawn_upper, upper)
    legend = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert "Interval (coverage 0.60)" in legend


def test_no_intervals_no_bands():
    display = ForecastDisplay.from_predictions([1.0, 2.0], [1.0, 2.5])
    assert display.bands_ == {}


def test_nested_intervals_the_widest_is_the_lightest():
    y_true = np.arange(10.0)
    intervals = {0.95: (y_true - 2, y_true + 2), 0.8: (y_true - 0.5, y_true + 1)}
    display = ForecastDisplay.from_predictions(
        y_true, y_true, intervals=intervals, output=0, band_kwargs={"color": "green"}
    )
    assert display.bands_[0.8].get_label() == "80% interval (coverage 1.00)"
    assert display.bands_[0.95].get_label() == "95% interval (coverage 1.00)"
    assert display.bands_[0.95].get_alpha() < display.bands_[0.8].get_alpha()
    # Drawn widest first, so the narrower band lies on top of it.
    collections = list(display.ax_.collections)
    assert collections.index(display.bands_[0.95]) < collections.index(display.bands_[0.8])
    np.testing.assert_allclose(display.bands_[0.8].get_facecolor()[0][:3], (0, 0.5, 0), atol=0.01)


def test_band_of_the_chosen_output():
    y_true = np.arange(12.0).reshape(6, 2)
    lower, upper = y_true - 1, y_true + np.array([1.0, 3.0])
    display = ForecastDisplay.from_predictions(y_true, y_true, lower=lower, upper=upper, output=1)
    drawn_lower, drawn_upper = _band_bounds(display.bands_["interval"])
    np.testing.assert_array_equal(drawn_lower, lower[:, 1])
    np.testing.assert_array_equal(drawn_upper, upper[:, 1])


def test_band_on_a_dates_index():
    index = pd.date_range("2020-01-01", periods=4, freq="D")
    y_true = pd.Series([1.0, 2.0, 3.0, 4.0], index=index)
    display = ForecastDisplay.from_predictions(y_true, y_true, lower=y_true - 1, upper=y_true + 1)
    assert display.bands_["interval"].get_label() == "Interval (coverage 1.00)"
    assert isinstance(display.ax_.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lower": [0.0, 1.0, 2.0]}, ValueError, "Pass both lower and upper, or neither"),
        (
            {"lower": [0.0] * 3, "upper": [1.0] * 3, "intervals": {0.9: ([0.0] * 3, [1.0] * 3)}},
            ValueError,
            "either lower and upper, or intervals",
        ),
        ({"lower": [0.0, 1.0], "upper": [1.0, 2.0]}, ValueError, r"have shape \(2, 1\)"),
        ({"intervals": {0.9: ([0.0] * 3,)}}, ValueError, "must be a pair"),
        ({"intervals": {0.9: 5}}, ValueError, r"intervals\[0.9\] must be a pair .* got int"),
        ({"intervals": [([0.0] * 3, [1.0] * 3)]}, TypeError, "must be a dict"),
        ({"lower": [1.0, 0.0, 2.0], "upper": [0.0, 1.0, 3.0]}, ValueError, "at 1 of 3 points"),
        ({"intervals": {0.8: ([1.0] * 3, [0.0] * 3)}}, ValueError, r"intervals\[0.8\] is above"),
    ],
)
def test_intervals_are_checked(kwargs, error, message):
    with pytest.raises(error, match=message):
        ForecastDisplay.from_predictions([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], **kwargs)


@pytest.fixture(scope="module")
def quantile_model(series):
    X, y = series
    network = RNNRegressor(loss="quantile", quantile=(0.05, 0.1, 0.5, 0.9, 0.95), **TINY)
    return make_pipeline(StandardScaler(), SlidingWindow(5), network).fit(X, y)


def test_from_estimator_draws_the_intervals_of_a_quantile_network(series, quantile_model):
    X, y = series
    display = ForecastDisplay.from_estimator(quantile_model, X, y)
    assert sorted(display.bands_) == [0.8, 0.9]
    quantiles = quantile_model[-1].predict_quantiles(quantile_model[:-1].transform(X))
    for level, (low, high) in {0.8: (1, 3), 0.9: (0, 4)}.items():
        drawn_lower, drawn_upper = _band_bounds(display.bands_[level])
        np.testing.assert_allclose(drawn_lower, quantiles[:, low], rtol=1e-6)
        np.testing.assert_allclose(drawn_upper, quantiles[:, high], rtol=1e-6)
        covered = np.mean((y >= quantiles[:, low]) & (y <= quantiles[:, high]))
        assert display.bands_[level].get_label().endswith(f"(coverage {covered:.2f})")
    # The line is the median, what predict returns.
    np.testing.assert_allclose(display.lines_["pred"].get_ydata(), quantiles[:, 2], rtol=1e-6)


def test_from_estimator_draws_the_chosen_intervals(series, quantile_model):
    X, y = series
    display = ForecastDisplay.from_estimator(quantile_model, X, y, intervals=[0.9])
    assert list(display.bands_) == [0.9]
    display = ForecastDisplay.from_estimator(quantile_model, X, y, intervals=None)
    assert display.bands_ == {}
    with pytest.raises(ValueError, match=r"needs the quantiles 0\.25 and 0\.75"):
        ForecastDisplay.from_estimator(quantile_model, X, y, intervals=[0.5])
    assert list(ForecastDisplay.from_estimator(quantile_model, X, y, intervals=0.8).bands_) == [0.8]
    for levels in ("80%", [80]):
        with pytest.raises(ValueError, match="intervals must be levels strictly between 0 and 1"):
            ForecastDisplay.from_estimator(quantile_model, X, y, intervals=levels)


def test_from_estimator_draws_a_hold_out_forecast_from_the_full_history(series, quantile_model):
    X, y = series
    display = ForecastDisplay.from_estimator(quantile_model, X, y[150:], intervals=[0.8])
    full = ForecastDisplay.from_estimator(quantile_model, X, y, intervals=[0.8])
    np.testing.assert_array_equal(
        display.lines_["pred"].get_ydata(), full.lines_["pred"].get_ydata()[150:]
    )
    np.testing.assert_array_equal(
        _band_bounds(display.bands_[0.8])[0], _band_bounds(full.bands_[0.8])[0][150:]
    )


def test_from_estimator_of_a_search_draws_its_best_estimator_intervals(series, quantile_model):
    X, y = series
    search = GridSearchCV(
        quantile_model, {"slidingwindow__window": [5]}, cv=TimeSeriesSplit(2)
    ).fit(X, y)
    display = ForecastDisplay.from_estimator(search, X, y, intervals=[0.9])
    assert display.lines_["pred"].get_label().startswith("RNNRegressor (MAE")
    best = search.best_estimator_
    drawn_lower, _ = _band_bounds(display.bands_[0.9])
    expected = best[-1].predict_quantiles(best[:-1].transform(X))[:, 0]
    np.testing.assert_allclose(drawn_lower, expected, rtol=1e-6)


def test_from_estimator_of_a_point_forecast_draws_no_band(series, fitted):
    X, y = series
    model, _ = fitted
    assert ForecastDisplay.from_estimator(model, X, y).bands_ == {}
    with pytest.raises(ValueError, match="needs a quantile regressor"):
        ForecastDisplay.from_estimator(model, X, y, intervals=[0.9])


def test_from_estimator_of_a_network_outside_a_pipeline(series):
    X, y = series
    windows = SlidingWindow(5).fit_transform(X)
    network = GRURegressor(loss="quantile", quantile=(0.1, 0.5, 0.9), **TINY).fit(windows, y)
    display = ForecastDisplay.from_estimator(network, windows, y)
    drawn_lower, _ = _band_bounds(display.bands_[0.8])
    np.testing.assert_allclose(drawn_lower, network.predict_quantiles(windows)[:, 0], rtol=1e-6)


# -- TrainingHistoryDisplay -------------------------------------------------------------------
def test_history_of_a_pipeline_with_early_stopping(series):
    X, y = series
    network = RNNRegressor(hidden_size=4, max_epochs=5, skip=None, random_state=0)
    model = make_pipeline(StandardScaler(), SlidingWindow(5), network).fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(model)
    assert set(display.lines_) >= {"train", "valid", "best"}
    # The final network's training loss, over every row, for the chosen epochs.
    np.testing.assert_allclose(
        display.lines_["train"].get_ydata(), network.history_[:, "train_loss"]
    )
    np.testing.assert_array_equal(
        display.lines_["train"].get_xdata(), np.arange(1, network.best_epoch_ + 1)
    )
    # The folds' validation curves (column k: epoch k) and their mean.
    folds = network.validation_loss_
    assert len(display.lines_["folds"]) == (len(folds) if len(folds) > 1 else 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(folds, axis=0)  # epochs no fold reached are NaN
    np.testing.assert_allclose(display.lines_["valid"].get_ydata(), mean, equal_nan=True)
    assert list(display.lines_["best"].get_xdata()) == [network.best_epoch_] * 2
    assert display.ax_.get_title() == "RNNRegressor"
    assert display.ax_.get_xlabel() == "epoch"


def test_history_without_validation(series):
    X, y = series
    network = GRURegressor(early_stopping=False, **TINY).fit(SlidingWindow(5).fit_transform(X), y)
    display = TrainingHistoryDisplay.from_estimator(network, name="GRU")
    assert "valid" not in display.lines_
    assert display.valid_loss is None
    assert len(display.lines_["train"].get_ydata()) == 3
    assert display.ax_.get_title() == "GRU"


def test_history_of_a_search(series):
    X, y = series
    search = GridSearchCV(
        make_pipeline(SlidingWindow(5), RNNRegressor(early_stopping=False, **TINY)),
        {"rnnregressor__hidden_size": [2, 4]},
        cv=TimeSeriesSplit(2),
    ).fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(search)
    network = search.best_estimator_[-1]
    np.testing.assert_allclose(
        display.lines_["train"].get_ydata(), network.history_[:, "train_loss"]
    )


def test_kept_epoch_zero_is_labelled_as_the_starting_weights():
    display = TrainingHistoryDisplay(train_loss=[], valid_loss=[1.1, 1.2], best_epoch=0).plot()
    assert display.lines_["best"].get_label() == "kept: the untrained start"


def test_history_needs_a_fitted_network(series):
    X, y = series
    with pytest.raises(TypeError, match="needs a skrnn network"):
        TrainingHistoryDisplay.from_estimator(make_pipeline(Ridge()).fit(X, y))
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(RNNRegressor())
    with pytest.raises(ValueError, match="valid_loss must be"):
        TrainingHistoryDisplay(train_loss=[1.0, 2.0], valid_loss=np.ones((2, 2, 2))).plot()
