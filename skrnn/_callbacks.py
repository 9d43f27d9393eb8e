"""skorch callbacks skrnn adds to its nets: early stopping that can score the starting
weights as epoch 0, a guard that stops a diverging fit with its last finite weights, and
an average of the weights over the optimizer steps."""

import math

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from ._warnings import warn


class DivergenceWarning(ConvergenceWarning):
    """Training stopped because the loss became NaN or infinite."""


class StartKeptWarning(UserWarning):
    """A regressor kept its untrained start: trained networks did not beat it significantly
    on held-out rows, so its forecasts are its linear forecast (``best_epoch_ == 0``)."""


class EarlyStopping(Callback):
    """Stop when the validation score has not improved for `patience` epochs; keep the best.

    Only trained epochs compete for best. With ``score_start=True`` the weights the run
    starts from are scored too, as epoch 0, and the per-row validation losses of the start
    and of the best epoch are kept (``gains_``), so that the estimator can test whether
    training helped at all: a regressor starts as its skip connection's linear forecast, a
    fair rival; a classifier starts from random weights, which are not.

    With ``monitor="accuracy"`` (classifiers) the score is skorch's ``valid_acc``, and a
    tie keeps the later epoch: once a network fits its training sequences its validation
    cross-entropy rises with its confidence, while its accuracy still climbs or holds (on
    ArrowHead, 36 training sequences, test accuracy went from 0.57 to 0.73 over the epochs
    in which the validation loss rose; ending the run when accuracy stopped rising gave
    0.59). The patience counts epochs below the best accuracy. The run also ends once the
    training loss is below `tol`: every training sequence is then classified with near
    certainty, and further epochs change few predictions.

    Parameters
    ----------
    patience : int
        Epochs without improvement (``"accuracy"``: below the best) before stopping.
    tol : float
        ``"loss"``: minimum relative decrease of the validation loss that counts as an
        improvement. ``"accuracy"``: the training loss that ends the run.
    sample_loss : callable or None
        ``sample_loss(net, y_pred, y_true) -> (n,) tensor`` of per-row losses, for
        ``gains_``; needed with ``score_start=True``.
    score_start : bool
        Score the starting weights as epoch 0 and compute ``gains_``.
    monitor : {"loss", "accuracy"}
        What decides the best epoch.
    cross_fit : bool
        With ``score_start``: measure ``gains_`` out of the sample that chose the epoch.
        The validation rows are split in time into an earlier and a later half; the gains
        of each half are taken at the epoch the other half scores best. Gains measured at
        the epoch picked on the same rows are optimistic: the best of twenty noisy epochs
        beats the start by chance (on MSFT's training years, t = 1.6-2.2 for networks that
        lost 1.5-3% on the test years; cross-fitted, 0.9-1.5).

    Attributes
    ----------
    best_epoch_ : int
        The best trained epoch (1-based); its weights are loaded into the module when
        training ends.
    curve_ : list of float
        Validation loss per epoch, starting with epoch 0 when scored (NaN otherwise).
    gains_ : ndarray of shape (n_valid,)
        With ``score_start``: per-row loss of the start minus that of the best epoch.
    stopped_ : bool
        Whether the patience ran out (or, monitoring accuracy, the training loss fell
        below `tol`).
    """

    def __init__(
        self,
        patience=10,
        tol=1e-4,
        sample_loss=None,
        score_start=False,
        monitor="loss",
        cross_fit=False,
    ):
        self.patience = patience
        self.tol = tol
        self.sample_loss = sample_loss
        self.score_start = score_start
        self.monitor = monitor
        self.cross_fit = cross_fit

    def on_train_begin(self, net, **kwargs):
        self.best_score_ = math.inf  # lower is better: the loss, or minus the accuracy
        self.best_epoch_ = None
        self.best_weights_ = None
        self.misses_ = 0
        self.stopped_ = False
        self.curve_ = [math.nan]
        self.gains_ = None
        self._start_losses = None
        self._dataset_valid = None
        self._epoch_losses = []
        self._valid_losses = []

    def on_epoch_begin(self, net, dataset_valid=None, **kwargs):
        if self.score_start and self._start_losses is None and dataset_valid is not None:
            self._dataset_valid = dataset_valid
            self._start_losses = self._row_losses(net, dataset_valid)
            self.curve_[0] = self._start_losses.mean().item()

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if self.cross_fit and not training and self._start_losses is not None:
            # The epoch's validation pass: its per-row losses, without a second pass.
            self._valid_losses.append(self.sample_loss(net, y_pred, batch[1]).detach())

    def on_epoch_end(self, net, **kwargs):
        if self._valid_losses:
            self._epoch_losses.append(torch.cat(self._valid_losses).double().cpu())
            self._valid_losses = []
        row, epoch = net.history[-1], len(self.curve_)
        self.curve_.append(row["valid_loss"])
        if self.monitor == "accuracy":
            score = -row["valid_acc"]
            improved = score <= self.best_score_  # a tie keeps the later epoch
            converged = row["train_loss"] < self.tol
        else:
            score = row["valid_loss"]
            improved = score < self.best_score_ - self.tol * abs(self.best_score_)
            converged = False
        if math.isfinite(score) and (self.best_epoch_ is None or improved):
            self.best_score_, self.best_epoch_ = score, epoch
            self.best_weights_ = _snapshot(net.module_, into=self.best_weights_)
            self.misses_ = 0
        else:
            if self.best_epoch_ is None:
                self.best_epoch_ = epoch
            self.misses_ += 1
        if self.misses_ >= self.patience or converged:
            self.stopped_ = True
            raise KeyboardInterrupt  # skorch's way to end the fit loop

    def on_train_end(self, net, **kwargs):
        if self.best_weights_ is not None:
            net.module_.load_state_dict(self.best_weights_)
        if self._start_losses is not None and self.best_epoch_ is not None:
            if self._epoch_losses:
                self.gains_ = _cross_fitted_gains(self._start_losses, self._epoch_losses)
            else:
                best_losses = self._row_losses(net, self._dataset_valid)
                self.gains_ = (self._start_losses - best_losses).numpy()
        self._start_losses = self._dataset_valid = None
        self._epoch_losses, self._valid_losses = [], []

    def _row_losses(self, net, dataset):
        """Per-row validation losses of the net's current weights (float64, on the CPU)."""
        losses = []
        for x, y in net.get_iterator(dataset, training=False):
            losses.append(self.sample_loss(net, net.evaluation_step((x, y)), y))
        return torch.cat(losses).double().cpu()

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in (
            "best_weights_",
            "_start_losses",
            "_dataset_valid",
            "_epoch_losses",
            "_valid_losses",
        ):
            state.pop(key, None)  # the net holds the kept weights
        return state


