"""The linear forecast a recurrent regressor starts from and corrects. No torch here.

A network fed standardized price windows has to output levels it never saw in training
(test prices sit several training standard deviations above the mean) and loses to
"tomorrow = today" by 15-25x. So the regressors add their network's output to a skip
connection fitted here in closed form, on the target feature's window:

- The target feature and an exact map from its (scaled) values to target units
  (:func:`~skrnn._baseline.find_persistence`).
- An augmented Dickey-Fuller test on the training windows. If it cannot reject a unit root
  (prices, indices), the skip is persistence plus a ridge correction on the feature's lags
  *relative to its last value*: the penalty shrinks toward exact persistence, and there is
  no level term, whose least-squares estimate on a random walk is biased toward mean
  reversion and, applied to test levels far outside the training range, loses to
  persistence by itself. If the test rejects a unit root (cycles, mean-reverting series),
  the skip is an ordinary ridge regression on the lags, shrinking toward the mean.
- The ridge penalty is chosen per output by generalized cross-validation.

Windows with front padding have fewer real lags; they get the same regression restricted to
the lags they have (solved from the same moments), so nothing is imputed. The result is a
linear map per number of real steps, applied by the torch module as a frozen layer.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from ._baseline import find_persistence

# 5% critical values: Dickey-Fuller t statistic with a constant (MacKinnon, asymptotic)
# and KPSS level-stationarity statistic (Kwiatkowski et al. 1992).
_ADF_CRITICAL = -2.86
_KPSS_CRITICAL = 0.463
_CHUNK_ELEMENTS = 1 << 20


@dataclass(frozen=True)
class LinearSkip:
    """``skip(x) = x[:, :, feature] @ weight[L - 1] + bias[L - 1]`` for a window with ``L``
    real steps; ``weight`` is (window, window, n_outputs) and zero on padded steps."""

    feature: int
    weight: np.ndarray
    bias: np.ndarray
    exact: bool
    stationary: bool = False
    lags: str = "relative"
    alpha: float | None = None

    def predict(self, windows):
        out = np.empty((len(windows), self.weight.shape[2]))
        for index in _chunks(windows):
            real = windows.lengths[index] - 1
            values = windows.rows(index)[:, :, self.feature].astype(np.float64)
            out[index] = np.einsum("nw,nwh->nh", values, self.weight[real]) + self.bias[real]
        return out


def fit_skip(windows, y, *, kind="linear", feature="auto", n_folds=5):
    """Fit the skip connection on training windows (a CompactWindows) and targets (n, h).

    Rows are in time order. Each ridge model and penalty is scored by forward-chaining
    cross-validation (fit on the oldest blocks of rows, score on the next, as
    :class:`~sklearn.model_selection.TimeSeriesSplit` does); the best, if it beats exact
    persistence on the same rows, is refitted on all of them.
    """
    pmap = find_persistence(windows.last(), y, feature)
    window = windows.window
    full = np.flatnonzero(windows.lengths == window)
    blocks = np.array_split(full, n_folds + 1)
    if kind == "persistence" or len(blocks[-1]) < 2:
        return _assemble(pmap, window, "relative", None, None, stationary=False)

    slope0, intercept0 = pmap.slope[0], pmap.intercept[0]

    def design(index, lags_kind):
        """Features and target of a ridge model on rows `index`, in target units."""
        levels = windows.rows(index)[:, :, pmap.feature] * slope0 + intercept0
        if lags_kind == "relative":  # the change from persistence, from relative lags
            return levels[:, :-1] - levels[:, -1:], residual[index]
        return levels, y[index]  # y from the lags themselves

    residual = y - pmap.predict(windows.last())
    # Confirmatory tests: a mean-reverting model only where a Dickey-Fuller test rejects a
    # unit root *and* a KPSS test does not reject stationarity (5% each). A random walk
    # that happens to reject the first (a crash, then sideways) fails the second.
    stationary = not pmap.exact or bool(
        _adf_rejects_unit_root(windows, design, full, y[:, 0])
        and not _kpss_rejects_stationarity(y[:, 0])
    )
    validated = np.concatenate(blocks[1:])
    best_sse, best = (residual[validated] ** 2).sum(), None
    all_moments = {}
    for lags_kind in ["relative", "levels"] if stationary else ["relative"]:
        block_moments = []
        for block in blocks:
            moments = _Moments()
            for chunk in _chunk_slices(block, window):
                moments.add(*design(chunk, lags_kind))
            block_moments.append(moments)
        fits = list(itertools.accumulate(block_moments))  # fits[k]: blocks 0..k
        all_moments[lags_kind] = fits[-1]
        for alpha in fits[-1].alpha_grid():
            sse = sum(
                (block_moments[k].mse(*fits[k - 1].ridge(alpha)) * len(blocks[k])).sum()
                for k in range(1, len(blocks))
            )
            if sse < best_sse:
                best_sse, best = sse, (lags_kind, alpha)
    if best is None:
        return _assemble(pmap, window, "relative", None, None, stationary)
    lags_kind, alpha = best
    return _assemble(pmap, window, lags_kind, all_moments[lags_kind], alpha, stationary)


def _assemble(pmap, window, lags_kind, moments, alpha, stationary):
    """Per number of real steps, the weights over the feature's window and the bias."""
    n_outputs = len(pmap.slope)
    slope0, intercept0 = pmap.slope[0], pmap.intercept[0]
    weight = np.zeros((window, window, n_outputs))
    bias = np.zeros((window, n_outputs))
    for n_real in range(1, window + 1):
        w, b = weight[n_real - 1], bias[n_real - 1]
        if lags_kind == "relative":
            w[-1], b[:] = pmap.slope, pmap.intercept
        if moments is None:
            continue
        # The same regression on the lags a window with n_real real steps has.
        n_used = n_real - 1 if lags_kind == "relative" else n_real
        coef, intercept = moments.ridge(alpha, last=n_used)
        b += intercept + intercept0 * coef.sum(axis=0) * (lags_kind == "levels")
        if n_used:
            w[window - n_real : window - n_real + n_used] += slope0 * coef
            if lags_kind == "relative":
                w[-1] -= slope0 * coef.sum(axis=0)
    return LinearSkip(pmap.feature, weight, bias, pmap.exact, stationary, lags_kind, alpha)


