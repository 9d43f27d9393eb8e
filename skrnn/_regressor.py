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
from ._docstrings import (
    CONV_STRIDE,
    FITTED_ATTRIBUTES,
    INPUT_NOTES,
    NETWORK_PARAMS,
    REGRESSOR_EARLY_STOPPING,
    training_params,
)
from ._lags import LAG_LAYOUT_ATTRIBUTE, LAGS_PARAM
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
# lr="auto": the learning rates of networks of one series and of many (see LEARNING_RATE).
SERIES_LR = 1e-3
PANEL_LR = 5e-3

REGRESSOR_CENTER = """\
    center : "auto" or bool, default="auto"
        Feed the network each window minus its last time step (per feature), so it learns
        from the shape of the recent past rather than from levels it may never have seen
        in training (prices whose test years lie far above the training years). ``"auto"``
        centres, except when the skip's tests found the target stationary: there levels
        stay in range and carry information."""

EMA_DECAY = """\
    ema_decay : "auto", float in [0, 1) or None, default="auto"
        Keep an exponential moving average of the weights over the optimizer steps
        (updated after each step with weight ``1 - ema_decay`` for the new weights: an
        average over about ``1 / (1 - ema_decay)`` steps), and let early stopping score,
        keep and return that average instead of the last step's weights. Late in training
        each step moves the weights by its mini-batch's noise; the average keeps the
        direction. ``"auto"``: for point forecasts, 0.995 on windows of many series, where
        an epoch is hundreds of steps (on the M3 competition it lowered sMAPE on all four
        subsets), and 0.98 on one series whose windows are scaled one by one
        (``window_scaling_``; on half-hourly load and monthly air passengers every
        network then trained past its start); None (the last step's weights) on one
        standardized series, where on daily price windows averaged networks passed the
        keep-or-discard test and then lost to persistence on the test years (MSFT: 1.056
        times persistence), and for ``loss="quantile"``, whose interval coverage was
        measured without it. ``ema_decay_`` holds the decay used."""

LEARNING_RATE = """\
    lr : "auto" or float, default="auto"
        Learning rate. ``"auto"``: 5e-3 for windows of many series, where an epoch is
        hundreds of optimizer steps over series that share their patterns (on the M3
        competition it lowered sMAPE on all four subsets, and the interval score of the
        monthly quantile networks, in about half the training time); 1e-3 for one series,
        where larger rates let networks through the keep-or-discard test that then lost
        to persistence on the test years (MSFT, 7% at 3e-3). ``lr_`` holds the rate used."""

