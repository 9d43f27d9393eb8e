"""Turning a series into supervised windows: ``SlidingWindow`` and ``make_supervised``.

This module never imports torch: a user who only wants lag features for a tabular model
pays nothing for the networks.
"""

from numbers import Integral, Number

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from ._compact import CompactWindows
from ._warnings import warn

__all__ = ["ShortHistoryWarning", "SlidingWindow", "make_supervised"]

_IMPUTE_HINT = "impute missing values first, e.g. with SimpleImputer before SlidingWindow"


class ShortHistoryWarning(UserWarning):
    """A forecast is about to be made from a window with less history than ``window``.

    :meth:`SlidingWindow.transform` raises it when the *last* row of a series (the row a
    forecast of the future is made from) has fewer than ``window`` rows before it, itself
    included: its window is front padded, so the forecast sees only the steps it was given.
    This happens when predicting from the last rows alone (``model.predict(X.iloc[-1:])``)
    instead of from the whole series (``model.predict(X)[-1:]``, or :func:`skrnn.forecast`),
    and when a network fitted on windows is given 2-D rows, each read as a window of one
    time step (as MAPIE's fitted-check does).
    Fitting never raises it: short series in training data are padded on purpose.
    """


class SlidingWindow(TransformerMixin, BaseEstimator):
    """Cut a series into one look-back window per row.

    Row ``t`` of the output holds rows ``t - window + 1 .. t`` of the input, oldest first, and
    nothing later, so a forecast made from it never looks ahead. Because there is exactly one
    output sample per input row, ``y`` stays aligned with ``X`` inside a
    :class:`~sklearn.pipeline.Pipeline` and under any CV splitter, and SlidingWindow can sit
    after a scaler like any other transformer.

    The first ``window - 1`` rows have less history than ``window``. Their windows are padded
    at the front with NaN; skrnn's recurrent estimators recognise that front padding and run
    only over the real steps. Tabular models cannot, so the flattened output repeats the
    oldest row instead (see ``padding``). :meth:`transform` warns
    (:class:`~skrnn.ShortHistoryWarning`) when the last row of a series is one of them: a
    forecast of the future made from it would see less history than ``window``.

    Parameters
    ----------
    window : int, default=7
        Number of time steps in each window, the current row included.

    flatten : bool, default=False
        If False, output a 3-D array ``(n_samples, window, n_features)`` for the recurrent
        estimators. If True, output a 2-D array ``(n_samples, window * n_features)`` of lag
        features for tabular regressors (Ridge, gradient boosting, ...), with names such as
        ``Close_lag0`` (the current row) and ``Close_lag6`` (six rows earlier).

    padding : {"auto", "nan", "edge"}, default="auto"
        How windows of the first ``window - 1`` rows are filled where there is no history.
        ``"nan"`` marks the missing steps with NaN (the recurrent estimators skip them);
        ``"edge"`` repeats the oldest available row. ``"auto"`` is ``"nan"`` for 3-D output and
        ``"edge"`` when ``flatten=True``.

    group : str, int or None, default=None
        The column of `X` that says which series each row belongs to, for a long frame of
        many series (one row per series and time step, each series' rows in time order).
        Windows then never reach into another series: each series is front padded on its
        own. The column is not a feature. The 3-D output is a
        :class:`~skrnn.CompactWindows`, an array-like that keeps O(rows) memory.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X` has feature names
        that are all strings.

    See Also
    --------
    make_supervised : Pair the rows of a series with the targets that follow them.

    Notes
    -----
    The 3-D output is a read-only strided view of one padded copy of the input, so it costs
    O(n_samples * n_features) memory, not O(n_samples * window * n_features). skrnn's
    estimators read it back without materialising it.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import SlidingWindow
    >>> X = np.arange(8.0).reshape(4, 2)
    >>> SlidingWindow(window=2).fit_transform(X)[:2]
    array([[[nan, nan],
            [ 0.,  1.]],
    <BLANKLINE>
           [[ 0.,  1.],
            [ 2.,  3.]]])
    >>> SlidingWindow(window=2, flatten=True).fit(X).get_feature_names_out()
    array(['x0_lag1', 'x1_lag1', 'x0_lag0', 'x1_lag0'], dtype=object)
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "flatten": ["boolean"],
        "padding": [StrOptions({"auto", "nan", "edge"})],
        "group": [str, Integral, None],
    }

    def __init__(self, window=7, *, flatten=False, padding="auto", group=None):
        self.window = window
        self.flatten = flatten
        self.padding = padding
        self.group = group

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check `X` and remember its number of features (and names).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one row per time step, oldest first.

        y : None
            Ignored.

        Returns
        -------
        self : SlidingWindow
            The fitted transformer.
        """
        self._validate(X, reset=True)
        return self

    def transform(self, X):
        """Return the look-back window of every row of `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one row per time step, oldest first.

        Returns
        -------
        X_windows : ndarray of shape (n_samples, window, n_features) or \
                (n_samples, window * n_features)
            One window per input row; see ``flatten`` and ``padding``.

        Warns
        -----
        ShortHistoryWarning
            If the last row of a series in `X` has fewer than ``window`` rows of history
            (itself included), as when predicting from the last row alone.
        """
        return self._transform(X, warn=True)

    def fit_transform(self, X, y=None):
        """Fit to `X`, then return the look-back window of every row of `X`.

        Unlike :meth:`transform`, this never warns about short history: training windows
        at the start of a series are padded on purpose.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one row per time step, oldest first.

        y : None
            Ignored.

        Returns
        -------
        X_windows : ndarray of shape (n_samples, window, n_features) or \
                (n_samples, window * n_features)
            One window per input row; see ``flatten`` and ``padding``.
        """
        return self.fit(X, y)._transform(X, warn=False)

    def _transform(self, X, *, warn):
        check_is_fitted(self)
        X, codes = self._validate(X, reset=False)
        if warn:
            self._warn_if_short(len(X), codes)
        pad = self.padding
        if pad == "auto":
            pad = "edge" if self.flatten else "nan"
        if codes is not None:
            windows = CompactWindows.from_series(X, codes, self.window)
            if not self.flatten:
                return windows
            windows = np.asarray(windows, dtype=X.dtype)
            if pad == "edge":
                _edge_fill(windows)
            return windows.reshape(len(X), -1)
        windows = sliding_windows(X, self.window, pad)
        if self.flatten:
            return windows.reshape(len(X), -1)
        return windows

    def _warn_if_short(self, n_rows, codes):
        """ShortHistoryWarning if the last row of a series has less than a full window."""
        if self.window == 1 or n_rows == 0:
            return
        if codes is None:
            if n_rows >= self.window:
                return
            where = f"The last row of X has {n_rows} row(s) of history"
        else:
            sizes = np.bincount(codes)
            short = sizes[(sizes > 0) & (sizes < self.window)]
            if not len(short):
                return
            where = (
                f"The last row of {len(short)} of the {int((sizes > 0).sum())} series in X has "
                f"as few as {short.min()} row(s) of history"
            )
        warn(
            f"{where} (itself included), fewer than window={self.window}: its window is "
            "front padded, so a forecast from it sees only those steps. Pass the rows before "
            "it too and keep the last prediction (model.predict(X)[-1:] rather than "
            "model.predict(X.iloc[-1:])), or forecast with skrnn.forecast(model, history, ...).",
            ShortHistoryWarning,
        )

    def _validate(self, X, *, reset):
        """The checked series (and the integer code of each row's series, or None)."""
        _check_panel_index(X, self.group)
        if self.group is None:
            _check_time_order(X)
            return _check_series(self, X, reset=reset), None
        # Count and name the columns as given, the group column included.
        validate_data(self, X, reset=reset, skip_check_array=True)
        frame = X if hasattr(X, "iloc") else np.asarray(X, dtype=object)
        position, features = _split_group(frame, self.group, "group")
        if reset:
            self._group_position = position
        codes = _group_codes(frame, self.group)
        _check_time_order(X, codes)
        return _check_values(features), codes

    def set_output(self, *, transform=None):
        """Set the output container of :meth:`transform` and :meth:`fit_transform`.

        Only flattened windows (``flatten=True``) have a table form: they become a
        DataFrame with the columns of :meth:`get_feature_names_out` under ``"pandas"``.
        3-D windows stay arrays whatever this or ``sklearn.set_config(transform_output=...)``
        says, so a pipeline set to pandas output still feeds its network.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None, default=None
            The container of flattened windows; None leaves it unchanged.

        Returns
        -------
        self : SlidingWindow
            The transformer.
        """
        if transform is not None:
            self._output_config = {"transform": transform}
        return self

    # sklearn's set_output machinery reads this, and clone copies it.
    @property
    def _sklearn_output_config(self):
        if not self.flatten:
            return {"transform": "default"}
        return self.__dict__.get("_output_config", {})

    @_sklearn_output_config.setter
    def _sklearn_output_config(self, config):
        self._output_config = dict(config)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; by default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            With ``flatten=True``, ``<feature>_lag<k>`` in output column order, where lag 0 is
            the current row. Otherwise the per-step feature names, as the last axis of the 3-D
            output is laid out.
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        if self.group is not None:
            names = np.delete(names, self._group_position)
        if not self.flatten:
            return names
        return np.asarray(
            [f"{name}_lag{lag}" for lag in range(self.window - 1, -1, -1) for name in names],
            dtype=object,
        )


