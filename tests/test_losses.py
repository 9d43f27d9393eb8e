"""loss= and quantile= of the regressors (skrnn._losses)."""

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRURegressor, LSTMRegressor, SlidingWindow, _regressor, make_supervised
from skrnn._losses import PinballLoss

FAST = dict(hidden_size=8, max_epochs=3, random_state=0)


def _walk(n=600, seed=0):
    rng = np.random.default_rng(seed)
    return 100 + rng.normal(size=n).cumsum()


def test_pinball_loss_is_the_quantile_loss():
    loss = PinballLoss((0.1, 0.9))
    y_true = torch.tensor([[1.0], [2.0]])
    y_pred = torch.tensor([[0.0, 3.0], [2.0, 2.0]])  # row 0: under by 1, over by 2
    expected = np.mean([[0.1 * 1, 0.1 * 2], [0.0, 0.0]], axis=1)
    np.testing.assert_allclose(loss.row_losses(y_pred, y_true).numpy(), expected, rtol=1e-6)


def test_several_quantiles_from_one_network():
    series = _walk()
    X, y = make_supervised(series.reshape(-1, 1), target=0)
    quantiles = (0.9, 0.1, 0.5)
    model = make_pipeline(
        StandardScaler(),
        SlidingWindow(5),
        LSTMRegressor(loss="quantile", quantile=quantiles, **FAST),
    ).fit(X, y)
    net = model[-1]
    assert net.quantiles_ == (0.1, 0.5, 0.9)
    assert net.net_.module_.head.out_features == 3
    windows = model[:-1].transform(X)
    q = net.predict_quantiles(windows)
    assert q.shape == (len(X), 3)
    assert (np.diff(q, axis=1) >= 0).all()  # sorted: never crossing
    np.testing.assert_array_equal(model.predict(X), q[:, 1])  # the median is the point


def _untrained_quantiles(spread):
    """An 80% quantile network that keeps its start (a learning rate of nothing)."""
    return GRURegressor(
        loss="quantile",
        quantile=(0.1, 0.9),
        quantile_spread=spread,
        max_epochs=1,
        lr=1e-12,
        random_state=0,
    )


def test_the_start_is_a_quantile_forecast_not_the_mean():
    # Untrained (the start kept), each quantile of the start covers its share of training
    # rows: the skip's forecast plus that quantile of its residuals (per unit of the
    # window's volatility).
    series = _walk(800, seed=1)
    X, y = make_supervised(series.reshape(-1, 1), target=0)
    net = _untrained_quantiles("volatility")
    model = make_pipeline(StandardScaler(), SlidingWindow(5), net).fit(X, y)
    q = net.predict_quantiles(model[:-1].transform(X))
    below = (y.reshape(-1, 1) < q).mean(axis=0)
    np.testing.assert_allclose(below, [0.1, 0.9], atol=0.03)
    assert net.start_offsets_ is None
    assert net.start_spread_.shape == (1, 2)
    assert net.start_spread_[0, 0] < 0 < net.start_spread_[0, 1]


def test_the_start_interval_follows_the_recent_volatility():
    # A volatile past, then a calm hold-out: an interval of fixed width would cover the
    # calm rows far above its level; scaled by each window's volatility it keeps to it.
    rng = np.random.default_rng(0)
    steps = np.r_[2.0 * rng.normal(size=1200), 0.5 * rng.normal(size=600)]
    series = 1000 + steps.cumsum()
    X, y = make_supervised(series.reshape(-1, 1), target=0)
    coverage = {}
    for spread in ("volatility", "fixed"):
        net = _untrained_quantiles(spread)
        model = make_pipeline(StandardScaler(), SlidingWindow(10), net).fit(X[:1200], y[:1200])
        q = net.predict_quantiles(model[:-1].transform(X))
        coverage[spread] = ((y[1300:] >= q[1300:, 0]) & (y[1300:] <= q[1300:, 1])).mean()
    width = q[:, 1] - q[:, 0]  # fixed: as wide in the calm rows as in the volatile ones
    np.testing.assert_allclose(np.median(width[1300:]), np.median(width[100:1200]), rtol=0.1)
    assert abs(coverage["volatility"] - 0.8) < 0.05
    assert coverage["fixed"] > 0.95


@pytest.mark.parametrize(
    ("spread", "tolerance", "scaled"),
    [
        ("volatility", -1.0, True),
        ("fixed", 10.0, False),
        ("auto", 10.0, True),
        ("auto", -1.0, False),
    ],
)
def test_quantile_spread_chooses_how_the_start_widens(spread, tolerance, scaled, monkeypatch):
    # "auto" keeps volatility scaling unless its training pinball loss exceeds the fixed
    # widths' by more than SPREAD_TOLERANCE (-1: always exceeds; 10: never).
    monkeypatch.setattr(_regressor, "SPREAD_TOLERANCE", tolerance)
    X, y = make_supervised(_walk().reshape(-1, 1), target=0)
    net = GRURegressor(loss="quantile", quantile=(0.1, 0.9), quantile_spread=spread, **FAST)
    make_pipeline(StandardScaler(), SlidingWindow(5), net).fit(X, y)
    assert (net.start_spread_ is not None) is scaled
    assert (net.start_offsets_ is None) is scaled
    assert hasattr(net.net_.module_, "skip_spread") is scaled


def test_the_start_offsets_are_fixed_without_a_target_feature():
    # No feature of X holds the target's past (y is another column): fixed offsets.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2)).cumsum(axis=0)
    y = X[:, 0] + X[:, 1] + rng.normal(size=400)
    net = GRURegressor(loss="quantile", quantile=(0.1, 0.9), window_scaling=None, **FAST)
    make_pipeline(SlidingWindow(5), net).fit(X, y)
    assert net.start_spread_ is None
    assert net.start_offsets_.shape == (1, 2)


def test_absolute_error_trains_the_median_with_l1():
    X, y = make_supervised(_walk().reshape(-1, 1), target=0)
    net = LSTMRegressor(loss="absolute_error", **FAST)
    make_pipeline(StandardScaler(), SlidingWindow(5), net).fit(X, y)
    assert isinstance(net.net_.criterion_, torch.nn.L1Loss)
    assert net.quantiles_ is None
    with pytest.raises(AttributeError, match="loss='quantile'"):
        net.predict_quantiles(np.zeros((2, 5, 1)))


def test_multi_output_quantiles_have_an_outputs_axis():
    X, y = make_supervised(_walk().reshape(-1, 1), target=0, horizon=2)
    net = GRURegressor(loss="quantile", quantile=[0.25, 0.75], **FAST)
    model = make_pipeline(StandardScaler(), SlidingWindow(5), net).fit(X, y)
    assert net.predict_quantiles(model[:-1].transform(X)).shape == (len(X), 2, 2)
    assert model.predict(X).shape == (len(X), 2)


@pytest.mark.parametrize("quantile", [0.0, 1.0, [0.2, 0.2], [[0.1]], "high"])
def test_bad_quantiles(quantile):
    X, y = np.zeros((20, 3, 1)), np.zeros(20)
    with pytest.raises((ValueError, TypeError), match="quantile"):
        GRURegressor(loss="quantile", quantile=quantile, **FAST).fit(X, y)
