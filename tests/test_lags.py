"""Reading 2-D lag matrices (the ``lags`` parameter): layouts from names or from the
parameter, the windows they make, and that the layout fitted is the one predict uses."""

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils._param_validation import InvalidParameterError

import skrnn
from skrnn import LagLayoutWarning, LSTMClassifier, LSTMRegressor, SlidingWindow
from skrnn._lags import is_plain, lag_windows, resolve_layout

FAST = dict(hidden_size=4, max_epochs=2, early_stopping=False, random_state=0)
N_LAGS = 5


def newest_first(series, n_lags):
    """The lag matrix skforecast builds: row t holds series[t], series[t-1], ... (lag_1 first)
    for every t with a full window, and the next value as target."""
    rows = np.arange(n_lags - 1, len(series) - 1)
    X = np.stack([series[rows - k] for k in range(n_lags)], axis=1)
    return X, series[rows + 1]


@pytest.fixture(scope="module")
def series():
    return 100 + np.random.default_rng(0).normal(size=160).cumsum()


@pytest.fixture(scope="module")
def reference(series):
    """The same rows as 3-D windows, oldest first, and an estimator fitted on them."""
    X, y = newest_first(series, N_LAGS)
    windows = X[:, ::-1, None]
    return windows, y, LSTMRegressor(**FAST).fit(windows, y)


def layout_of(lags, names=None, n_columns=None):
    n_columns = len(names) if names is not None else n_columns
    return resolve_layout(lags, np.zeros((1, n_columns)), names)


# -- layouts ----------------------------------------------------------------------------------
def test_skforecast_names_read_newest_first_and_exog_after():
    layout = layout_of("auto", ["lag_1", "lag_2", "lag_3", "holiday", "temp"])
    np.testing.assert_array_equal(layout["steps"], [[2], [1], [0]])
    np.testing.assert_array_equal(layout["exogenous"], [3, 4])
    assert layout["series"] is None


def test_skforecast_multiseries_level_column_is_the_series_id():
    layout = layout_of("auto", ["lag_1", "lag_2", "_level_skforecast", "promo"])
    np.testing.assert_array_equal(layout["steps"], [[1], [0]])
    np.testing.assert_array_equal(layout["exogenous"], [3])
    assert layout["series"] == 2


def test_sktime_global_names():
    layout = layout_of("auto", ["sales_lag_1", "sales_lag_2", "sales_lag_3", "hol"])
    np.testing.assert_array_equal(layout["steps"][:, 0], [2, 1, 0])
    np.testing.assert_array_equal(layout["exogenous"], [3])


def test_sktime_reducer_prefix_names():
    # DirectReductionForecaster: "lag_<k>__<variable>"; RecursiveReductionForecaster lags
    # those lags again: "lag_1__lag_<k>__y" is lag k + 1.
    direct = layout_of("auto", ["lag_0__y", "lag_1__y", "lag_2__y", "x"])
    np.testing.assert_array_equal(direct["steps"][:, 0], [2, 1, 0])
    np.testing.assert_array_equal(direct["exogenous"], [3])
    recursive = layout_of("auto", ["lag_1__lag_0__y", "lag_1__lag_1__y", "lag_1__lag_2__y"])
    np.testing.assert_array_equal(recursive["steps"][:, 0], [2, 1, 0])
    two = layout_of("auto", ["lag_0__y", "lag_0__x", "lag_1__y", "lag_1__x"])
    np.testing.assert_array_equal(two["steps"], [[2, 3], [0, 1]])


def test_a_reversed_frame_of_other_names_says_its_names_were_not_read(series):
    X, y = newest_first(series, N_LAGS)
    frame = pd.DataFrame(X, columns=[f"past{k}" for k in range(1, N_LAGS + 1)])
    with pytest.warns(LagLayoutWarning, match=r"column names \(past1, past2, past3, ...\)"):
        LSTMRegressor(**FAST).fit(frame, y)


