import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from skorch.callbacks import Callback, GradientNormClipping

import skrnn
from skrnn import (
    DivergenceWarning,
    GRURegressor,
    LSTMRegressor,
    PersistenceRegressor,
    RNNRegressor,
    SlidingWindow,
    StartKeptWarning,
    make_supervised,
)
from skrnn._compact import CompactWindows

FAST = dict(hidden_size=8, max_epochs=3, random_state=0)
CELLS = [RNNRegressor, LSTMRegressor, GRURegressor]


@pytest.fixture(scope="module")
def prices():
    rng = np.random.default_rng(0)
    n = 400
    close = 30_000 + 200 * rng.normal(size=n).cumsum()  # raw index levels
    return pd.DataFrame(
        {
            "Open": close + rng.normal(size=n) * 50,
            "High": close + 100,
            "Low": close - 100,
            "Close": close,
            "Volume": rng.integers(1e8, 4e8, size=n),
        },
        index=pd.bdate_range("2020-01-01", periods=n, name="Date"),
    )


@pytest.fixture(scope="module")
def supervised(prices):
    return make_supervised(prices, target="Close")


@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler])
@pytest.mark.parametrize("cell", CELLS)
def test_quick_start_search_runs_as_written(supervised, tmp_path, scaler, cell):
    X, y = supervised
    pipe = make_pipeline(scaler(), SlidingWindow(window=7), cell(**FAST))
    name = cell.__name__.lower()
    search = GridSearchCV(
        pipe,
        {"slidingwindow__window": [3, 7], f"{name}__num_layers": [1, 2]},
        cv=TimeSeriesSplit(n_splits=3),
        scoring="neg_mean_absolute_error",
    ).fit(X, y)
    path = tmp_path / "model.joblib"
    joblib.dump(search.best_estimator_, path)
    np.testing.assert_array_equal(joblib.load(path).predict(X), search.predict(X))


def test_randomized_search_in_parallel(supervised):
    X, y = supervised
    pipe = make_pipeline(StandardScaler(), SlidingWindow(5), GRURegressor(**FAST))
    search = RandomizedSearchCV(
        pipe,
        {"gruregressor__hidden_size": [4, 8], "slidingwindow__window": [3, 5]},
        n_iter=3,
        cv=TimeSeriesSplit(n_splits=2),
        n_jobs=2,
        random_state=0,
    ).fit(X, y)
    assert np.isfinite(search.predict(X)).all()


def test_tabular_models_in_the_same_search(supervised):
    X, y = supervised
    pipe = make_pipeline(StandardScaler(), SlidingWindow(5), LSTMRegressor(**FAST))
    grid = [
        {"lstmregressor": [LSTMRegressor(**FAST), PersistenceRegressor()]},
        {"slidingwindow": [SlidingWindow(5, flatten=True)], "lstmregressor": [Ridge()]},
    ]
    search = GridSearchCV(pipe, grid, cv=TimeSeriesSplit(n_splits=2)).fit(X, y)
    assert len(search.cv_results_["params"]) == 3


def test_raw_prices_train_with_target_scaling(supervised):
    X, y = supervised
    network = LSTMRegressor(window_scaling=None, **FAST)
    model = make_pipeline(StandardScaler(), SlidingWindow(7), network).fit(X, y)
    est = model[-1]
    assert est.target_mean_[0] == pytest.approx(y.mean())
    pred = model.predict(X)
    assert pred.shape == (len(X),)
    assert np.isfinite(pred).all()
    persistence = np.abs(X["Close"] - y).mean()
    assert np.abs(pred - y).mean() < 1.05 * persistence  # not diverged, not level-bound


def test_pandas_int_and_float64_inputs_are_accepted(prices):
    X = SlidingWindow(4).fit_transform(prices.to_numpy(dtype=np.float64))
    y = prices["Close"].to_numpy()
    ints = np.nan_to_num(X).astype(np.int64)
    for X_in in (X, X.astype(np.float32), ints):
        pred = GRURegressor(**FAST).fit(X_in, y).predict(X_in)
        assert pred.dtype == np.float64
        assert np.isfinite(pred).all()
    model = GRURegressor(**FAST).fit(prices[["Close", "Volume"]], pd.Series(y))
    assert model.n_features_in_ == 2
    assert list(model.feature_names_in_) == ["Close", "Volume"]


