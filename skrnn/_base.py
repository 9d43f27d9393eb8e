"""What every recurrent estimator shares: parameters, input checks, the skorch net, fitting.

One place builds the skorch net; the cells (RNN, LSTM, GRU) differ by the class attribute
``_cell`` and regressors and classifiers by a few hooks (target encoding, module outputs,
decoding). Everything a user can get wrong is checked before torch runs.
"""

import threading
import warnings
from contextlib import contextmanager, nullcontext
from copy import deepcopy
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import GradientNormClipping

from ._callbacks import DivergenceGuard, EarlyStopping
from ._compact import CompactWindows
from ._data import TailSplit, WindowDataset, WindowLoader
from ._modules import RecurrentModule
from ._validation import check_windows

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

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
    _sample_loss = None  # per-row loss for EarlyStopping's test against epoch 0

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "center": [StrOptions({"auto"}), "boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
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
    }

    # -- hooks for regressors and classifiers -------------------------------------------
    def _encode_target(self, y, *, reset):
        """Checked `y` -> 2-D training target for the criterion; set target attributes."""
        raise NotImplementedError

    def _prepare_module(self, windows, y_train):
        """Fit what the module needs from the data besides training (fitted attributes)."""

    def _module_kwargs(self):
        """Module arguments that depend on fitted attributes (output size, skip)."""
        raise NotImplementedError

    def _resolve_center(self):
        """Whether the network sees centred windows (``center="auto"`` resolved)."""
        return True if self.center == "auto" else self.center

    def _net_kwargs(self):
        """Extra skorch net arguments (e.g. the classifier's classes and class weights)."""
        return {}

    def _init_module(self, module):
        """Set non-trained state of a freshly initialised module."""

    def _decode(self, output):
        """Module output (numpy) -> predictions."""
        raise NotImplementedError

    # -- fitting -------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network on windows `X` and targets `y`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            Windows, oldest step first, e.g. the output of :class:`~skrnn.SlidingWindow`.
            Leading NaN time steps are front padding; the network skips them. A 2-D array
            is a batch of univariate sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        warm = self.warm_start and hasattr(self, "net_")
        X, y = check_windows(self, X, y, reset=not warm, y_numeric=self._y_numeric)
        windows = self._compact(X, reset=not warm)
        if self.early_stopping and len(windows) < 2:
            raise ValueError(
                "early_stopping=True needs at least 2 samples (1 sample was given) to hold "
                "out the most recent ones for validation; pass more rows or "
                "early_stopping=False."
            )
        y_train = self._encode_target(y, reset=not warm)
        rng = check_random_state(self.random_state)
        init_seed, train_seed, shuffle_seed = rng.randint(np.iinfo(np.int32).max, size=3)

        if warm:
            net = self._continue_net()
            epochs_before = len(net.history)
        else:
            self._prepare_module(windows, y_train)
            self.center_ = self._resolve_center()
            net = self._build_net(shuffle_seed)
            with _seeded_torch(init_seed, self.device):
                net.initialize()
            self._init_module(net.module_)
            epochs_before = 0
        dataset = WindowDataset(windows, y_train, device=net.device)
        # Dropout draws from torch's global RNG during training; nothing else does.
        training_rng = _seeded_torch(train_seed, self.device) if self.dropout else nullcontext()
        with training_rng:
            net.partial_fit(dataset)
        self.net_ = net
        self._report_stop(net, len(net.history) - epochs_before)
        return self

    def _build_net(self, shuffle_seed=None):
        """The skorch net for this estimator's parameters and fitted input shapes.

        Also used to restore a saved model (:func:`skrnn.load`), hence only fitted
        attributes, never the training data.
        """
        module_kwargs = dict(
            cell=self._cell,
            input_size=self.n_features_in_ if self._n_input_dims == 3 else 1,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            nonlinearity=getattr(self, "nonlinearity", "tanh"),
            window=self.n_timesteps_in_,
            center=self.center_,
            **self._module_kwargs(),
        )
        optimizer_kwargs = {"weight_decay": self.weight_decay}
        if self.optimizer in ("sgd", "rmsprop"):
            optimizer_kwargs["momentum"] = self.momentum
        callbacks = [("divergence_guard", DivergenceGuard())]
        if self.clip_grad_norm is not None:
            callbacks.append(("gradient_clip", GradientNormClipping(self.clip_grad_norm)))
        if self.early_stopping:
            early_stopping = EarlyStopping(self.n_iter_no_change, self.tol, self._sample_loss)
            callbacks.append(("early_stopping", early_stopping))
        # Fits work on copies: a user's callback objects are parameters and must not change.
        callbacks += deepcopy(self.callbacks or [])
        return self._net_class(
            module=RecurrentModule,
            **{f"module__{key}": value for key, value in module_kwargs.items()},
            criterion=self._criterion,
            optimizer=OPTIMIZERS[self.optimizer],
            **{f"optimizer__{key}": value for key, value in optimizer_kwargs.items()},
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=WindowLoader,
            iterator_train__shuffle=True,
            iterator_train__random_state=shuffle_seed,
            iterator_valid=WindowLoader,
            iterator_valid__batch_size=max(self.batch_size, 1024),
            train_split=TailSplit(self.validation_fraction) if self.early_stopping else None,
            callbacks=callbacks,
            device=self.device,
            verbose=self.verbose,
            **self._net_kwargs(),
        )

    def _continue_net(self):
        """The fitted net, with this estimator's current training parameters (warm start)."""
        net = self.net_
        fresh = self._build_net()
        changed = [
            key.removeprefix("module__")
            for key, value in fresh.get_params(deep=False).items()
            if key.startswith("module__") and getattr(net, key) != value
        ]
        if changed:
            raise ValueError(
                f"warm_start=True continues training the fitted network, so its architecture "
                f"cannot change; these parameters differ from the fitted ones: {changed}."
            )
        training = ("lr", "max_epochs", "batch_size", "iterator_valid__batch_size", "verbose")
        updates = {
            key: getattr(fresh, key) for key in training if getattr(net, key) != getattr(fresh, key)
        }
        return net.set_params(**updates) if updates else net

    def _report_stop(self, net, epochs_run):
        """Record how the fit ended; say so if the user interrupted it."""
        callbacks = dict(net.callbacks_)
        early, guard = callbacks.get("early_stopping"), callbacks["divergence_guard"]
        self.n_iter_ = epochs_run
        self.best_epoch_ = early.best_epoch_ if early is not None else len(net.history)
        finished = guard.diverged_ or (early is not None and early.stopped_)
        if epochs_run < self.max_epochs and not finished:
            kept = "best validation" if early is not None else "latest"
            warnings.warn(
                f"Training was interrupted after {epochs_run} of {self.max_epochs} epochs; "
                f"the estimator keeps the {kept} weights reached so far.",
                UserWarning,
                stacklevel=3,
            )

    # -- prediction ----------------------------------------------------------------------
    def _forward(self, X):
        """Validated `X` -> module output as a numpy array; never NaN."""
        check_is_fitted(self)
        X = check_windows(self, X, reset=False)
        windows = self._compact(X, reset=False)
        # The module directly rather than net_.forward: for one window (online use),
        # skorch's prediction loop would cost as much as the network itself.
        net = self.net_
        dataset = WindowDataset(windows, device=net.device)
        module = net.module_.eval()
        with torch.inference_mode():
            batches = [module(**x) for x, _ in net.get_iterator(dataset, training=False)]
        output = torch.cat(batches).cpu().numpy()
        if not np.isfinite(output).all():
            raise ValueError(
                "The network's output is not finite for some samples of X: the inputs are "
                "far outside the range it was trained on. Scale X as during fit."
            )
        return output

    def _compact(self, X, *, reset):
        """3-D windows (a 2-D X is a batch of univariate sequences) in compact form."""
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

    @property
    def history_(self):
        """The skorch net's training history (loss per epoch and batch)."""
        check_is_fitted(self)
        return self.net_.history

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