REGRESSION_PARAMS = """\
    loss : {"auto", "squared_error", "absolute_error", "quantile"}, default="auto"
        What the network is trained to forecast, as in scikit-learn: the conditional mean,
        median, or the conditional ``quantile``. The linear start follows: for the median
        and quantiles it is the skip's forecast shifted by that quantile of its training
        residuals. ``"auto"``: ``"absolute_error"`` where windows are scaled by their logs
        (``window_scaling_`` is ``"log"``), ``"squared_error"`` otherwise. A network that
        learns logs forecasts the median in the series' units exactly (a median survives
        the exponential, a mean of logs does not come back as a mean), the forecast that
        percentage errors such as the M3 competition's sMAPE reward: on the M3 panels it
        lowered sMAPE on every subset, by up to 6%. ``loss_`` holds the loss used.

    quantile : float or sequence of float, default=None
        The quantile(s) to forecast with ``loss="quantile"`` (0.5 if None); ignored
        otherwise. Several quantiles come from one network with one output each: an
        interval from one fit (:meth:`predict_quantiles`), while :meth:`predict` returns
        the median (interpolated between the two quantiles around 0.5 if it is not among
        them), so the estimator stays a point forecaster in pipelines and searches.

    quantile_spread : {"auto", "volatility", "fixed"}, default="auto"
        How far each quantile's linear start lies from the skip's forecast
        (``loss="quantile"``). ``"volatility"``: that quantile of the skip's training
        residuals per unit of the window's volatility (the mean absolute change of the
        target between consecutive steps of the window), times the window's volatility:
        intervals widen after volatile steps, narrow after calm ones, and keep their
        coverage when a series calms down or heats up (on the bundled stock prices, fixed
        widths learned on 2000-2009 cover 90-95% of 2009-2013 for an 80% interval).
        ``"fixed"``: that quantile of the residuals, the same for every window (relative
        to the level under window scaling). ``"auto"``: ``"volatility"`` unless its
        pinball loss on the training rows exceeds the fixed widths' by more than 5% (on
        M3's monthly panel it does by 17%: there a window's month-to-month changes,
        seasonal swings included, say little about the errors 18 months ahead). Fixed
        when no feature of `X` is known to hold the target's past.

    scale_target : bool, default=True
        Standardize `y` inside the estimator and map predictions back, so raw targets of
        any size (index levels of 40,000, say) train like unit-scale ones. Not used when
        windows are scaled one by one (``window_scaling_``).

    scale_inputs : "auto" or bool, default="auto"
        Divide what the network reads, feature by feature, by its root mean square over the
        training windows (after ``window_scaling`` and ``center``), so that the recurrent
        layer, initialised for unit-scale inputs, sees them whatever the series: a
        window's changes relative to its level are a few thousandths on weekly CO2 and a
        few tenths on electricity load, and on such small inputs the network stays nearly
        linear and barely moves from its start. The skip reads the unscaled windows.
        ``"auto"``: on for one series whose windows are scaled one by one
        (``window_scaling_``): on half-hourly electricity load the networks then trained
        past their start on every seed, 5-8% better in MAE. Off otherwise: a scaler in the
        pipeline sets the scale of other windows (on daily prices, scaled inputs let
        networks through the keep-or-discard test that then lost 2.5% to persistence), and
        on windows of many series, which ``window_scaling`` already puts on one scale, the
        M3 networks were 0.1-1.5% better without it at the learning rate chosen for them.

    window_scaling : {"auto", "log", "mean"} or None, default="auto"
        Scale each window, and its targets, by the target's own recent past, so that one
        network serves series of any size and predictions come back in each series'
        units: ``"log"`` takes logs and subtracts the mean log of the last ``season``
        values (for a positive target: relative changes, a multiplicative season becomes
        additive); ``"mean"`` subtracts the mean of the last ``season`` values and divides
        by the window's mean absolute value (any target, zeros included). ``"auto"``: for
        windows of many series (from ``SlidingWindow(group=...)``), ``"log"`` for a positive
        target (zeros allowed in at most 1% of its values: a closure, a strike) and
        ``"mean"`` otherwise; for one series, ``"log"`` for a positive target
        that is the only feature or whose quantiles are forecast (``loss="quantile"``:
        bands then widen with the level), else None. None: `y` is standardized as a whole
        (``scale_target``).

    season : int or None, default=None
        The season length of the target (12 for monthly data), used by
        ``window_scaling``: each window is relative to the mean of its last `season`
        values rather than to its last value. None: no season (1).

    skip : {"linear", "persistence"} or None, default="linear"
        The forecast the network corrects. The network's output is added to it, and it
        starts at zero, so before training the model *is* this forecast:

        - ``"persistence"``: the last value of the target feature ("tomorrow = today"),
          mapped exactly to target units even behind a scaler;
        - ``"linear"``: persistence plus a ridge correction on that feature's recent
          changes or, only for a series the Dickey-Fuller and KPSS tests find stationary,
          on its lags or on the lags of every feature (the ridge on the flattened window).
          Fitted in closed form, not trained; forward-chaining cross-validation picks the
          correction, kept only if its gain over persistence is significant.
        - None: a plain network, its head on the last hidden state.

    target_feature : "auto" or int, default="auto"
        Index of the input feature that holds the target's past values, used by ``skip``.
        ``"auto"`` finds it: on consecutive training rows, ``y[t]`` reappears as that
        feature in row ``t + 1``."""


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
        max_epochs=100,
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