def test_multi_output_horizons(prices):
    X, y = make_supervised(prices, target="Close", horizon=3)
    model = make_pipeline(StandardScaler(), SlidingWindow(5), LSTMRegressor(**FAST)).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == (len(X), 3)
    assert model[-1].n_outputs_ == 3
    single = make_pipeline(StandardScaler(), SlidingWindow(5), LSTMRegressor(**FAST))
    assert single.fit(X, y.iloc[:, :1]).predict(X).shape == (len(X), 1)


def test_front_padding_gets_finite_predictions(supervised):
    X, y = supervised
    model = make_pipeline(StandardScaler(), SlidingWindow(30), RNNRegressor(**FAST)).fit(X, y)
    pred = model.predict(X.iloc[:5])  # every window padded
    assert np.isfinite(pred).all()


def test_two_d_input_is_univariate_sequences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 6)).cumsum(axis=1)
    y = X[:, -1] + 0.1
    model = LSTMRegressor(**FAST).fit(X, y)
    assert model.n_timesteps_in_ == 6
    assert model.n_features_in_ == 6
    assert model.net_.module_.rnn.input_size == 1
    with pytest.raises(ValueError, match="was fitted on 2-D"):
        model.predict(X[:, :, None])


def test_random_state_reproducible_and_refit_starts_fresh(supervised):
    X, y = supervised
    make = lambda: make_pipeline(  # noqa: E731
        StandardScaler(), SlidingWindow(5), GRURegressor(skip=None, **FAST)
    )
    first = make().fit(X, y)
    np.testing.assert_array_equal(first.predict(X), make().fit(X, y).predict(X))
    again = first.fit(X, y)  # second fit on the same object
    np.testing.assert_array_equal(again.predict(X), make().fit(X, y).predict(X))


def test_warm_start_continues_training(supervised):
    X, y = supervised
    Xw = SlidingWindow(5).fit_transform(StandardScaler().fit_transform(X))
    est = GRURegressor(warm_start=True, early_stopping=False, **FAST).fit(Xw, y)
    trained = est.history_[-1, "train_loss"]
    est.fit(Xw, y)
    assert len(est.history_) == 6
    cold = GRURegressor(early_stopping=False, **FAST).fit(Xw, y)
    assert len(cold.fit(Xw, y).history_) == 3
    # From the fitted weights: its first epoch is closer to where the first fit ended.
    first = est.history_[3, "train_loss"]
    assert abs(first - trained) < abs(cold.history_[0, "train_loss"] - trained)


def test_clone_get_set_params_and_repr():
    pipe = make_pipeline(StandardScaler(), SlidingWindow(7), RNNRegressor(nonlinearity="relu"))
    pipe.set_params(rnnregressor__hidden_size=16, slidingwindow__window=3)
    cloned = clone(pipe)
    assert cloned.get_params()["rnnregressor__hidden_size"] == 16
    assert cloned.get_params()["rnnregressor__nonlinearity"] == "relu"
    assert "RNNRegressor" in pipe._repr_html_()
    assert set(RNNRegressor().get_params()) == set(LSTMRegressor().get_params()) | {"nonlinearity"}


def test_callbacks_and_history_are_skorch(supervised):
    from skorch.callbacks import LRScheduler

    X, y = supervised
    Xw = SlidingWindow(5).fit_transform(StandardScaler().fit_transform(X))
    scheduler = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    est = LSTMRegressor(callbacks=[scheduler], early_stopping=False, **FAST).fit(Xw, y)
    assert est.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-3 / 8)
    assert not hasattr(scheduler, "policy_")  # the user's object was not mutated
    assert len(est.history_[:, "train_loss"]) == 3


def test_verbose_off_prints_nothing(supervised, capsys):
    X, y = supervised
    Xw = SlidingWindow(5).fit_transform(StandardScaler().fit_transform(X))
    LSTMRegressor(**FAST).fit(Xw, y)
    assert capsys.readouterr().out == ""
    LSTMRegressor(verbose=1, **FAST).fit(Xw, y)
    assert "train_loss" in capsys.readouterr().out


