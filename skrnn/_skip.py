"""The linear forecast a recurrent regressor starts from and corrects. No torch here.

A network fed standardized price windows has to output levels it never saw in training
(test prices sit several training standard deviations above the mean) and loses to
"tomorrow = today" by 7-30x on two of the bundled stocks. So the regressors add their
network's output to a skip connection fitted here in closed form:

1. The target feature and an exact map from its (scaled) values to target units
   (:func:`~skrnn._baseline.find_persistence`): the skip starts as exact persistence.
2. Candidate corrections, each a ridge regression on the feature's lags:

   - on the lags *relative to the last value*, predicting the change: shrinks toward
     persistence and has no level term, whose estimate on a random walk is biased toward
     mean reversion and, at test levels far outside the training range, loses to
     persistence by itself;
   - on the lags themselves (shrinking toward the mean), only for a series that is
     confirmed stationary: an augmented Dickey-Fuller test rejects a unit root *and* a KPSS
     test does not reject stationarity;
   - for such a series with more than one feature, on the lags of every feature (the ridge
     on the flattened window a user would compare against);
   - for any series with other features that look stationary (a calendar, dummies, rates:
     the same two tests on each), on its relative lags *and* those features at every step
     (``"relative_features"``): the change from persistence they explain, as holidays and
     weekends known ahead explain a trending series' sales.

   The joint fits run while the flattened window has at most ``MAX_JOINT_COLUMNS``
   columns: the closed form costs O(columns²) memory (8 MB at the bound).

3. Forward-chaining cross-validation over the training rows (fit on the oldest blocks,
   score on the next, as TimeSeriesSplit does) picks the candidate and its penalty. The
   correction is kept only if its out-of-sample gain over persistence is significant (a
   one-sided Diebold-Mariano test); otherwise the skip stays exact persistence.

Windows with front padding have fewer real lags. Nothing is imputed: they get the same
regression restricted to their most recent 1, 2, 4, 8, ... lags (the longest such that they
have), solved from the same moments. A restricted map for every number of real steps would
cost memory quadratic in the window; on these lengths the maps together take fewer than
``2 * window`` steps, and a window with ``L`` real steps still uses more than ``L / 2`` of its
lags. The result, applied by the torch module as a frozen layer, is a linear map for full
windows and one for each of those shorter lengths (:func:`skip_lengths`).
"""

import itertools
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from ._baseline import PersistenceMap, find_persistence
from ._compact import _positions
from ._stats import (
    ADF_CRITICAL_5,
    Moments,
    adf_rejects_unit_root,
    adf_t_stat,
    kpss_rejects_stationarity,
    significantly_positive,
)

_CHUNK_ELEMENTS = 1 << 20
MAX_JOINT_COLUMNS = 1024


def skip_lengths(window):
    """The numbers of most recent steps the skip has a map for: 1, 2, 4, ... below
    `window`, and `window` itself."""
    return [*(1 << k for k in range(max(window - 1, 0).bit_length())), window]


def skip_map_index(n_real, window):
    """Which of :func:`skip_lengths` a window with `n_real` real steps uses (the longest
    it has every step of); `n_real` is an int or an integer array."""
    return np.searchsorted(skip_lengths(window), n_real, side="right") - 1


@dataclass(frozen=True)
class LinearSkip:
    """A linear forecast from the last ``g`` steps of a window, for each ``g`` in
    ``skip_lengths(window)``; a window with ``L`` real steps uses the longest ``g <= L``.

    ``weight`` (sum of the lengths, n_features, n_outputs) holds the maps one after the
    other, oldest step first (the map for ``g`` steps is ``g`` rows); ``bias`` is
    (number of lengths, n_outputs). Except for ``lags="all_features"`` and
    ``"relative_features"``, only the target ``feature``'s weights are non-zero. ``lags`` is
    the correction kept: None (exact persistence), ``"relative"``, ``"levels"``,
    ``"all_features"`` or ``"relative_features"`` (relative lags and the stationary other
    features), with ridge penalty ``alpha``.
    """

    feature: int
    window: int
    weight: np.ndarray
    bias: np.ndarray
    exact: bool
    stationary: bool = False
    lags: str | None = None
    alpha: float | None = None

    def maps(self):
        """``(g, weight (g, n_features, n_outputs), bias (n_outputs,))`` for each length."""
        lengths = skip_lengths(self.window)
        offsets = np.cumsum([0, *lengths])
        return [
            (g, self.weight[offsets[k] : offsets[k] + g], self.bias[k])
            for k, g in enumerate(lengths)
        ]

    def predict(self, windows):
        out = np.empty((len(windows), self.weight.shape[2]))
        maps = self.maps()
        which = skip_map_index(windows.lengths, windows.window)
        for k, (g, weight, bias) in enumerate(maps):
            rows = np.flatnonzero(which == k)
            for index in _chunks(rows, windows.window * windows.n_features):
                values = windows.rows(index)[:, windows.window - g :].astype(np.float64)
                out[index] = np.einsum("nwf,wfh->nh", values, weight) + bias
        return out