def _check_panel_index(X, group, name="X"):
    """Catch a panel whose series ids are an index level (sktime's ``(id, time)``
    MultiIndex): its rows would be read as one series, windows and targets crossing from
    one series into the next."""
    index = getattr(X, "index", None)
    if not isinstance(index, pd.MultiIndex):
        return
    if group is not None:
        if group in index.names and group not in X.columns:
            raise ValueError(
                f"group={group!r} is a level of {name}'s index, not a column: pass "
                f"{name}.reset_index(level={group!r}) (and the same for the rows you predict)."
            )
        return
    time = index.get_level_values(-1)
    if pd.api.types.is_datetime64_any_dtype(time) and not time.is_monotonic_increasing:
        level = index.names[0] if index.names[0] is not None else 0
        warn(
            f"{name} has a MultiIndex whose last level, dates, goes back in time "
            f"{int((np.diff(time.asi8) < 0).sum())} time(s): rows of several series (one per "
            f"value of level {level!r}) are read as one series, so windows and targets "
            f"cross from one into the next. Pass {name}.reset_index(level={level!r}) with "
            f"group={level!r}.",
            UserWarning,
        )


def _split_group(X, group, name, data="X"):
    """Position of column `group` in `X` (DataFrame or 2-D array) and X without it;
    `name` and `data` are the parameters' names in messages."""
    if hasattr(X, "columns"):
        if group not in X.columns:
            raise ValueError(
                f"{name}={group!r} is not a column of {data}; columns are {list(X.columns)}."
            )
        position = X.columns.get_loc(group)
        if not isinstance(position, Integral):
            raise ValueError(f"{name}={group!r} names several columns of {data}.")
        return position, X.drop(columns=group)
    if X.ndim != 2:
        raise ValueError(f"{data} must be 2-D (n_samples, n_features), got shape {X.shape}.")
    if isinstance(group, (str, bool)) or not -X.shape[1] <= group < X.shape[1]:
        raise ValueError(
            f"{name}={group!r} must be a column index of {data} (an int below {X.shape[1]}) "
            "for an array without column names."
        )
    position = group % X.shape[1]
    return position, np.delete(X, position, axis=1)


