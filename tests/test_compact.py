"""Windows in compact form (skrnn/_compact.py)."""

import numpy as np
import pytest

from skrnn import LSTMRegressor, SlidingWindow
from skrnn._compact import CompactWindows


def _stacked(windows):
    return windows.series.reshape(len(windows), windows.window, -1)


def test_an_array_of_windows_is_packed_as_it_was():
    X = np.random.default_rng(0).normal(size=(6, 4, 3))
    windows = CompactWindows.from_array(X)
    assert windows.packed
    np.testing.assert_array_equal(_stacked(windows), X.astype(np.float32))
    np.testing.assert_array_equal(np.asarray(windows), X.astype(np.float32))


def test_sliding_windows_keep_the_series_and_a_lone_window_is_packed():
    series = np.arange(40.0).reshape(20, 2)
    view = SlidingWindow(5).fit_transform(series)[4:]  # 16 full windows sharing rows
    many = CompactWindows.from_array(view)
    assert not many.packed
    assert len(many.series) == len(series)  # rows, not windows x window
    np.testing.assert_array_equal(np.asarray(many), view)
    lone = CompactWindows.from_array(view[-1:])
    assert lone.packed
    np.testing.assert_array_equal(_stacked(lone), view[-1:])


def test_front_padded_windows_are_not_packed():
    X = np.ones((3, 4, 1))
    X[0, :2] = np.nan
    windows = CompactWindows.from_array(X)
    assert not windows.packed
    np.testing.assert_array_equal(windows.lengths, [2, 4, 4])
    assert not windows.as_float32().packed
    assert CompactWindows.from_array(X[1:]).as_float32().packed


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        (dict(lengths=np.array([5, 5])), "lengths must be between 1 and window=2"),
        (dict(starts=np.array([0, 10])), "starts must leave each window of 2 rows"),
        (dict(starts=np.array([0.0, 1.0])), "starts must be a 1-D integer array"),
        (dict(series=np.zeros(5)), "series must be a 2-D numeric array"),
        (dict(window=0), "window must be an int >= 1"),
        (dict(groups=np.zeros(3)), "groups must have one entry per sample"),
    ],
)
def test_windows_a_user_built_are_checked_before_fitting(fields, match):
    good = dict(series=np.zeros((5, 1)), starts=np.array([0, 1]), lengths=np.array([2, 2]))
    windows = CompactWindows(**{**good, "window": 2, **fields})
    with pytest.raises(ValueError, match=match):
        LSTMRegressor(max_epochs=1).fit(windows, [1.0, 2.0])
