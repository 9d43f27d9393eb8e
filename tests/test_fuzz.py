"""Property tests (hypothesis) over shapes, dtypes, NaN/inf placement, windows, horizons and
tiny inputs: every input either works (right shape, finite predictions) or is refused with
a clear ValueError/TypeError from input validation, never from deep inside torch.

Values are drawn with magnitudes up to 1e6 (plus NaN and +-inf); see the report in the
module's tests for far larger magnitudes.
"""

import traceback
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.utils.multiclass import type_of_target

from skrnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    PersistenceRegressor,
    RNNClassifier,
    RNNRegressor,
    SlidingWindow,
    make_supervised,
)

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
DTYPES = ["float64", "float32", "int64", "int32", "bool"]
SPECIALS = [np.nan, np.inf, -np.inf]
_FAILED = object()


# -- strategies ----------------------------------------------------------------------------
@st.composite
def numbers(draw, shape, dtypes=DTYPES, specials=True):
    """An array of `shape`: any dtype of `dtypes`, with up to two NaN/inf for floats."""
    dtype = draw(st.sampled_from(dtypes))
    if dtype.startswith("float"):
        width = 32 if dtype == "float32" else 64
        elements = st.floats(-1e6, 1e6, width=width, allow_subnormal=False)
    elif dtype == "bool":
        elements = st.booleans()
    else:
        elements = st.integers(-1000, 1000)
    array = draw(hnp.arrays(dtype, shape, elements=elements))
    if specials and dtype.startswith("float") and array.size:
        for _ in range(draw(st.integers(0, 2))):
            array.flat[draw(st.integers(0, array.size - 1))] = draw(st.sampled_from(SPECIALS))
    return array


@st.composite
def table(draw, array):
    """`array` (2-D) as an ndarray, a DataFrame or nested lists."""
    kind = draw(st.sampled_from(["array", "frame", "list"]))
    if kind == "frame":
        return pd.DataFrame(array, columns=[f"c{j}" for j in range(array.shape[1])])
    return array.tolist() if kind == "list" else array


