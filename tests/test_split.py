"""PanelTimeSeriesSplit: every series split in time, all at once."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline

from skrnn import PanelTimeSeriesSplit, PersistenceRegressor, SlidingWindow, make_supervised


def _panel(lengths, interleave=False):
    frames = [
        pd.DataFrame({"id": f"s{k}", "t": np.arange(n), "y": np.arange(n) + 100.0 * k})
        for k, n in enumerate(lengths)
    ]
    panel = pd.concat(frames, ignore_index=True)
    if interleave:
        panel = panel.sort_values(["t", "id"], kind="stable").reset_index(drop=True)
    return panel


@pytest.mark.parametrize("interleave", [False, True])
def test_each_fold_holds_out_the_next_block_of_every_series(interleave):
    panel = _panel([12, 12, 9], interleave)
    cv = PanelTimeSeriesSplit(n_splits=3, test_size=2, group="id")
    folds = list(cv.split(panel))
    assert len(folds) == cv.get_n_splits() == 3
    for fold, (train, test) in enumerate(folds):
        for series, rows in panel.groupby("id").groups.items():
            t_train = panel.loc[np.intersect1d(train, rows), "t"].to_numpy()
            t_test = panel.loc[np.intersect1d(test, rows), "t"].to_numpy()
            n = len(rows)
            end = n - (2 - fold) * 2
            assert sorted(t_test) == list(range(end - 2, end)), series
            assert sorted(t_train) == list(range(end - 2)), series  # everything before


def test_last_h_of_every_series_and_a_gap():
    panel = _panel([10, 7])
    ((train, test),) = PanelTimeSeriesSplit(n_splits=1, test_size=3, gap=2).split(
        panel, groups=panel["id"]
    )
    assert panel.loc[test, "t"].tolist() == [7, 8, 9, 4, 5, 6]
    assert panel.loc[train, "t"].tolist() == [0, 1, 2, 3, 4, 0, 1]


def test_short_series_sit_out_a_fold_and_an_impossible_fold_says_so():
    panel = _panel([20, 3])
    (_, first), (_, last) = PanelTimeSeriesSplit(n_splits=2, test_size=2, group="id").split(panel)
    assert panel.loc[first, "id"].eq("s0").all()  # s1 has no row left to train on
    assert panel.loc[last, "t"][panel["id"] == "s1"].tolist() == [1, 2]
    with pytest.raises(ValueError, match="No series is long enough"):
        list(PanelTimeSeriesSplit(n_splits=5, test_size=5, group="id").split(_panel([6, 6])))


def test_ids_are_required():
    with pytest.raises(ValueError, match="series id"):
        list(PanelTimeSeriesSplit().split(_panel([10])))
    with pytest.raises(ValueError, match="not a column"):
        list(PanelTimeSeriesSplit(group="series").split(_panel([10])))


def test_in_a_search_and_cross_validate():
    panel = _panel([40, 40, 40])
    rng = np.random.default_rng(0)
    panel["y"] = (
        panel.groupby("id")["y"].transform(lambda v: 10 * v.iloc[0] + 1)
        + rng.normal(size=len(panel)).cumsum()
    )
    X, y = make_supervised(panel[["id", "y"]], target="y", group="id")
    pipe = make_pipeline(SlidingWindow(3, group="id"), PersistenceRegressor())
    cv = PanelTimeSeriesSplit(n_splits=3, group="id")
    scores = cross_validate(pipe, X, y, cv=cv, scoring="neg_mean_absolute_error")
    for (_, test), score in zip(cv.split(X), scores["test_score"], strict=True):
        np.testing.assert_allclose(-score, np.abs(y.iloc[test] - X["y"].iloc[test]).mean())
    search = GridSearchCV(pipe, {"slidingwindow__window": [2, 3]}, cv=cv).fit(X, y)
    assert search.best_params_["slidingwindow__window"] in (2, 3)


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(4, 30), min_size=1, max_size=4),
    n_splits=st.integers(1, 3),
    gap=st.integers(0, 2),
)
def test_no_fold_trains_on_its_future(lengths, n_splits, gap):
    panel = _panel(lengths, interleave=True)
    cv = PanelTimeSeriesSplit(n_splits=n_splits, test_size=1, gap=gap, group="id")
    try:
        folds = list(cv.split(panel))
    except ValueError:
        assert max(lengths) < n_splits + gap + 1
        return
    for train, test in folds:
        assert not np.intersect1d(train, test).size
        for _, rows in panel.groupby("id").groups.items():
            t_train = panel.loc[np.intersect1d(train, rows), "t"]
            t_test = panel.loc[np.intersect1d(test, rows), "t"]
            if len(t_test):
                assert t_train.max() < t_test.min() - gap


@pytest.mark.parametrize(
    "groups", [np.zeros(9), np.zeros(11), np.zeros((10, 2))], ids=["short", "long", "2-D"]
)
def test_groups_must_give_every_row_one_id(groups):
    X = np.zeros((10, 1))
    with pytest.raises(ValueError, match="one series id per row of X: X has 10 rows"):
        list(PanelTimeSeriesSplit(2).split(X, groups=groups))