def _cross_fitted_gains(start_losses, epoch_losses):
    """Per-row gains over the start, each half of the rows (earlier, later) at the epoch
    the other half scores best."""
    start = start_losses.numpy()
    losses = torch.stack(epoch_losses).numpy()  # (epochs, rows)
    earlier = np.arange(len(start)) < len(start) // 2
    gains = np.empty_like(start)
    for chooses, measured in ((earlier, ~earlier), (~earlier, earlier)):
        epoch = -1  # no rows to choose by (one validation row): the last epoch
        if chooses.any():
            scores = np.nan_to_num(losses[:, chooses].mean(axis=1), nan=np.inf)
            epoch = int(np.argmin(scores))
        gains[measured] = start[measured] - losses[epoch, measured]
    return gains


def _snapshot(module, into=None):
    """A copy of the module's weights, written into `into`'s tensors when given (cheaper
    than a new deepcopy every epoch)."""
    state = module.state_dict()
    if into is None:
        return {name: value.detach().clone() for name, value in state.items()}
    for name, value in state.items():
        into[name].copy_(value)
    return into


def squared_error(net, y_pred, y_true):
    """Per-row mean squared error over the outputs (averages to torch's MSELoss)."""
    return ((y_pred - y_true) ** 2).reshape(len(y_true), -1).mean(dim=1)


