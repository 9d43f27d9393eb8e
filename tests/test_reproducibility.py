"""Same random_state, same data, same result: in a process, across processes, across threads
and joblib workers; and fitting leaves the caller's random state alone."""

import random
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, SlidingWindow, make_supervised

# early_stopping=False: the trained weights are kept, so training randomness (initial
# weights, batch order, dropout) shows in the predictions; with early stopping a short fit
# may fall back to its starting weights and hide it.
TINY = dict(hidden_size=4, max_epochs=3, batch_size=16, early_stopping=False, lr=0.01)
DROPOUT = dict(num_layers=2, dropout=0.3)
CELLS = [RNNRegressor, LSTMRegressor, GRURegressor]


def _data(n_rows=80, seed=0):
    rng = np.random.default_rng(seed)
    series = np.cumsum(rng.normal(size=(n_rows, 2)), axis=0)
    X, y = make_supervised(series, target=0)
    return SlidingWindow(window=5).fit_transform(StandardScaler().fit_transform(X)), y


def _fit_predict(estimator, X, y):
    estimator = clone(estimator).fit(X, y)
    return estimator.predict(X), _weights(estimator)


def _weights(estimator):
    return {key: value.clone() for key, value in estimator.net_.module_.state_dict().items()}


def _assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def _run_python(code, *args):
    """Run `code` in a fresh interpreter with this process's torch thread count."""
    prelude = f"import torch; torch.set_num_threads({torch.get_num_threads()})\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize("cls", CELLS)
@pytest.mark.parametrize("extra", [{}, DROPOUT], ids=["no-dropout", "dropout"])
def test_same_random_state_same_predictions(cls, extra):
    X, y = _data()
    estimator = cls(random_state=0, **TINY, **extra)
    first, first_weights = _fit_predict(estimator, X, y)
    second, second_weights = _fit_predict(estimator, X, y)
    np.testing.assert_array_equal(first, second)
    _assert_same_weights(first_weights, second_weights)
    # The fit did train: the head starts at zero (see RecurrentModule) and has moved.
    assert first_weights["head.weight"].abs().max() > 1e-4


def test_dropout_cases_really_use_dropout():
    X, y = _data()
    estimator = LSTMRegressor(random_state=0, **TINY, **DROPOUT)
    _, with_dropout = _fit_predict(estimator, X, y)
    _, other_dropout = _fit_predict(estimator.set_params(dropout=0.5), X, y)
    _, no_dropout = _fit_predict(estimator.set_params(dropout=0.0), X, y)
    # Same seed, same initial weights; dropout changes the training, and its masks with it.
    assert not torch.equal(with_dropout["head.weight"], no_dropout["head.weight"])
    assert not torch.equal(with_dropout["head.weight"], other_dropout["head.weight"])


@pytest.mark.parametrize("cls", CELLS)
def test_different_random_state_different_weights(cls):
    X, y = _data()
    _, weights_0 = _fit_predict(cls(random_state=0, **TINY), X, y)
    _, weights_1 = _fit_predict(cls(random_state=1, **TINY), X, y)
    assert not torch.equal(weights_0["rnn.weight_ih_l0"], weights_1["rnn.weight_ih_l0"])
    assert not torch.equal(weights_0["rnn.weight_hh_l0"], weights_1["rnn.weight_hh_l0"])


def test_same_predictions_in_a_fresh_process(tmp_path):
    X, y = _data()
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    expected = {
        "plain": _fit_predict(LSTMRegressor(random_state=3, **TINY), X, y)[0],
        "dropout": _fit_predict(GRURegressor(random_state=3, **TINY, **DROPOUT), X, y)[0],
    }
    code = """
        import sys
        import numpy as np
        from skrnn import GRURegressor, LSTMRegressor

        folder = sys.argv[1]
        tiny = eval(sys.argv[2])
        X, y = np.load(f"{folder}/X.npy"), np.load(f"{folder}/y.npy")
        plain = LSTMRegressor(random_state=3, **tiny).fit(X, y)
        np.save(f"{folder}/plain.npy", plain.predict(X))
        dropout = GRURegressor(random_state=3, num_layers=2, dropout=0.3, **tiny).fit(X, y)
        np.save(f"{folder}/dropout.npy", dropout.predict(X))
    """
    _run_python(code, tmp_path, repr(TINY))
    for name, predictions in expected.items():
        np.testing.assert_array_equal(np.load(tmp_path / f"{name}.npy"), predictions)


def _global_states():
    return (
        torch.get_rng_state(),
        np.random.get_state()[1].copy(),  # noqa: NPY002 - the caller's legacy global state
        random.getstate(),
    )


@pytest.mark.parametrize("extra", [{}, DROPOUT], ids=["no-dropout", "dropout"])
def test_fit_and_predict_leave_global_random_state_alone(extra):
    X, y = _data()
    torch.manual_seed(1234)
    np.random.seed(1234)  # noqa: NPY002
    random.seed(1234)
    torch_before, numpy_before, python_before = _global_states()
    estimator = LSTMRegressor(random_state=0, **TINY, **extra).fit(X, y)
    estimator.predict(X)
    torch_after, numpy_after, python_after = _global_states()
    assert torch.equal(torch_before, torch_after)
    np.testing.assert_array_equal(numpy_before, numpy_after)
    assert python_before == python_after


