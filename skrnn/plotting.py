"""Plots of forecasts and of training, in scikit-learn's Display style.

Each display is built with ``from_estimator`` or ``from_predictions`` (or directly from its
data), draws with :meth:`plot`, and keeps the matplotlib objects it drew as attributes
(``ax_``, ``figure_``, ``lines_``) so a figure can be adjusted afterwards, as with
:class:`sklearn.metrics.PredictionErrorDisplay`.

matplotlib is an optional dependency (``pip install matplotlib``) and is imported only
when something is drawn: importing :mod:`skrnn` or this module never imports it.
"""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._intervals import forecasts_quantiles, quantile_intervals

__all__ = ["ForecastDisplay", "TrainingHistoryDisplay"]


def _pyplot():
    """matplotlib.pyplot, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Plotting needs matplotlib: pip install matplotlib.") from exc
    return plt


def _axes(ax):
    if ax is None:
        _, ax = _pyplot().subplots()
    else:
        _pyplot()
    return ax


def _as_2d(values, name):
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be numbers: ForecastDisplay draws forecasts of a numeric target "
            f"(a regressor's), got values such as {np.asarray(values).ravel()[:1].tolist()}."
        ) from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (n_samples,) or 2-D (n_samples, n_outputs), "
            f"got shape {array.shape}."
        )
    return array


class ForecastDisplay:
    """Forecast and truth over time, optionally beside a baseline forecast and inside
    prediction intervals.

    The plot every forecast deserves: the values that happened, what the model predicted
    for them, and what the naive forecast ("tomorrow = today", see
    :class:`~skrnn.PersistenceRegressor`) predicted. The legend gives each forecast's mean
    absolute error over the plotted points and each interval's empirical coverage (the
    share of plotted values inside it).

    Create it with :meth:`from_estimator` or :meth:`from_predictions`; all parameters are
    stored as attributes.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The values that happened.

    y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The model's forecast of them.

    index : array-like of shape (n_samples,), default=None
        The x-axis values (dates, steps). None uses ``0 .. n_samples - 1``.

    y_baseline : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        A baseline forecast of the same values, e.g. persistence.

    estimator_name : str, default=None
        Legend label of the forecast; None uses ``"Forecast"``.

    baseline_name : str, default=None
        Legend label of the baseline; None uses ``"Persistence"``.

    intervals : dict, default=None
        Prediction intervals to draw as bands: ``{level: (lower, upper)}``, each bound an
        array-like of the shape of `y_true`. A float level in (0, 1) is labelled as a
        percentage (``0.9``: "90% interval"), any other key as given.

    Attributes
    ----------
    lines_ : dict of matplotlib Line2D
        The lines drawn: ``"true"``, ``"pred"`` and, with a baseline, ``"baseline"``.

    bands_ : dict of matplotlib PolyCollection
        The bands drawn, keyed as `intervals` (empty without intervals).

    ax_ : matplotlib Axes
        The axes of the plot.

    figure_ : matplotlib Figure
        The figure of the plot.

    See Also
    --------
    TrainingHistoryDisplay : Training and validation loss per epoch.
    sklearn.metrics.PredictionErrorDisplay : Predicted against true values, without time.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.plotting import ForecastDisplay
    >>> y_true = np.array([1.0, 2.0, 3.0, 2.0])
    >>> display = ForecastDisplay.from_predictions(
    ...     y_true, [1.2, 1.9, 2.7, 2.4], baseline=[0.8, 1.0, 2.0, 3.0])
    >>> sorted(display.lines_)
    ['baseline', 'pred', 'true']
    >>> display = ForecastDisplay.from_predictions(
    ...     y_true, [1.2, 1.9, 2.7, 2.4], lower=[0.5, 1.5, 2.0, 2.0], upper=[2.0, 2.5, 2.5, 3.0])
    >>> display.bands_["interval"].get_label()
    'Interval (coverage 0.75)'
    """

    def __init__(
        self,
        *,
        y_true,
        y_pred,
        index=None,
        y_baseline=None,
        estimator_name=None,
        baseline_name=None,
        intervals=None,
    ):
        self.y_true = y_true
        self.y_pred = y_pred
        self.index = index
        self.y_baseline = y_baseline
        self.estimator_name = estimator_name
        self.baseline_name = baseline_name
        self.intervals = intervals

    def plot(
        self,
        ax=None,
        *,
        output=0,
        true_kwargs=None,
        pred_kwargs=None,
        baseline_kwargs=None,
        band_kwargs=None,
    ):
        """Draw the truth, the forecast, the baseline and the intervals against the index.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None creates a figure and axes.

        output : int, default=0
            Which column to draw when the forecasts have several outputs (for a multi-step
            forecast, 0 is one step ahead).

        true_kwargs, pred_kwargs, baseline_kwargs : dict, default=None
            Extra keyword arguments for :meth:`matplotlib.axes.Axes.plot` of each line.

        band_kwargs : dict, default=None
            Extra keyword arguments for :meth:`matplotlib.axes.Axes.fill_between` of every
            band.

        Returns
        -------
        display : ForecastDisplay
            The display, with ``ax_``, ``figure_``, ``lines_`` and ``bands_`` set.
        """
        y_true = _as_2d(self.y_true, "y_true")
        series = {"pred": _as_2d(self.y_pred, "y_pred")}
        if self.y_baseline is not None:
            series["baseline"] = _as_2d(self.y_baseline, "y_baseline")
        for name, values in series.items():
            if values.shape != y_true.shape:
                raise ValueError(
                    f"y_true has shape {y_true.shape} but the {name} forecast has shape "
                    f"{values.shape}; they must match."
                )
        n_samples, n_outputs = y_true.shape
        if isinstance(output, bool) or not isinstance(output, Integral):
            raise TypeError(f"output must be an int (a column of y_true), got {output!r}.")
        if not -n_outputs <= output < n_outputs:
            raise ValueError(f"output={output} is out of range for {n_outputs} output(s).")
        index = self.index
        if isinstance(index, pd.PeriodIndex):  # matplotlib draws timestamps, not periods
            index = index.to_timestamp()
        index = np.arange(n_samples) if index is None else np.asarray(index)
        if index.shape != (n_samples,):
            raise ValueError(
                f"index must have one entry per sample ({n_samples}), got shape {index.shape}."
            )
        bands = _check_intervals(self.intervals, y_true.shape)

        ax = _axes(ax)
        truth = y_true[:, output]
        self.bands_ = {}
        # Widest first, lightest: narrower bands are drawn over it, darker.
        for rank, (key, (lower, upper)) in enumerate(
            sorted(bands.items(), key=lambda item: -np.nanmean(item[1][1] - item[1][0]))
        ):
            low, high = lower[:, output], upper[:, output]
            known = ~np.isnan(truth)  # dates past the data are no misses
            inside = (truth >= low) & (truth <= high)
            covered = inside[known].mean() if known.any() else np.nan
            style = {
                "color": "tab:blue",
                "alpha": 0.12 + 0.13 * rank / max(len(bands) - 1, 1),
                "linewidth": 0,
                "label": f"{_interval_label(key)} (coverage {covered:.2f})",
            }
            self.bands_[key] = ax.fill_between(index, low, high, **{**style, **(band_kwargs or {})})
        labels = {
            "pred": self.estimator_name or "Forecast",
            "baseline": self.baseline_name or "Persistence",
        }
        styles = {
            "true": {"color": "black", "linewidth": 1.5, "label": "Truth"},
            "pred": {"color": "tab:blue", "linewidth": 1.2},
            "baseline": {"color": "tab:gray", "linewidth": 1.0, "linestyle": "--"},
        }
        user = {"true": true_kwargs, "pred": pred_kwargs, "baseline": baseline_kwargs}
        self.lines_ = {}
        (self.lines_["true"],) = ax.plot(index, truth, **{**styles["true"], **(user["true"] or {})})
        for name, values in series.items():
            kwargs = {
                **styles[name],
                "label": f"{labels[name]} ({_mae_text(truth, values[:, output])})",
            }
            (self.lines_[name],) = ax.plot(
                index, values[:, output], **{**kwargs, **(user[name] or {})}
            )
        if np.issubdtype(index.dtype, np.datetime64):
            import matplotlib.dates as mdates

            locator = mdates.AutoDateLocator()
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        name = getattr(self.index, "name", None)
        ax.set_xlabel(name if isinstance(name, str) else "time")
        ax.set_ylabel(_target_name(self.y_true, output))
        ax.legend(loc="best")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        baseline=None,
        index=None,
        name=None,
        baseline_name=None,
        intervals="auto",
        ax=None,
        output=0,
        true_kwargs=None,
        pred_kwargs=None,
        baseline_kwargs=None,
        band_kwargs=None,
    ):
        """Plot a fitted estimator's forecast of `y` from `X`, with its intervals.

        Parameters
        ----------
        estimator : estimator or Pipeline
            A fitted regressor, e.g. a Pipeline ending in an skrnn network.

        X : array-like or DataFrame
            The input the estimator predicts from. To draw a hold-out forecast from the
            full history, pass the whole series as `X` and the hold-out as `y`, both
            pandas objects: the forecast is drawn at the rows of `X` that `y`'s index
            names.

        y : array-like, Series or DataFrame of shape (n_samples,) or (n_samples, n_outputs)
            The true values.

        baseline : fitted estimator or array-like, default=None
            A baseline forecast: an estimator (predicting from `X`), or its predictions.
            Typically a Pipeline ending in :class:`~skrnn.PersistenceRegressor`.

        index : array-like of shape (n_samples,), default=None
            The x-axis values; None uses the index of `y` if it is a pandas object, else
            ``0 .. n_samples - 1``.

        name, baseline_name : str, default=None
            Legend labels; None uses the class names of the estimator (the last step of a
            Pipeline) and of the baseline.

        intervals : "auto", list of float or None, default="auto"
            The central intervals to draw from a quantile regressor (``loss="quantile"``,
            the last step of a Pipeline): ``"auto"`` draws every interval its quantiles
            bound, ``q`` and ``1 - q`` (0.1 and 0.9: the 80% interval) from
            ``predict_quantiles``, and nothing for other estimators; a list draws those
            levels (0.8 needs the quantiles 0.1 and 0.9); None draws none.

        ax : matplotlib Axes, default=None
            Where to draw; None creates a figure and axes.

        output : int, default=0
            Which output to draw for a multi-output forecast.

        true_kwargs, pred_kwargs, baseline_kwargs, band_kwargs : dict, default=None
            Extra keyword arguments for the lines and the bands.

        Returns
        -------
        display : ForecastDisplay

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.pipeline import make_pipeline
        >>> from skrnn import PersistenceRegressor, RNNRegressor, SlidingWindow, make_supervised
        >>> from skrnn.plotting import ForecastDisplay
        >>> X, y = make_supervised(np.sin(np.arange(120) / 4).reshape(-1, 1), target=0)
        >>> model = make_pipeline(SlidingWindow(5), RNNRegressor(hidden_size=4, max_epochs=2,
        ...                                                       random_state=0)).fit(X, y)
        >>> baseline = PersistenceRegressor().fit(X, y)
        >>> display = ForecastDisplay.from_estimator(model, X, y, baseline=baseline)
        >>> display.lines_["pred"].get_label().split(" (")[0]
        'RNNRegressor'

        A quantile network draws its intervals:

        >>> model = make_pipeline(SlidingWindow(5), RNNRegressor(
        ...     loss="quantile", quantile=(0.1, 0.5, 0.9), hidden_size=4, max_epochs=2,
        ...     random_state=0)).fit(X, y)
        >>> display = ForecastDisplay.from_estimator(model, X, y)
        >>> list(display.bands_)
        [0.8]
        """
        check_is_fitted(estimator)
        rows = _rows_of(y, X)
        y_pred = np.asarray(estimator.predict(X))[rows]
        bands = _estimator_intervals(estimator, X, intervals)
        if bands:
            bands = {level: (lower[rows], upper[rows]) for level, (lower, upper) in bands.items()}
        y_baseline = baseline
        if baseline is not None and hasattr(baseline, "predict"):
            check_is_fitted(baseline)
            y_baseline = np.asarray(baseline.predict(X))[rows]
            if baseline_name is None:
                baseline_name = _display_name(baseline)
        return cls.from_predictions(
            y,
            y_pred,
            index=index,
            baseline=y_baseline,
            name=_display_name(estimator) if name is None else name,
            baseline_name=baseline_name,
            intervals=bands,
            ax=ax,
            output=output,
            true_kwargs=true_kwargs,
            pred_kwargs=pred_kwargs,
            baseline_kwargs=baseline_kwargs,
            band_kwargs=band_kwargs,
        )

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        *,
        index=None,
        baseline=None,
        name=None,
        baseline_name=None,
        lower=None,
        upper=None,
        intervals=None,
        ax=None,
        output=0,
        true_kwargs=None,
        pred_kwargs=None,
        baseline_kwargs=None,
        band_kwargs=None,
    ):
        """Plot a forecast given the true values, the predictions and their intervals.

        Parameters
        ----------
        y_true : array-like, Series or DataFrame of shape (n_samples,) or \
                (n_samples, n_outputs)
            The true values.

        y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The forecast.

        index : array-like of shape (n_samples,), default=None
            The x-axis values; None uses the index of `y_true` if it is a pandas object,
            else ``0 .. n_samples - 1``.

        baseline : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            A baseline forecast, e.g. persistence.

        name, baseline_name : str, default=None
            Legend labels; None uses ``"Forecast"`` and ``"Persistence"``.

        lower, upper : array-like of shape (n_samples,) or (n_samples, n_outputs), \
                default=None
            The bounds of one prediction interval, drawn as a band labelled "Interval".

        intervals : dict, default=None
            Several intervals, ``{level: (lower, upper)}``, e.g. ``{0.8: (lo80, hi80),
            0.95: (lo95, hi95)}``; from MAPIE's ``predict_interval``, whose intervals
            have shape (n_samples, 2, n_levels): ``{0.9: (y_pis[:, 0, 0], y_pis[:, 1,
            0])}``. Not with `lower` and `upper`.

        ax : matplotlib Axes, default=None
            Where to draw; None creates a figure and axes.

        output : int, default=0
            Which output to draw for a multi-output forecast.

        true_kwargs, pred_kwargs, baseline_kwargs, band_kwargs : dict, default=None
            Extra keyword arguments for the lines and the bands.

        Returns
        -------
        display : ForecastDisplay
        """
        if index is None and isinstance(y_true, (pd.Series, pd.DataFrame)):
            index = y_true.index
        y_pred, baseline = (_aligned(y_true, values) for values in (y_pred, baseline))
        if (lower is None) != (upper is None):
            raise ValueError("Pass both lower and upper, or neither.")
        if lower is not None:
            if intervals is not None:
                raise ValueError("Pass either lower and upper, or intervals, not both.")
            intervals = {"interval": (lower, upper)}
        if isinstance(intervals, dict):
            intervals = {
                key: tuple(_aligned(y_true, bound) for bound in _pair(bounds, key))
                for key, bounds in intervals.items()
            }
        display = cls(
            y_true=y_true,
            y_pred=y_pred,
            index=index,
            y_baseline=baseline,
            estimator_name=name,
            baseline_name=baseline_name,
            intervals=intervals,
        )
        return display.plot(
            ax=ax,
            output=output,
            true_kwargs=true_kwargs,
            pred_kwargs=pred_kwargs,
            baseline_kwargs=baseline_kwargs,
            band_kwargs=band_kwargs,
        )


def _check_intervals(intervals, shape):
    """``{key: (lower, upper)}`` with both bounds 2-D arrays of `shape`; {} for None."""
    if intervals is None:
        return {}
    if not isinstance(intervals, dict):
        raise TypeError(
            f"intervals must be a dict {{level: (lower, upper)}}, got {type(intervals).__name__}."
        )
    bands = {}
    for key, bounds in intervals.items():
        lower, upper = (_as_2d(bound, f"intervals[{key!r}]") for bound in _pair(bounds, key))
        for bound in (lower, upper):
            if bound.shape != shape:
                raise ValueError(
                    f"y_true has shape {shape} but the bounds of intervals[{key!r}] have "
                    f"shape {bound.shape}; they must match."
                )
        crossed = int(np.count_nonzero(lower > upper))
        if crossed:
            raise ValueError(
                f"The lower bound of intervals[{key!r}] is above its upper bound at {crossed} "
                f"of {lower.size} points: pass the bounds as (lower, upper) (where a model's "
                f"quantiles cross, np.minimum and np.maximum of the two put them in order)."
            )
        bands[key] = (lower, upper)
    return bands


def _pair(bounds, key):
    """`bounds` checked to be a pair (lower, upper)."""
    if isinstance(bounds, (str, dict)) or not hasattr(bounds, "__len__") or len(bounds) != 2:
        raise ValueError(
            f"intervals[{key!r}] must be a pair (lower, upper) of arrays, got "
            f"{type(bounds).__name__}."
        )
    return bounds


def _rows_of(y, X):
    """Where `y`'s rows are among `X`'s: the positions of its index labels where `y` is a
    shorter pandas object whose labels are all in `X`'s index (a hold-out of the series
    `X`); else every row."""
    pandas = (pd.Series, pd.DataFrame)
    if not (isinstance(y, pandas) and isinstance(X, pandas)) or len(y) == len(X):
        return slice(None)
    if not X.index.is_unique or not y.index.isin(X.index).all():
        return slice(None)
    return X.index.get_indexer(y.index)


def _interval_label(key):
    if isinstance(key, float) and 0 < key < 1:
        return f"{100 * key:g}% interval"
    return "Interval" if key == "interval" else str(key)


def _estimator_intervals(estimator, X, levels):
    """``{level: (lower, upper)}`` from a quantile regressor's ``predict_quantiles``."""
    if levels is None:
        return None
    if isinstance(levels, str) and levels == "auto" and not forecasts_quantiles(estimator):
        return None
    return quantile_intervals(estimator, X, levels) or None


