"""``skrnn train``: fit a network on the training rows of a CSV series and save it."""

import shlex
import time

import numpy as np

from skrnn._intervals import quantiles_for

from ._data import check_rows, read_for, supervised
from ._modelfile import save_model
from ._models import network, pipeline, progress_callbacks, torch_threads
from ._output import check_output
from ._panel import panel_holdout, panel_supervised
from ._text import date_text


def run(args):
    if args.nonlinearity is not None and args.cell != "rnn":
        raise ValueError(f"--nonlinearity applies to --cell rnn only (got --cell {args.cell}).")
    check_output(args.out, "--out", args)
    source = args.data
    covariates = args.future_covariates
    group = args.group
    frame, features = read_for(args, lambda frame: (args.target, args.features, covariates))
    if group is None:
        test_size = args.test_size or 0.3
        X, y, n_train, test_start = supervised(
            frame, args.target, args.horizon, test_size, source, covariates
        )
        check_rows(n_train, [args.window], source, test_size)
        train, n_test = np.arange(n_train), len(X) - test_start
    else:
        test_size = args.test_size
        X, y = panel_supervised(
            frame, args.target, args.horizon, group, test_size, source, covariates
        )
        train, test = panel_holdout(X, group, test_size or 1, args.horizon)
        n_train, n_test = len(train), len(test)
    # The inputs: the features, then the covariates' values at the dates forecast.
    features = features + [name for name in X.columns if name not in (*frame.columns, group)]
    X = X[features] if group is None else X[[group, *features]]

    params = dict(
        hidden_size=args.hidden_size,
        num_layers=args.num_layers,
        bidirectional=args.bidirectional,
        max_epochs=args.epochs,
        lr=args.lr,
        optimizer=args.optimizer,
        early_stopping=args.early_stopping,
        random_state=args.seed,
        device=args.device,
        callbacks=progress_callbacks(args, f"train {args.cell}"),
    )
    if args.nonlinearity is not None:
        params["nonlinearity"] = args.nonlinearity
    if args.plain:
        params.update(skip=None, center=False)
    if args.interval:
        params.update(loss="quantile", quantile=quantiles_for(args.interval))
    net = network(args.cell, **params)
    model = pipeline(net, args.window, group=group)
    start = time.perf_counter()
    with torch_threads(args.threads):
        model.fit(X.iloc[train], y.iloc[train])
    seconds = time.perf_counter() - start
    # The progress bar belongs to this run, not to the saved model.
    net.set_params(callbacks=None)

    with_info = save_model(
        model,
        args.out,
        target=args.target,
        features=features,
        horizon=args.horizon,
        test_size=test_size,
        date_column=args.date_column or "Date",
        future_covariates=list(covariates),
        group=group,
    )
    later = ""
    if not with_info:  # data only: the pipeline, not what it was trained for
        later = f" --target {args.target}"
        if test_size not in (None, 0.3):
            later += f" --test-size {test_size}"
    later += _csv_options(args)
    if args.interval:
        later += " --interval " + " ".join(f"{level:g}" for level in args.interval)

    dates = X.index[train]
    series = "" if group is None else f"{frame[group].nunique()} series, "
    print(
        f"Trained {type(net).__name__} on {n_train} rows of {source} "
        f"({series}{date_text(dates.min())} to {date_text(dates.max())}) in {seconds:.1f} s: "
        f"{net.n_iter_} epochs, kept {_kept(net.best_epoch_)}."
    )
    if args.interval:
        print(
            f"It forecasts the quantiles {', '.join(f'{q:g}' for q in net.quantiles_)} of "
            f"{args.target} (its forecast is the median): the central intervals at "
            f"{', '.join(f'{level:g}' for level in args.interval)}."
        )
    print(f"Saved the model to {args.out}.")
    held_out = f"the last {n_test} rows"
    if group is not None and test_size is None:
        held_out = f"the last {args.horizon} values of each series"
    elif group is not None:
        held_out = f"the last {n_test} rows of the series"
    print(
        f"Score it on the hold-out ({held_out}): skrnn evaluate {source} --model {args.out}{later}"
    )
    return 0


def _csv_options(args):
    """The options to read the file again the same way, for the next command printed."""
    sep = "'\\t'" if args.sep == "\t" else shlex.quote(args.sep)
    options = {
        "--date-column": None
        if args.date_column in (None, "Date")
        else shlex.quote(args.date_column),
        "--sep": None if args.sep == "," else sep,
        "--decimal": None if args.decimal == "." else shlex.quote(args.decimal),
        "--date-format": None if args.date_format is None else shlex.quote(args.date_format),
        "--missing": None if args.missing == "error" else args.missing,
    }
    text = "".join(f" {option} {value}" for option, value in options.items() if value)
    return text + (" --dayfirst" if args.dayfirst else "")


def _kept(best_epoch):
    if best_epoch == 0:
        return "the starting weights (epoch 0: training did not beat the linear forecast)"
    return f"the weights of epoch {best_epoch}"
