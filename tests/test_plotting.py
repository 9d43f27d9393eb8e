"""The displays of skrnn.plotting, drawn with matplotlib's Agg backend."""

import subprocess
import sys

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


# -- TrainingHistoryDisplay -------------------------------------------------------------------
def test_history_of_a_pipeline_with_early_stopping(series, fitted):
    model, _ = fitted
    network = model[-1]
    display = TrainingHistoryDisplay.from_estimator(model)
    assert set(display.lines_) == {"train", "valid", "best"}
    np.testing.assert_allclose(
        display.lines_["train"].get_ydata(), network.history_[:, "train_loss"]
    )
    np.testing.assert_allclose(
        display.lines_["valid"].get_ydata(), network.history_[:, "valid_loss"]
    )
    np.testing.assert_array_equal(display.lines_["train"].get_xdata(), [1, 2, 3])
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
        make_pipeline(SlidingWindow(5), RNNRegressor(**TINY)),
        {"rnnregressor__hidden_size": [2, 4]},
        cv=TimeSeriesSplit(2),
    ).fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(search)
    network = search.best_estimator_[-1]
    np.testing.assert_allclose(
        display.lines_["train"].get_ydata(), network.history_[:, "train_loss"]
    )


def test_kept_epoch_zero_is_labelled_as_the_starting_weights():
    display = TrainingHistoryDisplay(
        train_loss=[1.0, 0.9], valid_loss=[1.1, 1.2], best_epoch=0
    ).plot()
    assert display.lines_["best"].get_label() == "kept: starting weights of epoch 0"


def test_history_needs_a_fitted_network(series):
    X, y = series
    with pytest.raises(TypeError, match="needs a skrnn network"):
        TrainingHistoryDisplay.from_estimator(make_pipeline(Ridge()).fit(X, y))
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(RNNRegressor())
    with pytest.raises(ValueError, match="valid_loss has shape"):
        TrainingHistoryDisplay(train_loss=[1.0, 2.0], valid_loss=[1.0]).plot()
