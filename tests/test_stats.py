import numpy as np
from sklearn.linear_model import Ridge

from skrnn._stats import (
    EIGEN_COLUMNS,
    Moments,
    adf_rejects_unit_root,
    adf_t_stat,
    kpss_rejects_stationarity,
    significantly_positive,
)


def _windows(series, window):
    lags = np.lib.stride_tricks.sliding_window_view(series[:-1], window)
    return [lags], [series[window:]]


def test_moments_ridge_matches_sklearn_in_chunks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    Y = X @ rng.normal(size=(4, 2)) + rng.normal(size=(300, 2)) + 1.0
    parts = [Moments(), Moments()]
    parts[0].add(X[:100], Y[:100])
    parts[1].add(X[100:], Y[100:])
    total = parts[0] + parts[1]
    coef, intercept = total.ridge(5.0)
    reference = Ridge(alpha=5.0).fit(X, Y)
    np.testing.assert_allclose(coef.T, reference.coef_, atol=1e-10)
    np.testing.assert_allclose(intercept, reference.intercept_, atol=1e-10)
    np.testing.assert_allclose(total.sse(coef, intercept), ((X @ coef + intercept - Y) ** 2).sum(0))
    # The last k features alone, and infinite penalty = intercept only.
    sub, _ = total.ridge(5.0, last=2)
    np.testing.assert_allclose(sub.T, Ridge(alpha=5.0).fit(X[:, 2:], Y).coef_, atol=1e-10)
    none, mean = total.ridge(np.inf)
    assert not none.any()
    assert np.allclose(mean, Y.mean(0))


def test_moments_ridge_on_wide_designs_matches_sklearn():
    # From EIGEN_COLUMNS columns on, every penalty is solved from one eigendecomposition.
    rng = np.random.default_rng(1)
    k = EIGEN_COLUMNS + 10
    X = rng.normal(size=(400, k))
    X[:, -1] = X[:, 0] - X[:, 1]  # singular X'X: rounding leaves negative eigenvalues
    Y = X[:, :5] @ rng.normal(size=(5, 3)) + rng.normal(size=(400, 3))
    moments = Moments()
    moments.add(X[:200], Y[:200])
    for alpha in (1e-3, 1.0, 100.0):
        first, _ = moments.ridge(alpha)
        np.testing.assert_allclose(first.T, Ridge(alpha).fit(X[:200], Y[:200]).coef_, atol=1e-7)
    moments.add(X[200:], Y[200:])  # new rows: no stale decomposition
    for alpha in (1e-3, 1.0, 100.0):
        coef, intercept = moments.ridge(alpha)
        reference = Ridge(alpha=alpha).fit(X, Y)
        np.testing.assert_allclose(coef.T, reference.coef_, atol=1e-7)
        np.testing.assert_allclose(intercept, reference.intercept_, atol=1e-7)
    # A sub-block below the threshold still solves directly, with the same answer.
    sub, _ = moments.ridge(1.0, last=8)
    np.testing.assert_allclose(sub.T, Ridge(alpha=1.0).fit(X[:, -8:], Y).coef_, atol=1e-8)


def test_unit_root_and_stationarity_tests():
    rng = np.random.default_rng(0)
    walk = rng.normal(size=2000).cumsum()
    ar = np.zeros(2000)
    for t in range(2, 2000):
        ar[t] = 0.6 * ar[t - 1] - 0.3 * ar[t - 2] + rng.normal()
    assert not adf_rejects_unit_root(*_windows(walk, 5))
    assert adf_rejects_unit_root(*_windows(ar, 5))
    assert kpss_rejects_stationarity(walk)
    assert not kpss_rejects_stationarity(ar)


def _ols_t_and_aic(X, y):
    """t statistic of column 0 and Akaike's criterion of OLS with an intercept."""
    design = np.column_stack([np.ones(len(X)), X])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ beta
    rss, dof = residual @ residual, len(y) - design.shape[1]
    se = np.sqrt(rss / dof * np.linalg.inv(design.T @ design)[1, 1])
    return beta[1] / se, len(y) * np.log(rss / len(y)) + 2 * design.shape[1]


def test_adf_augmentation_is_chosen_by_aic():
    # A long window on a short stationary series: with every change of the window as
    # augmentation the test lacks the power to reject; the statistic is the one of the
    # most recent changes Akaike's criterion keeps, as statsmodels' adfuller computes it.
    rng = np.random.default_rng(0)
    series = np.zeros(200)
    for t in range(1, 200):
        series[t] = 0.8 * series[t - 1] + rng.normal()
    lags, following = _windows(series, 24)
    levels, changes = lags[0][:, -1:], np.diff(lags[0], axis=1)
    target = following[0] - lags[0][:, -1]
    fits = [
        _ols_t_and_aic(np.hstack([levels, changes[:, changes.shape[1] - p :]]), target)
        for p in range(changes.shape[1] + 1)
    ]
    schwert = int(np.ceil(12 * (len(target) / 100) ** 0.25))  # statsmodels' maximum lag
    t_chosen, _ = min(fits[: schwert + 1], key=lambda fit: fit[1])
    t_all, _ = fits[-1]
    np.testing.assert_allclose(adf_t_stat(lags, following), t_chosen, rtol=1e-8)
    assert t_chosen < -2.86 < t_all  # the criterion keeps the test's power
    assert adf_rejects_unit_root(lags, following)


def test_adf_keeps_its_size_on_random_walks():
    # Choosing the augmentation must not make the 5% test reject unit roots more often.
    rejections = sum(
        adf_rejects_unit_root(*_windows(np.random.default_rng(seed).normal(size=200).cumsum(), 12))
        for seed in range(200)
    )
    assert rejections <= 16  # 8%: the binomial 5% test's upper tail at 200 draws


def test_significantly_positive():
    rng = np.random.default_rng(0)
    assert significantly_positive(0.5 + rng.normal(size=400))
    assert not significantly_positive(rng.normal(size=400) - 0.1)
    assert not significantly_positive([1.0])
