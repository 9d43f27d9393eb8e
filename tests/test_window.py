import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import PersistenceRegressor, SlidingWindow, make_supervised


def test_window_rows_are_history_only():
    X = np.arange(10.0).reshape(5, 2)
    out = SlidingWindow(window=3).fit_transform(X)
    assert out.shape == (5, 3, 2)
    np.testing.assert_array_equal(out[4], X[2:5])
    np.testing.assert_array_equal(out[2], X[0:3])
    assert np.isnan(out[0, :2]).all()
    assert not np.isnan(out[0, 2]).any()
    assert np.isnan(out[1, 0]).all()
    assert not np.isnan(out[1, 1:]).any()


def test_output_is_a_view_not_a_copy_per_window():
    X = np.random.default_rng(0).normal(size=(1000, 4))
    out = SlidingWindow(window=50).fit_transform(X)
    assert out.shape == (1000, 50, 4)
    assert not out.flags.writeable
    assert out.strides[0] == out.strides[1]  # consecutive windows share rows
    assert out.base is not None


def test_float32_is_kept():
    X = np.ones((5, 2), dtype=np.float32)
    assert SlidingWindow(2).fit_transform(X).dtype == np.float32


def test_flatten_names_and_edge_padding():
    X = pd.DataFrame({"Close": [1.0, 2.0, 3.0], "Volume": [10.0, 20.0, 30.0]})
    window = SlidingWindow(window=2, flatten=True).fit(X)
    names = window.get_feature_names_out()
    assert list(names) == ["Close_lag1", "Volume_lag1", "Close_lag0", "Volume_lag0"]
    out = window.transform(X)
    np.testing.assert_array_equal(out[0], [1.0, 10.0, 1.0, 10.0])  # edge padded
    np.testing.assert_array_equal(out[2], [2.0, 20.0, 3.0, 30.0])
    frame = window.set_output(transform="pandas").transform(X)
    assert list(frame.columns) == list(names)


def test_flatten_with_nan_padding():
    out = SlidingWindow(window=3, flatten=True, padding="nan").fit_transform(np.ones((4, 1)))
    assert np.isnan(out[0, :2]).all()
    assert np.isfinite(out[2:]).all()


def test_feature_names_out_3d_are_per_step_names():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    assert list(SlidingWindow(2).fit(X).get_feature_names_out()) == ["a", "b"]


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_input_asks_to_impute(value):
    X = np.ones((5, 2))
    X[3, 1] = value
    with pytest.raises(ValueError, match="SimpleImputer"):
        SlidingWindow(2).fit(X)
    with pytest.raises(ValueError, match="SimpleImputer"):
        SlidingWindow(2).fit(np.ones((5, 2))).transform(X)


@pytest.mark.parametrize("window", [0, -1, 2.5, "3"])
def test_bad_window(window):
    with pytest.raises((ValueError, TypeError), match="window"):
        SlidingWindow(window=window).fit(np.ones((5, 1)))


def test_in_pipeline_keeps_rows_aligned():
    X = np.random.default_rng(0).normal(size=(30, 3))
    out = make_pipeline(StandardScaler(), SlidingWindow(4)).fit_transform(X)
    assert len(out) == len(X)


@settings(max_examples=50, deadline=None)
@given(
    data=arrays(
        np.float64, st.tuples(st.integers(1, 30), st.integers(1, 4)), elements=st.floats(-1e6, 1e6)
    ),
    window=st.integers(1, 12),
)
def test_no_window_contains_a_later_row(data, window):
    # Tag each row with its index: no window may hold a tag above its own row.
    X = np.column_stack([np.arange(len(data), dtype=float), data])
    out = SlidingWindow(window).fit_transform(X)
    tags = out[:, :, 0]
    rows = np.arange(len(X))[:, None]
    assert (np.nan_to_num(tags, nan=-1) <= rows).all()
    # The real steps are exactly rows t-window+1..t.
    expected = rows - np.arange(window)[::-1]
    real = expected >= 0
    np.testing.assert_array_equal(tags[real], expected[real])
    assert np.isnan(tags[~real]).all()