# -- bad input: each a clear error before torch runs ---------------------------------


@pytest.fixture
def windows():
    rng = np.random.default_rng(0)
    return rng.normal(size=(50, 4, 3)), rng.normal(size=50)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_or_inf_inside_windows(windows, value):
    X, y = windows
    X = X.copy()
    X[10, 2, 1] = value
    with pytest.raises(ValueError, match="SimpleImputer"):
        LSTMRegressor(**FAST).fit(X, y)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_or_inf_in_y(windows, value):
    X, y = windows
    y = y.copy()
    y[3] = value
    with pytest.raises(ValueError, match=r"NaN|inf"):
        LSTMRegressor(**FAST).fit(X, y)


@pytest.mark.parametrize(
    ("make_input", "match"),
    [
        (lambda X, y: (X, y[:-1]), "inconsistent numbers of samples"),
        (lambda X, y: (X[:, 0, 0], y), "Reshape your data"),
        (lambda X, y: (X[..., None], y), "4-D"),
        (lambda X, y: (np.full(X.shape, "a"), y), "string|could not convert"),
        (lambda X, y: (X[:0], y[:0]), "0 sample"),
    ],
)
def test_bad_shapes_and_types(windows, make_input, match):
    X, y = make_input(*windows)
    with pytest.raises((ValueError, TypeError), match=match):
        LSTMRegressor(**FAST).fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"hidden_size": 0}, "hidden_size"),
        ({"hidden_size": -3}, "hidden_size"),
        ({"optimizer": "adamax"}, "optimizer"),
        ({"num_layers": 0}, "num_layers"),
        ({"lr": 0}, "lr"),
        ({"dropout": 1.0}, "dropout"),
        ({"skip": "ridge"}, "skip"),
        ({"target_feature": 9}, "target_feature"),
    ],
)
def test_bad_parameters(windows, params, match):
    X, y = windows
    with pytest.raises(ValueError, match=match):
        LSTMRegressor(**{**FAST, **params}).fit(X, y)


@pytest.mark.parametrize(
    "callbacks", [["print_log"], [1], [("named", 1)], [("a", "b", "c")], [GradientNormClipping]]
)
def test_callbacks_must_be_skorch_callbacks(windows, callbacks):
    X, y = windows
    if callbacks == [GradientNormClipping]:  # a class is one of skorch's forms, and so is
        LSTMRegressor(**FAST, callbacks=callbacks).fit(X, y)  # a [name, callback] list
        LSTMRegressor(**FAST, callbacks=[["clip", GradientNormClipping(1.0)]]).fit(X, y)
        return
    with pytest.raises(TypeError, match="callbacks must hold skorch callbacks"):
        LSTMRegressor(**FAST, callbacks=callbacks).fit(X, y)


def test_targets_must_be_numeric(windows):
    X, y = windows
    as_text = y.astype(str)  # numbers written as text, dtype <U
    reference = LSTMRegressor(**FAST).fit(X, y).predict(X[:5])
    np.testing.assert_array_equal(LSTMRegressor(**FAST).fit(X, as_text).predict(X[:5]), reference)
    labels = np.where(y > np.median(y), "up", "down")
    with pytest.raises(ValueError, match=r"needs numeric targets.*'(up|down)'.*classifier"):
        LSTMRegressor(**FAST).fit(X, labels)


def test_non_numeric_columns_are_named(windows):
    X, y = windows
    frame = pd.DataFrame({"a": X[:, -1, 0], "c": pd.Categorical(np.resize(["x", "y"], len(X)))})
    with pytest.raises(ValueError, match=r"non-numeric column\(s\) \['c'\]"):
        LSTMRegressor(**FAST).fit(frame, y)


def test_predict_before_fit_and_with_other_shapes(windows):
    X, y = windows
    with pytest.raises(NotFittedError):
        LSTMRegressor().predict(X)
    est = LSTMRegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        est.predict(X[:, :, :2])
    with pytest.raises(ValueError, match="4 time steps"):
        est.predict(X[:, :3])