def cross_entropy(net, y_pred, y_true):
    """Per-row cross-entropy with the net's class weights."""
    weight = getattr(net.criterion_, "weight", None)
    return torch.nn.functional.cross_entropy(y_pred, y_true, weight=weight, reduction="none")


class WeightAveraging(Callback):
    """Validate, keep and return an exponential moving average of the weights over the
    optimizer steps (Polyak averaging, PyTorch's ``swa_utils`` EMA) instead of the last
    step's weights.

    Late in training, each step moves the weights by the noise of its mini-batch; the
    average keeps the direction and drops the noise. On panels of many series, where an
    epoch is hundreds of steps, it lowered the M3 sMAPE on all four subsets. The average
    is loaded into the module for the validation pass and at the end of every epoch (what
    early stopping scores and keeps), and the optimizer's own weights are put back before
    the next epoch's steps.

    Must come before :class:`DivergenceGuard` among the callbacks: a step whose loss is
    not finite is left out of the average, and the guard's restored weights are kept.

    Parameters
    ----------
    decay : float
        Weight of the average so far at each step: the average spans about
        ``1 / (1 - decay)`` steps.
    """

    def __init__(self, decay):
        self.decay = decay

    def on_train_begin(self, net, **kwargs):
        self._params = [p for p in net.module_.parameters() if p.requires_grad]
        self._average = [p.detach().clone() for p in self._params]
        self._steps = None  # the optimizer's weights while the average is loaded
        self._diverged = False

    def on_epoch_begin(self, net, **kwargs):
        if self._steps is not None:
            _copy(self._steps, into=self._params)
            self._steps = None

    def on_batch_begin(self, net, training=False, **kwargs):
        if not training:
            self._load_average()  # the epoch's validation pass scores the average

    def on_batch_end(self, net, training=False, loss=None, **kwargs):
        if not training:
            return
        if not math.isfinite(loss.item()):
            self._diverged = True
            return
        with torch.no_grad():
            for average, param in zip(self._average, self._params, strict=True):
                average.lerp_(param, 1.0 - self.decay)

    def on_epoch_end(self, net, **kwargs):
        self._load_average()

    def on_train_end(self, net, **kwargs):
        self._load_average()  # not after a divergence: the guard's weights stay
        self._params = self._average = self._steps = None

    def _load_average(self):
        if self._steps is None and not self._diverged:
            self._steps = [p.detach().clone() for p in self._params]
            _copy(self._average, into=self._params)

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in ("_params", "_average", "_steps"):
            state.pop(key, None)
        return state


def _copy(values, into):
    with torch.no_grad():
        for target, value in zip(into, values, strict=True):
            target.copy_(value)


class DivergenceGuard(Callback):
    """Stop training when the training loss is NaN or inf, restoring the last finite weights.

    The weights at the start of the failing epoch are restored and a
    :class:`DivergenceWarning` says what diverged and what to try.
    """

    def on_train_begin(self, net, **kwargs):
        self.diverged_ = False
        self._weights = None

    def on_epoch_begin(self, net, **kwargs):
        self._weights = _snapshot(net.module_, into=self._weights)

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        if not training or math.isfinite(loss.item()):
            return
        self.diverged_ = True
        epoch = len(net.history)
        net.module_.load_state_dict(self._weights)
        warn(
            f"Training diverged: the training loss became {loss.item()} in epoch {epoch}. "
            f"Training stopped and the weights from the start of epoch {epoch} were restored. "
            f"Try a lower lr (now {net.lr}), scaling X (e.g. StandardScaler before "
            "SlidingWindow), scale_target=True, or a gradient clip (clip_grad_norm=1.0).",
            DivergenceWarning,
        )
        raise KeyboardInterrupt

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_weights", None)
        return state
