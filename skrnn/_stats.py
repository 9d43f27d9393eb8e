"""Small statistics the forecast design rests on. numpy only.

- :class:`Moments`: least squares and ridge from running sums, so a fit over windows never
  materialises them (500,000 windows of 256 steps would be 1 GB per feature).
- Unit-root and stationarity tests (augmented Dickey-Fuller, KPSS) that decide whether a
  series may be forecast as mean-reverting.
- A one-sided Diebold-Mariano test that decides whether a model's out-of-sample gain over
  the one it would replace is real.
"""

import math

import numpy as np

# 5% critical values: Dickey-Fuller t statistic with a constant (MacKinnon 1994,
# asymptotic) and KPSS level-stationarity statistic (Kwiatkowski et al. 1992).
ADF_CRITICAL_5 = -2.86
KPSS_CRITICAL_5 = 0.463
Z_CRITICAL_5 = 1.645
# Columns from which Moments.ridge solves through one eigendecomposition of X'X for all
# penalties: the skip's grid of 22 penalties on a joint window of 854 columns took 0.7 s
# of solves per fold, the eigendecomposition 0.18 s. Smaller fits keep their direct solve.
EIGEN_COLUMNS = 128


class Moments:
    """Running sums of ``X``, ``Y`` and their products over row chunks."""

    def __init__(self):
        self.n = 0
        self.sx = self.sy = self.sxx = self.sxy = self.syy = 0.0
        self._cache = {}  # centered() and the eigendecomposition, until the next add

    def add(self, X, Y):
        X, Y = X.astype(np.float64, copy=False), Y.astype(np.float64, copy=False)
        self._cache = {}
        self.n += len(X)
        self.sx = self.sx + X.sum(axis=0)
        self.sy = self.sy + Y.sum(axis=0)
        self.sxx = self.sxx + X.T @ X
        self.sxy = self.sxy + X.T @ Y
        self.syy = self.syy + (Y * Y).sum(axis=0)

    def __add__(self, other):
        total = Moments()
        for name in ("n", "sx", "sy", "sxx", "sxy", "syy"):
            setattr(total, name, getattr(self, name) + getattr(other, name))
        return total

    def centered(self):
        """Means of X and Y and the centred cross-products (X'X, X'Y, Y'Y)."""
        if "centered" not in self._cache:
            self._cache["centered"] = self._centered()
        return self._cache["centered"]

    def _centered(self):
        n = max(self.n, 1)
        mx, my = self.sx / n, self.sy / n
        cxx = self.sxx - n * np.outer(mx, mx)
        cxy = self.sxy - n * np.outer(mx, my)
        cyy = self.syy - n * my * my
        return mx, my, cxx, cxy, cyy

    def alpha_grid(self):
        """Ridge penalties from nearly none to infinite (no coefficients at all)."""
        _, _, cxx, _, _ = self.centered()
        scale = max(np.trace(cxx) / max(len(cxx), 1), np.finfo(float).tiny)
        return [*(scale * np.logspace(-6, 4, 21)), np.inf]

    def ridge(self, alpha, last=None):
        """Ridge coefficients (k, h) and intercepts (h,) on the `last` k features."""
        mx, my, cxx, cxy, _ = self.centered()
        k = cxx.shape[0] if last is None else last
        if k == 0 or np.isinf(alpha):
            return np.zeros((k, cxy.shape[1])), my
        if k == cxx.shape[0] >= EIGEN_COLUMNS:
            values, vectors = self._eigh()
            coef = vectors @ ((vectors.T @ cxy) / (values + alpha)[:, None])
            return coef, my - mx @ coef
        sub = slice(cxx.shape[0] - k, None)
        gram = cxx[sub, sub] + alpha * np.eye(k)
        try:
            coef = np.linalg.solve(gram, cxy[sub])
        except np.linalg.LinAlgError:  # a constant column and a vanishing penalty
            coef = np.linalg.lstsq(gram, cxy[sub], rcond=None)[0]
        return coef, my - mx[sub] @ coef

    def _eigh(self):
        """Eigenvalues (floored at 0: rounding leaves a singular X'X slightly negative
        ones) and eigenvectors of the centred X'X, computed once for every penalty."""
        if "eigh" not in self._cache:
            values, vectors = np.linalg.eigh(self.centered()[2])
            self._cache["eigh"] = (np.maximum(values, 0.0), vectors)
        return self._cache["eigh"]

    def sse(self, coef, intercept):
        """Sum of squared errors of ``X @ coef + intercept`` over the rows, per output."""
        cross = (coef * self.sxy).sum(axis=0) + intercept * self.sy
        quad = (coef * (self.sxx @ coef)).sum(axis=0)
        quad += 2 * intercept * (self.sx @ coef) + self.n * intercept**2
        return self.syy - 2 * cross + quad

    def ols_t_stat(self, j, columns=None):
        """t statistic of coefficient `j` in the OLS fit of column 0 of Y (with intercept)
        on the X `columns` (all of them by default; `j` indexes the columns used)."""
        fit = self._ols(columns)
        if fit is None:
            return np.nan
        inv, beta, rss, dof = fit
        _, _, _, _, cyy = self.centered()
        # A regressor the others determine (a sinusoid by its last two values) leaves a
        # singular matrix, whose rounding may make the variance negative: no statistic.
        if inv[j, j] <= 0 or rss <= 1e-12 * cyy[0]:
            return np.nan
        se = math.sqrt(rss / dof * inv[j, j])
        return beta[j] / se if se > 0 else np.nan

    def ols_aic(self, columns=None):
        """Akaike's criterion of the OLS fit of :meth:`ols_t_stat` (inf: no fit)."""
        fit = self._ols(columns)
        if fit is None or fit[2] <= 0:
            return np.inf
        n_params = len(fit[1]) + 1
        return self.n * math.log(fit[2] / self.n) + 2 * n_params

    def _ols(self, columns):
        """``(inv(X'X), coefficients, residual sum of squares, degrees of freedom)`` of
        column 0 of Y on the X `columns`, centred (an intercept); None without freedom."""
        _, _, cxx, cxy, cyy = self.centered()
        if columns is not None:
            cxx, cxy = cxx[np.ix_(columns, columns)], cxy[columns]
        dof = self.n - cxx.shape[0] - 1
        if dof < 1:
            return None
        inv = np.linalg.pinv(cxx)
        beta = inv @ cxy[:, 0]
        return inv, beta, max(cyy[0] - beta @ cxy[:, 0], 0.0), dof


