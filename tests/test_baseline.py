import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skrnn import PersistenceRegressor, SlidingWindow, make_supervised
from skrnn._baseline import find_persistence


def _prices(n=300, seed=0):
    rng = np.random.default_rng(seed)
    close = 100 + rng.normal(size=n).cumsum()
    return pd.DataFrame(
        {"Open": close + rng.normal(size=n), "Close": close, "Volume": rng.uniform(1e6, 2e6, n)}
    )


@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler])
@pytest.mark.parametrize("window", [None, 5])
def test_persistence_is_exact_behind_a_scaler(scaler, window):
    X, y = make_supervised(_prices(), target="Close")
    steps = [scaler()] + ([SlidingWindow(window)] if window else []) + [PersistenceRegressor()]
    model = make_pipeline(*steps).fit(X[:200], y[:200])
    np.testing.assert_allclose(model.predict(X[200:]), X["Close"][200:], rtol=1e-10)
    assert model[-1].target_feature_ == 1
    assert model[-1].persistence_exact_


def test_multi_output_is_persistence_for_every_horizon():
    X, y = make_supervised(_prices(), target="Close", horizon=3)
    model = make_pipeline(StandardScaler(), PersistenceRegressor()).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == (len(X), 3)
    for column in pred.T:
        np.testing.assert_allclose(column, X["Close"], rtol=1e-10)


def test_shuffled_rows_fall_back_to_least_squares():
    X, y = make_supervised(_prices(), target="Close")
    order = np.random.default_rng(0).permutation(len(X))
    model = PersistenceRegressor().fit(X.to_numpy()[order], y.to_numpy()[order])
    assert not model.persistence_exact_
    assert model.target_feature_ == 1  # Close correlates best with the next close


def test_explicit_target_feature():
    X, y = make_supervised(_prices(), target="Close")
    model = PersistenceRegressor(target_feature=0).fit(X, y)
    assert model.target_feature_ == 0
    assert not model.persistence_exact_
    with pytest.raises(ValueError, match="target_feature=7"):
        PersistenceRegressor(target_feature=7).fit(X, y)


def test_find_persistence_exact_map_undoes_scaling():
    series = np.random.default_rng(1).normal(size=100).cumsum()
    last = (series[:-1, None] - 3.0) / 7.0
    pmap = find_persistence(last, series[1:, None])
    assert pmap.exact
    assert pmap.feature == 0
    np.testing.assert_allclose([pmap.slope[0], pmap.intercept[0]], [7.0, 3.0])


def test_nan_in_last_step_is_rejected():
    X = np.ones((10, 3, 2))
    X[4, -1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        PersistenceRegressor().fit(X, np.ones(10))


def test_a_feature_near_the_smallest_float_gives_finite_forecasts():
    # Found by tests/test_fuzz.py: an affine map from [2.2e-308, 0] onto [4, 0] has a
    # slope beyond the float range; the fit falls back to the mean, never inf or NaN.
    X, y = np.array([[np.finfo(float).tiny], [0.0]]), np.array([4.0, 0.0])
    model = PersistenceRegressor().fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    assert np.isfinite(model.predict(X[:1])).all()


@pytest.mark.parametrize("horizon", [2, 5])
def test_a_single_target_further_ahead_is_persistence_too(horizon):
    # One model per horizon (skforecast's ForecasterDirect, MultiOutputRegressor): y is the
    # close `horizon` rows ahead, alone.
    X, y = make_supervised(_prices(), target="Close", horizon=horizon)
    model = make_pipeline(StandardScaler(), PersistenceRegressor()).fit(X, y.iloc[:, -1])
    assert model[-1].persistence_exact_
    np.testing.assert_allclose(model.predict(X), X["Close"], rtol=1e-10)
    pmap = find_persistence(StandardScaler().fit_transform(X), y.to_numpy()[:, -1:])
    assert (pmap.feature, pmap.shift) == (1, horizon)


@pytest.mark.parametrize(
    "rows",
    [
        np.r_[0:100, 150:299],  # a KFold training set: a gap
        np.r_[150:299, 0:100],  # blocks out of order
        np.r_[0:299:2],  # every pair broken: least squares
    ],
)
def test_a_few_breaks_in_the_rows_keep_the_map_exact(rows):
    X, y = make_supervised(_prices(), target="Close")
    model = PersistenceRegressor().fit(X.iloc[rows], y.iloc[rows])
    broken = np.mean(np.diff(rows) != 1)
    assert model.persistence_exact_ == (broken <= 0.1)
    if model.persistence_exact_:
        np.testing.assert_allclose(model.predict(X), X["Close"], rtol=1e-10)


def test_series_stacked_without_ids_keep_the_map_exact():
    frames = [_prices(seed=seed) for seed in range(3)]
    pairs = [make_supervised(frame, target="Close") for frame in frames]
    X = pd.concat([X for X, _ in pairs], ignore_index=True)
    y = pd.concat([y for _, y in pairs], ignore_index=True)
    model = make_pipeline(MinMaxScaler(), PersistenceRegressor()).fit(X, y)
    assert model[-1].persistence_exact_
    np.testing.assert_allclose(model.predict(X), X["Close"], rtol=1e-10)


def test_a_feature_that_repeats_the_target_on_most_rows_loses_to_the_one_that_is_it():
    # A series that moves on 3% of its steps: its older lags equal its next value on far
    # more than 90% of the rows, as a count's 0/1 indicator does for a sparse count.
    rng = np.random.default_rng(0)
    steps = np.cumsum((rng.random(500) < 0.03) * rng.normal(size=500))
    X = np.column_stack([steps[:-3], steps[1:-2], steps[2:-1]])  # oldest lag first
    model = PersistenceRegressor().fit(X, steps[3:])
    assert (model.target_feature_, model.persistence_exact_) == (2, True)
    counts = (rng.poisson(0.05, 500) * rng.integers(2, 9, 500)).astype(float)
    X = np.column_stack([counts[:-1] > 0, counts[:-1]])
    model = PersistenceRegressor().fit(X, counts[1:])
    assert (model.target_feature_, model.persistence_exact_) == (1, True)
    assert model.predict(np.array([[1.0, 5.0]]))[0] == pytest.approx(5.0)


@pytest.mark.parametrize("n", [20, 40])
def test_sparse_counts_that_are_not_the_target_are_not_exact(n):
    # A few dozen rows of counts: a line through a cluster of zeros fits by chance.
    for seed in range(100):
        rng = np.random.default_rng(seed)
        X, y = rng.poisson(0.3, (n, 3)).astype(float), rng.poisson(0.3, n).astype(float)
        assert not find_persistence(X, y[:, None]).exact, seed
