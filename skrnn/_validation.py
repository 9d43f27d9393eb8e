"""Input checks shared by every skrnn estimator that reads windows. No torch here.

Windows come as 3-D arrays ``(n_samples, n_timesteps, n_features)``; a 2-D array is taken
as sklearn takes it, one row per sample. ``n_features_in_`` counts features per time step
for 3-D input and columns for 2-D input, so a Pipeline's steps agree on it
(``StandardScaler -> SlidingWindow -> LSTMRegressor`` all report the series' width).
"""

import numpy as np
from sklearn.utils.validation import (
    _check_y,
    check_array,
    check_consistent_length,
    validate_data,
)

from ._compact import CompactWindows

FLOAT_DTYPES = (np.float64, np.float32)


def check_windows(estimator, X, y="no_validation", *, reset, y_numeric=True):
    """Validate `X` (2-D or 3-D) and, unless "no_validation", `y`; set or check
    ``n_features_in_``.

    2-D `X` and `y` must be finite. Non-finite values in 3-D `X` are left for the caller
    to judge: NaN is front padding for the recurrent estimators.
    """
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None."
        )
    validate_y = not (isinstance(y, str) and y == "no_validation")
    if isinstance(X, CompactWindows):  # windows of many series, from SlidingWindow
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
    if not reset and ndim != estimator._n_input_dims:
        raise ValueError(
            f"X is {ndim}-D but {type(estimator).__name__} was fitted on "
            f"{estimator._n_input_dims}-D input."
        )
    if ndim == 2:
        kwargs = dict(reset=reset, dtype=FLOAT_DTYPES)
        if not validate_y:
            X = validate_data(estimator, X, **kwargs)
        else:
            X, y = validate_data(estimator, X, y, multi_output=True, y_numeric=y_numeric, **kwargs)
    else:
        X = check_array(X, allow_nd=True, dtype=FLOAT_DTYPES, ensure_all_finite=False)
        if 0 in X.shape[1:]:
            raise ValueError(
                f"X has shape {X.shape}, but windows need at least 1 time step and 1 feature: "
                "(n_samples, n_timesteps >= 1, n_features >= 1)."
            )
        _check_n_features_3d(estimator, X, reset)
        if validate_y:
            y = _check_y(y, multi_output=True, y_numeric=y_numeric, estimator=estimator)
            check_consistent_length(X, y)
    if reset:
        estimator._n_input_dims = ndim
    return (X, y) if validate_y else X


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
