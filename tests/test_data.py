"""The training data of the networks: validation folds in time and by class."""

import numpy as np
import pandas as pd

from skrnn import SlidingWindow, make_supervised
from skrnn._data import tail_folds


def test_tail_folds_leave_a_gap_of_the_targets_that_overlap():
    horizon = 6
    long = pd.concat(
        [pd.DataFrame({"id": s, "t": np.arange(40), "y": np.arange(40.0)}) for s in "ab"],
        ignore_index=True,
    )
    X, _ = make_supervised(long, "y", horizon=horizon, group="id")
    t = X.pop("t").to_numpy()
    windows = SlidingWindow(4, group="id").fit_transform(X)
    for gap in (0, horizon - 1):
        folds = tail_folds(windows, 0.1, 2, gap=gap)
        assert len(folds) == 2
        for train, valid in folds:
            # Row t has the targets t + 1 .. t + horizon.
            last_trained, first_scored = t[train].max() + horizon, t[valid].min() + 1
            assert first_scored - last_trained == 2 - horizon + gap  # 1: no date shared
            for series in "ab":  # every series validates on its own latest rows
                assert (X["id"].to_numpy()[valid] == series).any()