def test_make_supervised_frame():
    prices = pd.DataFrame(
        {"Close": [1.0, 2.0, 3.0, 4.0], "Open": [0.0, 1.0, 2.0, 3.0]},
        index=pd.date_range("2020-01-01", periods=4, name="Date"),
    )
    X, y = make_supervised(prices, target="Close")
    assert isinstance(y, pd.Series)
    assert y.name == "Close"
    assert list(y) == [2.0, 3.0, 4.0]
    assert X.index.equals(prices.index[:3])
    assert y.index.equals(prices.index[:3])
    X, y = make_supervised(prices, target="Close", horizon=2)
    assert list(y.columns) == ["Close_t+1", "Close_t+2"]
    np.testing.assert_array_equal(y.to_numpy(), [[2.0, 3.0], [3.0, 4.0]])
    assert len(X) == 2


def test_make_supervised_array():
    data = np.arange(10.0).reshape(5, 2)
    X, y = make_supervised(data, target=1)
    np.testing.assert_array_equal(y, [3.0, 5.0, 7.0, 9.0])
    np.testing.assert_array_equal(X, data[:4])
    _, y = make_supervised(data, target=0, horizon=3)
    assert y.shape == (2, 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": "High"}, "not a column"),
        ({"target": "Close", "horizon": 0}, "horizon"),
        ({"target": "Close", "horizon": 5}, "at least"),
    ],
)
def test_make_supervised_errors(kwargs, match):
    prices = pd.DataFrame({"Close": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=match):
        make_supervised(prices, **kwargs)


def test_make_supervised_array_target_errors():
    with pytest.raises(TypeError, match="column index"):
        make_supervised(np.ones((5, 2)), target="Close")
    with pytest.raises(ValueError, match="out of range"):
        make_supervised(np.ones((5, 2)), target=2)


def test_pandas_output_flattens_to_a_frame_and_keeps_3d_windows_arrays():
    frame = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) ** 2})
    X, y = make_supervised(frame, target="a")
    with sklearn.config_context(transform_output="pandas"):
        windows = SlidingWindow(3).fit_transform(frame)
        flat = SlidingWindow(2, flatten=True).fit_transform(frame)
        model = make_pipeline(StandardScaler(), SlidingWindow(3), PersistenceRegressor())
        forecast = model.fit(X, y).predict(X)
    assert isinstance(windows, np.ndarray)
    assert windows.shape == (10, 3, 2)
    assert isinstance(flat, pd.DataFrame)
    assert list(flat.columns) == ["a_lag1", "b_lag1", "a_lag0", "b_lag0"]
    np.testing.assert_allclose(forecast, X["a"])
    # set_output on the transformer (and on a pipeline, and through clone) does the same.
    flat_pipe = make_pipeline(StandardScaler(), SlidingWindow(2, flatten=True))
    flat_pipe = clone(flat_pipe.set_output(transform="pandas"))
    assert isinstance(flat_pipe.fit_transform(frame), pd.DataFrame)
    windows_pipe = make_pipeline(StandardScaler(), SlidingWindow(2)).set_output(transform="pandas")
    assert isinstance(windows_pipe.fit_transform(frame), np.ndarray)


@pytest.mark.parametrize(
    ("frame", "group", "message"),
    [
        (pd.DataFrame({"a": []}), None, "data has 0 row"),
        (pd.DataFrame({"a": [1.0, 2.0]}), None, "data has 2 row"),
        (pd.DataFrame({"g": ["x", "x", "y"], "a": [1.0, 2.0, 3.0]}), "g", "longest series"),
    ],
)
def test_make_supervised_says_how_many_rows_the_horizon_needs(frame, group, message):
    with pytest.raises(ValueError, match=f"{message}.*horizon=2 needs at least 3"):
        make_supervised(frame, "a", horizon=2, group=group)


def test_dates_that_go_back_or_repeat_within_a_series_are_refused():
    dates = pd.date_range("2024-01-01", periods=5, freq="D")
    a = pd.DataFrame({"id": "a", "y": [1.0, 2, 3, 4, 5]}, index=dates)
    b = pd.DataFrame({"id": "b", "y": [10.0, 20, 30, 40, 50]}, index=dates)
    newest_first = pd.concat([a, b.iloc[::-1]])
    repeated = pd.concat([a.iloc[:3], a.iloc[[2]], a.iloc[3:], b])
    for data, message in [(newest_first, "goes back to 2024-01-04"), (repeated, "repeats")]:
        with pytest.raises(ValueError, match=f"data's dates must increase.*{message}"):
            make_supervised(data, "y", group="id")
        with pytest.raises(ValueError, match=f"X's dates must increase.*{message}"):
            SlidingWindow(2, group="id").fit_transform(data)
    # One series newest first, or several stacked without their ids, likewise.
    with pytest.raises(ValueError, match=r"goes back to .*pass their id column as group="):
        make_supervised(pd.concat([a, b]).drop(columns="id"), "y")
    with pytest.raises(ValueError, match="goes back to"):
        SlidingWindow(2).fit(a.iloc[::-1].drop(columns="id"))
    X, _ = make_supervised(pd.concat([a, b]), "y", group="id")  # each series in order
    assert len(SlidingWindow(2, group="id").fit_transform(X)) == 8


