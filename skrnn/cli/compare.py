"""``skrnn compare`` and ``skrnn demo``: persistence, ridge and recurrent networks side by side.

The comparison itself is :func:`skrnn.compare_forecasters`; this module builds the
candidates from the options, calls it, prints the table and writes the files.
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import RidgeCV

from skrnn import PersistenceRegressor, compare_forecasters
from skrnn._intervals import quantiles_for
from skrnn.datasets import load_stock

from ._data import check_rows, read_for, select_columns, supervised, target_dates
from ._models import network, pipeline, torch_threads
from ._output import (
    check_matplotlib,
    check_output,
    check_outputs_differ,
    format_table,
    params_text,
    plot_comparison,
    plot_panel_comparison,
    save_figure,
    write_output,
)
from ._panel import panel_forecasts, panel_supervised
from ._parser import BASELINES, NETWORKS

_TABLE_NOTES = """\
epochs: epochs trained in the final refit; kept epoch: whose weights the network kept.
Kept epoch 0 means training did not significantly beat the network's starting point, its
linear forecast (persistence, plus ridge corrections where they hold up), on the most recent
training rows, so the network is that forecast."""
_PLAIN_NOTE = """\
'LSTM, plain' is the network of the usual tutorials: skip=None, center=False."""
_PANEL_NOTE = """\
sMAPE: the M3 competition's symmetric MAPE (%), over every series and step; MAE and RMSE,
in the target's units, weigh the largest series most."""
_INTERVAL_NOTES = """\
coverage: the share of hold-out values inside the interval (close to its level is right);
interval score: its width plus 2 / (1 - level) times the miss (lower is better). The
networks are quantile networks (their forecast is the median); persistence's and ridge's
intervals are their forecast shifted by the quantiles of their errors on the training rows
(with --group, of each series' own errors)."""


def run(args):
    outputs = {"plot": args.plot, "table": args.table, "predictions": args.predictions}
    check_outputs_differ({f"--{option}": path for option, path in outputs.items()})
    for option, path in outputs.items():
        if path:
            check_output(path, f"--{option}", args)
    if args.plot:
        check_matplotlib("--plot", args.plot)
    frame, features = read_for(args, lambda frame: (args.target, args.features, []))
    _run(frame, features, args, args.data, outputs)
    written = [str(path) for path in outputs.values() if path]
    if written:
        print(f"Saved {', '.join(written)}.")
    return 0


