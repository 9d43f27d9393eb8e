"""Prediction (BaseRecurrent._forward): a window's forecast does not depend on its neighbours.

Matrix kernels choose their blocking, and so their rounding, by the number of rows they
are given; skrnn runs its module on blocks of a few numbers of windows fixed by the
network and checked on the machine (skrnn._blocks.block_sizes) so that a window's
prediction is the same to the last bit whichever other windows are predicted with it.
"""

import warnings
from copy import deepcopy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from skrnn import GRURegressor, LSTMClassifier, LSTMRegressor, SlidingWindow, _blocks

WINDOW = 6


def _series(n=160, seed=0):
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(0.01 * rng.normal(size=n)))
    return np.column_stack([close, np.sin(np.arange(n) / 4) + 0.1 * rng.normal(size=n)])


def _fitted(estimator, horizon=1, n_features=2):
    series = _series()[:, :n_features]
    X = SlidingWindow(WINDOW).fit_transform(series[:-horizon])
    y = np.column_stack([series[k : len(series) - horizon + k, 0] for k in range(1, horizon + 1)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y[:, 0] if horizon == 1 else y)
    return estimator, X


MODELS = {
    # The linear skip, centring decided by the skip's tests (two features: no scaling).
    "default": lambda: _fitted(LSTMRegressor(hidden_size=5, max_epochs=3, random_state=0)),
    # Per-window log scaling; 6 units and 5 quantiles: shapes whose kernels rounded a
    # window by its offset in the block on AMD EPYC (see _blocks.block_spacing).
    "log-quantiles-six-units": lambda: _fitted(
        LSTMRegressor(
            hidden_size=6,
            loss="quantile",
            quantile=(0.05, 0.1, 0.5, 0.9, 0.95),
            early_stopping=False,
            max_epochs=3,
            random_state=0,
        ),
        n_features=1,
    ),
    # A wider network: blocks of 1024 full windows (of 64 front-padded ones).
    "plain-two-horizons": lambda: _fitted(
        GRURegressor(
            hidden_size=64,
            skip=None,
            center=False,
            window_scaling=None,
            early_stopping=False,
            max_epochs=3,
            random_state=0,
        ),
        horizon=2,
    ),
    "skip-no-scaling-two-layers": lambda: _fitted(
        LSTMRegressor(
            hidden_size=5,
            num_layers=2,
            window_scaling=None,
            early_stopping=False,
            max_epochs=3,
            random_state=0,
        )
    ),
}
_CACHE = {}


def _model(name):
    if name not in _CACHE:
        _CACHE[name] = MODELS[name]()
    return _CACHE[name]


def _predict(estimator, X):
    return (
        estimator.predict_proba(X) if hasattr(estimator, "predict_proba") else estimator.predict(X)
    )


def test_block_sizes_follow_the_network():
    module = _model("plain-two-horizons")[0].net_.module_
    assert _blocks.predict_rows(module, "cpu") == 1024
    assert _blocks.predict_rows(module, "cpu", padded=True) == 64
    assert _blocks.predict_rows(_model("default")[0].net_.module_, "cpu") == 1024
    assert _blocks.predict_rows(module, "cuda") == 1024
    # Gates and states of a block within 32 MiB: (3 + 1) x 64 units x 4 bytes a step.
    long = deepcopy(module)
    long.window = 128
    assert _blocks.predict_rows(long, "cpu") == 256  # 256 x 128 x 1 KiB = 32 MiB
    long.conv_stride = 4  # 32 steps reach the recurrent layer
    assert _blocks.predict_rows(long, "cpu") == 1024
    long.window = 10_000
    assert _blocks.predict_rows(long, "cpu") == 64  # never fewer


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_prediction_is_bit_identical_whatever_its_neighbours(name, data):
    estimator, X = _model(name)
    module = estimator.net_.module_
    full, padded = (_blocks.predict_rows(module, "cpu", padded=p) for p in (False, True))
    smallest = _blocks.block_sizes(module, "cpu", WINDOW, X.shape[2])[-1]
    reference = _predict(estimator, X)
    sizes = [1, 2, smallest + 1, padded - 1, padded + 1, full - 1, full, full + 1, len(X)]
    size = data.draw(
        st.one_of(
            st.sampled_from(sizes),
            st.integers(1, 2 * full + 3),
        ),
        label="size",
    )
    # Rows of any length of real history, in any order, repeated or not.
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    index = np.random.default_rng(seed).integers(0, len(X), size=size)
    np.testing.assert_array_equal(_predict(estimator, X[index]), reference[index])


@pytest.mark.parametrize("name", MODELS)
def test_padded_and_full_windows_alone_and_in_bulk(name):
    estimator, X = _model(name)
    reference = _predict(estimator, X)
    padded = np.isnan(X[:, 0, 0])
    assert padded[: WINDOW - 1].all()
    assert not padded[WINDOW - 1 :].any()
    for i in [0, 1, WINDOW - 2, WINDOW - 1, len(X) - 1]:  # each window alone
        np.testing.assert_array_equal(_predict(estimator, X[i : i + 1]), reference[i : i + 1])
    # Padded windows among full ones, and a strided view (SlidingWindow's own output).
    mixed = np.r_[np.arange(WINDOW + 40), np.arange(WINDOW - 1)]
    np.testing.assert_array_equal(_predict(estimator, X[mixed]), reference[mixed])
    np.testing.assert_array_equal(_predict(estimator, X[3:77]), reference[3:77])


@pytest.mark.parametrize("name", MODELS)
def test_a_window_moved_within_its_block_keeps_its_bits(name):
    # Predicting all but the first k full windows moves every other one k places earlier
    # in its block.
    estimator, X = _model(name)
    reference = _predict(estimator, X)
    for k in range(1, 5):
        np.testing.assert_array_equal(_predict(estimator, X[WINDOW + k :]), reference[WINDOW + k :])


@pytest.mark.parametrize(("hidden_size", "n_classes"), [(5, 2), (6, 5)])
def test_classifier_probabilities_do_not_depend_on_their_neighbours(hidden_size, n_classes):
    series = _series()
    X = SlidingWindow(WINDOW).fit_transform(series[:-1])
    change = series[1:, 0] / series[:-1, 0]
    y = np.digitize(change, np.quantile(change, np.linspace(0, 1, n_classes + 1)[1:-1]))
    model = LSTMClassifier(hidden_size=hidden_size, max_epochs=3, random_state=0).fit(X, y)
    reference = model.predict_proba(X)
    rng = np.random.default_rng(0)
    for size in (1, 7, 33, 100):
        index = rng.integers(0, len(X), size=size)
        np.testing.assert_array_equal(model.predict_proba(X[index]), reference[index])
    np.testing.assert_array_equal(model.predict_proba(X[1:]), reference[1:])


def test_block_plan_covers_the_windows_with_the_largest_blocks_first():
    assert _blocks._block_plan(300, (256, 32, 16, 8, 4)) == [(256, 1), (32, 1), (8, 1), (4, 1)]
    assert _blocks._block_plan(1, (256, 4)) == [(4, 1)]
    assert _blocks._block_plan(7, (256, 4)) == [(4, 2)]  # the second block filled up
    assert _blocks._block_plan(512, (256, 4)) == [(256, 2)]
    assert _blocks._block_plan(5, (64,)) == [(64, 1)]


def test_smaller_blocks_only_where_they_give_the_same_bits():
    module = _model("default")[0].net_.module_
    forward = type(module).forward

    class FewRowsRoundDifferently(type(module)):
        # A kernel that rounds otherwise below 8 rows, as BLAS kernels may.
        def forward(self, x, lengths=None, norm=None):
            out = forward(self, x, lengths, norm)
            return out + 1e-3 if len(x) < 8 else out

    other = FewRowsRoundDifferently.__new__(FewRowsRoundDifferently)
    other.__dict__.update(module.__dict__)
    rows = _blocks.predict_rows(module, "cpu")
    sizes = _blocks._same_bits_sizes(other, torch.device("cpu"), WINDOW, 2, rows)
    assert sizes == (32, 16, 8)
    # The sizes kept for the real module hold for other windows than the check's own:
    # kernels are chosen by shape, not by values.
    kept = _blocks._same_bits_sizes(module, torch.device("cpu"), WINDOW, 2, rows)
    x = torch.rand(rows, WINDOW, 2, generator=torch.Generator().manual_seed(1)) * 50 + 25
    norm = torch.column_stack([torch.full((rows,), 3.9), torch.full((rows,), 0.05)]).double()
    with torch.inference_mode():
        bulk = module(x, norm=norm)
        for size in kept:
            for b in range(0, rows, size):
                assert torch.equal(
                    module(x[b : b + size], norm=norm[b : b + size]), bulk[b : b + size]
                )


def test_one_window_runs_in_the_smallest_checked_block(monkeypatch):
    estimator, X = _model("skip-no-scaling-two-layers")
    module = estimator.net_.module_
    sizes = _blocks.block_sizes(module, "cpu", WINDOW, X.shape[2])
    assert sizes[0] == _blocks.predict_rows(module, "cpu")
    assert list(sizes) == sorted(sizes, reverse=True)
    calls = []
    forward = type(module).forward
    monkeypatch.setattr(
        type(module),
        "forward",
        lambda self, x, *a, **k: calls.append(len(x)) or forward(self, x, *a, **k),
    )
    estimator.predict(X[-1:])
    estimator.predict(X[WINDOW:])  # full windows only
    n = len(X) - WINDOW
    assert calls == [sizes[-1]] + [
        rows for rows, count in _blocks._block_plan(n, sizes) for _ in range(count)
    ]


def test_a_first_bulk_prediction_fills_its_last_block_instead_of_checking(monkeypatch):
    # Checking the smaller sizes costs more than the one block it saves a single bulk
    # prediction; it runs when smaller sizes are needed again.
    monkeypatch.setattr(_blocks, "_BLOCK_SIZES", {})
    estimator, X = _model("skip-no-scaling-two-layers")
    estimator = deepcopy(estimator)  # a module without remembered sizes
    module = estimator.net_.module_
    rows = _blocks.predict_rows(module, "cpu")
    full = np.concatenate([X[WINDOW:]] * (rows // (len(X) - WINDOW) + 1))
    assert len(full) > rows
    assert len(full) % rows
    checks, calls = [], []
    same_bits = _blocks._same_bits_sizes
    monkeypatch.setattr(_blocks, "_same_bits_sizes", lambda *a: checks.append(a) or same_bits(*a))
    forward = type(module).forward

    def counted(self, x, *args, **kwargs):
        if self is module:  # not the check's copy
            calls.append(len(x))
        return forward(self, x, *args, **kwargs)

    monkeypatch.setattr(type(module), "forward", counted)
    whole = full[: rows * (len(full) // rows)]  # bulk blocks only: no smaller sizes needed
    estimator.predict(whole)
    estimator.predict(whole)
    assert not checks
    calls.clear()
    first = estimator.predict(full)
    assert not checks
    assert calls == [rows] * -(-len(full) // rows)
    calls.clear()
    again = estimator.predict(full)
    sizes = _blocks.block_sizes(module, "cpu", WINDOW, X.shape[2])
    assert len(checks) == 1  # the sizes it keeps depend on the machine's kernels
    plan = _blocks._block_plan(len(full), sizes)
    assert calls == [rows for rows, count in plan for _ in range(count)]
    np.testing.assert_array_equal(again, first)


def test_prediction_memory_is_bounded_by_chunks(monkeypatch):
    # Gathered a chunk at a time: a tiny chunk budget gives the same predictions.
    estimator, X = _model("skip-no-scaling-two-layers")
    reference = estimator.predict(X)
    monkeypatch.setattr(_blocks, "_CHUNK_ELEMENTS", 1)
    np.testing.assert_array_equal(estimator.predict(X), reference)


def test_block_sizes_hold_for_every_network_of_a_shape(monkeypatch):
    """The sizes are checked once per network shape, so the check must not depend on the
    weights of the network that ran it: one whose head is still at its zero start
    (its output the skip alone) hides how the recurrent layer rounds."""
    monkeypatch.setattr(_blocks, "_BLOCK_SIZES", {})
    still, X = _model("default")
    trained = deepcopy(still)
    with torch.no_grad():
        still.net_.module_.head.weight.zero_()
        head = trained.net_.module_.head.weight
        head.copy_(torch.rand(head.shape, generator=torch.Generator().manual_seed(0)) - 0.5)
    still.predict(X[-1:])  # the zero-headed network runs the check
    bulk = trained.predict(X)
    for row in range(WINDOW, len(X), 7):
        assert trained.predict(X[row : row + 1])[0] == bulk[row]