def _aligned(y_true, values):
    """`values` in the order of `y_true`'s index (and columns) where both are pandas
    objects on the same labels in another order (plotted by position, they would pair the
    wrong rows). Other labels (a forecast wrapped in a Series with a default index) are
    taken by position."""
    pandas = (pd.Series, pd.DataFrame)
    if not (isinstance(y_true, pandas) and isinstance(values, pandas)):
        return values
    frames = isinstance(y_true, pd.DataFrame) and isinstance(values, pd.DataFrame)
    if (
        frames
        and y_true.columns.is_unique
        and not values.columns.equals(y_true.columns)
        and set(values.columns) == set(y_true.columns)
    ):
        values = values[y_true.columns]
    same_labels = len(values.index) == len(y_true.index) and values.index.sort_values().equals(
        y_true.index.sort_values()
    )
    if same_labels and y_true.index.is_unique and not values.index.equals(y_true.index):
        return values.reindex(y_true.index)
    return values


def _mae_text(truth, forecast):
    """The MAE over the rows where both are known (a gap in the truth is drawn as one)."""
    known = np.isfinite(truth) & np.isfinite(forecast)
    if not known.any():
        return "MAE n/a"
    mae = mean_absolute_error(truth[known], forecast[known])
    return f"MAE {mae:.4g}" if known.all() else f"MAE {mae:.4g} on {known.sum()} rows"


