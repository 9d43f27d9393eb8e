"""What the forecasting benchmarks (``m3.py``, ``accuracy.py --seasonal``) share.

- :func:`require`: import an optional package, or exit with a message naming the extra;
- the scores: M3's sMAPE and the MASE;
- the statistical models a forecaster would pick (statsforecast), by name, and their
  one-step-ahead forecasts on a hold-out with the parameters fitted on the training part
  (:func:`one_step_forecasts`);
- :func:`panel_design`: the windows of many series, normalised per window, that the global
  linear baseline (``global-ridge``) and the global network of ``m3.py`` are fitted on;
- the header lines (command, machine, versions, date) every results file starts with.
"""

import importlib
import os
import platform
import sys
import time

import numpy as np

BENCH_HINT = (
    "install the 'bench' extra: pip install -e '.[bench]' (or `make venv-extras` and run "
    "the script with .venv-extras/bin/python)"
)


def require(module, purpose):
    """Import the optional `module` or exit with a message naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise SystemExit(f"{purpose} needs the optional package {module!r}: {BENCH_HINT}.") from exc


def available(module):
    """True if the optional `module` can be imported."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


# -- scores ----------------------------------------------------------------------------------
def smape(actual, forecast):
    """M3's symmetric MAPE in percent: mean over steps of 200 |y - f| / (|y| + |f|)."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(
        2 * np.abs(actual - forecast),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return 100 * ratio.mean()


def mase_scale(history, season):
    """In-sample MAE of the seasonal naive forecast (of the naive one if the history is not
    longer than a season); NaN if it is zero."""
    history = np.asarray(history, float)
    m = season if len(history) > season else 1
    scale = np.mean(np.abs(history[m:] - history[:-m])) if len(history) > m else np.nan
    return scale if scale > 0 else np.nan


def mase(actual, forecast, history, season):
    """Mean absolute scaled error: the forecast's MAE over :func:`mase_scale`."""
    error = np.mean(np.abs(np.asarray(actual, float) - np.asarray(forecast, float)))
    return error / mase_scale(history, season)


# -- statistical models ---------------------------------------------------------------------
STAT_MODELS = ("Naive", "SeasonalNaive", "AutoETS", "AutoTheta", "AutoARIMA")


def stat_model(name, season):
    """A fresh statsforecast model with the season length `season`.

    AutoETS handles seasons of at most 24 (statsforecast, like R's ``ets``): above that it
    fits a non-seasonal model. AutoARIMA chooses its model with conditional sums of squares
    when the series is longer than 150 points or the season longer than 12
    (``approximation=None``: the rule of R's ``auto.arima``), then refits it by maximum
    likelihood; for seasons longer than 24 its seasonal orders are capped at P, Q <= 1.
    statsforecast's own default (exact likelihood for every candidate, P, Q <= 2) runs for
    more than 10 minutes on the half-hourly load series (season 48); capped, under a minute.
    """
    models = require("statsforecast.models", f"the statsforecast model {name}")
    if name == "Naive":
        return models.Naive()
    if name == "AutoARIMA":
        cap = {"max_P": 1, "max_Q": 1} if season > 24 else {}
        return models.AutoARIMA(season_length=season, approximation=None, **cap)
    return getattr(models, name)(season_length=season)


def one_step_forecasts(name, series, n_train, season):
    """One-step-ahead forecasts of ``series[n_train:]`` by the statsforecast model `name`.

    The model is fitted once, on ``series[:n_train]``; its fitted parameters (and, for
    ETS, its initial states) are then run over the whole series by statsforecast's
    ``forward(fitted=True)``, whose in-sample value at ``t`` is the forecast of ``series[t]``
    from ``series[:t]`` alone (a filter, no refit, nothing from ``t`` on). Returns the
    forecasts and the fit seconds.
    """
    series = np.asarray(series, dtype=np.float64)
    model = stat_model(name, season)
    start = time.perf_counter()
    model.fit(series[:n_train])
    fitted = model.forward(y=series, h=1, fitted=True)["fitted"]
    return np.asarray(fitted[n_train:], dtype=np.float64), time.perf_counter() - start


# -- global windows -------------------------------------------------------------------------
def window_length(season, horizon):
    """The look-back of the global models: two seasons, and at least twice the horizon
    (N-BEATS looks back 2 to 7 horizons)."""
    return max(2 * season, 2 * horizon)