def adf_rejects_unit_root(levels, next_values):
    """Augmented Dickey-Fuller test at 5%, constant, the windows' lags as augmentation.

    Parameters
    ----------
    levels : iterable of ndarray (n_chunk, window)
        Windows of the series, in chunks.
    next_values : iterable of ndarray (n_chunk,)
        The value following each window.
    """
    return bool(adf_t_stat(levels, next_values) < ADF_CRITICAL_5)


def adf_t_stat(levels, next_values):
    """The augmented Dickey-Fuller statistic of :func:`adf_rejects_unit_root`: NaN where
    the regression leaves no residual (a series its window determines, as a periodic
    dummy) or no degrees of freedom.

    The augmentation is the most recent ``p`` changes of the window, ``p`` chosen by
    Akaike's criterion up to Schwert's bound ``12 * (n / 100) ** (1 / 4)`` (as statsmodels'
    ``adfuller`` does by default): every change of a long window costs the test power it
    needs (on the sunspots, a window of 12 years gives t = -2.83 with all 11 changes, -2.99
    with the 8 the criterion keeps), and the bound keeps the search short on long windows.
    """
    moments = Moments()
    for lags, following in zip(levels, next_values, strict=True):
        change = following - lags[:, -1]
        moments.add(np.hstack([lags[:, -1:], np.diff(lags, axis=1)]), change[:, None])
    if not moments.n:
        return np.nan
    n_changes = moments.sxx.shape[0] - 1
    most = min(n_changes, math.ceil(12 * (moments.n / 100) ** 0.25))
    # Column 0 is the level; the most recent p changes are the last p columns.
    augmentations = [[0, *range(n_changes + 1 - p, n_changes + 1)] for p in range(most + 1)]
    best = min(augmentations, key=lambda columns: (moments.ols_aic(columns), -len(columns)))
    return moments.ols_t_stat(0, best)


def kpss_rejects_stationarity(series):
    """KPSS test of level stationarity at 5% (Bartlett kernel, Schwert's bandwidth)."""
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
    return bool((partial @ partial) / (n**2 * long_run) > KPSS_CRITICAL_5)


def significantly_positive(gain):
    """One-sided Diebold-Mariano test at 5% that the mean per-row loss `gain` is > 0.

    `gain` is the loss of the incumbent minus the loss of the challenger on held-out rows;
    rows are treated as independent (one-step-ahead forecast errors).
    """
    gain = np.asarray(gain, dtype=np.float64)
    if len(gain) < 2:
        return False
    mean, spread = gain.mean(), gain.std(ddof=1)
    if spread == 0:
        return bool(mean > 0)
    return bool(mean / (spread / math.sqrt(len(gain))) > Z_CRITICAL_5)
