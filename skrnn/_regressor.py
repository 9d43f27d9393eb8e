"""The public recurrent regressors: thin classes over :mod:`skrnn._base`."""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetRegressor

from ._base import BaseRecurrent
from ._baseline import find_persistence
from ._data import tail_folds
from ._docstrings import regressor_doc
from ._losses import criterion_for, pinball_of_offsets, residual_offsets, sample_loss_for
from ._scaling import ScaledWindows, WindowScaling, input_rms
from ._skip import bounded_volatility, fit_skip, volatility, volatility_bounds
from ._validation import n_step_features
from ._warnings import warn

# quantile_spread="auto": how much worse than fixed widths (pinball loss on the training
# rows) volatility-scaled ones may fit and still be chosen. In-sample fit favours fixed
# widths where a window's volatility is a noisy estimate (6 changes in 7 days), even where
# scaling is what keeps the coverage when the volatility changes: on the bundled stocks
# scaling fit 2000-2009 5% better (IBM, MSFT) or 3% worse (AAPL), and covered 2009-2013
# within 2 points of the 80% and 95% levels where fixed widths covered 90-95% and 98-99%.
SPREAD_TOLERANCE = 0.05
# window_scaling="auto" on many series: the largest share of zero values that still gets
# log scaling (see _rare_zeros).
MAX_LOG_ZEROS = 0.01
# ema_decay="auto": an average over about 200 optimizer steps on many series, 50 on one
# window-scaled series (whose epochs are a few to a few dozen steps).
PANEL_EMA_DECAY = 0.995
SERIES_EMA_DECAY = 0.98
# lr="auto": the learning rates of networks of one series and of many (see REGRESSOR_LR in
# _docstrings).
SERIES_LR = 1e-3
PANEL_LR = 5e-3


@dataclass(frozen=True)
class _Start:
    """What a regressor's untrained network forecasts: the skip, plus per target and
    quantile an offset from the skip's training residuals (None for squared error) or,
    for quantiles, a coefficient times the window's volatility (`spread`, with the
    volatility's `bounds`: see :func:`skrnn._skip.volatility`)."""

    skip: object
    offsets: np.ndarray | None
    spread: np.ndarray | None = None
    bounds: np.ndarray | None = None