def fit_skip(windows, y, **kwargs):
    """Fit the skip connection (see :func:`_fit_skip`) with one BLAS thread.

    Its solves are of a few hundred columns at most: threads gain nothing there, and next
    to the network's OpenMP threads they spin against each other, making each solve tens
    of times slower.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_skip(windows, y, **kwargs)


def _fit_skip(windows, y, *, kind="linear", feature="auto", n_folds=5, scaled=False):
    """Fit the skip connection on training windows (CompactWindows, in time order) and
    targets ``y`` (n_samples, n_outputs).

    With ``scaled=True``, `windows` is a :class:`~skrnn._scaling.ScaledWindows` and `y`
    is in the same per-window units: persistence is then the identity on the target
    `feature`, and the candidates are fitted without the stationarity tests (a scaled
    window is relative to its own level by construction).
    """
    if scaled:
        n_outputs = y.shape[1]
        pmap = PersistenceMap(feature, np.ones(n_outputs), np.zeros(n_outputs), exact=True)
    else:
        pmap = find_persistence(windows.last(), y, feature, windows.successors)
    full = np.flatnonzero(windows.lengths == windows.window)
    blocks = _time_blocks(windows, full, n_folds + 1)
    if kind == "persistence" or len(blocks[-1]) < 2:
        return _assemble(pmap, windows)
    design = _Design(windows, y, pmap)
    stationary = not scaled and (
        not pmap.exact
        or (
            adf_rejects_unit_root(*design.adf_chunks(full))
            and not kpss_rejects_stationarity(y[:, 0])
        )
    )
    validated = np.concatenate(blocks[1:])
    best_sse, best = (design.residual[validated] ** 2).sum(), None
    candidates = ["relative"]
    joint = windows.n_features > 1 and windows.window * windows.n_features <= MAX_JOINT_COLUMNS
    if stationary or scaled:  # levels of a scaled window are relative to its own level
        candidates.append("levels")
        if joint:
            candidates.append("all_features")
    if joint:
        design.others = _stationary_features(windows, pmap.feature, full)
        if design.others:
            candidates.append("relative_features")
    best_of = {}  # candidate -> (sse, alpha, fits)
    for lags in candidates:
        block_moments = [design.moments(block, lags) for block in blocks]
        fits = list(itertools.accumulate(block_moments))  # fits[k]: blocks 0..k
        for alpha in fits[-1].alpha_grid():
            sse = sum(
                block_moments[k].sse(*fits[k - 1].ridge(alpha)).sum() for k in range(1, len(blocks))
            )
            if sse < best_sse:
                best_sse, best = sse, (lags, alpha, fits)
            if sse < best_of.get(lags, (np.inf,))[0]:
                best_of[lags] = (sse, alpha, fits)
    if best is None:
        return _assemble(pmap, windows, stationary=stationary)
    lags, alpha, fits = best
    thin = windows.positions()[validated] % y.shape[1] == 0

    def out_of_sample(lags, alpha, fits):
        """Per-row squared errors on the validation blocks (None: persistence)."""
        fitted = [None] * len(blocks) if alpha is None else [None] + [f.ridge(alpha) for f in fits]
        errors = [design.squared_errors(blocks[k], lags, fitted[k]) for k in range(1, len(blocks))]
        return np.concatenate(errors)[thin]

    if lags == "relative_features" and len(best_of) > 1:
        # Covariates' levels carry a risk the target's lags do not (a covariate whose level
        # shifts later): they must beat the best correction without them significantly.
        _, rival = min((entry[0], name) for name, entry in best_of.items() if name != lags)
        gain = out_of_sample(rival, *best_of[rival][1:]) - out_of_sample(lags, alpha, fits)
        if not significantly_positive(gain):
            lags, (_, alpha, fits) = rival, best_of[rival]
    others = design.others if lags == "relative_features" else ()
    # Keep the correction only if it beats persistence significantly, row by row (one row
    # in h per series: the targets of consecutive rows overlap h - 1 steps).
    gain = out_of_sample(lags, None, None) - out_of_sample(lags, alpha, fits)
    if not significantly_positive(gain):
        return _assemble(pmap, windows, stationary=stationary)
    return _assemble(pmap, windows, stationary, lags, fits[-1], alpha, others)


def _stationary_features(windows, feature, full):
    """The features other than `feature` that look stationary (the augmented Dickey-Fuller
    test rejects a unit root and KPSS does not reject stationarity, on the full windows):
    a calendar, a dummy, a rate. Their levels may correct a forecast of a trending target,
    whose levels a regression must not use (test values outside the training range)."""
    rows, later = windows.successors(1)
    rows_full = np.isin(rows, full)
    rows, later = rows[rows_full], later[rows_full]
    if len(rows) < 10:
        return []
    last = windows.last()
    codes = np.zeros(len(full), dtype=np.int64) if windows.groups is None else windows.groups[full]
    order = np.lexsort((windows.positions()[full], codes))  # each series in time order
    chunks = list(_chunks(np.arange(len(rows)), windows.window))
    stationary = []
    for k in range(windows.n_features):
        if k == feature:
            continue
        levels = (windows.rows(rows[c], k).astype(np.float64) for c in chunks)
        following = (last[later[c], k].astype(np.float64) for c in chunks)
        # A series its own window determines (a weekday dummy) leaves the test no
        # residual: KPSS decides alone (a periodic one is stationary, a time index not).
        statistic = adf_t_stat(levels, following)
        unit_root = not (statistic < ADF_CRITICAL_5 or np.isnan(statistic))
        if not unit_root and not kpss_rejects_stationarity(last[full[order], k].astype(np.float64)):
            stationary.append(k)
    return stationary


class _Design:
    """Ridge features and targets for the skip's candidate corrections, in target units."""

    def __init__(self, windows, y, pmap):
        self.windows, self.y, self.pmap = windows, y, pmap
        self.residual = y - pmap.predict(windows.last())
        self.others = []  # the features "relative_features" reads besides the target

    def levels(self, index):
        """The target feature's windows mapped through output 0's persistence map."""
        values = self.windows.rows(index, self.pmap.feature)
        return values * self.pmap.slope[0] + self.pmap.intercept[0]

    def features_target(self, index, lags):
        if lags == "all_features":  # step-major, so the last k steps are the last columns
            return self.windows.rows(index).reshape(len(index), -1), self.y[index]
        levels = self.levels(index)
        if lags == "relative":  # the change from persistence, from relative lags
            return levels[:, :-1] - levels[:, -1:], self.residual[index]
        if lags == "relative_features":
            # Per step, the relative lag and the other features (step-major), without the
            # last step's relative lag (always 0).
            others = self.windows.rows(index)[:, :, self.others].astype(np.float64)
            both = np.concatenate([(levels - levels[:, -1:])[:, :, None], others], axis=2)
            both = both.reshape(len(index), -1)
            last_step = (self.windows.window - 1) * (len(self.others) + 1)
            return np.delete(both, last_step, axis=1), self.residual[index]
        return levels, self.y[index]

    def moments(self, index, lags):
        moments = Moments()
        for chunk in _chunks(index, self.windows.window * self.windows.n_features):
            moments.add(*self.features_target(chunk, lags))
        return moments

    def adf_chunks(self, index):
        chunks = list(_chunks(index, self.windows.window))
        return (self.levels(c) for c in chunks), (self.y[c, 0] for c in chunks)

    def squared_errors(self, index, lags, fit):
        """Per-row squared error (summed over outputs) of a ridge fit, or of persistence."""
        chunks = _chunks(index, self.windows.window * self.windows.n_features)
        return np.concatenate([self._squared_errors(c, lags, fit) for c in chunks])

    def _squared_errors(self, index, lags, fit):
        features, target = self.features_target(index, lags)
        if fit is None:
            relative = lags in ("relative", "relative_features")
            prediction = 0.0 if relative else self.y[index] - self.residual[index]
        else:
            coef, intercept = fit
            prediction = features @ coef + intercept
        return ((target - prediction) ** 2).sum(axis=1)