def test_sliding_window_flat_names_give_its_3d_windows_back():
    X = np.random.default_rng(1).normal(size=(20, 2))
    flat = (
        SlidingWindow(3, flatten=True)
        .set_output(transform="pandas")
        .fit_transform(pd.DataFrame(X, columns=["Close", "Volume"]))
    )
    layout = resolve_layout("auto", flat.to_numpy(), flat.columns)
    windows, codes = lag_windows(flat.to_numpy(), layout)
    assert codes is None
    expected = SlidingWindow(3, padding="edge", flatten=True).fit_transform(X).reshape(20, 3, 2)
    np.testing.assert_array_equal(windows, expected)


def test_names_without_lags_read_as_before():
    assert is_plain(layout_of("auto", ["a", "b", "flag_1", "lagoon"]))


@pytest.mark.parametrize(
    ("names", "match"),
    [
        (["x_lag_1", "x_lag_2", "z_lag_1"], r"'x' lags \[1, 2\] but 'z' lags \[1\]"),
        (["lag_1", "lag1"], "both the same lag"),
    ],
)
def test_names_that_do_not_form_windows_are_an_error(names, match):
    with pytest.raises(ValueError, match=match):
        layout_of("auto", names)


def test_explicit_layouts():
    np.testing.assert_array_equal(layout_of("newest_first", n_columns=3)["steps"][:, 0], [2, 1, 0])
    assert is_plain(layout_of("oldest_first", n_columns=3))
    layout = layout_of(2, n_columns=4)
    np.testing.assert_array_equal(layout["steps"][:, 0], [1, 0])
    np.testing.assert_array_equal(layout["exogenous"], [2, 3])
    # Explicit values ignore the names.
    assert is_plain(layout_of("oldest_first", ["lag_1", "lag_2"]))


def test_more_lags_than_columns():
    with pytest.raises(ValueError, match="lags=6 says the first 6 columns of X are lags, but X"):
        LSTMRegressor(lags=6, **FAST).fit(np.zeros((10, 5)), np.zeros(10))


@pytest.mark.parametrize("lags", ["reversed", 0, 1.5, None, True])
def test_bad_lags_values_name_the_parameter(lags):
    error = ValueError if lags is True else InvalidParameterError  # bool is an Integral
    with pytest.raises(error, match="lags"):
        LSTMRegressor(lags=lags).fit(np.zeros((10, 3)), np.zeros(10))


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=40),
    n_lags=st.integers(1, 8),
    n_exog=st.integers(0, 3),
)
def test_newest_first_lags_make_the_sliding_windows(values, n_lags, n_exog):
    """Whatever the series: skforecast's lag rows, read with lags=n, are SlidingWindow's
    windows of the target (no step reversed, none from the future), exog at every step."""
    series = np.asarray(values)
    if len(series) <= n_lags:
        return
    X, _ = newest_first(series, n_lags)
    exog = np.arange(len(X) * n_exog, dtype=float).reshape(len(X), n_exog)
    windows, _ = lag_windows(np.hstack([X, exog]), layout_of(n_lags, n_columns=n_lags + n_exog))
    expected = SlidingWindow(n_lags).fit_transform(series[:, None])[n_lags - 1 : -1]
    np.testing.assert_array_equal(windows[:, :, :1], expected)
    np.testing.assert_array_equal(windows[:, :, 1:], np.repeat(exog[:, None], n_lags, axis=1))


# -- estimators ---------------------------------------------------------------------------------
def test_newest_first_fits_as_the_3d_windows(series, reference):
    windows, y, expected = reference
    X, _ = newest_first(series, N_LAGS)
    model = LSTMRegressor(lags="newest_first", **FAST).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), expected.predict(windows))
    assert model.n_timesteps_in_ == N_LAGS
    assert model.n_features_in_ == N_LAGS  # columns, as sklearn counts them
    assert model.skip_.exact  # the target is found at the last step, as for windows


def test_names_at_fit_apply_to_arrays_at_predict(series, reference):
    windows, y, expected = reference
    X, _ = newest_first(series, N_LAGS)
    frame = pd.DataFrame(X, columns=[f"lag_{k}" for k in range(1, N_LAGS + 1)])
    model = LSTMRegressor(**FAST).fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        from_array = model.predict(X[-3:])
    np.testing.assert_array_equal(from_array, expected.predict(windows[-3:]))
    np.testing.assert_array_equal(model.predict(frame.iloc[-3:]), from_array)


