"""Divergence, interruption and early stopping (skrnn._callbacks)."""

import numpy as np
import pytest
from skorch.callbacks import Callback

from skrnn import DivergenceWarning, LSTMRegressor, RNNRegressor, SlidingWindow, make_supervised
from skrnn.datasets import load_stock


@pytest.fixture(scope="module")
def raw_windows():
    X, y = make_supervised(load_stock("IBM").iloc[:500], target="Close")
    return SlidingWindow(7).fit_transform(X), y.to_numpy()


def test_divergence_warns_restores_finite_weights_and_never_predicts_nan(raw_windows):
    X, y = raw_windows  # unscaled prices and volumes
    est = RNNRegressor(
        nonlinearity="relu",
        lr=5.0,
        optimizer="sgd",
        scale_target=False,
        skip=None,
        center=False,
        clip_grad_norm=None,
        random_state=0,
    )
    with pytest.warns(DivergenceWarning, match=r"lower lr \(now 5.0\)"):
        est.fit(X, y)
    assert est.n_iter_ < est.max_epochs
    assert np.isfinite(est.predict(X)).all()
    for value in est.net_.module_.state_dict().values():
        assert value.isfinite().all()


def test_clipping_keeps_the_same_setting_finite(raw_windows):
    X, y = raw_windows
    est = RNNRegressor(
        nonlinearity="relu",
        lr=5.0,
        optimizer="sgd",
        scale_target=False,
        max_epochs=5,
        random_state=0,
    )
    assert np.isfinite(est.fit(X, y).predict(X)).all()


class _InterruptAt(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("early_stopping", [False, True])
def test_ctrl_c_keeps_a_usable_estimator_and_says_so(raw_windows, early_stopping):
    X, y = raw_windows
    est = LSTMRegressor(
        hidden_size=8,
        max_epochs=50,
        early_stopping=early_stopping,
        callbacks=[_InterruptAt(3)],
        random_state=0,
    )
    with pytest.warns(UserWarning, match="interrupted after 3 of 50 epochs"):
        est.fit(X, y)
    assert est.n_iter_ == 3
    assert np.isfinite(est.predict(X)).all()
    if early_stopping:  # the best of epochs 0..3 on the validation rows
        assert est.best_epoch_ in range(4)


def test_early_stopping_counts_the_start_as_epoch_zero(raw_windows):
    X, y = raw_windows
    X = (X - np.nanmean(X, axis=(0, 1))) / np.nanstd(X, axis=(0, 1))
    est = LSTMRegressor(hidden_size=8, n_iter_no_change=3, random_state=0).fit(X, y)
    early = dict(est.net_.callbacks_)["early_stopping"]
    assert early.stopped_
    assert est.n_iter_ < est.max_epochs
    # Kept weights are the start (the skip forecast) unless training beat it significantly.
    if est.best_epoch_ == 0:
        assert not est.net_.module_.head.weight.any()