def test_early_stopping_needs_two_samples(windows):
    X, y = windows
    with pytest.raises(ValueError, match="1 sample"):
        LSTMRegressor(**FAST).fit(X[:1], y[:1])
    pred = LSTMRegressor(early_stopping=False, **FAST).fit(X[:1], y[:1]).predict(X[:2])
    assert np.isfinite(pred).all()


def test_no_torch_warning_reaches_the_user(windows):
    X, y = windows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", StartKeptWarning)  # skrnn's own, about the result
        LSTMRegressor(dropout=0.2, **FAST).fit(X, y).predict(X)


def test_ema_decay_auto_averages_the_weights_of_window_scaled_point_forecasts(prices):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"id": np.repeat(["a", "b", "c"], 80), "y": np.exp(rng.normal(0, 0.05, 240).cumsum())}
    )
    X, y = make_supervised(frame, target="y", group="id")
    panel = make_pipeline(SlidingWindow(6, group="id"), LSTMRegressor(**FAST)).fit(X, y)
    assert panel[-1].ema_decay_ == 0.995
    averaging = dict(panel[-1].net_.callbacks_)["weight_averaging"]
    assert averaging.decay == 0.995
    bands = make_pipeline(SlidingWindow(6, group="id"), LSTMRegressor(loss="quantile", **FAST))
    assert bands.fit(X, y)[-1].ema_decay_ is None
    X, y = make_supervised(prices, target="Close")
    for ema_decay, expected in (("auto", None), (0.9, 0.9)):
        est = make_pipeline(SlidingWindow(5), LSTMRegressor(ema_decay=ema_decay, **FAST))
        est = est.fit(X, y)[-1]
        assert est.window_scaling_ is None  # standardized price windows: no average
        assert est.ema_decay_ == expected
        assert ("weight_averaging" in dict(est.net_.callbacks_)) == (expected is not None)
    # One positive series alone is log-scaled window by window: averaged over ~50 steps.
    X, y = make_supervised(prices[["Close"]], target="Close")
    est = make_pipeline(SlidingWindow(5), LSTMRegressor(**FAST)).fit(X, y)[-1]
    assert est.window_scaling_.kind == "log"
    assert est.ema_decay_ == 0.98
    assert dict(est.net_.callbacks_)["weight_averaging"].decay == 0.98
    est = make_pipeline(SlidingWindow(5), LSTMRegressor(window_scaling=None, **FAST))
    assert est.fit(X, y)[-1].ema_decay_ is None


def test_lr_auto_is_larger_for_windows_of_many_series(prices):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"id": np.repeat(["a", "b", "c"], 80), "y": np.exp(rng.normal(0, 0.05, 240).cumsum())}
    )
    X, y = make_supervised(frame, target="y", group="id")
    panel = make_pipeline(SlidingWindow(6, group="id"), LSTMRegressor(**FAST)).fit(X, y)[-1]
    bands = make_pipeline(SlidingWindow(6, group="id"), LSTMRegressor(loss="quantile", **FAST))
    bands = bands.fit(X, y)[-1]
    X, y = make_supervised(prices, target="Close")
    series = make_pipeline(SlidingWindow(5), LSTMRegressor(**FAST)).fit(X, y)[-1]
    chosen = make_pipeline(SlidingWindow(5), LSTMRegressor(lr=0.02, **FAST)).fit(X, y)
    expected_rates = ((panel, 5e-3), (bands, 5e-3), (series, 1e-3), (chosen[-1], 0.02))
    for network, expected in expected_rates:
        assert network.lr_ == expected
        assert network.net_.optimizer_.param_groups[0]["lr"] == expected
    # A warm fit trains on at the learning rate it resolves now.
    chosen.set_params(lstmregressor__warm_start=True, lstmregressor__lr="auto").fit(X, y)
    assert chosen[-1].lr_ == 1e-3
    assert chosen[-1].net_.optimizer_.param_groups[0]["lr"] == 1e-3


