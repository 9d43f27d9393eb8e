"""``skrnn evaluate``: score a saved model and persistence on the hold-out."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import (
    mean_absolute_error,
    mean_absolute_percentage_error,
    root_mean_squared_error,
)
from sklearn.pipeline import make_pipeline

from skrnn import PersistenceRegressor, SlidingWindow
from skrnn._compare import smape
from skrnn._intervals import (
    error_intervals,
    forecasts_quantiles,
    interval_scores,
    quantile_forecast,
)

from ._data import base_columns, read_for, supervised, target_dates
from ._modelfile import load_model
from ._output import (
    check_matplotlib,
    check_output,
    format_table,
    plot_holdout,
    plot_panel_comparison,
    save_figure,
)
from ._panel import panel_forecasts, panel_holdout, panel_supervised
from ._text import date_text, names


def run(args):
    if args.plot:
        check_output(args.plot, "--plot", args)
        check_matplotlib("--plot", args.plot)
    model, info, target, frame, features, covariates = model_and_data(args)
    if args.interval:
        check_quantiles(model, args.model)
    group, horizon = info.get("group"), info["horizon"]
    test_size = args.test_size or info["test_size"]
    if args.test_size and info["test_size"] and args.test_size > info["test_size"]:
        warnings.warn(
            f"--test-size {args.test_size:g} holds out more than the model's hold-out "
            f"({info['test_size']:g}, at training): the first hold-out rows were trained on, "
            "and their scores flatter the model.",
            UserWarning,
            stacklevel=2,
        )
    if group is None:
        test_size = test_size or 0.3
        X, y, n_train, test_start = supervised(
            frame, target, horizon, test_size, args.data, covariates
        )
        train, test = np.arange(n_train), np.arange(test_start, len(X))
        inputs = X[features]
    else:
        X, y = panel_supervised(frame, target, horizon, group, test_size, args.data, covariates)
        train, test = panel_holdout(X, group, test_size or 1, horizon)
        inputs = X[[group, *features]]
    # Predict from the whole file, so the first hold-out rows' windows reach back into the
    # training rows instead of being padded: that is the history a forecaster would have.
    if args.interval:
        y_all, model_bands = model_forecast(model, inputs, args.interval, args.model)
    else:
        y_all = model.predict(inputs)
    y_pred = y_all[test]
    y_test = y.iloc[test]
    y_fitted, y_base_fitted, y_base = _persistence(X, y, target, train, test, group)
    name = model_name(model)
    table = pd.DataFrame(
        [_metrics(y_test, y_pred, group), _metrics(y_test, y_base, group)],
        index=[name, "Persistence"],
    )
    table["MAE / persistence"] = table["MAE"] / table.loc["Persistence", "MAE"]
    ahead = "1 step" if horizon == 1 else f"1 to {horizon} steps"
    held_out = f"the last {len(y_test)} rows"
    if group is not None:
        n_series = frame[group].nunique()
        held_out = (
            f"the last {horizon} values of each of the {n_series} series (--group {group})"
            if test_size is None
            else f"the last {100 * test_size:g}% of the rows of each of the {n_series} series"
        )
    print(
        f"Hold-out: {held_out} of {args.data}: forecasts of {target} {ahead} ahead, made from "
        f"{date_text(y_test.index.min())} to {date_text(y_test.index.max())}."
    )
    print(format_table(table.rename_axis("model").reset_index()))
    bands = None
    if args.interval:
        bands = {
            name: {level: (low[test], high[test]) for level, (low, high) in model_bands.items()},
            "Persistence": error_intervals(
                y_fitted, y_base_fitted, y_base, args.interval, _series(X, group, train, test)
            ),
        }
        _print_intervals(bands, y_test)
    if args.plot:
        if group is None:
            fig = _plot(frame, X, y_test, y_pred, y_base, test, horizon, target, name, args, bands)
        else:
            fig = _plot_panel(frame, X, y_test, y_pred, y_base, test, group, target, name, table)
        save_figure(fig, args.plot)
        print(f"Saved the plot to {args.plot}.")
    return 0


def _plot(frame, X, y_test, y_pred, y_base, test, horizon, target, name, args, bands):
    dates, _ = target_dates(frame.index, 1)
    dates = dates[test[0] : len(X), 0]
    step = "" if horizon == 1 else " (step 1 of each forecast)"
    return plot_holdout(
        y_test,
        y_pred,
        y_base,
        dates,
        target=target,
        name=name,
        title=f"{target}, 1 step ahead{step}: hold-out of {Path(args.data).name}",
        intervals=None if bands is None else bands[name],
    )


def _plot_panel(frame, X, y_test, y_pred, y_base, test, group, target, name, table):
    """The first series' hold-outs and the sMAPE of the model and of persistence."""
    horizon = y_test.shape[1] if y_test.ndim > 1 else 1
    columns = {group: X[group].to_numpy()[test]}
    for key, values in (("truth", y_test), ("model", y_pred), ("persistence", y_base)):
        values = np.asarray(values).reshape(len(test), -1)
        for step in range(horizon):
            columns[key if horizon == 1 else f"{key}_t+{step + 1}"] = values[:, step]
    forecasts = pd.DataFrame(columns, index=X.index[test])
    dated = panel_forecasts(forecasts, frame, group, horizon)
    labelled = table.assign(model=table.index).set_axis(["model", "persistence"])
    return plot_panel_comparison(
        labelled, dated, frame, group=group, target=target, networks={}, baselines={"persistence"}
    )


