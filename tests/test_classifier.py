import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRUClassifier, LSTMClassifier, LSTMRegressor, RNNClassifier, SlidingWindow
from skrnn._data import stratified_folds

FAST = dict(hidden_size=8, max_epochs=3, random_state=0)


def _text_windows(text, window):
    chars = sorted(set(text))
    one_hot = np.eye(len(chars))[[chars.index(c) for c in text]]
    X = np.stack([one_hot[i : i + window] for i in range(len(text) - window)])
    return X, np.array(list(text[window:]))


@pytest.mark.parametrize("cell", [RNNClassifier, LSTMClassifier, GRUClassifier])
def test_next_character_of_a_repeated_text(cell):
    X, y = _text_windows("hello skrnn! " * 40, window=4)
    n = int(0.8 * len(X))
    clf = cell(max_epochs=60, random_state=0).fit(X[:n], y[:n])
    accuracy = (clf.predict(X[n:]) == y[n:]).mean()
    assert accuracy > 0.95
    majority = DummyClassifier().fit(X[:n], y[:n]).score(X[n:], y[n:])
    assert accuracy > majority + 0.5


@pytest.mark.parametrize(
    "labels", [np.array(["down", "up"]), np.array([-1, 1]), np.array([0, 1, 2])]
)
def test_any_labels_and_probabilities(labels):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 5, 2))
    y = labels[np.arange(90) % len(labels)]
    clf = LSTMClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    proba = clf.predict_proba(X)
    assert proba.shape == (90, len(labels))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= set(labels)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


def test_class_weight_changes_the_loss():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4, 1))
    y = np.where(np.arange(120) % 6 == 0, "rare", "common")
    balanced = GRUClassifier(class_weight="balanced", **FAST).fit(X, y)
    np.testing.assert_allclose(balanced.class_weight_, [120 / (2 * 100), 120 / (2 * 20)])
    weights = balanced.net_.criterion_.weight
    np.testing.assert_allclose(weights.numpy(), balanced.class_weight_, rtol=1e-6)
    custom = GRUClassifier(class_weight={"rare": 10.0}, **FAST).fit(X, y)
    np.testing.assert_allclose(custom.class_weight_, [1.0, 10.0])


def test_validation_rows_are_stratified_not_the_last_ones():
    # Archive files are often sorted by class: the last rows would all be one class.
    y = np.repeat(["a", "b", "c"], [30, 20, 10])
    for train, valid in stratified_folds(y, 0.1, 3, random_state=0):
        assert set(y[valid]) == {"a", "b", "c"}
        assert set(y[train]) == {"a", "b", "c"}
        assert not set(train) & set(valid)
    # A class of one sample cannot be stratified: a plain random split instead.
    y = np.array(["a"] * 9 + ["b"])
    ((train, valid),) = stratified_folds(y, 0.1, 1, random_state=0)
    assert len(valid) == 1
    assert len(train) == 9


def test_a_file_sorted_by_class_trains_every_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 6, 1))
    X[30:60] += 2.0
    X[60:] -= 2.0
    y = np.repeat(["zero", "up", "down"], 30)
    clf = GRUClassifier(hidden_size=8, max_epochs=60, random_state=0).fit(X, y)
    assert clf.best_epoch_ > 0
    assert (clf.predict(X) == y).mean() > 0.9


def test_predictions_average_the_early_stopping_folds_networks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6, 1)).cumsum(axis=1)
    y = np.where(X[:, -1, 0] > X[:, 0, 0], "up", "down")
    clf = GRUClassifier(hidden_size=8, max_epochs=30, random_state=0).fit(X, y)
    assert len(clf.fold_weights_) == 3  # 12 validation rows per fold pool to 36
    averaged = clf.predict_proba(X)

    members = []
    for weights in [None, *clf.fold_weights_]:
        member = copy.deepcopy(clf)
        member.fold_weights_ = []
        if weights is not None:
            member.net_.module_.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
        members.append(member.predict_proba(X))
    np.testing.assert_allclose(averaged, np.mean(members, axis=0), atol=1e-6)
    assert not np.allclose(members[0], averaged, atol=1e-3)  # the folds' networks differ
    assert np.array_equal(clf.predict(X), clf.classes_[averaged.argmax(axis=1)])
    # One row at a time, the same bits.
    assert np.array_equal(clf.predict_proba(X[7:8]), averaged[7:8])

    # The same final network without the average; none to average without early stopping
    # or after a warm start, which trains the final network alone.
    single = GRUClassifier(hidden_size=8, max_epochs=30, random_state=0, average_folds=False)
    assert single.fit(X, y).fold_weights_ == []
    np.testing.assert_array_equal(single.predict_proba(X), members[0])
    no_stopping = GRUClassifier(**{**FAST, "early_stopping": False}).fit(X, y)
    assert no_stopping.fold_weights_ == []
    assert clf.set_params(warm_start=True, max_epochs=2).fit(X, y).fold_weights_ == []