def panel_design(series, window, horizon, season):
    """The training windows of many series and their last windows, normalised per window.

    Every stretch of ``window + horizon`` consecutive values of every series gives one row:
    the first `window` values are the inputs ``X``, the next `horizon` the targets ``Y``.
    Each row is normalised by its own window: for a series whose values are all positive,
    ``log(value) - offset`` with ``offset`` the mean log of the window's last `season`
    values (its last value for ``season=1``), so that inputs and targets are relative changes
    from the current level (and a multiplicative season becomes additive); for any other
    series ``(value - offset) / scale`` with ``offset`` the mean of the window's last season
    and ``scale`` the window's mean absolute value. A series shorter than `window` has its
    last window front-padded with its first value.

    Rows are ordered by how far their last value lies from the end of their series, the
    oldest first, so that the last rows are the most recent windows of every series.

    Returns ``X`` of shape (n, window), ``Y`` of shape (n, horizon), ``X_last`` of shape
    (len(series), window) and ``restore``, which maps normalised forecasts of shape
    (len(series), horizon) made from ``X_last`` back to the series' units.
    """
    inputs, targets, ages, last, offsets, scales, logged = [], [], [], [], [], [], []
    for values in series:
        values = np.asarray(values, dtype=np.float64)
        use_log = bool(np.all(values > 0))
        if use_log:
            values = np.log(values)
        if len(values) >= window + horizon:
            rows = np.lib.stride_tricks.sliding_window_view(values, window + horizon)
            z, _, _ = _normalise(rows, window, season, use_log)
            inputs.append(z[:, :window])
            targets.append(z[:, window:])
            ages.append(np.arange(len(rows))[::-1])  # steps from the row's end to the series'
        end = values[-window:]
        end = np.concatenate([np.full(window - len(end), end[0]), end])
        z, offset, scale = _normalise(end[None, :], window, season, use_log)
        last.append(z[0])
        offsets.append(offset[0])
        scales.append(scale[0])
        logged.append(use_log)
    offsets, scales, logged = np.array(offsets), np.array(scales), np.array(logged)

    def restore(forecast):
        forecast = forecast * scales[:, None] + offsets[:, None]
        return np.where(logged[:, None], np.exp(forecast), forecast)

    if not inputs:
        return np.empty((0, window)), np.empty((0, horizon)), np.array(last), restore
    # Oldest rows first, counted back from each series' end, so that the last rows (which
    # early stopping holds out) are the most recent windows of every series.
    order = np.argsort(-np.concatenate(ages), kind="stable")
    X, Y = np.concatenate(inputs)[order], np.concatenate(targets)[order]
    return X, Y, np.array(last), restore


def _normalise(rows, window, season, use_log):
    """Rows (n, >= window) -> rows normalised by their first `window` values, offset, scale."""
    offset = rows[:, window - season : window].mean(axis=1)
    if use_log:
        scale = np.ones(len(rows))
    else:
        scale = np.abs(rows[:, :window]).mean(axis=1)
        scale = np.where(scale > 0, scale, 1.0)
    return (rows - offset[:, None]) / scale[:, None], offset, scale


# -- output ---------------------------------------------------------------------------------
def header(script, packages):
    """The lines that start every results file: command, machine, versions, date."""
    versions = []
    for name in packages:
        try:
            module = importlib.import_module(name)
        except ImportError:
            versions.append(f"{name} (not installed)")
            continue
        versions.append(f"{name} {module.__version__}")
        if name == "skrnn":
            versions[-1] += f" (from {os.path.dirname(module.__file__)})"
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return "\n".join(
        [
            f"# python benchmarks/{script} {' '.join(sys.argv[1:])}".rstrip(),
            f"# {platform.node()}: {os.cpu_count()} CPUs ({cpu}), load {os.getloadavg()[0]:.2f}"
            f" at the start; Python {platform.python_version()}, {platform.system()}",
            f"# {', '.join(versions)}",
            f"# {time.strftime('%Y-%m-%d %H:%M %Z')}",
        ]
    )


def align_table(head, lines, left=(0,)):
    """Rows of strings under `head`, columns padded (those in `left` to the left)."""
    cells = [head] + [[str(c) for c in line] for line in lines]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    out = []
    for k, row in enumerate(cells):
        out.append(
            "  ".join(
                c.ljust(w) if i in left else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
