"""Per-window scaling (skrnn._scaling): one network for series of any size."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.pipeline import make_pipeline

from skrnn import GRURegressor, SlidingWindow, make_supervised
from skrnn._compact import CompactWindows
from skrnn._modules import RecurrentModule
from skrnn._scaling import ScaledWindows, WindowScaling, input_rms

FAST = dict(hidden_size=8, max_epochs=3, random_state=0)


def _panel(scales, n=60, seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for k, scale in enumerate(scales):
        t = np.arange(n)
        level = (
            scale
            * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
            * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
        )
        frames.append(pd.DataFrame({"id": f"s{k}", "y": level}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("kind", ["log", "mean"])
def test_transform_and_inverse_round_trip(kind):
    rng = np.random.default_rng(0)
    values = rng.uniform(1, 100, size=(50, 1))
    windows = CompactWindows.from_series(values, np.repeat([0, 1], 25), 6)
    scaling = WindowScaling(kind, 0, season=3)
    norm = scaling.norm(windows)
    y = rng.uniform(1, 100, size=(50, 2))
    np.testing.assert_allclose(scaling.inverse(scaling.transform(y, norm), norm), y)
    # The offset is the mean of the last `season` real values (in logs for "log").
    last3 = np.asarray(windows)[:, -3:, 0]
    expected = np.log(last3).mean(axis=1) if kind == "log" else last3.mean(axis=1)
    full = windows.lengths >= 3
    np.testing.assert_allclose(norm[full, 0], expected[full])


def test_log_scaling_takes_the_round_off_of_a_persistence_map_at_zero():
    # Rare zeros (a closed season) through a map y = x + intercept found by least squares:
    # the zeros come out as -1e-6, round-off, not negative values.
    values = np.r_[np.zeros(4), np.linspace(500, 900, 46)][:, None]
    windows = CompactWindows.from_series(values, np.zeros(50, dtype=np.int64), 6)
    norm = WindowScaling("log", 0, intercept=-1.4e-6).norm(windows)
    assert np.isfinite(norm).all()
    with pytest.raises(ValueError, match=r"window\(s\) of X hold negative values"):
        WindowScaling("log", 0, intercept=-1.0).norm(windows)


@pytest.mark.parametrize("kind", ["log", "mean"])
def test_the_module_scales_as_numpy_does(kind):
    rng = np.random.default_rng(1)
    values = rng.uniform(1, 50, size=(40, 2))
    windows = CompactWindows.from_series(values, np.zeros(40, dtype=int), 5).as_float32()
    scaling = WindowScaling(kind, 1, season=2, slope=2.0, intercept=1.0)
    norm = scaling.norm(windows)
    scaled = ScaledWindows(windows, scaling, norm).rows(np.arange(40))
    module = RecurrentModule(
        input_size=2, window=5, scaling=kind, target_feature=1, target_map=(2.0, 1.0), center=False
    )
    x = torch.as_tensor(windows.rows(np.arange(40)))
    out = module._scale(x, torch.as_tensor(norm))
    full = windows.lengths == 5
    np.testing.assert_allclose(out.numpy()[full], scaled[full], rtol=1e-5, atol=1e-5)


def test_predictions_come_back_in_each_series_units():
    # Scale-free: a series multiplied by 1000 gets forecasts multiplied by 1000.
    base = _panel([1.0, 1.0])
    scaled = base.copy()
    scaled.loc[scaled["id"] == "s1", "y"] *= 1000.0
    preds = []
    for frame in (base, scaled):
        X, y = make_supervised(frame, target="y", group="id")
        model = make_pipeline(SlidingWindow(13, group="id"), GRURegressor(season=12, **FAST))
        preds.append(model.fit(X, y).predict(X))
        assert model[-1].window_scaling_.kind == "log"
    second = (X["id"] == "s1").to_numpy()
    np.testing.assert_allclose(preds[1][second], 1000.0 * preds[0][second], rtol=2e-3)


def test_zeros_get_mean_scaling_and_non_positive_forecasts_stay_finite():
    frame = _panel([5.0, 500.0])
    frame.loc[::7, "y"] = 0.0  # seasonal closures
    X, y = make_supervised(frame, target="y", group="id")
    model = make_pipeline(SlidingWindow(6, group="id"), GRURegressor(**FAST)).fit(X, y)
    assert model[-1].window_scaling_.kind == "mean"
    assert np.isfinite(model.predict(X)).all()


def test_rare_zeros_keep_log_scaling_and_negative_values_do_not():
    # One closure in a panel of positive series: log scaling for all, zero floored.
    frame = _panel([5.0, 500.0, 50.0], n=120)
    frame.loc[100, "y"] = 0.0
    X, y = make_supervised(frame, target="y", group="id")
    model = make_pipeline(SlidingWindow(6, group="id"), GRURegressor(**FAST)).fit(X, y)
    assert model[-1].window_scaling_.kind == "log"
    assert np.isfinite(model.predict(X)).all()
    # A negative value is no closure: the mean scaling, which takes any sign.
    frame.loc[100, "y"] = -1.0
    X, y = make_supervised(frame, target="y", group="id")
    model = make_pipeline(SlidingWindow(6, group="id"), GRURegressor(**FAST)).fit(X, y)
    assert model[-1].window_scaling_.kind == "mean"


def test_explicit_scaling_needs_the_targets_past_in_x():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4, 2))
    y = rng.normal(size=80) + 5
    with pytest.raises(ValueError, match="window_scaling='log'"):
        GRURegressor(window_scaling="log", **FAST).fit(X, y)
    # "auto" then just does without.
    assert GRURegressor(**FAST).fit(X, y).window_scaling_ is None


def test_auto_scales_quantiles_of_a_positive_series_by_its_level():
    # A positive series with other features: point forecasts keep y standardized as a
    # whole, quantiles go to log scale so that their bands widen with the level.
    rng = np.random.default_rng(0)
    level = np.exp(np.cumsum(rng.normal(0.01, 0.05, size=160)))
    frame = pd.DataFrame({"y": level, "volume": rng.uniform(1, 2, size=160)})
    X, y = make_supervised(frame, target="y")
    point = make_pipeline(SlidingWindow(4), GRURegressor(**FAST)).fit(X, y)
    assert point[-1].window_scaling_ is None
    bands = make_pipeline(
        SlidingWindow(4), GRURegressor(loss="quantile", quantile=(0.1, 0.9), **FAST)
    ).fit(X, y)
    assert bands[-1].window_scaling_.kind == "log"
    # Relative bands: the 80% band is wider where the series is higher.
    quantiles = bands[-1].predict_quantiles(bands[:-1].transform(X))
    width = quantiles[:, 1] - quantiles[:, 0]
    assert width[-20:].mean() > 2 * width[10:30].mean()


def test_auto_loss_forecasts_the_median_of_log_scaled_windows():
    # Logs come back as medians, not means: loss="auto" trains those windows with the
    # absolute error (the start shifted by its residuals' median) and others squared.
    frame = _panel([5.0, 500.0])
    X, y = make_supervised(frame, target="y", group="id")
    logged = make_pipeline(SlidingWindow(6, group="id"), GRURegressor(**FAST)).fit(X, y)
    assert logged[-1].loss_ == "absolute_error"
    assert isinstance(logged[-1].net_.criterion_, torch.nn.L1Loss)
    assert logged[-1].start_offsets_ is not None
    # An explicit loss is kept whatever the scaling.
    squared = GRURegressor(loss="squared_error", **FAST)
    squared = make_pipeline(SlidingWindow(6, group="id"), squared).fit(X, y)[-1]
    assert squared.loss_ == "squared_error"
    assert squared.start_offsets_ is None
    frame.loc[::7, "y"] = 0.0
    X, y = make_supervised(frame, target="y", group="id")
    mean = make_pipeline(SlidingWindow(6, group="id"), GRURegressor(**FAST)).fit(X, y)
    assert mean[-1].window_scaling_.kind == "mean"
    assert mean[-1].loss_ == "squared_error"


@pytest.mark.parametrize("chunk_elements", [1 << 20, 25])  # one pass; chunks of 2 windows
@pytest.mark.parametrize("center", [False, True])
def test_input_rms_is_taken_over_real_steps_only(center, chunk_elements, monkeypatch):
    monkeypatch.setattr("skrnn._scaling._CHUNK_ELEMENTS", chunk_elements)
    rng = np.random.default_rng(0)
    values = rng.normal(0, 3, (40, 2))
    values[:, 1] = 0.0  # a feature that is zero throughout: left as it is
    windows = CompactWindows.from_series(values, np.zeros(40, dtype=np.int64), 6)
    lengths = windows.lengths
    assert (lengths < 6).any()  # the first rows are front padded
    full = np.asarray(windows.rows(np.arange(len(windows))), dtype=np.float64)
    if center:
        full = full - full[:, -1:]
    real = [full[i, 6 - lengths[i] :, 0] for i in range(len(windows))]
    expected = np.sqrt(np.mean(np.concatenate(real) ** 2))
    np.testing.assert_allclose(input_rms(windows, center=center), [expected, 1.0])
