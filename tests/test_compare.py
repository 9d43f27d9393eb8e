"""skrnn.compare_forecasters: what ``skrnn compare`` does, as a function."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, root_mean_squared_error
from sklearn.model_selection import GridSearchCV, KFold, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import (
    GRURegressor,
    PanelTimeSeriesSplit,
    PersistenceRegressor,
    SlidingWindow,
    compare_forecasters,
    make_supervised,
)
from skrnn._compare import panel_holdout
from skrnn.datasets import load_stock, make_sine

TINY = dict(hidden_size=4, max_epochs=2, random_state=0)


@pytest.fixture(scope="module")
def sine():
    return make_supervised(make_sine(240, random_state=0), target="value")


def ridge_on_lags():
    return make_pipeline(SlidingWindow(5, flatten=True), Ridge())


def test_the_table_forecasts_and_searches(sine):
    X, y = sine
    result = compare_forecasters(
        {
            "persistence": PersistenceRegressor(),
            "ridge": (ridge_on_lags(), {"slidingwindow__window": [3, 6], "ridge__alpha": [1, 10]}),
            "mean": DummyRegressor(),
        },
        X,
        y,
        test_size=0.25,
        cv=3,
    )
    assert set(result) == {"table", "forecasts", "searches", "n_train", "test_start", "test_rows"}
    table, forecasts = result.table, result.forecasts
    assert list(table.index) == ["persistence", "ridge", "mean"]
    assert table.index.name == "model"
    assert list(table.columns) == [
        "best params", "MAE", "RMSE", "MAE / persistence", "epochs", "kept epoch", "fit s",
    ]  # fmt: skip
    n_test = int(np.ceil(0.25 * len(X)))
    assert result.test_start == result.n_train == len(X) - n_test
    np.testing.assert_array_equal(result.test_rows, np.arange(len(X) - n_test, len(X)))
    assert list(forecasts.columns) == ["truth", "persistence", "ridge", "mean"]
    pd.testing.assert_index_equal(forecasts.index, y.index[-n_test:])
    np.testing.assert_array_equal(forecasts["truth"], y.iloc[-n_test:])
    # Persistence forecasts the last value; its ratio to itself is 1.
    np.testing.assert_allclose(forecasts["persistence"], X["value"].iloc[-n_test:])
    assert table.loc["persistence", "MAE / persistence"] == 1.0
    for name in ("persistence", "ridge", "mean"):
        assert table.loc[name, "MAE"] == pytest.approx(
            mean_absolute_error(forecasts["truth"], forecasts[name])
        )
        assert table.loc[name, "RMSE"] == pytest.approx(
            root_mean_squared_error(forecasts["truth"], forecasts[name])
        )
    # The ridge was tuned over its grid, on the training rows, and refitted on all of them.
    search = result.searches["ridge"]
    assert isinstance(search, GridSearchCV)
    assert len(search.cv_results_["params"]) == 4
    assert table.loc["ridge", "best params"] == search.best_params_
    assert isinstance(search.cv, TimeSeriesSplit)
    assert search.cv.n_splits == 3
    assert search.n_splits_ == 3
    window = search.best_params_["slidingwindow__window"]
    assert search.best_estimator_[-1].n_features_in_ == window  # one lag column per step
    assert table["epochs"].isna().all()
    assert table.loc["persistence", "best params"] == {}


def test_the_training_rows_are_the_first_ones(sine):
    X, y = sine
    result = compare_forecasters(
        {"scaled": make_pipeline(StandardScaler(), PersistenceRegressor())}, X, y, test_size=60
    )
    scaler = result.searches["scaled"].best_estimator_[0]
    assert result.n_train == len(X) - 60
    assert scaler.n_samples_seen_ == len(X) - 60
    np.testing.assert_allclose(scaler.mean_, X.iloc[: len(X) - 60].mean().to_numpy())


def test_a_network_is_trained_and_reports_its_epochs(sine):
    X, y = sine
    network = make_pipeline(SlidingWindow(5), GRURegressor(early_stopping=False, **TINY))
    result = compare_forecasters({"gru": network}, X, y, cv=2)
    assert result.table.loc["gru", "epochs"] == 2
    assert result.table.loc["gru", "kept epoch"] in (0, 1, 2)
    assert str(result.table["epochs"].dtype) == "Int64"
    assert "MAE / persistence" not in result.table  # no persistence, no ratio
    assert not hasattr(network[-1], "n_iter_")  # the candidates are cloned, not fitted


def test_multi_step_forecasts_leave_a_gap():
    X, y = make_supervised(make_sine(240, random_state=0), target="value", horizon=3)
    result = compare_forecasters({"persistence": PersistenceRegressor()}, X, y, test_size=0.2)
    test_start = len(X) - int(np.ceil(0.2 * len(X)))
    assert result.test_start == test_start
    assert result.n_train == test_start - 2  # their targets lie in the hold-out
    assert list(result.forecasts.columns) == [
        "truth_t+1", "truth_t+2", "truth_t+3",
        "persistence_t+1", "persistence_t+2", "persistence_t+3",
    ]  # fmt: skip
    assert result.searches["persistence"].cv.gap == 2
    np.testing.assert_allclose(result.forecasts["truth_t+2"], y.iloc[test_start:, 1])


def panel(lengths=(40, 55, 47), horizon=3):
    """Stacked series of different lengths and levels, as make_supervised gives them."""
    frames = [
        pd.DataFrame({"id": f"s{k}", "y": 10.0**k * (2 + np.sin(np.arange(n) / 3))})
        for k, n in enumerate(lengths)
    ]
    long = pd.concat(frames, ignore_index=True)
    return make_supervised(long, target="y", horizon=horizon, group="id")


def test_many_series_hold_out_the_last_rows_of_each():
    """The competitions' protocol: one forecast of the last `horizon` values of every
    series, trained on the rows whose targets end before them."""
    X, y = panel()
    persistence = make_pipeline(SlidingWindow(5, group="id"), PersistenceRegressor())
    result = compare_forecasters({"persistence": persistence}, X, y, group="id", test_size=1)
    ends = np.cumsum([40 - 3, 55 - 3, 47 - 3])  # rows with a whole target, per series
    np.testing.assert_array_equal(result.test_rows, ends - 1)
    assert result.n_train == len(X) - 3 * 3  # each series: its test row and a gap of 2
    assert result.test_start is None
    search = result.searches["persistence"]
    assert isinstance(search.cv, PanelTimeSeriesSplit)
    assert (search.cv.gap, search.cv.group) == (2, "id")
    forecasts = result.forecasts
    assert list(forecasts["id"]) == ["s0", "s1", "s2"]
    np.testing.assert_array_equal(forecasts.filter(like="truth"), y.iloc[ends - 1])
    # Persistence repeats each series' last training value; sMAPE is M3's, over all values.
    last = X["y"].iloc[ends - 1].to_numpy()[:, None]
    np.testing.assert_allclose(forecasts.filter(like="persistence_"), np.repeat(last, 3, axis=1))
    truth = y.iloc[ends - 1].to_numpy()
    expected = np.mean(200 * np.abs(truth - last) / (np.abs(truth) + np.abs(last)))
    assert result.table.loc["persistence", "sMAPE"] == pytest.approx(expected)
    assert list(result.table.columns[:4]) == ["best params", "MAE", "RMSE", "sMAPE"]


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(8, 30), min_size=1, max_size=5),
    horizon=st.integers(1, 3),
    test_size=st.one_of(st.integers(1, 3), st.sampled_from([0.1, 0.25])),
    interleaved=st.booleans(),
)
def test_many_series_never_train_on_what_they_are_scored_on(
    lengths, horizon, test_size, interleaved
):
    """No look-ahead: a training row's targets end before every target of the hold-out
    of its series, and the hold-out is the last rows of each series, whatever their order."""
    ids = np.repeat(np.arange(len(lengths)), lengths)
    position = np.concatenate([np.arange(n) for n in lengths])  # within its series
    if interleaved:
        order = np.lexsort((ids, position))  # series take turns, each still in time order
        ids, position = ids[order], position[order]
    X = pd.DataFrame({"id": ids, "t": position})
    train, test = panel_holdout(X, "id", test_size, horizon)
    assert not np.intersect1d(train, test).size
    for series, n in enumerate(lengths):
        mine = ids == series
        held = position[test[mine[test]]]
        n_test = test_size if isinstance(test_size, int) else int(np.ceil(test_size * n))
        np.testing.assert_array_equal(held, np.arange(n - n_test, n))
        trained = position[train[mine[train]]]
        # Row t's targets are t+1 .. t+horizon; the hold-out's start at held.min() + 1.
        assert trained.max() + horizon <= held.min()
        np.testing.assert_array_equal(trained, np.arange(trained.max() + 1))


def test_many_series_get_bands_from_their_own_errors():
    X, y = panel(horizon=1)
    persistence = make_pipeline(SlidingWindow(5, group="id"), PersistenceRegressor())
    result = compare_forecasters(
        {"p": persistence}, X, y, group="id", test_size=1, cv=2, intervals=[0.8]
    )
    forecasts = result.forecasts.set_index("id")
    train = np.setdiff1d(np.arange(len(X)), result.test_rows)
    for name in ("s0", "s2"):  # levels 1 and 100 apart: widths of their own size
        rows = train[X["id"].to_numpy()[train] == name]
        errors = y.to_numpy()[rows] - X["y"].to_numpy()[rows]
        width = np.quantile(errors, 0.9) - np.quantile(errors, 0.1)
        band = forecasts.loc[name, "p_upper_80"] - forecasts.loc[name, "p_lower_80"]
        assert band == pytest.approx(width)


def test_many_series_with_a_fraction_held_out():
    X, y = panel(horizon=1)
    persistence = make_pipeline(SlidingWindow(5, group="id"), PersistenceRegressor())
    result = compare_forecasters({"p": persistence}, X, y, group="id", test_size=0.1, cv=2)
    per_series = [int(np.ceil(0.1 * (n - 1))) for n in (40, 55, 47)]
    assert len(result.test_rows) == sum(per_series)
    assert result.forecasts["id"].value_counts().sort_index().tolist() == per_series


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"group": "series"}, ValueError, "group='series' is not a column of X"),
        ({"group": "id", "test_size": 40}, ValueError, "Series 's0' has 37 rows: too few"),
        ({"group": "id", "X": "array"}, TypeError, "pass X as a DataFrame"),
        ({"group": "id"}, ValueError, r"estimators\['p'\].*SlidingWindow\(window, group='id'\)"),
    ],
)
def test_many_series_errors(kwargs, error, match):
    X, y = panel()
    if kwargs.pop("X", None) == "array":
        X = X.to_numpy()
    with pytest.raises(error, match=match):
        compare_forecasters({"p": PersistenceRegressor()}, X, y, **kwargs)


def test_arrays_and_a_named_reference():
    values = np.sin(np.arange(150) / 5)
    X, y = make_supervised(values.reshape(-1, 1), target=0)
    result = compare_forecasters(
        {"ridge": ridge_on_lags(), "persistence": PersistenceRegressor()},
        X,
        y,
        reference="ridge",
        cv=KFold(2),  # any splitter is passed on
    )
    assert result.table.loc["ridge", "MAE / ridge"] == 1.0
    assert isinstance(result.forecasts.index, pd.RangeIndex)
    assert result.forecasts.index[0] == result.test_start
    assert isinstance(result.searches["ridge"].cv, KFold)


def test_intervals_of_quantile_networks_and_of_baselines():
    """A quantile network gives its own bands; persistence gets the quantiles of its errors
    on the training rows; both are scored beside the point forecast, per step."""
    X, y = make_supervised(make_sine(240, random_state=0), target="value", horizon=2)
    network = make_pipeline(
        SlidingWindow(5), GRURegressor(loss="quantile", quantile=(0.1, 0.5, 0.9), **TINY)
    )
    result = compare_forecasters(
        {"persistence": PersistenceRegressor(), "gru": network},
        X, y, test_size=0.25, cv=2, intervals=[0.8],
    )  # fmt: skip
    table, forecasts = result.table, result.forecasts
    assert list(table.columns) == [
        "best params", "MAE", "RMSE", "MAE / persistence", "coverage 80%",
        "interval score 80%", "epochs", "kept epoch", "fit s",
    ]  # fmt: skip
    assert "gru_lower_80_t+2" in forecasts
    assert "persistence_upper_80_t+1" in forecasts
    fitted = result.searches["gru"].best_estimator_
    quantiles = fitted[-1].predict_quantiles(fitted[:-1].transform(X))[result.test_start :]
    np.testing.assert_allclose(forecasts["gru_lower_80_t+2"], quantiles[:, 1, 0])
    np.testing.assert_allclose(forecasts["gru_t+1"], quantiles[:, 0, 1])  # the median
    # Persistence's offsets: the 10% and 90% quantiles of its errors on the training rows.
    errors = y.iloc[: result.n_train, 0] - X["value"].iloc[: result.n_train]
    offset = np.quantile(errors, 0.1)
    np.testing.assert_allclose(
        forecasts["persistence_lower_80_t+1"], forecasts["persistence_t+1"] + offset
    )
    for name in ("persistence", "gru"):
        lower = forecasts[[f"{name}_lower_80_t+1", f"{name}_lower_80_t+2"]].to_numpy()
        upper = forecasts[[f"{name}_upper_80_t+1", f"{name}_upper_80_t+2"]].to_numpy()
        truth = forecasts[["truth_t+1", "truth_t+2"]].to_numpy()
        inside = ((lower <= truth) & (truth <= upper)).mean()
        assert table.loc[name, "coverage 80%"] == pytest.approx(inside)


def test_intervals_a_quantile_network_cannot_give(sine, monkeypatch):
    X, y = sine
    network = make_pipeline(SlidingWindow(5), GRURegressor(loss="quantile", **TINY))
    # Refused before any search runs.
    monkeypatch.setattr(GridSearchCV, "fit", lambda *args, **kwargs: pytest.fail("fitted"))
    with pytest.raises(ValueError, match=r"a 0\.8 interval needs the quantiles 0\.1 and 0\.9"):
        compare_forecasters({"gru": network}, X, y, cv=2, intervals=[0.8])
    grid = {"gruregressor__quantile": [[0.1, 0.5, 0.9], [0.5]]}
    with pytest.raises(ValueError, match=r"forecasts \[0\.5\] with \{'gruregressor"):
        compare_forecasters({"gru": (network, grid)}, X, y, cv=2, intervals=[0.8])


def test_the_stock_comparison_of_the_command_line_in_a_few_lines():
    """What ``skrnn compare`` prints, from Python: on prices, every forecaster that kept
    its starting point ties with persistence."""
    prices = load_stock("IBM").iloc[-300:]
    X, y = make_supervised(prices, target="Close")
    result = compare_forecasters(
        {
            "persistence": make_pipeline(
                StandardScaler(), SlidingWindow(5), PersistenceRegressor()
            ),
            "gru": (
                make_pipeline(StandardScaler(), SlidingWindow(5), GRURegressor(**TINY)),
                {"slidingwindow__window": [5, 10]},
            ),
        },
        X,
        y,
        cv=2,
    )
    assert result.table.loc["persistence", "MAE / persistence"] == 1.0
    assert result.table.loc["gru", "best params"]["slidingwindow__window"] in (5, 10)
    assert np.isfinite(result.table.loc["gru", "MAE / persistence"])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"estimators": {}}, ValueError, "estimators is empty"),
        ({"estimators": {"truth": PersistenceRegressor()}}, ValueError, "'truth' names"),
        ({"estimators": {"a": "ridge"}}, TypeError, r"estimators\['a'\] must be an estimator"),
        ({"estimators": {1: PersistenceRegressor()}}, TypeError, "named by strings"),
        ({"reference": "ridge"}, ValueError, "reference='ridge' is not one of"),
        ({"test_size": 1.5}, ValueError, "'test_size' parameter"),
        ({"test_size": 239}, ValueError, "too few to hold out test_size=239"),
        ({"cv": 1}, ValueError, "'cv' parameter"),
        ({"cv": None}, ValueError, "'cv' parameter"),  # KFold would train on the future
        ({"y": np.zeros(10)}, ValueError, "X has 239 rows but y has 10"),
        ({"intervals": [0.8, 1.0]}, ValueError, "intervals must be levels strictly between"),
        ({"intervals": ["80%"]}, ValueError, "intervals must be levels strictly between"),
        ({"intervals": 1.5}, ValueError, "'intervals' parameter"),
    ],
)
def test_errors_name_what_is_wrong(kwargs, error, match, sine):
    X, y = sine
    arguments = {"estimators": {"persistence": PersistenceRegressor()}, "X": X, "y": y}
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        compare_forecasters(
            arguments.pop("estimators"), arguments.pop("X"), arguments.pop("y"), **arguments
        )