def model_and_data(args):
    """The saved model, what it was trained for, the target, the series, the model's inputs
    and its future-known covariates (columns whose values at the dates forecast are inputs,
    as ``<column>_t+<k>``)."""
    model, info = load_model(args.model)
    trained_for = info["target"]
    if args.target and trained_for and args.target != trained_for:
        raise ValueError(
            f"--target {args.target!r}: --model {args.model} forecasts {trained_for!r}, the "
            f"column it was trained for. Leave --target out, or pass a model trained for "
            f"{args.target!r}."
        )
    target = args.target or trained_for
    if args.date_column is None:  # as the model was trained: train records it
        args.date_column = info.get("date_column")
    if target is None:
        raise ValueError(
            f"--model {args.model} does not say which column it forecasts: pass --target."
        )
    features = info["features"]
    found = {}

    def columns_of(frame):
        base, found["covariates"] = base_columns(features, frame.columns)
        missing = [name for name in base if name not in frame.columns]
        if missing:
            raise ValueError(
                f"{args.data} lacks the column(s) the model was trained on: {names(missing)}."
            )
        return target, base, found["covariates"]

    args.group = info.get("group")  # a file of many series is read by series
    frame, _ = read_for(args, columns_of)
    return model, info, target, frame, list(features), found["covariates"]


def check_quantiles(model, path):
    """A model that forecasts quantiles, or a ValueError saying how to train one."""
    if not forecasts_quantiles(model):
        raise ValueError(
            f"--interval needs a model trained with --interval (a quantile network); --model "
            f"{path} forecasts no quantiles. Train one with, e.g., 'skrnn train DATA --target "
            f"COLUMN --interval 0.8 0.95 --out MODEL'."
        )


def model_forecast(model, X, levels, path):
    """A saved quantile model's forecasts from `X` and their intervals,
    ``{level: (lower, upper)}``, from one prediction."""
    check_quantiles(model, path)
    try:
        return quantile_forecast(model, X, levels)
    except ValueError as exc:
        raise ValueError(f"--interval: --model {path}: {exc}") from None


def _print_intervals(bands, y_test):
    """Coverage, width and interval score of each model's intervals on the hold-out."""
    rows = []
    for name, intervals in bands.items():
        for level, (lower, upper) in intervals.items():
            scores = interval_scores(y_test, lower, upper, level)
            rows.append({"model": name, "interval": f"{100 * level:g}%", **scores})
    print(
        "Prediction intervals on the hold-out: coverage is the share of values inside (close "
        "to the level is right); the interval score is the width plus 2 / (1 - level) times "
        "the miss (lower is better). Persistence's are its forecast shifted by the quantiles "
        "of its errors on the training rows (for many series, of each series' own)."
    )
    print(format_table(pd.DataFrame(rows)))


def model_name(model):
    final = model[-1] if hasattr(model, "steps") else model
    return type(final).__name__


def _metrics(y_true, y_pred, group=None):
    """MAE, RMSE and MAPE (%) of a forecast, averaged over its outputs; for many series,
    also the M3 competition's sMAPE, which weighs every series alike."""
    metrics = {
        "MAE": mean_absolute_error(y_true, y_pred),
        "RMSE": root_mean_squared_error(y_true, y_pred),
        "MAPE %": 100 * mean_absolute_percentage_error(y_true, y_pred),
    }
    if group is not None:
        metrics["sMAPE"] = smape(y_true, y_pred)
    return metrics


def _series(X, group, train, test):
    """The series of the training and hold-out rows (None for one series)."""
    if group is None:
        return None
    ids = X[group].to_numpy()
    return ids[train], ids[test]


def _persistence(X, y, target, train, test, group=None):
    """Persistence fitted (mapped) on the training rows: their targets and forecasts, and
    the forecasts of the hold-out rows. Many series: each series' own last value, read
    from windows within the series."""
    persistence, columns = PersistenceRegressor(), [target]
    if group is not None:
        persistence = make_pipeline(SlidingWindow(1, group=group), persistence)
        columns = [group, target]
    X_train, y_train = X[columns].iloc[train], y.iloc[train]
    persistence.fit(X_train, y_train)
    return y_train, persistence.predict(X_train), persistence.predict(X[columns].iloc[test])
