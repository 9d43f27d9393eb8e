"""Divergence, interruption, early stopping and weight averaging (skrnn._callbacks)."""

import warnings

import numpy as np
import pytest
import torch
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from skorch.history import History

from skrnn import (
    DivergenceWarning,
    GRURegressor,
    LSTMRegressor,
    RNNRegressor,
    SlidingWindow,
    StartKeptWarning,
    make_supervised,
)
from skrnn._callbacks import DivergenceGuard, EarlyStopping, WeightAveraging
from skrnn._compact import CompactWindows
from skrnn.datasets import load_stock


@pytest.fixture(scope="module")
def raw_windows():
    X, y = make_supervised(load_stock("IBM").iloc[:500], target="Close")
    return SlidingWindow(7).fit_transform(X), y.to_numpy()


@pytest.mark.parametrize("ema_decay", [None, 0.9])
def test_divergence_warns_restores_finite_weights_and_never_predicts_nan(raw_windows, ema_decay):
    X, y = raw_windows  # unscaled prices and volumes
    est = RNNRegressor(
        ema_decay=ema_decay,
        nonlinearity="relu",
        lr=5.0,
        optimizer="sgd",
        scale_target=False,
        window_scaling=None,
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


def test_the_untrained_start_is_kept_with_a_warning_when_training_does_not_beat_it(
    raw_windows,
):
    X, y = raw_windows  # prices: a random walk, whose best forecast is the start's
    X = (X - np.nanmean(X, axis=(0, 1))) / np.nanstd(X, axis=(0, 1))
    est = LSTMRegressor(hidden_size=8, max_epochs=20, window_scaling=None, random_state=0)
    with pytest.warns(StartKeptWarning, match="kept its untrained start"):
        est.fit(X, y)
    assert est.best_epoch_ == 0
    assert est.n_iter_ == 0
    assert not est.net_.module_.head.weight.any()
    skip = est.skip_.predict(CompactWindows.from_array(X))[:, 0]
    np.testing.assert_allclose(
        est.predict(X), skip * est.target_scale_[0] + est.target_mean_[0], rtol=1e-5
    )
    # Every fold scored the start as epoch 0, then its trained epochs.
    assert np.isfinite(est.validation_loss_[:, :2]).all()


def test_a_network_that_beats_its_start_is_refit_on_every_row():
    # A logistic map: no linear forecast comes close, a small network does.
    x = np.empty(700)
    x[0] = 0.3
    for t in range(699):
        x[t + 1] = 3.9 * x[t] * (1 - x[t])
    X, y = SlidingWindow(2).fit_transform(x[:-1, None]), x[1:]
    est = GRURegressor(hidden_size=16, lr=1e-2, random_state=0).fit(X, y)
    assert est.best_epoch_ > 0
    # The kept network is the refit on all rows for the chosen epochs: no validation.
    assert est.n_iter_ == est.best_epoch_ == len(est.history_)
    assert "valid_loss" not in est.history_[-1]
    folds_best = np.nanargmin(est.validation_loss_[:, 1:], axis=1) + 1
    assert est.best_epoch_ == max(1, round(folds_best.mean()))
    linear = np.abs(
        est.skip_.predict(CompactWindows.from_array(X))[:, 0] * est.target_scale_[0]
        + est.target_mean_[0]
        - y
    ).mean()
    assert np.abs(est.predict(X) - y).mean() < 0.5 * linear


class _Net:
    """What EarlyStopping reads of a skorch net: its history and its module."""

    def __init__(self):
        self.history = History()
        self.module_ = torch.nn.Linear(1, 1)


def _epochs(early, rows):
    """Run `early` over epochs with these history rows; each epoch's module bias is its
    number, so the restored weights say which epoch was kept."""
    net = _Net()
    early.on_train_begin(net)
    for epoch, row in enumerate(rows, start=1):
        net.history.new_epoch()
        for key, value in row.items():
            net.history.record(key, value)
        with torch.no_grad():
            net.module_.bias.fill_(epoch)
        try:
            early.on_epoch_end(net)
        except KeyboardInterrupt:
            break
    early.on_train_end(net)
    return len(net.history), int(net.module_.bias.item())


def test_accuracy_keeps_the_latest_of_equally_accurate_epochs():
    # The validation loss rises with confidence while accuracy holds: loss would stop at 1.
    rows = [
        {"valid_acc": acc, "valid_loss": loss, "train_loss": 0.5}
        for acc, loss in [(0.5, 0.6), (0.75, 0.5), (0.75, 0.7), (0.75, 0.9), (0.5, 1.0)]
        + [(0.5, 1.1)] * 5
    ]
    early = EarlyStopping(patience=3, monitor="accuracy")
    epochs_run, kept = _epochs(early, rows)
    assert early.best_epoch_ == kept == 4
    assert early.stopped_
    assert epochs_run == 7  # three epochs below the best
    by_loss = EarlyStopping(patience=3)
    assert _epochs(by_loss, rows) == (5, 2)
    assert by_loss.best_epoch_ == 2


def test_accuracy_stops_once_the_training_rows_are_fit():
    rows = [{"valid_acc": 0.8, "valid_loss": 0.3, "train_loss": t} for t in (0.3, 0.01, 5e-4, 1e-5)]
    early = EarlyStopping(patience=100, tol=1e-3, monitor="accuracy")
    assert _epochs(early, rows) == (3, 3)
    assert early.stopped_


class _ScriptedLosses(EarlyStopping):
    """EarlyStopping whose per-row validation losses come from a script: the start's, then
    one array per epoch (the validation pass's predictions stand for its losses)."""

    def __init__(self, script, **kwargs):
        super().__init__(score_start=True, sample_loss=lambda net, y_pred, y: y_pred, **kwargs)
        self.script = script

    def _row_losses(self, net, dataset):
        return torch.as_tensor(self.script.pop(0), dtype=torch.float64)


def _run_scripted(early, epochs):
    net = _Net()
    early.on_train_begin(net)
    for _ in range(epochs):
        early.on_epoch_begin(net, dataset_valid=object())
        losses = torch.as_tensor(early.script[0], dtype=torch.float64)
        # A training batch (ignored), then the validation pass in two batches.
        early.on_batch_end(net, batch=(None, None), training=True, y_pred=-losses)
        if early.cross_fit:
            early.script.pop(0)
            for part in (losses[:2], losses[2:]):
                early.on_batch_end(net, batch=(None, None), training=False, y_pred=part)
        net.history.new_epoch()
        net.history.record("valid_loss", float(losses.mean()))
        early.on_epoch_end(net)
    early.on_train_end(net)
    return early.gains_


def test_cross_fitted_gains_are_measured_out_of_the_sample_that_chose_the_epoch():
    # Noise: epoch 1 looks good on the earlier rows only, epoch 2 on the later rows only.
    start = [1.0, 1.0, 1.0, 1.0]
    epochs = [[0.5, 0.5, 1.5, 1.5], [1.5, 1.5, 0.5, 0.5]]
    # At the best epoch on all rows (both score 1.0: epoch 1 is kept), the rows of its
    # good half gain: the start, then the kept epoch's losses.
    plain = _run_scripted(_ScriptedLosses([start, epochs[0]]), 2)
    np.testing.assert_allclose(plain, [0.5, 0.5, -0.5, -0.5])
    # Cross-fitted, each half is scored at the epoch the other half chose: a loss.
    crossed = _run_scripted(_ScriptedLosses([start, *epochs], cross_fit=True), 2)
    np.testing.assert_allclose(crossed, [-0.5, -0.5, -0.5, -0.5])
    # A real gain survives: epoch 2 is better on every row.
    real = [[0.9, 0.9, 0.9, 0.9], [0.5, 0.6, 0.5, 0.6]]
    crossed = _run_scripted(_ScriptedLosses([start, *real], cross_fit=True), 2)
    np.testing.assert_allclose(crossed, [0.5, 0.4, 0.5, 0.4])


def test_cross_fitted_gains_of_one_validation_row_warn_nothing():
    # No earlier half to choose the later row's epoch: it is scored at the last epoch,
    # without numpy's empty-mean warnings reaching the user.
    from skrnn._callbacks import _cross_fitted_gains

    start = torch.tensor([1.0], dtype=torch.float64)
    epochs = [torch.tensor([0.4], dtype=torch.float64), torch.tensor([0.7], dtype=torch.float64)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gains = _cross_fitted_gains(start, epochs)
    np.testing.assert_allclose(gains, [0.3])


class _StepRecorder(Callback):
    """Records the module's weights after every optimizer step, and at every epoch end."""

    def on_train_begin(self, net, **kwargs):
        self.steps, self.epoch_ends = [], []

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.steps.append(torch.nn.utils.parameters_to_vector(net.module_.parameters()))

    def on_epoch_end(self, net, **kwargs):
        self.epoch_ends.append(torch.nn.utils.parameters_to_vector(net.module_.parameters()))


def _linear_net(callbacks):
    torch.manual_seed(0)
    net = NeuralNetRegressor(
        torch.nn.Linear,
        module__in_features=3,
        module__out_features=1,
        optimizer=torch.optim.SGD,
        lr=0.1,
        max_epochs=4,
        batch_size=10,
        iterator_train__shuffle=False,
        train_split=None,
        callbacks=callbacks,
        verbose=0,
    )
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.1, 30)).astype(np.float32)
    return net, X, y[:, None]


