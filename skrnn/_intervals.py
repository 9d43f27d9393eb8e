"""Central prediction intervals: from a quantile network, or from a model's past errors.

A central interval at level ``l`` (0.8: "80% interval") lies between the quantiles
``(1 - l) / 2`` and ``(1 + l) / 2`` of the forecast. A quantile network (``loss="quantile"``)
forecasts them; any other model gets the band its errors on the rows it was fitted on
would have given (:func:`error_intervals`), the usual naive interval of a baseline.
Used by :func:`~skrnn.compare_forecasters`, the command line and the plots.
"""

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

__all__ = [
    "check_levels",
    "error_intervals",
    "forecasts_quantiles",
    "interval_scores",
    "quantile_forecast",
    "quantile_intervals",
    "quantiles_for",
]


def check_levels(intervals):
    """The interval levels as floats in (0, 1), checked before any fit."""
    if intervals is None:
        return ()
    levels = np.atleast_1d(np.asarray(intervals, dtype=object))
    valid = [isinstance(level, Real) and not isinstance(level, bool) for level in levels]
    if levels.ndim != 1 or not all(valid) or not all(0 < level < 1 for level in levels):
        raise ValueError(
            f"intervals must be levels strictly between 0 and 1, e.g. [0.8, 0.95]; got "
            f"{intervals!r}."
        )
    return tuple(dict.fromkeys(float(level) for level in levels))


def quantiles_for(levels):
    """The quantiles a network must forecast for central intervals at `levels`, with the
    median: ``(0.025, 0.1, 0.5, 0.9, 0.975)`` for 0.8 and 0.95."""
    bounds = {0.5}
    for level in levels:
        bounds |= {round((1 - level) / 2, 10), round((1 + level) / 2, 10)}
    return tuple(sorted(bounds))


def _final(estimator):
    estimator = getattr(estimator, "best_estimator_", estimator)  # a fitted search
    return estimator, estimator[-1] if isinstance(estimator, Pipeline) else estimator


def forecasts_quantiles(estimator):
    """Whether a fitted estimator (or the last step of a Pipeline or search) is a quantile
    regressor: ``quantiles_`` set and ``predict_quantiles``."""
    _, final = _final(estimator)
    return getattr(final, "quantiles_", None) is not None and hasattr(final, "predict_quantiles")


def quantile_intervals(estimator, X, levels):
    """``{level: (lower, upper)}`` from a fitted quantile regressor's ``predict_quantiles``.

    `estimator` may be a Pipeline ending in the regressor, or a fitted search. `levels`
    ``"auto"`` gives every central interval the quantiles bound. Bounds have the shape of
    the regressor's ``predict``.
    """
    estimator, final = _final(estimator)
    pairs = _bound_positions(estimator, final, levels)
    if not pairs:
        return {}
    return _bands(_predict_quantiles(estimator, final, X), pairs)


def quantile_forecast(estimator, X, levels):
    """``(forecast, {level: (lower, upper)})`` from one call of ``predict_quantiles``: the
    forecast is what ``predict`` returns (the median), so a forecast with its intervals
    costs one prediction, not two."""
    estimator, final = _final(estimator)
    pairs = _bound_positions(estimator, final, levels)
    values = _predict_quantiles(estimator, final, X)
    return final._point_forecast(values), _bands(values, pairs)


def _bound_positions(estimator, final, levels):
    """``{level: (position of its lower quantile, of its upper)}`` in ``quantiles_``."""
    if not forecasts_quantiles(estimator):
        raise ValueError(
            f"intervals={levels!r} needs a quantile regressor "
            f"(loss='quantile'), or a Pipeline ending in one; {type(final).__name__} "
            "forecasts no quantiles."
        )
    quantiles = np.asarray(final.quantiles_)
    if isinstance(levels, str) and levels == "auto":
        levels = [
            round(1 - 2 * q, 10)
            for q in quantiles
            if q < 0.5 and quantile_position(quantiles, 1 - q) is not None
        ]
    else:
        levels = check_levels(levels)
    pairs = {}
    for level in levels:
        bounds = interval_quantiles(level)
        low, high = (quantile_position(quantiles, q) for q in bounds)
        if low is None or high is None:
            raise ValueError(
                f"A {level:g} interval needs the quantiles {bounds[0]:g} and "
                f"{bounds[1]:g}; the estimator forecasts {quantiles.tolist()}."
            )
        pairs[float(level)] = (low, high)
    return pairs