class RecurrentRegressor(RegressorMixin, BaseRecurrent):
    """Base class of the recurrent regressors; use RNNRegressor, LSTMRegressor, GRURegressor."""

    _net_class = NeuralNetRegressor
    _y_numeric = True
    # Regressors pickled before quantile_spread existed had fixed widths, kept the last
    # step's weights, and read unscaled inputs.
    _added_params = {"quantile_spread": "fixed", "ema_decay": None, "scale_inputs": False}
    _added_attributes = {
        "loss_": "loss",
        "ema_decay_": "ema_decay",
        "lr_": "lr",
        "input_scale_": None,
    }
    _first_fit_params = (
        *BaseRecurrent._first_fit_params,
        *("loss", "quantile", "quantile_spread", "scale_target", "scale_inputs"),
        *("window_scaling", "season"),
        *("skip", "target_feature", "ema_decay"),
    )

    _parameter_constraints: dict = {
        **BaseRecurrent._parameter_constraints,
        "loss": [StrOptions({"auto", "squared_error", "absolute_error", "quantile"})],
        "quantile": [Interval(Real, 0, 1, closed="neither"), "array-like", None],
        "quantile_spread": [StrOptions({"auto", "volatility", "fixed"})],
        "scale_target": ["boolean"],
        "scale_inputs": [StrOptions({"auto"}), "boolean"],
        "window_scaling": [StrOptions({"auto", "log", "mean"}), None],
        "season": [Interval(Integral, 1, None, closed="left"), None],
        "skip": [StrOptions({"linear", "persistence"}), None],
        "target_feature": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
        "ema_decay": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="left"), None],
        "lr": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        conv_stride=None,
        center="auto",
        loss="auto",
        quantile=None,
        quantile_spread="auto",
        scale_target=True,
        scale_inputs="auto",
        window_scaling="auto",
        season=None,
        skip="linear",
        target_feature="auto",
        max_epochs=200,
        batch_size="auto",
        lr="auto",
        optimizer="adam",
        momentum=0.9,
        weight_decay=0.0,
        clip_grad_norm=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        ema_decay="auto",
        callbacks=None,
        random_state=None,
        device="cpu",
        verbose=0,
        warm_start=False,
        lags="auto",
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.conv_stride = conv_stride
        self.center = center
        self.loss = loss
        self.quantile = quantile
        self.quantile_spread = quantile_spread
        self.scale_target = scale_target
        self.scale_inputs = scale_inputs
        self.window_scaling = window_scaling
        self.season = season
        self.skip = skip
        self.target_feature = target_feature
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.ema_decay = ema_decay
        self.callbacks = callbacks
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.warm_start = warm_start
        self.lags = lags

    def predict(self, X):
        """Predict targets for windows `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            Windows, as for :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions in the units of `y`, 1-D if `y` was 1-D at fit.
        """
        output = self._point_forecast(self._predict_quantiles(X))
        return output.ravel() if self._y_ndim == 1 else output

    def predict_quantiles(self, X):
        """Predict every quantile of ``quantile`` for windows `X` (``loss="quantile"``).

        One network predicts them all, so they come from one fit; they are sorted, so a
        lower quantile is never above a higher one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            Windows, as for :meth:`fit`.

        Returns
        -------
        y_quantiles : ndarray of shape (n_samples, n_quantiles) or \
                (n_samples, n_outputs, n_quantiles)
            The quantiles ``quantiles_`` of the forecast, in the units of `y`; the outputs
            axis only if `y` was 2-D at fit.
        """
        check_is_fitted(self)
        if self.quantiles_ is None:
            raise AttributeError(
                f"predict_quantiles needs loss='quantile'; this {type(self).__name__} was "
                f"fitted with loss={self.loss_!r}."
            )
        quantiles = self._predict_quantiles(X)
        return quantiles[:, 0] if self._y_ndim == 1 else quantiles

    def _predict_quantiles(self, X):
        """(n_samples, n_outputs, n_quantiles) forecasts in target units, sorted."""
        output, norm = self._forward(X)
        n_quantiles = 1 if self.quantiles_ is None else len(self.quantiles_)
        if self.window_scaling_ is not None:
            output = self.window_scaling_.inverse(output.astype(np.float64), norm)
        elif n_quantiles == 1:  # float32 output, float64 statistics: computed in float64
            output = output * self.target_scale_ + self.target_mean_
        else:
            scale = np.repeat(self.target_scale_, n_quantiles)
            output = output * scale + np.repeat(self.target_mean_, n_quantiles)
        output = output.reshape(len(output), self.n_outputs_, n_quantiles)
        if n_quantiles > 1:
            output.sort(axis=2)  # monotone rearrangement: quantile curves never cross
        return output

    def _point_forecast(self, quantiles):
        """What predict returns from :meth:`_predict_quantiles`' output: the median, or,
        without it, the median interpolated between the quantiles on either side of it
        (the nearest one if all lie on one side)."""
        levels = np.asarray(self.quantiles_ if self.quantiles_ is not None else [0.5])
        above = int(np.searchsorted(levels, 0.5))
        if above == len(levels) or levels[above] == 0.5 or above == 0:
            return quantiles[..., min(above, len(levels) - 1)]
        low, high = levels[above - 1], levels[above]
        share = (0.5 - low) / (high - low)
        return (1 - share) * quantiles[..., above - 1] + share * quantiles[..., above]

    def _resolve_loss(self):
        if self.loss != "auto":
            return self.loss
        log = self.window_scaling_ is not None and self.window_scaling_.kind == "log"
        return "absolute_error" if log else "squared_error"

    def _resolve_quantiles(self):
        if self.loss != "quantile":
            return None
        quantiles = np.atleast_1d(np.asarray(0.5 if self.quantile is None else self.quantile))
        if quantiles.ndim != 1 or not np.issubdtype(quantiles.dtype, np.number):
            raise ValueError(
                f"quantile must be a number or a 1-D sequence of numbers, got {self.quantile!r}."
            )
        quantiles = quantiles.astype(np.float64)
        if not len(quantiles):
            raise ValueError("quantile must hold at least one level, got an empty sequence.")
        if not ((quantiles > 0) & (quantiles < 1)).all() or len(set(quantiles)) < len(quantiles):
            raise ValueError(
                f"quantile must hold distinct values strictly between 0 and 1, got "
                f"{self.quantile!r}."
            )
        return tuple(sorted(quantiles.tolist()))

    def _criterion_spec(self):
        return criterion_for(self.loss_, self.quantiles_ or ())

    def _row_loss(self):
        return sample_loss_for(self.loss_)

    def _encode_target(self, y, windows, *, reset):
        y = np.asarray(y, dtype=np.float64)
        y2d = y.reshape(len(y), -1)
        if reset:
            self._y_ndim = y.ndim
            self.n_outputs_ = y2d.shape[1]
            self.quantiles_ = self._resolve_quantiles()
            self.window_scaling_ = self._resolve_window_scaling(windows, y2d)
            self.loss_ = self._resolve_loss()
            mean, scale = np.zeros(y2d.shape[1]), np.ones(y2d.shape[1])
            if self.scale_target and self.window_scaling_ is None:
                # Moments of y / max|y|, so that squares of huge targets cannot overflow.
                peak = np.abs(y2d).max(axis=0)
                peak = np.where(peak > 0, peak, 1.0)
                mean = (y2d / peak).mean(axis=0) * peak
                scale = (y2d / peak).std(axis=0) * peak
            self.target_mean_ = mean
            self.target_scale_ = np.where(scale > 0, scale, 1.0)
        elif y2d.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2d.shape[1]} outputs, but the network was fitted with "
                f"{self.n_outputs_} (warm_start=True keeps the network)."
            )
        norm = self._window_norm(windows)
        if norm is not None:
            return self.window_scaling_.transform(y2d, norm).astype(np.float32), norm
        return ((y2d - self.target_mean_) / self.target_scale_).astype(np.float32), None

    def _resolve_window_scaling(self, windows, y):
        """The per-window scaling of the target (``window_scaling`` resolved), or None."""
        kind = self.window_scaling
        if kind is None:
            return None
        self._check_target_feature(windows.n_features)
        pmap = find_persistence(windows.last(), y, self.target_feature, windows.successors)
        if not pmap.exact:
            if kind == "auto":
                if windows.groups is not None:
                    warn(
                        "No feature of X holds the target's past values (y[t] reappearing "
                        "in the next window's last step), so the windows of these many "
                        "series cannot be scaled one by one: y is standardized as a whole, "
                        "and series of very different sizes will not train alike. Keep the "
                        "target column in X (make_supervised does).",
                        UserWarning,
                    )
                return None
            raise ValueError(
                f"window_scaling={kind!r} scales each window by the target's own past, but no "
                "feature of X holds the target's past values (y[t] reappearing in the next "
                "window's last step). Keep the target column in X, or pass "
                "window_scaling=None."
            )
        slope, intercept = float(pmap.slope[0]), float(pmap.intercept[0])
        past = windows.last()[:, pmap.feature] * slope + intercept
        positive = (y > 0).all() and (past > 0).all()
        if kind == "log" and not (positive or _rare_zeros(past, y)):
            raise ValueError(
                "window_scaling='log' takes the log of the target, but y has "
                f"{'negative values' if (y < 0).any() or (past < 0).any() else 'many zeros'} "
                f"(smallest {min(y.min(), past.min()):.4g}). Pass window_scaling='mean', "
                "which takes any values, or None."
            )
        if kind == "auto":
            if windows.groups is not None:  # many series: their scales must go
                kind = "log" if positive or _rare_zeros(past, y) else "mean"
            elif positive and (windows.n_features == 1 or self.loss == "quantile"):
                # Quantiles of a positive series spread with its level: on prices that
                # grew tenfold, bands learned in absolute units covered 57% for 80%.
                kind = "log"
            else:
                # One series: global standardization of y serves, and beside other
                # features (levels, volumes) a relative point forecast measured worse.
                return None
        return WindowScaling(kind, pmap.feature, self.season or 1, slope, intercept)

    def _window_norm(self, windows):
        if getattr(self, "window_scaling_", None) is None:
            return None
        return self.window_scaling_.norm(windows)

    def _check_target_feature(self, n_features):
        if self.target_feature != "auto" and self.target_feature >= n_features:
            raise ValueError(
                f"target_feature={self.target_feature} is out of range for X with "
                f"{n_features} features per time step."
            )

    @property
    def _gate(self):
        # With a skip the untrained network is a fitted linear forecast, a fair rival.
        return self.skip is not None

    def _fit_start(self, windows, y_train, norm):
        self._check_target_feature(windows.n_features)
        if self.skip is None:
            return None
        scaling = self.window_scaling_
        y = y_train.astype(np.float64)
        if scaling is not None:
            windows = ScaledWindows(windows, scaling, norm)
            skip = fit_skip(windows, y, kind=self.skip, feature=scaling.feature, scaled=True)
        else:
            skip = fit_skip(windows, y, kind=self.skip, feature=self.target_feature)
        if self.loss_ == "squared_error":
            return _Start(skip, None)
        residuals = y - skip.predict(windows)
        offsets = residual_offsets(self.loss_, self.quantiles_, residuals)
        feature = self._spread_feature(skip)
        if self.loss_ != "quantile" or feature is None or self.quantile_spread == "fixed":
            return _Start(skip, offsets)
        # Or quantiles of the residuals per unit of the window's volatility, so that the
        # interval widens and narrows with the recent past (quantile_spread).
        unbounded = volatility(windows, feature)
        bounds = np.array(volatility_bounds(unbounded))
        scale = bounded_volatility(unbounded, bounds)[:, None]
        spread = residual_offsets(self.loss_, self.quantiles_, residuals / scale)
        if self.quantile_spread == "auto":
            fixed = pinball_of_offsets(self.quantiles_, residuals, offsets)
            scaled = pinball_of_offsets(self.quantiles_, residuals, spread * scale[:, :, None])
            if scaled > (1 + SPREAD_TOLERANCE) * fixed:
                return _Start(skip, offsets)
        return _Start(skip, None, spread, bounds)

    def _spread_feature(self, skip):
        """The input feature whose volatility scales a quantile's start: the target's own
        past (None where no feature is known to hold it)."""
        if self.window_scaling_ is not None:
            return self.window_scaling_.feature
        return int(skip.feature) if skip.exact else None

    def _set_start(self, start, windows, y_train):
        self.skip_ = None if start is None else start.skip
        self.start_offsets_ = None if start is None else start.offsets
        self.start_spread_ = None if start is None else start.spread
        self.start_volatility_ = None if start is None else start.bounds

    def _start_of_fitted(self):
        if self.skip_ is None:
            return None
        spread = getattr(self, "start_spread_", None)  # None in models saved before it
        bounds = getattr(self, "start_volatility_", None)
        return _Start(self.skip_, self.start_offsets_, spread, bounds)

    def _validation_folds(self, windows, y_train, n_folds, seed):
        # Targets 1 .. h steps ahead: the h - 1 rows before a block share its target dates.
        return tail_folds(windows, self.validation_fraction, n_folds, gap=self.n_outputs_ - 1)

    def _gain_blocks(self, windows, index):
        # Targets h steps ahead overlap on consecutive rows: blocks of h rows of a series.
        codes = (
            np.zeros(len(index), dtype=np.int64)
            if windows.groups is None
            else windows.groups[index]
        )
        block = windows.positions()[index] // self.n_outputs_
        return codes * (block.max(initial=0) + 1) + block

    def _resolve_lr(self, windows):
        if self.lr != "auto":
            return self.lr
        return SERIES_LR if windows.groups is None else PANEL_LR

    def _resolve_ema_decay(self, windows):
        if self.ema_decay != "auto":
            return self.ema_decay
        # Measured on point forecasts; the quantile networks' interval coverage was
        # measured without it.
        if self.loss_ == "quantile":
            return None
        if windows.groups is not None:
            return PANEL_EMA_DECAY
        return None if self.window_scaling_ is None else SERIES_EMA_DECAY

    def _resolve_center(self):
        # Centring keeps a network from extrapolating levels it never saw; a target the
        # skip's tests found stationary stays in range, and its level (and that of the
        # other features) carries information.
        if self.center == "auto":
            if self.window_scaling_ is not None:
                # The scaled target is relative to its recent level; other features are not.
                return n_step_features(self) > 1
            return not (self.skip_ is not None and self.skip_.stationary)
        return self.center

    def _set_input_scale(self, windows, norm):
        scale = self.scale_inputs
        if scale == "auto":
            # Changes relative to a window's level: their size is the series', and no
            # scaler of the user's sets it. Panels: measured worse (scale_inputs' doc).
            scale = self.window_scaling_ is not None and windows.groups is None
        if not scale:
            self.input_scale_ = None
            return
        if self.window_scaling_ is not None:
            windows = ScaledWindows(windows, self.window_scaling_, norm)
        self.input_scale_ = input_rms(windows, center=self.center_)

    def _module_kwargs(self, start):
        scaling = self.window_scaling_
        n_quantiles = 1 if self.quantiles_ is None else len(self.quantiles_)
        return {
            "output_size": self.n_outputs_ * n_quantiles,
            "skip": start is not None,
            "scaling": None if scaling is None else scaling.kind,
            "target_feature": 0 if scaling is None else scaling.feature,
            "target_map": (1.0, 0.0) if scaling is None else (scaling.slope, scaling.intercept),
            "spread_feature": (
                None if start is None or start.spread is None else self._spread_feature(start.skip)
            ),
            "input_scale": None if self.input_scale_ is None else tuple(self.input_scale_),
        }

    def _init_module(self, module, start):
        if start is None:
            return
        # One output per target and quantile: each quantile starts at the skip's forecast
        # plus that quantile of its training residuals.
        n_quantiles = 1 if self.quantiles_ is None else len(self.quantiles_)
        weight = np.repeat(start.skip.weight, n_quantiles, axis=-1)
        bias = np.repeat(start.skip.bias, n_quantiles, axis=-1)
        if start.offsets is not None:
            bias = bias + start.offsets.ravel()
        module.skip_weight.copy_(module.skip_weight.new_tensor(weight))
        module.skip_bias.copy_(module.skip_bias.new_tensor(bias))
        if start.spread is not None:
            module.skip_spread.copy_(module.skip_spread.new_tensor(start.spread.ravel()))
            module.spread_bounds.copy_(module.spread_bounds.new_tensor(start.bounds))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _rare_zeros(past, y):
    """Whether a non-negative target is zero in at most MAX_LOG_ZEROS of its values.

    A few zeros (a closure, a strike) in a panel of positive series should not cost every
    series its log scaling: on the tourism competition's quarterly series (24 zeros in
    42,544 values) mean scaling instead of log cost 11% in sMAPE, and put the network
    behind the seasonal naive forecast. Log scaling floors a zero at a small fraction of
    its window's level (``LOG_FLOOR``).
    """
    # Zero up to the round-off of the float32 windows and of the persistence map.
    tiny = 1e-6 * max(np.abs(past).max(initial=0.0), np.abs(y).max(initial=0.0))
    if (past < -tiny).any() or (y < -tiny).any():
        return False
    zeros = max(np.mean(past <= tiny), np.mean(y <= tiny))
    return bool(zeros <= MAX_LOG_ZEROS)