def test_weight_averaging_returns_the_moving_average_and_steps_from_the_last_weights():
    recorder = _StepRecorder()
    net, X, y = _linear_net([("weight_averaging", WeightAveraging(0.7)), ("steps", recorder)])
    torch.manual_seed(0)
    net.initialize()
    start = torch.nn.utils.parameters_to_vector(net.module_.parameters()).detach().clone()
    net.partial_fit(X, y)
    # The optimizer's trajectory is that of a run without averaging: the average is only
    # loaded between epochs, and the steps continue from the optimizer's own weights.
    plain = _StepRecorder()
    bare, _, _ = _linear_net([("steps", plain)])
    torch.manual_seed(0)
    bare.initialize()
    bare.partial_fit(X, y)
    assert len(recorder.steps) == 12
    for averaged_run, plain_run in zip(recorder.steps, plain.steps, strict=True):
        torch.testing.assert_close(averaged_run, plain_run, rtol=0, atol=0)
    # Every epoch ends with the average of the steps so far loaded, and so does training.
    average = start
    for step, weights in enumerate(recorder.steps, start=1):
        average = 0.7 * average + 0.3 * weights
        if step % 3 == 0:
            torch.testing.assert_close(recorder.epoch_ends[step // 3 - 1], average)
    final = torch.nn.utils.parameters_to_vector(net.module_.parameters())
    torch.testing.assert_close(final, average)
    assert not torch.equal(final, recorder.steps[-1])


def test_weight_averaging_with_decay_zero_is_the_last_step():
    recorder = _StepRecorder()
    net, X, y = _linear_net([("weight_averaging", WeightAveraging(0.0)), ("steps", recorder)])
    net.fit(X, y)
    final = torch.nn.utils.parameters_to_vector(net.module_.parameters())
    torch.testing.assert_close(final, recorder.steps[-1], rtol=0, atol=0)


def test_weight_averaging_leaves_out_a_diverged_step_and_keeps_the_guards_weights():
    recorder = _StepRecorder()
    net, X, y = _linear_net(
        [
            ("weight_averaging", WeightAveraging(0.5)),
            ("divergence_guard", DivergenceGuard()),
            ("steps", recorder),
        ]
    )
    y[25] = np.inf  # the third step has an infinite loss
    net.initialize()
    start = torch.nn.utils.parameters_to_vector(net.module_.parameters()).detach().clone()
    with pytest.warns(DivergenceWarning, match="epoch 1"):
        net.partial_fit(X, y)
    # The guard restored the weights at the start of the failing epoch; the average of the
    # two finite steps does not replace them.
    final = torch.nn.utils.parameters_to_vector(net.module_.parameters())
    torch.testing.assert_close(final, start, rtol=0, atol=0)
    assert len(recorder.steps) == 2  # the failing step ended the fit before the recorder


def test_weight_averaging_is_what_the_validation_pass_scores():
    net, X, y = _linear_net([("weight_averaging", WeightAveraging(0.7))])
    net.set_params(train_split=predefined_split(Dataset(X[:10], y[:10])))
    net.fit(X[10:], y[10:])
    with torch.no_grad():
        loss = torch.nn.functional.mse_loss(
            net.module_(torch.as_tensor(X[:10])), torch.as_tensor(y[:10])
        )
    # The module ends with the last epoch's average, the weights that epoch validated.
    assert net.history[-1, "valid_loss"] == pytest.approx(loss.item(), rel=1e-6)
    # Without averaging, the validated weights are the last step's, which score otherwise.
    bare, _, _ = _linear_net([])
    bare.set_params(train_split=predefined_split(Dataset(X[:10], y[:10])))
    bare.fit(X[10:], y[10:])
    assert bare.history[-1, "valid_loss"] != pytest.approx(loss.item(), rel=1e-3)