def interval_quantiles(level):
    """The quantiles that bound a central interval of `level`."""
    return (1 - level) / 2, (1 + level) / 2


def quantile_position(quantiles, q):
    """Where quantile `q` is among `quantiles` (up to rounding), or None."""
    found = np.flatnonzero(np.isclose(quantiles, q))
    return int(found[0]) if len(found) else None


def _predict_quantiles(estimator, final, X):
    Xt = estimator[:-1].transform(X) if isinstance(estimator, Pipeline) else X
    return final.predict_quantiles(Xt)


def _bands(values, pairs):
    return {level: (values[..., low], values[..., high]) for level, (low, high) in pairs.items()}


def error_intervals(y_fitted, y_pred_fitted, y_pred, levels, series=None):
    """``{level: (lower, upper)}``: `y_pred` shifted by the quantiles of past errors.

    The errors ``y_fitted - y_pred_fitted`` of a model on rows it was fitted on (each
    output, a forecast step, on its own; NaN rows ignored) give the band's offsets: the
    interval a model's residuals promise. Honest for a baseline with little or nothing
    fitted (persistence, a linear model on a few lags); optimistic for a flexible model,
    whose errors on its own training rows are smaller than on new ones. `series`, a pair
    of arrays (the series id of each fitted row, of each row of `y_pred`), gives every
    series the quantiles of its own errors, so that series of different sizes do not
    share one width.
    """
    if series is not None:
        return _error_intervals_by_series(y_fitted, y_pred_fitted, y_pred, levels, *series)
    y_pred = np.asarray(y_pred, dtype=float)
    errors = np.asarray(y_fitted, dtype=float) - np.asarray(y_pred_fitted, dtype=float)
    errors = errors.reshape(len(errors), -1)
    bands = {}
    for level in levels:
        low, high = np.nanquantile(errors, [(1 - level) / 2, (1 + level) / 2], axis=0)
        shape = (1,) * (y_pred.ndim - 1) + (-1,) if y_pred.ndim > 1 else ()
        bands[float(level)] = (y_pred + low.reshape(shape), y_pred + high.reshape(shape))
    return bands


def _error_intervals_by_series(y_fitted, y_pred_fitted, y_pred, levels, fitted_ids, ids):
    y_fitted, y_pred_fitted = np.asarray(y_fitted), np.asarray(y_pred_fitted)
    y_pred, fitted_ids, ids = (
        np.asarray(y_pred, dtype=float),
        np.asarray(fitted_ids),
        np.asarray(ids),
    )
    bands = {float(level): (np.empty_like(y_pred), np.empty_like(y_pred)) for level in levels}
    for name in pd.unique(ids):
        fitted, rows = fitted_ids == name, ids == name
        own = error_intervals(y_fitted[fitted], y_pred_fitted[fitted], y_pred[rows], levels)
        for level, (lower, upper) in own.items():
            bands[level][0][rows], bands[level][1][rows] = lower, upper
    return bands


def interval_scores(y_true, lower, upper, level):
    """Coverage, mean width and mean interval score of a central interval at `level`.

    The interval score (Gneiting and Raftery 2007; the M4 competition's, before scaling)
    is the width plus ``2 / (1 - level)`` times how far each value falls outside: lower is
    better, and a band cannot win by being narrow and missing.
    """
    y_true = np.asarray(y_true, dtype=float).reshape(np.shape(lower))
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    below, above = np.maximum(lower - y_true, 0), np.maximum(y_true - upper, 0)
    width = upper - lower
    score = width + 2 / (1 - level) * (below + above)
    return {
        "coverage": float(np.mean((below == 0) & (above == 0))),
        "width": float(np.mean(width)),
        "interval score": float(np.mean(score)),
    }