def test_scale_inputs_auto_scales_the_scaled_windows_of_one_series(prices):
    # One positive feature: windows scaled one by one (relative changes), inputs scaled.
    X, y = make_supervised(prices[["Close"]], target="Close")
    series = make_pipeline(SlidingWindow(5), LSTMRegressor(**FAST)).fit(X, y)
    network = series[-1]
    assert network.window_scaling_ is not None
    assert network.input_scale_.shape == (1,)
    module = network.net_.module_
    assert module.input_scale == tuple(network.input_scale_)
    # What the encoder reads has a root mean square of 1 on the training rows.
    windows = np.asarray(series[:-1].transform(X))[5:]
    norm = network._window_norm(CompactWindows.from_array(windows))
    with torch.no_grad():
        scaled = module._scale(torch.tensor(windows, dtype=torch.float32), torch.tensor(norm))
        inputs = module._inputs(scaled)
    np.testing.assert_allclose(inputs.pow(2).mean().sqrt(), 1.0, rtol=0.05)
    unscaled = make_pipeline(SlidingWindow(5), LSTMRegressor(scale_inputs=False, **FAST))
    unscaled = unscaled.fit(X, y)[-1]
    assert unscaled.input_scale_ is None
    assert unscaled.net_.module_.input_scale is None
    # Standardized windows (a scaler sets their scale): not scaled unless asked.
    X, y = make_supervised(prices, target="Close")
    standardized = make_pipeline(StandardScaler(), SlidingWindow(5), LSTMRegressor(**FAST))
    assert standardized.fit(X, y)[-1].input_scale_ is None
    standardized.set_params(lstmregressor__scale_inputs=True).fit(X, y)
    assert standardized[-1].input_scale_.shape == (X.shape[1],)
    # Windows of many series: not scaled unless asked.
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"id": np.repeat(["a", "b"], 60), "y": np.exp(rng.normal(0, 0.05, 120).cumsum())}
    )
    X, y = make_supervised(frame, target="y", group="id")
    panel = make_pipeline(SlidingWindow(6, group="id"), LSTMRegressor(**FAST)).fit(X, y)[-1]
    assert panel.window_scaling_ is not None
    assert panel.input_scale_ is None
    forced = make_pipeline(SlidingWindow(6, group="id"), LSTMRegressor(scale_inputs=True, **FAST))
    assert forced.fit(X, y)[-1].input_scale_.shape == (1,)


def test_a_failed_refit_leaves_the_fitted_model_as_it_was(prices):
    X, y = make_supervised(prices, target="Close")
    model = make_pipeline(StandardScaler(), SlidingWindow(5), LSTMRegressor(**FAST)).fit(X, y)
    network = model[-1]
    before = model.predict(X)
    state = dict(network.__dict__)
    windows = make_pipeline(StandardScaler(), SlidingWindow(4)).fit_transform(X[["Close"]])
    with pytest.raises(ValueError, match="target_feature=7 is out of range"):
        network.set_params(target_feature=7).fit(windows, y)
    network.set_params(target_feature="auto")
    assert network.__dict__.keys() == state.keys()
    assert all(network.__dict__[key] is value for key, value in state.items())
    np.testing.assert_array_equal(model.predict(X), before)


def test_warnings_point_at_the_users_line(prices):
    """However deep in a pipeline a warning arises, it names the line that called fit."""
    X, y = make_supervised(prices, target="Close")
    model = make_pipeline(StandardScaler(), SlidingWindow(5), LSTMRegressor(**FAST))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    kept = [w for w in caught if issubclass(w.category, StartKeptWarning)]
    assert kept, "a random walk keeps its start and says so"
    assert {w.filename for w in kept} == {__file__}


def test_numpy_numbers_as_parameters(prices, tmp_path):
    """Grids written with np.arange hand numpy integers to the estimator."""
    X, y = make_supervised(prices, target="Close")
    model = make_pipeline(StandardScaler(), SlidingWindow(5), LSTMRegressor(**FAST))
    grid = {
        "lstmregressor__hidden_size": np.arange(2, 5, 2),
        "lstmregressor__bidirectional": [np.True_],
    }
    search = GridSearchCV(model, grid, cv=TimeSeriesSplit(2), error_score="raise").fit(X, y)
    assert search.best_estimator_[-1].net_.module_.rnn.hidden_size in (2, 4)
    path = tmp_path / "model.skrnn"
    skrnn.save(search.best_estimator_, path)
    np.testing.assert_array_equal(skrnn.load(path).predict(X), search.predict(X))