def _group_codes(X, group):
    """Integer code of each row's series, numbered in order of first appearance."""
    ids = X[group] if hasattr(X, "columns") else X[:, group]
    ids = pd.Series(np.asarray(ids))
    if ids.isna().any():
        raise ValueError("The group column contains missing values: every row needs a series id.")
    if ids.dtype == object:
        kinds = {_id_kind(kind) for kind in set(map(type, ids.to_numpy()))}
        if len(kinds) > 1:
            raise TypeError(
                f"The group column mixes series ids of several kinds ({', '.join(sorted(kinds))})"
                ": 1 and True would be read as one series, 1 and '1' as two. "
                "Give every id the same type, e.g. ids.astype(str)."
            )
    codes, _ = pd.factorize(ids, sort=False)
    return codes.astype(np.int64)


def _id_kind(kind):
    if issubclass(kind, (bool, np.bool_)):
        return "booleans"
    if issubclass(kind, Number):
        return "numbers"
    return "text" if issubclass(kind, str) else kind.__name__


def _check_time_order(X, codes=None, name="X"):
    """Refuse rows whose dates (a DatetimeIndex of `X`) go back in time or repeat within a
    series (`codes`, None: one series): windows and targets would read the past as the
    future."""
    index = getattr(X, "index", None)
    if not isinstance(index, pd.DatetimeIndex) or (
        index.is_monotonic_increasing and index.is_unique  # then so is every series
    ):
        return
    if codes is None:
        codes = np.zeros(len(index), dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    dates, series = index.asi8[order], codes[order]
    same = series[1:] == series[:-1]
    bad = np.flatnonzero(same & (dates[1:] <= dates[:-1]))
    if not len(bad):
        return
    row = order[bad[0] + 1]
    what = "repeats" if dates[bad[0] + 1] == dates[bad[0]] else "goes back to"
    series_text = "" if codes.max() == 0 else " within its series"
    stamp = index[row]
    date = f"{stamp:%Y-%m-%d}" if stamp == stamp.normalize() else str(stamp)
    raise ValueError(
        f"{name}'s dates must increase within each series, but row {row} {what} "
        f"{date}{series_text} ({len(bad)} such row(s)); sort the rows "
        "by date (several series stacked in one frame: pass their id column as group=)."
    )


def non_numeric_columns(X):
    """Names of the columns of DataFrame `X` that hold neither numbers nor booleans: text,
    categories of text, dates, durations and periods (none for an array)."""
    names = []
    for i, dtype in enumerate(getattr(X, "dtypes", [])):
        if isinstance(dtype, pd.CategoricalDtype):
            bad = not pd.api.types.is_numeric_dtype(dtype.categories.dtype)
        elif pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
            values = X.iloc[:, i]
            text = values[values.map(type).eq(str)]  # numbers written as text are numbers
            bad = pd.to_numeric(text, errors="coerce").isna().any()
        else:
            bad = _is_date(dtype)
        if bad:
            names.append(X.columns[i])
    return names


def _is_date(dtype):
    return isinstance(dtype, pd.PeriodDtype) or dtype.kind in "mM"


def _check_values(X):
    """Finite float values of the feature columns (a float copy of an object array)."""
    from sklearn.utils import check_array

    text = non_numeric_columns(X)
    if text:
        raise ValueError(
            f"X has non-numeric column(s) {text} besides the group column: encode them as "
            "numbers (dates as calendar features) or drop them."
        )
    X = check_array(X, dtype=[np.float64, np.float32], ensure_all_finite=False)
    if not np.isfinite(X).all():
        what = "NaN" if np.isnan(X).any() else "inf"
        raise ValueError(
            f"Input X contains {what}; SlidingWindow needs finite values (NaN and inf are "
            f"not allowed): {_IMPUTE_HINT}."
        )
    return X


def _edge_fill(windows):
    """Fill each window's NaN front padding with its oldest real step, in place."""
    first_real = np.isnan(windows).all(axis=2).sum(axis=1)
    steps = np.maximum(np.arange(windows.shape[1]), first_real[:, None])
    windows[:] = np.take_along_axis(windows, steps[:, :, None], axis=1)


def _check_series(estimator, X, *, reset):
    """Validate a 2-D numeric series with finite values, preserving float dtypes."""
    text = non_numeric_columns(X)
    if text:
        ids = [name for name in text if not _is_date(X[name].dtype)]
        hint = (
            f"If {ids[0]!r} holds series ids (a long frame of many series), pass "
            f"group={ids[0]!r}; otherwise encode"
            if ids
            else "Encode"
        )
        raise ValueError(
            f"X has non-numeric column(s) {text}. {hint} them as numbers (dates as calendar "
            "features) or drop them."
        )
    X = validate_data(
        estimator,
        X,
        reset=reset,
        dtype=[np.float64, np.float32],
        ensure_all_finite=False,
    )
    if not np.isfinite(X).all():
        what = "NaN" if np.isnan(X).any() else "inf"
        raise ValueError(
            f"Input X contains {what}; SlidingWindow needs finite values (NaN and inf are "
            f"not allowed): {_IMPUTE_HINT}."
        )
    return X


def sliding_windows(X, window, padding="nan"):
    """Strided, read-only view ``(n, window, n_features)`` of the windows of a 2-D array.

    One padded copy of `X` (``window - 1`` extra rows at the front) backs the view, so the
    memory used is that of `X`, whatever the window.
    """
    n_rows, n_features = X.shape
    dtype = X.dtype if X.dtype.kind == "f" else np.float64
    padded = np.empty((n_rows + window - 1, n_features), dtype=dtype)
    padded[window - 1 :] = X
    if window > 1:
        padded[: window - 1] = np.nan if padding == "nan" else X[:1]
    windows = np.lib.stride_tricks.sliding_window_view(padded, window, axis=0)
    # sliding_window_view puts the window axis last; the estimators want (n, steps, features).
    return windows.transpose(0, 2, 1)


def make_supervised(data, target, horizon=1, *, group=None, future=None):
    """Pair each row of a series with the target values that follow it.

    Row ``t`` of `X` is row ``t`` of `data`; row ``t`` of `y` holds ``target`` at
    ``t + 1 .. t + horizon``. The last `horizon` rows, which have no future yet, are dropped.
    Feed `X` through :class:`SlidingWindow` to give each row its history. Columns known in
    advance (calendar, holidays, planned promotions) can be aligned with the dates forecast:
    see `future`.

    Parameters
    ----------
    data : DataFrame or array-like of shape (n_samples, n_features)
        The series, one row per time step, oldest first.

    target : str or int
        The column to forecast: a column label for a DataFrame, a column index for an array.

    horizon : int, default=1
        How many steps ahead to forecast. With ``horizon > 1``, `y` has one column per step
        (a direct multi-step forecast).

    group : str, int or None, default=None
        For a long frame of many series, the column holding each row's series id: targets
        are then shifted within each series, never across, and the last `horizon` rows of
        every series are dropped. Rows of one series must be in time order; series may be
        stacked or interleaved. The column stays in `X` for :class:`SlidingWindow`.

    future : str, int, list of them or None, default=None
        Future-known covariates: columns whose values are known ahead of time. For each,
        `X` gains `horizon` columns holding its values at the dates forecast, rows
        ``t + 1 .. t + horizon`` (within the row's series): ``<column>_t+1 ..
        <column>_t+h`` after the columns of a DataFrame, in the order given (the same
        columns appended to an array). The column itself stays in `X`, with its value at
        ``t``. :func:`skrnn.forecast` fills them past the end of the data from its
        ``future`` frame.

    Returns
    -------
    X : DataFrame or ndarray of shape (n_samples - horizon, n_features + \
            horizon * len(future))
        The input rows, with the original index for a DataFrame.

    y : Series, DataFrame or ndarray of shape (n_samples - horizon,) or \
            (n_samples - horizon, horizon)
        The future target values. For a DataFrame input, a Series named ``target`` when
        ``horizon == 1``, otherwise a DataFrame with columns ``<target>_t+1 .. <target>_t+h``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skrnn import make_supervised
    >>> prices = pd.DataFrame({"Close": [1.0, 2.0, 3.0, 4.0]})
    >>> X, y = make_supervised(prices, target="Close")
    >>> y.tolist()
    [2.0, 3.0, 4.0]
    >>> X, y = make_supervised(prices, target="Close", horizon=2)
    >>> y.columns.tolist()
    ['Close_t+1', 'Close_t+2']
    >>> panel = pd.DataFrame({"id": ["a", "a", "a", "b", "b"], "y": [1.0, 2, 3, 10, 20]})
    >>> X, y = make_supervised(panel, target="y", group="id")
    >>> y.tolist()
    [2.0, 3.0, 20.0]
    >>> sales = pd.DataFrame({"sales": [5.0, 9.0, 4.0, 5.0], "holiday": [0, 1, 0, 0]})
    >>> X, y = make_supervised(sales, target="sales", horizon=2, future="holiday")
    >>> X
       sales  holiday  holiday_t+1  holiday_t+2
    0    5.0        0            1            0
    1    9.0        1            0            0
    """
    if isinstance(horizon, bool) or not isinstance(horizon, Integral) or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}.")
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        _check_panel_index(data, group, "data")
        if target not in data.columns:
            raise ValueError(
                f"target {target!r} is not a column of data; columns are {list(data.columns)}."
            )
        if not isinstance(data.columns.get_loc(target), Integral):
            raise ValueError(
                f"target {target!r} names several columns of data; column labels must be "
                "unique to pick the one to forecast."
            )
        values = data[target].to_numpy()
    else:
        data = np.asarray(data)
        if data.ndim == 1:
            data = data.reshape(-1, 1)
        if data.ndim != 2:
            raise ValueError(f"data must be 2-D (n_samples, n_features), got shape {data.shape}.")
        if isinstance(target, bool) or not isinstance(target, Integral):
            raise TypeError(f"target must be a column index for array data, got {target!r}.")
        if not -data.shape[1] <= target < data.shape[1]:
            raise ValueError(f"target={target} is out of range for {data.shape[1]} columns.")
        values = data[:, target]
    if group is None:
        codes = np.zeros(len(values), dtype=np.int64)
    else:
        _split_group(data, group, "group", "data")  # checks that the column exists
        if group == target:
            raise ValueError(
                f"group={group!r} is the target: group names the column of series ids."
            )
        codes = _group_codes(data, group)
    _check_time_order(data, codes, "data")
    known = _check_future(data, future, target, group)
    keep, later = _future_values(values, codes, horizon)
    if not keep.any():
        longest = int(np.bincount(codes).max(initial=0)) if len(codes) else 0
        where = "the longest series of data has" if group is not None else "data has"
        raise ValueError(
            f"{where} {longest} row(s): horizon={horizon} needs at least {horizon + 1}."
        )
    X = data[keep] if not isinstance(data, pd.DataFrame) else data.loc[keep]
    if known:
        X = _with_future(X, data, known, codes, horizon)
    if not isinstance(data, pd.DataFrame):
        return X, later[:, 0] if horizon == 1 else later
    if horizon == 1:
        return X, pd.Series(later[:, 0], index=X.index, name=target)
    columns = [f"{target}_t+{step}" for step in range(1, horizon + 1)]
    return X, pd.DataFrame(later, index=X.index, columns=columns)


def future_column_names(column, horizon):
    """The names of the columns ``make_supervised(..., future=[column])`` adds."""
    return [f"{column}_t+{step}" for step in range(1, horizon + 1)]


def _check_future(data, future, target, group):
    """The future-known columns as a list, checked against `data`, `target` and `group`."""
    if future is None:
        return []
    if isinstance(future, (str, Integral)) and not isinstance(future, bool):
        future = [future]
    try:
        known = list(future)
    except TypeError:
        raise TypeError(
            f"future must be a column, a list of columns or None, got {future!r}."
        ) from None
    if len(set(map(repr, known))) != len(known):
        raise ValueError(f"future names a column twice: {known}.")
    frame = isinstance(data, pd.DataFrame)
    for column in known:
        if frame and column not in data.columns:
            raise ValueError(
                f"future={column!r} is not a column of data; columns are {list(data.columns)}."
            )
        if not frame and (
            isinstance(column, bool)
            or not isinstance(column, Integral)
            or not -data.shape[1] <= column < data.shape[1]
        ):
            raise ValueError(
                f"future={column!r} must be a column index of data (an int below "
                f"{data.shape[1]}) for an array."
            )
        if column == target or (not frame and column % data.shape[1] == target % data.shape[1]):
            raise ValueError(
                f"future={column!r} is the target: its future values are what is forecast, so "
                "they cannot be inputs."
            )
        if group is not None and column == group:
            raise ValueError(f"future={column!r} is the group column, not a covariate.")
    if frame:
        existing = set(data.columns)
        clash = [
            name for column in known for name in future_column_names(column, 1) if name in existing
        ]
        if clash:
            raise ValueError(
                f"data already has a column {clash[0]!r}, the name make_supervised gives the "
                "future values of a covariate; rename it."
            )
    return known


def _with_future(X, data, known, codes, horizon):
    """`X` (the rows of `data` with a target) with the future values of the columns `known`."""
    frame = isinstance(data, pd.DataFrame)
    blocks = []
    for column in known:
        values = data[column].to_numpy() if frame else data[:, column]
        blocks.append(_future_values(values, codes, horizon)[1])
    if not frame:
        return np.column_stack([X, *blocks])
    added = pd.DataFrame(
        {
            name: block[:, step]
            for block, column in zip(blocks, known, strict=True)
            for step, name in enumerate(future_column_names(column, horizon))
        },
        index=X.index,
    )
    return pd.concat([X, added], axis=1)


def later_rows(codes, step):
    """For each row, the index of the row `step` rows later in its series (-1 if none).

    `codes` holds each row's series code; the rows of one series are in time order.
    """
    codes = np.asarray(codes)
    order = np.argsort(codes, kind="stable")
    n_rows = len(codes)
    ahead = np.arange(n_rows) + step
    valid = ahead < n_rows
    valid[valid] = codes[order[ahead[valid]]] == codes[order[valid]]
    out = np.full(n_rows, -1, dtype=np.int64)
    out[order[valid]] = order[ahead[valid]]
    return out


def _future_values(values, codes, horizon):
    """Rows with `horizon` later rows in their series, and those later values, per row."""
    order = np.argsort(codes, kind="stable")
    positions = np.empty(len(codes), dtype=np.int64)
    sorted_codes = codes[order]
    new = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    first = np.flatnonzero(new)
    sizes = np.diff(np.r_[first, len(codes)])
    positions[order] = np.arange(len(codes)) - np.repeat(first, sizes)
    remaining = np.empty(len(codes), dtype=np.int64)  # later rows in the same series
    remaining[order] = np.repeat(sizes, sizes) - 1 - positions[order]
    keep = remaining >= horizon
    rank = np.empty(len(codes), dtype=np.int64)  # row -> its place in the sorted order
    rank[order] = np.arange(len(codes))
    later = rank[keep][:, None] + np.arange(1, horizon + 1)
    return keep, values[order][later]
