"""What every recurrent estimator shares: parameters, input checks, the skorch net, fitting.

One place builds the skorch net; the cells (RNN, LSTM, GRU) differ by the class attribute
``_cell`` and regressors and classifiers by a few hooks (target encoding, module outputs,
decoding). Everything a user can get wrong is checked before torch runs.
"""

import math
import threading
from contextlib import contextmanager, nullcontext
from copy import deepcopy
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback, GradientNormClipping
from skorch.helper import predefined_split

from ._blocks import (
    _block_chunks,
    _fill_blocks,
    _length_groups,
    block_sizes,
    block_spacing,
    predict_rows,
)
from ._callbacks import DivergenceGuard, EarlyStopping, StartKeptWarning, WeightAveraging
from ._compact import CompactWindows
from ._data import WindowDataset, WindowLoader
from ._device import resolve_device
from ._modules import RecurrentModule
from ._stats import significantly_positive
from ._validation import check_windows, n_step_features
from ._warnings import warn

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

# Optimizer steps of patience at least, whatever n_iter_no_change says: on a few hundred
# rows an epoch is a handful of steps, too few for the validation loss to move.
MIN_PATIENCE_STEPS = 100
# Validation rows the early-stopping folds pool, at least (using up to MAX_FOLDS folds).
# The keep-or-discard test of one series pools more: on weekly CO2 one fold of 183 rows
# could not tell a network's 1% gain from noise (t 0.5-1.2), three folds of 549 rows told
# it on five seeds of six, and the daily prices' networks still failed it (t <= 1.25).
# Windows of many series keep one fold where it holds GATE_ROWS: each fold is a training
# run over the whole panel.
GATE_ROWS = 100
SERIES_GATE_ROWS = 400
MAX_FOLDS = 3
# Steps the convolutional front end leaves for the recurrent layers, with conv_stride="auto".
CONV_STEPS = 50

# torch's global RNG drives weight initialisation and dropout. Fits seed it inside
# fork_rng, which restores the caller's state afterwards; the lock keeps two threads from
# seeding it at the same time.
_TORCH_RNG_LOCK = threading.RLock()


@contextmanager
def _seeded_torch(seed, device):
    devices = []
    if str(device).startswith("cuda") and torch.cuda.is_available():
        index = torch.device(device).index
        devices = [torch.cuda.current_device() if index is None else index]
    with _TORCH_RNG_LOCK, torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


