"""Compare forecasters on one chronological hold-out: :func:`compare_forecasters`.

What ``skrnn compare`` does, as a function a notebook can call: tune every candidate by grid
search over forward-chaining folds of the training rows, refit it on all of them, and score
it on the most recent rows beside a reference forecast (persistence). Its shape follows
scikit-learn's :func:`~sklearn.model_selection.cross_validate`: estimators and data in, a
dict-like result out.
"""

import math
import time
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import mean_absolute_error, root_mean_squared_error
from sklearn.model_selection import GridSearchCV, ParameterGrid, TimeSeriesSplit, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.utils import Bunch
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from tqdm import tqdm

from ._baseline import PersistenceRegressor
from ._intervals import (
    check_levels,
    error_intervals,
    forecasts_quantiles,
    interval_quantiles,
    interval_scores,
    quantile_forecast,
    quantile_position,
)
from ._split import PanelTimeSeriesSplit
from ._window import SlidingWindow

__all__ = ["compare_forecasters"]

TRUTH = "truth"  # the column of the true values in the forecasts


@validate_params(
    {
        "estimators": [dict],
        "X": ["array-like"],
        "y": ["array-like"],
        "test_size": [
            Interval(Real, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "cv": [Interval(Integral, 2, None, closed="left"), HasMethods(["split", "get_n_splits"])],
        "scoring": [str, callable],
        "reference": [str, None],
        "n_jobs": [Integral, None],
        "progress": ["boolean", None],
        "intervals": [Interval(Real, 0, 1, closed="neither"), "array-like", None],
        "group": [str, Integral, None],
    },
    prefer_skip_nested_validation=False,  # the estimators' own parameters are checked too
)
def compare_forecasters(
    estimators,
    X,
    y,
    *,
    test_size=0.3,
    cv=3,
    scoring="neg_mean_absolute_error",
    reference="auto",
    n_jobs=None,
    progress=False,
    intervals=None,
    group=None,
):
    """Tune, refit and score several forecasters on the same chronological hold-out.

    The last `test_size` rows are held out. Each estimator is tuned by
    :class:`~sklearn.model_selection.GridSearchCV` over forward-chaining folds of the rows
    before them, refitted on all of those rows, and scored on the hold-out. Every forecast
    of the hold-out is made from the whole `X`, so the first hold-out rows' windows reach
    back into the training rows: the history a forecaster would have had.

    Parameters
    ----------
    estimators : dict of str to estimator or (estimator, param_grid)
        The candidates by name, in the order of the results. An estimator alone has
        nothing to tune (it is still cross-validated, and refitted); with a
        ``param_grid`` (a dict or list of dicts, as for GridSearchCV) the best
        combination is kept. Typically Pipelines such as
        ``make_pipeline(StandardScaler(), SlidingWindow(7), LSTMRegressor())``.

    X : DataFrame or array-like of shape (n_samples, n_features)
        The input rows in time order, as :func:`~skrnn.make_supervised` makes them.

    y : Series, DataFrame or array-like of shape (n_samples,) or (n_samples, horizon)
        The targets of the rows; ``horizon`` columns for a direct multi-step forecast.

    test_size : float or int, default=0.3
        The hold-out: the last fraction of the rows (rounded up, as
        :func:`~sklearn.model_selection.train_test_split` does with ``shuffle=False``), or
        their number; with `group`, of each series. With a multi-step `y`, the
        ``horizon - 1`` rows before the hold-out are not trained on: their targets lie in
        the hold-out period. ``group=..., test_size=1`` with a ``horizon``-step `y` is the
        forecasting competitions' protocol: one forecast of the last ``horizon`` values of
        every series, from its last training value.

    cv : int or cross-validation splitter, default=3
        The folds of the training rows the search scores on. An int is the number of
        folds of a :class:`~sklearn.model_selection.TimeSeriesSplit` (with `group`, a
        :class:`~skrnn.PanelTimeSeriesSplit`) with a ``gap`` of ``horizon - 1``; never
        pass a splitter that shuffles a time series.

    scoring : str or callable, default="neg_mean_absolute_error"
        What the searches maximise, as for GridSearchCV. The results table reports MAE
        and RMSE on the hold-out whatever it is.

    reference : str or None, default="auto"
        The estimator whose hold-out MAE the others are divided by, in a column
        ``"MAE / <reference>"``. ``"auto"`` takes the first estimator that is a
        :class:`~skrnn.PersistenceRegressor` or a Pipeline ending in one, if any;
        None adds no such column.

    n_jobs : int, default=None
        Parallel fits within each search, as for GridSearchCV.

    progress : bool or None, default=False
        Show a progress bar over the estimators; None shows it on a terminal only.

    group : str, default=None
        The column of `X` with the series ids of a long frame of many series (as
        :func:`~skrnn.make_supervised` and :class:`~skrnn.SlidingWindow` take it): every
        series is split in time on its own, and the table adds the M3 competition's
        ``sMAPE``, which does not let the largest series dominate.

    intervals : float or sequence of float, default=None
        Levels of central prediction intervals to score as well, e.g. ``[0.8, 0.95]``.
        A quantile regressor (``loss="quantile"``, or a Pipeline ending in one) gives its
        own, and must forecast the quantiles that bound them (``(1 - level) / 2`` and
        ``(1 + level) / 2``); any other estimator gets its forecast shifted by the
        quantiles of its errors on the training rows (with `group`, of each series' own
        errors), the naive interval of a baseline (optimistic for a flexible model: train
        networks with ``loss="quantile"``).

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        A dict whose keys are also attributes:

        ``table`` : DataFrame
            One row per estimator, indexed by name: ``best params`` (a dict), ``MAE``,
            ``RMSE``, ``sMAPE`` (with `group`), ``MAE / <reference>``; with `intervals`,
            the ``coverage <level>`` and ``interval score <level>`` of each (level in
            percent: ``coverage 80%``; the score is the width plus ``2 / (1 - level)``
            times the miss, lower is better); ``epochs`` (the epochs of a network's final
            fit), ``kept epoch`` (whose weights the network kept; 0 for its starting
            point) and ``fit s`` (seconds for the search, refit included).

        ``forecasts`` : DataFrame
            The hold-out rows, indexed like `y`: the true values (column ``"truth"``) and
            every estimator's forecast (a column per name); for a multi-step `y`, one
            column per step, suffixed ``_t+1`` .. ``_t+horizon``. Row ``t`` holds the
            forecast made at row ``t`` of the target at the following step(s). With
            `group`, the series id comes first; with `intervals`, each estimator's bounds
            follow its forecast, as ``<name>_lower_<level>`` and ``<name>_upper_<level>``
            (``ridge_lower_80``).

        ``searches`` : dict of str to GridSearchCV
            The fitted searches; ``best_estimator_`` is the refitted model.

        ``n_train`` : int
            The number of rows trained on.

        ``test_start`` : int or None
            The position of the first hold-out row (None with `group`).

        ``test_rows`` : ndarray of int
            The positions of the hold-out rows in `X`.

    Raises
    ------
    ValueError
        If there are too few rows to hold out `test_size` and train, if `X` and `y`
        differ in length, if an estimator is named ``"truth"``, if `reference` is not
        one of the names, or if a level of `intervals` is not strictly between 0 and 1.

    TypeError
        If an entry of `estimators` is neither an estimator nor an (estimator,
        param_grid) pair.

    See Also
    --------
    sklearn.model_selection.cross_validate : Scores of one estimator on several folds.
    skrnn.PersistenceRegressor : The reference forecast, "tomorrow = today".

    Notes
    -----
    ``skrnn compare data.csv --target Close`` calls this function with persistence, a
    ridge regression on lags and seven recurrent networks; ``skrnn compare --help`` lists
    them. The forecasts of a network that kept its starting point (``kept epoch`` 0) are
    its linear forecast, often persistence itself on prices: equal scores are then no
    coincidence.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from skrnn import (PersistenceRegressor, RNNRegressor, SlidingWindow,
    ...                    compare_forecasters, make_supervised)
    >>> from skrnn.datasets import make_sine
    >>> X, y = make_supervised(make_sine(200, random_state=0), target="value")
    >>> result = compare_forecasters(
    ...     {
    ...         "persistence": PersistenceRegressor(),
    ...         "ridge": (make_pipeline(SlidingWindow(5, flatten=True), Ridge()),
    ...                   {"slidingwindow__window": [5, 10]}),
    ...         "rnn": make_pipeline(SlidingWindow(5),
    ...                              RNNRegressor(hidden_size=4, max_epochs=2, random_state=0)),
    ...     },
    ...     X, y, test_size=0.25, cv=2,
    ... )
    >>> result.table.columns.tolist()
    ['best params', 'MAE', 'RMSE', 'MAE / persistence', 'epochs', 'kept epoch', 'fit s']
    >>> result.table.loc["ridge", "best params"]
    {'slidingwindow__window': 10}
    >>> float(result.table.loc["persistence", "MAE / persistence"])
    1.0
    >>> result.forecasts.columns.tolist(), len(result.forecasts), result.n_train
    (['truth', 'persistence', 'ridge', 'rnn'], 50, 149)
    """
    candidates = _candidates(estimators)
    reference = _reference(reference, candidates)
    levels = check_levels(intervals)
    _check_interval_quantiles(candidates, levels)
    n_samples = _num_rows(X)
    if _num_rows(y) != n_samples:
        raise ValueError(
            f"X has {n_samples} rows but y has {_num_rows(y)}; they must be the same rows."
        )
    y_2d = np.asarray(y).reshape(n_samples, -1)
    horizon = y_2d.shape[1]
    if group is None:
        n_train, test_start = _holdout(n_samples, test_size, horizon)
        train, test = np.arange(n_train), np.arange(test_start, n_samples)
        if isinstance(cv, Integral):
            cv = TimeSeriesSplit(n_splits=cv, gap=horizon - 1)
    else:
        train, test = panel_holdout(X, group, test_size, horizon)
        _check_windows_by_series(candidates, group)
        test_start = None
        if isinstance(cv, Integral):
            cv = PanelTimeSeriesSplit(n_splits=cv, gap=horizon - 1, group=group)

    X_train, y_train = _rows(X, train), _rows(y, train)
    y_test = y_2d[test]
    rows, predictions, searches = [], {TRUTH: y_test}, {}
    bar = tqdm(candidates.items(), desc="compare", unit="model", disable=_disable(progress))
    for name, (estimator, grid) in bar:
        bar.set_postfix_str(name)
        search = GridSearchCV(
            estimator, grid, cv=cv, scoring=scoring, n_jobs=n_jobs, error_score="raise"
        )
        start = time.perf_counter()
        search.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        quantile_bands = None
        if levels and forecasts_quantiles(search):  # the forecast and its bands at once
            y_all, quantile_bands = quantile_forecast(search, X, levels)
        else:
            y_all = search.predict(X)
        y_all = np.asarray(y_all).reshape(n_samples, -1)
        y_pred = y_all[test]
        final = _final_step(search.best_estimator_)
        row = {
            "model": name,
            "best params": dict(search.best_params_),
            "MAE": mean_absolute_error(y_test, y_pred),
            "RMSE": root_mean_squared_error(y_test, y_pred),
        }
        if group is not None:
            row["sMAPE"] = smape(y_test, y_pred)
        predictions[name] = y_pred
        if levels:
            ids = None if group is None else np.asarray(X[group])
            bands = _intervals(quantile_bands, y_2d, y_all, train, test, levels, ids)
            for level, (lower, upper) in bands.items():
                scores = interval_scores(y_test, lower, upper, level)
                row[f"coverage {_percent(level)}%"] = scores["coverage"]
                row[f"interval score {_percent(level)}%"] = scores["interval score"]
                predictions[f"{name}_lower_{_percent(level)}"] = lower
                predictions[f"{name}_upper_{_percent(level)}"] = upper
        row.update(
            {
                "epochs": getattr(final, "n_iter_", None),
                "kept epoch": getattr(final, "best_epoch_", None),
                "fit s": seconds,
            }
        )
        rows.append(row)
        searches[name] = search
    bar.close()

    table = pd.DataFrame(rows).set_index("model")
    if reference is not None:
        at = 4 if group is not None else 3
        table.insert(at, f"MAE / {reference}", table["MAE"] / table.loc[reference, "MAE"])
    for column in ("epochs", "kept epoch"):
        table[column] = table[column].astype("Int64")
    if isinstance(y, (pd.Series, pd.DataFrame)):
        index = y.index[test]
    else:
        index = pd.RangeIndex(test_start, n_samples) if group is None else pd.Index(test)
    forecasts = _forecast_frame(predictions, horizon, index)
    if group is not None:
        forecasts.insert(0, group, np.asarray(_rows(X, test)[group]))
    return Bunch(
        table=table,
        forecasts=forecasts,
        searches=searches,
        n_train=len(train),
        test_start=test_start,
        test_rows=test,
    )


def _candidates(estimators):
    """name -> (estimator, param grid), after checking each entry."""
    if not estimators:
        raise ValueError("estimators is empty: pass at least one estimator to compare.")
    candidates = {}
    for name, entry in estimators.items():
        if not isinstance(name, str):
            raise TypeError(f"estimators must be named by strings, got the key {name!r}.")
        if name == TRUTH:
            raise ValueError(
                f"{TRUTH!r} names the true values in the forecasts; rename that estimator."
            )
        estimator, grid = entry if isinstance(entry, tuple) and len(entry) == 2 else (entry, {})
        if not hasattr(estimator, "fit") or not hasattr(estimator, "predict"):
            raise TypeError(
                f"estimators[{name!r}] must be an estimator or an (estimator, param_grid) "
                f"pair, got {type(entry).__name__}."
            )
        candidates[name] = (estimator, grid)
    return candidates


def _check_windows_by_series(candidates, group):
    """With `group`, an skrnn estimator reads windows of one series per row only behind a
    SlidingWindow of that group: alone, it would read the ids as a feature and the stacked
    series as one."""
    for name, (estimator, _) in candidates.items():
        steps = [step for _, step in estimator.steps] if isinstance(estimator, Pipeline) else []
        final = _final_step(estimator)
        if not type(final).__module__.startswith("skrnn") or any(
            isinstance(step, SlidingWindow) and step.group == group for step in steps[:-1]
        ):
            continue
        kind = type(final).__name__
        raise ValueError(
            f"estimators[{name!r}]: with group={group!r}, X stacks several series, which "
            f"{kind} reads through a SlidingWindow with the same group; alone it would "
            f"read the column {group!r} as a feature and the series as one. Pass "
            f"make_pipeline(SlidingWindow(window, group={group!r}), {kind}(...))."
        )


def _check_interval_quantiles(candidates, levels):
    """Every quantile regressor among the candidates (any point of its grid) forecasts the
    two quantiles of each interval level: fail before a search runs, not after."""
    for name, (estimator, grid) in candidates.items():
        for params in ParameterGrid(grid) if levels else []:
            final = _final_step(clone(estimator).set_params(**params))
            resolve = getattr(final, "_resolve_quantiles", None)  # skrnn's regressors
            quantiles = None if resolve is None else resolve()
            if quantiles is None:  # no quantile regressor: its bands come from its errors
                continue
            for level in levels:
                bounds = interval_quantiles(level)
                if any(quantile_position(quantiles, bound) is None for bound in bounds):
                    raise ValueError(
                        f"estimators[{name!r}]: a {level:g} interval needs the quantiles "
                        f"{bounds[0]:g} and {bounds[1]:g}, but it forecasts "
                        f"{list(quantiles)}{f' with {params}' if params else ''}."
                    )


def _reference(reference, candidates):
    if reference == "auto":
        persistence = [
            name
            for name, (estimator, _) in candidates.items()
            if isinstance(_final_step(estimator), PersistenceRegressor)
        ]
        return persistence[0] if persistence else None
    if reference is not None and reference not in candidates:
        raise ValueError(
            f"reference={reference!r} is not one of the estimators: {', '.join(candidates)}."
        )
    return reference


def _percent(level):
    """0.8 -> "80", 0.975 -> "97.5": the level as column names give it."""
    return f"{100 * level:g}"


def _intervals(quantile_bands, y_2d, y_all, train, test, levels, ids=None):
    """``{level: (lower, upper)}`` of the hold-out rows, each of shape (n_test, horizon):
    a quantile regressor's `quantile_bands` (of every row), or, for a model without
    quantiles (None), its forecast shifted by quantiles of its training errors: of each
    series' own errors when `ids` (each row's series) are given, so that series of
    different sizes do not share one width.
    """
    if quantile_bands is not None:
        n_samples = len(y_all)
        return {
            level: tuple(np.reshape(bound, (n_samples, -1))[test] for bound in bounds)
            for level, bounds in quantile_bands.items()
        }
    series = None if ids is None else (ids[train], ids[test])
    return error_intervals(y_2d[train], y_all[train], y_all[test], levels, series)


def _final_step(estimator):
    return estimator[-1] if isinstance(estimator, Pipeline) else estimator


def _num_rows(data):
    return data.shape[0] if hasattr(data, "shape") else len(data)


def _rows(data, rows):
    if isinstance(data, (pd.Series, pd.DataFrame)):
        return data.iloc[rows]
    return np.asarray(data)[rows]


def panel_holdout(X, group, test_size, horizon):
    """Training and hold-out row positions of a long frame: the last `test_size` rows of
    every series (a fraction: of its rows, rounded up) held out, and the ``horizon - 1``
    rows before them left out of training (their targets lie in the hold-out)."""
    if not hasattr(X, "columns"):
        raise TypeError(
            f"group={group!r} names a column of X: pass X as a DataFrame with that column."
        )
    if group not in X.columns:
        raise ValueError(f"group={group!r} is not a column of X; columns are {list(X.columns)}.")
    codes, names = pd.factorize(pd.Series(np.asarray(X[group])), sort=False)
    if (codes < 0).any():
        raise ValueError(f"The group column {group!r} has missing values: every row needs one.")
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
    train, test = [], []
    for code, rows in enumerate(np.split(order, starts[1:])):
        n_test = test_size if isinstance(test_size, Integral) else math.ceil(test_size * len(rows))
        n_train = len(rows) - n_test - (horizon - 1)
        if n_train < 1:
            raise ValueError(
                f"Series {names[code]!r} has {len(rows)} rows: too few to hold out "
                f"test_size={test_size} of them and train on the rest"
                + ("." if horizon == 1 else f" (less {horizon - 1} for a {horizon}-step y).")
            )
        train.append(rows[:n_train])
        test.append(rows[len(rows) - n_test :])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _holdout(n_samples, test_size, horizon):
    """(rows trained on, first hold-out row), as ``train_test_split(shuffle=False)`` cuts."""
    try:
        train, _ = train_test_split(np.arange(n_samples), test_size=test_size, shuffle=False)
    except ValueError:
        raise ValueError(
            f"{n_samples} rows are too few to hold out test_size={test_size} of them and "
            "train on the rest."
        ) from None
    test_start = len(train)
    n_train = test_start - (horizon - 1)
    if n_train < 1:
        raise ValueError(
            f"{n_samples} rows are too few to train on after holding out test_size={test_size} "
            f"of them for a {horizon}-step forecast."
        )
    return n_train, test_start


def smape(y_true, y_pred):
    """The M3 competition's symmetric MAPE, in percent: ``200 |y - f| / (|y| + |f|)``,
    averaged over every value (0 where both are 0)."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    denominator = np.abs(y_true) + np.abs(y_pred)
    ratio = np.divide(
        np.abs(y_true - y_pred), denominator, out=np.zeros_like(y_true), where=denominator > 0
    )
    return float(200 * ratio.mean())


def _disable(progress):
    """tqdm's ``disable``: None lets tqdm hide the bar when the output is not a terminal."""
    return None if progress is None else not progress


def _forecast_frame(predictions, horizon, index):
    columns = {}
    for name, values in predictions.items():
        for step in range(horizon):
            columns[name if horizon == 1 else f"{name}_t+{step + 1}"] = values[:, step]
    return pd.DataFrame(columns, index=index)