# -- checks --------------------------------------------------------------------------------
def _attempt(func, *args, **kwargs):
    """func(...) or _FAILED if it raised a clear ValueError/TypeError; anything else fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return func(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        assert len(message) >= 20, f"unclear message: {message!r}"
        # Raised by input validation (skrnn's or scikit-learn's), not deep inside torch,
        # skorch, pandas or numpy.
        origin = traceback.extract_tb(exc.__traceback__)[-1].filename
        assert "/skrnn/" in origin or "/sklearn/" in origin, f"{message!r} raised in {origin}"
        return _FAILED


def _finite(array):
    return bool(np.isfinite(np.asarray(array, dtype=np.float64)).all())


def _naive_windows(values, window, padding):
    """Reference: window of row t = rows t - window + 1 .. t, padded before row 0."""
    n_rows, n_features = values.shape
    out = np.empty((n_rows, window, n_features))
    for t in range(n_rows):
        for step in range(window):
            row = t - window + 1 + step
            out[t, step] = values[row] if row >= 0 else (np.nan if padding == "nan" else values[0])
    return out


# -- SlidingWindow ---------------------------------------------------------------------------
@settings(FUZZ, max_examples=200)
@given(
    data=st.data(),
    n_rows=st.integers(0, 12),
    n_features=st.integers(1, 3),
    window=st.integers(1, 15),
    flatten=st.booleans(),
    padding=st.sampled_from(["auto", "nan", "edge"]),
)
def test_sliding_window(data, n_rows, n_features, window, flatten, padding):
    values = data.draw(numbers((n_rows, n_features)))
    X = data.draw(table(values))
    transformer = SlidingWindow(window, flatten=flatten, padding=padding)
    out = _attempt(transformer.fit_transform, X)
    if n_rows == 0 or not _finite(values):
        assert out is _FAILED
        return
    assert out is not _FAILED, "valid input refused"
    float32 = values.dtype == np.float32 and not isinstance(X, list)
    assert out.dtype == (np.float32 if float32 else np.float64)
    used = "nan" if padding == "nan" or (padding == "auto" and not flatten) else "edge"
    expected = _naive_windows(values.astype(np.float64), window, used)
    if flatten:
        expected = expected.reshape(n_rows, window * n_features)
        assert len(transformer.get_feature_names_out()) == out.shape[1]
    np.testing.assert_array_equal(out, expected)
    # Another width than at fit is refused.
    other = np.zeros((n_rows, n_features + 1))
    assert _attempt(transformer.transform, other) is _FAILED


@settings(FUZZ, max_examples=100)
@given(
    n_rows=st.integers(1, 40),
    n_features=st.integers(1, 3),
    window=st.integers(1, 50),
    flatten=st.booleans(),
    padding=st.sampled_from(["nan", "edge"]),
)
def test_windows_never_contain_later_rows(n_rows, n_features, window, flatten, padding):
    # Every value names its row: value // n_features is the row index.
    ids = np.arange(n_rows * n_features, dtype=np.float64).reshape(n_rows, n_features)
    out = SlidingWindow(window, flatten=flatten, padding=padding).fit_transform(ids)
    windows = out.reshape(n_rows, window, n_features)
    for t in range(n_rows):
        rows = windows[t] // n_features
        real = rows[~np.isnan(rows)]
        assert (real <= t).all(), f"row {t}'s window holds a later row"
        assert (windows[t, -1] == ids[t]).all(), "the last step is the row itself"
        n_pad = max(0, window - 1 - t)
        # Front padding covers exactly the steps before the first row, and nothing else.
        if padding == "nan":
            assert np.isnan(windows[t, :n_pad]).all()
        else:
            assert (windows[t, :n_pad] == ids[0]).all()
        np.testing.assert_array_equal(windows[t, n_pad:], ids[t - (window - n_pad) + 1 : t + 1])


# -- make_supervised --------------------------------------------------------------------------
@settings(FUZZ, max_examples=200)
@given(
    data=st.data(),
    n_rows=st.integers(0, 10),
    n_features=st.integers(1, 3),
    horizon=st.one_of(st.integers(-2, 12), st.sampled_from([True, 1.0, np.int64(2), "1", None])),
)
def test_make_supervised(data, n_rows, n_features, horizon):
    values = data.draw(numbers((n_rows, n_features)))
    kind = data.draw(st.sampled_from(["frame", "series", "array", "array1d", "list"]))
    if kind in ("series", "array1d"):
        values = values[:, :1]
    if kind in ("frame", "series"):
        columns = data.draw(
            st.lists(st.sampled_from(["a", "b", 0]), min_size=values.shape[1], max_size=3)
        )[: values.shape[1]]
        index = pd.date_range("2020-01-01", periods=n_rows, name="Date")
        frame = pd.DataFrame(values, index=index, columns=columns)
        series = data.draw(st.sampled_from(["a", "b", 0, None]))
        source = frame if kind == "frame" else pd.Series(values[:, 0], index=index, name=series)
        target = data.draw(st.sampled_from(["a", "b", 0, 1, "zz"]))
        labels = list(frame.columns) if kind == "frame" else [0 if series is None else series]
        column = labels.index(target) if labels.count(target) == 1 else None
    else:
        source = {"array": values, "array1d": values[:, 0], "list": values.tolist()}[kind]
        target = data.draw(st.one_of(st.integers(-4, 4), st.sampled_from(["a", True, 1.0])))
        ok_index = isinstance(target, int) and not isinstance(target, bool)
        in_range = ok_index and -values.shape[1] <= target < values.shape[1]
        column = target % values.shape[1] if in_range else None
    out = _attempt(make_supervised, source, target=target, horizon=horizon)
    valid_horizon = isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool)
    valid = valid_horizon and column is not None and horizon >= 1 and n_rows > horizon
    if not valid:
        assert out is _FAILED
        return
    assert out is not _FAILED, "valid input refused"
    X, y = out
    n_out = n_rows - horizon
    np.testing.assert_array_equal(np.asarray(X, dtype=float), values[:n_out].astype(float))
    y = np.asarray(y, dtype=float)
    assert y.shape == ((n_out,) if horizon == 1 else (n_out, horizon))
    future = values[:, column].astype(float)
    expected = np.column_stack([future[k : k + n_out] for k in range(1, horizon + 1)])
    np.testing.assert_array_equal(y.reshape(n_out, horizon), expected)
    if kind in ("frame", "series"):
        assert out[0].index.equals(source.index[:n_out])
        assert out[1].index.equals(source.index[:n_out])


# -- PersistenceRegressor -----------------------------------------------------------------------
@st.composite
def windows_and_target(draw, max_samples, max_window, max_features, nan_padding=True):
    """(X, y, valid_X) with 2-D or 3-D X, padding and specials in X and y."""
    n = draw(st.integers(0, max_samples))
    n_features = draw(st.integers(1, max_features))
    ndim = draw(st.sampled_from([2, 3, 3]))
    window = draw(st.integers(1, max_window))
    if ndim == 3 and draw(st.booleans()) and n:  # SlidingWindow's strided view
        series = draw(numbers((n, n_features), dtypes=["float64", "float32"], specials=False))
        X = SlidingWindow(window).fit_transform(series)
    else:
        shape = (n, window, n_features) if ndim == 3 else (n, window)
        X = draw(numbers(shape, specials=False)).astype(np.float64)
        if ndim == 3 and nan_padding and n:
            for i in range(n):
                X[i, : draw(st.integers(0, window - 1))] = np.nan
    if X.size and draw(st.booleans()):  # NaN or inf anywhere: usually invalid
        X = np.array(X)
        for _ in range(draw(st.integers(1, 2))):
            X.flat[draw(st.integers(0, X.size - 1))] = draw(st.sampled_from(SPECIALS))
    horizon = draw(st.sampled_from([None, 1, 2]))
    n_y = n + draw(st.sampled_from([0, 0, 0, 1, -1]))
    y = draw(numbers((max(n_y, 0),) if horizon is None else (max(n_y, 0), horizon)))
    return X, y, n_y == n


def _front_padded(X):
    """Whether NaN in 3-D windows is only whole front time steps, and no inf anywhere."""
    if np.isinf(X).any():
        return False
    isnan = np.isnan(X)
    if (isnan.any(axis=2) != isnan.all(axis=2)).any():
        return False
    step_nan = isnan.all(axis=2)  # (n, window)
    # Padded steps form a prefix: never a NaN step after a real one, last step real.
    return not (np.diff(step_nan.astype(int), axis=1) > 0).any() and not step_nan[:, -1].any()


@settings(FUZZ, max_examples=150)
@given(
    data=st.data(),
    target_feature=st.sampled_from(["auto", "auto", 0, 1, 3]),
)
def test_persistence_regressor(data, target_feature):
    X, y, same_length = data.draw(windows_and_target(8, 4, 3))
    model = PersistenceRegressor(target_feature=target_feature)
    fitted = _attempt(model.fit, X, y)
    n_features = X.shape[2] if X.ndim == 3 else X.shape[1]
    last = X[:, -1] if X.ndim == 3 else X
    valid = (
        len(X) > 0
        and same_length
        and _finite(y)
        and _finite(last)
        and (target_feature == "auto" or target_feature < n_features)
    )
    if not valid:
        assert fitted is _FAILED
        return
    assert fitted is not _FAILED, "valid input refused"
    for rows in (X, X[:1]):
        y_pred = model.predict(rows)
        assert y_pred.shape == (len(rows), *y.shape[1:])
        assert _finite(y_pred)


# -- recurrent estimators ----------------------------------------------------------------------
@settings(FUZZ, max_examples=40)
@given(
    data=st.data(),
    cls=st.sampled_from([RNNRegressor, LSTMRegressor, GRURegressor]),
    skip=st.sampled_from(["linear", "persistence", None]),
    early_stopping=st.booleans(),
    batch_size=st.integers(1, 4),
    bidirectional=st.booleans(),
    center=st.booleans(),
)
def test_recurrent_regressors(data, cls, skip, early_stopping, batch_size, **params):
    X, y, same_length = data.draw(windows_and_target(7, 4, 2))
    model = cls(
        hidden_size=2,
        max_epochs=1,
        skip=skip,
        early_stopping=early_stopping,
        batch_size=batch_size,
        random_state=0,
        **params,
    )
    if data.draw(st.booleans()) and X.ndim == 2:
        X = pd.DataFrame(X, columns=[f"t{j}" for j in range(X.shape[1])])
    fitted = _attempt(model.fit, X, y)
    values = np.asarray(X, dtype=np.float64)
    valid = (
        len(values) >= (2 if early_stopping else 1)
        and same_length
        and _finite(y)
        and (_front_padded(values) if values.ndim == 3 else _finite(values))
    )
    if not valid:
        assert fitted is _FAILED
        return
    assert fitted is not _FAILED, "valid input refused"
    for rows in (X, X[:1]):
        y_pred = model.predict(rows)
        assert y_pred.shape == (len(rows), *y.shape[1:])
        assert _finite(y_pred)
    if values.ndim == 3:  # another window length or width than at fit is refused
        assert _attempt(model.predict, values[:, :-1]) is _FAILED
        assert _attempt(model.predict, np.concatenate([values, values], axis=2)) is _FAILED


@settings(FUZZ, max_examples=25)
@given(
    data=st.data(),
    cls=st.sampled_from([RNNClassifier, LSTMClassifier, GRUClassifier]),
    early_stopping=st.booleans(),
    class_weight=st.sampled_from([None, "balanced"]),
    kind=st.sampled_from(["str", "int", "bool", "float", "float-nan", "column", "2-columns"]),
)
def test_recurrent_classifiers(data, cls, early_stopping, class_weight, kind):
    X, _, _ = data.draw(windows_and_target(7, 3, 2))
    n_y = max(len(X) + data.draw(st.sampled_from([0, 0, 0, 1, -1])), 0)
    pool = {
        "str": ["up", "down", "flat"],
        "int": [-1, 0, 7],
        "bool": [False, True],
        "float": [0.5, 1.0, 2.0],
        "float-nan": [0.0, 1.0, np.nan],
    }.get(kind, [0, 1])
    y = np.array(data.draw(st.lists(st.sampled_from(pool), min_size=n_y, max_size=n_y)))
    if kind == "column":
        y = y.reshape(-1, 1)
    elif kind == "2-columns":
        y = np.column_stack([y, y])
    model = cls(
        hidden_size=2,
        max_epochs=1,
        early_stopping=early_stopping,
        class_weight=class_weight,
        random_state=0,
    )
    fitted = _attempt(model.fit, X, y)
    values = np.asarray(X, dtype=np.float64)
    labels = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
    valid = (
        len(values) >= (2 if early_stopping else 1)
        and n_y == len(values)
        and (_front_padded(values) if values.ndim == 3 else _finite(values))
        and labels.ndim == 1
        and (labels.dtype.kind != "f" or _finite(labels))
        and type_of_target(labels) in ("binary", "multiclass")
        and len(np.unique(labels)) >= 2
    )
    if not valid:
        assert fitted is _FAILED
        return
    assert fitted is not _FAILED, "valid input refused"
    np.testing.assert_array_equal(model.classes_, np.unique(labels))
    for rows in (X, X[:1]):
        assert set(model.predict(rows)) <= set(model.classes_)
        proba = model.predict_proba(rows)
        assert proba.shape == (len(rows), len(model.classes_))
        assert _finite(proba)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)


DEGENERATE = {
    "no-features": np.zeros((5, 3, 0)),
    "no-steps": np.zeros((5, 0, 2)),
    "no-samples": np.zeros((0, 3, 2)),
    "2d-no-steps": np.zeros((5, 0)),
    "1d": np.zeros(5),
    "4d": np.zeros((5, 3, 2, 1)),
    "str": np.full((5, 3, 1), "a"),
    "complex": np.ones((5, 3, 1), dtype=complex),
}


@pytest.mark.parametrize("name", DEGENERATE)
@pytest.mark.parametrize(
    "model",
    [
        PersistenceRegressor(),
        RNNRegressor(hidden_size=2, max_epochs=1, early_stopping=False),
        LSTMRegressor(hidden_size=2, max_epochs=1, skip=None),
        GRURegressor(hidden_size=2, max_epochs=1, skip="persistence"),
    ],
    ids=type,
)
def test_degenerate_shapes_are_refused(model, name):
    X = DEGENERATE[name]
    assert _attempt(model.fit, X, np.zeros(len(X))) is _FAILED


@pytest.mark.parametrize("cls", [RNNRegressor, LSTMRegressor, GRURegressor])
def test_values_beyond_float32_are_refused(cls):
    """The networks compute in float32: a finite float64 beyond its range is refused in
    words (not reported as inf), and PersistenceRegressor, in float64, takes it."""
    X = np.linspace(1, 2, 15).reshape(5, 3, 1) * 1e39
    y = np.arange(5.0)
    model = cls(hidden_size=2, max_epochs=1, early_stopping=False)
    with pytest.raises(ValueError, match="too large for float32"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="too large for float32"):
        model.fit(X[:, :, 0], y)
    assert _finite(PersistenceRegressor().fit(X, y).predict(X))