def test_series_ids_of_one_kind():
    mixed = pd.DataFrame(
        {"id": pd.Series([1, 1, 1, True, True, True], dtype=object), "y": np.arange(6.0)}
    )
    with pytest.raises(TypeError, match=r"mixes series ids of several kinds \(booleans, numbers"):
        make_supervised(mixed, "y", group="id")
    with pytest.raises(TypeError, match="mixes series ids"):
        SlidingWindow(2, group="id").fit(mixed.assign(id=[1, 1, 1, "1", "1", "1"]))
    with pytest.raises(ValueError, match="group='y' is the target"):
        make_supervised(mixed, "y", group="y")


def _long_panel_with_an_id_index():
    dates = pd.date_range("2024-01-01", periods=6, freq="D")
    frame = pd.DataFrame(
        {"unique_id": np.repeat(["s0", "s1"], 6), "ds": np.tile(dates, 2), "y": np.arange(12.0)}
    )
    return frame.set_index(["unique_id", "ds"])


def test_series_ids_in_the_index_are_not_read_as_one_series():
    panel = _long_panel_with_an_id_index()
    with pytest.warns(UserWarning, match="rows of several series.*reset_index"):
        make_supervised(panel, "y")
    with pytest.warns(UserWarning, match="rows of several series"):
        SlidingWindow(3).fit_transform(panel)
    with pytest.raises(ValueError, match="group='unique_id' is a level of data's index"):
        make_supervised(panel, "y", group="unique_id")
    with pytest.raises(ValueError, match="group='unique_id' is a level of X's index"):
        SlidingWindow(3, group="unique_id").fit_transform(panel)
    # As a column, the ids keep the series apart.
    _, y = make_supervised(panel.reset_index(level="unique_id"), "y", group="unique_id")
    assert len(y) == 10


def test_a_text_column_asks_whether_it_holds_series_ids():
    frame = pd.DataFrame({"store": ["a"] * 3 + ["b"] * 3, "sales": np.arange(6.0)})
    with pytest.raises(ValueError, match=r"non-numeric column\(s\) \['store'\].*group='store'"):
        SlidingWindow(2).fit_transform(frame)
    numbers = pd.DataFrame({"sales": np.arange(6.0)}).astype(object)  # numbers as objects
    assert SlidingWindow(2).fit_transform(numbers).shape == (6, 2, 1)


def test_categories_and_dates_are_named_as_non_numeric():
    frame = pd.DataFrame(
        {
            "sales": np.arange(6.0),
            "store": pd.Categorical(["a"] * 3 + ["b"] * 3),
            "day": pd.date_range("2024-01-01", periods=6),
        }
    )
    with pytest.raises(ValueError, match=r"\['store', 'day'\]\. If 'store' holds series ids"):
        SlidingWindow(2).fit_transform(frame)
    with pytest.raises(ValueError, match=r"\['day'\]\. Encode them as numbers"):
        SlidingWindow(2).fit_transform(frame.drop(columns="store"))
    with pytest.raises(ValueError, match=r"\['day'\] besides the group column"):
        SlidingWindow(2, group="store").fit_transform(frame)
    with pytest.raises(ValueError, match="group='id' is not a column of data"):
        make_supervised(frame, "sales", group="id")
    periods = frame[["sales"]].assign(month=pd.period_range("2024-01", periods=6, freq="M"))
    with pytest.raises(ValueError, match=r"\['month'\]\. Encode them as numbers"):
        SlidingWindow(2).fit_transform(periods)


@pytest.mark.parametrize("dtype", [object, "string"])
def test_numbers_written_as_text_are_numbers(dtype):
    frame = pd.DataFrame({"sales": ["1.5", "2", "3.25", "4"]}, dtype=dtype)
    windows = SlidingWindow(2).fit_transform(frame)
    np.testing.assert_array_equal(windows[-1, :, 0], [3.25, 4.0])
    frame["id"] = "a"
    assert SlidingWindow(2, group="id").fit_transform(frame).shape == (4, 2, 1)