class BaseRecurrent(BaseEstimator):
    """Shared machinery of the recurrent regressors and classifiers (not public)."""

    _cell = "lstm"
    _net_class = None  # skorch NeuralNetRegressor or NeuralNetClassifier
    _criterion = None
    _sample_loss = None  # per-row loss, for the keep-or-discard test of the trained network
    _monitor = "loss"  # what early stopping keeps the best epoch by (see EarlyStopping)
    _gate = False  # whether trained weights must beat the starting ones significantly
    # Parameters added after models were first saved, with the value that models saved
    # without them were fitted with (the default may have changed since): see skrnn.load
    # and __setstate__.
    _added_params: dict = {}
    # Fitted attributes added since, with the parameter whose value they had before (a
    # resolved "auto" that could not be "auto" then), or None: they were None.
    _added_attributes: dict = {}
    # Parameters resolved once, by the first fit (the network is built on what they gave):
    # warm_start cannot change them.
    _first_fit_params: tuple = ("conv_stride", "center", "lags")

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "conv_stride": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "center": [StrOptions({"auto"}), "boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "callbacks": [list, None],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "lags": [
            StrOptions({"auto", "oldest_first", "newest_first"}),
            Interval(Integral, 1, None, closed="left"),
        ],
    }

    # -- hooks for regressors and classifiers -------------------------------------------
    def _encode_target(self, y, windows, *, reset):
        """Checked `y` -> (training target for the criterion, per-window statistics the
        module needs or None); set target attributes."""
        raise NotImplementedError

    def _window_norm(self, windows):
        """Per-window statistics the module needs with each window (None: none)."""
        return None

    def _criterion_spec(self):
        """The criterion class and its keyword arguments."""
        return self._criterion, {}

    def _row_loss(self):
        """Per-row loss ``f(net, y_pred, y_true)`` averaging to the criterion."""
        return self._sample_loss

    def _fit_start(self, windows, y_train, norm):
        """What the untrained module starts from, fitted on these rows (e.g. the skip)."""
        return None

    def _set_start(self, start, windows, y_train):
        """Keep the start fitted on all training rows as fitted attributes."""

    def _start_of_fitted(self):
        """The start of the fitted estimator (from its fitted attributes)."""
        return None

    def _module_kwargs(self, start):
        """Module arguments that depend on fitted attributes (output size, skip)."""
        raise NotImplementedError

    def _resolve_center(self):
        """Whether the network sees centred windows (``center="auto"`` resolved)."""
        return False if self.center == "auto" else self.center

    def _set_input_scale(self, windows, norm):
        """Set what the network divides its inputs by, if anything (fitted attributes)."""

    def _resolve_ema_decay(self, windows):
        """The decay of the weight average (``ema_decay`` resolved), or None: none."""
        return None

    def _net_kwargs(self):
        """Extra skorch net arguments (e.g. the classifier's classes and class weights)."""
        return {}

    def _init_module(self, module, start):
        """Set non-trained state of a freshly initialised module."""

    def _validation_folds(self, windows, y_train, n_folds, seed):
        """(train, valid) row indices of each early-stopping fold."""
        raise NotImplementedError

    def _gain_blocks(self, windows, index):
        """Labels of the blocks of rows of `index` whose mean gains the keep-or-discard
        test treats as independent (each row its own block here)."""
        return np.arange(len(index))

    # -- fitting -------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network on windows `X` and targets `y`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            Windows, oldest step first, e.g. the output of :class:`~skrnn.SlidingWindow`.
            Leading NaN time steps of 3-D windows are front padding; the network skips
            them. A 2-D array is a batch of complete univariate sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        # A fit that fails (bad input for a refit, an error in a callback) leaves a fitted
        # estimator as it was: its attributes must not mix two fits.
        state = dict(self.__dict__)
        try:
            return self._fit(X, y)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _fit(self, X, y):
        _check_callbacks(self.callbacks)
        warm = self.warm_start and hasattr(self, "net_")
        if warm:
            self._check_first_fit_params()
        X, y = check_windows(self, X, y, reset=not warm, y_numeric=self._y_numeric)
        device = resolve_device(self.device)
        windows = self._compact(X, reset=not warm)
        if self.early_stopping and len(windows) < 2:
            raise ValueError(
                "early_stopping=True needs at least 2 samples (1 sample was given) to hold "
                "out some for validation; pass more rows or early_stopping=False."
            )
        y_train, norm = self._encode_target(y, windows, reset=not warm)
        rng = check_random_state(self.random_state)
        seeds = _Seeds(*rng.randint(np.iinfo(np.int32).max, size=4))
        dataset = WindowDataset(windows, y_train, device=device, norm=norm)

        if warm:
            self.batch_size_ = self._resolve_batch_size(len(windows))
            self.lr_ = self._resolve_lr(windows)
            self._continue(dataset, y_train, seeds)
            return self
        self.device_ = device
        self._first_fit_values = {name: getattr(self, name) for name in self._first_fit_params}
        start = self._fit_start(windows, y_train, norm)
        self.conv_stride_ = self._resolve_conv_stride()
        self._set_start(start, windows, y_train)
        self.center_ = self._resolve_center()
        self._set_input_scale(windows, norm)
        self.ema_decay_ = self._resolve_ema_decay(windows)
        self.batch_size_ = self._resolve_batch_size(len(windows))
        self.lr_ = self._resolve_lr(windows)
        self.validation_loss_ = None
        epochs, interrupted, fold_nets = self.max_epochs, None, []
        if self.early_stopping:
            epochs, interrupted, fold_nets = self._select_epochs(
                windows, y_train, norm, dataset, seeds
            )
        if interrupted is None:  # the final network: trained on every row
            net = self._new_net(start, seeds)
            epochs_run = self._train(net, dataset, epochs, seeds) if epochs else 0
            interrupted = _interrupted(net, epochs_run, epochs)
            diverged = getattr(dict(net.callbacks_)["divergence_guard"], "diverged_", False)
            self.best_epoch_ = epochs_run - int(diverged)
        else:
            (net, epochs_run), epochs, interrupted = interrupted, self.max_epochs, True
        self.net_ = net
        self._keep_fold_nets(fold_nets)
        self.n_iter_ = epochs_run
        self._warn_if_interrupted(epochs_run, epochs, interrupted)
        return self

    def _select_epochs(self, windows, y_train, norm, dataset, seeds):
        """How many epochs to train on all rows, from early stopping on held-out folds.

        Each fold trains a fresh network on its training rows (from its own start, fitted
        on those rows) and stops when its validation loss has not improved for the patience;
        the best epochs of the folds are averaged. For a regressor the trained networks must
        also beat their starts significantly on the pooled validation rows (0 epochs
        otherwise: the estimator is its start).

        Returns ``(epochs, None, fold_nets)``, or ``(epochs, (net, epochs_run), [])`` when
        the user interrupted a fold: that fold's network is then the result. `fold_nets`:
        the folds' networks at their best epochs (those that trained at least one epoch).
        """
        rows = SERIES_GATE_ROWS if self._gate and windows.groups is None else GATE_ROWS
        n_folds = _n_folds(len(windows), self.validation_fraction, rows)
        folds = self._validation_folds(windows, y_train, n_folds, seeds.split)
        best_epochs, gains, curves, fold_nets = [], [], [], []
        for train_index, valid_index in folds:
            fold_norm = None if norm is None else norm[train_index]
            start = self._fit_start(windows.subset(train_index), y_train[train_index], fold_norm)
            patience = self._patience(len(train_index))
            early = EarlyStopping(
                patience,
                self.tol,
                self._row_loss(),
                score_start=self._gate,
                monitor=self._monitor,
                # One series: the gain out of the sample that chose the epoch (panels keep
                # the gain at the best epoch: cross-fitted, M3's good networks were lost).
                cross_fit=self._gate and windows.groups is None,
            )
            net = self._new_net(start, seeds, early, dataset.subset(valid_index))
            epochs_run = self._train(net, dataset.subset(train_index), self.max_epochs, seeds)
            curves.append(early.curve_)
            if _interrupted(net, epochs_run, self.max_epochs):
                self._set_start(start, windows.subset(train_index), y_train[train_index])
                self.best_epoch_ = early.best_epoch_ or 0
                self.validation_loss_ = _stack_curves(curves)
                return early.best_epoch_, (net, epochs_run), []
            if early.best_epoch_ is not None:  # None: diverged in its first epoch
                best_epochs.append(early.best_epoch_)
                fold_nets.append(net)
            if early.gains_ is not None:
                gains.append(_block_means(early.gains_, self._gain_blocks(windows, valid_index)))
        self.validation_loss_ = _stack_curves(curves)
        epochs = max(1, round(float(np.mean(best_epochs)))) if best_epochs else 1
        if self._gate:
            gains = np.concatenate(gains) if gains else np.zeros(0)
            if not significantly_positive(gains):
                self._warn_start_kept(gains)
                return 0, None, []
        return epochs, None, fold_nets

    def _keep_fold_nets(self, fold_nets):
        """Keep what prediction needs of the early-stopping folds' networks (nothing
        here; the classifiers average their probabilities with the final network's)."""

    def _prediction_modules(self):
        """The modules whose outputs :meth:`_combine_outputs` combines at prediction."""
        return [self.net_.module_]

    def _combine_outputs(self, outputs):
        """One output from those of the modules of :meth:`_prediction_modules`."""
        return outputs[0]

    def _check_first_fit_params(self):
        """warm_start keeps what the first fit resolved: refuse parameters changed since."""
        fitted = getattr(self, "_first_fit_values", {})  # {} in files from before it
        changed = [
            f"{name}={getattr(self, name)!r} (fitted with {value!r})"
            for name, value in fitted.items()
            if not _equal_params(getattr(self, name), value)
        ]
        if changed:
            raise ValueError(
                "warm_start=True continues training the fitted network, built on what its "
                f"first fit made of these parameters, which have changed since: "
                f"{', '.join(changed)}. Set them back, or fit anew with warm_start=False."
            )

    def _continue(self, dataset, y_train, seeds):
        """warm_start: train the fitted network further, on all rows (validated on the most
        recent block when early stopping, keeping the best epoch)."""
        early = None
        if self.early_stopping:
            folds = self._validation_folds(dataset.windows, y_train, 1, seeds.split)
            train_index, valid_index = folds[0]
            patience = self._patience(len(train_index))
            early = EarlyStopping(patience, self.tol, monitor=self._monitor)
            net = self._continue_net(seeds, early, dataset.subset(valid_index))
            dataset = dataset.subset(train_index)
        else:
            net = self._continue_net(seeds)
        epochs_before = len(net.history)
        epochs_run = self._train(net, dataset, self.max_epochs, seeds)
        interrupted = _interrupted(net, epochs_run, self.max_epochs)
        net.set_params(train_split=None)
        net.callbacks_ = [(name, cb) for name, cb in net.callbacks_ if name != "early_stopping"]
        self.net_ = net
        self._keep_fold_nets([])  # trained further alone: the folds' networks are stale
        self.n_iter_ = epochs_run
        diverged = getattr(dict(net.callbacks_)["divergence_guard"], "diverged_", False)
        kept = early.best_epoch_ if early else epochs_run - int(diverged)
        self.best_epoch_ = epochs_before + (kept or 0)  # None: diverged in its first epoch
        self._warn_if_interrupted(epochs_run, self.max_epochs, interrupted)

    def _new_net(self, start, seeds, early_stopping=None, valid=None):
        """A freshly initialised net; with `early_stopping`, validated on dataset `valid`."""
        net = self._build_net(start, shuffle_seed=seeds.shuffle, early_stopping=early_stopping)
        if valid is not None:
            net.set_params(train_split=predefined_split(valid))
        with _seeded_torch(seeds.init, net.device):
            net.initialize()
        self._init_module(net.module_, start)
        return net

    def _train(self, net, dataset, epochs, seeds):
        """Train `net` on `dataset` for up to `epochs` epochs; return the epochs run."""
        net.set_params(max_epochs=epochs)
        before = len(net.history)
        # Dropout draws from torch's global RNG during training; nothing else does.
        seeded = _seeded_torch(seeds.train, net.device) if self.dropout else nullcontext()
        with seeded:
            net.partial_fit(dataset)
        return len(net.history) - before

    def _resolve_conv_stride(self):
        if self.conv_stride != "auto":
            return self.conv_stride
        # About CONV_STEPS steps reach the recurrent layers, whatever the sequence length.
        return max(1, round(self.n_timesteps_in_ / CONV_STEPS))

    def _resolve_batch_size(self, n_samples):
        if self.batch_size != "auto":
            return self.batch_size
        # About ten optimizer steps per epoch on small data, 128 windows per step on large.
        return int(min(128, max(16, math.ceil(n_samples / 10))))

    def _resolve_lr(self, windows):
        return self.lr

    def _patience(self, n_train):
        """Epochs without improvement before stopping: `n_iter_no_change`, but at least
        MIN_PATIENCE_STEPS optimizer steps, so that small data sets get a fair chance."""
        steps_per_epoch = math.ceil(n_train / self.batch_size_)
        return max(self.n_iter_no_change, math.ceil(MIN_PATIENCE_STEPS / steps_per_epoch))

    def _build_net(self, start=None, *, shuffle_seed=None, early_stopping=None):
        """The skorch net for this estimator's parameters and fitted input shapes.

        Also used to restore a saved model (:func:`skrnn.load`), hence only fitted
        attributes, never the training data.
        """
        if start is None:
            start = self._start_of_fitted()
        module_kwargs = dict(
            cell=self._cell,
            # Plain Python numbers: torch's RNN layers reject numpy ones (np.arange grids).
            input_size=int(n_step_features(self)),
            hidden_size=int(self.hidden_size),
            num_layers=int(self.num_layers),
            bidirectional=bool(self.bidirectional),
            dropout=float(self.dropout),
            nonlinearity=getattr(self, "nonlinearity", "tanh"),
            window=self.n_timesteps_in_,
            center=self.center_,
            conv_stride=getattr(self, "conv_stride_", None),
            **self._module_kwargs(start),
        )
        optimizer_kwargs = {"weight_decay": self.weight_decay}
        if self.optimizer in ("sgd", "rmsprop"):
            optimizer_kwargs["momentum"] = self.momentum
        callbacks = []
        decay = getattr(self, "ema_decay_", None)
        if decay is not None:  # before the guard: see WeightAveraging
            callbacks.append(("weight_averaging", WeightAveraging(decay)))
        callbacks.append(("divergence_guard", DivergenceGuard()))
        if self.clip_grad_norm is not None:
            callbacks.append(("gradient_clip", GradientNormClipping(self.clip_grad_norm)))
        if early_stopping is not None:
            callbacks.append(("early_stopping", early_stopping))
        # Fits work on copies: a user's callback objects are parameters and must not change.
        callbacks += deepcopy(self.callbacks or [])
        batch_size = getattr(self, "batch_size_", None) or self._resolve_batch_size(1)
        criterion, criterion_kwargs = self._criterion_spec()
        return self._net_class(
            module=RecurrentModule,
            **{f"module__{key}": value for key, value in module_kwargs.items()},
            criterion=criterion,
            **{f"criterion__{key}": value for key, value in criterion_kwargs.items()},
            optimizer=OPTIMIZERS[self.optimizer],
            **{f"optimizer__{key}": value for key, value in optimizer_kwargs.items()},
            lr=self.lr_,
            max_epochs=self.max_epochs,
            batch_size=batch_size,
            iterator_train=WindowLoader,
            iterator_train__shuffle=True,
            iterator_train__random_state=shuffle_seed,
            iterator_valid=WindowLoader,
            iterator_valid__batch_size=max(batch_size, 1024),
            train_split=None,
            callbacks=callbacks,
            device=getattr(self, "device_", None) or resolve_device(self.device),
            verbose=self.verbose,
            **self._net_kwargs(),
        )

    def _continue_net(self, seeds, early_stopping=None, valid=None):
        """A copy of the fitted net (a fit that fails leaves the fitted one as it was),
        with this estimator's current training parameters and callbacks, this fit's order
        of training rows (warm start) and, with `early_stopping`, that callback validating
        on dataset `valid`."""
        fresh = self._build_net(shuffle_seed=seeds.shuffle, early_stopping=early_stopping)
        changed = [
            key.removeprefix("module__")
            for key, value in fresh.get_params(deep=False).items()
            if key.startswith("module__") and getattr(self.net_, key) != value
        ]
        if changed:
            raise ValueError(
                f"warm_start=True continues training the fitted network, so its architecture "
                f"cannot change; these parameters differ from the fitted ones: {changed}."
            )
        net = deepcopy(self.net_)
        # The training parameters take their current values.
        fitted, current = net.get_params(deep=False), fresh.get_params(deep=False)
        training = ["lr", "batch_size", "iterator_valid__batch_size", "verbose", "optimizer"]
        training += ["iterator_train__random_state"]  # the order of training rows
        training += [key for key in current if key.startswith(("optimizer__", "criterion__"))]
        updates = {
            key: current[key] for key in training if not _same(fitted.get(key), current[key])
        }
        optimizer = {key: updates.pop(key) for key in list(updates) if key.startswith("optimizer")}
        if "iterator_train__random_state" in updates:  # read when batches are drawn
            net.iterator_train__random_state = updates.pop("iterator_train__random_state")
        if updates:
            net.set_params(**updates)
        if optimizer:  # another optimizer, or other arguments: a new one, on the current lr
            for key, value in optimizer.items():
                setattr(net, key, value)
            net.initialize_optimizer()
        # The callbacks of a new fit (the user's current ones, clipping, a classifier's
        # scoring of its class weights), none carrying state from the first fit.
        fresh.initialize_callbacks()
        net.callbacks, net.callbacks_ = fresh.callbacks, fresh.callbacks_
        if valid is not None:
            net.set_params(train_split=predefined_split(valid))
        return net

    def _warn_start_kept(self, gains):
        n = len(gains)
        spread = gains.std(ddof=1) if n > 1 else 0.0
        t = gains.mean() / (spread / math.sqrt(n)) if n > 1 and spread > 0 else 0.0
        warn(
            f"{type(self).__name__} kept its untrained start (best_epoch_=0): the trained "
            f"networks did not beat it significantly on {n} held-out blocks of rows (mean "
            f"loss gain {gains.mean() if n else 0.0:.3g}, t={t:.2f}; 1.645 is needed). Its "
            "forecasts are the start's linear forecast.",
            StartKeptWarning,
        )

    def _warn_if_interrupted(self, epochs_run, epochs, interrupted):
        if not interrupted:
            return
        kept = "best validation" if self.early_stopping else "latest"
        warn(
            f"Training was interrupted after {epochs_run} of {epochs} epochs; "
            f"the estimator keeps the {kept} weights reached so far.",
            UserWarning,
        )

    # -- prediction ----------------------------------------------------------------------
    def _forward(self, X):
        """Validated `X` -> module output as a numpy array; never NaN.

        The module runs on blocks of a few fixed numbers of windows (:func:`block_sizes`;
        the last block filled up with copies), one length of real history at a time.
        Matrix kernels pick their blocking, and so their rounding, by the number of rows,
        so a window's prediction would otherwise depend on which other windows share its
        call; this way every window is computed to the same bits, whoever its neighbours
        are, and a window predicted alone does not pay for a bulk block.
        """
        if not self.__sklearn_is_fitted__():  # (check_is_fitted builds the tags each call)
            check_is_fitted(self)
        X = check_windows(self, X, reset=False)
        windows = self._compact(X, reset=False)
        norm = self._window_norm(windows)
        modules = self._prediction_modules()
        module = modules[0]
        for each in modules:
            if each.training:
                each.eval()
        device = torch.device(self.net_.device)
        # On the CPU numpy gathers the windows and torch computes on that memory as it is;
        # elsewhere the series moves to the device once and is gathered there.
        on_cpu = device.type == "cpu"
        series = windows.series if on_cpu else torch.as_tensor(windows.series, device=device)
        # Windows stored one after another are gathered from the 3-D view of the series.
        shape = (len(windows), windows.window, windows.n_features)
        stacked = series.reshape(shape) if windows.packed else None
        outputs, order = [], []
        with torch.inference_mode():
            for index, length in _length_groups(windows):
                padded = length < windows.window
                rows = predict_rows(module, device.type, padded=padded)
                # Each window followed by copies of itself where kernels round by offset.
                spacing = block_spacing(module, device, length, windows.n_features, rows)
                spaced = index if spacing == 1 else np.repeat(index, spacing)
                sizes = block_sizes(
                    module, device, length, windows.n_features, padded=padded, n_windows=len(spaced)
                )
                steps = np.arange(windows.window - length, windows.window)
                # A chunk of blocks is gathered at once; each block is a view of it.
                window_elements = length * windows.n_features
                group = []
                for rows, samples in _block_chunks(spaced, sizes, window_elements):
                    at = _fill_blocks(samples, rows)
                    if stacked is not None:
                        x = stacked[at if on_cpu else torch.as_tensor(at, device=device)]
                    else:
                        steps_at = windows.starts[at][:, None] + steps
                        x = series[steps_at if on_cpu else torch.as_tensor(steps_at, device=device)]
                    if on_cpu:
                        x = torch.from_numpy(x)
                    norms = None if norm is None else torch.as_tensor(norm[at], device=device)
                    blocks = []
                    for b in range(0, len(at), rows):
                        block_norm = None if norms is None else norms[b : b + rows]
                        per_module = [each(x[b : b + rows], norm=block_norm) for each in modules]
                        blocks.append(self._combine_outputs(per_module))
                    block = blocks[0] if len(blocks) == 1 else torch.cat(blocks)
                    group.append(block[: len(samples)])
                group = group[0] if len(group) == 1 else torch.cat(group)
                outputs.append(group[::spacing] if spacing > 1 else group)
                order.append(index)
        output = torch.cat(outputs) if len(outputs) > 1 else outputs[0]
        output = output.numpy() if on_cpu else output.cpu().numpy()
        if len(order) > 1:  # grouped by number of real steps: back to the order of X
            grouped, output = output, np.empty_like(output)
            output[np.concatenate(order)] = grouped
        if not np.isfinite(output).all():
            raise ValueError(
                "The network's output is not finite for some samples of X: the inputs are "
                "far outside the range it was trained on. Scale X as during fit."
            )
        return output, norm

    def _compact(self, X, *, reset):
        """3-D windows (a 2-D X is a batch of univariate sequences) in compact form."""
        if isinstance(X, CompactWindows):
            windows = X.as_float32()
        else:
            windows = CompactWindows.from_array(X if X.ndim == 3 else X[:, :, None])
        if reset:
            self.n_timesteps_in_ = windows.window
        elif windows.window != self.n_timesteps_in_:
            raise ValueError(
                f"X has windows of {windows.window} time steps, but "
                f"{type(self).__name__} was fitted on windows of {self.n_timesteps_in_} time "
                "steps."
            )
        return windows

    def __setstate__(self, state):
        super().__setstate__(state)
        for key, value in self._added_params.items():
            if key not in state:
                setattr(self, key, value)  # pickled before the parameter existed
        fill_added_attributes(self)
        # skorch maps a network pickled on a device this machine lacks (a GPU) to the CPU;
        # device_ says where the fitted network is. The device parameter is left as the
        # user set it, so a refit there raises resolve_device's ValueError.
        net = self.__dict__.get("net_")
        if net is not None and "device_" in self.__dict__:
            self.device_ = str(net.device)

    @property
    def history_(self):
        """The skorch net's training history (loss per epoch and batch)."""
        check_is_fitted(self)
        return self.net_.history

    def __sklearn_is_fitted__(self):
        # What check_is_fitted would find, without scanning every attribute per call.
        return "net_" in self.__dict__

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