def _adf_rejects_unit_root(windows, design, full, y0):
    """Augmented Dickey-Fuller test (constant, the window's lags) on fully observed rows."""
    moments = _Moments()
    for index in _chunk_slices(full, windows.window):
        levels, _ = design(index, "levels")
        change = y0[index] - levels[:, -1]
        moments.add(np.hstack([levels[:, -1:], np.diff(levels, axis=1)]), change[:, None])
    return moments.ols_t_stat(0) < _ADF_CRITICAL


def _kpss_rejects_stationarity(series):
    """KPSS test of level stationarity, Bartlett kernel, Schwert's bandwidth."""
    n = len(series)
    if n < 10:
        return True
    resid = series - series.mean()
    partial = np.cumsum(resid)
    lags = min(int(12 * (n / 100) ** 0.25), n - 1)
    long_run = resid @ resid / n
    for lag in range(1, lags + 1):
        long_run += 2 * (1 - lag / (lags + 1)) * (resid[lag:] @ resid[:-lag]) / n
    if long_run <= 0:
        return True
    return (partial @ partial) / (n**2 * long_run) > _KPSS_CRITICAL


def _chunks(windows, index=None):
    index = np.arange(len(windows)) if index is None else index
    return _chunk_slices(index, windows.window)


def _chunk_slices(index, window):
    size = max(1, _CHUNK_ELEMENTS // window)
    for start in range(0, len(index), size):
        yield index[start : start + size]


class _Moments:
    """Running sums for least squares with an intercept, one pass over row chunks."""

    def __init__(self):
        self.n = 0
        self.sx = self.sy = self.sxx = self.sxy = self.syy = 0.0

    def add(self, X, Y):
        X, Y = X.astype(np.float64, copy=False), Y.astype(np.float64, copy=False)
        self.n += len(X)
        self.sx = self.sx + X.sum(axis=0)
        self.sy = self.sy + Y.sum(axis=0)
        self.sxx = self.sxx + X.T @ X
        self.sxy = self.sxy + X.T @ Y
        self.syy = self.syy + (Y * Y).sum(axis=0)

    def _centered(self):
        n = max(self.n, 1)
        mx, my = self.sx / n, self.sy / n
        cxx = self.sxx - n * np.outer(mx, mx)
        cxy = self.sxy - n * np.outer(mx, my)
        cyy = self.syy - n * my * my
        return mx, my, cxx, cxy, cyy

    def __add__(self, other):
        total = _Moments()
        for name in ("n", "sx", "sy", "sxx", "sxy", "syy"):
            setattr(total, name, getattr(self, name) + getattr(other, name))
        return total

    def alpha_grid(self):
        """Ridge penalties from nearly none to infinite (no lag coefficients at all)."""
        _, _, cxx, _, _ = self._centered()
        scale = max(np.trace(cxx) / max(len(cxx), 1), np.finfo(float).tiny)
        return [*(scale * np.logspace(-6, 4, 21)), np.inf]

    def ridge(self, alpha, last=None):
        """Ridge coefficients (k, h) and intercepts (h,) on the `last` k features."""
        mx, my, cxx, cxy, _ = self._centered()
        k = cxx.shape[0] if last is None else last
        if k == 0 or np.isinf(alpha):
            return np.zeros((k, cxy.shape[1])), my
        sub = slice(cxx.shape[0] - k, None)
        coef = np.linalg.solve(cxx[sub, sub] + alpha * np.eye(k), cxy[sub])
        return coef, my - mx[sub] @ coef

    def mse(self, coef, intercept):
        """Mean squared error per output of ``X @ coef + intercept`` on the summed rows."""
        n = max(self.n, 1)
        cross = (coef * self.sxy).sum(axis=0) + intercept * self.sy
        quad = (coef * (self.sxx @ coef)).sum(axis=0)
        quad += 2 * intercept * (self.sx @ coef) + n * intercept**2
        return (self.syy - 2 * cross + quad) / n

    def ols_t_stat(self, j):
        """t statistic of coefficient `j` in the OLS fit of column 0 of Y (with intercept)."""
        mx, my, cxx, cxy, cyy = self._centered()
        p = cxx.shape[0]
        dof = self.n - p - 1
        if dof < 1:
            return np.nan
        inv = np.linalg.pinv(cxx)
        beta = inv @ cxy[:, 0]
        rss = max(cyy[0] - beta @ cxy[:, 0], 0.0)
        se = np.sqrt(rss / dof * inv[j, j])
        return beta[j] / se if se > 0 else np.nan