def test_random_state_none_follows_numpy_global_seed():
    """As everywhere in scikit-learn, random_state=None draws from numpy's global RNG (so
    np.random.seed makes it repeatable); torch's global state is still left alone."""
    X, y = _data()
    estimator = GRURegressor(random_state=None, **TINY, **DROPOUT)
    torch.manual_seed(0)
    torch_before = torch.get_rng_state()
    np.random.seed(7)  # noqa: NPY002
    first = estimator.fit(X, y).predict(X)
    assert torch.equal(torch.get_rng_state(), torch_before)
    np.random.seed(7)  # noqa: NPY002
    np.testing.assert_array_equal(estimator.fit(X, y).predict(X), first)


@pytest.mark.parametrize("extra", [{}, DROPOUT], ids=["no-dropout", "dropout"])
def test_refit_starts_from_scratch(extra):
    X, y = _data()
    X_other, y_other = _data(seed=1)
    estimator = RNNRegressor(random_state=0, **TINY, **extra)
    first = estimator.fit(X, y).predict(X)
    first_weights = _weights(estimator)
    np.testing.assert_array_equal(estimator.fit(X, y).predict(X), first)
    estimator.fit(X_other, y_other)
    np.testing.assert_array_equal(estimator.fit(X, y).predict(X), first)
    _assert_same_weights(_weights(estimator), first_weights)
    assert len(estimator.history_) == TINY["max_epochs"]


def test_warm_start_continues_training():
    X, y = _data()
    estimator = LSTMRegressor(random_state=0, warm_start=True, **TINY)
    first = estimator.fit(X, y).predict(X)
    first_losses = estimator.history_[:, "train_loss"]
    second = estimator.fit(X, y).predict(X)
    assert len(estimator.history_) == 2 * TINY["max_epochs"]
    assert estimator.history_[: TINY["max_epochs"], "train_loss"] == first_losses
    assert not np.array_equal(first, second)
    # ... and it is itself reproducible.
    again = LSTMRegressor(random_state=0, warm_start=True, **TINY)
    again.fit(X, y)
    np.testing.assert_array_equal(again.fit(X, y).predict(X), second)


def test_warm_start_draws_its_row_order_and_batch_size_afresh():
    X, y = _data()
    estimator = LSTMRegressor(random_state=np.random.RandomState(0), warm_start=True, **TINY)
    estimator.fit(X, y)
    orders = [estimator.net_.iterator_train__random_state]
    estimator.fit(X, y)
    orders.append(estimator.net_.iterator_train__random_state)
    # A RandomState draws new seeds at each fit, as scikit-learn's estimators do.
    assert orders[0] != orders[1]
    estimator.set_params(batch_size=7).fit(X, y)
    assert estimator.batch_size_ == estimator.net_.batch_size == 7
    batches = -(-len(X) // 7)
    assert len(estimator.history_[-1, "batches"]) == batches


@pytest.mark.parametrize("extra", [{}, DROPOUT], ids=["no-dropout", "dropout"])
def test_fits_in_threads_match_sequential_fits(extra):
    X, y = _data()
    estimators = [
        LSTMRegressor(random_state=0, **TINY, **extra),
        GRURegressor(random_state=1, **TINY, **extra),
        LSTMRegressor(random_state=2, **TINY, **extra),
        RNNRegressor(random_state=3, **TINY, **extra),
    ]
    sequential = [_fit_predict(estimator, X, y)[0] for estimator in estimators]
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = list(pool.map(lambda est: _fit_predict(est, X, y)[0], estimators))
    for expected, got in zip(sequential, threaded, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_fits_in_joblib_processes_match_sequential_fits():
    X, y = _data()
    estimators = [
        LSTMRegressor(random_state=0, **TINY),
        GRURegressor(random_state=1, **TINY, **DROPOUT),
        RNNRegressor(random_state=2, **TINY, **DROPOUT),
    ]
    sequential = [_fit_predict(estimator, X, y)[0] for estimator in estimators]
    parallel = Parallel(n_jobs=2)(delayed(_fit_predict)(est, X, y) for est in estimators)
    for expected, (got, _) in zip(sequential, parallel, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_grid_search_same_result_with_one_or_two_jobs():
    """Measured: n_jobs=1 and n_jobs=2 give bit-identical scores at these sizes (loky
    workers use 1 thread; other sizes may round differently with the parent's threads)."""
    rng = np.random.default_rng(0)
    series = np.cumsum(rng.normal(size=(120, 2)), axis=0)
    X, y = make_supervised(series, target=0)
    pipeline = make_pipeline(
        StandardScaler(), SlidingWindow(window=5), GRURegressor(random_state=0, **TINY)
    )
    grid = {"gruregressor__lr": [0.003, 0.03], "gruregressor__dropout": [0.0, 0.2]}

    def search(n_jobs):
        return GridSearchCV(
            pipeline, grid, cv=TimeSeriesSplit(2), scoring="neg_mean_squared_error", n_jobs=n_jobs
        ).fit(X, y)

    searches = [search(1), search(2), search(2)]
    scores = searches[0].cv_results_["mean_test_score"]
    assert len(np.unique(scores)) == len(scores)  # the grid points really differ
    for other in searches[1:]:
        assert other.best_params_ == searches[0].best_params_
        for key in ("split0_test_score", "split1_test_score", "mean_test_score"):
            np.testing.assert_array_equal(other.cv_results_[key], searches[0].cv_results_[key])
        np.testing.assert_array_equal(other.predict(X), searches[0].predict(X))