def run_demo(args):
    out = Path(args.output_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--output-dir {out} exists and is not a directory.")
    try:
        check_matplotlib("the demo's plot")
        plot = out / "comparison.png"
    except ImportError as exc:
        print(f"skrnn demo: {exc} Skipping the plot.", file=sys.stderr)
        plot = None
    frame = load_stock(args.ticker)
    out.mkdir(parents=True, exist_ok=True)
    args.target = "Close"
    source = f'skrnn.datasets.load_stock("{args.ticker}")'
    features = select_columns(frame, args.target, None, source)
    outputs = {
        "table": out / "comparison.csv",
        "predictions": out / "predictions.csv",
        "plot": plot,
    }
    start = time.perf_counter()
    _run(frame, features, args, source, outputs)
    written = ", ".join(str(path) for path in outputs.values() if path)
    print(f"Saved {written} ({time.perf_counter() - start:.0f} s).")
    return 0


def _resolve(args):
    """The defaults that depend on ``--group``: the models, and the hold-out."""
    group = getattr(args, "group", None)
    if args.models is None:
        args.models = [key for key in (*BASELINES, *NETWORKS) if not (group and key == "ridge")]
    elif group is not None and "ridge" in args.models:
        raise ValueError(
            "--models ridge: with --group, a ridge regression on raw lags would mix series of "
            "different scales; each network's linear start (kept epoch 0) is the linear model "
            "on lags, fitted on every window scaled by its own series' level."
        )
    if args.test_size is None and group is None:
        args.test_size = 0.3


def candidates(args, target, features, columns):
    """name -> (pipeline, param grid) of every model of ``--models``, in order.

    `columns` are the columns of the X the pipelines get: the features, and the target
    for persistence. Where the features leave the target out, the other models select
    theirs first.
    """
    windows = sorted(set(args.window))
    group = getattr(args, "group", None)
    select = None
    if list(columns) != list(features):
        kept = list(features) if group is None else [group, *features]
        select = ColumnTransformer(
            [("features", "passthrough", kept)], verbose_feature_names_out=False
        )
        if group is not None:  # SlidingWindow reads the ids by column name
            select.set_output(transform="pandas")
    models = {}
    for key in dict.fromkeys(args.models):
        if key == "persistence":
            # Nothing to tune: the forecast is the target's last value, whatever the window.
            final = PersistenceRegressor(target_feature=list(columns).index(target))
            models[key] = (pipeline(final, windows[0], group=group), {})
            continue
        if key == "ridge":
            model = pipeline(RidgeCV(alphas=np.logspace(-6, 6, 25)), windows[0], flatten=True)
            grid = {"window__window": windows}
        else:
            _, cell, params = NETWORKS[key]
            if args.interval:
                params = {**params, "loss": "quantile", "quantile": quantiles_for(args.interval)}
            net = network(
                cell,
                max_epochs=args.epochs,
                early_stopping=args.early_stopping,
                random_state=args.seed,
                device=args.device,
                **params,
            )
            model = pipeline(net, windows[0], group=group)
            grid = {
                "window__window": windows,
                "model__hidden_size": sorted(set(args.hidden_size)),
                "model__lr": list(dict.fromkeys(args.lr)),
            }
        if select is not None:
            model.steps.insert(0, ("select", select))
        models[key] = (model, grid)
    return models


def compare(frame, features, args, source):
    """:func:`skrnn.compare_forecasters` on `frame` with the models and options of `args`."""
    _resolve(args)
    group = getattr(args, "group", None)
    columns = list(dict.fromkeys([*features, args.target]))
    if group is None:
        X, y, n_train, _ = supervised(frame, args.target, args.horizon, args.test_size, source)
        check_rows(n_train, args.window, source, args.test_size, folds=args.cv + 1)
        test_size = args.test_size
    else:
        X, y = panel_supervised(frame, args.target, args.horizon, group, args.test_size, source)
        test_size = args.test_size or 1
    with torch_threads(args.threads), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = compare_forecasters(
            candidates(args, args.target, features, columns),
            X[columns] if group is None else X[[group, *columns]],
            y,
            test_size=test_size,
            cv=args.cv,
            reference="persistence" if "persistence" in args.models else None,
            n_jobs=args.n_jobs,
            progress=False if args.quiet else None,
            intervals=args.interval,
            group=group,
        )
    _summarise(caught)
    return result


def _summarise(caught):
    """Each kind of warning once: a search fits every model many times, and the same warning
    from each fit (a network that kept its start, say) would bury the table."""
    by_category = {}
    for warning in caught:
        by_category.setdefault(warning.category, []).append(warning)
    for category, group in by_category.items():
        message = str(group[0].message)
        if len(group) > 1:
            message += f" ({len(group) - 1} more {category.__name__} from the other fits.)"
        warnings.warn(message, category, stacklevel=2)


def _run(frame, features, args, source, outputs):
    result = compare(frame, features, args, source)
    table = _labelled(result.table)
    forecasts = result.forecasts
    group = getattr(args, "group", None)
    if group is None:
        dates, _ = target_dates(frame.index, args.horizon)
        dates = dates[result.test_start : result.test_start + len(forecasts)]
        _print(table, args, source, result.n_train, len(forecasts))
    else:
        dated = panel_forecasts(forecasts, frame, group, args.horizon)
        _print_panel(table, args, source, result, dated)
    if outputs.get("table"):
        rows = table.drop(columns="key")
        write_output(outputs["table"], "--table", lambda file: rows.to_csv(file, index=False))
    if outputs.get("predictions"):
        written = _dated(forecasts, dates) if group is None else dated
        write_output(
            outputs["predictions"], "--predictions", lambda file: written.to_csv(file, index=False)
        )
    if outputs.get("plot"):
        if group is None:
            fig = plot_comparison(
                table.set_index("key"),
                forecasts,
                dates[:, 0],
                target=args.target,
                horizon=args.horizon,
                networks=NETWORKS,
                baselines=BASELINES,
                intervals=args.interval,
            )
        else:
            fig = plot_panel_comparison(
                table.set_index("key"),
                dated,
                frame,
                group=group,
                target=args.target,
                networks=NETWORKS,
                baselines=BASELINES,
            )
        save_figure(fig, outputs["plot"])
    return result


def _labelled(table):
    """The library's table for print: a ``model`` column of labels, parameters as text."""
    labels = {**BASELINES, **{key: label for key, (label, _, _) in NETWORKS.items()}}
    table = table.rename_axis("key").reset_index()
    table.insert(1, "model", table["key"].map(labels))
    table["best params"] = table["best params"].map(params_text)
    return table


def _dated(forecasts, dates):
    """The hold-out forecasts with their origin and target date(s), for the CSV file."""
    columns = {"origin": forecasts.index}
    if dates.shape[1] == 1:
        columns["target_date"] = dates[:, 0]
    else:
        for step in range(dates.shape[1]):
            columns[f"target_date_t+{step + 1}"] = dates[:, step]
    dated = pd.DataFrame(columns, index=forecasts.index)
    return pd.concat([dated, forecasts], axis=1)


def _print_panel(table, args, source, result, dated):
    n_series = dated[args.group].nunique()
    held_out = (
        f"the last {args.horizon} values of each, forecast from the value before them"
        if args.test_size is None
        else f"the last {100 * args.test_size:g}% of each series' rows"
    )
    print(
        f"{source}: {args.target} of {n_series} series (--group {args.group}), "
        f"{'1 step' if args.horizon == 1 else f'{args.horizon} steps'} ahead; tuned on "
        f"{result.n_train} rows ({args.cv}-fold PanelTimeSeriesSplit), scored on {held_out}."
    )
    print(format_table(table.drop(columns="key")))
    print(_PANEL_NOTE)
    if any(key in NETWORKS for key in args.models):
        print(_TABLE_NOTES)
    if args.interval:
        print(_INTERVAL_NOTES)


def _print(table, args, source, n_train, n_test):
    print(
        f"{source}: {args.target}, {'1 step' if args.horizon == 1 else f'{args.horizon} steps'} "
        f"ahead; tuned on the first {n_train} rows ({args.cv}-fold TimeSeriesSplit), "
        f"scored on the last {n_test}."
    )
    print(format_table(table.drop(columns="key")))
    if any(key in NETWORKS for key in args.models):
        print(_TABLE_NOTES)
    if "lstm-plain" in args.models:
        print(_PLAIN_NOTE)
    if args.interval:
        print(_INTERVAL_NOTES)