def test_exogenous_columns_are_features_of_every_step(series):
    X, y = newest_first(series, N_LAGS)
    exog = np.random.default_rng(2).normal(size=(len(X), 2))
    model = LSTMRegressor(lags=N_LAGS, **FAST).fit(np.hstack([X, exog]), y)
    assert model.n_timesteps_in_ == N_LAGS
    assert model.net_.module_.rnn.input_size == 3
    windows = np.concatenate([X[:, ::-1, None], np.repeat(exog[:, None], N_LAGS, axis=1)], 2)
    expected = LSTMRegressor(**FAST).fit(windows, y)
    np.testing.assert_array_equal(model.predict(np.hstack([X, exog])), expected.predict(windows))


def test_a_reversed_matrix_warns_under_auto(series):
    X, y = newest_first(series, N_LAGS)
    with pytest.warns(LagLayoutWarning, match="lags='newest_first'"):
        LSTMRegressor(**FAST).fit(X, y)
    exog = np.random.default_rng(3).normal(size=(len(X), 2))
    with pytest.warns(LagLayoutWarning, match=f"lags={N_LAGS}"):
        LSTMRegressor(**FAST).fit(np.hstack([X, exog]), y)
    with pytest.warns(LagLayoutWarning, match="pooling='global'"):
        LSTMRegressor(**FAST).fit(np.hstack([X[:, ::-1], exog]), y)


def test_newest_first_warns_on_windows_oldest_first(series):
    X, y = newest_first(series, N_LAGS)
    with pytest.warns(LagLayoutWarning, match="reversed. Pass lags='oldest_first'"):
        LSTMRegressor(lags="newest_first", **FAST).fit(X[:, ::-1], y)


def test_flattened_windows_of_several_features_without_names_warn(series):
    frame = pd.DataFrame({"a": series, "b": np.random.default_rng(6).normal(size=len(series))})
    flat = SlidingWindow(4, flatten=True).fit_transform(frame)[3:]  # full windows
    with pytest.warns(LagLayoutWarning, match="shifted by 2 columns.*set_output"):
        LSTMRegressor(**FAST).fit(flat[:-1], series[4:])


def test_lag_names_that_skip_steps_warn():
    with pytest.warns(LagLayoutWarning, match=r"lags \[1, 7, 14\], which skip steps"):
        layout = layout_of("auto", ["lag_1", "lag_7", "lag_14"])
    np.testing.assert_array_equal(layout["steps"][:, 0], [2, 1, 0])


def test_blocks_of_lags_of_several_variables_are_named(series):
    # skforecast's ForecasterDirectMultiVariate: lag_1 .. lag_5 of each series in turn.
    X, y = newest_first(series, N_LAGS)
    other, _ = newest_first(np.random.default_rng(5).normal(size=len(series)).cumsum(), N_LAGS)
    with pytest.warns(LagLayoutWarning, match=f"2 blocks of {N_LAGS} lags.*lags={N_LAGS}"):
        LSTMRegressor(**FAST).fit(np.hstack([X, other]), y)


def test_newest_first_warns_when_only_some_columns_are_lags(series):
    # skforecast's window_features: a rolling mean after the lags.
    X, y = newest_first(series, N_LAGS)
    rolling = pd.Series(series[: len(X)]).rolling(3, min_periods=1).mean().to_numpy()[:, None]
    with pytest.warns(LagLayoutWarning, match=f"pass lags={N_LAGS} to read them as features"):
        LSTMRegressor(lags="newest_first", **FAST).fit(np.hstack([X, rolling]), y)