def test_none_in_y_is_missing_not_trained_on(prices):
    X, y = make_supervised(prices, target="Close")
    windows = make_pipeline(StandardScaler(), SlidingWindow(5)).fit_transform(X)
    target = [None, *y.iloc[1:]]
    for estimator in (LSTMRegressor(**FAST), PersistenceRegressor()):
        with pytest.raises(ValueError, match="y contains NaN"):
            estimator.fit(windows, target)


def test_log_scaling_of_a_target_with_negative_values_is_refused():
    rng = np.random.default_rng(0)
    series = rng.normal(size=200).cumsum()[:, None] - 5  # mostly negative
    windows = SlidingWindow(5).fit_transform(series)[:-1]
    with pytest.raises(ValueError, match="window_scaling='log' takes the log"):
        LSTMRegressor(window_scaling="log", **FAST).fit(windows, series[1:, 0])
    # Nor can a log-scaled model forecast a series below zero: it would floor it.
    positive = np.exp(rng.normal(scale=0.05, size=200).cumsum())[:, None] + 10
    windows = SlidingWindow(5).fit_transform(positive)[:-1]
    model = LSTMRegressor(window_scaling="log", **FAST).fit(windows, positive[1:, 0])
    model.predict(windows * 0.001)  # any positive level
    with pytest.raises(ValueError, match=r"2 window\(s\) of X hold negative values"):
        model.predict(np.concatenate([windows[:5], -windows[:2]]))


def test_a_warm_start_trains_with_the_current_training_parameters(prices):
    X, y = make_supervised(prices, target="Close")
    windows = make_pipeline(StandardScaler(), SlidingWindow(5)).fit_transform(X)
    est = LSTMRegressor(warm_start=True, early_stopping=False, **FAST).fit(windows, y)
    est.set_params(optimizer="sgd", momentum=0.5, weight_decay=0.1, lr=0.01, clip_grad_norm=None)
    est.fit(windows, y)
    optimizer = est.net_.optimizer_
    assert isinstance(optimizer, torch.optim.SGD)
    assert optimizer.param_groups[0]["momentum"] == 0.5
    assert optimizer.param_groups[0]["weight_decay"] == 0.1
    assert optimizer.param_groups[0]["lr"] == 0.01
    assert "gradient_clip" not in dict(est.net_.callbacks_)
    est.set_params(clip_grad_norm=0.5).fit(windows, y)
    assert dict(est.net_.callbacks_)["gradient_clip"].gradient_clip_value == 0.5
    assert len(est.history_) == 9


def test_a_warm_start_refuses_parameters_its_network_was_built_on(prices):
    X, y = make_supervised(prices, target="Close")
    windows = make_pipeline(StandardScaler(), SlidingWindow(5)).fit_transform(X)
    quantiles = dict(loss="quantile", quantile=(0.1, 0.5, 0.9))
    est = LSTMRegressor(warm_start=True, early_stopping=False, **quantiles, **FAST)
    est.fit(windows, y)
    before = est.predict_quantiles(windows)
    est.set_params(quantile=[0.1, 0.5, 0.9]).fit(windows, y)  # the same levels
    for change in [dict(quantile=(0.025, 0.5, 0.975)), dict(loss="squared_error"), {"skip": None}]:
        est.set_params(**change)
        with pytest.raises(ValueError, match=f"have changed since: {next(iter(change))}="):
            est.fit(windows, y)
        est.set_params(**quantiles, skip="linear")
    assert est.quantiles_ == (0.1, 0.5, 0.9)
    assert not np.array_equal(est.predict_quantiles(windows), before)  # trained further
    est.set_params(quantile=(0.025, 0.5, 0.975), warm_start=False).fit(windows, y)
    assert est.quantiles_ == (0.025, 0.5, 0.975)


def test_a_refused_warm_start_leaves_the_network_as_it_was():
    rng = np.random.RandomState(0)
    X, y = rng.randn(150, 6, 2).astype(np.float32), rng.randn(150)
    est = LSTMRegressor(warm_start=True, skip=None, **FAST).fit(X, y)
    copy = clone(est).fit(X, y)
    with pytest.raises(ValueError, match="architecture cannot change"):
        est.set_params(hidden_size=16).fit(X, y)
    for model in (est, copy):  # the refused fit left no early stopping behind
        model.set_params(hidden_size=8, early_stopping=False, max_epochs=6, lr=0.01).fit(X, y)
        assert model.n_iter_ == 6
    np.testing.assert_array_equal(est.predict(X), copy.predict(X))