def fill_added_attributes(estimator):
    """Give a fitted `estimator` saved before some fitted attributes existed those
    attributes, from the parameters they were resolved from (see ``_added_attributes``)."""
    # Fitted, whether or not its network is built yet (skrnn.load fills before building).
    if "n_features_in_" not in estimator.__dict__:
        return
    for attribute, param in estimator._added_attributes.items():
        if attribute not in estimator.__dict__:
            setattr(estimator, attribute, None if param is None else getattr(estimator, param))


@dataclass(frozen=True)
class _Seeds:
    init: int  # initial weights
    train: int  # dropout
    shuffle: int  # order of training rows
    split: int  # validation rows of a classifier


def _check_callbacks(callbacks):
    """skorch's forms of a callback: an instance or class of
    :class:`skorch.callbacks.Callback`, alone or named in a ``(name, callback)`` tuple."""
    for item in callbacks or []:
        callback = item
        if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
            callback = item[1]
        is_class = isinstance(callback, type) and issubclass(callback, Callback)
        if not (is_class or isinstance(callback, Callback)):
            raise TypeError(
                "callbacks must hold skorch callbacks (instances or classes of "
                "skorch.callbacks.Callback) or (name, callback) tuples; got "
                f"{item!r}. A skorch callback name such as 'print_log' is not one: pass "
                "PrintLog() or verbose=1."
            )