class LSTMRegressor(RecurrentRegressor):
    __doc__ = regressor_doc(
        "Long short-term memory (LSTM) network for regression on windows.",
        "Gated memory cells carry information across many steps without vanishing "
        "gradients; a good default for most series.",
    )
    _cell = "lstm"


class GRURegressor(RecurrentRegressor):
    __doc__ = regressor_doc(
        "Gated recurrent unit (GRU) network for regression on windows.",
        "Like an LSTM with fewer gates: slightly faster, usually as accurate.",
        example_class="GRURegressor",
    )
    _cell = "gru"


class RNNRegressor(RecurrentRegressor):
    __doc__ = regressor_doc(
        "Elman recurrent network (plain RNN) for regression on windows.",
        "The simplest recurrent cell, ``h_t = f(W x_t + U h_(t-1) + b)``. Prone to "
        "vanishing and exploding gradients on long windows, which ``clip_grad_norm`` and "
        "scaled inputs keep in check.",
        extra_params="""\
    nonlinearity : {"tanh", "relu"}, default="tanh"
        The activation ``f``. ``"relu"`` does not saturate, which helps on long windows,
        but can explode; keep inputs scaled and gradients clipped.

""",
        example_class="RNNRegressor",
    )
    _cell = "rnn"

    _parameter_constraints: dict = {
        **RecurrentRegressor._parameter_constraints,
        "nonlinearity": [StrOptions({"tanh", "relu"})],
    }

    def __init__(
        self,
        *,
        nonlinearity="tanh",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        conv_stride=None,
        center="auto",
        loss="auto",
        quantile=None,
        quantile_spread="auto",
        scale_target=True,
        scale_inputs="auto",
        window_scaling="auto",
        season=None,
        skip="linear",
        target_feature="auto",
        max_epochs=200,
        batch_size="auto",
        lr="auto",
        optimizer="adam",
        momentum=0.9,
        weight_decay=0.0,
        clip_grad_norm=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        ema_decay="auto",
        callbacks=None,
        random_state=None,
        device="cpu",
        verbose=0,
        warm_start=False,
        lags="auto",
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            conv_stride=conv_stride,
            center=center,
            loss=loss,
            quantile=quantile,
            quantile_spread=quantile_spread,
            scale_target=scale_target,
            scale_inputs=scale_inputs,
            window_scaling=window_scaling,
            season=season,
            skip=skip,
            target_feature=target_feature,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            momentum=momentum,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            ema_decay=ema_decay,
            callbacks=callbacks,
            random_state=random_state,
            device=device,
            verbose=verbose,
            warm_start=warm_start,
            lags=lags,
        )
        self.nonlinearity = nonlinearity