def _regressor_doc(title, cell_text, extra_params="", example_class="LSTMRegressor"):
    return f"""{title}

    {cell_text}

    By default the network corrects a linear forecast (see ``skip``) and stops early on the
    most recent training rows, so out of the box it does no worse than that forecast; for
    daily prices, which are close to a random walk, it stays close to "tomorrow = today".

    Parameters
    ----------
{extra_params}{NETWORK_PARAMS}

{CONV_STRIDE.format(default="None")}

{REGRESSOR_CENTER}

{REGRESSION_PARAMS}

{training_params(LEARNING_RATE, REGRESSOR_EARLY_STOPPING)}

{EMA_DECAY}

{LAGS_PARAM}

    Attributes
    ----------
{FITTED_ATTRIBUTES}

{LAG_LAYOUT_ATTRIBUTE}

    n_outputs_ : int
        Number of outputs (forecast horizons) of `y`.

    target_mean_, target_scale_ : ndarray of shape (`n_outputs_`,)
        The standardization of `y` (0 and 1 with ``scale_target=False``).

    loss_ : str
        The loss the network was trained with (``loss="auto"`` resolved).

    ema_decay_ : float or None
        The decay of the weight average (``ema_decay="auto"`` resolved); None: the
        network has the weights of its last optimizer step.

    quantiles_ : tuple of float or None
        The quantiles forecast with ``loss="quantile"`` (sorted); None otherwise.

    start_offsets_ : ndarray of shape (n_outputs, n_quantiles) or None
        What the untrained network adds to the skip's forecast (in scaled units): the
        quantiles (the median, for absolute error) of the skip's training residuals;
        None for squared error and for quantiles scaled by `start_spread_`.

    start_spread_ : ndarray of shape (n_outputs, n_quantiles) or None
        With ``loss="quantile"``: what the untrained network adds to the skip's forecast
        per unit of the window's volatility (the mean absolute change of the target's
        past between consecutive steps of the window, in scaled units): the quantiles
        of the skip's training residuals divided by their window's volatility. An
        interval from the start is then wide after volatile days and narrow after calm
        ones. None without a skip or a known target feature (the offsets are then fixed).

    start_volatility_ : ndarray of shape (2,) or None
        The least volatility a window is given (a tenth of the training windows' median)
        and that of a window with a single real step (the median).

    input_scale_ : ndarray of shape (n_features,) or None
        What the network divides its inputs by, per feature (``scale_inputs``); None: no
        division.

    window_scaling_ : WindowScaling or None
        The per-window scaling used (``kind``, the target ``feature``, ``season``), or None.

    skip_ : LinearSkip or None
        The fitted skip forecast: ``feature`` (the target feature found), ``weight`` and
        ``bias`` over that feature's window in standardized target units, ``exact``
        (persistence map exact) and ``unit_root`` (no mean-reversion term).

    See Also
    --------
    SlidingWindow : Cut a series into one window per row.
    PersistenceRegressor : The naive forecast to compare with.

    Notes
    -----
{INPUT_NOTES}

    A 2-D `y` of shape ``(n_samples, n_outputs)`` trains one network with one output per
    column: a direct multi-step forecast when the columns are horizons.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrnn import SlidingWindow, {example_class}, make_supervised
    >>> series = np.sin(np.arange(300) / 10).reshape(-1, 1)
    >>> X, y = make_supervised(series, target=0)
    >>> model = make_pipeline(StandardScaler(), SlidingWindow(window=10),
    ...                       {example_class}(hidden_size=8, max_epochs=5, random_state=0))
    >>> model.fit(X, y).predict(X)[-3:].shape  # the last rows with the history before them
    (3,)
    """


class LSTMRegressor(RecurrentRegressor):
    __doc__ = _regressor_doc(
        "Long short-term memory (LSTM) network for regression on windows.",
        "Gated memory cells carry information across many steps without vanishing "
        "gradients; a good default for most series.",
    )
    _cell = "lstm"


class GRURegressor(RecurrentRegressor):
    __doc__ = _regressor_doc(
        "Gated recurrent unit (GRU) network for regression on windows.",
        "Like an LSTM with fewer gates: slightly faster, usually as accurate.",
        example_class="GRURegressor",
    )
    _cell = "gru"


class RNNRegressor(RecurrentRegressor):
    __doc__ = _regressor_doc(
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
        max_epochs=100,
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
