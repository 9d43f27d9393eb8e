"""The naive forecast every model is judged against: "tomorrow = today".

Also home of the persistence map, shared with the networks' skip connection: which input
feature is the target's own past, and the affine map from that feature's (possibly scaled)
values back to target units. No torch here.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._compact import CompactWindows
from ._validation import check_windows

__all__ = ["PersistenceRegressor"]

# Relative RMS residual below which an affine fit counts as exact. float32 inputs scaled to
# a few units round at ~1e-7; a random walk's best affine fit of y[t] on x[t] leaves ~1e-2.
_EXACT_TOL = 1e-5
# Training rows need not be one unbroken run (a KFold training set has a gap, bootstrap
# samples are blocks, series may be stacked without ids): the map is still exact when the
# target reappears on all but this share of the pairs of rows.
MAX_BROKEN = 0.1
# A single target h steps ahead (one model per horizon, as skforecast's ForecasterDirect,
# sklearn's MultiOutputRegressor or sktime's direct reduction fit) reappears h rows later:
# shifts up to this are searched, each first on a few pairs spread over the rows.
MAX_SHIFT = 200
_PROBE_PAIRS = 16  # at least, of rows that have a sample that many steps later
# Pairs a map needs to be found past shift 1 or through breaks: on a few dozen rows of
# counts, a line through a cluster of zeros and a few points fits by chance.
MIN_SHIFT_PAIRS = 32


@dataclass(frozen=True)
class PersistenceMap:
    """``y ~ slope * X_last[:, feature] + intercept`` (one slope and intercept per output).

    ``shift``: the rows after which output 0 reappears as the feature (its horizon), where
    the map is exact."""

    feature: int
    slope: np.ndarray
    intercept: np.ndarray
    exact: bool
    shift: int = 1

    def predict(self, last):
        return last[:, self.feature, None] * self.slope + self.intercept


def _affine_fit(x, y):
    """Least-squares ``y ~ a * x + b`` per column of `y`; returns a, b, relative RMS error."""
    # Fit on x and y divided by their largest magnitude, so squares cannot overflow.
    x_peak, y_peak = _peak(x), _peak(y)
    slope, intercept, rel_rms = _unit_affine_fit(x / x_peak, y / y_peak)
    with np.errstate(over="ignore"):
        slope = slope * (y_peak / x_peak)
    if not np.isfinite(slope).all():
        # x spans too little (values near the smallest float) to map onto y: no fit, the
        # mean of y (a slope that overflows would forecast inf and NaN).
        return np.zeros_like(slope), (y / y_peak).mean(axis=0) * y_peak, 1.0
    return slope, intercept * y_peak, rel_rms


def _peak(values):
    peak = np.abs(values).max() if values.size else 0.0
    return peak if peak > 0 else 1.0


def _unit_affine_fit(x, y):
    x_mean, y_mean = x.mean(), y.mean(axis=0)
    xc, yc = x - x_mean, y - y_mean
    sxx = xc @ xc
    slope = (xc @ yc) / sxx if sxx > 0 else np.zeros(y.shape[1])
    intercept = y_mean - slope * x_mean
    resid = yc - np.outer(xc, slope)
    scale = np.sqrt((yc**2).mean(axis=0)) + np.finfo(float).tiny
    rel_rms = float(np.max(np.sqrt((resid**2).mean(axis=0)) / scale))
    return slope, intercept, rel_rms


def find_persistence(last, y, feature="auto", successors=None):
    """Find the input feature that is the target's own past, and map it to target units.

    Parameters
    ----------
    last : ndarray of shape (n_samples, n_features)
        The most recent observation of every sample, in the order the samples were given.
    y : ndarray of shape (n_samples, n_outputs)
        Targets; column 0 is the next value of the series.
    feature : "auto" or int
        The feature to use, or "auto" to find it.
    successors : callable or None
        ``successors(k) -> (rows, later)``: the samples that have a sample `k` steps later
        in the same series, and that sample, for windows of many series. None: the samples
        are consecutive steps of one series.

    Returns
    -------
    PersistenceMap

    Notes
    -----
    When the rows are consecutive time steps, ``y[t]`` reappears as the target feature of row
    ``t + 1``, so an affine fit of ``y[t]`` on ``last[t + 1]`` is exact and undoes whatever
    scaler (standard, min-max, ...) sits in front of the estimator. That exact map is what
    makes the forecast equal to the last observed value, in target units, to float precision.
    The map stays exact where up to ``MAX_BROKEN`` of the rows are not followed by their
    next step (gaps, blocks, stacked series), and a single target ``h`` steps ahead is
    found ``h`` rows later. Where no feature fits exactly (rows mostly not consecutive, or
    the target is not among the features), fall back to the feature whose current value
    correlates most with ``y`` and a least-squares map.
    """
    n_features = last.shape[1]
    last = last.astype(np.float64, copy=False)
    y = y.astype(np.float64, copy=False)
    if successors is None:
        n = len(y)

        def successors(k):
            return np.arange(max(n - k, 0)), np.arange(k, n)

    candidates = list(range(n_features)) if feature == "auto" else [feature]
    # Exact on every pair first (consecutive rows: nearly always), the target one row
    # later or, alone, further ahead; only then on all but MAX_BROKEN of the pairs. A
    # feature that repeats the target's past on most rows only (an older lag of a series
    # that rarely moves, a 0/1 indicator of a count) never beats the one that is it.
    found = _find_map(last, y, candidates, successors, tolerant=False)
    if found is None:
        found = _find_map(last, y, candidates, successors, tolerant=True)
    if found is not None:
        feature, shift, fit = found
        # Output k (horizon k + 1) reappears as the feature k + 1 rows later. Where no
        # sample has one that far ahead (series of a panel shorter than the horizon), the
        # data say nothing against the map of output 0: it is kept.
        fits = [fit] + [
            _shifted_fit(last, y, feature, k, successors, tolerant=True)
            for k in range(1, y.shape[1])
        ]
        for k in range(1, y.shape[1]):
            if fits[k] is None and len(successors(k + 1)[0]) < 2:
                fits[k] = fits[0]
        if all(fits):
            slope = np.array([fit[0] for fit in fits])
            intercept = np.array([fit[1] for fit in fits])
            return PersistenceMap(feature, slope, intercept, exact=True, shift=shift)
    elif feature == "auto":
        scores = [abs(_correlation(last[:, j], y[:, 0])) for j in range(n_features)]
        feature = int(np.argmax(scores))
    slope, intercept, _ = _affine_fit(last[:, feature], y)
    return PersistenceMap(feature, slope, intercept, exact=False)


def _find_map(last, y, candidates, successors, *, tolerant):
    """``(feature, shift, fit)`` of the exact map of output 0 (``fit``: slope, intercept,
    relative RMS error, pairs dropped), or None: at shift 1 (every candidate, in full
    without `tolerant`), else, for a single target, at the smallest shift in 2 ..
    MAX_SHIFT. Among candidates, the fewest pairs dropped and then the smallest error win.

    Shifts are tried first on a few rows spread over the samples, whose samples that many
    steps later are found by walking the one-step successors (cheap), and in full only
    for the candidates that fit those pairs.
    """
    rows, later = successors(1)
    if not tolerant:  # in full: as exact on a few rows as on many
        fits = [(fit, j) for j in candidates if (fit := _exact_fit(last[later, j], y[rows, :1]))]
        if fits or y.shape[1] > 1:
            return _best(fits, 1)
    step = np.full(len(y), -1, dtype=np.intp)
    step[rows] = later
    probe = np.unique(np.linspace(0, len(y) - 1, 4 * _PROBE_PAIRS).astype(np.intp))
    ahead = probe
    last_shift = 1 if y.shape[1] > 1 else min(MAX_SHIFT, len(y) // 2)
    columns = np.asarray(candidates)
    for shift in range(1, last_shift + 1):
        alive = ahead >= 0
        probe, ahead = probe[alive], step[ahead[alive]]
        if len(probe) < _PROBE_PAIRS:
            return None
        if shift == 1 and not tolerant:
            continue  # checked in full above
        pairs = ahead >= 0
        x_probe, y_probe = last[ahead[pairs]][:, columns], y[probe[pairs], 0]
        fitting = columns[_nearly_exact_columns(x_probe, y_probe, tolerant)]
        fits = [
            (fit, j)
            for j in fitting
            if (fit := _shifted_fit(last, y, j, 0, successors, shift, tolerant=tolerant))
        ]
        if fits:
            return _best(fits, shift)
    return None


def _best(fits, shift):
    if not fits:
        return None
    fit, feature = min(fits, key=lambda item: (item[0][3], item[0][2]))
    return int(feature), shift, fit


def _shifted_fit(last, y, feature, output, successors, shift=None, *, tolerant=False):
    """Exact affine fit of ``y[t, output]`` on ``last[t + shift, feature]`` (`shift`
    ``output + 1`` by default), or None (see :func:`_exact_fit`). A shift past 1 needs
    MIN_SHIFT_PAIRS pairs."""
    shift = output + 1 if shift is None else shift
    rows, later = successors(shift)
    if shift > 1 and len(rows) < MIN_SHIFT_PAIRS:
        return None
    return _exact_fit(last[later, feature], y[rows, output : output + 1], tolerant)


def _exact_fit(x, y, tolerant=False):
    """``(slope, intercept, relative RMS error, pairs dropped)`` of an affine map ``y ~
    slope * x + intercept`` exact on every pair, or (`tolerant`) on all but at most
    MAX_BROKEN of at least MIN_SHIFT_PAIRS pairs, that take 3 or more values of `x`; or
    None.

    The pairs where the rows break (a gap, another series) lie far off the map: refitting
    on the pairs nearest the fit drops them.
    """
    if len(x) < 2:
        return None
    slope, intercept, rel_rms = _affine_fit(x, y)
    if rel_rms < _EXACT_TOL and slope[0] != 0:
        return slope[0], intercept[0], rel_rms, 0
    if not tolerant or len(x) < MIN_SHIFT_PAIRS:
        return None
    keep = len(x) - int(MAX_BROKEN * len(x))
    for _ in range(2):
        distance = np.abs(y[:, 0] - (x * slope[0] + intercept[0]))
        best = np.argpartition(distance, keep - 1)[:keep]
        slope, intercept, rel_rms = _affine_fit(x[best], y[best])
        if rel_rms < _EXACT_TOL and slope[0] != 0 and len(np.unique(x[best])) >= 3:
            dropped = int(np.count_nonzero(distance > _EXACT_TOL * _peak(y)))
            return slope[0], intercept[0], rel_rms, dropped
    return None


def _nearly_exact_columns(x, y, tolerant):
    """Which columns of `x` (pairs, columns) map affinely onto `y` (pairs,) exactly, on
    all pairs or (`tolerant`) all but MAX_BROKEN of them, taking 3 or more values of `x`:
    :func:`_exact_fit` of a few pairs, for every column at once."""
    x = x / np.where((peak := np.abs(x).max(axis=0)) > 0, peak, 1.0)
    y = y / _peak(y)
    use = np.ones(x.shape, dtype=bool)
    keep = len(x) - int(MAX_BROKEN * len(x)) if tolerant else len(x)
    for _ in range(3 if tolerant else 1):
        count = use.sum(axis=0)
        x_mean, y_mean = (x * use).sum(axis=0) / count, (y[:, None] * use).sum(axis=0) / count
        xc, yc = (x - x_mean) * use, (y[:, None] - y_mean) * use
        sxx = (xc**2).sum(axis=0)
        slope = (xc * yc).sum(axis=0) / np.where(sxx > 0, sxx, 1.0)
        resid = yc - slope * xc
        rel_rms = np.sqrt((resid**2).sum(axis=0) / ((yc**2).sum(axis=0) + np.finfo(float).tiny))
        kept = np.sort(np.where(use, x, np.nan), axis=0)
        values = 1 + np.count_nonzero(np.diff(kept, axis=0) > 0, axis=0)
        exact = (rel_rms < _EXACT_TOL) & (slope != 0) & (values >= 3)
        if exact.any() or keep == len(x):
            return exact
        distance = np.abs(y[:, None] - (slope * x + (y_mean - slope * x_mean)))
        use = np.argsort(np.argsort(distance, axis=0), axis=0) < keep
    return exact


def _correlation(a, b):
    a, b = a - a.mean(), b - b.mean()
    denom = np.sqrt((a @ a) * (b @ b))
    return (a @ b) / denom if denom > 0 else 0.0


def last_observation(X):
    """The most recent row of each sample: ``X[:, -1, :]`` for windows, `X` itself for rows."""
    if isinstance(X, CompactWindows):
        return X.last()
    return X[:, -1, :] if X.ndim == 3 else X


class PersistenceRegressor(RegressorMixin, BaseEstimator):
    """The naive forecast: the next value equals the last observed value of the target.

    Put it where a network would go, e.g.
    ``make_pipeline(StandardScaler(), SlidingWindow(7), PersistenceRegressor())``, so every
    comparison shows the line a forecaster has to beat. For daily prices that line is hard
    to beat: they are close to a random walk.

    Behind a scaler the last value is in scaled units; the regressor maps it back to target
    units exactly by noticing that, on consecutive training rows, ``y[t]`` reappears as the
    target feature of row ``t + 1`` (see Notes).

    Parameters
    ----------
    target_feature : "auto" or int, default="auto"
        Index of the input feature that holds the target's past values. ``"auto"`` finds it
        from the training rows.

    Attributes
    ----------
    target_feature_ : int
        The feature used.

    persistence_exact_ : bool
        Whether the map from that feature to the target was found exact (consecutive rows
        whose target reappears as the feature) rather than a least-squares fit.

    map_ : PersistenceMap
        The map itself: ``feature``, per output ``slope`` and ``intercept`` (target =
        slope * feature + intercept), ``exact``, and ``shift``, the rows after which the
        target reappears as the feature (its horizon, for a single target).

    n_features_in_ : int
        Number of features per time step seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit` (2-D DataFrame input only).

    Notes
    -----
    Input may be 3-D windows ``(n_samples, n_timesteps, n_features)``, whose last step is
    used, or 2-D rows ``(n_samples, n_features)``. With a multi-output `y` (horizons of one
    target), every horizon is forecast as the last value.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import PersistenceRegressor
    >>> X = np.array([[1.0], [2.0], [4.0], [7.0]])
    >>> y = np.array([2.0, 4.0, 7.0, 11.0])
    >>> PersistenceRegressor().fit(X, y).predict(np.array([[20.0]]))
    array([20.])
    """

    _parameter_constraints: dict = {
        "target_feature": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, target_feature="auto"):
        self.target_feature = target_feature

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Find the target feature and its map to target units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_features)
            Windows or rows, in time order.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        Returns
        -------
        self : PersistenceRegressor
            The fitted regressor.
        """
        X, y = self._validate(X, y, reset=True)
        last = last_observation(X)
        self._check_target_feature(last.shape[1])
        y2d = y.reshape(len(y), -1)
        successors = X.successors if isinstance(X, CompactWindows) else None
        self.map_ = find_persistence(last, y2d, self.target_feature, successors)
        self.target_feature_ = self.map_.feature
        self.persistence_exact_ = self.map_.exact
        self._y_ndim = y.ndim
        return self

    def predict(self, X):
        """Forecast the last observed value of the target feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_features)
            Windows or rows.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The forecast.
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        y_pred = self.map_.predict(last_observation(X))
        return y_pred.ravel() if self._y_ndim == 1 else y_pred

    def _validate(self, X, y="no_validation", *, reset):
        out = check_windows(self, X, y, reset=reset)
        X = out[0] if isinstance(out, tuple) else out
        if not np.isfinite(last_observation(X)).all():
            raise ValueError(
                "Input X contains NaN or inf in the most recent time step; impute missing "
                "values first, e.g. with SimpleImputer before SlidingWindow."
            )
        return out

    def _check_target_feature(self, n_features):
        if self.target_feature != "auto" and self.target_feature >= n_features:
            raise ValueError(
                f"target_feature={self.target_feature} is out of range for X with "
                f"{n_features} features per time step."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags
