"""Reading 2-D lag matrices as windows: the layouts skforecast and sktime pass. No torch here.

A recurrent estimator reads windows ``(n_samples, n_timesteps, n_features)``, oldest step
first. Forecasting frameworks that reduce forecasting to regression hand their regressor a
2-D matrix instead, one row per sample, whose columns are lags of the target, sometimes
newest first (``lag_1, lag_2, ...``), sometimes followed by exogenous columns. This module
says how such a matrix is read: which columns are the time steps of which lagged variable,
oldest first, which are exogenous features, repeated at every step, and which, if any, is
a series id.

The layouts the frameworks pass (seen with skforecast 0.26 and sktime 1.2):

- skforecast's ``ForecasterRecursive`` and ``ForecasterDirect``: numpy arrays, no names;
  ``lag_1 .. lag_n`` (newest first), then window features, exogenous and calendar columns.
- skforecast's ``ForecasterRecursiveMultiSeries``: a DataFrame at fit (``lag_1 .. lag_n``,
  then ``_level_skforecast``, the series id, or one-hot series columns, then exogenous
  columns), a numpy array at predict.
- sktime's ``make_reduction`` with ``pooling="local"``: numpy arrays; the window oldest
  first, then the windows of the exogenous columns, concatenated by variable.
- sktime's ``make_reduction`` with ``pooling="global"``: DataFrames; ``<y>_lag_1 ..
  <y>_lag_n`` (newest first), then the exogenous columns.
- skrnn's ``SlidingWindow(flatten=True)``: ``<feature>_lag<k>``, oldest step first.
"""

import re
from numbers import Integral

import numpy as np

from ._warnings import warn

__all__ = ["LagLayoutWarning"]

# A lag column: "lag_3", "lag3", "y_lag_3", "Close_lag0". The number says how many steps
# back; a larger number is older, whether counting starts at 0 or at 1.
_LAG_NAME = re.compile(r"^(?:(?P<variable>.+?)_)?lag_?(?P<lag>\d+)$")
# sktime's reduction forecasters name lags as a prefix, nested when lags of lags: "lag_2__y"
# is lag 2 of y, "lag_1__lag_2__y" lag 3.
_LAG_PREFIX = re.compile(r"^lag_(?P<lag>\d+)__(?P<rest>.+)$")
# The series id skforecast's ForecasterRecursiveMultiSeries adds (encoding="ordinal").
SERIES_COLUMNS = ("_level_skforecast",)
# Share of consecutive rows whose lags must shift by one step for a layout to be reported
# (the rest are boundaries between stacked series).
_SHIFT_SHARE = 0.9

LAGS_PARAM = """\
    lags : {"auto", "oldest_first", "newest_first"} or int, default="auto"
        How a 2-D `X` of lags is read (3-D windows are read as they are):

        - ``"oldest_first"``: each row is one univariate sequence, oldest value first (what
          sktime's ``make_reduction`` passes with ``pooling="local"`` and no exogenous
          data).
        - ``"newest_first"``: each row is one univariate sequence, newest value first
          (``lag_1, lag_2, ...``, as skforecast and sktime's ``pooling="global"`` pass
          them).
        - int ``n``: the first ``n`` columns are the target's lags, newest first, and the
          other columns exogenous features, repeated at every time step: skforecast's
          ``ForecasterRecursive(estimator, lags=n)`` and ``ForecasterDirect`` with ``exog``
          (a :class:`~skrnn.LagLayoutWarning` when the rows show another number of lags).
        - ``"auto"``: from the column names seen in :term:`fit`: ``lag_<k>``,
          ``<name>_lag_<k>``, ``<name>_lag<k>`` and ``lag_<k>__<name>`` (sktime's reducers;
          ``lag_<j>__lag_<k>__<name>`` is lag ``j + k``) are lag ``k`` of variable ``<name>``
          (one feature per variable, steps ordered oldest first), skforecast's
          ``_level_skforecast`` is a series id, not a feature, and any other column is an
          exogenous feature. Without such names, as ``"oldest_first"``, with a
          :class:`~skrnn.LagLayoutWarning` when the rows look like newest-first lags.

        The layout is fixed at :term:`fit` (``lag_layout_``) and applied at predict, with
        or without column names."""

LAG_LAYOUT_ATTRIBUTE = """\
    lag_layout_ : dict or None
        How a 2-D `X` is read (see ``lags``): ``"steps"``, an int array of shape
        (`n_timesteps_in_`, n_lagged) giving the column of `X` read as each lagged variable
        at each time step, oldest step first; ``"exogenous"``, the columns repeated at every
        step after the lagged ones; ``"series"``, the column read as series id, or None.
        None for 3-D input."""


class LagLayoutWarning(UserWarning):
    """A 2-D `X` looks like lags in another layout than the one it is read in.

    Raised at :term:`fit` by the recurrent estimators with ``lags="auto"`` when `X` has
    no recognised column names but its rows are consecutive windows of one series, newest
    value first (as skforecast passes them): read oldest first, each window would reach
    the network reversed. Pass ``lags="newest_first"``, or ``lags=n`` when exogenous
    columns follow ``n`` lags.
    """


def resolve_layout(lags, X, feature_names=None):
    """The layout of the 2-D lag matrix `X` for the ``lags`` parameter, as a plain dict.

    Returns ``{"steps": int array (n_steps, n_lagged), "exogenous": int array,
    "series": int or None}``. Raises a ValueError naming ``lags`` when the layout does
    not fit `X`.
    """
    n_columns = X.shape[1]
    if lags == "auto" and feature_names is not None:
        layout = _layout_from_names([str(name) for name in feature_names])
        if layout is not None:
            return layout
    if lags in ("auto", "oldest_first"):
        if lags == "auto":
            _warn_if_misread(X, feature_names)
        return _layout(np.arange(n_columns)[:, None])
    if lags == "newest_first":
        _warn_if_not_all_lags(X)
        return _layout(np.arange(n_columns)[::-1, None])
    if isinstance(lags, Integral) and not isinstance(lags, bool):
        if lags > n_columns:
            raise ValueError(
                f"lags={lags} says the first {lags} columns of X are lags, but X has "
                f"{n_columns} column(s)."
            )
        _warn_if_not_n_lags(X, lags)
        return _layout(np.arange(lags)[::-1, None], exogenous=np.arange(lags, n_columns))
    raise ValueError(  # the estimators' parameter validation catches this first
        f"lags must be 'auto', 'oldest_first', 'newest_first' or an int >= 1, got {lags!r}."
    )


def is_plain(layout):
    """Whether `layout` reads every column as one step, oldest first: 2-D X as it is."""
    steps = layout["steps"]
    return (
        steps.shape[1] == 1
        and len(layout["exogenous"]) == 0
        and layout["series"] is None
        and np.array_equal(steps[:, 0], np.arange(len(steps)))
    )


def n_step_features(layout):
    """Features per time step of the windows `layout` makes."""
    return layout["steps"].shape[1] + len(layout["exogenous"])


def lag_windows(X, layout):
    """The windows ``(n_samples, n_steps, n_features)`` of the 2-D lag matrix `X`.

    The lagged variables come first, in ``layout["steps"]`` order; the exogenous columns
    follow, the same at every time step. Returns the windows and, when the layout has a
    series column, the integer code of each row's series (else None).
    """
    steps, exogenous = layout["steps"], layout["exogenous"]
    if X.shape[1] <= max(int(steps.max()), int(exogenous.max(initial=-1))):
        raise ValueError(f"X has {X.shape[1]} columns, fewer than its lag layout reads.")
    windows = X[:, steps]  # (n_samples, n_steps, n_lagged)
    if len(exogenous):
        repeated = np.broadcast_to(X[:, None, exogenous], (len(X), len(steps), len(exogenous)))
        windows = np.concatenate([windows, repeated], axis=2)
    codes = None
    if layout["series"] is not None:
        _, codes = np.unique(X[:, layout["series"]], return_inverse=True)
        codes = codes.astype(np.int64).ravel()
    return windows, codes


def _layout(steps, exogenous=(), series=None):
    return {
        "steps": np.asarray(steps, dtype=np.int64),
        "exogenous": np.asarray(exogenous, dtype=np.int64),
        "series": series,
    }


def _layout_from_names(names):
    """The layout the column names say, or None if no column is named as a lag."""
    found = {}  # variable -> {lag: column}
    series = None
    exogenous = []
    for column, name in enumerate(names):
        parsed = _parse_lag(name)
        if parsed is None:
            if name in SERIES_COLUMNS and series is None:
                series = column
            else:
                exogenous.append(column)
            continue
        variable, lag = parsed
        if lag in found.setdefault(variable, {}):
            raise ValueError(
                f"lags='auto': columns {names[found[variable][lag]]!r} and {name!r} of X are "
                "both the same lag of the same variable; rename them, or pass lags "
                "explicitly ('oldest_first', 'newest_first' or the number of lag columns)."
            )
        found[variable][lag] = column
    if not found:
        return None
    variables = list(found)
    lag_sets = {variable: sorted(lags) for variable, lags in found.items()}
    reference = lag_sets[variables[0]]
    for variable in variables[1:]:
        if lag_sets[variable] != reference:
            first, other = _variable_text(variables[0]), _variable_text(variable)
            raise ValueError(
                f"lags='auto': the columns of X named as lags give {first} lags "
                f"{reference} but {other} lags {lag_sets[variable]}; every lagged variable "
                "needs the same lags to form windows. Rename the columns, or pass lags "
                "explicitly ('oldest_first', 'newest_first' or the number of lag columns)."
            )
    if reference != list(range(reference[0], reference[0] + len(reference))):
        warn(
            f"lags='auto': the columns of X named as lags give lags {reference}, which skip "
            f"steps; they are read as {len(reference)} consecutive time steps of the window. "
            "For windows of every step, use consecutive lags (skforecast's lags=n).",
            LagLayoutWarning,
        )
    steps = [[found[variable][lag] for variable in variables] for lag in reference[::-1]]
    return _layout(steps, exogenous, series)


def _parse_lag(name):
    """``(variable, lag)`` of a lag column's name (variable None for a bare "lag_<k>"), or
    None for a name that is not a lag."""
    lag, rest = 0, name
    while (prefix := _LAG_PREFIX.match(rest)) is not None:
        lag, rest = lag + int(prefix.group("lag")), prefix.group("rest")
    if rest != name:
        return rest, lag
    match = _LAG_NAME.match(name)
    return None if match is None else (match.group("variable"), int(match.group("lag")))


def _variable_text(variable):
    return "'lag_<k>'" if variable is None else f"{variable!r}"


def _warn_if_misread(X, feature_names=None):
    """Warn when the rows of `X`, read as sequences oldest first, look like another layout:
    windows of one series newest first, or a window followed by other columns."""
    n_columns = X.shape[1]
    newest, oldest = _shifted_prefixes(X)
    blocks = _lag_blocks(X, newest) if 2 <= newest < n_columns else 1
    if blocks > 1:
        message = (
            f"its columns are {blocks} blocks of {newest} lags, each newest first: one block "
            "per variable, as skforecast's ForecasterDirectMultiVariate passes them. No value "
            "of lags reads several variables from an unnamed array as one window: pass "
            f"lags={newest} to read the first block as the window and the other columns as "
            "features of every step, or X with lag names (<variable>_lag_<k>), or 3-D windows"
        )
    elif newest >= 2 and oldest < 2:
        fix = "lags='newest_first'" if newest == n_columns else f"lags={newest}"
        what = "every row of X is" if newest == n_columns else f"the first {newest} columns are"
        message = (
            f"{what} the previous row's shifted by one step, newest value first (as "
            "skforecast passes lags): read oldest first, each window reaches the network "
            f"reversed. Pass {fix} if these are lags, newest first"
        )
    elif 2 <= oldest < n_columns and newest < 2:
        message = (
            f"the first {oldest} columns of X are the previous row's shifted by one step, but "
            "not the other columns, which are read as further time steps of the same "
            "sequence (sktime's make_reduction with pooling='local' concatenates the windows "
            "of exogenous data this way). Pass named columns instead (sktime's "
            "pooling='global' names them), or 3-D windows"
        )
    elif newest < 2 and oldest < 2 and (features := _interleaved_features(X)):
        message = (
            f"each row of X is the previous row's shifted by {features} columns: windows of "
            f"{features} features, flattened step by step (as SlidingWindow(flatten=True) "
            "makes them), would be read as one feature. Keep the column names "
            "(set_output(transform='pandas')), or pass the 3-D windows"
        )
    else:
        return
    names = (
        "X has no lag column names"
        if feature_names is None
        else f"X's column names ({', '.join(map(str, feature_names[:3]))}, ...) are not lag "
        "names skrnn reads"
    )
    warn(
        f"{names}, so its rows are read as sequences oldest value first, "
        f"but {message}; lags='oldest_first' keeps this reading without a warning.",
        LagLayoutWarning,
    )


def _warn_if_not_all_lags(X):
    """Warn when the rows of `X`, read newest first, are windows oldest first, or windows
    of one series in their first columns only (skforecast's window features, e.g. a rolling
    mean, follow the lags): the other columns would be read as the oldest steps."""
    newest, oldest = _shifted_prefixes(X)
    if oldest >= 2 and newest < 2:
        warn(
            f"lags='newest_first' reads every row of X newest value first, but the first "
            f"{oldest} columns of X shift by one step oldest value first (sktime's local "
            "reduction passes them so): each window would reach the network reversed. Pass "
            "lags='oldest_first' if every column is a lag, oldest first.",
            LagLayoutWarning,
        )
    elif 2 <= newest < X.shape[1] and oldest < 2:
        warn(
            f"lags='newest_first' reads every column of X as the next older step, but only "
            f"the first {newest} shift by one step from row to row as consecutive lags do; "
            f"the other {X.shape[1] - newest} are read as the oldest time steps. If they are "
            f"window features or exogenous data, pass lags={newest} to read them as features "
            "of every step; lags that skip steps (lags=[1, 7, 14]) need 3-D windows.",
            LagLayoutWarning,
        )


def _warn_if_not_n_lags(X, n_lags):
    """Warn when the rows of `X` show a number of newest-first lag columns other than
    ``lags=n_lags`` (a lags grid searched on the forecaster but not on the estimator reads
    lags as exogenous features, or features as lags)."""
    newest, oldest = _shifted_prefixes(X)
    if newest >= 2 and newest != n_lags:
        if newest > n_lags:
            what = (
                f"lags={n_lags} reads the other {newest - n_lags} as exogenous features, the "
                "same at every step"
            )
        else:
            what = f"lags={n_lags} reads the next {n_lags - newest} column(s) as older lags"
        message = (
            f"the first {newest} columns of X shift by one step from row to row as lags "
            f"newest first do, but {what}. Pass lags={newest} if those are the lags"
        )
    elif oldest >= 2 and newest < 2:
        message = (
            f"lags={n_lags} reads the first {n_lags} columns newest first, but the first "
            f"{oldest} columns of X shift by one step oldest value first; pass "
            "lags='oldest_first' if every column is a lag, oldest first"
        )
    else:
        return
    warn(
        f"{message}. With lags set on a forecaster (skforecast's lags, a lags grid), set "
        "the same number here.",
        LagLayoutWarning,
    )


def _interleaved_features(X, max_features=16, max_rows=1000):
    """The number of features ``k >= 2`` of flattened windows, oldest step first, that the
    rows of `X` look like (each row the previous one shifted by ``k`` columns), or 0."""
    X = X[:max_rows]
    if len(X) < 3:
        return 0
    for k in range(2, min(max_features, X.shape[1] // 2) + 1):
        # Only values that change from row to row tell (constant or sparse data shift
        # by any k).
        changed = X[1:, :-k] != X[:-1, :-k]
        if changed.mean() >= 0.5 and (X[1:, :-k] == X[:-1, k:])[changed].mean() >= _SHIFT_SHARE:
            return k
    return 0


def _lag_blocks(X, width):
    """How many consecutive blocks of `width` columns of `X`, from the first, are lags
    newest first (each column the one before it, one row earlier), as
    :func:`_shifted_prefixes` reads the first."""
    blocks = 0
    for first in range(0, X.shape[1] - width + 1, width):
        block = X[:, first : first + width]
        if (block[1:, 1:] == block[:-1, :-1]).mean(axis=0).min() < _SHIFT_SHARE:
            break
        blocks += 1
    return blocks


def _shifted_prefixes(X):
    """How many leading columns of `X` shift by one step from row to row, newest first
    (column j of row t is column j + 1 of row t + 1) and oldest first (column j + 1 of row
    t is column j of row t + 1); 0 where fewer than 2 do."""
    n_rows, n_columns = X.shape
    if n_rows < 3 or n_columns < 2:
        return 0, 0
    newest = (X[1:, 1:] == X[:-1, :-1]).mean(axis=0) >= _SHIFT_SHARE
    oldest = (X[1:, :-1] == X[:-1, 1:]).mean(axis=0) >= _SHIFT_SHARE
    return _leading(newest), _leading(oldest)


def _leading(pairs):
    """Columns covered by the leading run of True in `pairs` (pairs of neighbours)."""
    run = len(pairs) if pairs.all() else int(np.argmin(pairs))
    return run + 1 if run else 0