def test_classifiers_keep_the_level_by_default():
    # The classes differ only by their level, which centred windows would remove.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5, 1)) + np.repeat([-1.0, 1.0], 60)[:, None, None]
    y = np.repeat([0, 1], 60)
    clf = LSTMClassifier(hidden_size=8, max_epochs=60, random_state=0).fit(X, y)
    assert clf.center_ is False
    assert clf.score(X, y) > 0.9


def test_inputs_are_scaled_over_their_real_steps():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 8, 2)) * [3.0, 0.5] + [500.0, -2.0]
    X[:10, :3] = np.nan  # front padding: not part of the moments
    y = np.arange(60) % 2
    clf = LSTMClassifier(**FAST).fit(X, y)
    real = X[~np.isnan(X[:, :, 0])]
    q1, median, q3 = np.percentile(real.astype(np.float32), [25, 50, 75], axis=0)
    np.testing.assert_allclose(clf.feature_center_, median, rtol=1e-6)
    np.testing.assert_allclose(clf.feature_scale_, (q3 - q1) / 1.3489795, rtol=1e-5)
    # A feature with no spread between its quartiles falls back to its standard deviation.
    spiky = X.copy()
    spiky[:, :, 1] = np.where(np.isnan(X[:, :, 0]), np.nan, 0.0)
    spiky[::7, -1, 1] = 5.0
    fitted = LSTMClassifier(**FAST).fit(spiky, y)
    assert fitted.feature_center_[1] == 0.0
    np.testing.assert_allclose(fitted.feature_scale_[1], np.nanstd(spiky[:, :, 1]), rtol=1e-5)
    # The same sequences in other units: the same network, the same probabilities.
    other = LSTMClassifier(**FAST).fit(X * 100.0 - 7.0, y)
    proba = other.predict_proba(X * 100.0 - 7.0)
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-4)
    unscaled = LSTMClassifier(scale_inputs=False, **FAST).fit(X, y)
    assert unscaled.feature_center_ is None
    assert unscaled.feature_scale_ is None
    assert np.abs(unscaled.predict_proba(X) - clf.predict_proba(X)).max() > 1e-3


def test_up_down_in_a_pipeline():
    rng = np.random.default_rng(1)
    close = 100 + rng.normal(size=400).cumsum()
    X = np.column_stack([close, rng.normal(size=400)])
    y = np.where(np.diff(close, append=close[-1]) > 0, "up", "down")
    model = make_pipeline(StandardScaler(), SlidingWindow(5), LSTMClassifier(**FAST))
    assert model.fit(X, y).predict(X).shape == (400,)


def test_bad_targets():
    X = np.random.default_rng(0).normal(size=(20, 3, 1))
    with pytest.raises(ValueError, match="at least 2 classes"):
        LSTMClassifier(**FAST).fit(X, np.ones(20))
    with pytest.raises(ValueError, match="1-D"):
        LSTMClassifier(**FAST).fit(X, np.ones((20, 2)))
    with pytest.raises(ValueError, match="Unknown label type"):
        LSTMClassifier(**FAST).fit(X, np.linspace(0, 1, 20))
    clf = LSTMClassifier(warm_start=True, **FAST).fit(X, np.arange(20) % 2)
    with pytest.raises(ValueError, match="not seen"):
        clf.fit(X, np.arange(20) % 3)


@pytest.mark.parametrize(
    "labels",
    [
        pd.Series(["up", pd.NA] * 10, dtype="string"),
        np.array(["up", None] * 10, dtype=object),
        pd.Series([1, pd.NA] * 10, dtype="Int64"),
    ],
)
def test_missing_labels_are_refused(labels):
    X = np.random.default_rng(0).normal(size=(20, 3, 1))
    with pytest.raises(ValueError, match="10 missing label"):
        LSTMClassifier(**FAST).fit(X, labels)


@pytest.mark.parametrize("weight", [np.nan, -1.0, np.inf])
def test_class_weights_must_be_finite_and_non_negative(weight):
    X, y = np.random.default_rng(0).normal(size=(20, 3, 1)), np.array(["up", "down"] * 10)
    with pytest.raises(ValueError, match="class_weight must give every class a finite"):
        LSTMClassifier(class_weight={"up": weight, "down": 1.0}, **FAST).fit(X, y)