def _assemble(pmap, windows, stationary=False, lags=None, moments=None, alpha=None, others=()):
    """For each of the skip's lengths, the map over that many last steps and its bias."""
    window, n_features, n_outputs = windows.window, windows.n_features, len(pmap.slope)
    slope0, intercept0 = pmap.slope[0], pmap.intercept[0]
    lengths = skip_lengths(window)
    weight = np.zeros((sum(lengths), n_features, n_outputs))
    bias = np.zeros((len(lengths), n_outputs))
    for n_real, w, b in zip(lengths, np.split(weight, np.cumsum(lengths)[:-1]), bias, strict=True):
        target = w[:, pmap.feature]  # a view: the target feature's weights
        if lags not in ("levels", "all_features"):  # persistence, plus a correction
            target[-1], b[:] = pmap.slope, pmap.intercept
        if lags is None:
            continue
        # The same regression on the n_real most recent steps only.
        n_used = n_real - 1 if lags == "relative" else n_real
        columns = n_used * n_features if lags == "all_features" else n_used
        if lags == "relative_features":
            columns = n_real * (len(others) + 1) - 1
        coef, intercept = moments.ridge(alpha, last=columns)
        b += intercept
        if not n_used:
            continue
        if lags == "relative_features":
            # Back to (steps, 1 + others, outputs), the last step's relative lag 0.
            coef = np.insert(coef, (n_real - 1) * (len(others) + 1), 0.0, axis=0)
            coef = coef.reshape(n_real, len(others) + 1, n_outputs)
            target[:-1] += slope0 * coef[:-1, 0]
            target[-1] -= slope0 * coef[:-1, 0].sum(axis=0)
            w[:, list(others)] = coef[:, 1:]
        elif lags == "all_features":
            w[:n_used] = coef.reshape(n_used, n_features, n_outputs)
        elif lags == "relative":
            target[:n_used] += slope0 * coef
            target[-1] -= slope0 * coef.sum(axis=0)
        else:
            target[:n_used] += slope0 * coef
            b += intercept0 * coef.sum(axis=0)
    return LinearSkip(pmap.feature, window, weight, bias, pmap.exact, stationary, lags, alpha)


