import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRUClassifier, LSTMClassifier, RNNClassifier, SlidingWindow
from skrnn._data import TailSplit

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
    clf = cell(center=False, lr=0.01, random_state=0).fit(X[:n], y[:n])
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


def test_validation_is_the_most_recent_rows_not_stratified():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 3, 1)), np.repeat(["a", "b"], 25)
    clf = RNNClassifier(**FAST).fit(X, y)
    assert isinstance(clf.net_.train_split, TailSplit)


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
