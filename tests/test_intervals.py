"""Central prediction intervals (skrnn/_intervals.py): the quantiles they need, the bands
of a quantile network and of past errors, and their scores."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from skrnn import GRURegressor, SlidingWindow, make_supervised
from skrnn._intervals import (
    error_intervals,
    forecasts_quantiles,
    interval_scores,
    quantile_forecast,
    quantile_intervals,
    quantiles_for,
)
from skrnn.datasets import make_sine


def test_quantiles_for_bound_every_level_around_the_median():
    assert quantiles_for([0.8, 0.95]) == (0.025, 0.1, 0.5, 0.9, 0.975)
    assert quantiles_for([0.9]) == (0.05, 0.5, 0.95)
    assert quantiles_for([0.8, 0.8]) == (0.1, 0.5, 0.9)


def test_interval_scores_by_hand():
    y = np.array([0.0, 1.0, 5.0, -3.0])
    lower, upper = np.array([-1.0, -1.0, 0.0, -1.0]), np.array([1.0, 1.0, 2.0, 1.0])
    scores = interval_scores(y, lower, upper, 0.8)
    assert scores["coverage"] == 0.5
    assert scores["width"] == 2.0
    # Misses of 3 above and 2 below cost 2 / 0.2 = 10 per unit: (4 * 2 + 10 * 5) / 4.
    assert scores["interval score"] == pytest.approx((8 + 50) / 4)


def test_error_intervals_cover_the_errors_they_come_from():
    rng = np.random.default_rng(0)
    y_fitted = rng.normal(size=(2000, 2)) * [1.0, 3.0]  # a wider spread at the second step
    bands = error_intervals(y_fitted, np.zeros_like(y_fitted), np.zeros((5, 2)), [0.8, 0.5])
    assert list(bands) == [0.8, 0.5]
    for level, (lower, upper) in bands.items():
        assert lower.shape == upper.shape == (5, 2)
        assert (upper[:, 1] - lower[:, 1] > 2.5 * (upper[:, 0] - lower[:, 0])).all()
        inside = (lower[:1] <= y_fitted) & (y_fitted <= upper[:1])
        np.testing.assert_allclose(inside.mean(axis=0), level, atol=0.01)
    lower, upper = error_intervals(np.arange(10.0), np.arange(10.0) - 1, np.ones(3), [0.5])[0.5]
    assert lower.shape == (3,)
    np.testing.assert_allclose(lower, 2.0)  # every error is +1: a band of width 0 at +1
    np.testing.assert_allclose(upper, 2.0)


def test_error_intervals_of_many_series_take_each_series_own_errors():
    rng = np.random.default_rng(0)
    errors = np.concatenate([rng.normal(size=500), 100 * rng.normal(size=500)])
    fitted_ids = np.repeat(["small", "large"], 500)
    ids = np.array(["large", "small", "large"])
    lower, upper = error_intervals(
        errors, np.zeros(1000), np.zeros(3), [0.9], series=(fitted_ids, ids)
    )[0.9]
    for k, name in enumerate(ids):
        own = errors[fitted_ids == name]
        assert lower[k] == pytest.approx(np.quantile(own, 0.05))
        assert upper[k] == pytest.approx(np.quantile(own, 0.95))


@pytest.fixture(scope="module")
def sine():
    return make_supervised(make_sine(300, random_state=0), target="value")


def test_quantile_intervals_of_a_pipeline(sine):
    X, y = sine
    network = GRURegressor(
        loss="quantile", quantile=quantiles_for([0.8, 0.9]), hidden_size=4, max_epochs=2,
        random_state=0,
    )  # fmt: skip
    model = make_pipeline(SlidingWindow(5), network).fit(X, y)
    assert forecasts_quantiles(model)
    quantiles = model[-1].predict_quantiles(model[:-1].transform(X))
    bands = quantile_intervals(model, X, [0.9, 0.8])
    assert list(bands) == [0.9, 0.8]
    np.testing.assert_array_equal(bands[0.8][0], quantiles[:, 1])
    np.testing.assert_array_equal(bands[0.9][1], quantiles[:, 4])
    assert list(quantile_intervals(model, X, "auto")) == [0.9, 0.8]
    # The forecast and its bands from one prediction: what predict and the bands give.
    point, bands_at_once = quantile_forecast(model, X, [0.9, 0.8])
    np.testing.assert_array_equal(point, model.predict(X))
    for level, (lower, upper) in bands.items():
        np.testing.assert_array_equal(bands_at_once[level][0], lower)
        np.testing.assert_array_equal(bands_at_once[level][1], upper)
    with pytest.raises(ValueError, match=r"needs the quantiles 0\.025 and 0\.975"):
        quantile_intervals(model, X, [0.95])


def test_quantile_intervals_need_a_quantile_regressor(sine):
    X, y = sine
    model = make_pipeline(SlidingWindow(5, flatten=True), Ridge()).fit(X, y)
    assert not forecasts_quantiles(model)
    with pytest.raises(ValueError, match=r"needs a quantile regressor.*Ridge forecasts no"):
        quantile_intervals(model, X, [0.8])