def pack_per_step_maps(weight, bias):
    """The maps of :func:`skip_lengths` from a map per number of real steps.

    Earlier versions stored ``weight`` (window, window, n_features, n_outputs) and ``bias``
    (window, n_outputs): for ``L`` real steps, ``weight[L - 1]`` (zero on the padding) and
    ``bias[L - 1]``. The maps kept are those for the lengths of :func:`skip_lengths`, so a
    model converted from them predicts as if fitted now.
    """
    window = weight.shape[0]
    lengths = skip_lengths(window)
    packed = np.concatenate([weight[g - 1, window - g :] for g in lengths])
    return packed, bias[[g - 1 for g in lengths]]


def _time_blocks(windows, index, n_blocks):
    """`index` split into `n_blocks` consecutive blocks of time: of the rows, for one
    series; of each series' rows, by their position in the series, for many."""
    if windows.groups is None:
        return np.array_split(index, n_blocks)
    codes = windows.groups[index]
    ranks = _positions(codes)  # among this series' rows of `index`
    sizes = np.bincount(codes)[codes]
    block = (ranks * n_blocks) // sizes
    return [index[block == b] for b in range(n_blocks)]


def _chunks(index, window):
    size = max(1, _CHUNK_ELEMENTS // window)
    for start in range(0, len(index), size):
        yield index[start : start + size]


# The floor of a window's volatility, as a fraction of the median over the training rows:
# a flat window (a closed season, a halted price) still gets an interval.
VOLATILITY_FLOOR = 0.1


def volatility(windows, feature, bounds=None):
    """Mean absolute change of `feature` between consecutive real steps of each window
    (float64, ``(n_samples,)``): the recent volatility a quantile's start scales with.

    `bounds` is ``(floor, single)`` (see :func:`volatility_bounds`): the least volatility,
    and that of a window with one real step (no change to measure); None leaves the
    volatilities unbounded, NaN where there is no change. The torch module computes the
    same from its input (``RecurrentModule._volatility``).
    """
    out = np.empty(len(windows))
    steps = np.arange(windows.window - 1)
    for index in _chunks(np.arange(len(windows)), windows.window):
        values = windows.rows(index, feature).astype(np.float64)
        changes = windows.lengths[index] - 1
        real = steps >= (windows.window - 1) - changes[:, None]
        change = np.where(real, np.abs(np.diff(values, axis=1)), 0.0).sum(axis=1)
        out[index] = np.where(changes > 0, change / np.maximum(changes, 1), np.nan)
    return out if bounds is None else bounded_volatility(out, bounds)


def bounded_volatility(volatilities, bounds):
    """Unbounded `volatilities` (NaN: no change to measure) within ``(floor, single)``."""
    floor, single = bounds
    return np.where(np.isnan(volatilities), single, np.maximum(volatilities, floor))


def volatility_bounds(volatilities):
    """``(floor, single)`` for :func:`volatility` from the unbounded volatilities of the
    training windows: ``VOLATILITY_FLOOR`` times the median of those that moved, and
    that median."""
    moved = volatilities[np.isfinite(volatilities) & (volatilities > 0)]
    median = float(np.median(moved)) if len(moved) else 1.0
    return VOLATILITY_FLOOR * median, median