def _target_name(y, output):
    """The name of the target drawn: a Series' name or a DataFrame's column, else "value"."""
    name = y.columns[output] if isinstance(y, pd.DataFrame) else getattr(y, "name", None)
    return name if isinstance(name, str) else "value"


def _display_name(estimator):
    estimator = getattr(estimator, "best_estimator_", estimator)  # a fitted search
    final = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    return type(final).__name__


def _network(estimator):
    """The skrnn network of an estimator or of the last step of a Pipeline (or a search)."""
    final = getattr(estimator, "best_estimator_", estimator)
    if isinstance(final, Pipeline):
        final = final[-1]
    if not hasattr(type(final), "history_"):
        raise TypeError(
            "TrainingHistoryDisplay needs a skrnn network (RNNRegressor, LSTMRegressor, ...) "
            f"or a Pipeline ending in one; got {type(final).__name__}."
        )
    check_is_fitted(final)
    return final


class TrainingHistoryDisplay:
    """Training and validation loss per epoch of a skrnn network.

    The learning curves of a fit: the validation loss of each early-stopping fold (a fresh
    network trained on the rows before the held-out ones; epoch 0 is the untrained start,
    scored for regressors with a skip), their mean, and the training loss of the final
    network, trained on every row for the chosen number of epochs. A vertical line marks
    that number; 0 means the untrained start was kept (for a regressor, its linear skip
    forecast) because training did not beat it significantly.

    Create it with :meth:`from_estimator`; all parameters are stored as attributes.

    Parameters
    ----------
    train_loss : array-like of shape (n_epochs,)
        Training loss per epoch of the final network (empty when the start was kept).

    valid_loss : array-like of shape (n_epochs_valid,) or (n_folds, n_epochs_valid), \
            default=None
        Validation loss per early-stopping fold, column ``k`` for epoch ``k`` (epoch 0:
        the start; NaN where not scored or after a fold stopped). None without early
        stopping.

    best_epoch : int, default=None
        The number of epochs the final network trained (``best_epoch_``).

    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    lines_ : dict of matplotlib Line2D
        The lines drawn: ``"train"``, ``"valid"`` (the folds' mean), ``"folds"`` (a list)
        and ``"best"`` where available.

    ax_ : matplotlib Axes
        The axes of the plot.

    figure_ : matplotlib Figure
        The figure of the plot.

    See Also
    --------
    ForecastDisplay : Forecast and truth over time.

    Notes
    -----
    Regressors train on scaled targets (``scale_target`` or ``window_scaling``), so the
    losses are in those units.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import GRURegressor, SlidingWindow, make_supervised
    >>> from skrnn.plotting import TrainingHistoryDisplay
    >>> X, y = make_supervised(np.sin(np.arange(200) / 4).reshape(-1, 1), target=0)
    >>> model = GRURegressor(hidden_size=4, max_epochs=3, early_stopping=False, random_state=0)
    >>> model = model.fit(SlidingWindow(5).fit_transform(X), y)
    >>> display = TrainingHistoryDisplay.from_estimator(model)
    >>> len(display.train_loss)
    3
    """

    def __init__(self, *, train_loss, valid_loss=None, best_epoch=None, estimator_name=None):
        self.train_loss = train_loss
        self.valid_loss = valid_loss
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, train_kwargs=None, valid_kwargs=None, best_kwargs=None):
        """Draw the losses against the epoch.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None creates a figure and axes.

        train_kwargs, valid_kwargs, best_kwargs : dict, default=None
            Extra keyword arguments for the training-loss line, the mean validation-loss
            line and the vertical line at the kept epoch.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        train = np.asarray(self.train_loss, dtype=np.float64)
        if train.ndim != 1:
            raise ValueError(f"train_loss must be 1-D (n_epochs,), got shape {train.shape}.")
        ax = _axes(ax)
        self.lines_ = {}
        train_style = {"color": "tab:blue", "marker": ".", "label": "training loss (all rows)"}
        (self.lines_["train"],) = ax.plot(
            np.arange(1, len(train) + 1), train, **{**train_style, **(train_kwargs or {})}
        )
        if self.valid_loss is not None:
            valid = np.atleast_2d(np.asarray(self.valid_loss, dtype=np.float64))
            if valid.ndim != 2:
                raise ValueError(
                    "valid_loss must be 1-D (n_epochs,) or 2-D (n_folds, n_epochs), got "
                    f"shape {valid.shape}."
                )
            epochs = np.arange(valid.shape[1])
            self.lines_["folds"] = (
                [
                    ax.plot(epochs, fold, color="tab:orange", alpha=0.35, linewidth=0.8)[0]
                    for fold in valid
                ]
                if len(valid) > 1
                else []
            )
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN epochs
                mean = np.nanmean(valid, axis=0)
            what = "validation loss" + (f" (mean of {len(valid)} folds)" if len(valid) > 1 else "")
            style = {"color": "tab:orange", "marker": ".", "label": what}
            (self.lines_["valid"],) = ax.plot(epochs, mean, **{**style, **(valid_kwargs or {})})
        if self.best_epoch is not None:
            what = "the untrained start" if self.best_epoch == 0 else f"{self.best_epoch} epochs"
            style = {"color": "tab:gray", "linestyle": ":", "label": f"kept: {what}"}
            self.lines_["best"] = ax.axvline(self.best_epoch, **{**style, **(best_kwargs or {})})
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        ax.legend(loc="best")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        name=None,
        ax=None,
        train_kwargs=None,
        valid_kwargs=None,
        best_kwargs=None,
    ):
        """Plot the training history of a fitted skrnn network.

        Parameters
        ----------
        estimator : skrnn network, Pipeline or search
            A fitted RNN/LSTM/GRU estimator, a Pipeline whose last step is one, or a fitted
            search (its ``best_estimator_``).

        name : str, default=None
            Title; None uses the network's class name.

        ax : matplotlib Axes, default=None
            Where to draw; None creates a figure and axes.

        train_kwargs, valid_kwargs, best_kwargs : dict, default=None
            Extra keyword arguments for the lines.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        network = _network(estimator)
        train = [row.get("train_loss", np.nan) for row in network.history_]
        display = cls(
            train_loss=np.asarray(train, dtype=np.float64),
            valid_loss=getattr(network, "validation_loss_", None),
            best_epoch=getattr(network, "best_epoch_", None),
            estimator_name=type(network).__name__ if name is None else name,
        )
        return display.plot(
            ax=ax, train_kwargs=train_kwargs, valid_kwargs=valid_kwargs, best_kwargs=best_kwargs
        )