def test_a_warm_start_runs_the_current_callbacks():
    class Count(Callback):
        epochs = 0

        def on_epoch_end(self, net, **kwargs):
            type(self).epochs += 1

    rng = np.random.RandomState(0)
    X, y = rng.randn(80, 5, 1).astype(np.float32), rng.randn(80)
    est = LSTMRegressor(warm_start=True, early_stopping=False, **FAST).fit(X, y)
    est.set_params(callbacks=[("count", Count())]).fit(X, y)
    assert Count.epochs == 3


def test_a_warm_start_diverging_in_its_first_epoch_keeps_the_fitted_weights():
    rng = np.random.RandomState(0)
    X = rng.randn(150, 6, 2).astype(np.float32)
    y = np.tanh(X[:, -1, 0] * X[:, -2, 1])
    est = RNNRegressor(nonlinearity="relu", skip=None, warm_start=True, **FAST).fit(X, y)
    before, epochs = est.predict(X), len(est.history_)
    est.set_params(optimizer="sgd", lr=1e12, clip_grad_norm=None)
    with pytest.warns(DivergenceWarning):
        est.fit(X, y)
    assert est.best_epoch_ == epochs
    np.testing.assert_array_equal(est.predict(X), before)


def test_predict_of_quantiles_without_the_median_interpolates_it(prices):
    X, y = make_supervised(prices, target="Close")
    windows = make_pipeline(StandardScaler(), SlidingWindow(5)).fit_transform(X)
    model = LSTMRegressor(loss="quantile", quantile=[0.1, 0.9], **FAST).fit(windows, y)
    low, high = model.predict_quantiles(windows).T
    np.testing.assert_allclose(model.predict(windows), (low + high) / 2)
    model = LSTMRegressor(loss="quantile", quantile=[0.2, 0.3, 0.9], **FAST).fit(windows, y)
    np.testing.assert_allclose(
        model.predict(windows), (2 * model.predict_quantiles(windows)[:, 1:] @ [2, 1]) / 6
    )
    with pytest.raises(ValueError, match="quantile must hold at least one level"):
        LSTMRegressor(loss="quantile", quantile=[], **FAST).fit(windows, y)


def test_one_model_per_horizon_starts_as_the_model_of_all_horizons(prices):
    # MultiOutputRegressor, skforecast's ForecasterDirect: each step's model sees its own
    # column of y alone, h rows ahead; its start must find the target's past as one model
    # of every horizon does.
    X, y = make_supervised(prices[["Close"]], target="Close", horizon=3)
    windows = SlidingWindow(5).fit_transform(X)
    joint = LSTMRegressor(**FAST).fit(windows, y)
    single = LSTMRegressor(**FAST).fit(windows, y.iloc[:, 2])
    assert joint.skip_.exact
    assert single.skip_.exact
    assert single.window_scaling_.kind == joint.window_scaling_.kind == "log"
    assert single.loss_ == joint.loss_
    assert single.skip_.stationary == joint.skip_.stationary


def test_one_series_pools_more_held_out_rows_for_the_keep_or_discard_test():
    rng = np.random.default_rng(0)
    values = np.exp(rng.normal(0, 0.05, 1002).cumsum())
    frame = pd.DataFrame({"id": np.repeat(["a", "b"], 501), "y": values})
    X, y = make_supervised(frame, target="y", group="id")  # 1,000 rows, blocks of 100
    panel = make_pipeline(SlidingWindow(4, group="id"), LSTMRegressor(**FAST)).fit(X, y)
    assert panel[-1].validation_loss_.shape[0] == 1  # one fold holds 100 rows
    X, y = make_supervised(frame[["y"]].iloc[:1001], target="y")  # one series, 1,000 rows
    series = make_pipeline(SlidingWindow(4), LSTMRegressor(**FAST)).fit(X, y)
    assert series[-1].validation_loss_.shape[0] == 3  # 300 rows, the most three folds hold
