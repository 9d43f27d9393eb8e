"""Rows given to a network fitted on windows: each is a window of one time step."""

import numpy as np
import pytest

from skrnn import GRUClassifier, LSTMRegressor, ShortHistoryWarning, SlidingWindow

FAST = dict(hidden_size=4, max_epochs=2, early_stopping=False, random_state=0)


@pytest.fixture(scope="module")
def windows():
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(120, 3)).cumsum(axis=0)
    return rows, SlidingWindow(5).fit_transform(rows)


@pytest.fixture(scope="module")
def regressor(windows):
    rows, cut = windows
    return LSTMRegressor(**FAST).fit(cut[:-1], rows[1:, 0])


def test_rows_are_windows_of_one_time_step(windows, regressor):
    rows, _ = windows
    padded = np.full((4, 5, 3), np.nan)
    padded[:, -1] = rows[:4]
    with pytest.warns(ShortHistoryWarning, match="window of one time step"):
        predicted = regressor.predict(rows[:4])
    np.testing.assert_array_equal(predicted, regressor.predict(padded))


def test_a_probe_of_zeros_predicts(regressor):
    """What MAPIE's fitted check does with a prefit Pipeline's last step."""
    with pytest.warns(ShortHistoryWarning):
        predicted = regressor.predict(np.zeros((1, regressor.n_features_in_)))
    assert predicted.shape == (1,)
    assert np.isfinite(predicted).all()


def test_rows_of_another_width_are_refused(windows, regressor):
    rows, _ = windows
    with pytest.raises(ValueError, match=r"2-D with 2 columns.*3 feature\(s\) per time step"):
        regressor.predict(rows[:4, :2])


def test_quantiles_and_classes_of_rows(windows):
    rows, cut = windows
    quantile = LSTMRegressor(loss="quantile", quantile=(0.1, 0.5, 0.9), **FAST)
    quantile.fit(cut[:-1], rows[1:, 0])
    with pytest.warns(ShortHistoryWarning):
        assert quantile.predict_quantiles(rows[:2]).shape == (2, 3)
    classifier = GRUClassifier(**FAST).fit(cut[:-1], np.diff(rows[:, 0]) > 0)
    with pytest.warns(ShortHistoryWarning):
        assert classifier.predict_proba(rows[:2]).shape == (2, 2)