def test_a_refit_on_bad_targets_keeps_the_fitted_classifier():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5, 2)), np.arange(40) % 2
    clf = LSTMClassifier(**FAST).fit(X, y)
    before = clf.predict_proba(X)
    other = rng.normal(size=(30, 8, 3)) * 100 + 50  # other shape, other scale
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(other, np.zeros(30))
    assert clf.n_features_in_ == 2
    assert clf.n_timesteps_in_ == 5
    np.testing.assert_array_equal(clf.predict_proba(X), before)


@pytest.mark.parametrize(
    ("steps", "params", "pooling", "encoding"),
    [
        (24, {}, "last", 8),  # short: no front end, the final state
        (150, {}, "mean_max", 16),  # long: strided front end, mean and max over steps
        (150, {"conv_stride": None}, "last", 8),
        (24, {"pooling": "max"}, "max", 8),
        (150, {"pooling": "last"}, "last", 8),
    ],
)
def test_pooling_auto_pools_long_sequences(steps, params, pooling, encoding):
    X = np.random.default_rng(0).normal(size=(20, steps, 1))
    clf = GRUClassifier(hidden_size=8, max_epochs=1, random_state=0, **params)
    clf.fit(X, np.arange(20) % 2)
    assert clf.pooling_ == pooling
    assert clf.net_.module_.head.in_features == encoding


@pytest.mark.parametrize(
    ("steps", "conv_layers", "strides"),
    [(200, 2, [2, 2]), (200, 1, [4]), (150, 2, [3]), (24, 2, [1])],
)
def test_long_strides_are_split_over_two_convolutions(steps, conv_layers, strides):
    X = np.random.default_rng(0).normal(size=(20, steps, 1))
    clf = GRUClassifier(hidden_size=4, max_epochs=1, conv_layers=conv_layers, random_state=0)
    module = clf.fit(X, np.arange(20) % 2).net_.module_
    convs = [m for m in module.modules() if isinstance(m, torch.nn.Conv1d)]
    assert [conv.stride[0] for conv in convs] == strides


def test_a_warm_start_trains_with_the_current_class_weight():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5, 1)), np.arange(40) % 2
    clf = LSTMClassifier(warm_start=True, **FAST).fit(X, y)
    clf.set_params(class_weight={0: 1.0, 1: 3.0}).fit(X, y)
    np.testing.assert_array_equal(clf.class_weight_, [1.0, 3.0])
    np.testing.assert_array_equal(clf.net_.criterion_.weight.numpy(), [1.0, 3.0])
    # Early stopping scores the epochs by the weighted accuracy, as in a new fit.
    fresh = clone(clf).set_params(warm_start=False).fit(X, y)
    for model in (clf, fresh):
        scoring = dict(model.net_.callbacks_)["valid_acc"].scoring
        np.testing.assert_array_equal(scoring.keywords["weight"], [1.0, 3.0])
    clf.set_params(pooling="mean")
    with pytest.raises(ValueError, match="have changed since: pooling='mean'"):
        clf.fit(X, y)


def test_nan_in_2d_rows_points_to_3d_windows():
    X = np.random.default_rng(0).normal(size=(20, 6))
    X[0, :2] = np.nan  # front padding, which only 3-D windows carry
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=r"X\[:, :, None\]"):
        LSTMClassifier(**FAST).fit(X, y)
    assert LSTMClassifier(**FAST).fit(X[:, :, None], y).predict(X[:, :, None]).shape == (20,)
    # A DataFrame's NaN column is named (skforecast encodes an unseen series id as NaN).
    frame = pd.DataFrame(X, columns=[f"lag_{k}" for k in range(6, 0, -1)])
    with pytest.raises(ValueError, match=r"in column\(s\) lag_6, lag_5\)"):
        LSTMClassifier(**FAST).fit(frame, y)


def test_channels_first_arrays_are_pointed_out():
    # aeon and sktime: (n_cases, n_channels, n_timepoints); one channel of 24 steps.
    X = np.random.default_rng(0).normal(size=(20, 1, 24))
    y = np.arange(20) % 2
    with pytest.warns(UserWarning, match=r"pass X.transpose\(0, 2, 1\)"):
        LSTMClassifier(**FAST).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LSTMClassifier(**FAST).fit(X.transpose(0, 2, 1), y)
        LSTMClassifier(**FAST).fit(X[:, :, :5], y)  # windows of 1 step of a few features
        # A regressor: SlidingWindow(window=1) on a wide frame makes this shape.
        LSTMRegressor(hidden_size=4, max_epochs=2, early_stopping=False).fit(X, y.astype(float))