def test_lags_n_warns_when_the_matrix_shows_another_number_of_lags(series):
    # A lags grid searched on skforecast's forecaster, but not on the estimator.
    X, y = newest_first(series, N_LAGS)
    exog = np.random.default_rng(4).normal(size=(len(X), 2))
    with pytest.warns(LagLayoutWarning, match=f"reads the other 2 as exogenous.*lags={N_LAGS}"):
        LSTMRegressor(lags=3, **FAST).fit(np.hstack([X, exog]), y)
    with pytest.warns(LagLayoutWarning, match=f"next 1 column.*older lags.*lags={N_LAGS}"):
        LSTMRegressor(lags=N_LAGS + 1, **FAST).fit(np.hstack([X, exog]), y)
    with pytest.warns(LagLayoutWarning, match="lags='oldest_first'"):
        LSTMRegressor(lags=N_LAGS, **FAST).fit(X[:, ::-1], y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LagLayoutWarning)
        LSTMRegressor(lags=N_LAGS, **FAST).fit(np.hstack([X, exog]), y)


def test_no_warning_where_the_reading_is_right_or_chosen(series):
    X, y = newest_first(series, N_LAGS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LagLayoutWarning)
        LSTMRegressor(**FAST).fit(X[:, ::-1], y)  # oldest first: sktime's local reduction
        LSTMRegressor(lags="oldest_first", **FAST).fit(X, y)  # the user's choice
        LSTMRegressor(lags="newest_first", **FAST).fit(X, y)
        LSTMRegressor(**FAST).fit(np.random.default_rng(0).normal(size=(50, 4)), y[:50])


def test_the_fitted_layout_needs_the_same_columns(series):
    X, y = newest_first(series, N_LAGS)
    with pytest.warns(LagLayoutWarning, match="lags=5"):
        model = LSTMRegressor(lags=3, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features"):
        model.predict(X[:, :4])


def test_3d_input_has_no_lag_layout(reference):
    assert reference[2].lag_layout_ is None


def test_classifier_reads_lags_too(series):
    X, y = newest_first(series, N_LAGS)
    labels = np.where(y > X[:, 0], "up", "down")
    clf = LSTMClassifier(lags="newest_first", **FAST).fit(X, labels)
    expected = LSTMClassifier(**FAST).fit(X[:, ::-1, None], labels)
    np.testing.assert_array_equal(clf.predict_proba(X), expected.predict_proba(X[:, ::-1, None]))


def test_the_layout_survives_save_and_load(series, tmp_path):
    X, y = newest_first(series, N_LAGS)
    X = np.hstack([X, np.random.default_rng(4).normal(size=(len(X), 1))])
    model = LSTMRegressor(lags=N_LAGS, **FAST).fit(X, y)
    path = os.fspath(tmp_path / "model.skrnn")
    skrnn.save(model, path)
    loaded = skrnn.load(path)
    np.testing.assert_array_equal(loaded.lag_layout_["exogenous"], [N_LAGS])
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_many_series_from_the_level_column(series):
    """skforecast's multi-series rows: the level column groups the windows as
    SlidingWindow(group=...) does, and is no feature."""
    X_a, y_a = newest_first(series, N_LAGS)
    X_b, y_b = newest_first(series[::-1] * 2, N_LAGS)
    X = np.vstack([X_a, X_b])
    level = np.repeat([0.0, 1.0], [len(X_a), len(X_b)])
    columns = [f"lag_{k}" for k in range(1, N_LAGS + 1)]
    frame = pd.DataFrame(X, columns=columns).assign(_level_skforecast=level)
    y = np.r_[y_a, y_b]
    model = LSTMRegressor(**FAST).fit(frame, y)
    assert model.lag_layout_["series"] == N_LAGS
    assert model.net_.module_.rnn.input_size == 1
    long = pd.DataFrame(
        {"id": np.repeat(["a", "b"], len(series)), "y": np.r_[series, series[::-1] * 2]}
    )
    windows = SlidingWindow(N_LAGS, group="id").fit_transform(long)
    keep = np.r_[
        np.arange(N_LAGS - 1, len(series) - 1), len(series) + np.arange(N_LAGS - 1, len(series) - 1)
    ]
    expected = LSTMRegressor(**FAST).fit(windows[keep], y)
    assert expected.window_scaling_ == model.window_scaling_
    np.testing.assert_allclose(model.predict(frame.to_numpy()), expected.predict(windows[keep]))