def _n_folds(n_samples, fraction, rows=GATE_ROWS):
    """Early-stopping folds: enough validation blocks to pool `rows` rows, at most
    MAX_FOLDS, each leaving at least as many rows for training as it validates."""
    block = max(1, math.ceil(fraction * n_samples))
    wanted = min(MAX_FOLDS, max(1, math.ceil(rows / block)))
    return max(1, min(wanted, (n_samples - 1) // (2 * block) or 1))


def _equal_params(a, b):
    """Whether two values of an estimator parameter are equal (sequences by their items)."""
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return type(a) is type(b) and a == b
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return a == b


def _same(a, b):
    """Whether two skorch parameter values are equal (tensors too)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return (
            isinstance(a, torch.Tensor)
            and isinstance(b, torch.Tensor)
            and a.shape == b.shape
            and bool(torch.equal(a.cpu(), b.cpu()))
        )
    return a is b or a == b


def _interrupted(net, epochs_run, epochs):
    """Whether a run ended before `epochs` without early stopping or divergence ending it."""
    callbacks = dict(net.callbacks_)
    early, guard = callbacks.get("early_stopping"), callbacks["divergence_guard"]
    finished = getattr(guard, "diverged_", False) or (early is not None and early.stopped_)
    return epochs_run < epochs and not finished


def _block_means(values, blocks):
    """Mean of `values` per label of `blocks`."""
    _, inverse, counts = np.unique(blocks, return_inverse=True, return_counts=True)
    return np.bincount(inverse, weights=values) / counts


def _stack_curves(curves):
    """Per-fold validation losses as one (n_folds, n_epochs) array, NaN after a fold stopped."""
    width = max(len(curve) for curve in curves)
    out = np.full((len(curves), width), np.nan)
    for row, curve in zip(out, curves, strict=True):
        row[: len(curve)] = curve
    return out
