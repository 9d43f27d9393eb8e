"""The linear forecast a recurrent regressor starts from and corrects. No torch here.

A network fed standardized price windows has to output levels it never saw in training
(test prices sit several training standard deviations above the mean) and loses to
"tomorrow = today" by 15-25x. So the regressors add their network's output to a skip
connection fitted here in closed form:

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
     on the flattened window a user would compare against), while the flattened window has
     at most ``MAX_JOINT_COLUMNS`` columns: the closed form costs O(columns²) memory.

3. Forward-chaining cross-validation over the training rows (fit on the oldest blocks,
   score on the next, as TimeSeriesSplit does) picks the candidate and its penalty. The
   correction is kept only if its out-of-sample gain over persistence is significant (a
   one-sided Diebold-Mariano test); otherwise the skip stays exact persistence.

Windows with front padding have fewer real lags; they get the same regression restricted to
the lags they have (solved from the same moments), so nothing is imputed. The result is a
linear map per number of real steps, applied by the torch module as a frozen layer.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from ._baseline import PersistenceMap, find_persistence
from ._stats import (
    Moments,
    adf_rejects_unit_root,
    kpss_rejects_stationarity,
    significantly_positive,
)

_CHUNK_ELEMENTS = 1 << 20
MAX_JOINT_COLUMNS = 512


@dataclass(frozen=True)
class LinearSkip:
    """``sum(x * weight[L - 1]) + bias[L - 1]`` for a window ``x`` with ``L`` real steps.

    ``weight`` is (window, window, n_features, n_outputs), zero on padded steps and, except
    for ``lags="all_features"``, on every feature but the target ``feature``; ``bias`` is
    (window, n_outputs). ``lags`` is the correction kept: None (exact persistence),
    ``"relative"``, ``"levels"`` or ``"all_features"``, with ridge penalty ``alpha``.
    """

    feature: int
    weight: np.ndarray
    bias: np.ndarray
    exact: bool
    stationary: bool = False
    lags: str | None = None
    alpha: float | None = None

    def predict(self, windows):
        out = np.empty((len(windows), self.weight.shape[3]))
        for index in _chunks(np.arange(len(windows)), windows.window * windows.n_features):
            real = windows.lengths[index] - 1
            values = windows.rows(index).astype(np.float64)
            out[index] = np.einsum("nwf,nwfh->nh", values, self.weight[real]) + self.bias[real]
        return out


def fit_skip(windows, y, *, kind="linear", feature="auto", n_folds=5, scaled=False):
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
        return _assemble(pmap, windows, stationary=scaled)
    design = _Design(windows, y, pmap)
    stationary = (
        scaled
        or not pmap.exact
        or (
            adf_rejects_unit_root(*design.adf_chunks(full))
            and not kpss_rejects_stationarity(y[:, 0])
        )
    )
    validated = np.concatenate(blocks[1:])
    best_sse, best = (design.residual[validated] ** 2).sum(), None
    candidates = ["relative"]
    if stationary:
        candidates.append("levels")
        if windows.n_features > 1 and windows.window * windows.n_features <= MAX_JOINT_COLUMNS:
            candidates.append("all_features")
    for lags in candidates:
        block_moments = [design.moments(block, lags) for block in blocks]
        fits = list(itertools.accumulate(block_moments))  # fits[k]: blocks 0..k
        for alpha in fits[-1].alpha_grid():
            sse = sum(
                block_moments[k].sse(*fits[k - 1].ridge(alpha)).sum() for k in range(1, len(blocks))
            )
            if sse < best_sse:
                best_sse, best = sse, (lags, alpha, fits)
    if best is None:
        return _assemble(pmap, windows, stationary=stationary)
    lags, alpha, fits = best
    # Keep the correction only if it beats persistence significantly, row by row.
    gain = np.concatenate(
        [
            design.squared_errors(blocks[k], lags, None)
            - design.squared_errors(blocks[k], lags, fits[k - 1].ridge(alpha))
            for k in range(1, len(blocks))
        ]
    )
    if not significantly_positive(gain):
        return _assemble(pmap, windows, stationary=stationary)
    return _assemble(pmap, windows, stationary, lags, fits[-1], alpha)


class _Design:
    """Ridge features and targets for the skip's candidate corrections, in target units."""

    def __init__(self, windows, y, pmap):
        self.windows, self.y, self.pmap = windows, y, pmap
        self.residual = y - pmap.predict(windows.last())

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
            prediction = 0.0 if lags == "relative" else self.y[index] - self.residual[index]
        else:
            coef, intercept = fit
            prediction = features @ coef + intercept
        return ((target - prediction) ** 2).sum(axis=1)


def _assemble(pmap, windows, stationary=False, lags=None, moments=None, alpha=None):
    """Per number of real steps, the weights over the window's features and the bias."""
    window, n_features, n_outputs = windows.window, windows.n_features, len(pmap.slope)
    slope0, intercept0 = pmap.slope[0], pmap.intercept[0]
    weight = np.zeros((window, window, n_features, n_outputs))
    bias = np.zeros((window, n_outputs))
    for n_real in range(1, window + 1):
        w, b = weight[n_real - 1], bias[n_real - 1]
        target = w[:, pmap.feature]  # a view: the target feature's weights
        if lags not in ("levels", "all_features"):  # persistence, plus a correction
            target[-1], b[:] = pmap.slope, pmap.intercept
        if lags is None:
            continue
        # The same regression on the lags a window with n_real real steps has.
        n_used = n_real - 1 if lags == "relative" else n_real
        columns = n_used * n_features if lags == "all_features" else n_used
        coef, intercept = moments.ridge(alpha, last=columns)
        b += intercept
        if not n_used:
            continue
        used = slice(window - n_real, window - n_real + n_used)
        if lags == "all_features":
            w[used] = coef.reshape(n_used, n_features, n_outputs)
        elif lags == "relative":
            target[used] += slope0 * coef
            target[-1] -= slope0 * coef.sum(axis=0)
        else:
            target[used] += slope0 * coef
            b += intercept0 * coef.sum(axis=0)
    return LinearSkip(pmap.feature, weight, bias, pmap.exact, stationary, lags, alpha)


def _time_blocks(windows, index, n_blocks):
    """`index` split into `n_blocks` consecutive blocks of time: of the rows, for one
    series; of each series' rows, by their position in the series, for many."""
    if windows.groups is None:
        return np.array_split(index, n_blocks)
    positions = windows.positions()[index]
    sizes = np.bincount(windows.groups)[windows.groups[index]]
    block = np.minimum((positions * n_blocks) // sizes, n_blocks - 1)
    return [index[block == b] for b in range(n_blocks)]


def _chunks(index, window):
    size = max(1, _CHUNK_ELEMENTS // window)
    for start in range(0, len(index), size):
        yield index[start : start + size]
