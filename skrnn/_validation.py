"""Input checks shared by every skrnn estimator that reads windows. No torch here.

Windows come as 3-D arrays ``(n_samples, n_timesteps, n_features)``; a 2-D array is taken
as sklearn takes it, one row per sample. ``n_features_in_`` counts features per time step
for 3-D input and columns for 2-D input, so a Pipeline's steps agree on it
(``StandardScaler -> SlidingWindow -> LSTMRegressor`` all report the series' width).

An estimator with a ``lags`` parameter reads a 2-D array as a lag matrix in the layout
that parameter names (:mod:`skrnn._lags`): the layout is resolved at fit
(``lag_layout_``) and turned into 3-D windows at fit and predict alike.
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.utils.validation import (
    _check_y,
    check_array,
    check_consistent_length,
    validate_data,
)

from ._compact import CompactWindows
from ._lags import is_plain, lag_windows, resolve_layout
from ._lags import n_step_features as _layout_features
from ._warnings import warn
from ._window import ShortHistoryWarning, non_numeric_columns

# A 3-D X of one time step and at least this many features is more likely one channel of
# this many steps, in aeon's and sktime's (n_cases, n_channels, n_timepoints) layout.
CHANNELS_FIRST_STEPS = 16

FLOAT_DTYPES = (np.float64, np.float32)


def check_windows(estimator, X, y="no_validation", *, reset, y_numeric=True):
    """Validate `X` (2-D or 3-D) and, unless "no_validation", `y`; set or check
    ``n_features_in_``.

    2-D `X` and `y` must be finite. Non-finite values in 3-D `X` are left for the caller
    to judge: NaN is front padding for the recurrent estimators.
    """
    if not y_numeric and y is not None and not _no_validation(y):
        # Before sklearn's checks, which compare pd.NA with itself and fail on it.
        missing = pd.isna(np.asarray(y, dtype=object))
        if missing.any():
            raise ValueError(
                f"y has {int(missing.sum())} missing label(s) (None, NaN or pd.NA): every "
                "sample needs a class; drop those rows or give them a label."
            )
    out = _check_windows(estimator, X, y, reset=reset, y_numeric=y_numeric)
    if isinstance(out, tuple) and y_numeric and out[1].dtype.kind not in "biuf":
        out = out[0], _numeric_y(estimator, out[1])
    if isinstance(out, tuple) and y_numeric and not np.isfinite(out[1]).all():
        # sklearn checks y for NaN before converting an object array (None in a list)
        # to float: the None would reach training as NaN.
        raise ValueError(
            "Input y contains NaN or infinity (None in a list or an object array is NaN)."
        )
    return out


def _no_validation(y):
    return isinstance(y, str) and y == "no_validation"


def _numeric_y(estimator, y):
    """`y` as floats: numbers written as text are read ("1.5"); other text is refused."""
    if y.dtype.kind != "c":
        try:
            return y.astype(np.float64)
        except (TypeError, ValueError):
            pass
    example = y.flat[0]
    for value in y.flat:
        try:
            float(value)
        except (TypeError, ValueError):
            example = value
            break
    example = example.item() if isinstance(example, np.generic) else example
    raise ValueError(
        f"{type(estimator).__name__} needs numeric targets; y has dtype {y.dtype} with "
        f"values such as {example!r}. For class labels use a classifier."
    )


def _check_windows(estimator, X, y, *, reset, y_numeric):
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None."
        )
    validate_y = not _no_validation(y)
    if isinstance(X, CompactWindows):  # windows of many series, from SlidingWindow
        X.check()
        if not reset and estimator._n_input_dims != 3:
            raise ValueError(
                f"X is 3-D but {type(estimator).__name__} was fitted on "
                f"{estimator._n_input_dims}-D input."
            )
        _check_n_features_3d(estimator, X, reset)
        if validate_y:
            y = _check_y(y, multi_output=True, y_numeric=y_numeric, estimator=estimator)
            check_consistent_length(X.starts, y)
        if reset:
            estimator._n_input_dims = 3
            if hasattr(estimator, "lags"):
                estimator.lag_layout_ = None
        return (X, y) if validate_y else X
    ndim = getattr(X, "ndim", None)
    if ndim is None:  # lists and other array-likes
        X = np.asarray(X)
        ndim = X.ndim
    if ndim not in (2, 3):
        raise ValueError(
            "X must be 2-D (n_samples, n_timesteps) or 3-D (n_samples, n_timesteps, "
            f"n_features), got a {ndim}-D array of shape {X.shape}. Reshape your data, or "
            "use SlidingWindow to cut a series into windows."
        )
    if not reset and ndim == 2 and estimator._n_input_dims == 3:
        X, ndim = _rows_as_windows(estimator, X), 3
    if not reset and ndim != estimator._n_input_dims:
        raise ValueError(
            f"X is {ndim}-D but {type(estimator).__name__} was fitted on "
            f"{estimator._n_input_dims}-D input."
        )
    if ndim == 2:
        X, y = _check_2d(estimator, X, y, validate_y, reset=reset, y_numeric=y_numeric)
        if reset:
            estimator._n_input_dims = 2
        return (X, y) if validate_y else X
    if not (type(X) is np.ndarray and X.dtype in FLOAT_DTYPES and len(X)):
        # (A float ndarray with rows is already what check_array returns: skipping it
        # matters when predicting one window at a time.)
        X = check_array(X, allow_nd=True, dtype=FLOAT_DTYPES, ensure_all_finite=False)
    if 0 in X.shape[1:]:
        raise ValueError(
            f"X has shape {X.shape}, but windows need at least 1 time step and 1 feature: "
            "(n_samples, n_timesteps >= 1, n_features >= 1)."
        )
    _check_n_features_3d(estimator, X, reset)
    # Sequence classification data of aeon and sktime (SlidingWindow(window=1) on a wide
    # frame, which makes the same shape, feeds regressors).
    if (
        reset
        and is_classifier(estimator)
        and X.shape[1] == 1
        and X.shape[2] >= CHANNELS_FIRST_STEPS
    ):
        warn(
            f"X has shape {X.shape}: windows of one time step with {X.shape[2]} features. "
            "3-D X is read as (n_samples, n_timesteps, n_features); aeon and sktime store "
            "(n_cases, n_channels, n_timepoints): pass X.transpose(0, 2, 1) for those.",
            UserWarning,
        )
    if validate_y:
        y = _check_y(y, multi_output=True, y_numeric=y_numeric, estimator=estimator)
        check_consistent_length(X, y)
    if reset:
        estimator._n_input_dims = 3
        if hasattr(estimator, "lags"):
            estimator.lag_layout_ = None
    return (X, y) if validate_y else X


def n_step_features(estimator):
    """Features per time step of the windows a fitted estimator reads: the input size of
    its network (1 for a 2-D X read as univariate sequences)."""
    if estimator._n_input_dims == 3:
        return estimator.n_features_in_
    layout = getattr(estimator, "lag_layout_", None)
    return 1 if layout is None else _layout_features(layout)


def _check_2d(estimator, X, y, validate_y, *, reset, y_numeric):
    """Validate a 2-D `X` (and `y`); for an estimator with a ``lags`` parameter, resolve
    its lag layout at fit and return the windows it makes (3-D, or CompactWindows of many
    series) unless every column is simply one time step, oldest first."""
    has_lags = hasattr(estimator, "lags")
    layout = getattr(estimator, "lag_layout_", None) if not reset else None
    # A recurrent estimator's NaN gets its own message below (inf is refused here).
    sequences = hasattr(estimator, "_cell")
    text = non_numeric_columns(X)
    if text:
        raise ValueError(
            f"X has non-numeric column(s) {text}: encode them as numbers (dates as calendar "
            "features) or drop them."
        )
    kwargs = dict(reset=reset, dtype=FLOAT_DTYPES)
    if sequences:
        kwargs["ensure_all_finite"] = "allow-nan"
    with warnings.catch_warnings():
        if layout is not None and hasattr(estimator, "feature_names_in_"):
            # A layout fitted from names applies to the same columns without them: the
            # frameworks pass DataFrames to fit and arrays to predict, by design.
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
        if not validate_y:
            X = validate_data(estimator, X, **kwargs)
        else:
            X, y = validate_data(estimator, X, y, multi_output=True, y_numeric=y_numeric, **kwargs)
    if sequences and np.isnan(X).any():
        columns = np.flatnonzero(np.isnan(X).any(axis=0))
        names = getattr(estimator, "feature_names_in_", None)
        where = ", ".join(str(c if names is None else names[c]) for c in columns[:5])
        raise ValueError(
            f"Input X contains NaN (in column(s) {where}"
            f"{', ...' if len(columns) > 5 else ''}). A 2-D X must be complete: sequences of "
            "different lengths, front padded with NaN, are read from 3-D windows (n_samples, "
            "n_timesteps, n_features), e.g. X[:, :, None] for one feature."
        )
    if not has_lags:
        return X, y
    if reset:
        layout = resolve_layout(estimator.lags, X, getattr(estimator, "feature_names_in_", None))
        estimator.lag_layout_ = layout
    if layout is None or is_plain(layout):
        return X, y
    windows, codes = lag_windows(X, layout)
    if codes is not None:
        n_samples, window, n_features = windows.shape
        windows = CompactWindows(
            np.ascontiguousarray(windows).reshape(-1, n_features),
            np.arange(n_samples, dtype=np.int64) * window,
            np.full(n_samples, window, dtype=np.int64),
            window,
            codes,
        )
    return windows, y


def _rows_as_windows(estimator, X):
    """Rows ``(n_samples, n_features_in_)`` given to an estimator fitted on windows: each
    row is one time step with nothing before it, the window SlidingWindow gives the first
    row of a series (front padded with NaN). Warns: such a forecast sees no history."""
    X = check_array(X, dtype=FLOAT_DTYPES)
    name = type(estimator).__name__
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X is 2-D with {X.shape[1]} columns, but {name} was fitted on 3-D windows of "
            f"{estimator.n_features_in_} feature(s) per time step. Pass windows "
            "(n_samples, n_timesteps, n_features), e.g. from SlidingWindow."
        )
    warn(
        f"X is 2-D, but {name} was fitted on windows of {estimator.n_timesteps_in_} time "
        "steps: each row is read as a window of one time step, so a forecast from it sees "
        "no history. Pass windows (SlidingWindow before the network in a Pipeline) to "
        "forecast from the past.",
        ShortHistoryWarning,
    )
    windows = np.full((len(X), estimator.n_timesteps_in_, X.shape[1]), np.nan)
    windows[:, -1] = X
    return windows


def _check_n_features_3d(estimator, X, reset):
    n_features = X.shape[2]
    if reset:
        estimator.n_features_in_ = n_features
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features per time step, but {type(estimator).__name__} "
            f"is expecting {estimator.n_features_in_} features as input."
        )
